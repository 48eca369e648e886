"""Prompt lint as check findings: the formula, one motion text, the trigger once."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from annotator.checks.findings import Finding, Severity
from annotator.prompts.build import PromptContext, PromptSet
from annotator.shellcmd import command
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
    yield from formula_findings(prompts.context, root)
    missing = [sid for sid, p in linted.prompts.items() if not p.complete]
    if missing:
        yield Finding(
            code="prompt-missing",
            severity=Severity.INFO,
            message=f"{len(missing)} of {len(samples)} samples have no prompt yet",
            fix=f"run `{command('caption', root)}`, then review them",
        )


def formula_findings(context: PromptContext, root: Path) -> Iterator[Finding]:
    """The formula's shared parts: a trigger word and the effect's motion text. Without
    them every prompt is a caption, and the LoRA has nothing to bind the effect to."""
    if not context.trigger.strip():
        yield Finding(
            code="prompt-no-trigger",
            severity=Severity.ERROR,
            message="the workspace has no trigger word: no prompt can call up the effect",
            fix=f"make one with `{command('trigger', root, '--auto')}`",
        )
    if not context.template.strip():
        yield Finding(
            code="prompt-no-effect-text",
            severity=Severity.ERROR,
            message="the workspace has no effect template: the prompts do not describe the effect",
            fix=f"mine one with `{command('mine', root, '--apply')}` or set it with "
            f"`{command('template', root, '--set', 'TEXT')}`",
        )
