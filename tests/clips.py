"""Small real media files for tests: clips encoded with PyAV, images written with Pillow.

Tiny sizes and few frames, so a test that makes one costs milliseconds.
"""

from __future__ import annotations

import colorsys
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw

from annotator.clipfacts import ClipFacts
from annotator.media.encode import write_clip


def make_clip(
    path: Path,
    width: int = 160,
    height: int = 120,
    seconds: float = 2.5,
    fps: int = 8,
    *,
    black_bars: tuple[int, int] | None = None,
    pillarbox: int | None = None,
    audio: bool = False,
    seed: int = 0,
    rotation: int = 0,
    crf: int = 30,
) -> Path:
    """A clip of moving, never-black content: a seeded colour gradient with a square
    sliding across it. ``black_bars=(top, bottom)`` adds letterbox bars of those heights,
    ``pillarbox=n`` bars of n pixels left and right; ``audio`` adds a silent AAC track;
    ``rotation`` tags a clockwise display rotation. The suffix picks the container."""
    rng = np.random.default_rng(seed)
    top, bottom = black_bars or (0, 0)
    side = pillarbox or 0
    inner_h, inner_w = height - top - bottom, width - 2 * side
    if inner_h < 8 or inner_w < 8:
        raise ValueError("the bars leave no room for the picture")
    start = rng.integers(70, 200, size=3)
    stop = rng.integers(70, 200, size=3)
    ramp = np.linspace(0.0, 1.0, inner_w)[None, :, None]
    base = (start + (stop - start) * ramp).repeat(inner_h, axis=0).astype(np.uint8)
    square = max(4, min(inner_w, inner_h) // 4)
    colour = rng.integers(200, 256, size=3).astype(np.uint8)
    n_frames = max(1, round(seconds * fps))

    def frames():
        for i in range(n_frames):
            picture = base.copy()
            x = int((inner_w - square) * i / max(1, n_frames - 1))
            y = (inner_h - square) // 2
            picture[y : y + square, x : x + square] = colour
            full = np.zeros((height, width, 3), np.uint8)
            full[top : top + inner_h, side : side + inner_w] = picture
            yield full

    return write_clip(
        path,
        frames(),
        fps=fps,
        crf=crf,
        audio_seconds=seconds if audio else None,
        rotation=rotation,
    )


def frame_colour(index: int) -> tuple[int, int, int]:
    """A bright colour for frame ``index``, far from the colours of nearby frames."""
    hue = (index * 0.381966) % 1.0  # golden-ratio steps around the colour wheel
    value = 0.95 if index % 2 == 0 else 0.7
    r, g, b = colorsys.hsv_to_rgb(hue, 0.9, value)
    return round(r * 255), round(g * 255), round(b * 255)


def make_numbered_clip(
    path: Path,
    n_frames: int,
    width: int = 64,
    height: int = 48,
    fps: int = 8,
    *,
    keyframe_interval: int | None = None,
    rotation: int = 0,
) -> Path:
    """A clip whose frame i is filled with ``frame_colour(i)``: which frame a decoded picture
    is can be told by its colour (see ``which_frame``). A white block marks the top-left
    corner of the stored picture, to see rotation."""
    corner = max(4, min(width, height) // 4)

    def frames():
        for i in range(n_frames):
            picture = np.empty((height, width, 3), np.uint8)
            picture[:] = frame_colour(i)
            picture[:corner, :corner] = 255
            yield picture

    return write_clip(
        path,
        frames(),
        fps=fps,
        crf=18,
        keyframe_interval=keyframe_interval,
        rotation=rotation,
    )


def which_frame(image: Image.Image, n_frames: int) -> int:
    """The index of the ``make_numbered_clip`` frame whose colour ``image`` shows."""
    pixels = np.asarray(image.convert("RGB"), dtype=np.float64)
    h, w = pixels.shape[:2]
    centre = pixels[h // 3 : 2 * h // 3, w // 3 : 2 * w // 3].reshape(-1, 3).mean(axis=0)
    distances = [np.abs(centre - np.array(frame_colour(i))).sum() for i in range(n_frames)]
    return int(np.argmin(distances))


def make_image(path: Path, width: int, height: int, fmt: str = "PNG") -> Path:
    """An RGB image of that size and Pillow format ("PNG", "JPEG", "WEBP", "BMP")."""
    image = Image.new("RGB", (width, height), (40, 120, 200))
    draw = ImageDraw.Draw(image)
    draw.rectangle((width // 4, height // 4, width // 2, height // 2), fill=(240, 200, 40))
    path.parent.mkdir(parents=True, exist_ok=True)
    # compress_level 1: a 5000x5000 PNG in a fraction of a second.
    options = {"compress_level": 1} if fmt.upper() == "PNG" else {}
    image.save(path, format=fmt, **options)
    return path


def make_corrupt_clip(path: Path) -> Path:
    """An mp4 cut off part way through its data: the index (the moov box, which PyAV writes
    after the data) is gone, so FFmpeg cannot open it and ``probe_clip`` raises
    ``MediaError("cannot be decoded: ...")``."""
    make_clip(path, seconds=1.0)
    data = path.read_bytes()
    moov = data.find(b"moov")
    if moov < 8:
        raise RuntimeError("expected the moov box after the media data")
    # Keep the header and half of the media data; drop everything from there on.
    mdat = data.find(b"mdat")
    cut = mdat + 4 + (moov - 4 - mdat - 4) // 2
    path.write_bytes(data[:cut])
    return path


def make_black_start_clip(
    path: Path, black_s: float = 0.5, seconds: float = 2.5, fps: int = 8, **kwargs: object
) -> Path:
    """A ``make_clip`` clip whose first ``black_s`` seconds are black (a lead-in, a fade)."""
    make_clip(path, seconds=seconds, fps=fps, **kwargs)  # type: ignore[arg-type]
    black = round(black_s * fps)
    with av.open(str(path)) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    for i in range(min(black, len(frames))):
        frames[i] = np.zeros_like(frames[i])
    return write_clip(path, frames, fps=fps, crf=18)


def h264_facts(duration_s: float, fps: float, width: int = 160, height: int = 120) -> ClipFacts:
    """What a probe says of a plain H.264 MP4 of that length, rate and size (no audio)."""
    return ClipFacts(
        duration_s=duration_s,
        width=width,
        height=height,
        coded_width=width,
        coded_height=height,
        rotation=0,
        fps=fps,
        frame_count=round(duration_s * fps),
        codec="h264",
        pix_fmt="yuv420p",
        has_audio=False,
        container="mov,mp4,m4a,3gp,3g2,mj2",
    )
