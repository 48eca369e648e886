"""caption: ask a vision-language model about every clip that has no caption yet."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.table import Table

from annotator.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    DirArgument,
    console,
    err_console,
    fail,
    open_workspace,
    progress_bar,
    styled,
)
from annotator.safetext import outside_text

if TYPE_CHECKING:
    from annotator.captioning import BatchProgress, BatchSummary, ProviderError
    from annotator.config import Settings
    from annotator.pipeline.caption import CaptionPlan
    from annotator.workspace import Sample, Workspace


def caption(
    root: Path = DirArgument,
    provider: str | None = typer.Option(
        None,
        "--provider",
        "-p",
        help="replay (recorded captions, offline), dashscope, openai, or an endpoint named in "
        "the config file. Default: the config file's, else replay.",
    ),
    model: str | None = typer.Option(
        None, "--model", "-m", help="VL model, e.g. qwen-vl-max, qwen3-vl-plus."
    ),
    region: str | None = typer.Option(
        None, "--region", help="DashScope region: cn (Beijing) or intl (Singapore)."
    ),
    base_url: str | None = typer.Option(
        None, "--base-url", help="OpenAI-compatible server, e.g. http://localhost:8000/v1 (vLLM)."
    ),
    key_env: str | None = typer.Option(
        None,
        "--key-env",
        metavar="VAR",
        help="The environment variable holding the server's key. Default: DASHSCOPE_API_KEY, "
        "which is sent only over https or to this machine.",
    ),
    video_as: str | None = typer.Option(
        None,
        "--video-as",
        help="openai provider: send the clip as 'video' (base64) or as 'frames'.",
    ),
    replay_file: Path | None = typer.Option(
        None, "--replay-file", help="replay provider: the recordings (default DIR/replay.jsonl)."
    ),
    freeform: bool = typer.Option(
        False,
        "--freeform",
        help="Ask for a free description instead of subject/background/motion JSON.",
    ),
    instruction: Path | None = typer.Option(
        None, "--instruction", exists=True, dir_okay=False, help="Your own instruction text file."
    ),
    fps: float | None = typer.Option(
        None, "--fps", min=0.1, max=10, help="Frames per second the model sees (default 2)."
    ),
    concurrency: int | None = typer.Option(
        None, "--concurrency", "-j", min=1, max=64, help="Requests at once (default 4)."
    ),
    force: bool = typer.Option(
        False,
        "--force",
        help="Caption again even where a caption with the same settings is stored.",
    ),
    only: list[str] = typer.Option(
        [], "--only", help="Only these samples (clip name or id prefix); repeatable."
    ),
    status: str | None = typer.Option(
        None, "--status", help="Only samples with this status, e.g. error."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="List what would be sent and estimate the tokens; send nothing."
    ),
) -> None:
    """Caption every sample that has no caption for these settings yet.

    Each answer is stored the moment it arrives: stop it at any time and run it again to send
    only what is missing. Rate limits slow the batch down instead of failing it.
    """
    from annotator.config import load_settings

    settings = load_settings_or_exit(load_settings)
    options: dict[str, Any] = {
        "base_url": base_url,
        "key_env_var": key_env,
        "video_as": video_as,
        "region": region,
    }
    if replay_file is not None:
        options["path"] = replay_file
    with open_workspace(root) as ws:
        plan = _make_plan(
            ws,
            only,
            status,
            provider=provider,
            options=options,
            model=model,
            instruction_kind="freeform" if freeform else "structured",
            instruction_file=instruction,
            fps=fps,
            force=force,
            settings=settings,
        )
        if dry_run:
            _print_plan(ws, plan)
            return
        if not plan.requests:
            console.print(f"Nothing to caption ({plan.cached} sample(s) already have a caption).")
            return
        summary, failures = _run_with_bar(ws, plan, concurrency or settings.caption.concurrency)
    _report(plan, summary, failures)
    raise typer.Exit(EXIT_PROBLEMS if summary.failed or summary.stopped else EXIT_OK)


def load_settings_or_exit(load: Callable[[], Settings]) -> Settings:
    """The user's settings; a broken config file is a problem (exit 1) that names the file."""
    from annotator.config import ConfigError

    try:
        return load()
    except ConfigError as exc:
        raise fail(str(exc)) from None


def _make_plan(ws: Workspace, only: list[str], status: str | None, **kwargs: Any) -> CaptionPlan:
    """Choose what to send; a bad choice is a usage error (2), a bad file a problem (1)."""
    from annotator.pipeline.caption import plan_captions
    from annotator.workspace import SampleNotFoundError, Status

    if status is not None and status not in {s.value for s in Status}:
        names = ", ".join(s.value for s in Status)
        raise fail(f"--status {status!r} is not a status; use one of: {names}", EXIT_USAGE)
    try:
        ids = [ws.resolve(ref).id for ref in only] or None
        wanted = Status(status) if status else None
        return plan_captions(ws, ids, status=wanted, **kwargs)
    except SampleNotFoundError as exc:
        raise fail(str(exc), EXIT_USAGE) from None
    except OSError as exc:  # an --instruction FILE that cannot be read
        raise fail(str(exc)) from None


def _run_with_bar(
    ws: Workspace, plan: CaptionPlan, concurrency: int
) -> tuple[BatchSummary, list[str]]:
    """Run the batch under a progress bar; the failures, one line each."""
    from annotator.pipeline.caption import check_before_sending, run_plan

    # Before the bar: a store that takes no write, a missing key or a server out of reach
    # is one line (the CLI prints the error), with nothing sent.
    check_before_sending(ws, plan)
    failures: list[str] = []
    with progress_bar(transient=False) as bar:
        task = bar.add_task(f"Captioning ({plan.provider_name})", total=len(plan.requests), item="")

        def show(p: BatchProgress) -> None:
            item = f"{p.failed} failed, {p.retries} retries, {p.limit} at once"
            bar.update(task, completed=p.finished, item=item)

        summary = run_plan(
            ws,
            plan,
            concurrency=concurrency,
            on_progress=show,
            on_failure=lambda sample, error: failures.append(_failure(sample, error)),
            checked=True,
        )
    return summary, failures


def _report(plan: CaptionPlan, summary: BatchSummary, failures: list[str]) -> None:
    for line in failures:
        err_console.print(styled(("failed", "red"), " ", outside_text(line)))
    tokens = summary.input_tokens + summary.output_tokens
    # Another caption run (a second command, the review UI's C) sent those or holds them.
    taken = f", {summary.taken} left to another caption run" if summary.taken else ""
    lost = f", {summary.lost} answered but not stored" if summary.lost else ""
    console.print(
        f"Captioned {summary.done} of {summary.total} with {plan.provider_name}; "
        f"{summary.failed} failed, {plan.cached} already had one{taken}{lost}; "
        f"tokens: {summary.input_tokens} in + {summary.output_tokens} out = {tokens}."
    )
    if summary.stop_reason:
        err_console.print(styled(("stopped:", "bold red"), " ", outside_text(summary.stop_reason)))


def _failure(sample: Sample, error: ProviderError) -> str:
    """One line per failed clip; provider messages often name the clip already."""
    said = str(error)  # the message, and its fix when there is one
    if said.startswith(sample.name):
        return f"{sample.path}{said[len(sample.name) :]}"
    return f"{sample.path}: {said}"


def _print_plan(ws: Workspace, plan: CaptionPlan) -> None:
    from annotator.captioning import estimate_tokens

    table = Table("clip", "model", "fps", "est. input tokens")
    total = 0
    for request in plan.requests:
        probe = plan.sample_by_request[request].probe
        tokens = estimate_tokens(
            probe.duration_s if probe else 0.0,
            probe.width if probe else 0,
            probe.height if probe else 0,
            request.fps,
            request.model,
        )
        total += tokens
        table.add_row(
            str(request.clip.relative_to(ws.root)), request.model, f"{request.fps:g}", str(tokens)
        )
    console.print(table)
    console.print(
        f"{len(plan.requests)} request(s) to {plan.provider_name}, about {total} input tokens; "
        f"{plan.cached} sample(s) already captioned. Nothing was sent (--dry-run)."
    )
