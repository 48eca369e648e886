"""Black borders (letterbox, pillarbox) baked into a clip's pictures."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image

from annotator.clipfacts import Borders

# A row/column counts as black when at least this share of its pixels is near-black:
# compression leaves a stray brighter pixel now and then inside a real bar.
_BLACK_SHARE = 0.99
# Beside a real bar the picture is lit across most of its width on some frame; a dark
# scene with one small lit object is not.
_CONTENT_SHARE = 0.25


def detect_black_borders(
    frames: Sequence[Image.Image], threshold: int = 16, min_fraction: float = 0.02
) -> Borders | None:
    """Find bars that are near-black (every channel <= ``threshold``) on ALL ``frames``.

    An edge bar is reported when it is at least ``min_fraction`` of the picture's height
    (top/bottom) or width (left/right), and never under 2 pixels. A scene that is dark
    everywhere is not a border: the picture next to a bar must be lit on at least one frame.
    Returns None when there are no bars. All frames must be the same size.
    """
    if not frames:
        return None
    dark = [_dark_mask(frame, threshold) for frame in frames]
    shape = dark[0].shape
    if any(mask.shape != shape for mask in dark):
        raise ValueError("all frames must be the same size")
    height, width = shape

    # Share of near-black pixels per row / column, frame by frame: (frames, H) and (frames, W).
    rows = np.stack([mask.mean(axis=1) for mask in dark])
    cols = np.stack([mask.mean(axis=0) for mask in dark])
    black_rows = np.asarray((rows >= _BLACK_SHARE).all(axis=0), dtype=bool)
    black_cols = np.asarray((cols >= _BLACK_SHARE).all(axis=0), dtype=bool)

    top = _run_length(black_rows)
    if top == height:  # black everywhere on every frame: a dark picture, not a border
        return None
    bottom = _run_length(black_rows[::-1])
    left = _run_length(black_cols)
    right = _run_length(black_cols[::-1])

    min_rows = max(2, int(np.ceil(min_fraction * height)))
    min_cols = max(2, int(np.ceil(min_fraction * width)))
    band_rows = max(2, int(np.ceil(0.02 * height)))
    band_cols = max(2, int(np.ceil(0.02 * width)))

    def lit_beside(shares: np.ndarray, start: int, stop: int) -> bool:
        band = shares[:, max(start, 0) : max(stop, 0)]
        return band.size > 0 and bool(((1.0 - band.mean(axis=1)) >= _CONTENT_SHARE).any())

    found = Borders(
        top=top if top >= min_rows and lit_beside(rows, top, top + band_rows) else 0,
        bottom=(
            bottom
            if bottom >= min_rows and lit_beside(rows, height - bottom - band_rows, height - bottom)
            else 0
        ),
        left=left if left >= min_cols and lit_beside(cols, left, left + band_cols) else 0,
        right=(
            right
            if right >= min_cols and lit_beside(cols, width - right - band_cols, width - right)
            else 0
        ),
    )
    if found == Borders():
        return None
    return found


def _dark_mask(frame: Image.Image, threshold: int) -> np.ndarray:
    """True where every channel is at most ``threshold``: an (H, W) boolean array."""
    pixels = np.asarray(frame.convert("RGB") if frame.mode != "RGB" else frame)
    return np.asarray(pixels.max(axis=2) <= threshold, dtype=bool)


def _run_length(flags: np.ndarray) -> int:
    """How many leading entries of a boolean vector are True."""
    misses = np.flatnonzero(~flags)
    return int(misses[0]) if misses.size else int(flags.size)
