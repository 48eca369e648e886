"""Clause splitting and language detection."""

from __future__ import annotations

import pytest

from annotator.mining.clauses import detect_lang, split_clauses
from tests.mining.captions import EN_CAPTIONS, ZH_CAPTIONS


def test_zh_splits_on_full_width_and_ascii_marks() -> None:
    text = "视频开头展示了一位女性。她穿着红裙，面带微笑；背景是海,天空很蓝！金色、银色的光点？"
    assert split_clauses(text, "zh") == [
        "视频开头展示了一位女性",
        "她穿着红裙",
        "面带微笑",
        "背景是海",
        "天空很蓝",
        "金色",
        "银色的光点",
    ]


def test_zh_keeps_decimals_and_drops_leading_connectives() -> None:
    text = "视频长2.5秒。随后，一圈金光升起。接着画面出现白光，紧接着她开始发光。"
    assert split_clauses(text, "zh") == [
        "视频长2.5秒",
        "一圈金光升起",
        "画面出现白光",
        "她开始发光",
    ]


def test_en_splits_sentences_commas_and_joining_words() -> None:
    text = (
        "The video opens on a woman, 1,000 petals fall. Then a ring spins around her and then "
        "it bursts; she laughs while the light fades, and the camera pushes in!"
    )
    assert split_clauses(text, "en") == [
        "The video opens on a woman",
        "1,000 petals fall",
        "a ring spins around her",
        "it bursts",
        "she laughs",
        "the light fades",
        "the camera pushes in",
    ]


def test_en_keeps_decimal_numbers_whole() -> None:
    assert split_clauses("It lasts 2.5 seconds. Then it ends.", "en") == [
        "It lasts 2.5 seconds",
        "it ends",
    ]


def test_empty_and_punctuation_only_give_no_clauses() -> None:
    assert split_clauses("", "en") == []
    assert split_clauses(" 。，、 ", "zh") == []
    assert split_clauses("..., ;", "en") == []


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown language"):
        split_clauses("text", "fr")


def test_every_test_caption_has_several_clauses() -> None:
    assert all(len(split_clauses(c, "en")) >= 4 for c in EN_CAPTIONS)
    assert all(len(split_clauses(c, "zh")) >= 6 for c in ZH_CAPTIONS)


def test_detect_lang() -> None:
    assert all(detect_lang(c) == "en" for c in EN_CAPTIONS)
    assert all(detect_lang(c) == "zh" for c in ZH_CAPTIONS)
    # A Chinese prompt keeps its Latin trigger and is still Chinese.
    assert detect_lang("然后开始展示s86b5p金钱雨特效") == "zh"
    assert detect_lang("a woman on a beach, 背景") == "en"
    assert detect_lang("") == "en"
