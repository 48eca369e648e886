"""Export a workspace: build every prompt and run every check once, then plan and write."""

from __future__ import annotations

from annotator.checks import CheckReport
from annotator.export.plan import ExportInputs, ExportOptions, ExportPlan, plan_export
from annotator.export.runner import (
    ExportResult,
    check_format_options,
    size_findings,
    write_export,
)
from annotator.pipeline.check import check_workspace
from annotator.pipeline.prompts import load_prompts
from annotator.pipeline.verify import load_verdicts
from annotator.workspace import Workspace
from annotator.workspace.verdicts import accepted_at


def plan_workspace_export(ws: Workspace, options: ExportOptions) -> ExportPlan:
    """What export would write and every problem that blocks it; writes nothing."""
    return readiness(ws, options)[1]


def readiness(ws: Workspace, options: ExportOptions) -> tuple[CheckReport, ExportPlan]:
    """What `check` reports: every rule over the samples that count, and the plan export
    would follow with OPTIONS (ready exactly when ``plan.errors`` is empty)."""
    check_format_options(options)
    inputs = export_inputs(ws)
    plan = plan_export(inputs, options)
    plan.errors.extend(size_findings(ws, options, plan))
    return inputs.report, plan


def export_dataset(ws: Workspace, options: ExportOptions) -> ExportResult:
    """Check everything, then write the export atomically; ``ExportRefusedError`` if not ok."""
    check_format_options(options)
    inputs = export_inputs(ws)
    return write_export(ws, options, plan_export(inputs, options), inputs.prompts.context)


def export_inputs(ws: Workspace) -> ExportInputs:
    """Every sample, its prompt (built once), the checks, the verdicts and the acceptances."""
    samples = ws.samples(include_missing=True)
    prompts = load_prompts(ws, samples)
    verdicts = load_verdicts(ws, prompts)
    return ExportInputs(
        root=ws.root,
        mode=ws.info.mode,
        samples=samples,
        prompts=prompts,
        report=check_workspace(ws, prompts, verdicts),
        verdicts=verdicts,
        accepted=accepted_at(ws),
    )
