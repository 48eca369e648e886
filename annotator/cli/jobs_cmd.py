"""jobs: where the fine-tuning pipeline stands, from the workspace (or asked of the service).

What the fine-tuning commands share is in finetune_common.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from annotator.cli.common import DirArgument, console, err_console, open_workspace, styled
from annotator.cli.finetune_common import (
    BaseUrlOption,
    JsonOption,
    RegionOption,
    dump,
    remote,
    since,
)
from annotator.counting import counted
from annotator.safetext import outside_text

if TYPE_CHECKING:
    from annotator.finetune.pipeline import Overview


def jobs_command(
    root: Path = DirArgument,
    refresh: bool = typer.Option(
        False, "--refresh", help="Ask the service about everything not finished first."
    ),
    region: str | None = RegionOption,
    base_url: str | None = BaseUrlOption,
    as_json: bool = JsonOption,
) -> None:
    """Where the fine-tuning pipeline stands: uploads, jobs, checkpoints, deployments, videos.

    Reads the workspace only (no key needed), unless --refresh.
    """
    from annotator.finetune.pipeline import overview, refresh_all

    if refresh:
        with remote(root, region, base_url) as (ws, client):
            for problem in refresh_all(ws, client):
                err_console.print(
                    styled(("could not refresh:", "yellow"), f" {outside_text(problem)}")
                )
    with open_workspace(root) as ws:
        view = overview(ws)
    if as_json:
        dump(
            {
                "uploads": [u.model_dump(mode="json") for u in view.uploads],
                "jobs": [j.model_dump(mode="json") for j in view.jobs],
                "checkpoints": {
                    k: [c.model_dump(mode="json") for c in v] for k, v in view.checkpoints.items()
                },
                "deployments": [d.model_dump(mode="json") for d in view.deployments],
                "generations": [g.model_dump(mode="json") for g in view.generations],
                "sources": [s.model_dump(mode="json") for s in view.sources],
                "next": view.next_step,
            }
        )
        return
    _print_overview(view)


def _print_overview(view: Overview) -> None:
    if view.uploads:
        table = Table("zip", "file id", "bytes", "uploaded", title="Uploads", title_justify="left")
        for u in view.uploads:
            table.add_row(u.name, u.file_id, f"{u.bytes:,}", f"{u.uploaded_at:%Y-%m-%d %H:%M}")
        console.print(table)
    if view.jobs:
        table = Table(
            "job",
            "status",
            "model",
            "tokens",
            "started",
            title="Fine-tune jobs",
            title_justify="left",
        )
        for j in view.jobs:
            tokens = f"{j.usage:,}" if j.usage is not None else "-"
            table.add_row(
                j.job_id or "(no answer)",
                j.status,
                j.finetuned_output or "-",
                tokens,
                f"{since(j.requested_at)} ago",
            )
        console.print(table)
    for job_id, marks in view.checkpoints.items():
        exported = [
            f"{c.checkpoint} -> {c.model_name} ({c.export_status})" for c in marks if c.model_name
        ]
        best = [c.checkpoint for c in marks if c.chosen_at is not None]
        console.print(
            f"{job_id}: {counted(len(marks), 'checkpoint')}"
            + (f"; best: {best[0]} (picked in checkpoints --review)" if best else "")
            + (f"; exported: {', '.join(exported)}" if exported else "")
        )
    if view.deployments:
        table = Table(
            "deployment", "status", "model", "checkpoint", title="Deployments", title_justify="left"
        )
        for d in view.deployments:
            table.add_row(
                d.deployed_model or "(no answer)", d.status, d.model_name, d.checkpoint or "final"
            )
        console.print(table)
    if view.generations:
        table = Table("task", "status", "picture", "video", title="Videos", title_justify="left")
        table.columns[3].overflow = "fold"
        for g in view.generations:
            table.add_row(
                g.task_id or "(no answer)", g.status, Path(g.image).name, g.video_path or "-"
            )
        console.print(table)
    if view.sources:
        console.print(_sources_line(view))
    if not (view.uploads or view.jobs or view.sources):
        console.print("nothing sent to DashScope from this workspace yet")
    console.print(f"next: {view.next_step}")


def _sources_line(view: Overview) -> str:
    """How the candidates of `annotator source` stand, in one line."""
    counts: dict[str, int] = {}
    for row in view.sources:
        counts[row.status] = counts.get(row.status, 0) + 1
    pictures = len({row.picture_sha256 for row in view.sources})
    downloaded = sum(1 for row in view.sources if row.sample_id)
    states = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    return (
        f"candidates (annotator source): {len(view.sources)} from {counted(pictures, 'picture')}: "
        f"{states}; {downloaded} downloaded"
    )
