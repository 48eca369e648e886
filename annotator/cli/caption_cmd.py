"""caption: ask a vision-language model about every clip that has no caption yet."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from annotator.cli.batch_options import (
    BaseUrlOption,
    ConcurrencyOption,
    KeyEnvOption,
    ModelOption,
    OnlyOption,
    RegionOption,
    make_plan,
    provider_option,
    provider_options,
    run_with_bar,
    status_option,
)
from annotator.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    DirArgument,
    console,
    err_console,
    fail,
    open_workspace,
    styled,
)
from annotator.counting import counted
from annotator.safetext import outside_text

if TYPE_CHECKING:
    from annotator.captioning import BatchSummary
    from annotator.config import Settings
    from annotator.pipeline.caption import CaptionPlan
    from annotator.workspace import Workspace


def caption(
    root: Path = DirArgument,
    provider: str | None = provider_option("captions"),
    model: str | None = ModelOption,
    region: str | None = RegionOption,
    base_url: str | None = BaseUrlOption,
    key_env: str | None = KeyEnvOption,
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
    concurrency: int | None = ConcurrencyOption,
    force: bool = typer.Option(
        False,
        "--force",
        help="Caption again even where a caption with the same settings is stored.",
    ),
    only: list[str] = OnlyOption,
    status: str | None = status_option("error"),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="List what would be sent and estimate the tokens; send nothing."
    ),
) -> None:
    """Caption every sample that has no caption for these settings yet.

    Each answer is stored the moment it arrives: stop it at any time and run it again to send
    only what is missing. Rate limits slow the batch down instead of failing it.
    """
    from annotator.config import load_settings
    from annotator.pipeline.caption import plan_captions

    settings = load_settings_or_exit(load_settings)
    options = provider_options(base_url, key_env, region, replay_file)
    options["video_as"] = video_as
    with open_workspace(root) as ws:
        plan = make_plan(
            ws,
            only,
            status,
            plan_captions,
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
            _print_plan(ws, plan, settings)
            return
        if not plan.requests:
            console.print(
                f"Nothing to caption ({counted(plan.cached, 'sample')} already captioned)."
            )
            return
        jobs = concurrency or settings.caption.concurrency
        summary, failures = run_with_bar(ws, plan, jobs, "Captioning")
    _report(plan, summary, failures)
    raise typer.Exit(EXIT_PROBLEMS if summary.failed or summary.stopped else EXIT_OK)


def load_settings_or_exit(load: Callable[[], Settings]) -> Settings:
    """The user's settings; a broken config file is a problem (exit 1) that names the file."""
    from annotator.config import ConfigError

    try:
        return load()
    except ConfigError as exc:
        raise fail(str(exc)) from None


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


def _print_plan(ws: Workspace, plan: CaptionPlan, settings: Settings) -> None:
    from annotator.pipeline.caption import ANSWER_TOKENS, estimate_clip_tokens, money_for

    table = Table("clip", "model", "fps", "est. input tokens")
    total = 0
    for request in plan.requests:
        sample = plan.sample_by_request[request]
        tokens = estimate_clip_tokens(sample, request.fps, request.model)
        total += tokens
        table.add_row(
            str(request.clip.relative_to(ws.root)), request.model, f"{request.fps:g}", str(tokens)
        )
    console.print(table)
    answers = ANSWER_TOKENS * len(plan.requests)
    model = plan.requests[0].model if plan.requests else ""
    spent = money_for(plan.provider, plan.provider_name, model, (total, answers), settings)
    console.print(
        f"{counted(len(plan.requests), 'request')} to {plan.provider_name}, "
        f"about {total} input and "
        f"{answers} output tokens, {spent.words()}; {counted(plan.cached, 'sample')} already "
        "captioned. Nothing was sent (--dry-run)."
    )
