"""export, import, accept and reject: the dataset out of the workspace, and back in."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

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
    styled,
)
from annotator.cli.quality_bar import analyse_clips
from annotator.cli.readiness import (
    AllowLintOption,
    AllowSmallOption,
    FormatOption,
    IncludeUnreviewedOption,
    StrictOption,
    ValidOption,
    ValidStatusOption,
    plan_json,
    print_findings,
    print_plan,
    summary,
)
from annotator.cli.workspace_cmds import run_scan
from annotator.counting import counted
from annotator.export.models import ExportFormat
from annotator.workspace.models import Status

if TYPE_CHECKING:
    from annotator.export import ExportResult
    from annotator.pipeline.importing import ImportReport


def export(
    root: Path = DirArgument,
    output: Path | None = typer.Option(
        None,
        "-o",
        "--output",
        help="Training zip path (NAME.zip) or folder. Default: DIR/export/ for dashscope, "
        "a folder beside DIR for musubi and diffsynth.",
    ),
    fmt: ExportFormat = FormatOption,
    include_unreviewed: bool = IncludeUnreviewedOption,
    valid: int = ValidOption,
    valid_status: Status | None = ValidStatusOption,
    allow_lint: bool = AllowLintOption,
    allow_small: bool = AllowSmallOption,
    strict: bool = StrictOption,
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Run every check, write nothing (as `annotator check`)."
    ),
    no_scan: bool = typer.Option(False, "--no-scan", help="Use the store as it is, no rescan."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for machines."),
) -> None:
    """Write the fine-tuning dataset from the accepted samples, after every check passes.

    dashscope: the training zip (and a validation zip), finetune.json, deployment.json and
    names.json (the renaming of every file). Nothing is written when a check fails, and a
    previous export stays as it was; `annotator check` with the same options says
    beforehand. Exit 0 when written, 1 when refused, 2 on bad options.
    """
    from annotator.export import ExportOptions, ExportRefusedError, ExportUsageError
    from annotator.pipeline.export import export_dataset, readiness

    options = ExportOptions(
        format=fmt,
        output=output,
        include_unreviewed=include_unreviewed,
        valid_count=valid,
        valid_status=valid_status,
        allow_lint=allow_lint,
        allow_small=allow_small,
        strict=strict,
    )
    with open_workspace(root) as ws:
        if not no_scan:
            run_scan(ws)  # the files as they are now, not as the last scan saw them
        analyse_clips(ws, quiet=as_json)  # export checks too: the new clips under a bar
        try:
            if dry_run:
                report, plan = readiness(ws, options)
                if as_json:
                    typer.echo(json.dumps(plan_json(report, plan), ensure_ascii=False, indent=2))
                else:
                    print_plan(err_console, plan)
                    console.print(summary(report, plan))
                raise typer.Exit(EXIT_OK if plan.ready else EXIT_PROBLEMS)
            result = export_dataset(ws, options)
        except ExportUsageError as exc:
            raise fail(str(exc), EXIT_USAGE) from None
        except ExportRefusedError as exc:
            print_plan(err_console, exc.plan)
            raise fail(str(exc)) from None
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
    else:
        _print_result(result)


def accept(
    root: Path = DirArgument,
    refs: list[str] | None = typer.Argument(None, help="Samples: id prefix, clip path or name."),
    every: bool = typer.Option(False, "--all", help="Every sample not rejected or in error."),
) -> None:
    """Mark samples accepted (undoable, as in review)."""
    from annotator.pipeline.review import accept as accept_samples
    from annotator.workspace import WorkspaceError

    if bool(refs) == every:
        raise fail("name the samples to accept, or give --all (not both)", EXIT_USAGE)
    with open_workspace(root) as ws:
        try:
            done = accept_samples(ws, refs or [], every=every)
        except WorkspaceError as exc:
            raise fail(str(exc), EXIT_USAGE) from None
    _print_moved("accepted", [s.path for s in done])


def reject(
    root: Path = DirArgument,
    refs: list[str] = typer.Argument(..., help="Samples: id prefix, clip path or name."),
    reason: str | None = typer.Option(None, "--reason", help="Why, kept with the sample."),
) -> None:
    """Mark samples rejected, with a reason (undoable, as in review)."""
    from annotator.pipeline.review import reject as reject_samples
    from annotator.workspace import WorkspaceError

    with open_workspace(root) as ws:
        try:
            done = reject_samples(ws, refs, reason)
        except WorkspaceError as exc:
            raise fail(str(exc), EXIT_USAGE) from None
    _print_moved("rejected", [s.path for s in done])


def import_(
    root: Path = DirArgument,
    source: Path = typer.Argument(
        ...,
        exists=True,
        resolve_path=True,
        help="A dataset .zip, a data.jsonl, a metadata.csv, or a folder of clips with .txt.",
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Report what would change."),
    no_scan: bool = typer.Option(False, "--no-scan", help="Use the store as it is, no rescan."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for machines."),
) -> None:
    """Set the samples' prompts from an existing dataset (undoable edits).

    Lines match samples by clip content, name map, file name or first frame; clips not
    in the workspace are brought in under DIR/imported/. A bad line is reported with its
    line number and the rest goes on. Unsafe zips are refused. Exit 1 when any line failed.
    """
    from annotator.export import DatasetError, UnsafeZipError
    from annotator.pipeline.importing import import_dataset

    with open_workspace(root) as ws:
        if not no_scan:
            run_scan(ws)
        try:
            report = import_dataset(ws, source, dry_run=dry_run)
        except UnsafeZipError as exc:
            raise fail(f"{source.name} refused: {exc}; nothing was extracted") from None
        except DatasetError as exc:
            raise fail(str(exc)) from None
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
    else:
        _print_import(report)
    raise typer.Exit(EXIT_PROBLEMS if report.problems else EXIT_OK)


def _print_result(result: ExportResult) -> None:
    print_findings(
        err_console,
        warnings=result.warnings,
        infos=result.infos,
        left_out=result.left_out,
        notes=result.notes,
    )
    table = Table("split", "clip", "video", "first frame", "last frame", title="Files renamed")
    for n in result.names:
        table.add_row(
            n.split, styled(n.clip), n.video or "-", n.first_frame or "-", n.last_frame or "-"
        )
    console.print(table)
    for path in result.outputs:
        console.print(styled("wrote ", (str(path), "bold")), soft_wrap=True)
    service = result.service
    if service is not None:
        how = "its own split" if service.split_by_service else "your validation zip"
        console.print(
            f"The service will train on {service.train} and validate on "
            f"{counted(service.valid, 'sample')} ({how}); n_epochs {result.n_epochs}."
        )


def _print_moved(verb: str, paths: Sequence[str]) -> None:
    for path in paths:
        console.print(styled(f"{verb} ", path))
    console.print(f"{counted(len(paths), 'sample')} {verb} (kept in the history: undoable)")


def _print_import(report: ImportReport) -> None:
    for path in report.updated:
        console.print(styled("prompt set  ", path))
    for path in report.added:
        console.print(styled("clip added  ", path))
    for problem in report.problems:
        err_console.print(styled((problem.where, "yellow"), ": ", problem.message))
    for note in report.notes:
        err_console.print(styled(("note:", "dim"), " ", note))
    if report.template_proposal:
        console.print(
            styled(
                "Effect template the miner recovers from these prompts:\n  ",
                report.template_proposal,
            )
        )
        console.print("Store it with `annotator template DIR --set TEXT` (the workspace has none).")
    console.print(
        f"{counted(report.items, 'line')}: {counted(len(report.updated), 'prompt')} set, "
        f"{len(report.unchanged)} unchanged, {counted(len(report.added), 'clip')} added, "
        f"{counted(len(report.problems), 'problem')}"
    )
