"""Export a workspace: build every prompt and run every check once, then plan and write."""

from __future__ import annotations

from datetime import datetime

from annotator.export.plan import ExportOptions, ExportPlan, plan_export
from annotator.export.runner import ExportResult, check_format_options, write_export
from annotator.pipeline.check import check_workspace
from annotator.pipeline.prompts import load_prompts
from annotator.pipeline.verify import load_verdicts
from annotator.prompts.build import PromptSet
from annotator.verdicts import SampleVerdict
from annotator.workspace import Workspace
from annotator.workspace.verdicts import accepted_at


def plan_workspace_export(ws: Workspace, options: ExportOptions) -> ExportPlan:
    """What export would write and every problem that blocks it; writes nothing."""
    check_format_options(options)
    prompts = load_prompts(ws, ws.samples(include_missing=True))
    return plan_export(ws, options, prompts, check_workspace(ws, prompts), *_verdicts(ws, prompts))


def export_dataset(ws: Workspace, options: ExportOptions) -> ExportResult:
    """Check everything, then write the export atomically; ``ExportRefusedError`` if not ok."""
    check_format_options(options)
    prompts = load_prompts(ws, ws.samples(include_missing=True))
    report = check_workspace(ws, prompts)
    plan = plan_export(ws, options, prompts, report, *_verdicts(ws, prompts))
    return write_export(ws, options, plan, prompts.context)


def _verdicts(
    ws: Workspace, prompts: PromptSet
) -> tuple[dict[str, SampleVerdict], dict[str, datetime]]:
    """Each sample's latest verdict and when a person last accepted it: the export gate."""
    return load_verdicts(ws, prompts), accepted_at(ws)
