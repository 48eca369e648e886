"""Parsing structured answers and the retry-once rule, with a scripted ``ask``."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.captioning import BadAnswerError, CaptionRequest
from annotator.captioning.structured import (
    RawAnswer,
    StructuredAnswerError,
    complete,
    parse_structured,
    retry_instruction,
)
from tests.captioning.helpers import VALID_JSON

EXPECTED = {
    "subject": "The video opens on a red square.",
    "background": "A soft gradient.",
    "motion": "The square slides to the right.",
}


@pytest.mark.parametrize(
    "text",
    [
        VALID_JSON,
        f"```json\n{VALID_JSON}\n```",
        f"```\n{VALID_JSON}\n```",
        f"Here is the JSON you asked for:\n{VALID_JSON}\nHope this helps {{:}}",
        VALID_JSON.replace('"motion"', '"extra": "ignored", "motion"'),
    ],
)
def test_parse_tolerates_fences_and_prose(text: str) -> None:
    assert parse_structured(text) == EXPECTED


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("no braces at all", "no JSON object"),
        ('{"subject": "a", ', "does not parse"),
        ('{"subject": "a", "background": "b"}', "motion: Field required"),
        ('{"subject": " ", "background": "b", "motion": "c"}', "subject: String should have"),
        ('{"subject": 3, "background": "b", "motion": "c"}', "subject: Input should be"),
    ],
)
def test_parse_explains_what_is_wrong(text: str, problem: str) -> None:
    with pytest.raises(StructuredAnswerError, match=problem):
        parse_structured(text)


def scripted(*answers: str) -> tuple[list[str], object]:
    asked: list[str] = []
    queue = list(answers)

    def ask(instruction: str) -> RawAnswer:
        asked.append(instruction)
        return RawAnswer(queue.pop(0), 100, 10)

    return asked, ask


def request(structured: bool) -> CaptionRequest:
    return CaptionRequest(Path("clip.mp4"), "a" * 64, "Answer in JSON.", "m", structured=structured)


def test_valid_first_time_asks_once() -> None:
    asked, ask = scripted(VALID_JSON)
    result = complete(request(True), ask)
    assert result.fields == EXPECTED and result.flagged is None
    assert len(asked) == 1


def test_retry_appends_the_problem_and_sums_tokens() -> None:
    asked, ask = scripted('{"subject": "x"}', VALID_JSON)
    result = complete(request(True), ask)
    assert result.fields == EXPECTED
    assert (result.input_tokens, result.output_tokens) == (200, 20)
    assert asked[1].startswith("Answer in JSON.\n\nYour previous answer was not valid: ")
    assert "background: Field required" in asked[1]


def test_still_bad_is_kept_raw_and_flagged() -> None:
    _asked, ask = scripted("nope", "still nope")
    result = complete(request(True), ask)
    assert result.text == "still nope"
    assert result.fields is None
    assert (
        result.flagged == "structured answer invalid after retry: the answer holds no JSON object"
    )


def test_empty_twice_is_a_bad_answer() -> None:
    _asked, ask = scripted("", "  ")
    with pytest.raises(BadAnswerError, match="empty answer twice"):
        complete(request(True), ask)


def test_freeform_empty_is_a_bad_answer_and_not_retried() -> None:
    asked, ask = scripted("")
    with pytest.raises(BadAnswerError, match=r"clip\.mp4"):
        complete(request(False), ask)
    assert len(asked) == 1


def test_retry_note_is_in_chinese_for_a_chinese_instruction() -> None:
    assert "你上一次的回答无效" in retry_instruction("只用 JSON 回答。", "x")
