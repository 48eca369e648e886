"""check: every dataset rule a machine can check, per sample and for the set."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from annotator.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    DirArgument,
    console,
    open_workspace,
    styled,
)
from annotator.cli.workspace_cmds import run_scan

if TYPE_CHECKING:
    from annotator.checks import CheckReport

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def check(
    root: Path = DirArgument,
    as_json: bool = typer.Option(False, "--json", help="Print JSON for machines."),
    strict: bool = typer.Option(False, "--strict", help="Warnings count as problems too."),
    no_scan: bool = typer.Option(
        False, "--no-scan", help="Check the store as it is, without rescanning."
    ),
) -> None:
    """Check every clip and the whole set against the fine-tuning service's rules.

    Exit 0 when there is no error (warnings alone exit 0 unless --strict), 1 otherwise.
    """
    from annotator.pipeline.check import check_workspace

    with open_workspace(root) as ws:
        if not no_scan:
            run_scan(ws)
        report = check_workspace(ws)
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
    else:
        _print_report(report)
    raise typer.Exit(EXIT_PROBLEMS if report.failed(strict) else EXIT_OK)


def _print_report(report: CheckReport) -> None:
    from annotator.checks import Severity

    for severity in Severity:
        found = [f for f in report.findings if f.severity is severity]
        if not found:
            continue
        table = Table(title=f"{severity.value}s ({len(found)})", title_justify="left", expand=True)
        table.add_column("file", style="bold", overflow="fold")
        table.add_column("problem", overflow="fold")
        table.add_column("fix", style="dim", overflow="fold")
        for f in found:
            table.add_row(
                styled(f.path or "(the set)"),
                styled((f.message, _STYLE[severity.value])),
                styled(f.fix),
            )
        console.print(table)
    d = report.diversity
    if d.count:
        console.print(
            f"Diversity: {len(d.resolutions)} resolution(s) "
            f"({', '.join(list(d.resolutions)[:6])}), aspect ratios "
            f"{', '.join(f'{k} x{v}' for k, v in d.aspect_ratios.items())}, durations "
            f"{d.duration_min_s:.1f}-{d.duration_max_s:.1f} s (median {d.duration_median_s:.1f} s)"
        )
    errors, warnings = report.count(Severity.ERROR), report.count(Severity.WARNING)
    verdict = ("not ready", "bold red") if errors else ("ready", "bold green")
    console.print(
        styled(
            f"{report.sample_count} samples, {errors} error(s), {warnings} warning(s): ", verdict
        )
    )
