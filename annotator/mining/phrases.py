"""Find the phrases many captions share: the effect's wording, with support and position.

Method: split every caption into clauses, fold each clause to a comparison
key (``lexicon.comparison_key``), score every pair of distinct keys with
``rapidfuzz.process.cdist`` (``fuzz.ratio`` on keys, see ``lexicon``), and keep
the pairs at or above a cutoff as the edges of a graph. Groups are formed by
leader clustering (Taylor–Butina): the clause with the most similar clauses
around it becomes a centre and takes all its still-free neighbours, and so on.
Unlike connected components this cannot chain "a ring of sparkles" to "a
ring of light" to "the light of the city": every member is similar to its
centre.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

from annotator.mining.clauses import detect_lang, split_clauses
from annotator.mining.lexicon import CLAUSE_CUTOFF, comparison_key, frequent_terms

# Rows per cdist call: bounds memory at _CHUNK × n bytes (uint8 scores) while
# each call still has plenty of work for every core.
_CHUNK = 2048


@dataclass(frozen=True)
class Phrase:
    """A group of near-identical clauses found across captions.

    text: the group's medoid wording (the member most similar to all others);
    support: share of captions with at least one member (0..1);
    position: mean relative position of the members in their captions
    (0 = first clause, 1 = last); members: (caption index, clause) pairs;
    terms: the content words most members use.
    """

    text: str
    support: float
    position: float
    members: tuple[tuple[int, str], ...]
    terms: tuple[str, ...]

    @property
    def caption_indices(self) -> frozenset[int]:
        """The captions that contain a member of this phrase."""
        return frozenset(i for i, _ in self.members)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (for ``--json`` output and the workspace)."""
        return {
            "text": self.text,
            "support": round(self.support, 4),
            "position": round(self.position, 4),
            "members": [[i, c] for i, c in self.members],
            "terms": list(self.terms),
        }


def mine_phrases(
    captions: Sequence[str],
    lang: str | None = None,
    *,
    min_support: float = 0.0,
    score_cutoff: float | None = None,
) -> list[Phrase]:
    """Group near-duplicate clauses across captions; rank by support desc, then position.

    lang: "zh" or "en"; None detects it from all captions together.
    min_support: drop groups found in a smaller share of captions.
    score_cutoff: similarity (0..100) at which two clauses are one phrase;
    None uses ``lexicon.CLAUSE_CUTOFF`` for the language.
    """
    if lang is None:
        lang = detect_lang("".join(captions))
    if lang not in CLAUSE_CUTOFF:
        raise ValueError(f"unknown language {lang!r}; expected 'zh' or 'en'")
    cutoff = CLAUSE_CUTOFF[lang] if score_cutoff is None else score_cutoff
    n_captions = len(captions)

    # Every clause with its caption and relative position in that caption.
    cap_idx: list[int] = []
    clauses: list[str] = []
    positions: list[float] = []
    for i, caption in enumerate(captions):
        parts = split_clauses(caption, lang)
        last = max(len(parts) - 1, 1)
        for j, clause in enumerate(parts):
            cap_idx.append(i)
            clauses.append(clause)
            positions.append(j / last)
    if not clauses:
        return []

    # Identical keys are scored once: the effect's clauses repeat word for word
    # often, which is also where most of the pairs would be.
    key_of: dict[str, int] = {}
    clause_key = np.empty(len(clauses), dtype=np.int64)
    for n, clause in enumerate(clauses):
        clause_key[n] = key_of.setdefault(comparison_key(clause, lang), len(key_of))
    keys = list(key_of)
    key_members: list[list[int]] = [[] for _ in keys]
    for n, k in enumerate(clause_key):
        key_members[k].append(n)
    weight = np.array([len(m) for m in key_members], dtype=np.int64)

    neighbours = _similar_pairs(keys, cutoff)
    groups = _leader_clusters(neighbours, weight)

    phrases = [
        _make_phrase(group, keys, key_members, cap_idx, clauses, positions, n_captions, lang)
        for group in groups
    ]
    phrases = [p for p in phrases if p.support >= min_support]
    phrases.sort(key=lambda p: (-p.support, p.position, p.text))
    return phrases


def _similar_pairs(keys: list[str], cutoff: float) -> list[np.ndarray]:
    """For each key, the indices of the other keys scoring >= cutoff with it."""
    n = len(keys)
    rows: list[list[np.ndarray]] = [[] for _ in range(n)]
    for start in range(0, n, _CHUNK):
        block = process.cdist(
            keys[start : start + _CHUNK],
            keys,
            scorer=fuzz.ratio,
            score_cutoff=cutoff,
            dtype=np.uint8,
            workers=-1,
        )
        r, c = np.nonzero(block)
        r += start
        keep = r != c
        r, c = r[keep], c[keep]
        # Rows come out sorted, so split by row boundaries instead of looping pairs.
        bounds = np.searchsorted(r, np.arange(start, min(start + _CHUNK, n) + 1))
        for k in range(len(bounds) - 1):
            rows[start + k].append(c[bounds[k] : bounds[k + 1]])
    return [np.concatenate(parts) if parts else np.empty(0, np.int64) for parts in rows]


def _leader_clusters(neighbours: list[np.ndarray], weight: np.ndarray) -> list[list[int]]:
    """Taylor–Butina clustering: heaviest free key first, it takes its free neighbours."""
    # Weighted degree: how many clauses (not keys) sit on or around this key.
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


def _make_phrase(
    group: list[int],
    keys: list[str],
    key_members: list[list[int]],
    cap_idx: list[int],
    clauses: list[str],
    positions: list[float],
    n_captions: int,
    lang: str,
) -> Phrase:
    members = sorted(
        (n for k in group for n in key_members[k]), key=lambda n: (cap_idx[n], positions[n])
    )
    medoid_key = _medoid([keys[k] for k in group], [len(key_members[k]) for k in group])
    wording = _most_common(clauses[n] for n in key_members[group[medoid_key]])
    support = len({cap_idx[n] for n in members}) / n_captions
    position = float(np.mean([positions[n] for n in members]))
    # Terms from at most 64 members: enough for frequencies, bounded cost for big groups.
    sample = [clauses[n] for n in members[:: max(1, len(members) // 64)]]
    return Phrase(
        text=wording,
        support=support,
        position=position,
        members=tuple((cap_idx[n], clauses[n]) for n in members),
        terms=frequent_terms(sample, lang),
    )


def _medoid(group_keys: list[str], counts: list[int]) -> int:
    """Index of the key with the highest count-weighted summed similarity to the group."""
    if len(group_keys) == 1:
        return 0
    sims = process.cdist(group_keys, group_keys, scorer=fuzz.ratio, dtype=np.float32)
    totals = sims @ np.asarray(counts, dtype=np.float32)
    return int(np.argmax(totals))


def _most_common(texts: Iterable[str]) -> str:
    counts: dict[str, int] = {}
    for t in texts:
        counts[t] = counts.get(t, 0) + 1
    return max(counts, key=lambda t: counts[t])  # first seen wins a tie
