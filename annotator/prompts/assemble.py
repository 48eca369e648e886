"""THE one place a prompt is built: subject + background + trigger + motion template.

The CLI, the review UI and the export all call ``assemble_prompt``; the spans
it returns let the UI highlight each part of the text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from annotator.mining.clauses import clause_joiner, split_clauses
from annotator.mining.lexicon import CLAUSE_CUTOFF, comparison_key
from annotator.mining.template import fill_pronouns

Span = tuple[int, int]  # [start, end) character offsets into AssembledPrompt.text

# Punctuation a part may already end with; it is dropped so the joiner is the
# only mark between parts (no "。。" or ". .").
_TRAILING = " \t\r\n。．.，,；;：:、"
# Background markers: the first clause that names the surroundings starts the
# background in a free-form caption.
_BACKGROUND_EN = re.compile(
    r"\b(?:background|backdrop|behind|surround\w*|setting|in the distance|around (?:them|the)|"
    r"the (?:room|street|sky|scene|wall|walls|floor|ground) )",
    re.IGNORECASE,
)
_PHRASE_PARTS = re.compile(r"\s+and\s+|[,，；;]")
_BACKGROUND_ZH = re.compile(r"背景|身后|远处|周围|四周|环境|房间|天空|场景|墙|地面|窗外")


@dataclass(frozen=True)
class AssembledPrompt:
    """A built prompt and where each part sits in it.

    ``text[subject[0]:subject[1]]`` is the subject as placed, and so on. A part
    that is empty has an empty span at the place it would have been. The
    trigger span lies inside the template span (the motion text, pronouns filled).
    """

    text: str
    subject: Span
    background: Span
    trigger: Span
    template: Span

    def part(self, name: str) -> str:
        """The text of one part: "subject", "background", "trigger" or "template"."""
        start, end = getattr(self, name)
        return self.text[start:end]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "text": self.text,
            "spans": {
                name: list(getattr(self, name))
                for name in ("subject", "background", "trigger", "template")
            },
        }


def assemble_prompt(
    subject: str, background: str, template: str, trigger: str, pronoun: str, lang: str
) -> AssembledPrompt:
    """Build subject + background + motion template (with the trigger), with spans.

    The template's pronoun slots are filled for pronoun ("she" / "he" / "it"),
    a ``{trigger}`` slot is replaced by the trigger, and a template without the
    trigger gets it put at its start. Parts are joined with "。" (zh, no spaces)
    or ". " (en, each part capitalised); a part's own final punctuation is
    dropped so none is doubled, and the text ends with "。" or ".".
    """
    zh = lang == "zh"
    end_mark = "。" if zh else "."
    joiner = "。" if zh else ". "

    motion = template.strip().replace("{trigger}", trigger)
    if trigger and trigger not in motion:
        motion = f"{trigger}{'' if zh else ' '}{motion}" if motion else trigger
    motion = _tidy(fill_pronouns(motion, pronoun, lang), zh, keep=trigger)

    text = ""
    spans: dict[str, Span] = {}
    for name, part in (("subject", subject), ("background", background), ("template", motion)):
        part = _tidy(part, zh, keep=trigger)
        if not part:
            spans[name] = (len(text), len(text))
            continue
        if text:
            text += joiner
        spans[name] = (len(text), len(text) + len(part))
        text += part
    if text:
        text += end_mark

    t_start = text.find(trigger, spans["template"][0]) if trigger else -1
    if t_start < 0:
        t_start = spans["template"][0]
    trigger_span = (t_start, t_start + (len(trigger) if trigger else 0))
    return AssembledPrompt(
        text, spans["subject"], spans["background"], trigger_span, spans["template"]
    )


def split_freeform_caption(
    caption: str, template_phrases: Sequence[str], lang: str
) -> tuple[str, str]:
    """Pull (subject, background) out of a free-form caption.

    Heuristic: split into clauses; the first clause that fuzzily matches a
    template phrase (the same similarity as the miner, ``lexicon.CLAUSE_CUTOFF``)
    marks where the effect starts, and it and everything after it are dropped
    (what follows the effect's start is motion, which the template already
    says once for all samples). Of the clauses before it, the background starts
    at the first one that names the surroundings ("background", "behind", "in
    the distance", 背景, 身后, 远处, ...) but never before the second clause;
    without such a clause only the first clause is the subject. Clauses are
    joined back with "，" (zh) or ", " (en).
    """
    clauses = split_clauses(caption, lang)
    # A phrase's wording may join two clauses ("appears around the cat and spirals
    # inward"); its parts are compared too, so a caption that says them apart still matches.
    parts = [q for p in template_phrases for q in (p, *_PHRASE_PARTS.split(p)) if q.strip()]
    keys = [comparison_key(q, lang) for q in parts]
    cutoff = CLAUSE_CUTOFF.get(lang, 70.0)
    kept: list[str] = []
    for clause in clauses:
        key = comparison_key(clause, lang)
        if any(fuzz.ratio(key, k, score_cutoff=cutoff) for k in keys):
            break
        kept.append(clause)
    if not kept:
        return "", ""
    marker = _BACKGROUND_ZH if lang == "zh" else _BACKGROUND_EN
    split_at = next((i for i, c in enumerate(kept) if i > 0 and marker.search(c)), 1)
    joiner = clause_joiner(lang)
    return joiner.join(kept[:split_at]), joiner.join(kept[split_at:])


def _tidy(part: str, zh: bool, keep: str = "") -> str:
    """Strip a part, drop its final punctuation, capitalise an English part.

    A part that starts with keep (the trigger) keeps its case: a trigger is
    one exact token.
    """
    part = part.strip().rstrip(_TRAILING).strip()
    if not zh and part[:1].islower() and not (keep and part.startswith(keep)):
        part = part[0].upper() + part[1:]
    return part
