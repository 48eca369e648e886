"""Phrase mining on realistic captions: the effect comes out on top, subjects do not."""

from __future__ import annotations

import json

import pytest

from annotator.mining.clauses import split_clauses
from annotator.mining.phrases import Phrase, mine_phrases
from tests.mining.captions import EN_CAPTIONS, EN_EFFECT_KEYS, ZH_CAPTIONS, ZH_EFFECT_KEYS

CASES = [("en", EN_CAPTIONS, EN_EFFECT_KEYS), ("zh", ZH_CAPTIONS, ZH_EFFECT_KEYS)]


@pytest.fixture(scope="module")
def mined() -> dict[str, list[Phrase]]:
    return {lang: mine_phrases(captions, lang) for lang, captions, _ in CASES}


@pytest.mark.parametrize(("lang", "captions", "keys"), CASES)
def test_effect_phrases_have_high_support(
    mined: dict[str, list[Phrase]], lang: str, captions: list[str], keys: tuple[str, ...]
) -> None:
    phrases = mined[lang]
    top = [p for p in phrases if p.support >= 0.85]
    # Every part of the effect is found in (nearly) every caption ...
    for key in keys:
        assert any(key in p.text for p in top), (key, [p.text for p in phrases[:5]])
    # ... and only the effect is: no other clause group is shared by more than 2
    # captions (word sequences inside the effect's clauses are parts of the effect).
    rest = [p for p in phrases if p not in top and p.kind == "clause"]
    assert all(p.support <= 2 / len(captions) for p in rest), [
        (p.text, p.support) for p in rest[:3]
    ]


@pytest.mark.parametrize(("lang", "captions", "keys"), CASES)
def test_subject_clauses_have_low_support(
    mined: dict[str, list[Phrase]], lang: str, captions: list[str], keys: tuple[str, ...]
) -> None:
    subject = {"en": "young woman with long red hair", "zh": "红棕色长发"}[lang]
    (phrase,) = [p for p in mined[lang] if subject in p.text]
    assert phrase.support == pytest.approx(1 / len(captions))
    assert phrase.members == ((0, phrase.text),)
    assert phrase.position < 0.3


@pytest.mark.parametrize(("lang", "captions", "keys"), CASES)
def test_ranking_and_fields(
    mined: dict[str, list[Phrase]], lang: str, captions: list[str], keys: tuple[str, ...]
) -> None:
    phrases = mined[lang]
    order = [(p.kind == "trigger", -p.support, p.position) for p in phrases]
    assert order == sorted(order)
    # Every clause of every caption is in exactly one clause group.
    groups = [p for p in phrases if p.kind == "clause"]
    members = sorted(m for p in groups for m in p.members)
    clauses = sorted((i, c) for i, text in enumerate(captions) for c in split_clauses(text, lang))
    assert members == clauses
    for p in phrases:
        assert 0.0 <= p.position <= 1.0
        assert 0.0 < p.support <= 1.0
        assert p.support == len(p.caption_indices) / len(captions)
        if p.kind == "clause":
            assert p.text in {c for _, c in p.members}  # the medoid is a real wording
        else:  # a word sequence as one of its members says it
            assert any(p.text.lower() in c.lower() for _, c in p.members), p.text


def test_effect_phrases_come_in_caption_order(mined: dict[str, list[Phrase]]) -> None:
    top = sorted((p for p in mined["zh"] if p.support >= 0.85), key=lambda p: p.position)
    texts = "".join(p.text for p in top)
    assert texts.index("粒子") < texts.index("螺旋") < texts.index("耀眼") < texts.index("光芒")


def test_terms_are_content_words(mined: dict[str, list[Phrase]]) -> None:
    en = next(p for p in mined["en"] if "sparkles" in p.text)
    assert {"ring", "golden", "sparkles"} <= set(en.terms)
    assert not {"a", "of", "her", "his", "its", "the"} & set(en.terms)
    zh = next(p for p in mined["zh"] if "白光" in p.text and p.support >= 0.85)
    assert "白光" in zh.terms
    assert not {"的", "了", "着", "她", "他", "它", "，"} & set(zh.terms)


def test_clauses_of_one_caption_count_once_toward_support() -> None:
    captions = [
        "A golden ring spins around her. A golden ring spins around her again.",
        "A golden ring spins around him.",
        "A red car drives down a road.",
        "A blue bird sits on a branch.",
    ]
    phrases = mine_phrases(captions, "en")
    ring = phrases[0]
    assert "golden ring" in ring.text
    assert len(ring.members) == 3
    assert ring.support == pytest.approx(2 / 4)


def test_min_support_and_cutoff_and_language_detection() -> None:
    only_shared = mine_phrases(ZH_CAPTIONS, min_support=0.5)  # language detected: zh
    assert only_shared and all(p.support >= 0.5 for p in only_shared)
    groups = [p for p in only_shared if p.kind == "clause"]
    assert all("白光" in p.text or "金色" in p.text or "螺旋" in p.text for p in groups)
    # An impossible cutoff leaves every distinct wording on its own.
    strict = mine_phrases(EN_CAPTIONS, "en", score_cutoff=100.0)
    loose = mine_phrases(EN_CAPTIONS, "en")
    assert sum(p.kind == "clause" for p in strict) > sum(p.kind == "clause" for p in loose)


def test_empty_input() -> None:
    assert mine_phrases([], "en") == []
    assert mine_phrases(["", "  "], "zh") == []


def test_to_dict_is_json_ready(mined: dict[str, list[Phrase]]) -> None:
    data = [p.to_dict() for p in mined["zh"]]
    again = json.loads(json.dumps(data, ensure_ascii=False))
    assert again[0]["text"] == mined["zh"][0].text
    assert set(again[0]) == {
        "text",
        "support",
        "position",
        "members",
        "terms",
        "role",
        "kind",
        "core",
    }
    assert again[0]["members"][0] == list(mined["zh"][0].members[0])


def test_one_per_wording_keeps_the_best_ranked_of_a_text() -> None:
    from annotator.mining.phrases import one_per_wording

    captions = ["A cat. Golden sparkles spiral in.", "A dog. Golden sparkles spiral in."]
    phrases = mine_phrases(captions, "en")
    texts = [" ".join(p.text.casefold().split()) for p in one_per_wording(phrases)]
    assert len(texts) == len(set(texts))
    assert one_per_wording(phrases)[0] is phrases[0]
