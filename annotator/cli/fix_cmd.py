"""fix and trim: edit clips without touching the sources (issue 13 item 2)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from annotator.cli.batch_options import OnlyOption
from annotator.cli.common import (
    EXIT_PROBLEMS,
    EXIT_USAGE,
    DirArgument,
    console,
    fail,
    open_workspace,
    progress_bar,
    styled,
)
from annotator.cli.workspace_cmds import run_scan
from annotator.counting import counted
from annotator.safetext import strip_controls
from annotator.shellcmd import command

if TYPE_CHECKING:
    from annotator.checks.fixes import SampleFix
    from annotator.pipeline.fix import FixOutcome, Progress


def fix(
    root: Path = DirArgument,
    only: list[str] = OnlyOption,
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Print what would change and change nothing."
    ),
) -> None:
    """Fix what `check` finds that an edit can fix, without touching the sources.

    A clip longer than the base model takes is trimmed to its limit (from its start, or
    from its first real frame when it opens on black); a clip that opens on black starts at
    its first real frame; black borders are cropped; a clip
    over 4096 px is scaled down; a format the service does not take is converted to MP4.
    Each edit is rendered under DIR/.annotator/media/ and used from then on by every
    command; `annotator undo` takes the last one back, `annotator trim DIR CLIP --clear`
    a clip's edit.
    """
    from annotator.pipeline.fix import apply_fixes, plan_fixes, select_samples

    with open_workspace(root) as ws:
        run_scan(ws)
        samples = select_samples(ws, only)
        with progress_bar() as bar:
            plans = plan_fixes(ws, samples, _advance(bar, "Reading clips"))
        if not plans:
            console.print(
                "Nothing to fix: no clip is too long, letterboxed, over 4096 px or in a "
                "format the service does not take."
            )
            return
        if dry_run:
            for plan in plans:
                _print_plan(plan, plan.expected.describe())
            console.print(
                f"Dry run: {counted(len(plans), 'clip')} would be fixed; nothing changed. "
                f"Run {command('fix', root)} to apply."
            )
            return
        with progress_bar() as bar:
            outcomes = apply_fixes(ws, plans, _advance(bar, "Rendering"))
    failed = _print_outcomes(outcomes)
    done = len(outcomes) - failed
    console.print(
        f"Fixed {counted(done, 'clip')}; the sources are untouched. {command('undo', root)} takes "
        f"the last fix back, {command('trim', root, 'CLIP')} --clear a clip's edit."
    )
    if failed:
        raise typer.Exit(EXIT_PROBLEMS)


def trim(
    root: Path = DirArgument,
    clip: str = typer.Argument(..., help="The clip: its name, path or id prefix."),
    start: float | None = typer.Option(None, "--start", min=0.0, help="Start, in seconds."),
    end: float | None = typer.Option(None, "--end", min=0.0, help="End, in seconds."),
    clear: bool = typer.Option(False, "--clear", help="Remove the clip's edit: use the source."),
) -> None:
    """Trim a clip to START-END seconds of its source (the source is not touched).

    The rest of the clip's edit (a crop from `annotator fix`) is kept; --clear removes the
    whole edit. Undo with `annotator undo`.
    """
    from annotator.basemodels import get_base_model
    from annotator.pipeline.edits import clear_edit
    from annotator.pipeline.fix import trim_sample

    if clear == (start is not None or end is not None):
        raise fail("give --start and/or --end, or --clear (not both)", EXIT_USAGE)
    if start is not None and end is not None and end <= start:
        raise fail(f"--end ({end:g}) must come after --start ({start:g})", EXIT_USAGE)
    from annotator.media import MediaError

    with open_workspace(root) as ws:
        sample = ws.resolve(clip)
        before = sample.probe
        try:
            if clear:
                after = clear_edit(ws, sample)
                what = "uses its source again"
            else:
                after = trim_sample(ws, sample, start, end)
                what = f"trimmed to {start or 0:g}-{'end' if end is None else f'{end:g}'} s"
        except MediaError as exc:  # its message never names the clip: this one does
            raise MediaError(f"{sample.path}: {exc.message}", fix=exc.fix) from None
        model = get_base_model(ws.info.base_model)
    old = "?" if before is None else f"{before.duration_s:.2f} s"
    new = after.probe.duration_s if after.probe is not None else None
    console.print(
        styled(
            (sample.path, "bold"),
            f": {what}: {old} -> {'?' if new is None else f'{new:.2f} s'}",
            (f" ({model.name} takes {model.min_duration_s:g}-{model.max_duration_s:g} s)", "dim"),
        )
    )
    if new is not None and not model.min_duration_s <= new <= model.max_duration_s:
        console.print(
            styled(("  still outside the model's limits", "yellow"), " : check will say so")
        )


def _advance(bar: object, label: str) -> Progress:
    """A progress callback that drives one task of BAR (a rich Progress)."""
    from rich.progress import Progress as RichProgress

    assert isinstance(bar, RichProgress)
    task = bar.add_task(label, total=None, item="")

    def advance(done: int, total: int, item: str) -> None:
        bar.update(task, completed=done, total=total, item=strip_controls(item))

    return advance


def _print_plan(plan: SampleFix, after: str) -> None:
    console.print(styled((plan.path, "bold"), ": ", "; ".join(plan.changes)))
    console.print(styled("  ", plan.before.describe(), " -> ", after))


def _print_outcomes(outcomes: list[FixOutcome]) -> int:
    """Print each fix with the clip it gave; how many could not be rendered."""
    failed = 0
    for outcome in outcomes:
        if outcome.error is not None:
            failed += 1
            console.print(
                styled((outcome.fix.path, "bold"), ": ", (f"not fixed: {outcome.error}", "red"))
            )
            continue
        after = outcome.after.describe() if outcome.after is not None else "?"
        _print_plan(outcome.fix, after)
    return failed
