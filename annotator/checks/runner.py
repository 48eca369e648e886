"""Run every rule over the samples: the one place that validates a dataset."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from annotator.basemodels import get_base_model
from annotator.checks.clip_rules import SAMPLE_RULES, SampleContext
from annotator.checks.findings import SEVERITY_ORDER, Finding, Severity
from annotator.checks.prompt_rules import prompt_findings
from annotator.checks.quality_rules import quality_findings
from annotator.checks.set_rules import (
    Diversity,
    diversity,
    sample_count,
    uniformity,
    unusable_files,
)
from annotator.checks.verify_rules import verdict_findings
from annotator.media.quality import ClipQuality
from annotator.prompts.build import PromptSet
from annotator.verdicts import SampleVerdict
from annotator.workspace import FileRecord, Sample


class CheckReport(BaseModel):
    """Every finding, worst first, and the set's diversity."""

    model_config = ConfigDict(frozen=True)

    findings: list[Finding]
    diversity: Diversity
    sample_count: int

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)

    def failed(self, strict: bool = False) -> bool:
        """True when the dataset has errors (or warnings, when strict)."""
        worst = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
        return any(f.severity in worst for f in self.findings)


def run_checks(
    samples: Sequence[Sample],
    files: Sequence[FileRecord],
    prompts: PromptSet,
    *,
    root: Path,
    base_model: str,
    verdicts: Mapping[str, SampleVerdict] | None = None,
    quality: Mapping[str, ClipQuality] | None = None,
) -> CheckReport:
    """Apply every machine-checkable rule of the dataset spec to SAMPLES (those that count);
    VERDICTS: the latest verdict of the vision model for each verified sample; QUALITY: the
    clip-quality analysis of each analysed sample (by id)."""
    ctx = SampleContext(root=root, base_model=get_base_model(base_model))
    findings: list[Finding] = []
    for sample in samples:
        for rule in SAMPLE_RULES:
            findings.extend(rule(sample, ctx))
    findings.extend(unusable_files(list(files)))
    findings.extend(sample_count(samples))
    spread = diversity(samples)
    findings.extend(uniformity(spread))
    findings.extend(prompt_findings(prompts, samples, root))
    findings.extend(verdict_findings(samples, verdicts or {}))
    findings.extend(quality_findings(samples, quality or {}, ctx.base_model, root))
    findings.sort(key=lambda f: (SEVERITY_ORDER[f.severity], f.path or "", f.code))
    return CheckReport(findings=findings, diversity=spread, sample_count=len(samples))
