"""The miner against real captions written by others (tests/mining/real/, see its README).

Per set: the template recovers the effect phrase written down from the source
(rapidfuzz partial ratio >= 90), every template clause is in most captions (no clip's
own words, no minority wording), and no clause is a subject or background one; a set
with no shared effect gets "no shared effect". The verdicts hold when any one caption
is left out and when the captions come in another order. The figures of both halves
(development, held-out) meet the issue's bar.
"""

from __future__ import annotations

import random
import re

import pytest

from annotator.mining import caption_trigger, mine_phrases
from tests.mining.real_corpus import (
    RECOVERED,
    SETS,
    THRESHOLD,
    RealSet,
    clause_presence,
    mine,
    recovery,
    verdict,
)

EFFECT = [s for s in SETS if s.shared_effect]
NONE = [s for s in SETS if not s.shared_effect]
_SUBJECT_OPENING = re.compile(
    r"^(?:the|this) (?:video|clip) (?:shows|opens|begins)|^in the video\b|^视频开头|^视频中", re.I
)
_BACKGROUND = re.compile(r"\b(?:background|backdrop)\b|背景", re.I)


def _ids(sets: list[RealSet]) -> list[str]:
    return [s.name for s in sets]


def test_the_corpus_is_as_the_issue_asks() -> None:
    """>= 12 effects with >= 6 captions, >= 3 in Chinese, >= 4 negatives (2 hard), and
    no source in both halves."""
    big = [s for s in EFFECT if len(s.captions) >= 6]
    assert len(big) >= 12
    assert sum(s.lang == "zh" for s in big) >= 3
    assert len(NONE) >= 4 and sum(bool(s.hard) for s in NONE) >= 2
    halves = {s.source: {t.split for t in SETS if t.source == s.source} for s in SETS}
    assert all(len(h) == 1 for h in halves.values()), halves
    assert {s.split for s in SETS} == {"dev", "heldout"}


@pytest.mark.parametrize("s", EFFECT, ids=_ids(EFFECT))
def test_the_template_recovers_the_effect(s: RealSet) -> None:
    v = verdict(s.name)
    assert v.shared, v.template
    for truth in s.truth:
        best = max(v.clauses, key=lambda c: recovery(truth, c), default="")
        assert recovery(truth, best) >= RECOVERED, (truth, v.template)


@pytest.mark.parametrize("s", EFFECT, ids=_ids(EFFECT))
def test_every_template_clause_is_in_most_captions(s: RealSet) -> None:
    v = verdict(s.name)
    for clause in v.clauses:
        assert clause_presence(clause, s.captions) >= THRESHOLD, (clause, v.template)


@pytest.mark.parametrize("s", EFFECT, ids=_ids(EFFECT))
def test_no_subject_or_background_clause(s: RealSet) -> None:
    v = verdict(s.name)
    for clause in v.clauses:
        assert not _SUBJECT_OPENING.search(clause), (clause, v.template)
        assert not _BACKGROUND.search(clause), (clause, v.template)
        for phrase in s.not_effect:
            assert recovery(phrase, clause) < RECOVERED, (phrase, clause)


@pytest.mark.parametrize("s", NONE, ids=_ids(NONE))
def test_no_shared_effect(s: RealSet) -> None:
    v = verdict(s.name)
    assert not v.shared, v.template


@pytest.mark.parametrize(
    "s", [s for s in EFFECT if s.trigger], ids=_ids([s for s in EFFECT if s.trigger])
)
def test_the_trigger_the_captions_carry_is_kept(s: RealSet) -> None:
    """Proposed as the workspace's trigger, in the template where the captions put it,
    and no lead-in added."""
    phrases = mine_phrases(list(s.captions), s.lang)
    assert caption_trigger(phrases, THRESHOLD) == s.trigger
    v = verdict(s.name)
    assert s.trigger.lower() in v.template.lower(), v.template
    assert "effect begins" not in v.template and "开始展示特效" not in v.template


@pytest.mark.parametrize("s", SETS, ids=_ids(SETS))
def test_leaving_one_caption_out_keeps_the_verdict(s: RealSet) -> None:
    if len(s.captions) < 4:
        pytest.skip("three captions: one out leaves two, where any clause is half")
    for k in range(len(s.captions)):
        rest = s.captions[:k] + s.captions[k + 1 :]
        assert mine(rest, s.lang).correct(s), (k, mine(rest, s.lang).template)


@pytest.mark.parametrize("s", SETS, ids=_ids(SETS))
def test_shuffled_order_keeps_the_verdict(s: RealSet) -> None:
    for seed in range(3):
        order = list(s.captions)
        random.Random(seed).shuffle(order)
        assert mine(order, s.lang).correct(s), (seed, mine(order, s.lang).template)


@pytest.mark.parametrize("split", ["dev", "heldout"])
def test_recovery_figures(split: str) -> None:
    """The issue's bar: >= 90 % of the development half, >= 80 % of the held-out half,
    every negative 'no shared effect'."""
    effect = [s for s in EFFECT if s.split == split]
    recovered = sum(verdict(s.name).recovers(s) for s in effect)
    assert recovered >= (0.9 if split == "dev" else 0.8) * len(effect)
    assert all(verdict(s.name).correct(s) for s in NONE if s.split == split)
