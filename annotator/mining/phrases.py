"""Find the phrases many captions share: the effect's wording, with support, position, role.

Two kinds of phrase come out, side by side:

- clause groups (``kind="clause"``, ``clause_groups``): near-identical clauses across
  captions, grouped by leader clustering on rapidfuzz scores; a group's ``core`` is the
  part of its typical wording most members share (``clause_core``).
- shared word sequences (``kind="ngram"``, ``sequences``): found by
  ``ngrams.frequent_ngrams`` in however varied sentences; support is the share of
  captions that contain the wording, fuzzily (a caption that says it with one word
  different counts).

Every phrase gets a role from where its words stand in the captions that hold it
(``spans``, ``wording.span_role``): "effect", "subject", "background", "frame" (the
words that introduce a subject, or nothing but camera words), or "trigger" (a rare
token most captions carry, as its own phrase, ``kind="trigger"``, listed last).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from annotator.mining.clause_groups import clause_groups
from annotator.mining.clauses import detect_lang
from annotator.mining.lexicon import CLAUSE_CUTOFF
from annotator.mining.phrase import Phrase
from annotator.mining.sequences import shared_sequences
from annotator.mining.spans import Caption, detect_trigger, parse_caption

# Phrase is defined in its own module (the miners make it) and still imported from here.
__all__ = ["TRIGGER_SHARE", "Phrase", "mine_phrases", "one_per_wording"]

# A trigger (and the roles) are judged against this share of captions.
TRIGGER_SHARE = 0.5


def mine_phrases(
    captions: Sequence[str],
    lang: str | None = None,
    *,
    min_support: float = 0.0,
    score_cutoff: float | None = None,
    freeform: bool | Sequence[bool] = True,
) -> list[Phrase]:
    """Shared wordings of CAPTIONS, ranked by support desc, then position; triggers last.

    lang: "zh" or "en"; None detects it from all captions together.
    min_support: drop phrases found in a smaller share of captions.
    score_cutoff: similarity (0..100) at which two clauses are one group;
    None uses ``lexicon.CLAUSE_CUTOFF`` for the language.
    freeform: per caption (or for all), False when the text is a structured caption's
    motion field: it names no subject, so its first clause is never read as one.
    """
    if lang is None:
        lang = detect_lang("".join(captions))
    if lang not in CLAUSE_CUTOFF:
        raise ValueError(f"unknown language {lang!r}; expected 'zh' or 'en'")
    cutoff = CLAUSE_CUTOFF[lang] if score_cutoff is None else score_cutoff
    trigger = detect_trigger(captions, TRIGGER_SHARE)
    kinds = [freeform] * len(captions) if isinstance(freeform, bool) else list(freeform)
    if len(kinds) != len(captions):
        raise ValueError("freeform: one flag per caption")
    parsed = [
        parse_caption(c, lang, trigger, freeform=f) for c, f in zip(captions, kinds, strict=True)
    ]
    if not any(p.clauses for p in parsed):
        return []
    phrases = clause_groups(parsed, lang, cutoff)
    phrases += shared_sequences(parsed, lang)
    if trigger:
        phrases.append(_trigger_phrase(parsed, trigger, lang))
    phrases = [p for p in phrases if p.support >= min_support and p.support > 0]
    phrases.sort(key=lambda p: (p.kind == "trigger", -p.support, p.position, p.text))
    return phrases


def one_per_wording(phrases: Sequence[Phrase]) -> list[Phrase]:
    """The best ranked of the phrases with the same text, in their order: a clause group
    and a shared sequence often find one wording twice; a person should see it once."""
    seen: set[str] = set()
    kept = []
    for phrase in phrases:
        key = " ".join(phrase.text.casefold().split())
        if key not in seen:
            seen.add(key)
            kept.append(phrase)
    return kept


def _trigger_phrase(parsed: list[Caption], trigger: str, lang: str) -> Phrase:
    """The trigger as its own phrase: the first clause of each caption that says it."""
    word = re.compile(rf"(?<![A-Za-z0-9_]){re.escape(trigger)}(?![A-Za-z0-9_])", re.IGNORECASE)
    members, positions = [], []
    for ci, cap in enumerate(parsed):
        last = max(len(cap.clauses) - 1, 1)
        for li, cl in enumerate(cap.clauses):
            if word.search(cl.text):
                members.append((ci, cl.text))
                positions.append(li / last)
                break
    return Phrase(
        text=trigger,
        support=len({ci for ci, _ in members}) / len(parsed),
        position=float(np.mean(positions)) if positions else 0.0,
        members=tuple(members),
        terms=(),
        role="trigger",
        kind="trigger",
    )
