"""The vendor's zip layouts and data.jsonl, exactly as wan-finetune-guide.zh.txt shows them.

i2v (first frame): flat at the zip's root::

    data.jsonl  image_1.png  video_1.mp4  image_2.jpg  video_2.mp4 ...
    {"prompt": "...", "first_frame_path": "image_1.png", "video_path": "video_1.mp4"}

kf2v (first and last frame): ``image/`` and ``video/`` folders::

    data.jsonl  image/image_1_first.png  image/image_1_last.png  video/video_1.mp4
    {"prompt": "...", "first_frame_path": "image/image_1_first.png",
     "last_frame_path": "image/image_1_last.png", "video_path": "video/video_1.mp4"}

A validation zip has the same layout without the videos, and lines without video_path.
Files get numbered ASCII names; each image keeps the extension of its real format.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from annotator.basemodels import Mode
from annotator.export.models import DataLine, NameEntry
from annotator.export.naming import IMAGE_EXTENSIONS, number_width, numbered
from annotator.export.plan import ExportEntry
from annotator.export.zipio import ZipMember
from annotator.media import MediaError, probe_image

DATA_JSONL = "data.jsonl"


@dataclass(frozen=True)
class ZipLayout:
    """Everything one zip holds, ready to be measured and written."""

    lines: list[DataLine]
    jsonl: bytes
    members: list[ZipMember]
    names: list[NameEntry]


def jsonl_bytes(lines: Sequence[DataLine]) -> bytes:
    """data.jsonl: one object per line in the guide's key order, UTF-8, non-ASCII unescaped."""
    text = "".join(
        json.dumps(line.model_dump(exclude_none=True), ensure_ascii=False) + "\n" for line in lines
    )
    return text.encode("utf-8")


def image_extension(path: Path) -> str:
    """The extension of the image's real format (a PNG named .jpg leaves as .png)."""
    try:
        fmt = probe_image(path).format
    except MediaError:
        fmt = None
    return IMAGE_EXTENSIONS.get(fmt or "", path.suffix.lower())


def build_layout(entries: Sequence[ExportEntry], mode: Mode, *, with_video: bool) -> ZipLayout:
    """The members, lines and name map of one zip (training when WITH_VIDEO, else validation)."""
    width = number_width(len(entries))
    image_dir, video_dir = ("image/", "video/") if mode is Mode.KF2V else ("", "")
    lines: list[DataLine] = []
    media: list[ZipMember] = []
    names: list[NameEntry] = []
    for index, entry in enumerate(entries, start=1):
        image_stem = numbered("image", index, width)
        if mode is Mode.KF2V:
            first = f"{image_dir}{image_stem}_first{image_extension(entry.first)}"
            assert entry.last is not None
            last: str | None = f"{image_dir}{image_stem}_last{image_extension(entry.last)}"
        else:
            first, last = f"{image_stem}{image_extension(entry.first)}", None
        video = None
        if with_video:
            video = f"{video_dir}{numbered('video', index, width)}{entry.clip.suffix.lower()}"
        lines.append(
            DataLine(
                prompt=entry.prompt, first_frame_path=first, last_frame_path=last, video_path=video
            )
        )
        media.append(ZipMember(first, source=entry.first))
        if last is not None and entry.last is not None:
            media.append(ZipMember(last, source=entry.last))
        if video is not None:
            media.append(ZipMember(video, source=entry.clip))
        names.append(
            NameEntry(
                sample_id=entry.sample.id,
                split=entry.split,
                clip=entry.sample.path,
                video=video,
                first_frame_source=entry.sample.first_frame,
                first_frame=first,
                last_frame_source=entry.sample.last_frame if last else None,
                last_frame=last,
            )
        )
    data = jsonl_bytes(lines)
    members = [ZipMember(DATA_JSONL, data=data), *media]
    return ZipLayout(lines=lines, jsonl=data, members=members, names=names)
