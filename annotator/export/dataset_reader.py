"""Reading an existing dataset: a DashScope zip or data.jsonl, a DiffSynth metadata.csv, or a
folder of clips with .txt captions (musubi-tuner, diffusion-pipe, ai-toolkit, taggui).

A bad line is one problem with its line number; the other lines are read all the same.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ValidationError

from annotator.errors import AnnotatorError
from annotator.export.models import DataLine
from annotator.export.naming import UnsafeNameError, check_member_name
from annotator.export.safezip import ZipLimits, extract_safely

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

    root: Path
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
        return read_jsonl(source, source.parent)
    if source.is_file() and source.suffix.lower() == ".csv":
        return read_csv(source, source.parent)
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
    if (folder / DATA_JSONL).is_file():
        return read_jsonl(folder / DATA_JSONL, folder)
    if (folder / METADATA_CSV).is_file():
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
        caption = clip.with_suffix(".txt")
        rel = clip.relative_to(folder).as_posix()
        if not caption.is_file():
            dataset.problems.append(ImportProblem(where=rel, message="no .txt caption beside it"))
            continue
        text = _read_text(caption, dataset, caption.relative_to(folder).as_posix())
        if text:
            dataset.items.append(
                ImportedItem(where=caption.name, prompt=text, video_name=rel, video=clip)
            )
    return dataset


def _read_text(path: Path, dataset: Dataset, where: str) -> str | None:
    try:
        text = path.read_text(encoding="utf-8-sig").strip()
    except (OSError, UnicodeDecodeError) as exc:
        dataset.problems.append(ImportProblem(where=where, message=f"unreadable: {exc}"))
        return None
    if not text:
        dataset.problems.append(ImportProblem(where=where, message="empty caption"))
    return text


def read_jsonl(path: Path, root: Path) -> Dataset:
    """data.jsonl: one object per line; each line checked on its own."""
    dataset = Dataset(root=root)
    for number, raw in enumerate(path.read_bytes().split(b"\n"), start=1):
        where = f"{path.name} line {number}"
        line = _parse_line(raw, where, dataset)
        if line is None:
            continue
        files = [_member(root, p, where, dataset) for p in _paths(line)]
        if any(f is False for f in files):
            continue
        first, last, video = (f if isinstance(f, Path) else None for f in files)
        dataset.items.append(
            ImportedItem(
                where=where,
                prompt=line.prompt.strip(),
                video_name=line.video_path,
                video=video,
                first=first,
                last=last,
            )
        )
    return dataset


def _paths(line: DataLine) -> list[str | None]:
    return [line.first_frame_path, line.last_frame_path, line.video_path]


def _parse_line(raw: bytes, where: str, dataset: Dataset) -> DataLine | None:
    try:
        text = raw.decode("utf-8-sig").strip()
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
    if not path.resolve().is_relative_to(root.resolve()):
        message = f"{rel} points outside the dataset (a symbolic link?)"
        dataset.problems.append(ImportProblem(where=where, message=message))
        return False
    if not path.is_file():
        message = f"names {rel}, which is not in the dataset"
        dataset.problems.append(ImportProblem(where=where, message=message))
        return False
    return path


def read_csv(path: Path, root: Path) -> Dataset:
    """DiffSynth-Studio's metadata.csv: ``video,prompt`` (or the older ``file_name,text``)."""
    dataset = Dataset(root=root)
    try:
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DatasetError(f"{path.name} is unreadable: {exc}") from None
    for number, row in enumerate(rows, start=2):  # line 1 is the header
        where = f"{path.name} line {number}"
        name = row.get("video") or row.get("file_name")
        prompt = row.get("prompt") or row.get("text")
        if not name or not prompt:
            message = "needs a video (or file_name) and a prompt (or text) column"
            dataset.problems.append(ImportProblem(where=where, message=message))
            continue
        video = _member(root, name, where, dataset)
        if isinstance(video, Path):
            dataset.items.append(
                ImportedItem(where=where, prompt=prompt.strip(), video_name=name, video=video)
            )
    return dataset
