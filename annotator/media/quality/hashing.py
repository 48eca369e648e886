"""Perceptual hashes of sampled frames, and how alike two clips are by them.

A re-encode (another bitrate, size or container, with or without audio) keeps what a
perceptual hash sees: the coarse shading of each frame. Two clips are compared frame by
frame at the same place in their running time (one frame of slack either way, for a
copy with another frame rate), with two hashes that must both agree.
"""

from __future__ import annotations

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

    matched: int  # frames whose hashes agree loosely (the same scene and layout)
    compared: int
    worst: int  # the largest perceptual-hash distance among the matched frames
    identical: int = 0  # frames whose hashes agree as a re-encode's do

    @property
    def same(self) -> bool:
        """Every frame agrees as in a re-encode: the same video."""
        return self.compared > 0 and self.identical == self.compared


def _bits(hexes: Sequence[str]) -> list[int]:
    return [int(h, 16) for h in hexes]


def likeness(
    phashes_a: Sequence[str],
    dhashes_a: Sequence[str],
    phashes_b: Sequence[str],
    dhashes_b: Sequence[str],
) -> Likeness:
    """Compare clip A's sampled frames with clip B's at the same relative times."""
    pa, da, pb, db = (_bits(h) for h in (phashes_a, dhashes_a, phashes_b, dhashes_b))
    if not pa or not pb:
        return Likeness(0, 0, 0)
    matched, identical, worst = 0, 0, 0
    for i, (p, d) in enumerate(zip(pa, da, strict=True)):
        centre = round(i * (len(pb) - 1) / max(1, len(pa) - 1))
        best: int | None = None
        same = False
        for j in range(max(0, centre - 1), min(len(pb), centre + 2)):
            dp, dd = (p ^ pb[j]).bit_count(), (d ^ db[j]).bit_count()
            if dp <= LIKE_PHASH and dd <= LIKE_DHASH:
                best = dp if best is None else min(best, dp)
                same = same or (dp <= SAME_PHASH and dd <= SAME_DHASH)
        if best is not None:
            matched += 1
            identical += same
            worst = max(worst, best)
        elif i == 1 and matched == 0:
            # Nearly every pair of clips differs from the start on: no need to go on.
            return Likeness(0, len(pa), 0)
    return Likeness(matched, len(pa), worst, identical)
