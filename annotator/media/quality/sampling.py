"""A few frames of a clip, decoded once and made small at once.

The packets are read first (no decoding: milliseconds) to learn each frame's time and
where the keyframes are. The chosen frames are then decoded in order, seeking ahead to
the keyframe before a chosen frame only when that keyframe lies beyond where decoding
stands, so a clip with short GOPs skips most of its frames and one with a single GOP is
decoded once from start to end. Each chosen frame is scaled down by FFmpeg straight from
the decoder's picture (never converted to RGB at full size).
"""

from __future__ import annotations

import bisect
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import av.error
import numpy as np
from av.container import InputContainer
from av.video.stream import VideoStream
from PIL import Image

from annotator.media.errors import MediaError
from annotator.media.frames import decode_spaced
from annotator.media.probe import clockwise_rotation, decode_frames, ffmpeg_reason, open_video

ANALYSIS_SIDE = 480  # longest side of the pictures analysed (a 720p clip: 480x270)
# Longest side of the frames whose lower band is read for subtitles: real subtitles are
# about 3% of the height, a few pixels at the analysis size (then gone to text detection).
BAND_SIDE = 640
BAND_DEPTH = 0.3  # the lower band: the frame's lowest 30%...
BAND_WIDTH = 0.6  # ...its middle 60% across (subtitles are centred)
_DETECTOR_STEP = 32  # text detection squeezes a picture to multiples of this: a band is cut so


@dataclass(frozen=True)
class Band:
    """The middle of a frame's lower band at ``BAND_SIDE``, cut to the detector's step."""

    rgb: np.ndarray  # (h, w, 3) uint8
    top: float  # where it lies in the frame, as shares of its height and width
    left: float
    right: float


_TINY = (64, 36)  # enough to tell a uniform frame from a picture
FLAT_STD = 4.0  # grey levels: below, a frame is uniform (compression leaves 1-2)
_LEAD_LIMIT_S = 5.0  # how far a flat start is followed to the first picture


@dataclass(frozen=True)
class SampledFrame:
    """One chosen frame: its time and its RGB picture at the analysis size, as displayed."""

    time_s: float
    rgb: np.ndarray  # (h, w, 3) uint8
    # The lower band at ``BAND_SIDE``, as displayed: made only for the frames asked for,
    # and only when larger than the analysis picture's.
    band: Band | None = None


@dataclass(frozen=True)
class SampledClip:
    """The chosen frames of one clip, in time order (the first and last frame included)."""

    frames: list[SampledFrame]
    width: int  # as displayed
    height: int
    duration_s: float
    content_start_s: float | None  # the first non-uniform frame, when the first is uniform


def sample_clip(path: Path, count: int = 8, bands: Collection[int] = ()) -> SampledClip:
    """Decode ``count`` evenly spaced frames of the clip at PATH (its first and last among
    them), each scaled to fit ``ANALYSIS_SIDE``; when the first frame is uniform, follow the
    start to the first frame with a picture. The chosen frames at the positions BANDS also
    keep their lower band at ``BAND_SIDE``. Every failure is a ``MediaError``."""
    with open_video(Path(path)) as (container, stream):
        try:
            return _sample(container, stream, count, frozenset(bands))
        except av.error.FFmpegError as exc:
            raise MediaError(f"cannot be decoded: {ffmpeg_reason(exc)}") from None


def _sample(
    container: InputContainer, stream: VideoStream, count: int, bands: frozenset[int]
) -> SampledClip:
    times, keys = _packet_index(container, stream)
    if not times:  # no timestamps to seek by (some AVI): one decode from the start
        container.seek(0, stream=stream)
        return _sample_in_order(container, stream, count)
    tb = float(stream.time_base or 0) or 1.0
    start = times[0]
    wanted = [times[i] for i in _spaced(len(times), count)]
    chosen: list[SampledFrame] = []
    content_start: float | None = None
    decoder: Iterator[av.VideoFrame] | None = None
    at: int | None = None  # pts of the last decoded frame
    shape: tuple[int, int] | None = None
    for target in wanted:
        key = keys[max(0, bisect.bisect_right(keys, target) - 1)] if keys else start
        if decoder is None or at is None or target <= at or key > at:
            container.seek(key, stream=stream, backward=True, any_frame=False)
            decoder, at = decode_frames(container, stream), None
        frame, pts = None, target
        for frame in decoder:
            pts = frame.pts if frame.pts is not None else target
            at = pts
            if pts >= target:
                break
        if frame is None:
            break
        if shape is None:
            shape = _display_size(frame)
        picture = _small_rgb(frame, shape)
        band = _band(frame, shape) if len(chosen) in bands else None
        chosen.append(SampledFrame(time_s=(pts - start) * tb, rgb=picture, band=band))
        if len(chosen) == 1 and _uniform(picture):
            content_start, at = _first_picture(decoder, start, tb)
    if not chosen or shape is None:
        raise MediaError("cannot be decoded: the video stream has no frames")
    width, height = shape
    duration = (times[-1] - start) * tb + _frame_step(times, tb)
    return SampledClip(chosen, width, height, duration, content_start)


def _sample_in_order(container: InputContainer, stream: VideoStream, count: int) -> SampledClip:
    run = decode_spaced(container, stream, count)
    first = run.first
    shape = _display_size(first)
    size = _analysis_size(*shape)
    pictures = [np.asarray(image.resize(size, Image.Resampling.BOX)) for image in run.picked]
    rate = float(stream.average_rate or 0) or 1.0
    step = len(pictures) and (max(1, int(stream.frames or len(pictures))) - 1) / rate
    frames = [
        SampledFrame(time_s=step * i / max(1, len(pictures) - 1), rgb=p)
        for i, p in enumerate(pictures)
    ]
    return SampledClip(frames, shape[0], shape[1], step, None)


def _packet_index(container: InputContainer, stream: VideoStream) -> tuple[list[int], list[int]]:
    """The presentation times of every frame and of the keyframes, sorted (stream units)."""
    times: list[int] = []
    keys: list[int] = []
    for packet in container.demux(stream):
        if packet.pts is None or not packet.size or packet.is_discard:
            continue
        times.append(packet.pts)
        if packet.is_keyframe:
            keys.append(packet.pts)
    times.sort()
    keys.sort()
    return times, keys


def _spaced(total: int, count: int) -> list[int]:
    if count >= total:
        return list(range(total))
    if count == 1:
        return [0]
    return sorted({round(i * (total - 1) / (count - 1)) for i in range(count)})


def _frame_step(times: list[int], tb: float) -> float:
    if len(times) < 2:
        return 0.0
    return float(np.median(np.diff(times))) * tb


def _display_size(frame: av.VideoFrame) -> tuple[int, int]:
    turned = clockwise_rotation(frame.rotation) in (90, 270)
    return (frame.height, frame.width) if turned else (frame.width, frame.height)


def _analysis_size(width: int, height: int) -> tuple[int, int]:
    scale = min(1.0, ANALYSIS_SIDE / max(width, height))
    return max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2)


def _small_rgb(frame: av.VideoFrame, display: tuple[int, int]) -> np.ndarray:
    """The frame as an RGB array at the analysis size, turned as a player shows it."""
    rotation = clockwise_rotation(frame.rotation)
    width, height = _analysis_size(*display)
    stored = (height, width) if rotation in (90, 270) else (width, height)
    # AREA: an average over each target pixel's source box, and a tenth of the time of
    # swscale's default here.
    small = frame.reformat(width=stored[0], height=stored[1], format="rgb24", interpolation="AREA")
    pixels: np.ndarray = small.to_ndarray()
    if rotation:
        pixels = np.ascontiguousarray(np.rot90(pixels, k=-rotation // 90))
    return pixels


def _band(frame: av.VideoFrame, display: tuple[int, int]) -> Band | None:
    """The middle of the frame's lower band at ``BAND_SIDE`` (None when that is no larger
    than the analysis picture, or for a frame turned by its display matrix: not read so)."""
    if clockwise_rotation(frame.rotation) or max(display) <= ANALYSIS_SIDE:
        return None
    scale = min(1.0, BAND_SIDE / max(display))
    width, height = (
        max(2, round(display[0] * scale / 2) * 2),
        max(2, round(display[1] * scale / 2) * 2),
    )
    big = frame.reformat(width=width, height=height, format="rgb24", interpolation="AREA")
    pixels: np.ndarray = big.to_ndarray()
    rows = min(height, max(1, round(height * BAND_DEPTH / _DETECTOR_STEP)) * _DETECTOR_STEP)
    cols = min(width, max(1, round(width * BAND_WIDTH / _DETECTOR_STEP)) * _DETECTOR_STEP)
    left = (width - cols) // 2
    return Band(
        rgb=np.ascontiguousarray(pixels[height - rows :, left : left + cols]),
        top=(height - rows) / height,
        left=left / width,
        right=(left + cols) / width,
    )


def _uniform(rgb: np.ndarray) -> bool:
    grey = rgb.mean(axis=2)
    return float(grey.std()) < FLAT_STD


def _tiny_uniform(frame: av.VideoFrame) -> bool:
    tiny = frame.reformat(width=_TINY[0], height=_TINY[1], format="gray", interpolation="AREA")
    grey: np.ndarray = tiny.to_ndarray()
    return float(grey.std()) < FLAT_STD


def _first_picture(
    decoder: Iterator[av.VideoFrame], start: int, tb: float
) -> tuple[float | None, int | None]:
    """Follow a uniform start: the time of the first frame with a picture (None when none
    comes within ``_LEAD_LIMIT_S``) and the pts decoding stopped at."""
    at: int | None = None
    for frame in decoder:
        if frame.pts is None:
            continue
        at = frame.pts
        if (at - start) * tb > _LEAD_LIMIT_S:
            return None, at
        if not _tiny_uniform(frame):
            return (at - start) * tb, at
    return None, at
