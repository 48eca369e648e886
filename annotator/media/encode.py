"""Write a clip from numpy pictures with PyAV: H.264 yuv420p, byte-for-byte reproducible.

For the bundled samples and for tests that need clips which break the dataset rules.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from av.audio.stream import AudioStream

_MUXERS = {".mp4": "mp4", ".m4v": "mp4", ".mov": "mov", ".mkv": "matroska", ".avi": "avi"}
_AUDIO_RATE = 48000
_AUDIO_FRAME = 1024  # AAC frame size in samples


def write_clip(
    path: Path,
    frames: Iterable[np.ndarray],
    fps: int,
    crf: int = 30,
    audio_seconds: float | None = None,
    *,
    audio_tone_hz: float = 0.0,
    rotation: int = 0,
    keyframe_interval: int | None = None,
    preset: str = "medium",
) -> Path:
    """Encode ``frames`` (each an (H, W, 3) uint8 RGB array, all one even size) as H.264.

    The container follows the suffix (.mp4, .mov; .mkv and .avi for tests). With
    ``audio_seconds`` an AAC track is added: silence, or a quiet sine at ``audio_tone_hz``.
    ``rotation`` (0/90/180/270, clockwise) tags the clip with a display matrix, as a phone
    does. ``keyframe_interval`` caps the GOP length. One encoder thread, no x264 mb-tree,
    colour conversion in numpy and bit-exact muxing: the same input gives the same bytes.
    The file appears at ``path`` only when complete.
    """
    path = Path(path)
    muxer = _MUXERS.get(path.suffix.lower())
    if muxer is None:
        raise ValueError(f"unsupported clip suffix {path.suffix!r}; use one of {sorted(_MUXERS)}")
    if fps <= 0:
        raise ValueError("fps must be positive")
    if rotation % 90 != 0:
        raise ValueError("rotation must be a multiple of 90 degrees")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        count = _encode(
            tmp,
            muxer,
            frames,
            fps=fps,
            crf=crf,
            audio_seconds=audio_seconds,
            audio_tone_hz=audio_tone_hz,
            rotation=rotation % 360,
            keyframe_interval=keyframe_interval,
            preset=preset,
        )
        if count == 0:
            raise ValueError("no frames to write")
        tmp.chmod(0o644)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def _encode(
    dest: Path,
    muxer: str,
    frames: Iterable[np.ndarray],
    *,
    fps: int,
    crf: int,
    audio_seconds: float | None,
    audio_tone_hz: float,
    rotation: int,
    keyframe_interval: int | None,
    preset: str,
) -> int:
    count = 0
    with av.open(str(dest), mode="w", format=muxer, options={"fflags": "+bitexact"}) as out:
        video = None
        audio = None
        for array in frames:
            pixels = np.ascontiguousarray(array)
            if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] != 3:
                raise ValueError("each frame must be an (H, W, 3) uint8 array")
            height, width = pixels.shape[:2]
            if video is None:
                if width % 2 or height % 2:
                    raise ValueError(f"yuv420p needs even sizes, got {width}x{height}")
                video = out.add_stream(
                    "libx264",
                    rate=fps,
                    # x264's macroblock-tree rate control reads memory it never wrote
                    # on small pictures (under about 160x120): the bytes then change
                    # from run to run. Without it, output is reproducible at any size.
                    options={
                        "crf": str(crf),
                        "preset": preset,
                        "threads": "1",
                        "x264-params": "mbtree=0",
                    },
                )
                video.width, video.height, video.pix_fmt = width, height, "yuv420p"
                # Tag what rgb_to_yuv420p produces: BT.601, limited ("TV") range.
                ctx = video.codec_context
                ctx.colorspace, ctx.color_primaries, ctx.color_trc = 6, 6, 6  # SMPTE 170M
                ctx.color_range = 1  # MPEG / limited
                video.codec_context.thread_count = 1
                if keyframe_interval:
                    video.codec_context.gop_size = keyframe_interval
                if rotation:
                    # PyAV takes the counter-clockwise angle, as VideoFrame.rotation reads it.
                    video.set_display_rotation(-rotation)
                if audio_seconds:
                    audio = out.add_stream("aac", rate=_AUDIO_RATE, layout="mono")
            elif (width, height) != (video.width, video.height):
                raise ValueError(
                    f"frame {count} is {width}x{height}, the clip is {video.width}x{video.height}"
                )
            frame = av.VideoFrame.from_ndarray(rgb_to_yuv420p(pixels), format="yuv420p")
            frame.pts = count
            frame.time_base = Fraction(1, fps)
            out.mux(video.encode(frame))
            count += 1
        if video is None:
            return 0
        out.mux(video.encode(None))
        if audio is not None and audio_seconds:
            _write_audio(out, audio, audio_seconds, audio_tone_hz)
    return count


def rgb_to_yuv420p(rgb: np.ndarray) -> np.ndarray:
    """RGB (H, W, 3) uint8 to a yuv420p plane stack ((H * 3 // 2, W) uint8), BT.601 TV range.

    Integer arithmetic in numpy, so the same pixels give the same bytes on any machine:
    FFmpeg's swscale picks SIMD paths by CPU and even by buffer alignment, and its output
    differs in the last bit between them, which made re-encoding a clip change its bytes.
    """
    height, width = rgb.shape[:2]
    r, g, b = (rgb[..., i].astype(np.int32) for i in range(3))
    y = ((66 * r + 129 * g + 25 * b + 128) >> 8) + 16
    # Chroma from each 2x2 block's summed RGB (four pixels: shift 2 more bits).
    rs, gs, bs = (c.reshape(height // 2, 2, width // 2, 2).sum(axis=(1, 3)) for c in (r, g, b))
    u = ((-38 * rs - 74 * gs + 112 * bs + 512) >> 10) + 128
    v = ((112 * rs - 94 * gs - 18 * bs + 512) >> 10) + 128
    planes = [p.clip(0, 255).astype(np.uint8).ravel() for p in (y, u, v)]
    return np.concatenate(planes).reshape(height * 3 // 2, width)


def _write_audio(
    out: av.container.OutputContainer, stream: AudioStream, seconds: float, tone_hz: float
) -> None:
    total = math.ceil(seconds * _AUDIO_RATE)
    t = np.arange(total, dtype=np.float64) / _AUDIO_RATE
    if tone_hz > 0:
        samples = (0.2 * np.sin(2 * math.pi * tone_hz * t)).astype(np.float32)
    else:
        samples = np.zeros(total, dtype=np.float32)
    for start in range(0, total, _AUDIO_FRAME):
        chunk = samples[start : start + _AUDIO_FRAME]
        frame = av.AudioFrame.from_ndarray(chunk.reshape(1, -1), format="fltp", layout="mono")
        frame.sample_rate = _AUDIO_RATE
        frame.pts = start
        frame.time_base = Fraction(1, _AUDIO_RATE)
        out.mux(stream.encode(frame))
    out.mux(stream.encode(None))
