"""Layouts of open trainers, so the same annotations train the open Wan models locally.

Checked against each project's own documentation:

- musubi-tuner (kohya-ss/musubi-tuner, docs/dataset_config.md, "Sample for Video Dataset
  with Caption Text Files"): ``video_directory`` holds ``video1.mp4`` with its caption
  in ``video1.txt`` (``caption_extension``); per dataset ``target_frames`` /
  ``frame_extraction`` / ``max_frames`` / ``source_fps`` (a decimal, e.g. ``16.0``);
  ``full`` extraction is the one it recommends "when each video represents a single
  complete motion", which an effect clip is; Wan frame counts are N*4+1.
- diffusion-pipe (tdrussell/diffusion-pipe, examples/dataset.toml): ``[[directory]]``
  with ``path`` to media whose captions are ``.txt`` files of the same name, top-level
  ``resolutions``, ``enable_ar_bucket``, ``min_ar``/``max_ar``/``num_ar_buckets`` and
  ``frame_buckets`` (a video goes to the longest bucket it fills; 1 is for images).
- DiffSynth-Studio (modelscope/DiffSynth-Studio, docs/Pipeline_Usage/Model_Training.md
  and examples/wanvideo/model_training/train.py): ``metadata.csv`` beside the media with
  a file column and ``prompt``; ``--dataset_metadata_path``; with
  ``--extra_inputs input_image,end_image`` the trainer takes the first and last frame
  from the video itself, so no image column is needed.

All three read the first (and last) frame from the clip: a sidecar image that differs
from the clip's own frame is not used by them.
"""

from __future__ import annotations

import csv
import io
import json
import math
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path

from annotator.basemodels import BaseModel as WanBaseModel
from annotator.export.models import ExportFormat, NameEntry
from annotator.export.naming import number_width, numbered
from annotator.export.plan import ExportEntry
from annotator.userfiles import open_file

WAN_FPS = 16  # the frame rate Wan 2.1/2.2 train at (musubi-tuner's docs)
MUSUBI_TOML = "musubi_dataset.toml"
DIFFUSION_PIPE_TOML = "diffusion_pipe_dataset.toml"
DIFFSYNTH_CSV = "metadata.csv"
VIDEO_DIR = "videos"
# A cell a spreadsheet would take for a formula (OWASP's list: = + - @, tab and CR).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_CHUNK = 1 << 20


def _toml_str(value: str) -> str:
    # A JSON string is a valid TOML basic string (same escapes, \uXXXX included).
    return json.dumps(value, ensure_ascii=False)


def max_frames(model: WanBaseModel) -> int:
    """The clip length the model targets, in frames at 16 fps, as N*4+1 (5 s: 81)."""
    frames = int(model.max_duration_s * WAN_FPS)
    return 4 * math.ceil(frames / 4) + 1


def common_fps(entries: Sequence[ExportEntry]) -> float | None:
    """The clips' frame rate when they all share one, else None."""
    rates = {round(e.sample.probe.fps, 3) if e.sample.probe else 0.0 for e in entries}
    return rates.pop() if len(rates) == 1 and 0 not in rates else None


def musubi_toml(folder: Path, model: WanBaseModel, fps: float | None) -> str:
    """musubi-tuner's dataset config for the clips in FOLDER/videos."""
    lines = [
        "# musubi-tuner dataset config written by annotator; see musubi-tuner's",
        "# docs/dataset_config.md. Use with --dataset_config this file.",
        "[general]",
        "resolution = [832, 480]  # Wan's 480p; buckets keep each clip's aspect ratio",
        'caption_extension = ".txt"',
        "batch_size = 1",
        "enable_bucket = true",
        "bucket_no_upscale = false",
        "",
        "[[datasets]]",
        f"video_directory = {_toml_str((folder / VIDEO_DIR).as_posix())}",
        f"cache_directory = {_toml_str((folder / 'cache').as_posix())}",
        '# "full": each clip is one complete motion of the effect',
        'frame_extraction = "full"',
        f"max_frames = {max_frames(model)}",
    ]
    if fps is not None:
        lines.append(f"source_fps = {fps:.1f}  # the clips' rate; frames are skipped to 16 fps")
    return "\n".join(lines) + "\n"


def diffusion_pipe_toml(folder: Path, model: WanBaseModel) -> str:
    """diffusion-pipe's dataset config for the same clip + .txt pairs."""
    frames = max_frames(model)
    return "\n".join(
        [
            "# diffusion-pipe dataset config written by annotator; see diffusion-pipe's",
            "# examples/dataset.toml. Set dataset = this file in the training config.",
            "resolutions = [480]",
            "enable_ar_bucket = true",
            "min_ar = 0.5",
            "max_ar = 2.0",
            "num_ar_buckets = 7",
            f"# a clip goes to the longest bucket it fills; {frames} frames is the whole motion",
            f"frame_buckets = [1, 33, 65, {frames}]",
            "",
            "[[directory]]",
            f"path = {_toml_str((folder / VIDEO_DIR).as_posix())}",
            "num_repeats = 1",
            "",
        ]
    )


def neutralise_cell(text: str) -> str:
    """TEXT as a spreadsheet shows it as text: a leading ' before = + - @ tab or CR."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def restore_cell(text: str) -> str:
    """The cell ``neutralise_cell`` was given (import reads back what export wrote)."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def formula_cells(texts: Iterable[str]) -> int:
    """How many of TEXTS ``neutralise_cell`` changes."""
    return sum(text.startswith(FORMULA_STARTS) for text in texts)


def diffsynth_csv(rows: Sequence[tuple[str, str]]) -> bytes:
    """DiffSynth-Studio's metadata.csv: ``video,prompt``, UTF-8, one row per clip.

    People open it in a spreadsheet to proofread the prompts: a cell that would run as a
    formula there (``=cmd|...``) is written after a ``'``, which import removes again.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["video", "prompt"])
    writer.writerows([neutralise_cell(c) for c in row] for row in rows)
    return buffer.getvalue().encode("utf-8")


def copy_clip(source: Path, dest: Path) -> None:
    """Copy a clip of the workspace, opened as every user file is (a regular file only)."""
    with open_file(source) as src, dest.open("xb") as dst:
        shutil.copyfileobj(src, dst, _CHUNK)


def write_folder(
    staged: Path,
    final: Path,
    fmt: ExportFormat,
    entries: Sequence[ExportEntry],
    model: WanBaseModel,
) -> list[NameEntry]:
    """Fill STAGED (renamed to FINAL later) with the clips, captions and configs of FMT."""
    width = number_width(len(entries))
    media_dir = staged / VIDEO_DIR if fmt is ExportFormat.MUSUBI else staged
    media_dir.mkdir(parents=True, exist_ok=True)
    rows: list[tuple[str, str]] = []
    names: list[NameEntry] = []
    for index, entry in enumerate(entries, start=1):
        stem = numbered("video", index, width)
        name = f"{stem}{entry.clip.suffix.lower()}"
        copy_clip(entry.clip, media_dir / name)
        if fmt is ExportFormat.MUSUBI:
            (media_dir / f"{stem}.txt").write_text(entry.prompt + "\n", encoding="utf-8")
            rel = f"{VIDEO_DIR}/{name}"
        else:
            rows.append((name, entry.prompt))
            rel = name
        entry_name = NameEntry(
            sample_id=entry.sample.id, split=entry.split, clip=entry.sample.path, video=rel
        )
        names.append(entry_name)
    if fmt is ExportFormat.MUSUBI:
        (staged / MUSUBI_TOML).write_text(
            musubi_toml(final, model, common_fps(entries)), encoding="utf-8"
        )
        (staged / DIFFUSION_PIPE_TOML).write_text(
            diffusion_pipe_toml(final, model), encoding="utf-8"
        )
    else:
        (staged / DIFFSYNTH_CSV).write_bytes(diffsynth_csv(rows))
    return names
