"""Load what the prompts need from the store and build them, once per run."""

from __future__ import annotations

from collections.abc import Sequence

from annotator.pipeline.mine import effect_phrase_texts
from annotator.prompts.build import Prompt, PromptContext, PromptSet, build_prompt, build_prompt_set
from annotator.workspace import Sample, Workspace


def prompt_context(ws: Workspace) -> PromptContext:
    """The parts every prompt shares, read from the store once."""
    info = ws.info
    return PromptContext(
        trigger=info.trigger or "",
        template=ws.template() or "",
        lang=info.lang,
        effect_phrases=tuple(effect_phrase_texts(ws)),
    )


def load_prompts(ws: Workspace, samples: Sequence[Sample] | None = None) -> PromptSet:
    """The prompt of every given sample (default: every present one), built and linted once."""
    chosen = ws.samples() if samples is None else samples
    return build_prompt_set(chosen, ws.latest_captions(), prompt_context(ws))


def load_prompt(ws: Workspace, sample: Sample) -> Prompt:
    """One sample's prompt as it stands in the store (the review's current sample)."""
    captions = ws.captions(sample.id)
    return build_prompt(sample, captions[-1] if captions else None, prompt_context(ws))
