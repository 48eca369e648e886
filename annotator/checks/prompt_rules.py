"""Prompt lint as check findings: the formula, one motion text, the trigger once."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from annotator.checks.findings import Finding, Severity
from annotator.prompts.sample_prompts import all_prompts, lint_built
from annotator.workspace import Sample, Workspace


def prompt_findings(ws: Workspace, samples: Sequence[Sample]) -> Iterator[Finding]:
    """Lint every prompt there is; one line for the samples with none yet."""
    if not samples:
        return
    paths = {s.id: s.path for s in samples}
    built = all_prompts(ws, samples)
    for sample_id, code, severity, message in lint_built(ws, built):
        head, _, fix = message.partition(": ")
        yield Finding(
            code=f"prompt-{code}",
            severity=Severity(severity),
            message=head,
            fix=fix or "edit the prompt in `annotator review`",
            path=paths.get(sample_id) if sample_id else None,
            sample_id=sample_id,
        )
    missing = [s for s, p in built.items() if p.source == "incomplete"]
    if missing:
        yield Finding(
            code="prompt-missing",
            severity=Severity.INFO,
            message=f"{len(missing)} of {len(samples)} samples have no prompt yet",
            fix=f"run `annotator caption {ws.root}`, then review them",
        )
