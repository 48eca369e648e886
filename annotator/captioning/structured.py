"""Turning a model's answer into a CaptionResult, with one retry for bad JSON.

Network providers only know how to ask a question and return the raw text
(``Ask``); ``complete`` does the rest the same way for all of them: free-form
answers must not be empty, structured answers must parse into
subject/background/motion, and a structured answer that fails is asked for
once more with the validation error appended before it is kept and flagged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from annotator.captioning.base import CaptionRequest, CaptionResult
from annotator.captioning.errors import BadAnswerError
from annotator.lang import has_cjk

FIELDS = ("subject", "background", "motion")
_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.DOTALL)


class StructuredCaption(BaseModel):
    """The JSON a structured instruction asks for; extra keys are ignored."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    subject: str = Field(min_length=1)
    background: str = Field(min_length=1)
    motion: str = Field(min_length=1)


class StructuredAnswerError(ValueError):
    """The answer is not the JSON object asked for; the message says why, briefly."""


@dataclass
class RawAnswer:
    """One answer as the server sent it, with the token counts it reported."""

    text: str
    input_tokens: int | None = None
    output_tokens: int | None = None


Ask = Callable[[str], RawAnswer]


def parse_structured(text: str) -> dict[str, str]:
    """Subject/background/motion from an answer; tolerates ```json fences and prose around it."""
    obj = json_object(text)
    try:
        caption = StructuredCaption.model_validate(obj)
    except ValidationError as exc:
        raise StructuredAnswerError(validation_problems(exc)) from None
    return {name: getattr(caption, name) for name in FIELDS}


def json_object(text: str) -> dict[str, Any]:
    """The first JSON object in a model's answer: inside ```json fences if there are any,
    prose before and after it ignored. StructuredAnswerError says why there is none."""
    fenced = _FENCE.search(text)
    candidate = fenced.group(1) if fenced else text
    start = candidate.find("{")
    if start < 0:
        raise StructuredAnswerError("the answer holds no JSON object")
    try:
        # raw_decode stops at the end of the first object, so prose after it is fine.
        obj, _ = json.JSONDecoder().raw_decode(candidate, start)
    except json.JSONDecodeError as exc:
        raise StructuredAnswerError(
            f"the JSON does not parse: {exc.msg} at char {exc.pos}"
        ) from None
    if not isinstance(obj, dict):
        raise StructuredAnswerError("the JSON is not an object")
    return obj


def validation_problems(exc: ValidationError) -> str:
    """A pydantic error in a line the model can act on: each field and what is wrong."""
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or 'answer'}: {err['msg']}" for err in exc.errors()
    )


def retry_instruction(instruction: str, problem: str) -> str:
    """The instruction again, with what was wrong with the first answer appended."""
    if has_cjk(instruction):
        note = f"你上一次的回答无效:{problem}。请重新回答,只输出所要求的 JSON 对象。"
    else:
        note = (
            f"Your previous answer was not valid: {problem}. "
            "Answer again with ONLY the JSON object asked for."
        )
    return f"{instruction}\n\n{note}"


def _add(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else a + b


def complete(request: CaptionRequest, ask: Ask) -> CaptionResult:
    """Ask for a caption and check it; one extra ask for a structured answer that fails."""
    first = ask(request.instruction)
    if not request.structured:
        text = first.text.strip()
        if not text:
            raise BadAnswerError(f"{request.clip.name}: the model returned an empty answer")
        return CaptionResult(text, request.model, first.input_tokens, first.output_tokens)
    try:
        fields = parse_structured(first.text)
        return _structured_result(request, first, fields)
    except StructuredAnswerError as exc:
        problem = str(exc)
    second = ask(retry_instruction(request.instruction, problem))
    tokens_in = _add(first.input_tokens, second.input_tokens)
    tokens_out = _add(first.output_tokens, second.output_tokens)
    merged = RawAnswer(second.text, tokens_in, tokens_out)
    try:
        return _structured_result(request, merged, parse_structured(second.text))
    except StructuredAnswerError as exc:
        text = second.text.strip() or first.text.strip()
        if not text:
            raise BadAnswerError(
                f"{request.clip.name}: the model returned an empty answer twice"
            ) from None
        return CaptionResult(
            text,
            request.model,
            tokens_in,
            tokens_out,
            flagged=f"structured answer invalid after retry: {exc}",
        )


def _structured_result(
    request: CaptionRequest, answer: RawAnswer, fields: dict[str, str]
) -> CaptionResult:
    # The text of a valid structured answer is the canonical JSON, so it reads the
    # same whatever fences or prose the model wrapped around it.
    text = json.dumps(fields, ensure_ascii=False)
    return CaptionResult(
        text, request.model, answer.input_tokens, answer.output_tokens, fields=fields
    )
