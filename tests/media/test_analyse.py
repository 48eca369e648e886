"""analyse_clip: one decode of a new clip gives what probe_clip, the border search over
sample_frames, first_frame and last_frame give one by one (issue 11 item 8)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from annotator.clipfacts import Borders, ClipFacts
from annotator.media import (
    MediaError,
    analyse_clip,
    detect_black_borders,
    first_frame,
    last_frame,
    probe_clip,
    sample_frames,
)
from annotator.media.analyse import BORDER_SAMPLE_FRAMES
from tests.clips import make_clip, make_corrupt_clip, make_numbered_clip, which_frame


def _same_pixels(a: object, b: object) -> bool:
    return bool(np.array_equal(np.asarray(a), np.asarray(b)))


@pytest.mark.parametrize(
    "make",
    [
        lambda d: make_clip(d / "plain.mp4", 96, 64, seconds=1.5),
        lambda d: make_clip(d / "bars.mp4", 160, 120, black_bars=(14, 10)),
        lambda d: make_clip(d / "turned.mp4", 160, 96, seconds=0.5, rotation=90),
        lambda d: make_clip(d / "sound.mov", 96, 64, seconds=1.0, audio=True),
        lambda d: make_numbered_clip(d / "gops.mp4", 30, keyframe_interval=4),
    ],
    ids=["plain", "letterbox", "rotated", "mov-audio", "keyframes"],
)
def test_one_pass_gives_what_the_separate_readers_give(
    tmp_path: Path, make: Callable[[Path], Path]
) -> None:
    clip = make(tmp_path)
    analysis = analyse_clip(clip)
    borders = detect_black_borders(sample_frames(clip, BORDER_SAMPLE_FRAMES))
    assert analysis.facts == ClipFacts(**probe_clip(clip).model_dump(), black_borders=borders)
    assert _same_pixels(analysis.first_frame, first_frame(clip))
    assert _same_pixels(analysis.last_frame, last_frame(clip))


def test_the_first_and_last_pictures_are_the_clips_ends(tmp_path: Path) -> None:
    clip = make_numbered_clip(tmp_path / "n.mp4", 23, keyframe_interval=5)
    analysis = analyse_clip(clip)
    assert which_frame(analysis.first_frame, 23) == 0
    assert which_frame(analysis.last_frame, 23) == 22


def test_bars_are_found(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "bars.mp4", 160, 120, black_bars=(14, 10))
    assert analyse_clip(clip).facts.black_borders == Borders(top=14, bottom=10)


def test_a_broken_clip_is_a_media_error(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="cannot be decoded"):
        analyse_clip(make_corrupt_clip(tmp_path / "broken.mp4"))
