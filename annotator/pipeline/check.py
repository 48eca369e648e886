"""Check a workspace: load its samples, files and prompts, and apply every rule once."""

from __future__ import annotations

from collections.abc import Mapping

from annotator.checks import CheckReport, run_checks
from annotator.pipeline.prompts import load_prompts
from annotator.pipeline.quality import QualityProgress, clip_quality
from annotator.pipeline.verify import load_verdicts
from annotator.prompts.build import PromptSet
from annotator.verdicts import SampleVerdict
from annotator.workspace import Sample, Workspace


def counted_samples(ws: Workspace) -> list[Sample]:
    """The samples a dataset is made of: present, and not rejected by a person."""
    return [s for s in ws.samples() if s.counts]


def check_workspace(
    ws: Workspace,
    prompts: PromptSet | None = None,
    verdicts: Mapping[str, SampleVerdict] | None = None,
    on_progress: QualityProgress | None = None,
) -> CheckReport:
    """Every finding of the dataset spec over the samples that count (PROMPTS and VERDICTS
    when the caller has them already). The clips without a cached quality analysis are
    analysed first (ON_PROGRESS told of each)."""
    samples = counted_samples(ws)
    quality = clip_quality(ws, samples, on_progress).results
    prompts = prompts if prompts is not None else load_prompts(ws, samples)
    return run_checks(
        samples,
        list(ws.files().values()),
        prompts,
        root=ws.root,
        base_model=ws.info.base_model,
        verdicts=verdicts if verdicts is not None else load_verdicts(ws, prompts),
        quality=quality,
    )
