"""Each sample's prompt: what the CLI prints, the review shows and the export writes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from annotator.mining.template import pronoun_for_subject
from annotator.prompts.assemble import AssembledPrompt, assemble_prompt, split_freeform_caption
from annotator.workspace import Caption, Sample, Workspace

if TYPE_CHECKING:
    from annotator.checks.findings import Finding

Span = tuple[int, int]


@dataclass(frozen=True)
class PromptContext:
    """What every sample's prompt shares: the trigger, the template, the effect's wordings."""

    trigger: str
    template: str
    lang: str
    effect_phrases: tuple[str, ...] = ()


@dataclass(frozen=True)
class SamplePrompt:
    """One sample's prompt and the parts it was built from.

    ``source`` is "override" (a person's full prompt), "assembled", or "incomplete" (no
    subject or background yet: nothing to assemble). ``spans`` locate the parts in ``text``
    (empty for an override).
    """

    sample_id: str
    text: str
    subject: str
    background: str
    pronoun: str
    source: str
    spans: dict[str, Span] = field(default_factory=dict)


def prompt_context(ws: Workspace) -> PromptContext:
    """Read the shared parts from the store once, for many samples."""
    from annotator.pipeline.mine import effect_phrase_texts

    info = ws.info
    return PromptContext(
        trigger=info.trigger or "",
        template=ws.template() or "",
        lang=info.lang,
        effect_phrases=tuple(effect_phrase_texts(ws)),
    )


def effective_parts(sample: Sample, caption: Caption | None, ctx: PromptContext) -> tuple[str, str]:
    """Subject and background: the person's words where given, else the caption's."""
    subject, background = sample.subject.strip(), sample.background.strip()
    if (subject and background) or caption is None:
        return subject, background
    if caption.fields:
        from_caption = (caption.fields.get("subject", ""), caption.fields.get("background", ""))
    else:
        from_caption = split_freeform_caption(caption.text, ctx.effect_phrases, ctx.lang)
    return subject or from_caption[0].strip(), background or from_caption[1].strip()


def build_prompt(sample: Sample, caption: Caption | None, ctx: PromptContext) -> SamplePrompt:
    """Assemble one sample's prompt: subject + background + trigger + template."""
    subject, background = effective_parts(sample, caption, ctx)
    pronoun = sample.pronoun.value if sample.pronoun else pronoun_for_subject(subject, ctx.lang)
    if sample.prompt_override:
        return SamplePrompt(
            sample.id, sample.prompt_override, subject, background, pronoun, "override"
        )
    if not subject and not background:
        return SamplePrompt(sample.id, "", subject, background, pronoun, "incomplete")
    built: AssembledPrompt = assemble_prompt(
        subject, background, ctx.template, ctx.trigger, pronoun, ctx.lang
    )
    spans = {
        name: getattr(built, name) for name in ("subject", "background", "trigger", "template")
    }
    return SamplePrompt(sample.id, built.text, subject, background, pronoun, "assembled", spans)


def sample_prompt(ws: Workspace, sample: Sample) -> SamplePrompt:
    """The prompt of one sample as it stands in the store."""
    captions = ws.captions(sample.id)
    return build_prompt(sample, captions[-1] if captions else None, prompt_context(ws))


def all_prompts(ws: Workspace, samples: Sequence[Sample] | None = None) -> dict[str, SamplePrompt]:
    """The prompt of every (given) sample, reading the shared parts once."""
    ctx = prompt_context(ws)
    captions = ws.latest_captions()
    return {s.id: build_prompt(s, captions.get(s.id), ctx) for s in samples or ws.samples()}


def as_assembled(prompt: SamplePrompt, ctx: PromptContext) -> AssembledPrompt:
    """The prompt with its parts located, overrides included, for lint."""
    if prompt.spans:
        s = prompt.spans
        return AssembledPrompt(
            prompt.text, s["subject"], s["background"], s["trigger"], s["template"]
        )
    # An override: the standard motion text is found in it, or the whole text counts as
    # motion (so a changed motion shows up as a mismatch).
    text = prompt.text
    motion = assemble_prompt("", "", ctx.template, ctx.trigger, prompt.pronoun, ctx.lang).text
    motion = motion.rstrip("。.")
    start = text.find(motion) if motion else -1
    template = (start, start + len(motion)) if start >= 0 else (0, len(text))
    t_start = text.find(ctx.trigger) if ctx.trigger else -1
    trigger = (t_start, t_start + len(ctx.trigger)) if t_start >= 0 else (template[0], template[0])
    subject, background = _split_lead(text[: template[0]])
    return AssembledPrompt(text, subject, background, trigger, template)


def _split_lead(lead: str) -> tuple[Span, Span]:
    """Subject and background spans of an override's text before the motion: its first
    sentence and the rest (one sentence serves as both)."""
    stripped = lead.rstrip(" 。.")
    cuts = [i for i in (stripped.find("。"), stripped.find(". ")) if i > 0]
    if not cuts:
        return (0, len(stripped)), (0, len(stripped))
    cut = min(cuts)
    start = cut + 1 + (stripped[cut] == ".")
    return (0, cut), (start, len(stripped))


def lint_findings(
    ws: Workspace, samples: Sequence[Sample] | None = None
) -> list[tuple[str | None, str, str, str]]:
    """Prompt lint over the (given) samples with a prompt: (sample id, code, severity, message)."""
    return lint_built(ws, all_prompts(ws, samples))


def lint_built(
    ws: Workspace, built: dict[str, SamplePrompt]
) -> list[tuple[str | None, str, str, str]]:
    """Prompt lint of prompts already built by ``all_prompts``."""
    from annotator.prompts.lint import lint_prompt_set

    ctx = prompt_context(ws)
    assembled = {sid: as_assembled(p, ctx) for sid, p in built.items() if p.source != "incomplete"}
    found = lint_prompt_set(
        assembled, trigger=ctx.trigger, lang=ctx.lang, effect_phrases=ctx.effect_phrases
    )
    return [(f.sample_id, f.code, f.severity, f.message) for f in found]


def lint_workspace(ws: Workspace) -> list[Finding]:
    """Prompt lint of every sample not rejected, as check findings."""
    from annotator.checks.prompt_rules import prompt_findings

    samples = [s for s in ws.samples() if s.status.value != "rejected"]
    return list(prompt_findings(ws, samples))
