"""A clip's timeline for choosing a trim: its length, its frame rate and a few pictures
spread across it, each with its time (the review's trim view, issue 13)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
from PIL import Image

from annotator.media.errors import MediaError
from annotator.media.frames import to_display_image
from annotator.media.probe import decode_frames, open_video, probe_clip


@dataclass(frozen=True)
class Timeline:
    """``count`` pictures spread over a clip (the first and the last included), each with
    the time of its frame in seconds from the clip's start."""

    duration_s: float
    fps: float
    times: list[float]
    pictures: list[Image.Image]


def timeline(path: Path, count: int, side: int = 160) -> Timeline:
    """Decode PATH once, keeping COUNT pictures (at most SIDE pixels a side) evenly spread
    over its frames. Raises ``MediaError`` when it is not a usable video."""
    if count < 1:
        raise ValueError("count must be at least 1")
    probe = probe_clip(Path(path))
    total = max(1, probe.frame_count)
    wanted = sorted({round(i * (total - 1) / max(1, count - 1)) for i in range(count)})
    times: list[float] = []
    pictures: list[Image.Image] = []
    with open_video(Path(path)) as (container, stream):
        origin = stream.start_time or 0
        base = Fraction(stream.time_base) if stream.time_base else Fraction(1, 90000)
        last: tuple[float, av.VideoFrame] | None = None
        for index, frame in enumerate(decode_frames(container, stream)):
            t = index / probe.fps if frame.pts is None else float((frame.pts - origin) * base)
            if len(pictures) < len(wanted) and index == wanted[len(pictures)]:
                times.append(max(0.0, t))
                pictures.append(_small(to_display_image(frame), side))
                last = None
            else:
                last = (t, frame)
        # The index promised more frames than decoded: the last one ends the strip.
        if len(pictures) < len(wanted) and last is not None:
            times.append(max(0.0, last[0]))
            pictures.append(_small(to_display_image(last[1]), side))
    if not pictures:
        raise MediaError("cannot be decoded: the video stream has no frames")
    return Timeline(duration_s=probe.duration_s, fps=probe.fps, times=times, pictures=pictures)


def _small(image: Image.Image, side: int) -> Image.Image:
    image.thumbnail((side, side))
    return image
