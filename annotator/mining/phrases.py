"""Find the phrases many captions share: the effect's wording, with support, position, role.

Two kinds of phrase come out, side by side:

- clause groups (``kind="clause"``): near-identical clauses across captions. Every
  clause is folded to a comparison key (``lexicon.comparison_key``), pairs of distinct
  keys are scored with ``rapidfuzz.process.cdist`` (``fuzz.ratio``), and groups are
  formed by leader clustering (Taylor–Butina): the key with the most similar keys
  around it becomes a centre and takes its still-free neighbours, and so on, so every
  member is similar to its centre (no chaining). Above ``SAMPLE_KEYS`` distinct keys a
  deterministic sample is clustered and every other clause joins the nearest group
  that matters, so the cost stays near linear. A group's ``core`` is the part of its
  typical wording most members share, aligned word by word (``_core``).
- shared word sequences (``kind="ngram"``): found by ``ngrams.frequent_ngrams`` in
  however varied sentences; support is the share of captions that contain the
  wording, fuzzily (a caption that says it with one word different counts).

Every phrase gets a role from where its words stand in the captions that hold it
(``spans``): "effect", "subject", "background", "frame" (the words that introduce a
subject, or nothing but camera words), or "trigger" (a rare token most captions
carry, as its own phrase, ``kind="trigger"``, listed last).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from annotator.mining.clauses import detect_lang
from annotator.mining.lexicon import (
    CLAUSE_CUTOFF,
    EN_DETERMINERS,
    EN_PRONOUNS,
    EN_STOPWORDS,
    GENERIC_WORDS,
    ZH_GENERIC,
    ZH_STOPWORDS,
    comparison_key,
    frequent_terms,
)
from annotator.mining.ngrams import frequent_ngrams
from annotator.mining.spans import (
    BACKGROUND,
    FRAME,
    FREE,
    SUBJECT,
    TRIGGER,
    Caption,
    Clause,
    Token,
    detect_trigger,
    parse_caption,
)

# A one-content-word sequence among varying words ("in front of", "她有着"): never the effect.
FILLER = "filler"
# Groups held by fewer captions than this share get no terms (the cost, on large sets).
TERMS_FLOOR = 0.05
# Rows per cdist call: bounds memory at _CHUNK × n bytes (uint8 scores).
_CHUNK = 2048
# Above this many distinct clause keys, cluster a sample (see the module docstring).
SAMPLE_KEYS = 3000
# A trigger (and the roles) are judged against this share of captions.
TRIGGER_SHARE = 0.5
# Word sequences are mined down to this share of captions (the CLI lists from 20 %),
# on at most this many captions (see ``_shared_sequences``).
NGRAM_FLOOR = 0.2
NGRAM_SAMPLE = 200
# A caption holds a wording when a piece of it scores this (partial ratio) or more.
CONTAINS = 90
# Words a wording neither starts with (conjunctions) nor ends with (articles, prepositions).
_LEAD_EN = frozenset({"and", "or", "then", "so", "but", "while", "as", "of"})
_TAIL_EN = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "this",
        "that",
        "then",
        "so",
        "of",
        "to",
        "with",
        "from",
        "by",
        "into",
        "onto",
        "as",
        "its",
        "their",
    ]
)
_NAMING = frozenset({"the", "this", "that"})
_LEAD_ZH = frozenset(
    ["的", "了", "着", "和", "并", "而", "与", "及", "然后", "随后", "接着", "同时"]
)
_TAIL_ZH = frozenset(["的", "了", "和", "并", "而", "与", "及", "在", "从", "向", "把", "被", "将"])


@dataclass(frozen=True)
class Phrase:
    """A wording shared across captions.

    text: a real wording (a clause group's most typical clause; a word sequence as
    captions write it); support: share of captions that hold it (0..1); position:
    where it usually stands in a caption (0 = first clause, 1 = last); members:
    (caption index, clause) pairs that hold it; terms: the content words most members
    use; role: "effect", "subject", "background", "frame" or "trigger"; kind:
    "clause", "ngram" or "trigger"; core: the part of ``text`` most members share
    ("" when it is the whole text).
    """

    text: str
    support: float
    position: float
    members: tuple[tuple[int, str], ...]
    terms: tuple[str, ...]
    role: str = "effect"
    kind: str = "clause"
    core: str = ""

    @property
    def caption_indices(self) -> frozenset[int]:
        """The captions that contain a member of this phrase."""
        return frozenset(i for i, _ in self.members)

    @property
    def wording(self) -> str:
        """What the template takes from this phrase: its core, else its text."""
        return self.core or self.text

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (for ``--json`` output and the workspace)."""
        return {
            "text": self.text,
            "support": round(self.support, 4),
            "position": round(self.position, 4),
            "members": [[i, c] for i, c in self.members],
            "terms": list(self.terms),
            "role": self.role,
            "kind": self.kind,
            "core": self.core,
        }


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
    phrases = _clause_groups(parsed, lang, cutoff)
    phrases += _shared_sequences(parsed, lang)
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


# --------------------------------------------------------------------------- clause groups


def _clause_groups(parsed: list[Caption], lang: str, cutoff: float) -> list[Phrase]:
    n_captions = len(parsed)
    cap_idx: list[int] = []
    clause_ref: list[tuple[int, int]] = []
    positions: list[float] = []
    for i, cap in enumerate(parsed):
        last = max(len(cap.clauses) - 1, 1)
        for j, _ in enumerate(cap.clauses):
            cap_idx.append(i)
            clause_ref.append((i, j))
            positions.append(j / last)
    texts = [parsed[i].clauses[j].text for i, j in clause_ref]

    # Identical keys are scored once: the effect's clauses often repeat word for word.
    key_of: dict[str, int] = {}
    clause_key = np.empty(len(texts), dtype=np.int64)
    for k, text in enumerate(texts):
        clause_key[k] = key_of.setdefault(comparison_key(text, lang), len(key_of))
    keys = list(key_of)
    key_members: list[list[int]] = [[] for _ in keys]
    for k, kk in enumerate(clause_key):
        key_members[kk].append(k)
    weight = np.array([len(m) for m in key_members], dtype=np.int64)

    groups = _group_keys(keys, weight, cutoff)
    out = []
    for group in groups:
        members = sorted(
            (m for k in group for m in key_members[k]), key=lambda m: (cap_idx[m], positions[m])
        )
        medoid = _medoid([keys[k] for k in group], [len(key_members[k]) for k in group])
        wording = _most_common(texts[m] for m in key_members[group[medoid]])
        captions_held = {cap_idx[m] for m in members}
        # Terms from at most 64 members: enough for frequencies, bounded cost. A clause
        # no other caption shares gets none (most clauses of a large set: the cost).
        sample = [texts[m] for m in members[:: max(1, len(members) // 64)]]
        if len(captions_held) < 2 or len(captions_held) < TERMS_FLOOR * n_captions:
            sample = []
        core, role = "", FREE
        if len(captions_held) >= 2:
            rep = next(m for m in key_members[group[medoid]] if texts[m] == wording)
            core, role = _core(parsed, clause_ref[rep], [clause_ref[m] for m in members], lang)
        out.append(
            Phrase(
                text=wording,
                support=len(captions_held) / n_captions,
                position=float(np.mean([positions[m] for m in members])),
                members=tuple((cap_idx[m], texts[m]) for m in members),
                terms=frequent_terms(sample, lang),
                role=_role_name(role),
                kind="clause",
                core="" if core == wording else core,
            )
        )
    return out


def _group_keys(keys: list[str], weight: np.ndarray, cutoff: float) -> list[list[int]]:
    """Leader clustering of the keys; on a sample when there are many (see the docstring)."""
    if len(keys) <= SAMPLE_KEYS:
        return _leader_clusters(_similar_pairs(keys, keys, cutoff, same=True), weight)
    # Every step-th key, heaviest first so the repeated wordings are always in.
    order = np.argsort(-weight, kind="stable")
    step = math.ceil(len(keys) / SAMPLE_KEYS)
    sample = sorted(int(k) for k in order[::step])
    sub = [keys[k] for k in sample]
    groups = [
        [sample[k] for k in g]
        for g in _leader_clusters(_similar_pairs(sub, sub, cutoff, same=True), weight[sample])
    ]
    # Groups that could matter (two or more clauses sampled) take the other keys.
    big = [g for g in groups if weight[g].sum() >= 2]
    taken = np.zeros(len(keys), dtype=bool)
    taken[[k for g in groups for k in g]] = True
    rest = [k for k in range(len(keys)) if not taken[k]]
    if big and rest:
        centres = [keys[g[0]] for g in big]
        for start in range(0, len(rest), _CHUNK):
            chunk = rest[start : start + _CHUNK]
            scores = process.cdist(
                [keys[k] for k in chunk], centres, scorer=fuzz.ratio, dtype=np.uint8, workers=-1
            )
            best = scores.argmax(axis=1)
            for row, k in enumerate(chunk):
                if scores[row, best[row]] >= cutoff:
                    big[int(best[row])].append(k)
                    taken[k] = True
    groups += [[k] for k in rest if not taken[k]]
    return groups


def _similar_pairs(
    rows: list[str], cols: list[str], cutoff: float, *, same: bool
) -> list[np.ndarray]:
    """For each row key, the indices of the column keys scoring >= cutoff with it."""
    n = len(rows)
    out: list[list[np.ndarray]] = [[] for _ in range(n)]
    for start in range(0, n, _CHUNK):
        block = process.cdist(
            rows[start : start + _CHUNK],
            cols,
            scorer=fuzz.ratio,
            score_cutoff=cutoff,
            dtype=np.uint8,
            workers=-1,
        )
        r, c = np.nonzero(block)
        r += start
        if same:
            keep = r != c
            r, c = r[keep], c[keep]
        bounds = np.searchsorted(r, np.arange(start, min(start + _CHUNK, n) + 1))
        for k in range(len(bounds) - 1):
            out[start + k].append(c[bounds[k] : bounds[k + 1]])
    return [np.concatenate(parts) if parts else np.empty(0, np.int64) for parts in out]


def _leader_clusters(neighbours: list[np.ndarray], weight: np.ndarray) -> list[list[int]]:
    """Taylor–Butina clustering: heaviest free key first, it takes its free neighbours."""
    degree = np.array([weight[k] + weight[nb].sum() for k, nb in enumerate(neighbours)])
    order = np.argsort(-degree, kind="stable")
    free = np.ones(len(neighbours), dtype=bool)
    groups: list[list[int]] = []
    for centre in order:
        if not free[centre]:
            continue
        nb = neighbours[centre]
        taken = nb[free[nb]]
        free[centre] = False
        free[taken] = False
        groups.append([int(centre), *taken.tolist()])
    return groups


def _medoid(group_keys: list[str], counts: list[int]) -> int:
    """Index of the key with the highest count-weighted summed similarity to the group."""
    if len(group_keys) == 1:
        return 0
    if len(group_keys) > 400:  # the heaviest keys decide; bounded cost for huge groups
        top = np.argsort(-np.asarray(counts), kind="stable")[:400]
        sub = _medoid([group_keys[k] for k in top], [counts[k] for k in top])
        return int(top[sub])
    sims = process.cdist(group_keys, group_keys, scorer=fuzz.ratio, dtype=np.float32)
    totals = sims @ np.asarray(counts, dtype=np.float32)
    return int(np.argmax(totals))


def _most_common(texts: Iterable[str]) -> str:
    counts: dict[str, int] = {}
    for t in texts:
        counts[t] = counts.get(t, 0) + 1
    return max(counts, key=lambda t: counts[t])  # first seen wins a tie


# --------------------------------------------------------------------------- the core


def _core(
    parsed: list[Caption], rep: tuple[int, int], members: list[tuple[int, int]], lang: str
) -> tuple[str, str]:
    """The part of the typical clause REP most MEMBERS share, and that part's role.

    Each member is aligned word by word with REP; a word of REP is shared when at least
    half of the other members have it in the same place. The core runs from the first
    shared word to the last, the frame words that introduce a subject left out; a run
    that varies at either end is one clip's own words and is dropped (a slot for the
    subject's name inside the core is made later, ``subject_slots``). The role is the
    role most members give the core's shared words: a group whose shared words name
    the subject ("a panda drinking coffee") is the subject, whatever its support.
    """
    rep_clause = parsed[rep[0]].clauses[rep[1]]
    toks = rep_clause.tokens
    others = [m for m in members if m != rep][:32]  # enough to vote; bounded cost
    keys = [t.key for t in toks]
    votes = [0] * len(toks)
    other_roles: list[list[str | None]] = []
    for ci, li in others:
        o_toks = parsed[ci].clauses[li].tokens
        roles: list[str | None] = [None] * len(toks)
        for op in Levenshtein.opcodes(keys, [t.key for t in o_toks]):
            if op.tag == "equal":
                for k in range(op.src_end - op.src_start):
                    roles[op.src_start + k] = o_toks[op.dest_start + k].role
        # A word the other member says elsewhere is shared too: a paraphrase may put
        # the parts in another order ("一阵花瓣出现在她周围" / "她周围出现了一阵花瓣").
        where = {t.key: t.role for t in o_toks}
        for k, key in enumerate(keys):
            if roles[k] is None and key in where:
                roles[k] = where[key]
            if roles[k] is not None:
                votes[k] += 1
        other_roles.append(roles)
    need = 0.5 * max(len(others), 1)
    shared = [v >= need for v in votes] if others else [True] * len(toks)
    # Leading frame words (and a trigger standing alone before them) are not the core.
    start = 0
    while start < len(toks) and toks[start].role in (FRAME,):
        start += 1
    idx = [k for k in range(start, len(toks)) if shared[k]]
    if not idx:
        return "", FRAME
    a, b = idx[0], idx[-1] + 1
    # A leading run that varies is kept when it is the subject's name at the clause
    # start ("the cat is left glowing" → "{pronoun} is left glowing", slotted later).
    if a > start and start == 0 and a <= 4:
        a = 0
    # A name that varies at the clause's end, after the shared words ("presses on the
    # dog"), is kept too: it becomes an {object} slot.
    naming = b < len(toks) and (toks[b].key in _NAMING or toks[b - 1].key in _NAMING)
    if lang == "en" and naming and len(toks) - b <= 3:
        b = len(toks)
    a, b = _trim_edges(toks, shared, a, b, lang)
    if a >= b:
        return "", FRAME
    text = _slot_subject_name(rep_clause, toks, shared, a, b, lang)
    role = _span_role(
        [toks[k].role for k in range(a, b) if shared[k]],
        [[r[k] for k in range(a, b) if shared[k]] for r in other_roles],
        [toks[k].key for k in range(a, b) if shared[k]],
        lang,
    )
    return text, role


def _slot_subject_name(
    clause: Clause, toks: list[Token], shared: list[bool], a: int, b: int, lang: str
) -> str:
    """The clause's text from word A to word B, the subject's name (words that name the
    clip's subject and vary from member to member, with the article before them) turned
    into a slot: "a blue vase being squeezed flat" → "{pronoun} being squeezed flat"."""
    out, last = [], toks[a].start
    k = a
    while k < b:
        if toks[k].role != SUBJECT or shared[k]:
            k += 1
            continue
        j = k
        while j < b and toks[j].role == SUBJECT and not shared[j]:
            j += 1
        i = k
        if lang == "en" and i > a and toks[i - 1].key in EN_DETERMINERS:
            i -= 1  # "a blue vase": the article goes with the name
        slot = "{ta}" if lang == "zh" else ("{pronoun}" if i == a else "{object}")
        out.append(clause.text[last - clause.start : toks[i].start - clause.start] + slot)
        last = toks[j - 1].end
        k = j
    out.append(clause.text[last - clause.start : toks[b - 1].end - clause.start])
    return "".join(out)


def _trim_edges(
    toks: list[Token], shared: list[bool], a: int, b: int, lang: str
) -> tuple[int, int]:
    """Drop function words left dangling at either end ("a pile of", "and then")."""
    lead, tail = (_LEAD_ZH, _TAIL_ZH) if lang == "zh" else (_LEAD_EN, _TAIL_EN)
    while b > a and (toks[b - 1].key in tail or (toks[b - 1].key == "_" and not shared[b - 1])):
        b -= 1
    while a < b and toks[a].key in lead:
        a += 1
    return a, b


def _span_role(
    rep_roles: list[str], other_roles: list[list[str | None]], words: list[str], lang: str
) -> str:
    """The role of a wording from the roles of its words in the captions that hold it."""
    if not _has_content(words, lang):
        return FRAME
    rows = [rep_roles, *[[r for r in roles if r is not None] for roles in other_roles]]
    rows = [r for r in rows if r]
    if not rows:
        return FREE
    subject = sum(SUBJECT in r for r in rows) / len(rows)
    background = sum(r.count(BACKGROUND) * 2 > len(r) for r in rows) / len(rows)
    if background >= 0.5:
        return BACKGROUND
    if subject >= 0.5:
        return SUBJECT
    return FREE


def _has_content(words: Sequence[str], lang: str) -> bool:
    """Does the wording hold a word that is neither filler nor the frame or camera?"""
    if lang == "zh":
        return any(w not in ZH_STOPWORDS and w not in ZH_GENERIC and w != "它" for w in words)
    return any(
        w not in EN_STOPWORDS and w not in GENERIC_WORDS and w != "_" and len(w) > 1 for w in words
    )


def _role_name(role: str) -> str:
    return "effect" if role == FREE else role


# --------------------------------------------------------------------------- n-grams


def _shared_sequences(parsed: list[Caption], lang: str) -> list[Phrase]:
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


def _sequence_phrase(
    parsed: list[Caption],
    index: _ClauseIndex,
    words: tuple[str, ...],
    occs: Sequence[tuple[int, int, int, int]],
    lang: str,
) -> Phrase | None:
    # Trim function words at the edges; the trimmed sequence is still in every occurrence.
    lead, tail = (_LEAD_ZH, _TAIL_ZH) if lang == "zh" else (_LEAD_EN, _TAIL_EN)
    lo, hi = 0, len(words)
    while lo < hi and words[lo] in lead:
        lo += 1
    while hi > lo and (words[hi - 1] in tail or words[hi - 1] == "_"):
        # "time-lapse of": a preposition ending a two-word lead stays.
        if words[hi - 1] == "of" and hi - lo <= 2:
            break
        hi -= 1
    words = words[lo:hi]
    if not words or not _has_content(words, lang):
        return None
    if lang == "en" and len(words) < 2:
        return None
    if lang == "zh" and len("".join(words)) < 3:
        return None  # shorter shared wordings are whole clauses: the clause groups have them
    occs = [(ci, li, s + lo, s + lo + len(words)) for ci, li, s, _ in occs]
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
    if lang == "en" and words[-1] not in _TAIL_EN and not _ends_a_phrase(parsed, occs):
        return None  # "the intricate" (details / patterns ...): a fragment of a phrase
    text = surfaces.most_common(1)[0][0]
    held = {ci for ci, *_ in occs}
    # Support: the captions that hold the wording, word for word or nearly.
    extra = index.holders(text, held) if len(held) < len(parsed) else []
    for ci, li in extra:
        members[(ci, li)] = parsed[ci].clauses[li].text
    support = len(held | {ci for ci, _ in extra}) / len(parsed)
    role = _span_role(roles[0], [list(r) for r in roles[1:]], list(words), lang)
    if TRIGGER in roles[0] and all(r == TRIGGER for r in roles[0]):
        return None
    ordered = sorted(members.items())
    kind = "ngram"
    if _content_count(words, lang) < 2:
        # One content word is weak evidence: it must be a whole clause ("the camera is
        # static") or lead the caption ("Time-lapse of ..."), else it is filler that
        # sits among varying words ("in front of ...", "她有着...").
        standing = sum(_whole_or_lead(parsed[ci], li, s, e, lang) for ci, li, s, e in occs)
        if standing * 2 < len(occs):
            role = FILLER
        kind = "fragment"
    return Phrase(
        text=text,
        support=support,
        position=min(1.0, float(np.mean(positions))),
        members=tuple((ci, c) for (ci, _), c in ordered),
        terms=frequent_terms([c for _, c in ordered[:64]], lang),
        role=_role_name(role),
        kind=kind,
    )


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
    return sum(_has_content([w], lang) for w in words)


def _ends_a_phrase(parsed: list[Caption], occs: Sequence[tuple[int, int, int, int]]) -> bool:
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


# --------------------------------------------------------------------------- the trigger


def _trigger_phrase(parsed: list[Caption], trigger: str, lang: str) -> Phrase:
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
