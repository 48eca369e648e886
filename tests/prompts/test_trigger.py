"""Trigger words: the guide's rules, with wordfreq's real word lists (offline)."""

from __future__ import annotations

import random
import re

import pytest

from annotator.prompts.trigger import TriggerProblem, check_trigger, make_trigger


def codes(problems: list[TriggerProblem]) -> set[str]:
    return {p.code for p in problems}


def errors(problems: list[TriggerProblem]) -> set[str]:
    return {p.code for p in problems if p.severity == "error"}


@pytest.mark.parametrize("word", ["s86b5p", "m01aa", "a8z2_bbb", "sq41sh"])
def test_guide_style_triggers_pass(word: str) -> None:
    assert check_trigger(word) == []


@pytest.mark.parametrize("word", ["dance", "fire", "running", "beautiful", "Fire"])
def test_common_english_words_are_errors(word: str) -> None:
    problems = check_trigger(word)
    assert "real-word" in errors(problems)
    real = next(p for p in problems if p.code == "real-word")
    assert "English" in real.message and "Zipf" in real.message
    # The suggestion offers a word that passes every check.
    suggested = re.search(r"'([a-z0-9]+)'", real.suggestion)
    assert suggested and check_trigger(suggested.group(1)) == []


def test_chinese_word_is_an_error() -> None:
    problems = check_trigger("跳舞")
    assert "real-word" in errors(problems)
    assert "Chinese" in next(p for p in problems if p.code == "real-word").message
    assert "characters" in codes(problems)


@pytest.mark.parametrize(("word", "near"), [("beautifull", "beautiful"), ("dancce", "dance")])
def test_near_spellings_of_common_words_are_errors(word: str, near: str) -> None:
    problems = check_trigger(word)
    assert "near-word" in errors(problems)
    assert repr(near) in next(p for p in problems if p.code == "near-word").message


def test_trigger_in_a_caption_is_an_error() -> None:
    captions = ["A woman stands on a beach.", "The zq7x4 glow surrounds him."]
    problems = check_trigger("zq7x4", captions)
    assert errors(problems) == {"in-caption"}
    assert "caption 1" in problems[0].message
    assert check_trigger("zq7x4", captions[:1]) == []


def test_sksstyle_is_allowed_with_warnings() -> None:
    problems = check_trigger("sksstyle")
    assert errors(problems) == set()
    assert codes(problems) == {"contains-word", "no-digit"}
    contains = next(p for p in problems if p.code == "contains-word")
    assert "'style'" in contains.message


@pytest.mark.parametrize(
    ("word", "code"),
    [("", "empty"), ("   ", "empty"), ("s86 b5p", "spaces"), (" s86b5p", "spaces")],
)
def test_empty_and_spaces(word: str, code: str) -> None:
    assert code in errors(check_trigger(word))


def test_warnings_for_shape() -> None:
    assert codes(check_trigger("qzvxkw")) == {"no-digit"}
    assert codes(check_trigger("S86B5P")) == {"characters"}
    assert "short" in codes(check_trigger("q7z"))


def test_every_problem_says_why_and_what_to_do() -> None:
    for word in ["", "dance", "beautifull", "跳舞", "sksstyle", "s86 b5p", "q7z"]:
        for problem in check_trigger(word, ["dance"]):
            assert problem.message and problem.suggestion
            assert problem.severity in ("error", "warning")
            assert problem.to_dict()["code"] == problem.code
        severities = [p.severity for p in check_trigger(word)]
        assert severities == sorted(severities, key=lambda s: s != "error")


def test_make_trigger_follows_the_guide_style() -> None:
    rng = random.Random(7)
    words = [make_trigger(rng) for _ in range(200)]
    for word in words:
        assert re.fullmatch(r"[a-z][a-z0-9]{4,7}", word), word
        assert sum(c.isdigit() for c in word) >= 2
        assert sum(c.isalpha() for c in word) >= 2
        assert check_trigger(word) == []
    assert len(set(words)) > 190
    assert make_trigger(random.Random(1)) == make_trigger(random.Random(1))
    assert re.fullmatch(r"[a-z][a-z0-9]{4,7}", make_trigger())
