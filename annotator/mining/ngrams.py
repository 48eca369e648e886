"""Word n-grams many captions share, however differently the rest of each sentence runs.

When every caption says the effect inside a different sentence ("...then it bursts into
a shower of blue petals", "...dissolving into a shower of blue petals as it turns"), no
two clauses are alike enough to group, yet the wording "a shower of blue petals" is in
all of them. Counting word sequences by the captions that hold them finds it.

Method (Apriori): count single words by caption; extend only the sequences held by at
least ``min_count`` captions one word at a time, where the sequence one word shorter
starting one word later is frequent too. Work is proportional to the occurrences of
frequent sequences, not to all sequences. Only *closed* sequences are kept: one that a
longer sequence extends in the same number of captions says nothing the longer one
does not.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

MAX_WORDS = 48  # longer shared runs are the same sentence copied: kept as 48-word pieces

# (caption index, clause index, first word, end word)
Occurrence = tuple[int, int, int, int]


@dataclass(frozen=True)
class NGram:
    """A word sequence held by ``count`` captions, with where it stands in each."""

    words: tuple[str, ...]
    count: int
    occurrences: tuple[Occurrence, ...]


def frequent_ngrams(clauses: Sequence[Sequence[Sequence[str]]], min_count: int) -> list[NGram]:
    """Closed word sequences found in at least MIN_COUNT captions.

    CLAUSES: per caption, per clause, the clause's words (already folded). A sequence
    never crosses a clause boundary.
    """
    min_count = max(1, min_count)
    # Words as ints: tuples of ints hash and compare faster than tuples of strings.
    vocab: dict[str, int] = {}
    coded = [[[vocab.setdefault(w, len(vocab)) for w in cl] for cl in cap] for cap in clauses]
    words = list(vocab)

    # Single words: count captions first, keep the places of the frequent ones only.
    df: dict[int, int] = {}
    for cap in coded:
        for w in {w for cl in cap for w in cl}:
            df[w] = df.get(w, 0) + 1
    level = _count_level(
        (
            (ci, li, i, (w,))
            for ci, cap in enumerate(coded)
            for li, cl in enumerate(cap)
            for i, w in enumerate(cl)
            if df[w] >= min_count
        ),
        min_count,
    )
    closed: dict[tuple[int, ...], list[Occurrence]] = {}
    length = 1
    while level and length < MAX_WORDS:
        nxt = _count_level(_extensions(coded, level, length), min_count)
        # A sequence extended (left or right) in as many captions is not closed.
        not_closed: set[tuple[int, ...]] = set()
        for gram, occs in nxt.items():
            n = _captions(occs)
            for part in (gram[:-1], gram[1:]):
                if part in level and _captions(level[part]) == n:
                    not_closed.add(part)
        for gram, occs in level.items():
            if gram not in not_closed:
                closed[gram] = occs
        level = nxt
        length += 1
    for gram, occs in level.items():
        closed[gram] = occs
    return [
        NGram(tuple(words[w] for w in gram), _captions(occs), tuple(occs))
        for gram, occs in closed.items()
    ]


def _extensions(
    coded: list[list[list[int]]], level: dict[tuple[int, ...], list[Occurrence]], k: int
) -> Iterator[tuple[int, int, int, tuple[int, ...]]]:
    """Each frequent K-word sequence one word longer, where the K words after its first
    word are a frequent sequence too."""
    frequent = set(level)
    for gram, occs in level.items():
        for ci, li, i, _ in occs:
            cl = coded[ci][li]
            if i + k < len(cl) and tuple(cl[i + 1 : i + k + 1]) in frequent:
                yield ci, li, i, (*gram, cl[i + k])


def _count_level(
    items: Iterable[tuple[int, int, int, tuple[int, ...]]], min_count: int
) -> dict[tuple[int, ...], list[Occurrence]]:
    """Group occurrences by sequence; keep the sequences held by MIN_COUNT captions."""
    occs: dict[tuple[int, ...], list[Occurrence]] = {}
    for ci, li, i, gram in items:
        occs.setdefault(gram, []).append((ci, li, i, i + len(gram)))
    return {g: o for g, o in occs.items() if _captions(o) >= min_count}


def _captions(occs: Sequence[Occurrence]) -> int:
    return len({o[0] for o in occs})
