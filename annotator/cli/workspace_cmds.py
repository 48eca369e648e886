"""init, scan and status: make a folder a workspace and keep it in line with its clips."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from annotator.basemodels import BASE_MODELS, DEFAULT_MODEL, Mode
from annotator.cli.common import (
    EXIT_USAGE,
    DirArgument,
    console,
    err_console,
    fail,
    open_workspace,
    progress_bar,
    styled,
)
from annotator.safetext import strip_controls
from annotator.shellcmd import command

if TYPE_CHECKING:
    from annotator.pipeline.scan import ScanReport
    from annotator.workspace import Workspace


def init(
    root: Path = DirArgument,
    mode: Mode | None = typer.Option(
        None,
        "--mode",
        help="i2v (first frame) or kf2v (first and last frame). Needed the first time.",
    ),
    model: str | None = typer.Option(
        None,
        "--model",
        help=f"Wan base model: {', '.join(BASE_MODELS)}. "
        f"Default {DEFAULT_MODEL[Mode.I2V]} (i2v) or {DEFAULT_MODEL[Mode.KF2V]} (kf2v).",
    ),
    lang: str | None = typer.Option(None, "--lang", help="Prompt language: en or zh (default en)."),
    trigger: str | None = typer.Option(
        None,
        "--trigger",
        metavar="WORD",
        help="The trigger word, e.g. s86b5p. Default for a new workspace: a rare one made "
        "for it (as --trigger auto).",
    ),
    no_trigger: Annotated[
        bool,
        typer.Option("--no-trigger", help="No trigger word (export refuses until one is set)."),
    ] = False,
) -> None:
    """Make the folder an annotation workspace: every MP4/MOV clip in it becomes a sample.

    A new workspace gets a rare trigger word unless --no-trigger. Running it again on a
    workspace rescans the folder and changes only the settings given.
    """
    from annotator.basemodels import UnknownBaseModelError, get_base_model
    from annotator.workspace import Workspace, WorkspaceError, WorkspaceInfo

    if no_trigger and trigger is not None:
        raise fail("give --trigger WORD or --no-trigger, not both", EXIT_USAGE)
    existing = Workspace.is_workspace(root)
    if trigger == "auto" or (trigger is None and not existing and not no_trigger):
        from annotator.prompts.trigger import make_trigger

        trigger = make_trigger()
    elif trigger is not None:
        _refuse_bad_trigger(trigger)
    if lang is not None and lang not in ("en", "zh"):
        raise fail(f"--lang must be en or zh, not {lang!r}", EXIT_USAGE)
    if existing:
        with Workspace.open(root) as ws:
            current = ws.info
    elif mode is None:
        raise fail(
            f"{root} is new: say which kind of dataset with --mode i2v or --mode kf2v", EXIT_USAGE
        )
    else:
        current = None
    mode = mode or (current.mode if current else Mode.I2V)
    model = model or (
        current.base_model if current and current.mode is mode else DEFAULT_MODEL[mode]
    )
    try:
        get_base_model(model, mode)
    except UnknownBaseModelError as exc:
        raise fail(str(exc), EXIT_USAGE) from None
    info = WorkspaceInfo(
        mode=mode,
        base_model=model,
        lang=lang or (current.lang if current else "en"),
        trigger=None if no_trigger else trigger or (current.trigger if current else None),
    )
    try:
        ws = Workspace.create(root, info)
    except WorkspaceError as exc:
        raise fail(str(exc)) from None
    with ws:
        verb = "Updated" if existing else "Created"
        console.print(
            styled(
                f"{verb} workspace ",
                (str(root), "bold"),
                f" ({info.mode.value}, {info.base_model})",
            ),
            soft_wrap=True,
        )
        _print_trigger(root, info.trigger, made=trigger is not None and current is None)
        _print_scan(run_scan(ws))


def _print_trigger(root: Path, trigger: str | None, *, made: bool) -> None:
    """Say which trigger word the prompts will carry; loudly when there is none."""
    if trigger:
        how = " (made for this workspace; change it with `annotator trigger`)" if made else ""
        console.print(styled("Trigger word: ", (trigger, "bold"), how))
        return
    err_console.print(
        styled(
            ("warning:", "bold yellow"),
            " no trigger word: the prompts will not call up the effect, and export will "
            f"refuse until one is set (`{command('trigger', root, '--auto')}`) or "
            "--allow-lint is given",
        )
    )


def scan(root: Path = DirArgument) -> None:
    """Pick up added, moved and removed clips; annotations of known clips are kept."""
    with open_workspace(root) as ws:
        _print_scan(run_scan(ws))


def status(
    root: Path = DirArgument,
    as_json: bool = typer.Option(False, "--json", help="Print JSON for machines."),
) -> None:
    """List the samples with their review status."""
    with open_workspace(root) as ws:
        samples = ws.samples()
        if as_json:
            rows = [s.model_dump(mode="json", exclude={"probe"}) for s in samples]
            typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        table = Table("id", "clip", "status", "duration", "size")
        for s in samples:
            table.add_row(
                s.id[:8],
                styled(s.path),
                s.status.value,
                f"{s.probe.duration_s:.2f} s" if s.probe else "0.00 s",
                f"{s.probe.width}x{s.probe.height}" if s.probe else "?x?",
            )
        console.print(table)
        counts: dict[str, int] = {}
        for s in samples:
            counts[s.status.value] = counts.get(s.status.value, 0) + 1
        console.print(", ".join(f"{n} {name}" for name, n in counts.items()) or "no samples")


def _refuse_bad_trigger(word: str) -> None:
    """A trigger with an error (a real word, ...) is a usage error at init."""
    from annotator.cli.template_cmds import print_trigger_problems
    from annotator.prompts.trigger import check_trigger

    problems = check_trigger(word)
    if any(p.severity == "error" for p in problems):
        print_trigger_problems(problems)
        raise fail(
            f"--trigger {word!r} cannot be used: pick another, or --trigger auto", EXIT_USAGE
        )


def run_scan(ws: Workspace) -> ScanReport:
    """Scan with a progress bar on stderr."""
    from annotator.pipeline.scan import scan as scan_folder

    with progress_bar() as bar:
        task = bar.add_task("Scanning", total=None, item="")

        def advance(done: int, total: int, item: str) -> None:
            bar.update(task, completed=done, total=total, item=strip_controls(item))

        return scan_folder(ws, progress=advance)


def _print_scan(report: ScanReport) -> None:
    parts = [f"{len(report.added)} added"]
    if report.moved:
        parts.append(f"{len(report.moved)} moved")
    if report.changed:
        parts.append(f"{len(report.changed)} changed (your words kept, to review again)")
    if report.removed:
        parts.append(f"{len(report.removed)} gone (annotations kept)")
    parts.append(f"{report.unchanged} unchanged")
    console.print("Clips: " + ", ".join(parts))
    for old, new in report.moved:
        console.print(styled(f"  moved {old} -> {new}"))
    for path in report.removed:
        console.print(styled(f"  gone  {path}"))
    for record in report.problems:
        err_console.print(styled(("skipped", "yellow"), f" {record.path}: {record.error}"))
