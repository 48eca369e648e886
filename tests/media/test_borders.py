"""detect_black_borders on drawn pictures and on frames decoded from real clips."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from annotator.media import Borders, detect_black_borders, sample_frames
from tests.clips import make_clip


def _picture(
    width: int = 200,
    height: int = 120,
    *,
    top: int = 0,
    bottom: int = 0,
    left: int = 0,
    right: int = 0,
    seed: int = 0,
    low: int = 40,
    high: int = 230,
) -> Image.Image:
    rng = np.random.default_rng(seed)
    pixels = rng.integers(low, high, size=(height, width, 3), dtype=np.uint8)
    pixels[:top] = 0
    pixels[height - bottom :] = 0
    pixels[:, :left] = 0
    pixels[:, width - right :] = 0
    return Image.fromarray(pixels)


def test_letterbox_from_a_real_clip(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "lb.mp4", 160, 120, black_bars=(14, 10))
    borders = detect_black_borders(sample_frames(clip, 5))
    assert borders == Borders(top=14, bottom=10, left=0, right=0)
    assert borders.letterbox and not borders.pillarbox
    assert borders.crop_box(160, 120) == (0, 14, 160, 110)


def test_pillarbox_from_a_real_clip(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "pb.mp4", 160, 120, pillarbox=20)
    borders = detect_black_borders(sample_frames(clip, 5))
    assert borders == Borders(left=20, right=20)
    assert borders.pillarbox and not borders.letterbox


def test_no_borders_in_a_clean_clip(tmp_path: Path) -> None:
    assert detect_black_borders(sample_frames(make_clip(tmp_path / "ok.mp4"), 5)) is None


def test_all_four_edges() -> None:
    frames = [_picture(top=8, bottom=6, left=10, right=12, seed=s) for s in range(3)]
    assert detect_black_borders(frames) == Borders(top=8, bottom=6, left=10, right=12)


def test_dark_scene_everywhere_is_not_a_border() -> None:
    frames = [_picture(low=0, high=12, seed=s) for s in range(4)]
    assert detect_black_borders(frames) is None


def test_all_black_frames_are_not_a_border() -> None:
    frames = [Image.new("RGB", (200, 120)) for _ in range(3)]
    assert detect_black_borders(frames) is None


def test_dark_scene_with_a_small_lit_object_is_not_a_border() -> None:
    frames = []
    for s in range(3):
        pixels = np.asarray(_picture(low=0, high=10, seed=s)).copy()
        pixels[50:70, 90:110] = 200  # a lamp in the middle of a night scene
        frames.append(Image.fromarray(pixels))
    assert detect_black_borders(frames) is None


def test_bar_must_be_black_on_every_frame() -> None:
    # A fade: the first frame is letterboxed-looking only because its top is dark.
    frames = [_picture(top=20, seed=0), _picture(seed=1), _picture(top=20, seed=2)]
    assert detect_black_borders(frames) is None


def test_one_pixel_edge_is_not_a_border() -> None:
    frames = [_picture(top=1, left=1, seed=s) for s in range(3)]
    assert detect_black_borders(frames, min_fraction=0.0) is None


def test_min_fraction() -> None:
    frames = [_picture(height=240, top=3, seed=s) for s in range(2)]
    assert detect_black_borders(frames) is None  # 3 px of 240 is under 2 %
    assert detect_black_borders(frames, min_fraction=0.01) == Borders(top=3)


def test_threshold() -> None:
    pixels = np.asarray(_picture(top=10)).copy()
    pixels[:10] = 24  # dark grey, not black
    frames = [Image.fromarray(pixels)]
    assert detect_black_borders(frames) is None
    assert detect_black_borders(frames, threshold=30) == Borders(top=10)


def test_stray_pixels_in_a_bar_are_tolerated() -> None:
    pixels = np.asarray(_picture(bottom=16)).copy()
    pixels[-5, 17] = 255  # one compression speck in the bar
    assert detect_black_borders([Image.fromarray(pixels)]) == Borders(bottom=16)


def test_grayscale_and_empty_input() -> None:
    assert detect_black_borders([_picture(left=9).convert("L")]) == Borders(left=9)
    assert detect_black_borders([]) is None


def test_frames_of_different_sizes() -> None:
    with pytest.raises(ValueError):
        detect_black_borders([_picture(200, 120), _picture(120, 200)])
