"""The dataset rules for one sample: each a small function returning its findings."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from annotator.basemodels import BaseModel as WanBaseModel
from annotator.checks.findings import Finding, Severity
from annotator.checks.findings import sample_finding as _finding
from annotator.checks.fixes import container_label
from annotator.media import MediaError, probe_image
from annotator.shellcmd import command
from annotator.workspace import Sample

MAX_SIDE = 4096
# FFmpeg's name for the one demuxer that reads both MP4 and MOV.
MP4_MOV_CONTAINER = "mov,mp4,m4a,3gp,3g2,mj2"
IMAGE_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "BMP"})
IMAGE_SUFFIX_FORMAT = {
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".png": "PNG",
    ".webp": "WEBP",
    ".bmp": "BMP",
}
SAFE_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class SampleContext:
    """What the rules need besides the sample."""

    root: Path
    base_model: WanBaseModel


Rule = Callable[[Sample, SampleContext], Iterator[Finding]]


def container_format(sample: Sample, ctx: SampleContext) -> Iterator[Finding]:
    """Clips must be MP4 or MOV, by content and not only by name."""
    container = sample.probe.container if sample.probe else ""
    if container and container != MP4_MOV_CONTAINER:
        suffix = Path(sample.path).suffix
        kind = container_label(container)
        yield _finding(
            sample,
            "clip-mislabelled",
            Severity.ERROR,
            f"named {suffix} but the file is {kind}"
            if suffix.lower() in (".mp4", ".mov")
            else f"the clip is {kind}; the service takes MP4 or MOV",
            f"run {command('fix', ctx.root)}: it converts it to MP4 (H.264), the source stays",
        )


def clip_resolution(sample: Sample, ctx: SampleContext) -> Iterator[Finding]:
    """Clips at most 4096x4096."""
    if sample.probe is None:
        return
    width, height = sample.probe.width, sample.probe.height
    if width > MAX_SIDE or height > MAX_SIDE:
        yield _finding(
            sample,
            "clip-resolution",
            Severity.ERROR,
            f"clip is {width}x{height}, above the {MAX_SIDE}x{MAX_SIDE} limit",
            f"run {command('fix', ctx.root)} to scale it down so that both sides are at most "
            f"{MAX_SIDE}",
        )


def clip_duration(sample: Sample, ctx: SampleContext) -> Iterator[Finding]:
    """Clip length within the base model's limits."""
    if sample.probe is None:
        return
    duration = sample.probe.duration_s
    model = ctx.base_model
    if duration < model.min_duration_s:
        yield _finding(
            sample,
            "clip-too-short",
            Severity.ERROR,
            f"clip lasts {duration:.2f} s; {model.name} takes {model.min_duration_s:g}"
            f"-{model.max_duration_s:g} s",
            f"use a clip of at least {model.min_duration_s:g} s",
        )
    elif duration > model.max_duration_s:
        yield _finding(
            sample,
            "clip-too-long",
            Severity.ERROR,
            f"clip lasts {duration:.2f} s; {model.name} takes {model.min_duration_s:g}"
            f"-{model.max_duration_s:g} s",
            f"run {command('fix', ctx.root)} to cut it to {model.max_duration_s:g} s, or choose "
            f"the part: {command('trim', ctx.root, sample.path)} --start S --end E; longer "
            "clips teach a cut-off motion",
        )


def file_name(sample: Sample, ctx: SampleContext) -> Iterator[Finding]:
    """Names of ASCII letters, digits, _ and - (export renames the others: information)."""
    stem = Path(sample.path).stem
    if not SAFE_NAME.match(stem):
        yield _finding(
            sample,
            "file-name",
            Severity.INFO,  # export renames it: nothing for the user to do
            f"file name {Path(sample.path).name!r} has characters outside A-Z a-z 0-9 _ -",
            "nothing to do: export renames it to a safe name (or rename it yourself)",
        )


def black_borders(sample: Sample, ctx: SampleContext) -> Iterator[Finding]:
    """No letterbox or pillarbox: the model would learn the bars as part of the effect."""
    borders = sample.probe.black_borders if sample.probe else None
    if borders is not None:
        sides = ", ".join(
            f"{side} {px}px"
            for side, px in (
                ("top", borders.top),
                ("bottom", borders.bottom),
                ("left", borders.left),
                ("right", borders.right),
            )
            if px
        )
        yield _finding(
            sample,
            "black-borders",
            Severity.WARNING,
            f"black borders on every sampled frame ({sides})",
            f"run {command('fix', ctx.root)} to crop the bars away; the model learns them "
            "as part of the effect",
        )


def frames(sample: Sample, ctx: SampleContext) -> Iterator[Finding]:
    """The first (and last) frame images: present, a taken format, at most 4096x4096."""
    if sample.error:
        yield _finding(sample, "frame-missing", Severity.ERROR, sample.error, "check the clip")
    for label, rel in (("first frame", sample.first_frame), ("last frame", sample.last_frame)):
        if rel is None:
            continue
        path = ctx.root / rel
        try:
            image = probe_image(path)
        except MediaError as exc:
            yield _image_finding(
                sample, rel, "image-unreadable", f"{label} image {exc}", "replace it"
            )
            continue
        if image.format not in IMAGE_FORMATS:
            yield _image_finding(
                sample,
                rel,
                "image-format",
                f"{label} image is {image.format}; the service takes BMP, JPEG, PNG, WEBP",
                "save it as PNG or JPEG",
            )
        elif IMAGE_SUFFIX_FORMAT.get(path.suffix.lower()) != image.format:
            yield _image_finding(
                sample,
                rel,
                "image-mislabelled",
                f"{label} image is named {path.suffix} but holds {image.format}",
                f"rename it to the {image.format} extension",
                Severity.WARNING,
            )
        if image.width > MAX_SIDE or image.height > MAX_SIDE:
            yield _image_finding(
                sample,
                rel,
                "image-resolution",
                f"{label} image is {image.width}x{image.height}, above {MAX_SIDE}x{MAX_SIDE}",
                f"scale it down so that both sides are at most {MAX_SIDE}",
            )


def _image_finding(
    sample: Sample,
    rel: str,
    code: str,
    message: str,
    fix: str,
    severity: Severity = Severity.ERROR,
) -> Finding:
    return Finding(
        code=code, severity=severity, message=message, fix=fix, path=rel, sample_id=sample.id
    )


SAMPLE_RULES: tuple[Rule, ...] = (
    container_format,
    clip_resolution,
    clip_duration,
    file_name,
    black_borders,
    frames,
)
