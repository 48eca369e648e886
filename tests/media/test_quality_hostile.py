"""The clip-quality analysis of clips of odd shapes: every measure is a number, so the
stored result reads back (a check of unchanged clips decodes nothing)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from annotator.media.quality import ClipQuality, analyse_quality
from tests.clips import make_clip


@pytest.mark.parametrize(
    "shape",
    [
        {"width": 16, "height": 1000, "black_bars": (496, 496)},  # 8 rows of picture
        {"width": 1000, "height": 16},  # a strip
    ],
    ids=["thin-letterbox", "strip"],
)
def test_a_thin_clip_is_measured_in_numbers_that_read_back(
    tmp_path: Path, shape: dict[str, object]
) -> None:
    clip = make_clip(tmp_path / "thin.mp4", seconds=1.0, fps=8, **shape)  # type: ignore[arg-type]
    quality = analyse_quality(clip, read_text=False)
    assert math.isfinite(quality.sharpness) and math.isfinite(quality.noise)
    assert ClipQuality.model_validate_json(quality.model_dump_json()) == quality
