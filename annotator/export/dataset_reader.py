"""Reading an existing dataset: a DashScope zip or data.jsonl, a DiffSynth metadata.csv, or a
folder of clips with .txt captions (musubi-tuner, diffusion-pipe, ai-toolkit, taggui).

A bad line is one problem with its line number; the other lines are read all the same.
Every file is opened as ``annotator.userfiles`` allows: a regular file, and never through
a symbolic link that leads out of the dataset's folder. Text is UTF-8 (a BOM is fine);
UTF-16 is read when it has a BOM or when its NUL bytes show it; other NUL bytes refuse it.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ValidationError

from annotator.errors import AnnotatorError
from annotator.export.models import DataLine
from annotator.export.naming import UnsafeNameError, check_member_name
from annotator.export.safezip import ZipLimits, extract_safely
from annotator.export.trainers import restore_cell
from annotator.userfiles import UserFileError, check_file, read_bytes

DATA_JSONL = "data.jsonl"
METADATA_CSV = "metadata.csv"
CLIP_SUFFIXES = (".mp4", ".mov")


class ImportProblem(BaseModel):
    """One line or file that could not be imported, and why."""

    where: str
    message: str


class DatasetError(AnnotatorError, ValueError):
    """The whole source is refused (unsafe zip, no data.jsonl, unreadable file)."""


@dataclass(frozen=True)
class ImportedItem:
    """One sample of the dataset: its prompt and its files, as paths on disk."""

    where: str  # "data.jsonl line 3" or the caption file's name, for messages
    prompt: str
    video_name: str | None
    video: Path | None
    first: Path | None = None
    last: Path | None = None


@dataclass
class Dataset:
    """What a source held."""

    root: Path  # every file of the dataset is under it
    items: list[ImportedItem] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)


def read_source(source: Path, scratch: Path, limits: ZipLimits | None = None) -> Dataset:
    """Read SOURCE; a zip is checked and extracted into SCRATCH (a temporary folder) first."""
    if not source.exists():
        raise DatasetError(f"{source} does not exist")
    if source.is_file() and source.suffix.lower() == ".zip":
        extract_safely(source, scratch, limits)
        return read_folder(_dataset_root(scratch, source.name), label=source.name)
    if source.is_file() and source.name.lower().endswith(".jsonl"):
        return read_jsonl(source, source.parent, own=False)
    if source.is_file() and source.suffix.lower() == ".csv":
        return read_csv(source, source.parent, own=False)
    if source.is_dir():
        return read_folder(source, label=source.name)
    raise DatasetError(
        f"{source.name}: give a dataset .zip, a data.jsonl, a metadata.csv or a folder"
    )


def _dataset_root(folder: Path, label: str) -> Path:
    # Zips made by hand often wrap everything in one folder: accept exactly one such level.
    if (folder / DATA_JSONL).is_file():
        return folder
    found = [p.parent for p in folder.glob(f"*/{DATA_JSONL}")]
    if len(found) == 1:
        return found[0]
    raise DatasetError(f"{label} has no data.jsonl at its root: it is not a DashScope dataset")


def read_folder(folder: Path, label: str) -> Dataset:
    """A folder: data.jsonl, else metadata.csv, else clips with .txt captions beside them."""
    if os.path.lexists(folder / DATA_JSONL):
        return read_jsonl(folder / DATA_JSONL, folder)
    if os.path.lexists(folder / METADATA_CSV):
        return read_csv(folder / METADATA_CSV, folder)
    dataset = Dataset(root=folder)
    clips = sorted(
        p
        for p in folder.rglob("*")
        if p.suffix.lower() in CLIP_SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )
    if not clips:
        raise DatasetError(f"{label} holds no data.jsonl, no metadata.csv and no MP4/MOV clip")
    for clip in clips:
        rel = clip.relative_to(folder).as_posix()
        try:
            check_file(clip, folder)
        except OSError as exc:
            dataset.problems.append(ImportProblem(where=rel, message=_reason(exc)))
            continue
        caption = clip.with_suffix(".txt")
        if not os.path.lexists(caption):
            dataset.problems.append(ImportProblem(where=rel, message="no .txt caption beside it"))
            continue
        text = _read_text(caption, dataset, caption.relative_to(folder).as_posix())
        if text:
            dataset.items.append(
                ImportedItem(where=caption.name, prompt=text, video_name=rel, video=clip)
            )
    return dataset


def _reason(exc: OSError) -> str:
    """An OS error in plain words, without the path."""
    if isinstance(exc, UserFileError):
        return str(exc)
    return f"unreadable: {exc.strerror or exc}"


class _TextError(ValueError):
    """Bytes that are not text this reader takes; the message says why and what to do."""


def _utf16(data: bytes) -> str | None:
    """The UTF-16 codec DATA is in: a BOM says so, or the NUL bytes do.

    Latin letters, digits and punctuation in UTF-16 are their byte and a zero byte, so in
    UTF-16 text without a BOM the zeros fall on one side of every pair (odd places: little
    endian) and are many. A stray NUL in UTF-8 text does neither, and stays an error.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if len(data) % 2 or b"\x00" not in data:
        return None
    odd, even = data[1::2].count(0), data[0::2].count(0)
    many, few = max(odd, even), min(odd, even)
    # Some CJK characters have a zero byte too (U+5F00 开): far fewer, on either side.
    if many < max(1, len(data) // 20) or few * 2 >= many:
        return None
    return "utf-16-le" if odd > even else "utf-16-be"


def decode_text(data: bytes) -> str:
    """DATA as text: UTF-8 (with or without a BOM), or UTF-16 when it is that.

    Raises ``_TextError`` for other bytes and for text that still holds NUL characters.
    """
    codec = _utf16(data)
    try:
        text = data.decode(codec or "utf-8-sig")
    except UnicodeDecodeError:
        raise _TextError("not UTF-8 text: save it as UTF-8") from None
    if "\x00" in text:
        raise _TextError("holds NUL bytes and is not UTF-16 text: save it as UTF-8")
    return text


def is_blank(text: str) -> bool:
    """True when TEXT has nothing a person can read: spaces, zero-width and control characters."""
    return all(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf") for ch in text)


def _read_text(path: Path, dataset: Dataset, where: str) -> str | None:
    try:
        text = decode_text(read_bytes(path, dataset.root)).strip()
    except OSError as exc:
        dataset.problems.append(ImportProblem(where=where, message=_reason(exc)))
        return None
    except _TextError as exc:
        dataset.problems.append(ImportProblem(where=where, message=str(exc)))
        return None
    if is_blank(text):
        dataset.problems.append(ImportProblem(where=where, message="empty caption"))
        return None
    return text


def _read_whole(path: Path, root: Path, own: bool) -> bytes:
    """The bytes of the dataset's own file (under ROOT when OWN), or ``DatasetError``."""
    try:
        return read_bytes(path, root if own else None)
    except OSError as exc:
        raise DatasetError(f"{path.name}: {_reason(exc)}") from None


def read_jsonl(path: Path, root: Path, *, own: bool = True) -> Dataset:
    """data.jsonl: one object per line; each line checked on its own.

    OWN: the file is part of the folder ROOT (a link out of it is refused); False when the
    user named the file itself.
    """
    dataset = Dataset(root=root)
    data = _read_whole(path, root, own)
    lines: Sequence[bytes | str] = data.split(b"\n")
    if _utf16(data) is not None:
        try:
            lines = decode_text(data).split("\n")
        except _TextError as exc:
            raise DatasetError(f"{path.name}: {exc}") from None
    for number, raw in enumerate(lines, start=1):
        where = f"{path.name} line {number}"
        line = _parse_line(raw, where, dataset)
        if line is None:
            continue
        prompt = line.prompt.strip()
        if is_blank(prompt):
            dataset.problems.append(ImportProblem(where=where, message="empty prompt"))
            continue
        files = [_member(root, p, where, dataset) for p in _paths(line)]
        if any(f is False for f in files):
            continue
        first, last, video = (f if isinstance(f, Path) else None for f in files)
        dataset.items.append(
            ImportedItem(
                where=where,
                prompt=prompt,
                video_name=line.video_path,
                video=video,
                first=first,
                last=last,
            )
        )
    return dataset


def _paths(line: DataLine) -> list[str | None]:
    return [line.first_frame_path, line.last_frame_path, line.video_path]


def _parse_line(raw: bytes | str, where: str, dataset: Dataset) -> DataLine | None:
    try:
        text = (raw if isinstance(raw, str) else raw.decode("utf-8-sig")).strip()
    except UnicodeDecodeError:
        dataset.problems.append(ImportProblem(where=where, message="not UTF-8 text"))
        return None
    if not text:
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        message = f"not valid JSON ({exc.msg} at column {exc.colno})"
        dataset.problems.append(ImportProblem(where=where, message=message))
        return None
    except RecursionError:  # [[[[...]]]] deeper than the parser's stack: this line only
        message = "not valid JSON (nested too deeply)"
        dataset.problems.append(ImportProblem(where=where, message=message))
        return None
    if not isinstance(data, dict):
        dataset.problems.append(ImportProblem(where=where, message="not a JSON object"))
        return None
    try:
        return DataLine.model_validate(data)
    except ValidationError as exc:
        dataset.problems.append(ImportProblem(where=where, message=_explain(exc)))
        return None


def _explain(exc: ValidationError) -> str:
    allowed = ", ".join(DataLine.model_fields)
    parts = []
    for error in exc.errors():
        key = ".".join(str(x) for x in error["loc"])
        if error["type"] == "extra_forbidden":
            parts.append(f"unknown key {key!r} (keys: {allowed})")
        elif error["type"] == "missing":
            parts.append(f"missing key {key!r}")
        else:
            parts.append(f"{key}: {error['msg']}")
    return "; ".join(parts)


def _member(root: Path, rel: str | None, where: str, dataset: Dataset) -> Path | bool | None:
    """The file REL names under ROOT; None when REL is None; False after a problem."""
    if rel is None:
        return None
    try:
        check_member_name(rel)
    except UnsafeNameError as exc:
        dataset.problems.append(ImportProblem(where=where, message=f"unsafe path {exc}"))
        return False
    path = root / rel
    try:
        check_file(path, root)
    except FileNotFoundError:
        message = f"names {rel}, which is not in the dataset"
        dataset.problems.append(ImportProblem(where=where, message=message))
        return False
    except OSError as exc:
        dataset.problems.append(ImportProblem(where=where, message=f"{rel}: {_reason(exc)}"))
        return False
    return path


def read_csv(path: Path, root: Path, *, own: bool = True) -> Dataset:
    """DiffSynth-Studio's metadata.csv: ``video,prompt`` (or the older ``file_name,text``).

    A cell export wrote after a ``'`` (so that a spreadsheet does not run it) is read back
    without it. OWN: as for ``read_jsonl``.
    """
    dataset = Dataset(root=root)
    try:
        text = decode_text(_read_whole(path, root, own))
        rows = list(csv.DictReader(io.StringIO(text)))
    except (_TextError, csv.Error) as exc:
        raise DatasetError(f"{path.name} is unreadable: {exc}") from None
    for number, row in enumerate(rows, start=2):  # line 1 is the header
        where = f"{path.name} line {number}"
        name = row.get("video") or row.get("file_name")
        prompt = row.get("prompt") or row.get("text")
        if not name or not prompt:
            message = "needs a video (or file_name) and a prompt (or text) column"
            dataset.problems.append(ImportProblem(where=where, message=message))
            continue
        prompt = restore_cell(prompt.strip())
        if is_blank(prompt):
            dataset.problems.append(ImportProblem(where=where, message="empty prompt"))
            continue
        name = restore_cell(name)
        video = _member(root, name, where, dataset)
        if isinstance(video, Path):
            dataset.items.append(
                ImportedItem(where=where, prompt=prompt, video_name=name, video=video)
            )
    return dataset
