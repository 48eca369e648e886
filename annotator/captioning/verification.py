"""Verify: ask the vision model whether a sample's final prompt matches its own clip.

The guide ends its prompt advice with a manual step: AI captions hallucinate, so a person
checks that each subject and background matches the picture and that every clip shows
the effect the same way. This is the machine's first look, to tell the person where to
look: the clip (for kf2v also its first and last frame) goes to the model with an
instruction (``templates/instructions/verify.{lang}.txt``) that carries the prompt's
subject, background and effect text, and the model answers one JSON object, a
``Verdict``. An answer that does not validate is sent back once with the validation
error; a second bad one makes the verdict "verification unreadable" (kept, flagged).

A verdict is cached by (clip, model, instruction, prompt text): a changed prompt makes
the stored verdict stale, and the next run verifies only the changed ones.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from annotator.captioning.instructions import LANGS, load_instruction_file, templates_dir
from annotator.captioning.question import AsksAboutClips, ClipQuestion
from annotator.captioning.structured import (
    RawAnswer,
    StructuredAnswerError,
    json_object,
    retry_instruction,
    validation_problems,
)
from annotator.verdicts import UNREADABLE, Verdict

TASK = "verify"
# Lines of the instruction file that only a kf2v request keeps (its two stills).
STILLS_TAG = "[kf2v]"
PLACEHOLDERS = ("{subject}", "{background}", "{effect}", "{prompt}")
_PLACEHOLDER = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS))


@dataclass(frozen=True)
class VerifyInstruction:
    """The instruction file's text (placeholders unfilled) and its hash, the provenance
    stored with each verdict."""

    template: str
    lang: str

    @property
    def digest(self) -> str:
        """sha256 of the unfilled text: an edited instruction file is a new instruction."""
        return hashlib.sha256(self.template.encode("utf-8")).hexdigest()

    def fill(self, parts: PromptParts, *, stills: bool) -> str:
        """The text sent: the prompt's parts in their places, the kf2v lines only with
        stills. A part is put in as plain text (never read as a placeholder again)."""
        lines = []
        for line in self.template.splitlines():
            if line.startswith(STILLS_TAG):
                if not stills:
                    continue
                line = line[len(STILLS_TAG) :].lstrip()
            lines.append(line)
        text = "\n".join(lines)
        values = {
            "{subject}": parts.subject,
            "{background}": parts.background,
            "{effect}": parts.effect,
            "{prompt}": parts.prompt,
        }
        # One pass over the text, so a part that holds "{effect}" stays as written.
        return _PLACEHOLDER.sub(lambda m: values[m.group(0)], text)


def load_verify_instruction(lang: str = "en") -> VerifyInstruction:
    """The built-in verify instruction in LANG ("en"/"zh")."""
    if lang not in LANGS:
        raise ValueError(f"unknown instruction language {lang!r}; known: {', '.join(LANGS)}")
    path = templates_dir() / "instructions" / f"{TASK}.{lang}.txt"
    return VerifyInstruction(load_instruction_file(path), lang)


@dataclass(frozen=True)
class PromptParts:
    """The final prompt of a sample and the parts the model checks, as the prompt builder
    placed them (``Prompt.subject``/``.background``, the template part, ``Prompt.text``)."""

    prompt: str
    subject: str
    background: str
    effect: str


@dataclass(frozen=True)
class VerifyRequest:
    """One sample to verify: its clip, stills and the filled instruction."""

    clip: Path
    clip_sha256: str
    model: str
    parts: PromptParts
    instruction: str  # filled
    instruction_hash: str
    lang: str = "en"
    fps: float = 2.0
    stills: tuple[Path, ...] = ()
    clip_key: str | None = None  # the source and its edit, when the clip is an edit

    @property
    def key(self) -> str:
        """The verdict's cache key: (clip, model, instruction, prompt text)."""
        clip = self.clip_key or self.clip_sha256
        return verdict_key(clip, self.model, self.instruction_hash, self.parts.prompt)

    def question(self, text: str | None = None) -> ClipQuestion:
        """The question the provider sends (TEXT: the retry's instruction)."""
        return ClipQuestion(
            self.clip,
            self.clip_sha256,
            text or self.instruction,
            self.model,
            self.fps,
            self.stills,
            TASK,
            self.lang,
        )


def verdict_key(clip_sha256: str, model: str, instruction_hash: str, prompt: str) -> str:
    """A stable id for a verdict: same clip, model, instruction and prompt text, same key."""
    payload = json.dumps(
        [clip_sha256, model, instruction_hash, prompt], ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class VerifyResult:
    """What came back for one request: a verdict, or why there is none (``problem``),
    with the answer as the model wrote it and the tokens of both asks."""

    verdict: Verdict | None
    answer: str
    model: str
    input_tokens: int | None = None
    output_tokens: int | None = None
    problem: str | None = None


def parse_verdict(text: str) -> Verdict:
    """The verdict in an answer (fences and prose around the object tolerated);
    StructuredAnswerError with the problems in one line otherwise."""
    obj = json_object(text)
    try:
        return Verdict.model_validate(obj)
    except ValidationError as exc:
        raise StructuredAnswerError(validation_problems(exc)) from None


def verify_clip(asker: AsksAboutClips, request: VerifyRequest) -> VerifyResult:
    """Ask once; an answer that does not validate is asked again with its validation error;
    a second bad one is a result without a verdict ("verification unreadable")."""
    first = asker.ask_clip(request.question())
    try:
        return _result(request, first, parse_verdict(first.text))
    except StructuredAnswerError as exc:
        problem = str(exc)
    second = asker.ask_clip(request.question(retry_instruction(request.instruction, problem)))
    both = RawAnswer(
        second.text,
        _add(first.input_tokens, second.input_tokens),
        _add(first.output_tokens, second.output_tokens),
    )
    try:
        return _result(request, both, parse_verdict(second.text))
    except StructuredAnswerError as exc:
        return VerifyResult(
            None,
            second.text.strip() or first.text.strip(),
            request.model,
            both.input_tokens,
            both.output_tokens,
            problem=f"{UNREADABLE} after a retry: {exc}",
        )


def _result(request: VerifyRequest, answer: RawAnswer, verdict: Verdict) -> VerifyResult:
    return VerifyResult(
        verdict, answer.text.strip(), request.model, answer.input_tokens, answer.output_tokens
    )


def _add(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else a + b
