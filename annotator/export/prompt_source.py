"""Where export gets its text: the one prompt assembly, the prompt lint and pronoun filling.

Export never assembles a prompt itself (DESIGN.md: one place that assembles a prompt).
The prompts and mining packages are imported late, when export runs; while one of them
is not installed yet, the fallback below keeps export usable on prompt overrides alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from annotator.checks import Finding
from annotator.workspace import Pronoun, Sample, Workspace


def _optional(module: str, name: str) -> Callable[..., Any] | None:
    """``module.name``, or None when that module or name does not exist (yet)."""
    import importlib

    try:
        return getattr(importlib.import_module(module), name, None)
    except ModuleNotFoundError as exc:
        # Only the absence of the module itself is expected; a broken import inside it is not.
        if exc.name is not None and module.startswith(exc.name):
            return None
        raise


def prompt_text(ws: Workspace, sample: Sample) -> str:
    """The sample's final prompt: its override, or subject + background + trigger + template."""
    sample_prompt = _optional("annotator.prompts.sample_prompts", "sample_prompt")
    if sample_prompt is None:
        return (sample.prompt_override or "").strip()
    return str(sample_prompt(ws, sample).text).strip()


def prompt_texts(ws: Workspace, samples: Sequence[Sample]) -> dict[str, str]:
    """The prompts of many samples at once (the shared parts are read from the store once)."""
    all_prompts = _optional("annotator.prompts.sample_prompts", "all_prompts")
    if all_prompts is None:
        return {s.id: prompt_text(ws, s) for s in samples}
    if not samples:
        return {}
    built = all_prompts(ws, list(samples))
    return {sid: str(p.text).strip() for sid, p in built.items()}


def assembled_motion(ws: Workspace, sample: Sample) -> tuple[str, str] | None:
    """(prompt, its motion part) as the assembly builds them; None without the assembly."""
    sample_prompt = _optional("annotator.prompts.sample_prompts", "sample_prompt")
    if sample_prompt is None:
        return None
    built = sample_prompt(ws, sample)
    start, end = built.spans.get("template", (0, 0))
    return str(built.text), str(built.text[start:end])


def lint_findings(ws: Workspace) -> list[Finding]:
    """The prompt lint's findings for the whole workspace ([] until the lint exists)."""
    lint_workspace = _optional("annotator.prompts.sample_prompts", "lint_workspace")
    if lint_workspace is None:
        return []
    return list(lint_workspace(ws))


def fill_pronouns(template: str, pronoun: Pronoun, lang: str) -> str:
    """The template with its pronoun slots filled (unchanged while the miner is missing)."""
    fill = _optional("annotator.mining.template", "fill_pronouns")
    if fill is None:
        return template
    return str(fill(template, pronoun, lang))
