"""Where export gets its text: the one prompt assembly and the prompt lint.

Export never assembles a prompt itself (DESIGN.md: one place that assembles a prompt),
and it lints with the same rules as ``annotator check``. Both are imported directly: a
renamed function fails loudly at import, it never silently skips the lint.
"""

from __future__ import annotations

from collections.abc import Sequence

from annotator.checks import Finding
from annotator.checks.prompt_rules import prompt_findings
from annotator.prompts.sample_prompts import all_prompts, sample_prompt
from annotator.workspace import Sample, Workspace


def prompt_text(ws: Workspace, sample: Sample) -> str:
    """The sample's final prompt: its override, or subject + background + trigger + template."""
    return str(sample_prompt(ws, sample).text).strip()


def prompt_texts(ws: Workspace, samples: Sequence[Sample]) -> dict[str, str]:
    """The prompts of many samples at once (the shared parts are read from the store once)."""
    if not samples:
        return {}  # all_prompts reads an empty list as "every sample"
    built = all_prompts(ws, list(samples))
    return {sid: str(p.text).strip() for sid, p in built.items()}


def assembled_motion(ws: Workspace, sample: Sample) -> tuple[str, str]:
    """(prompt, its motion part) as the assembly builds them."""
    built = sample_prompt(ws, sample)
    start, end = built.spans.get("template", (0, 0))
    return str(built.text), str(built.text[start:end])


def lint_findings(ws: Workspace, samples: Sequence[Sample]) -> list[Finding]:
    """The prompt lint's findings over SAMPLES only (set rules compare these and no others)."""
    if not samples:
        return []
    return list(prompt_findings(ws, list(samples)))
