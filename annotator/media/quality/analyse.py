"""The quality analysis of one clip: sample it once, measure the samples."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from annotator.media.borders import detect_black_borders
from annotator.media.quality.hashing import frame_hashes
from annotator.media.quality.model import ClipQuality
from annotator.media.quality.overlay import find_overlays
from annotator.media.quality.sampling import SampledClip, sample_clip
from annotator.media.quality.stats import frame_look, frame_stats, grey, noise_sigma, sharpness
from annotator.media.quality.text import find_text

SAMPLED_FRAMES = 8  # the first and last frame and six between them
TEXT_FRAMES = 3  # of those, how many are read for text (detection: ~40 ms each)
SHARPNESS_SIDE = 144  # the short side at which sharpness is measured


def analyse_quality(path: Path, *, read_text: bool = True) -> ClipQuality:
    """Decode a few frames of the clip at PATH once and measure them (see ``ClipQuality``).
    READ_TEXT False skips the text detection. Every failure to read is a ``MediaError``."""
    bands = _text_positions(SAMPLED_FRAMES) if read_text else []
    return measure(sample_clip(path, SAMPLED_FRAMES, bands), read_text=read_text)


def measure(clip: SampledClip, *, read_text: bool = True) -> ClipQuality:
    """The measures of an already sampled clip."""
    bars = _borders(clip)
    pictures = [_inside(f.rgb, bars) for f in clip.frames]
    greys = [grey(p) for p in pictures]
    stats = [frame_stats(g, f.time_s) for g, f in zip(greys, clip.frames, strict=True)]
    hashes = [frame_hashes(f.rgb) for f in clip.frames]
    middle = stats[1:-1] or stats
    with_content = [g for g, s in zip(greys, stats, strict=True) if s.std >= 4.0] or greys
    # Noise is steady over a clip: every other frame tells it at half the cost.
    noise_frames = with_content[::2]
    read_at = _text_positions(len(pictures))
    reading = [pictures[i] for i in read_at]
    bands = [b for b in (clip.frames[i].band for i in read_at) if b is not None]
    return ClipQuality(
        width=clip.width,
        height=clip.height,
        duration_s=round(clip.duration_s, 3),
        frames=stats,
        phashes=[p for p, _ in hashes],
        dhashes=[d for _, d in hashes],
        first_look=frame_look(stats[0], middle),
        last_look=frame_look(stats[-1], middle) if len(stats) > 1 else None,
        content_start_s=None if clip.content_start_s is None else round(clip.content_start_s, 3),
        sharpness=round(float(np.median([sharpness(_common_scale(g)) for g in with_content])), 4),
        noise=round(float(np.median([noise_sigma(g) for g in noise_frames])), 3),
        text=find_text(reading, bands if len(bands) == len(reading) else []) if read_text else [],
        overlays=find_overlays(greys[1:] if len(greys) > 4 else greys),
    )


def _common_scale(picture: np.ndarray) -> np.ndarray:
    """The grey picture at one scale for every clip (short side ``SHARPNESS_SIDE``): the
    Laplacian of clips of different sizes, and without film grain, compares."""
    h, w = picture.shape
    scale = SHARPNESS_SIDE / min(h, w)
    if scale >= 1.0:
        return picture
    size = (max(3, round(w * scale)), max(3, round(h * scale)))
    return np.asarray(Image.fromarray(picture).resize(size, Image.Resampling.BOX))


def _text_positions(frames: int) -> list[int]:
    """Which of FRAMES sampled frames are read for text: ``TEXT_FRAMES`` spread over them,
    the first left out (a title card or a fade says little about the clip's text)."""
    items = list(range(1, frames)) if frames > 2 else list(range(frames))
    if len(items) <= TEXT_FRAMES:
        return items
    return [items[round(i * (len(items) - 1) / (TEXT_FRAMES - 1))] for i in range(TEXT_FRAMES)]


def _inside(rgb: np.ndarray, bars: tuple[int, int, int, int] | None) -> np.ndarray:
    """The picture without its black bars (top, bottom, left, right): the bars are the
    border check's; the other measures look at the picture inside them."""
    if bars is None:
        return rgb
    h, w = rgb.shape[:2]
    return rgb[bars[0] : h - bars[1], bars[2] : w - bars[3]]


def _borders(clip: SampledClip) -> tuple[int, int, int, int] | None:
    # Found on pictures of half the size (a tenth of the time); the bars come back doubled,
    # plus a pixel, so nothing of a bar stays in the picture measured.
    found = detect_black_borders([Image.fromarray(f.rgb[::2, ::2]) for f in clip.frames])
    if found is None:
        return None
    return tuple(  # type: ignore[return-value]
        0 if px == 0 else 2 * px + 1 for px in (found.top, found.bottom, found.left, found.right)
    )
