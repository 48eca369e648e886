"""The clip-quality rules (issue 13): what a person catches at once on real footage.

Each clip's analysis (``ClipQuality``: sampled frames' hashes and looks, text, overlays,
sharpness, noise) comes in from the pipeline, keyed by sample id; these rules judge it
against the guide's purity rules, against the base model and against the rest of the
set. Severities follow the guide and what export must refuse:

- error: the same video twice (it weighs double, and one copy may land in validation); a
  black or uniform first frame (i2v is conditioned on it: it carries nothing), or last
  frame for kf2v;
- warning: burned-in subtitles, captions, logos or watermarks, a static overlay, a title
  card, a clip much blurrier or noisier than the rest (the guide: the model learns them as
  part of the effect);
- info: a resolution far below the 480P the base models generate (under 288 on the short
  side and 640 on the long: 240p and 256p footage). The guide asks for
  many resolutions and the service trains at ``max_pixels`` (192x192 for wan2.5), so a
  small clip is worth a look, not a refusal.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from annotator.basemodels import BaseModel as WanBaseModel
from annotator.checks.findings import Finding, Severity
from annotator.checks.findings import sample_finding as _finding
from annotator.media.quality import ClipQuality, FrameLook, TextKind, likeness
from annotator.shellcmd import command
from annotator.workspace import Sample

DUPLICATE = "duplicate-video"
NEAR_DUPLICATE = "near-duplicate-video"
FLAT_FIRST = "flat-first-frame"
FLAT_LAST = "flat-last-frame"
SUBTITLES = "burned-in-subtitles"
CAPTION = "burned-in-caption"
LOGO_TEXT = "logo-text"
OVERLAY = "static-overlay"
LOW_RESOLUTION = "low-resolution"
BLURRY = "blurry-clip"
NOISY = "noisy-clip"

# Wan's base models generate 480P and 720P: a clip under 288 on its short side (60% of
# 480; 240p, 256p footage) and under 640 on its long side is far below what they generate
# (a wide film frame as wide as 720p, 1280x272, is not). Info only: the service trains at
# max_pixels, so such a clip is worth a look, not a refusal.
LOW_SHORT_SIDE = 288
LOW_LONG_SIDE = 640
# A near-duplicate: half the sampled frames alike in time order (a copy trimmed, cut or
# drawn over: on 35 real clips such copies matched 4-5 of 8, unrelated clips none), and
# at least NEAR_MIN of them.
NEAR_SHARE = 0.5
NEAR_MIN = 3
# The same video lasts the same: within this share of the longer (or two frames).
SAME_LENGTH_SHARE = 0.02
# Outliers of the set: a robust z-score (median and MAD of the logarithm) beyond this, and
# a ratio to the median beyond the next two, among at least MIN_SET analysed clips.
OUTLIER_Z = 3.5
BLUR_RATIO = 1 / 3
NOISE_RATIO = 2.0
NOISE_FLOOR = 2.0  # grey levels: noise under this is not seen, whatever the set's median
MIN_SET = 5
_TEXT_CODES = {TextKind.SUBTITLES: SUBTITLES, TextKind.CAPTION: CAPTION, TextKind.LOGO: LOGO_TEXT}


@dataclass(frozen=True)
class _Clip:
    sample: Sample
    quality: ClipQuality

    @property
    def pixels(self) -> int:
        return self.quality.width * self.quality.height


def quality_findings(
    samples: Sequence[Sample],
    quality: Mapping[str, ClipQuality],
    base_model: WanBaseModel,
    root: Path,
) -> list[Finding]:
    """The findings of the clip-quality rules over SAMPLES (those that count) whose
    analysis QUALITY holds (by sample id); a sample without one is not judged here. ROOT,
    the workspace, is named in the commands a fix suggests."""
    clips = [_Clip(s, quality[s.id]) for s in samples if s.id in quality]
    findings: list[Finding] = []
    for clip in clips:
        findings.extend(_frames(clip, base_model, root))
        findings.extend(_text(clip))
        findings.extend(_overlays(clip))
    findings.extend(_low_resolution(samples, quality, base_model))
    findings.extend(_duplicates(clips))
    findings.extend(_outliers(clips))
    return findings


def _frames(clip: _Clip, model: WanBaseModel, root: Path) -> Iterator[Finding]:
    """A first frame (and for kf2v a last frame) that carries nothing."""
    sample, q = clip.sample, clip.quality
    if q.first_look is not None:
        yield _finding(
            sample,
            FLAT_FIRST,
            Severity.WARNING if q.first_look is FrameLook.TITLE_CARD else Severity.ERROR,
            f"the first frame is {_look(q.first_look)}: it is the picture the model is "
            "conditioned on, and it carries nothing",
            _start_fix(sample, q, model, root),
        )
    if sample.last_frame is not None and q.last_look is not None:
        yield _finding(
            sample,
            FLAT_LAST,
            Severity.WARNING if q.last_look is FrameLook.TITLE_CARD else Severity.ERROR,
            f"the last frame is {_look(q.last_look)}: kf2v is conditioned on it, and it "
            "carries nothing",
            "trim the flat end off: "
            + command("trim", root, sample.path, "--end", "E")
            + " (E: a time before the flat frames), or replace the clip",
        )


def _look(look: FrameLook) -> str:
    return {
        FrameLook.BLACK: "black",
        FrameLook.FLAT: "one flat colour",
        FrameLook.TITLE_CARD: "a title card (a plain picture unlike the rest of the clip)",
    }[look]


def _start_fix(sample: Sample, q: ClipQuality, model: WanBaseModel, root: Path) -> str:
    start = q.content_start_s
    if q.first_look is FrameLook.TITLE_CARD:
        return (
            "start the clip where the footage begins: "
            + command("trim", root, sample.path, "--start", "S")
            + " (S: the time of its first real frame), or replace the clip"
        )
    if start is None:
        return "replace the clip: no frame of its first seconds has a picture"
    left = q.duration_s - start
    if left < model.min_duration_s:
        return (
            f"replace the clip: from its first real frame ({start:.2f} s) it lasts "
            f"{left:.2f} s, under the {model.min_duration_s:g} s {model.name} takes"
        )
    fix = command("fix", root, "--only", sample.path)
    if sample.edit_key is None:
        trim = command("trim", root, sample.path, "--start", f"{start:.2f}")
        return f"start it at its first real frame ({start:.2f} s): {fix} (or {trim})"
    return (
        f"start it {start:.2f} s later, at its first real frame: "
        + command("trim", root, sample.path, "--start", "S")
        + " (S in the source's seconds)"
    )


def _text(clip: _Clip) -> Iterator[Finding]:
    sample, q = clip.sample, clip.quality
    for found in q.text:
        seen = f"on {found.frames} of {found.of_frames} frames read"
        quoted = f" ({found.text!r})" if found.text else ""
        if found.kind is TextKind.SUBTITLES:
            message = f"burned-in subtitles in the lower band{quoted}, {seen}"
            fix = (
                "replace the clip with a source without subtitles (cropping them off the "
                "bottom also cuts the picture); the model learns them as part of the effect"
            )
        elif found.kind is TextKind.CAPTION:
            message = f"burned-in caption text in the lower band{quoted}, {seen}"
            fix = (
                "replace the clip, or crop the caption off; the model learns it as part of "
                "the effect"
            )
        else:
            message = (
                f"text that stays {_where(found.box)} while the picture changes (a channel "
                f"logo or watermark){quoted}, {seen}"
            )
            fix = (
                "crop the logo out or replace the clip; the model learns it as part of the "
                "effect (if it is a sign in the scene, ignore this)"
            )
        yield _finding(sample, _TEXT_CODES[found.kind], Severity.WARNING, message, fix)


def _where(box: tuple[float, float, float, float]) -> str:
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    row = "top" if cy < 1 / 3 else "bottom" if cy > 2 / 3 else "middle"
    col = "left" if cx < 1 / 3 else "right" if cx > 2 / 3 else "centre"
    if (row, col) == ("middle", "centre"):
        return "in the centre"
    return f"in the {row}-{col}" if row != "middle" else f"on the {col}"


def _overlays(clip: _Clip) -> Iterator[Finding]:
    sample, q = clip.sample, clip.quality
    texts = [t.box for t in q.text]
    for overlay in q.overlays:
        if any(_overlaps(overlay.box, box) for box in texts):
            continue  # already reported as logo text
        yield _finding(
            sample,
            OVERLAY,
            Severity.WARNING,
            f"a mark in the {overlay.corner} corner stays the same on every sampled frame "
            "while the picture changes (a logo or watermark)",
            "crop it out or replace the clip; if it is part of the scene, ignore this",
        )


def _overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _low_resolution(
    samples: Sequence[Sample], quality: Mapping[str, ClipQuality], model: WanBaseModel
) -> Iterator[Finding]:
    """A clip far below the 480P/720P the base models generate."""
    for sample in samples:
        q = quality.get(sample.id)
        size = (
            (q.width, q.height)
            if q
            else (sample.probe.width, sample.probe.height)
            if sample.probe
            else None
        )
        if size is None or min(size) <= 0:
            continue
        if min(size) >= LOW_SHORT_SIDE or max(size) >= LOW_LONG_SIDE:
            continue
        yield _finding(
            sample,
            LOW_RESOLUTION,
            Severity.INFO,
            f"clip is {size[0]}x{size[1]}, far below the 480P/720P {model.name} generates "
            f"(under {LOW_SHORT_SIDE} on its short side and {LOW_LONG_SIDE} on its long side)",
            "use a source of at least 480 pixels on its short side, or reject this clip",
        )


def _duplicates(clips: Sequence[_Clip]) -> Iterator[Finding]:
    """The same video twice, or a copy of most of it: one finding on each copy but the
    one to keep (the largest, then the sharpest), naming it."""
    ordered = sorted(clips, key=lambda c: (-c.pixels, -c.quality.sharpness, c.sample.path))
    reported: set[str] = set()
    for i, keep in enumerate(ordered):
        if keep.sample.id in reported:
            continue
        for copy in ordered[i + 1 :]:
            if copy.sample.id in reported:
                continue
            a, b = keep.quality, copy.quality
            like = likeness(a.phashes, a.dhashes, b.phashes, b.dhashes)
            alike = f"{like.matched} of {like.compared} sampled frames alike"
            if not _same_length(a, b):
                alike += f"; {b.duration_s:.2f} s against {a.duration_s:.2f} s"
            if like.same and _same_length(a, b):
                yield _finding(
                    copy.sample,
                    DUPLICATE,
                    Severity.ERROR,
                    f"the same video as {keep.sample.path} ({alike}; {_size(copy)} against "
                    f"{_size(keep)})",
                    f"reject one of the two in review (keep {keep.sample.name}, the larger or "
                    "sharper); a clip twice weighs double and can land in validation too",
                )
            elif like.matched >= max(NEAR_MIN, NEAR_SHARE * like.compared):
                yield _finding(
                    copy.sample,
                    NEAR_DUPLICATE,
                    Severity.WARNING,
                    f"much of the same scene and picture as {keep.sample.path} ({alike}): "
                    "another take, or a copy cut, drawn over or graded differently",
                    "keep one of the two (reject the other in review) unless they show the "
                    "effect differently; the same scene twice teaches the scene as part of the "
                    "effect",
                )
            else:
                continue
            reported.add(copy.sample.id)


def _frame_step(q: ClipQuality) -> float:
    """The clip's frame duration: its length runs one frame past its last sampled frame
    (a plausible 5-120 fps), else that of 24 fps."""
    step = q.duration_s - q.frames[-1].time_s if q.frames else 0.0
    return step if 1 / 120 <= step <= 1 / 5 else 1 / 24


def _same_length(a: ClipQuality, b: ClipQuality) -> bool:
    """Whether two clips last the same within ~2% or two frames: a re-encode keeps the
    length within a frame, while another take of a fixed shot (the same room and person,
    hashes a few bits apart) rarely lasts the same."""
    slack = max(
        SAME_LENGTH_SHARE * max(a.duration_s, b.duration_s), 2 * max(_frame_step(a), _frame_step(b))
    )
    return abs(a.duration_s - b.duration_s) <= slack


def _size(clip: _Clip) -> str:
    return f"{clip.quality.width}x{clip.quality.height}"


def _outliers(clips: Sequence[_Clip]) -> Iterator[Finding]:
    """Clips much blurrier or noisier than the rest of the set."""
    yield from _blurry([c for c in clips if c.quality.sharpness > 0])  # 0: no edges to judge
    yield from _noisy(clips)


def _blurry(clips: Sequence[_Clip]) -> Iterator[Finding]:
    if len(clips) < MIN_SET:
        return
    values = [c.quality.sharpness for c in clips]
    median = float(np.median(values))
    for clip, z in zip(clips, _robust_z(values), strict=True):
        q = clip.quality
        if q.sharpness < BLUR_RATIO * median and z < -OUTLIER_Z:
            yield _finding(
                clip.sample,
                BLURRY,
                Severity.WARNING,
                f"much blurrier than the rest of the set (sharpness {q.sharpness:.2f}; the "
                f"set's median {median:.2f})",
                "replace it with a sharper source or reject it in review; the model learns "
                "the blur as part of the effect",
            )


def _noisy(clips: Sequence[_Clip]) -> Iterator[Finding]:
    if len(clips) < MIN_SET:
        return
    values = [c.quality.noise for c in clips]
    median = float(np.median(values))
    for clip, z in zip(clips, _robust_z(values), strict=True):
        q = clip.quality
        if q.noise > max(NOISE_RATIO * median, NOISE_FLOOR) and z > OUTLIER_Z:
            yield _finding(
                clip.sample,
                NOISY,
                Severity.WARNING,
                f"much noisier than the rest of the set (noise {q.noise:.1f} grey levels; the "
                f"set's median {median:.1f})",
                "replace it with a cleaner source or reject it in review; the guide counts "
                "heavy noise as learned with the effect",
            )


def _robust_z(values: Sequence[float]) -> list[float]:
    """Each value's robust z-score on a log scale (0.6745 (x - median) / MAD); a set
    without spread gets a floor on the MAD, so small differences are never outliers."""
    logs = np.log(np.maximum(np.asarray(values, dtype=np.float64), 1e-3))
    median = float(np.median(logs))
    mad = max(float(np.median(np.abs(logs - median))), 0.1)
    return [float(0.6745 * (x - median) / mad) for x in logs]
