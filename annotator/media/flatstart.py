"""Where a clip's picture starts: the first frame that is not flat (black, a slate of one
colour). For i2v the first frame is the picture the model is conditioned on, so a trim that
keeps the start must not keep a black lead-in (issue 13, ``annotator fix``)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from annotator.media.probe import decode_frames, open_video

# A frame whose luma varies less than this (standard deviation, 0-255) carries no picture:
# black, a fade, a slate of one colour. Compression noise on a black frame stays under 1.
FLAT_LUMA_STD = 4.0


def luma_std(frame: av.VideoFrame) -> float:
    """The standard deviation of a decoded frame's luma (0-255)."""
    gray = frame.to_ndarray(format="gray")
    return float(np.asarray(gray, dtype=np.float32).std())


def is_flat(frame: av.VideoFrame, threshold: float = FLAT_LUMA_STD) -> bool:
    """True when the frame is flat: its luma barely varies."""
    return luma_std(frame) < threshold


def first_real_frame_s(
    path: Path, within_s: float = 3.0, threshold: float = FLAT_LUMA_STD
) -> float:
    """The time, in seconds from the clip's start, of its first frame that is not flat.

    0.0 when the first frame has a picture, and when no frame of the first WITHIN_S
    seconds has one (a clip that is dark throughout is for the checks, not for a trim).
    Raises ``MediaError`` when the clip cannot be read.
    """
    with open_video(Path(path)) as (container, stream):
        origin = stream.start_time or 0
        base = Fraction(stream.time_base) if stream.time_base else Fraction(1, 90000)
        for frame in decode_frames(container, stream):
            t = 0.0 if frame.pts is None else float((frame.pts - origin) * base)
            if t > within_s:
                return 0.0
            if not is_flat(frame, threshold):
                return max(0.0, t)
    return 0.0
