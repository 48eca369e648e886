"""first_frame, last_frame, sample_frames and save_png on clips whose frames can be told apart."""

from __future__ import annotations

from pathlib import Path

import av
import av.error
import numpy as np
import pytest
from PIL import Image

from annotator.media import MediaError, first_frame, last_frame, sample_frames, save_png
from annotator.media import frames as frames_module
from annotator.media.probe import open_video
from tests.clips import make_clip, make_numbered_clip, which_frame


@pytest.mark.parametrize(
    ("n_frames", "keyframe_interval"),
    [
        (1, None),
        (13, None),  # one keyframe, B-frames: the seek lands at the start
        (30, 4),  # many keyframes: the seek skips most of the clip
        (31, 7),
    ],
)
def test_exact_first_and_last_frames(
    tmp_path: Path, n_frames: int, keyframe_interval: int | None
) -> None:
    clip = make_numbered_clip(tmp_path / "n.mp4", n_frames, keyframe_interval=keyframe_interval)
    assert which_frame(first_frame(clip), n_frames) == 0
    assert which_frame(last_frame(clip), n_frames) == n_frames - 1


def test_last_frame_seeks_to_the_last_keyframe(tmp_path: Path) -> None:
    clip = make_numbered_clip(tmp_path / "n.mp4", 40, keyframe_interval=5)
    with open_video(clip) as (container, stream):
        tail = list(frames_module._tail_frames(container, stream))
    assert 1 <= len(tail) <= 5  # the last GOP only, not the 40 frames
    assert which_frame(frames_module.to_display_image(tail[-1]), 40) == 39
    assert which_frame(last_frame(clip), 40) == 39


def test_last_frame_falls_back_to_a_full_decode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clip = make_numbered_clip(tmp_path / "n.mp4", 17, keyframe_interval=4)
    monkeypatch.setattr(frames_module, "_last_after_seek", lambda container, stream: None)
    assert which_frame(last_frame(clip), 17) == 16


def test_last_frame_falls_back_after_a_failed_tail_decode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The seek path opened the decoder and then failed: the full decode still works."""
    clip = make_numbered_clip(tmp_path / "n.mp4", 17, keyframe_interval=4)
    real_tail = frames_module._tail_frames

    def failing_tail(container, stream):
        for frame in real_tail(container, stream):
            yield frame
            raise av.error.InvalidDataError(1094995529, "Invalid data found when processing input")

    monkeypatch.setattr(frames_module, "_tail_frames", failing_tail)
    assert which_frame(last_frame(clip), 17) == 16


def test_last_frame_of_mkv(tmp_path: Path) -> None:
    clip = make_numbered_clip(tmp_path / "n.mkv", 21, keyframe_interval=6)
    assert which_frame(first_frame(clip), 21) == 0
    assert which_frame(last_frame(clip), 21) == 20


@pytest.mark.parametrize("suffix", [".mp4", ".mkv"])
def test_sample_frames_evenly_spaced(tmp_path: Path, suffix: str) -> None:
    clip = make_numbered_clip(tmp_path / f"n{suffix}", 30)
    picked = sample_frames(clip, 5)
    assert [which_frame(image, 30) for image in picked] == [0, 7, 14, 22, 29]
    assert all(image.size == (64, 48) and image.mode == "RGB" for image in picked)


def test_sample_frames_edge_counts(tmp_path: Path) -> None:
    clip = make_numbered_clip(tmp_path / "n.mp4", 6)
    assert [which_frame(i, 6) for i in sample_frames(clip, 1)] == [0]
    assert [which_frame(i, 6) for i in sample_frames(clip, 2)] == [0, 5]
    assert [which_frame(i, 6) for i in sample_frames(clip, 6)] == [0, 1, 2, 3, 4, 5]
    assert [which_frame(i, 6) for i in sample_frames(clip, 50)] == [0, 1, 2, 3, 4, 5]
    with pytest.raises(ValueError):
        sample_frames(clip, 0)


def _white_corner(image: Image.Image) -> str:
    """Which corner holds the white marker block ('tl', 'tr', 'bl', 'br')."""
    pixels = np.asarray(image, dtype=np.int32)
    h, w = pixels.shape[:2]
    corners = {
        "tl": pixels[2, 2],
        "tr": pixels[2, w - 3],
        "bl": pixels[h - 3, 2],
        "br": pixels[h - 3, w - 3],
    }
    white = [name for name, rgb in corners.items() if rgb.min() > 220]
    assert len(white) == 1, corners
    return white[0]


@pytest.mark.parametrize(
    ("rotation", "size", "corner"),
    [(0, (64, 48), "tl"), (90, (48, 64), "tr"), (180, (64, 48), "br"), (270, (48, 64), "bl")],
)
def test_rotation_is_applied_to_every_picture(
    tmp_path: Path, rotation: int, size: tuple[int, int], corner: str
) -> None:
    clip = make_numbered_clip(tmp_path / "r.mp4", 6, rotation=rotation)
    pictures = [first_frame(clip), last_frame(clip), *sample_frames(clip, 3)]
    for picture in pictures:
        assert picture.size == size
        assert _white_corner(picture) == corner


def test_frames_of_a_broken_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.mp4"
    path.write_text("not a video\n")
    for read in (first_frame, last_frame, lambda p: sample_frames(p, 3)):
        with pytest.raises(MediaError, match="text file"):
            read(path)


def test_save_png_is_exact_and_atomic(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "a.mp4", seconds=0.5)
    image = first_frame(clip)
    dest = tmp_path / "out" / "first.png"
    dest.parent.mkdir()
    dest.write_bytes(b"old contents")
    assert save_png(image, dest) == dest
    with Image.open(dest) as reread:
        assert reread.format == "PNG"
        assert np.array_equal(np.asarray(reread), np.asarray(image))
    assert [p.name for p in dest.parent.iterdir()] == ["first.png"]


def test_save_png_leaves_nothing_when_it_fails(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        save_png(Image.new("CMYK", (4, 4)), tmp_path / "x.png")  # PNG has no CMYK
    assert list(tmp_path.iterdir()) == []
