"""The verify pass's domain (issue 12 item 1): the verdict model, the instruction with the
prompt's parts, the parse with one retry carrying the validation error, the cache key."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from annotator.captioning.question import ClipQuestion
from annotator.captioning.structured import RawAnswer, StructuredAnswerError
from annotator.captioning.verification import (
    PromptParts,
    VerifyRequest,
    load_verify_instruction,
    parse_verdict,
    verdict_key,
    verify_clip,
)
from annotator.verdicts import Defect, SampleVerdict, SubjectCategory, Verdict

GOOD = {
    "subject_matches": True,
    "subject_note": "A red square, as written.",
    "background_matches": False,
    "background_note": "The background is grey, not blue.",
    "effect_shown": True,
    "effect_note": "It spins.",
    "defects": ["watermark"],
    "subject_category": "object",
}
PARTS = PromptParts(
    prompt="A red square. A blue wall. Then the s86 spin begins, it spins.",
    subject="A red square",
    background="A blue wall",
    effect="Then the s86 spin begins, it spins",
)


class Scripted:
    """A provider that answers clip questions from a list, and keeps what it was asked."""

    name = "scripted"

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.asked: list[ClipQuestion] = []
        self.lock = threading.Lock()

    def ask_clip(self, question: ClipQuestion) -> RawAnswer:
        with self.lock:
            self.asked.append(question)
            return RawAnswer(self.answers.pop(0), 1000, 50)


def request(*, stills: tuple[Path, ...] = (), lang: str = "en") -> VerifyRequest:
    instruction = load_verify_instruction(lang)
    return VerifyRequest(
        clip=Path("clip_01.mp4"),
        clip_sha256="ab" * 32,
        model="qwen-vl-max",
        parts=PARTS,
        instruction=instruction.fill(PARTS, stills=bool(stills)),
        instruction_hash=instruction.digest,
        lang=lang,
        stills=stills,
    )


def test_a_valid_answer_is_the_verdict_fences_and_prose_tolerated() -> None:
    verdict = parse_verdict("Here it is:\n```json\n" + json.dumps(GOOD) + "\n```\nDone.")
    assert verdict.defects == (Defect.WATERMARK,)
    assert verdict.subject_category is SubjectCategory.OBJECT
    assert verdict.flagged  # the background does not match
    clean = Verdict.model_validate({**GOOD, "background_matches": True, "defects": []})
    assert not clean.flagged


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"colour": "red"}, "colour"),  # a key not asked for
        ({"effect_shown": "yes"}, "effect_shown"),  # a string where a boolean belongs
        ({"defects": ["sparkles"]}, "defects"),  # a defect not in the list
        ({"defects": "watermark"}, "defects"),  # not a list
        ({"subject_category": "robot"}, "subject_category"),
    ],
)
def test_anything_but_exactly_the_keys_asked_for_is_refused(
    change: dict[str, object], named: str
) -> None:
    with pytest.raises(StructuredAnswerError, match=named):
        parse_verdict(json.dumps({**GOOD, **change}))
    missing = {k: v for k, v in GOOD.items() if k != "effect_note"}
    with pytest.raises(StructuredAnswerError, match="effect_note"):
        parse_verdict(json.dumps(missing))


def test_names_are_read_case_blind() -> None:
    verdict = parse_verdict(
        json.dumps({**GOOD, "defects": [" Logo"], "subject_category": "Animal"})
    )
    assert (verdict.defects, verdict.subject_category) == ((Defect.LOGO,), SubjectCategory.ANIMAL)


def test_the_instruction_carries_the_final_prompt_parts_and_the_stills_line_only_for_kf2v() -> None:
    i2v, kf2v = request(), request(stills=(Path("first.png"), Path("last.png")))
    for req in (i2v, kf2v):
        assert f"SUBJECT (what the video opens on): {PARTS.subject}" in req.instruction
        assert f"BACKGROUND (where it is): {PARTS.background}" in req.instruction
        assert PARTS.effect in req.instruction
        assert "{subject}" not in req.instruction and "[kf2v]" not in req.instruction
    assert "first frame and its last frame" in kf2v.instruction
    assert "first frame and its last frame" not in i2v.instruction
    assert kf2v.question().stills == (Path("first.png"), Path("last.png"))
    zh = request(lang="zh")
    assert f"主体(视频开头展示的):{PARTS.subject}" in zh.instruction


def test_a_part_holding_a_placeholder_is_put_in_as_written() -> None:
    instruction = load_verify_instruction("en")
    parts = PromptParts("p", "a sign reading {effect}", "b", "spins")
    text = instruction.fill(parts, stills=False)
    assert "a sign reading {effect}" in text


def test_a_bad_answer_is_asked_again_with_its_validation_error() -> None:
    provider = Scripted(json.dumps({**GOOD, "effect_shown": "maybe"}), json.dumps(GOOD))
    result = verify_clip(provider, request())
    assert result.verdict is not None and result.problem is None
    assert (result.input_tokens, result.output_tokens) == (2000, 100)  # both asks
    first, second = provider.asked
    assert "Your previous answer was not valid" not in first.text
    assert "effect_shown" in second.text.split("Your previous answer was not valid")[1]


def test_two_bad_answers_make_the_verdict_unreadable_not_an_error() -> None:
    provider = Scripted("I think it matches.", "```json\n{not json\n```")
    result = verify_clip(provider, request())
    assert result.verdict is None
    assert result.problem is not None and result.problem.startswith("verification unreadable")
    assert result.answer == "```json\n{not json\n```"
    assert len(provider.asked) == 2


def test_the_key_is_clip_model_instruction_and_prompt_text() -> None:
    req = request()
    assert req.key == verdict_key("ab" * 32, "qwen-vl-max", req.instruction_hash, PARTS.prompt)
    base = verdict_key("c" * 64, "qwen-vl-max", "i" * 64, "A prompt.")
    for other in (
        verdict_key("d" * 64, "qwen-vl-max", "i" * 64, "A prompt."),
        verdict_key("c" * 64, "qwen-vl-plus", "i" * 64, "A prompt."),
        verdict_key("c" * 64, "qwen-vl-max", "j" * 64, "A prompt."),
        verdict_key("c" * 64, "qwen-vl-max", "i" * 64, "A prompt, edited."),
    ):
        assert other != base
    assert load_verify_instruction("en").digest != load_verify_instruction("zh").digest


def test_a_sample_verdict_says_why_it_is_flagged() -> None:
    from datetime import UTC, datetime

    verdict = Verdict.model_validate({**GOOD, "effect_shown": False})
    seen = SampleVerdict("s", "p", "m", datetime.now(UTC), verdict)
    assert seen.reasons() == [
        "background does not match",
        "effect not shown",
        "defect: watermark",
    ]
    unreadable = SampleVerdict("s", "p", "m", datetime.now(UTC), None, "verification unreadable")
    assert unreadable.flagged and unreadable.reasons() == ["verification unreadable"]
