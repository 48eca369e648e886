"""Prompt lint as check findings: the formula, one motion text, the trigger once."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from annotator.checks.findings import Finding, Severity
from annotator.prompts.build import PromptSet
from annotator.workspace import Sample


def prompt_findings(prompts: PromptSet, samples: Sequence[Sample], root: Path) -> Iterator[Finding]:
    """The lint's findings over SAMPLES' prompts; one line for the samples with none yet.

    The set rules compare SAMPLES only (``PromptSet.subset``).
    """
    if not samples:
        return
    paths = {s.id: s.path for s in samples}
    linted = prompts.subset(paths)
    for lint in linted.findings():
        yield Finding(
            code=f"prompt-{lint.code}",
            severity=Severity(lint.severity),
            message=lint.message,
            fix=lint.fix,
            path=paths.get(lint.sample_id) if lint.sample_id else None,
            sample_id=lint.sample_id,
        )
    missing = [sid for sid, p in linted.prompts.items() if not p.complete]
    if missing:
        yield Finding(
            code="prompt-missing",
            severity=Severity.INFO,
            message=f"{len(missing)} of {len(samples)} samples have no prompt yet",
            fix=f"run `annotator caption {root}`, then review them",
        )
