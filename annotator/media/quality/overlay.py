"""Static overlays without text: a logo in a corner that stays while the picture changes.

Over a moving picture every pixel changes from one sampled frame to the next, except
where something is drawn on top. A locked-off shot is still everywhere outside its
subject, so a corner counts only when most of it changes while a small patch with edges
(a drawn mark, not a plain sky) stays the same on every frame.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from annotator.media.quality.model import Box, Overlay

_CORNER = 0.25  # a corner window is this share of the width and of the height
_STILL = 10.0  # grey levels: a pixel whose range over the frames stays under this is still
_MOVING = 25.0  # ...and over this it moves
_FRAME_MOVES = 0.6  # the picture moves: at least this share of its pixels move
_WINDOW_MOVES = 0.45  # the corner moves around the patch: at least this share of it
_PATCH = (0.01, 0.35)  # the still patch covers between these shares of the window
_EDGE = 12.0  # grey levels: an edge inside the still patch
_PATCH_EDGES = 0.12  # at least this share of the patch's pixels are edges


def find_overlays(greys: Sequence[np.ndarray]) -> list[Overlay]:
    """Corners of GREYS (sampled frames, one size, at least 4) holding a still patch with
    edges while the rest of the picture moves."""
    if len(greys) < 4:
        return []
    stack = np.stack(greys)
    spread = stack.max(axis=0) - stack.min(axis=0)
    if float((spread >= _MOVING).mean()) < _FRAME_MOVES:
        return []
    mean = stack.mean(axis=0)
    gradient = np.zeros_like(mean)
    gradient[:, 1:] = np.abs(np.diff(mean, axis=1))
    gradient[1:, :] = np.maximum(gradient[1:, :], np.abs(np.diff(mean, axis=0)))
    height, width = mean.shape
    wh, ww = max(4, int(height * _CORNER)), max(4, int(width * _CORNER))
    corners = {
        "top-left": (0, 0),
        "top-right": (0, width - ww),
        "bottom-left": (height - wh, 0),
        "bottom-right": (height - wh, width - ww),
    }
    found: list[Overlay] = []
    for name, (top, left) in corners.items():
        window = (slice(top, top + wh), slice(left, left + ww))
        box = _still_patch(spread[window], gradient[window])
        if box is not None:
            y0, x0, y1, x1 = box
            found.append(
                Overlay(
                    corner=name,
                    box=_share(
                        (left + x0) / width,
                        (top + y0) / height,
                        (left + x1) / width,
                        (top + y1) / height,
                    ),
                )
            )
    return found


def _share(x0: float, y0: float, x1: float, y1: float) -> Box:
    return (round(x0, 4), round(y0, 4), round(x1, 4), round(y1, 4))


def _still_patch(spread: np.ndarray, gradient: np.ndarray) -> tuple[int, int, int, int] | None:
    """The bounding box (y0, x0, y1, x1) of the still patch of one corner window, or None."""
    # Still pixels in a still neighbourhood: a drawn mark, not stray pixels the picture
    # happened to leave alone.
    still = (spread < _STILL) & (_box_mean(spread < _STILL, 2) >= 0.7)
    share = float(still.mean())
    if not _PATCH[0] <= share <= _PATCH[1]:
        return None
    if float((spread >= _MOVING).mean()) < _WINDOW_MOVES:
        return None
    edges = still & (gradient >= _EDGE)
    if float(edges.sum()) < _PATCH_EDGES * float(still.sum()):
        return None
    ys, xs = np.nonzero(still)
    # The patch is one compact mark: its still pixels fill a good part of their box.
    y0, y1, x0, x1 = int(ys.min()), int(ys.max()) + 1, int(xs.min()), int(xs.max()) + 1
    if still.sum() < 0.3 * (y1 - y0) * (x1 - x0):
        return None
    return y0, x0, y1, x1


def _box_mean(mask: np.ndarray, radius: int) -> np.ndarray:
    """The share of True in the (2 radius + 1)-wide square around each pixel."""
    padded = np.pad(mask.astype(np.float32), radius + 1, mode="edge")
    table = padded.cumsum(axis=0).cumsum(axis=1)
    size = 2 * radius + 1
    h, w = mask.shape
    total = (
        table[size : size + h, size : size + w]
        - table[:h, size : size + w]
        - table[size : size + h, :w]
        + table[:h, :w]
    )
    result: np.ndarray = total / float(size * size)
    return result
