"""check: every dataset rule a machine can check, judged as export would judge it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from annotator.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    DirArgument,
    console,
    fail,
    open_workspace,
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
    print_plan,
    summary,
)
from annotator.cli.workspace_cmds import run_scan
from annotator.counting import counted
from annotator.export.models import ExportFormat
from annotator.workspace.models import Status

if TYPE_CHECKING:
    from annotator.checks import CheckReport


def check(
    root: Path = DirArgument,
    as_json: bool = typer.Option(False, "--json", help="Print JSON for machines."),
    fmt: ExportFormat = FormatOption,
    include_unreviewed: bool = IncludeUnreviewedOption,
    valid: int = ValidOption,
    valid_status: Status | None = ValidStatusOption,
    allow_lint: bool = AllowLintOption,
    allow_small: bool = AllowSmallOption,
    strict: bool = StrictOption,
    no_scan: bool = typer.Option(
        False, "--no-scan", help="Check the store as it is, without rescanning."
    ),
) -> None:
    """Check every clip, prompt and the whole set against the fine-tuning service's rules.

    It judges as `annotator export` with the same options would: "ready" (exit 0) exactly
    when export would write, "not ready" (exit 1) otherwise. Findings about samples the
    export leaves out (not accepted yet) are listed too; they block nothing.
    """
    from annotator.export import ExportOptions, ExportUsageError
    from annotator.pipeline.export import readiness

    options = ExportOptions(
        format=fmt,
        include_unreviewed=include_unreviewed,
        valid_count=valid,
        valid_status=valid_status,
        allow_lint=allow_lint,
        allow_small=allow_small,
        strict=strict,
    )
    with open_workspace(root) as ws:
        if not no_scan:
            run_scan(ws)
        analyse_clips(ws, quiet=as_json)  # the clips without a cached analysis, with a bar
        try:
            report, plan = readiness(ws, options)
        except ExportUsageError as exc:
            raise fail(str(exc), EXIT_USAGE) from None
    if as_json:
        typer.echo(json.dumps(plan_json(report, plan), ensure_ascii=False, indent=2))
    else:
        print_plan(console, plan)
        _print_diversity(report)
        console.print(summary(report, plan))
    raise typer.Exit(EXIT_OK if plan.ready else EXIT_PROBLEMS)


def _print_diversity(report: CheckReport) -> None:
    d = report.diversity
    if d.count:
        console.print(
            f"Diversity: {counted(len(d.resolutions), 'resolution')} "
            f"({', '.join(list(d.resolutions)[:6])}), aspect ratios "
            f"{', '.join(f'{k} x{v}' for k, v in d.aspect_ratios.items())}, durations "
            f"{d.duration_min_s:.1f}-{d.duration_max_s:.1f} s (median {d.duration_median_s:.1f} s)"
        )
