"""Clause groups: near-identical clauses across captions, as phrases (``kind="clause"``).

Every clause is folded to a comparison key (``lexicon.comparison_key``), pairs of
distinct keys are scored with ``rapidfuzz.process.cdist`` (``fuzz.ratio``), and groups
are formed by leader clustering (Taylor–Butina): the key with the most similar keys
around it becomes a centre and takes its still-free neighbours, and so on, so every
member is similar to its centre (no chaining). Above ``SAMPLE_KEYS`` distinct keys a
deterministic sample is clustered and every other clause joins the nearest group that
matters, so the cost stays near linear. A group's ``core`` is the part of its typical
wording most members share, aligned word by word (``clause_core``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
from rapidfuzz import fuzz, process

from annotator.mining.clause_core import clause_core
from annotator.mining.lexicon import comparison_key, frequent_terms
from annotator.mining.phrase import Phrase
from annotator.mining.spans import FREE, Caption
from annotator.mining.wording import role_name

# Groups held by fewer captions than this share get no terms (the cost, on large sets).
TERMS_FLOOR = 0.05
# Rows per cdist call: bounds memory at _CHUNK × n bytes (uint8 scores).
_CHUNK = 2048
# Above this many distinct clause keys, cluster a sample (see the module docstring).
SAMPLE_KEYS = 3000


def clause_groups(parsed: list[Caption], lang: str, cutoff: float) -> list[Phrase]:
    """The groups of near-identical clauses of PARSED (similarity >= CUTOFF), as phrases."""
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
            core, role = clause_core(
                parsed, clause_ref[rep], [clause_ref[m] for m in members], lang
            )
        out.append(
            Phrase(
                text=wording,
                support=len(captions_held) / n_captions,
                position=float(np.mean([positions[m] for m in members])),
                members=tuple((cap_idx[m], texts[m]) for m in members),
                terms=frequent_terms(sample, lang),
                role=role_name(role),
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
