"""The qwen-vl-utils sampling rules and the server-side token estimate."""

from __future__ import annotations

import pytest

from annotator.captioning import estimate_tokens
from annotator.captioning.estimate import estimate_nframes, server_patch
from annotator.captioning.frames import (
    frame_pixel_budget,
    patch_factor,
    smart_nframes,
    smart_resize,
)


@pytest.mark.parametrize(
    ("size", "factor", "expected"),
    [
        ((1080, 1920), 28, (1092, 1932)),  # rounded to the grid, inside the image budget
        ((100, 100), 28, (112, 112)),
        ((10, 10), 28, (56, 56)),  # grown to the 4*28*28 minimum
        ((720, 1280), 32, (704, 1280)),
    ],
)
def test_smart_resize_image_defaults(
    size: tuple[int, int], factor: int, expected: tuple[int, int]
) -> None:
    assert smart_resize(*size, factor=factor) == expected


def test_smart_resize_shrinks_to_the_max() -> None:
    h, w = smart_resize(2160, 3840, 28, max_pixels=768 * 28 * 28)
    assert h * w <= 768 * 28 * 28
    assert h % 28 == 0 and w % 28 == 0
    assert (h, w) == (560, 1008)


def test_smart_resize_refuses_extreme_aspect_ratios() -> None:
    with pytest.raises(ValueError, match="aspect ratio"):
        smart_resize(10, 2100)


@pytest.mark.parametrize(
    ("total", "video_fps", "fps", "expected"),
    [
        (120, 24.0, 2.0, 10),  # 5 s at 2 fps
        (20, 8.0, 2.0, 4),  # 2.5 s: 5 frames, floored to even
        (16, 8.0, 0.5, 4),  # 1 frame asked, the minimum is 4
        (3000, 30.0, 10.0, 768),  # capped at 768
        (5, 5.0, 2.0, 4),  # the cap is floor2(total) = 4
    ],
)
def test_smart_nframes(total: int, video_fps: float, fps: float, expected: int) -> None:
    assert smart_nframes(total, video_fps, fps) == expected


def test_smart_nframes_needs_two_frames() -> None:
    with pytest.raises(ValueError):
        smart_nframes(1, 25.0, 2.0)


def test_frame_pixel_budget() -> None:
    assert frame_pixel_budget(10, 28) == (128 * 784, 768 * 784)
    # Many frames: the total budget per frame drops under 768 tokens.
    _min, max_pixels = frame_pixel_budget(768, 28)
    assert max_pixels == pytest.approx(128000 * 784 * 0.9 / 768 * 2)


@pytest.mark.parametrize(
    ("model", "grid"),
    [
        ("qwen-vl-max", 28),
        ("qwen2.5-vl-72b-instruct", 28),
        ("qwen3-vl-plus", 32),
        ("qwen3.5-plus", 32),
    ],
)
def test_patch_factor(model: str, grid: int) -> None:
    assert patch_factor(model) == grid


def test_estimate_tokens_five_seconds_720p() -> None:
    # 10 frames; 720x1280 shrinks to 640x1152 (768*32*32 px max); 5 pairs * 20*36 + 2.
    assert estimate_tokens(5.0, 1280, 720, 2.0, "qwen-vl-max") == 3602


def test_estimate_tokens_uses_28_px_for_older_qwen25() -> None:
    assert server_patch("qwen2.5-vl-72b-instruct") == 28
    assert server_patch("qwen-vl-max-2025-04-08") == 28
    assert server_patch("qwen3-vl-flash") == 32
    # 480x640 on a 28 grid: 476x644 fits; 4 frames -> 2 pairs * 17 * 23 + 2.
    assert estimate_tokens(2.0, 640, 480, 2.0, "qwen2.5-vl-7b-instruct") == 2 * 17 * 23 + 2


def test_estimate_nframes_caps_per_model() -> None:
    assert estimate_nframes(600, 2.0, "qwen3-vl-plus") == 1200
    assert estimate_nframes(600, 2.0, "qwen-vl-max") == 512
    assert estimate_nframes(600, 2.0, "qvq-max") == 80
    assert estimate_nframes(0.5, 2.0, "qwen-vl-max") == 4


def test_more_fps_costs_more() -> None:
    low = estimate_tokens(5.0, 1280, 720, 1.0, "qwen3-vl-plus")
    high = estimate_tokens(5.0, 1280, 720, 4.0, "qwen3-vl-plus")
    assert high > low
