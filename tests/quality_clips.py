"""Clips that look like footage, for the clip-quality checks: a camera panning over a
seeded, textured scene (so every pixel changes and two seeds never look alike), with what
a person removes drawn on top: subtitles, a corner logo with or without text, a black
lead-in, blur, noise.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TypedDict, Unpack

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from annotator.media.encode import write_clip

SUBTITLE_LINES = (
    "Where are you going tonight",
    "I told you we would be late",
    "Nobody listens to me anymore",
    "Then let us take the train",
    "It leaves at seven sharp",
    "Bring the umbrella this time",
)


def scene(width: int, height: int, seed: int) -> np.ndarray:
    """A textured picture larger than the frame (for the pan): smooth colour fields with
    sharp-edged shapes over them, different for every seed."""
    rng = np.random.default_rng(seed)
    big_w, big_h = int(width * 1.6), int(height * 1.4)
    coarse = rng.integers(20, 235, size=(6, 8, 3), dtype=np.uint8)
    base = Image.fromarray(coarse).resize((big_w, big_h), Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(base)
    for _ in range(18):
        x, y = int(rng.integers(0, big_w)), int(rng.integers(0, big_h))
        size = int(rng.integers(max(4, big_h // 14), max(6, big_h // 4)))
        colour = tuple(int(c) for c in rng.integers(0, 256, size=3))
        if rng.random() < 0.5:
            draw.ellipse((x, y, x + size, y + size * 0.7), fill=colour)
        else:
            draw.rectangle((x, y, x + size * 1.3, y + size // 2), fill=colour)
    fine = rng.normal(0, 6, size=(big_h, big_w, 1))
    return np.clip(np.asarray(base, dtype=np.float64) + fine, 0, 255).astype(np.uint8)


def footage_frames(
    width: int,
    height: int,
    n_frames: int,
    seed: int,
) -> Iterator[np.ndarray]:
    """The frames of a pan across ``scene(seed)``, left to right and a little down."""
    canvas = scene(width, height, seed)
    span_x, span_y = canvas.shape[1] - width, canvas.shape[0] - height
    for i in range(n_frames):
        t = i / max(1, n_frames - 1)
        x, y = int(span_x * t), int(span_y * t * 0.5)
        yield canvas[y : y + height, x : x + width]


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


class Scene(TypedDict, total=False):
    """What is drawn in a footage-like clip (``footage_pictures``' keywords, the same
    defaults)."""

    seed: int
    subtitles: Sequence[str]
    corner_text: str | None
    corner_logo: bool
    black_lead_s: float
    title_card_s: float
    black_tail_s: float
    centre_text: str | None
    blur: float
    noise: float
    subtitle_px: int | None
    score_box: Sequence[str]


def footage_pictures(
    width: int = 320,
    height: int = 240,
    seconds: float = 2.0,
    fps: int = 12,
    *,
    seed: int = 0,
    subtitles: Sequence[str] = (),
    corner_text: str | None = None,
    corner_logo: bool = False,
    black_lead_s: float = 0.0,
    title_card_s: float = 0.0,
    black_tail_s: float = 0.0,
    centre_text: str | None = None,
    blur: float = 0.0,
    noise: float = 0.0,
    subtitle_px: int | None = None,
    score_box: Sequence[str] = (),
) -> Iterator[np.ndarray]:
    """The pictures of a footage-like clip (see ``make_footage``)."""
    n_frames = max(1, round(seconds * fps))
    lead = round(black_lead_s * fps)
    card = round(title_card_s * fps)
    font_size = max(12, height // 12)
    subtitle_size = subtitle_px or font_size
    rng = np.random.default_rng(seed + 1000)
    for i, picture in enumerate(footage_frames(width, height, n_frames, seed)):
        if i < lead or i >= n_frames - round(black_tail_s * fps):
            yield np.zeros((height, width, 3), np.uint8)
            continue
        if i < card:
            title = Image.new("RGB", (width, height), (24, 32, 96))
            ImageDraw.Draw(title).text(
                (width // 2, height // 2),
                "CHAPTER ONE",
                font=_font(font_size),
                fill=(240, 240, 240),
                anchor="mm",
            )
            yield np.asarray(title)
            continue
        if not (blur or subtitles or corner_text or corner_logo or noise or centre_text) and not (
            score_box
        ):
            yield picture
            continue
        image = Image.fromarray(picture)
        if blur:
            image = image.filter(ImageFilter.GaussianBlur(blur))
        draw = ImageDraw.Draw(image)
        if subtitles:
            line = subtitles[min(len(subtitles) - 1, i * len(subtitles) // n_frames)]
            draw.text(
                (width // 2, int(height * 0.9)),
                line,
                font=_font(subtitle_size),
                fill=(255, 255, 255),
                anchor="ms",
                stroke_width=1 if subtitle_px else 2,
                stroke_fill=(0, 0, 0),
            )
        if corner_text:
            draw.text(
                (width - width // 20, height // 20),
                corner_text,
                font=_font(font_size),
                fill=(255, 255, 255),
                anchor="ra",
                stroke_width=1,
                stroke_fill=(0, 0, 0),
            )
        if score_box:
            box_size = max(12, height // 14)
            draw.rectangle(
                (
                    width // 30,
                    height // 30,
                    width // 30 + 8 * box_size,
                    height // 30 + 4 * box_size,
                ),
                fill=(20, 20, 60),
            )
            for k, line in enumerate(score_box):
                draw.text(
                    (
                        width // 30 + box_size // 2,
                        height // 30 + box_size // 3 + k * box_size * 6 // 5,
                    ),
                    line,
                    font=_font(box_size),
                    fill=(255, 255, 255),
                )
        if centre_text:
            draw.text(
                (width // 2, height // 2),
                centre_text,
                font=_font(font_size),
                fill=(255, 255, 255),
                anchor="mm",
                stroke_width=1,
                stroke_fill=(0, 0, 0),
            )
        if corner_logo:
            s = max(8, height // 9)
            x0, y0 = width // 25, height // 25
            draw.ellipse((x0, y0, x0 + s, y0 + s), fill=(250, 250, 250))
            draw.rectangle(
                (x0 + s // 4, y0 + s // 4, x0 + 3 * s // 4, y0 + 3 * s // 4), fill=(200, 30, 30)
            )
        pixels = np.asarray(image)
        if noise:
            grain = rng.normal(0, noise, size=pixels.shape)
            pixels = np.clip(pixels + grain, 0, 255).astype(np.uint8)
        yield pixels


def make_footage(
    path: Path,
    width: int = 320,
    height: int = 240,
    seconds: float = 2.0,
    fps: int = 12,
    *,
    audio: bool = False,
    crf: int = 23,
    preset: str = "veryfast",
    keyframe_interval: int | None = None,
    **scene: Unpack[Scene],
) -> Path:
    """A footage-like clip (see the module's docstring). ``subtitles`` are shown in turn in
    the lower band, changing every ``seconds / len(subtitles)``; ``corner_text`` is drawn in
    the top-right corner and ``corner_logo`` (a mark without text) in the top-left on every
    frame; ``black_lead_s`` seconds of black come first, or ``title_card_s`` seconds of a
    title card (a line of text on a plain colour); ``black_tail_s`` seconds of black end it;
    ``centre_text`` stays in the middle of the picture (a sign, not a logo);
    ``subtitle_px`` sets the subtitles' font size (else a twelfth of the height);
    ``score_box`` lines are drawn one under the other in a box in the top-left corner (a
    sports broadcast's score)."""
    pictures = footage_pictures(width, height, seconds, fps, **scene)
    return write_clip(
        path,
        pictures,
        fps=fps,
        crf=crf,
        audio_seconds=seconds if audio else None,
        preset=preset,
        keyframe_interval=keyframe_interval,
    )


def reencode(source: Path, dest: Path, *, crf: int = 32, scale: float = 1.0) -> Path:
    """The same clip encoded again, without audio, at another quality (CRF) and size."""
    import av

    with av.open(str(source)) as container:
        stream = container.streams.video[0]
        fps = round(float(stream.average_rate or 12))
        pictures = [f.to_ndarray(format="rgb24") for f in container.decode(stream)]
    if scale != 1.0:
        h, w = pictures[0].shape[:2]
        size = (round(w * scale / 2) * 2, round(h * scale / 2) * 2)
        pictures = [
            np.asarray(Image.fromarray(p).resize(size, Image.Resampling.BILINEAR)) for p in pictures
        ]
    return write_clip(dest, pictures, fps=fps, crf=crf, preset="veryfast")
