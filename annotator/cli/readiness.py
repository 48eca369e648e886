"""What `check` and `export` share: the options that decide what export takes, and one way
to print what the checks found, so both commands judge and print the same findings.

`check` is export's plan without the writing: it says "ready" exactly when `export` with
the same options would write.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.text import Text

from annotator.cli.common import styled
from annotator.counting import counted
from annotator.export.models import ExportFormat

if TYPE_CHECKING:
    from annotator.checks import CheckReport, Finding
    from annotator.export import ExportPlan

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}

FormatOption = typer.Option(
    ExportFormat.DASHSCOPE, "--format", help="dashscope zips, or a local trainer's layout."
)
IncludeUnreviewedOption = typer.Option(
    False, "--include-unreviewed", help="Also take unreviewed samples with a clean prompt."
)
ValidOption = typer.Option(
    0, "--valid", metavar="K", help="Move K accepted samples into a validation zip."
)
ValidStatusOption = typer.Option(
    None, "--valid-status", help="Samples of this status form the validation zip."
)
AllowLintOption = typer.Option(
    False,
    "--allow-lint",
    help="Let the prompt lint's errors through (no trigger, no effect text, a prompt too "
    "short or too long, ...) and samples the vision model flagged.",
)
AllowSmallOption = typer.Option(
    False, "--allow-small", help="Let fewer than 10 samples through (a trial run)."
)
StrictOption = typer.Option(False, "--strict", help="Warnings block the export too.")


def print_plan(out: Console, plan: ExportPlan) -> None:
    """Every finding of the plan (what `check` and `export` both print)."""
    print_findings(
        out,
        errors=plan.errors,
        warnings=plan.warnings,
        infos=plan.infos,
        left_out=plan.left_out,
        notes=plan.notes,
    )


def print_findings(
    out: Console,
    *,
    errors: Sequence[Finding] = (),
    warnings: Sequence[Finding] = (),
    infos: Sequence[Finding] = (),
    left_out: Sequence[Finding] = (),
    notes: Sequence[str] = (),
) -> None:
    """Findings by severity; then those about samples the export leaves out; then notes.

    Plain lines, not a table: a fix is often a command with a path, and a line the terminal
    folds (soft wrap) stays whole for a copy, where a table cell would cut it.
    """
    for title, found in (("errors", errors), ("warnings", warnings), ("information", infos)):
        if found:
            out.print(styled((f"{title} ({len(found)})", "bold")))
            _lines(out, found, with_severity=False)
    if left_out:
        samples = len({f.sample_id for f in left_out})
        out.print(
            styled(
                (
                    f"left out of this export ({counted(samples, 'sample')}, not accepted)",
                    "bold",
                ),
                ": these block nothing until the samples are accepted",
            )
        )
        _lines(out, left_out, with_severity=True)
    for note in notes:
        out.print(styled(("note:", "dim"), " ", note))


def _lines(out: Console, findings: Sequence[Finding], *, with_severity: bool) -> None:
    for f in findings:
        style = _STYLE.get(f.severity.value, "")
        label = (f"{f.severity.value} ", style) if with_severity else ("", "")
        out.print(styled("  ", label, (f.path or "(the set)", "bold"), ": ", (f.message, style)))
        out.print(styled("    fix: ", (f.fix, "dim")))


def summary(report: CheckReport, plan: ExportPlan) -> Text:
    """One line: the samples, what export takes, the counts and the verdict."""
    verdict = ("not ready", "bold red") if plan.errors else ("ready", "bold green")
    return styled(
        f"{counted(report.sample_count, 'sample')}; export takes {len(plan.train)} to train and "
        f"{len(plan.valid)} to validate; {counted(len(plan.errors), 'error')}, "
        f"{counted(len(plan.warnings), 'warning')}: ",
        verdict,
    )


def plan_json(report: CheckReport, plan: ExportPlan) -> dict[str, Any]:
    """The same findings for machines: `check --json` and `export --dry-run --json`."""

    def dump(findings: Sequence[Finding]) -> list[dict[str, Any]]:
        return [f.model_dump(mode="json") for f in findings]

    return {
        "ready": plan.ready,
        "sample_count": report.sample_count,
        "train": len(plan.train),
        "valid": len(plan.valid),
        "findings": dump(plan.findings()),
        "left_out": dump(plan.left_out),
        "notes": plan.notes,
        "diversity": report.diversity.model_dump(mode="json"),
    }
