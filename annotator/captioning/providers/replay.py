"""Recorded captions, for the offline demo and for tests: no key, no network.

The recordings are a JSONL file, one caption per line::

    {"sha256": "..."?, "file": "clip01.mp4", "lang": "en"?,
     "instruction_kind": "freeform" | "structured", "text": "...", "fields": {...}?}

A clip is found by its sha256, else by its file name (so a re-encoded sample
still replays; a hand-written file may leave sha256 out). Among its recordings
the one of the same kind (structured or free-form) is taken, preferring the
instruction's language. README.md ("Replay files") documents the format.

Text questions (``chat``, e.g. ``mine --distill``) are answered from ``{task}.jsonl``
beside the caption recordings (``distill.jsonl``), one answer a line::

    {"lang": "en", "text": "..."}

the answer in the question's language taken, else the first. Questions about a clip
(``ask_clip``, the verify pass) are answered the same way from ``verify.jsonl``, one
answer per clip and language, found like a caption (sha256, else file name)::

    {"sha256": "...", "file": "clip01.mp4", "lang": "en", "text": "{...the verdict...}"}
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ValidationError

from annotator.captioning.base import CaptionRequest, CaptionResult
from annotator.captioning.chat import ChatAnswer, ChatRequest
from annotator.captioning.errors import ProviderError
from annotator.captioning.question import ClipQuestion
from annotator.captioning.structured import RawAnswer, StructuredAnswerError, parse_structured
from annotator.errors import AnnotatorError, plain_problem
from annotator.lang import has_cjk
from annotator.userfiles import read_bytes


class ReplayEntry(BaseModel):
    """One recorded caption."""

    sha256: str = ""  # optional: the file name finds the clip too
    file: str
    lang: str = "en"
    instruction_kind: Literal["freeform", "structured"]
    text: str
    fields: dict[str, str] | None = None


class ChatEntry(BaseModel):
    """One recorded answer to a text question."""

    lang: str = "en"
    text: str


class ClipAnswerEntry(BaseModel):
    """One recorded answer to a question about a clip (a verdict, in ``verify.jsonl``)."""

    sha256: str = ""
    file: str
    lang: str = "en"
    text: str


Recorded = TypeVar("Recorded", bound=BaseModel)


class ReplayFileError(AnnotatorError):
    """A replay file that is missing or holds a line that is no recording; names the file."""


class ReplayMissError(ProviderError):
    """The replay file has no recording for this clip (or none of the kind asked for)."""


def _read_text(path: Path) -> str:
    """A recordings file as UTF-8, opened as a user's file (a pipe is refused, not read)."""
    return read_bytes(path).decode("utf-8")


def _read_lines(
    path: Path, model: type[Recorded], error: type[AnnotatorError], what: str
) -> list[Recorded]:
    """Every line of a JSONL recordings file as MODEL; ERROR names the file and the line."""
    try:
        text = _read_text(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: {exc}") from None
    entries = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                entries.append(model.model_validate(json.loads(line)))
            except json.JSONDecodeError as exc:
                raise error(
                    f"{path}:{number}: not JSON ({exc.msg} at column {exc.colno})"
                ) from None
            except ValidationError as exc:
                raise error(f"{path}:{number}: not {what}: {_field_problem(exc)}") from None
    return entries


def _field_problem(exc: ValidationError) -> str:
    """The first problem of a line, in words that name the field (not pydantic's)."""
    first = exc.errors()[0]
    if not first["loc"]:
        return "a line must be one JSON object"
    field = ".".join(str(part) for part in first["loc"])
    return f"field {field!r} {plain_problem(first)}"


def load_recordings(path: Path) -> list[ReplayEntry]:
    """All entries of a replay file; errors name the file and the line."""
    if not path.exists():
        raise ReplayFileError(f"replay file not found: {path}")
    return _read_lines(path, ReplayEntry, ReplayFileError, "a replay record")


class ReplayProvider:
    """Answers from a recordings file; results say provider "replay"."""

    name = "replay"
    key_env_var = None
    needs_key = False

    def __init__(self, *, path: str | Path, lang: str | None = None) -> None:
        """``path``: the JSONL recordings. ``lang``: prefer this language's recordings
        (default: "zh" when the instruction has Chinese in it, else "en")."""
        self.path = Path(path)
        self.lang = lang
        self._by_sha: dict[str, list[ReplayEntry]] = {}
        self._by_name: dict[str, list[ReplayEntry]] = {}
        for entry in load_recordings(self.path):
            self._by_sha.setdefault(entry.sha256, []).append(entry)
            self._by_name.setdefault(Path(entry.file).name, []).append(entry)

    def caption(self, request: CaptionRequest) -> CaptionResult:
        """The recorded caption for the clip; ReplayMissError if there is none."""
        entry = self._find(request)
        fields = entry.fields
        if request.structured and fields is None:
            try:
                fields = parse_structured(entry.text)
            except StructuredAnswerError:
                fields = None
        return CaptionResult(
            text=entry.text,
            model=f"replayed from {self.path.name}",  # no model wrote it here and now
            input_tokens=None,
            output_tokens=None,
            fields=fields if request.structured else None,
        )

    def chat(self, request: ChatRequest) -> ChatAnswer:
        """The recorded answer for the question's task, in its language if there is one."""
        example = '{"lang": "en", "text": "..."}'
        entries = _recorded_answers(self.path, request.task, ChatEntry, example)
        entry = next((e for e in entries if e.lang == request.lang), entries[0])
        return ChatAnswer(entry.text, self.name, request.model)

    def ask_clip(self, question: ClipQuestion) -> RawAnswer:
        """The recorded answer about the clip for the question's task (``verify.jsonl``),
        found by sha256, else by file name, in the question's language if recorded."""
        example = '{"sha256": "...", "file": "clip.mp4", "lang": "en", "text": "..."}'
        entries = _recorded_answers(self.path, question.task, ClipAnswerEntry, example)
        name = question.clip.name
        found = [e for e in entries if e.sha256 == question.clip_sha256] or [
            e for e in entries if Path(e.file).name == name
        ]
        if not found:
            raise ReplayMissError(
                f"{name}: no recorded {question.task} answer in "
                f"{self.path.with_name(question.task + '.jsonl')} (looked for sha256 "
                f"{question.clip_sha256[:12]}... and file name {name})"
            )
        entry = next((e for e in found if e.lang == question.lang), found[0])
        return RawAnswer(entry.text)

    def answered_as(self, task: str) -> str:
        """The model name an answer for TASK is stored and shown under: the file it is
        replayed from (``verify.jsonl``), as a caption says ``replayed from replay.jsonl``;
        no model wrote it here and now, and it must never pass for one that did."""
        return f"replayed from {self.path.with_name(f'{task}.jsonl').name}"

    def _find(self, request: CaptionRequest) -> ReplayEntry:
        name = request.clip.name
        found = self._by_sha.get(request.clip_sha256) or self._by_name.get(name)
        if not found:
            raise ReplayMissError(
                f"{name}: no recorded caption in {self.path} "
                f"(looked for sha256 {request.clip_sha256[:12]}... and file name {name})"
            )
        kind = "structured" if request.structured else "freeform"
        same_kind = [e for e in found if e.instruction_kind == kind]
        if not same_kind:
            has = ", ".join(sorted({e.instruction_kind for e in found}))
            raise ReplayMissError(
                f"{name}: {self.path} has only {has} captions for this clip, no {kind} one"
            )
        lang = self.lang or ("zh" if has_cjk(request.instruction) else "en")
        return next((e for e in same_kind if e.lang == lang), same_kind[0])


def _recorded_answers(
    beside: Path, task: str, entry: type[Recorded], example: str
) -> list[Recorded]:
    """The recorded answers for TASK: ``{task}.jsonl`` beside the caption recordings, one
    ENTRY a line; ReplayMissError naming the file (and the line) when there are none."""
    path = beside.with_name(f"{task}.jsonl")
    if not path.exists():
        raise ReplayMissError(
            f"{task}: no recorded answers at {path}",
            fix=f"write one JSON line {example} there, or ask a model "
            "with --provider dashscope or openai",
        )
    entries = _read_lines(path, entry, ReplayMissError, "a recorded answer")
    if not entries:
        raise ReplayMissError(f"{task}: {path} holds no answer")
    return entries
