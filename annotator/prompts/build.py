"""Each sample's prompt, built once per run: its text, its parts, where each came from, and
what the lint says of it. The CLI prints it, the review shows it, check and export judge it.

Pure: samples and captions in, prompts out. The use-case layer (``pipeline.prompts``) reads
what a prompt needs from the store and calls ``build_prompt_set``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from annotator.mining.template import pronoun_for_subject
from annotator.prompts.assemble import AssembledPrompt, assemble_prompt, split_freeform_caption
from annotator.prompts.lint import LintFinding, lint_prompt, lint_set
from annotator.workspace import Caption, Sample


@dataclass(frozen=True)
class PromptContext:
    """What every sample's prompt shares: the trigger, the template, the effect's wordings."""

    trigger: str
    template: str
    lang: str
    effect_phrases: tuple[str, ...] = ()


class PromptSource(StrEnum):
    """Where a prompt's text came from."""

    OVERRIDE = "override"  # a person's (or an imported) full prompt
    ASSEMBLED = "assembled"  # subject + background + trigger + template
    INCOMPLETE = "incomplete"  # no subject or background yet: nothing to assemble


@dataclass(frozen=True)
class Prompt:
    """One sample's prompt, the parts it was built from, and the lint's findings about it.

    ``parts`` locates subject, background, trigger and motion in ``text``; for an
    override they are found in the person's text (``locate_parts``).
    """

    sample_id: str
    text: str
    subject: str
    background: str
    pronoun: str
    source: PromptSource
    parts: AssembledPrompt
    findings: tuple[LintFinding, ...] = ()

    @property
    def complete(self) -> bool:
        """True when there is a prompt to lint and export."""
        return self.source is not PromptSource.INCOMPLETE


@dataclass(frozen=True)
class PromptSet:
    """The prompts of some samples, linted one by one and, for the set rules, together."""

    context: PromptContext
    prompts: Mapping[str, Prompt]
    set_findings: tuple[LintFinding, ...] = field(default=())

    def __getitem__(self, sample_id: str) -> Prompt:
        return self.prompts[sample_id]

    def findings(self) -> list[LintFinding]:
        """Every finding: each prompt's own, then the set's."""
        own = [f for p in self.prompts.values() for f in p.findings]
        return own + list(self.set_findings)

    def subset(self, sample_ids: Iterable[str]) -> PromptSet:
        """The prompts of SAMPLE_IDS only, with the set rules run again on them alone."""
        wanted = set(sample_ids)
        kept = {sid: p for sid, p in self.prompts.items() if sid in wanted}
        return PromptSet(self.context, kept, _set_findings(kept, self.context))


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


def build_prompt(sample: Sample, caption: Caption | None, ctx: PromptContext) -> Prompt:
    """One sample's prompt, linted on its own: subject + background + trigger + template."""
    subject, background = effective_parts(sample, caption, ctx)
    pronoun = (
        sample.pronoun.value
        if sample.pronoun
        else pronoun_for_subject(subject, ctx.lang, caption=caption.text if caption else "")
    )
    if sample.prompt_override:
        text = sample.prompt_override
        source, parts = PromptSource.OVERRIDE, locate_parts(text, pronoun, ctx)
    elif not subject and not background:
        return Prompt(
            sample.id, "", subject, background, pronoun, PromptSource.INCOMPLETE, _nothing()
        )
    else:
        parts = assemble_prompt(subject, background, ctx.template, ctx.trigger, pronoun, ctx.lang)
        text, source = parts.text, PromptSource.ASSEMBLED
    findings = lint_prompt(
        parts,
        trigger=ctx.trigger,
        lang=ctx.lang,
        effect_phrases=ctx.effect_phrases,
        sample_id=sample.id,
    )
    return Prompt(sample.id, text, subject, background, pronoun, source, parts, tuple(findings))


def build_prompt_set(
    samples: Sequence[Sample], captions: Mapping[str, Caption], ctx: PromptContext
) -> PromptSet:
    """The prompt of every sample, each built and linted once, and the set rules over them."""
    built = {s.id: build_prompt(s, captions.get(s.id), ctx) for s in samples}
    return PromptSet(ctx, built, _set_findings(built, ctx))


def _set_findings(prompts: Mapping[str, Prompt], ctx: PromptContext) -> tuple[LintFinding, ...]:
    complete = {sid: p.parts for sid, p in prompts.items() if p.complete}
    return tuple(lint_set(complete, lang=ctx.lang))


def locate_parts(text: str, pronoun: str, ctx: PromptContext) -> AssembledPrompt:
    """The parts of a person's full prompt, for lint: the standard motion text is found in
    it, or the whole text counts as motion (so a changed motion shows up as a mismatch)."""
    motion = assemble_prompt("", "", ctx.template, ctx.trigger, pronoun, ctx.lang).text
    motion = motion.rstrip("。.")
    start = text.find(motion) if motion else -1
    template = (start, start + len(motion)) if start >= 0 else (0, len(text))
    t_start = text.find(ctx.trigger) if ctx.trigger else -1
    trigger = (t_start, t_start + len(ctx.trigger)) if t_start >= 0 else (template[0], template[0])
    subject, background = _split_lead(text[: template[0]])
    return AssembledPrompt(text, subject, background, trigger, template)


def _split_lead(lead: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """Subject and background spans of an override's text before the motion: its first
    sentence and the rest (one sentence serves as both)."""
    stripped = lead.rstrip(" 。.")
    cuts = [i for i in (stripped.find("。"), stripped.find(". ")) if i > 0]
    if not cuts:
        return (0, len(stripped)), (0, len(stripped))
    cut = min(cuts)
    start = cut + 1 + (stripped[cut] == ".")
    return (0, cut), (start, len(stripped))


def _nothing() -> AssembledPrompt:
    return AssembledPrompt("", (0, 0), (0, 0), (0, 0), (0, 0))
