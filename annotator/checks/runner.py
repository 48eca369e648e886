"""Run every rule over a workspace: the one place that validates a dataset."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from annotator.basemodels import get_base_model
from annotator.checks.clip_rules import SAMPLE_RULES, SampleContext
from annotator.checks.findings import SEVERITY_ORDER, Finding, Severity
from annotator.checks.prompt_rules import prompt_findings
from annotator.checks.set_rules import (
    Diversity,
    diversity,
    sample_count,
    uniformity,
    unusable_files,
)
from annotator.workspace import Workspace


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


def check_workspace(ws: Workspace) -> CheckReport:
    """Apply every machine-checkable rule of the dataset spec to the store's samples."""
    info = ws.info
    ctx = SampleContext(root=ws.root, base_model=get_base_model(info.base_model))
    samples = [s for s in ws.samples() if s.status.value != "rejected"]
    findings: list[Finding] = []
    for sample in samples:
        for rule in SAMPLE_RULES:
            findings.extend(rule(sample, ctx))
    findings.extend(unusable_files(list(ws.files().values())))
    findings.extend(sample_count(samples))
    spread = diversity(samples)
    findings.extend(uniformity(spread))
    findings.extend(prompt_findings(ws, samples))
    findings.sort(key=lambda f: (SEVERITY_ORDER[f.severity], f.path or "", f.code))
    return CheckReport(findings=findings, diversity=spread, sample_count=len(samples))
