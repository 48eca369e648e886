"""Shared word sequences, as phrases (``kind="ngram"``, or ``"fragment"`` for one
content word): wordings ``ngrams.frequent_ngrams`` finds in however varied sentences.

A sequence's support is the share of captions that hold its wording, fuzzily: a caption
that says it with one word different counts (``_ClauseIndex.holders``).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from annotator.mining.lexicon import EN_PRONOUNS, EN_STOPWORDS, ZH_STOPWORDS, frequent_terms
from annotator.mining.ngrams import Occurrence, frequent_ngrams
from annotator.mining.phrase import Phrase
from annotator.mining.spans import FRAME, TRIGGER, Caption
from annotator.mining.wording import TAIL_EN, edge_words, has_content, role_name, span_role

# A one-content-word sequence among varying words ("in front of", "她有着"): never the effect.
FILLER = "filler"
# Word sequences are mined down to this share of captions (the CLI lists from 20 %),
# on at most this many captions (see ``shared_sequences``).
NGRAM_FLOOR = 0.2
NGRAM_SAMPLE = 200
# A caption holds a wording when a piece of it scores this (partial ratio) or more.
CONTAINS = 90


def shared_sequences(parsed: list[Caption], lang: str) -> list[Phrase]:
    """The word sequences in NGRAM_FLOOR or more of PARSED, as phrases (one per wording)."""
    n = len(parsed)
    # Above NGRAM_SAMPLE captions the sequences are found on an evenly spread sample
    # (any wording in 20 % of all captions is in about 20 % of it); their support is then
    # counted on every caption.
    step = max(1, math.ceil(n / NGRAM_SAMPLE))
    sample = list(range(0, n, step))
    clauses = [[[t.key for t in cl.tokens] for cl in parsed[ci].clauses] for ci in sample]
    grams = frequent_ngrams(clauses, max(2, math.ceil(NGRAM_FLOOR * len(sample))))
    index = _ClauseIndex(parsed, lang)
    seen: dict[tuple[str, ...], Phrase] = {}
    for g in grams:
        occs = [(sample[ci], li, a, b) for ci, li, a, b in g.occurrences]
        phrase = _sequence_phrase(parsed, index, g.words, occs, lang)
        if phrase is None:
            continue
        key = tuple(phrase.text.lower().split()) if lang == "en" else (phrase.text,)
        if key not in seen or seen[key].support < phrase.support:
            seen[key] = phrase
    return list(seen.values())


@dataclass(frozen=True)
class _Said:
    """Where the captions say a word sequence word for word: the wording most of them
    write, its words' roles and its position in each, and the clauses that hold it
    (by caption and clause index)."""

    text: str
    roles: list[list[str]]
    positions: list[float]
    members: dict[tuple[int, int], str]


def _sequence_phrase(
    parsed: list[Caption],
    index: _ClauseIndex,
    words: tuple[str, ...],
    occs: Sequence[Occurrence],
    lang: str,
) -> Phrase | None:
    """The phrase of a frequent word sequence; None when it is not one worth showing (no
    content, too short, the start of a longer phrase, or nothing but the trigger)."""
    lo, hi = _trimmed(words, lang)
    words = words[lo:hi]
    if not _worth_a_phrase(words, lang):
        return None
    occs = [(ci, li, s + lo, s + lo + len(words)) for ci, li, s, _ in occs]
    if lang == "en" and words[-1] not in TAIL_EN and not _ends_a_phrase(parsed, occs):
        return None  # "the intricate" (details / patterns ...): a fragment of a phrase
    said = _said(parsed, occs)
    if TRIGGER in said.roles[0] and all(r == TRIGGER for r in said.roles[0]):
        return None
    members = _holders(parsed, index, said)
    role = span_role(said.roles[0], [list(r) for r in said.roles[1:]], list(words), lang)
    role, kind = _role_and_kind(parsed, occs, words, role, lang)
    ordered = sorted(members.items())
    return Phrase(
        text=said.text,
        support=len({ci for ci, _ in members}) / len(parsed),
        position=min(1.0, float(np.mean(said.positions))),
        members=tuple((ci, c) for (ci, _), c in ordered),
        terms=frequent_terms([c for _, c in ordered[:64]], lang),
        role=role_name(role),
        kind=kind,
    )


def _trimmed(words: tuple[str, ...], lang: str) -> tuple[int, int]:
    """The bounds of WORDS without function words at the edges (the trimmed sequence is
    still in every occurrence of the whole)."""
    lead, tail = edge_words(lang)
    lo, hi = 0, len(words)
    while lo < hi and words[lo] in lead:
        lo += 1
    while hi > lo and (words[hi - 1] in tail or words[hi - 1] == "_"):
        # "time-lapse of": a preposition ending a two-word lead stays.
        if words[hi - 1] == "of" and hi - lo <= 2:
            break
        hi -= 1
    return lo, hi


def _worth_a_phrase(words: tuple[str, ...], lang: str) -> bool:
    """Do the trimmed WORDS hold content, and more than a clause group already has?"""
    if not words or not has_content(words, lang):
        return False
    if lang == "en" and len(words) < 2:
        return False
    # Shorter shared Chinese wordings are whole clauses: the clause groups have them.
    return not (lang == "zh" and len("".join(words)) < 3)


def _said(parsed: list[Caption], occs: Sequence[Occurrence]) -> _Said:
    """What the occurrences OCCS of a sequence say, where, and in which clauses."""
    surfaces: Counter[str] = Counter()
    roles: list[list[str]] = []
    positions: list[float] = []
    members: dict[tuple[int, int], str] = {}
    for ci, li, s, e in occs:
        cap = parsed[ci]
        clause = cap.clauses[li]
        toks = clause.tokens[s:e]
        surfaces[cap.text[toks[0].start : toks[-1].end]] += 1
        roles.append([t.role for t in toks])
        last = max(len(cap.clauses) - 1, 1)
        positions.append((li + s / max(len(clause.tokens), 1)) / last)
        members[(ci, li)] = clause.text
    return _Said(surfaces.most_common(1)[0][0], roles, positions, members)


def _holders(parsed: list[Caption], index: _ClauseIndex, said: _Said) -> dict[tuple[int, int], str]:
    """The clauses that hold the wording, word for word (SAID's) or nearly (found by
    INDEX in the other captions): the phrase's members, its support."""
    held = {ci for ci, _ in said.members}
    extra = index.holders(said.text, held) if len(held) < len(parsed) else []
    return {**said.members, **{(ci, li): parsed[ci].clauses[li].text for ci, li in extra}}


def _role_and_kind(
    parsed: list[Caption], occs: Sequence[Occurrence], words: tuple[str, ...], role: str, lang: str
) -> tuple[str, str]:
    """ROLE and "ngram"; for a sequence of one content word, "fragment", and FILLER
    as its role unless it stands on its own in most captions."""
    if _content_count(words, lang) >= 2:
        return role, "ngram"
    # One content word is weak evidence: it must be a whole clause ("the camera is
    # static") or lead the caption ("Time-lapse of ..."), else it is filler that
    # sits among varying words ("in front of ...", "她有着...").
    standing = sum(_whole_or_lead(parsed[ci], li, s, e, lang) for ci, li, s, e in occs)
    return (FILLER if standing * 2 < len(occs) else role), "fragment"


def _whole_or_lead(cap: Caption, li: int, s: int, e: int, lang: str) -> bool:
    """Is the word span [s, e) of clause LI the whole clause (but for function words
    before it), or the caption's lead (nothing but a trigger or function words before)?"""
    toks = cap.clauses[li].tokens
    stop = ZH_STOPWORDS if lang == "zh" else EN_STOPWORDS
    before = all(t.key in stop or t.role in (TRIGGER, FRAME) for t in toks[:s])
    if before and e >= len(toks):
        return True
    first = 0
    while first < len(cap.clauses) - 1 and all(
        t.role in (TRIGGER, FRAME) for t in cap.clauses[first].tokens
    ):
        first += 1
    return li == first and before


def _content_count(words: Sequence[str], lang: str) -> int:
    return sum(has_content([w], lang) for w in words)


def _ends_a_phrase(parsed: list[Caption], occs: Sequence[Occurrence]) -> bool:
    """Does the wording end where a phrase ends, in most captions: at the clause's end or
    before a function word, not in the middle of a noun phrase that goes on differently?"""
    ends = 0
    for ci, li, _, e in occs:
        toks = parsed[ci].clauses[li].tokens
        if e >= len(toks) or toks[e].key in EN_STOPWORDS or toks[e].key == "_":
            ends += 1
    return ends * 2 >= len(occs)


class _ClauseIndex:
    """Every clause folded for matching, with an index from word to clause: finds the
    captions that hold a wording nearly word for word without scoring every clause."""

    def __init__(self, parsed: list[Caption], lang: str) -> None:
        self.lang = lang
        self.refs = [(ci, li) for ci, cap in enumerate(parsed) for li in range(len(cap.clauses))]
        self.folded = [_fold(parsed[ci].clauses[li].text, lang) for ci, li in self.refs]
        self.by_word: dict[str, list[int]] = {}
        for k, text in enumerate(self.folded):
            for key in set(_fold_words(text, lang)):
                self.by_word.setdefault(key, []).append(k)

    def holders(self, text: str, held: set[int]) -> list[tuple[int, int]]:
        """(caption, clause) of the captions not in HELD that hold TEXT (partial ratio
        >= CONTAINS on a clause at least 80 % as long)."""
        needle = _fold(text, self.lang)
        words = set(_fold_words(needle, self.lang))
        if not words:
            return []
        # Words in most clauses ("the", "her") say nothing about where the wording is.
        common = len(self.refs) // 4
        rare = [w for w in words if len(self.by_word.get(w, ())) <= common] or list(words)
        hits: Counter[int] = Counter()
        for w in rare:
            hits.update(self.by_word.get(w, ()))
        need = max(1, math.ceil(0.6 * len(rare)))
        rows = [k for k, c in hits.items() if c >= need and self.refs[k][0] not in held]
        if not rows:
            return []
        hay = [self.folded[k] for k in rows]
        scores = process.cdist(
            [needle], hay, scorer=fuzz.partial_ratio, score_cutoff=CONTAINS, workers=-1
        )[0]
        best: dict[int, tuple[float, int]] = {}
        for pos in np.nonzero(scores)[0]:
            k = rows[int(pos)]
            ci, li = self.refs[k]
            # A clause much shorter than the wording holds only a piece of it.
            if len(self.folded[k]) < len(needle) * 0.8:
                continue
            if ci not in best or scores[pos] > best[ci][0]:
                best[ci] = (float(scores[pos]), li)
        return sorted((ci, li) for ci, (_, li) in best.items())


def _fold_words(folded: str, lang: str) -> list[str]:
    if lang == "zh":
        return re.findall(r"[A-Za-z0-9_]+|[^\W_]", folded)
    return re.findall(r"[a-z0-9_]+(?:['’-][a-z0-9]+)*", folded)


_EN_PRONOUN_RE = re.compile(
    r"\b(?:" + "|".join(sorted(EN_PRONOUNS, key=len, reverse=True)) + r")\b"
)
_ZH_FOLD = str.maketrans({"她": "它", "他": "它", " ": None})


def _fold(text: str, lang: str) -> str:
    """Lowercase, pronouns alike: for fuzzy containment."""
    if lang == "zh":
        return text.translate(_ZH_FOLD)
    return _EN_PRONOUN_RE.sub("_", text.lower())
