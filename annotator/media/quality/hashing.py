"""Perceptual hashes of sampled frames, and how alike two clips are by them.

A re-encode (another bitrate, size or container, with or without audio) keeps what a
perceptual hash sees: the coarse shading of each frame. Two clips are the same video when
their frames agree, with two hashes, at the same place in their running time (one frame
of slack either way, for a copy with another frame rate). A trimmed copy's frames lie at
other relative times: every sampled frame of one clip is compared with every frame of the
other, and the frames matched in time order are counted.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import imagehash
import numpy as np
from PIL import Image

# Bits of 64 that may differ between a frame and its re-encoded copy (a re-encode at
# another bitrate or size differs in 0-4); distinct pictures differ in about half of them.
SAME_PHASH = 6
SAME_DHASH = 8
# Looser: the same scene and layout (another take, a copy cut or graded differently).
LIKE_PHASH = 10
LIKE_DHASH = 12


def frame_hashes(rgb: np.ndarray) -> tuple[str, str]:
    """The perceptual (DCT) hash and the difference hash of one picture, as hex."""
    image = Image.fromarray(rgb)
    # The hashes see 32x32 and 9x8 pictures: a box reduction to about 64 pixels on the short
    # side first makes their resampling cheap without changing what they see.
    factor = max(1, min(image.size) // 64)
    if factor > 1:
        image = image.reduce(factor)
    return str(imagehash.phash(image)), str(imagehash.dhash(image))


@dataclass(frozen=True)
class Likeness:
    """How two clips compare, frame by frame."""

    matched: int  # frames whose hashes agree loosely (the same scene and layout)...
    compared: int  # ...of this clip's frames (in time order: a trimmed copy's too)
    worst: int  # the largest perceptual-hash distance among the matched frames
    identical: int = 0  # frames agreeing as a re-encode's do, at the same relative time...
    timed: int = 0  # ...of these compared so

    @property
    def same(self) -> bool:
        """Every frame agrees as in a re-encode at the same relative time: the same video."""
        return self.timed > 0 and self.identical == self.timed


def _bits(hexes: Sequence[str]) -> list[int]:
    return [int(h, 16) for h in hexes]


def likeness(
    phashes_a: Sequence[str],
    dhashes_a: Sequence[str],
    phashes_b: Sequence[str],
    dhashes_b: Sequence[str],
) -> Likeness:
    """Compare clip A's sampled frames with clip B's: at the same relative times (the same
    video), and all with all in time order (either clip a trimmed copy of the other)."""
    pa, da, pb, db = (_bits(h) for h in (phashes_a, dhashes_a, phashes_b, dhashes_b))
    if not pa or not pb:
        return Likeness(0, 0, 0)
    # The perceptual-hash distance of each pair of frames that agree loosely, else None.
    near = [
        [_near(p, d, q, e) for q, e in zip(pb, db, strict=True)]
        for p, d in zip(pa, da, strict=True)
    ]
    if not any(x is not None for row in near for x in row):
        return Likeness(0, len(pa), 0, 0, len(pa))  # nearly every pair of clips
    across = [list(col) for col in zip(*near, strict=True)]
    # Either clip may be the trimmed one: the better share of the two directions.
    matched, compared, rows = max(
        (_in_order(near), len(pa), near),
        (_in_order(across), len(pb), across),
        key=lambda m: m[0] / m[1],
    )
    worst = max(
        (min(d for d in row if d is not None) for row in rows if any(d is not None for d in row)),
        default=0,
    )
    return Likeness(matched, compared, worst, _identical_in_time(pa, da, pb, db), len(pa))


def _near(p: int, d: int, q: int, e: int) -> int | None:
    """The perceptual-hash distance of two frames when both hashes agree loosely."""
    dp, dd = (p ^ q).bit_count(), (d ^ e).bit_count()
    return dp if dp <= LIKE_PHASH and dd <= LIKE_DHASH else None


def _in_order(near: list[list[int | None]]) -> int:
    """How many frames of the first clip (rows) match frames of the other (columns) in
    time order: each matched to a frame no earlier than the previous one's (the shorter
    clip's frames are denser, so several may match one)."""
    best = [0] * len(near[0])  # best[j]: the most rows matched so far, the last at or before j
    for row in near:
        step = [best[j] + (row[j] is not None) for j in range(len(row))]
        best = list(itertools.accumulate(step, max))
    return best[-1]


def _identical_in_time(pa: list[int], da: list[int], pb: list[int], db: list[int]) -> int:
    """A's frames agreeing with B's as a re-encode's do, at the same relative time (one
    frame of slack either way)."""
    identical = 0
    for i, (p, d) in enumerate(zip(pa, da, strict=True)):
        centre = round(i * (len(pb) - 1) / max(1, len(pa) - 1))
        identical += any(
            (p ^ pb[j]).bit_count() <= SAME_PHASH and (d ^ db[j]).bit_count() <= SAME_DHASH
            for j in range(max(0, centre - 1), min(len(pb), centre + 2))
        )
    return identical
