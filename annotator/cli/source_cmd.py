"""source: candidate clips from pictures with a Wan base model (the guide's AI 生成筛选).

Resumable and safe to re-run: each generation is stored in the workspace before it is
asked for, so a re-run (or one after Ctrl-C or a kill) starts nothing twice and
downloads what finished meanwhile. What the fine-tuning commands share is in
finetune_common.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from annotator.cli.common import (
    EXIT_PROBLEMS,
    EXIT_USAGE,
    DirArgument,
    console,
    err_console,
    fail,
    open_workspace,
    styled,
)
from annotator.cli.finetune_common import (
    BaseUrlOption,
    IntervalOption,
    JsonOption,
    RegionOption,
    TimeoutOption,
    dump,
    make_poller,
    remote,
)
from annotator.counting import counted
from annotator.safetext import outside_text
from annotator.shellcmd import command

if TYPE_CHECKING:
    from annotator.finetune.resumable import Resumed
    from annotator.finetune.sourcing import Candidate, SourceOptions
    from annotator.pipeline.source import SourceReport
    from annotator.workspace import Workspace
    from annotator.workspace.remote import SourceTask


def source(
    root: Path = DirArgument,
    images: Path = typer.Option(
        ...,
        "--images",
        exists=True,
        file_okay=False,
        resolve_path=True,
        help="Folder of pictures (kf2v: pairs STEM_first.* and STEM_last.*).",
    ),
    prompt: str | None = typer.Option(None, "--prompt", help="What the videos show."),
    prompt_file: Path | None = typer.Option(
        None, "--prompt-file", exists=True, dir_okay=False, help="The prompt, from a file."
    ),
    model: str | None = typer.Option(
        None, "--model", help="The base model (default: the workspace's, if it fits the mode)."
    ),
    per_image: int = typer.Option(2, "--per-image", min=1, help="Candidates per picture."),
    resolution: str = typer.Option(
        "720P", "--resolution", help="480P, 720P or 1080P (wan2.6 and wan2.7: 720P or 1080P)."
    ),
    duration: int | None = typer.Option(
        None, "--duration", min=1, help="Seconds per video (default: the model's, 5)."
    ),
    seed: int | None = typer.Option(
        None, "--seed", min=0, help="First candidate's seed; the others count up from it."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Print how many videos would be made and what they cost."
    ),
    retry_unanswered: bool = typer.Option(
        False,
        "--retry-unanswered",
        help="Start anew the generations a stopped run asked for but got no answer to, "
        "without looking for them in the service's task list (they may be made twice).",
    ),
    interval: float | None = IntervalOption,
    timeout: float | None = TimeoutOption,
    region: str | None = RegionOption,
    base_url: str | None = BaseUrlOption,
    as_json: bool = JsonOption,
) -> None:
    """Make candidate clips from pictures with the Wan base model, to pick the best by hand.

    Starts --per-image generations for every picture in --images, follows them, downloads
    each video into DIR/generated/ and scans it in as a new sample that remembers its
    picture, prompt, model, seed and task. Run it again to pick up tasks still running
    (after Ctrl-C too); nothing is made twice. Then `annotator review DIR --pick`.
    """
    from annotator.finetune.poll import TASK_INTERVAL

    text = _prompt(prompt, prompt_file)
    with open_workspace(root) as ws:
        options = _options(ws, text, model, per_image, resolution, duration, seed)
    candidates, problems = _candidates(root, images, options, region, base_url)
    for problem in problems:
        err_console.print(styled(("left out:", "yellow"), " ", problem))
    if not candidates:
        raise fail(f"no pictures to start from in {images}", EXIT_USAGE)
    if dry_run:
        _dry_run(root, candidates, options, region, base_url, as_json)
        return
    poller = make_poller(interval, TASK_INTERVAL, timeout)
    with remote(root, region, base_url) as (ws, client):
        from annotator.finetune.sourcing import forget_unanswered
        from annotator.pipeline.source import SourceEvents, run_source

        if retry_unanswered:
            dropped = forget_unanswered(ws, client.service.endpoint, candidates)
            err_console.print(f"{counted(dropped, 'unanswered generation')} will be started anew")
        with err_console.status(styled("video tasks")) as spinner:

            def update(rows: list[SourceTask], elapsed: float) -> None:
                done = sum(1 for r in rows if r.status in ("SUCCEEDED", "FAILED", "CANCELED"))
                spinner.update(styled(f"{done}/{len(rows)} video tasks done · {elapsed:.0f} s"))

            events = SourceEvents(started=_said_started, update=update)
            report = run_source(ws, client, candidates, options, poller, events)
    _print_report(root, report, as_json)
    if report.failed or report.undownloaded or report.refused:
        raise typer.Exit(EXIT_PROBLEMS)


def _prompt(prompt: str | None, prompt_file: Path | None) -> str:
    if (prompt is None) == (prompt_file is None):
        raise fail("give the prompt with --prompt TEXT or --prompt-file FILE (one)", EXIT_USAGE)
    if prompt_file is not None:
        from annotator.userfiles import read_bytes

        try:
            return read_bytes(prompt_file).decode("utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise fail(f"cannot read {prompt_file}: {exc}", EXIT_USAGE) from None
    assert prompt is not None
    return prompt.strip()


def _options(
    ws: Workspace,
    prompt: str,
    model: str | None,
    per_image: int,
    resolution: str,
    duration: int | None,
    seed: int | None,
) -> SourceOptions:
    from annotator.finetune.errors import PipelineError
    from annotator.finetune.sourcing import SourceOptions, check_options, default_model

    mode = ws.info.mode
    options = SourceOptions(
        model=model or default_model(mode, ws.info.base_model),
        mode=mode,
        prompt=prompt,
        per_image=per_image,
        resolution=resolution.upper(),
        duration=duration,
        seed=seed,
    )
    try:
        check_options(options)
    except PipelineError as exc:
        raise fail(str(exc), EXIT_USAGE) from None
    return options


def _candidates(
    root: Path,
    images: Path,
    options: SourceOptions,
    region: str | None,
    base_url: str | None,
) -> tuple[list[Candidate], list[str]]:
    from annotator.finetune.sourcing import find_pictures, plan

    pictures, problems = find_pictures(images, options.mode)
    return plan(_endpoint(region, base_url), pictures, options), problems


def _endpoint(region: str | None, base_url: str | None) -> str:
    from annotator.finetune.client import service_for

    try:
        return service_for(region, base_url).endpoint
    except ValueError as exc:
        raise fail(str(exc), EXIT_USAGE) from None


def _dry_run(
    root: Path,
    candidates: list[Candidate],
    options: SourceOptions,
    region: str | None,
    base_url: str | None,
    as_json: bool,
) -> None:
    from annotator.config import load_settings
    from annotator.pipeline.source import estimate

    overrides = load_settings().video_prices
    with open_workspace(root) as ws:
        cost = estimate(ws, _endpoint(region, base_url), candidates, options, overrides)
    pictures = len({c.source.identity for c in candidates})
    if as_json:
        dump(
            {
                "pictures": pictures,
                "videos": cost.count,
                "seconds_each": cost.seconds,
                "model": options.model,
                "resolution": options.resolution,
                "per_second": cost.per_second,
                "total": cost.total,
            }
        )
        return
    known = len(candidates) - cost.count
    console.print(
        f"{counted(pictures, 'picture')} x {options.per_image} = "
        f"{counted(len(candidates), 'candidate')}; "
        f"{known} made already, {cost.count} to make"
    )
    console.print(cost.describe(options.model, options.resolution))


def _said_started(candidate: Candidate, resumed: Resumed[SourceTask]) -> None:
    row = resumed.row
    name = f"{candidate.source.stem} #{candidate.number}"
    if resumed.created:
        err_console.print(styled(f"started {name}: task ", (row.task_id, "bold")))
    elif resumed.recovered:
        err_console.print(
            styled(f"{name}: found task {row.task_id}, started by a run that stopped")
        )


def _print_report(root: Path, report: SourceReport, as_json: bool) -> None:
    if as_json:
        dump(
            {
                "started": len(report.started),
                "reused": len(report.reused),
                "recovered": len(report.recovered),
                "videos": [r.model_dump(mode="json") for r in report.downloaded],
                "failed": [r.model_dump(mode="json") for r in report.failed],
                "refused": [
                    {
                        "picture": c.source.pictures[0].text,
                        "number": c.number,
                        "error": outside_text(why),
                    }
                    for c, why in report.refused
                ],
                "not_downloaded": [
                    {"task_id": r.task_id, "picture": r.picture, "error": outside_text(why)}
                    for r, why in report.undownloaded
                ],
                "added": report.scan.added if report.scan else [],
            }
        )
        return
    from annotator.finetune.generate import task_failure

    for row in report.failed:
        said = task_failure(row.task_id, row.status, row.code, row.message)
        err_console.print(
            styled(("failed:", "red"), f" {Path(row.picture).name} #{row.candidate}: "),
            outside_text(said),
        )
    for candidate, why in report.refused:
        name = Path(candidate.source.pictures[0].text).name
        err_console.print(
            styled(("not started:", "red"), f" {name} #{candidate.number}: "), outside_text(why)
        )
    for row, why in report.undownloaded:
        err_console.print(
            styled(("not downloaded:", "red"), f" {Path(row.picture).name} #{row.candidate}: "),
            outside_text(why),
        )
    added = len(report.scan.added) if report.scan else 0
    console.print(
        f"{len(report.started)} started, {len(report.reused) + len(report.recovered)} found "
        f"from before; {counted(len(report.downloaded), 'video')} in generated/, "
        f"{counted(added, 'new sample')}"
        + (f"; {len(report.failed)} failed (run again to retry them)" if report.failed else "")
        + (f"; {len(report.refused)} not started (see above)" if report.refused else "")
        + (
            f"; {len(report.undownloaded)} not downloaded (run again to fetch them)"
            if report.undownloaded
            else ""
        )
    )
    if report.downloaded:
        console.print(
            f"next: {command('review', root)} --pick   (keep the best candidate of each picture)"
        )
