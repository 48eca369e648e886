"""probe_clip on real clips encoded here, and write_clip's promises."""

from __future__ import annotations

import hashlib
import os
import struct
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from annotator.media import (
    ClipProbe,
    MediaError,
    clockwise_rotation,
    display_matrix_rotation,
    probe_clip,
    write_clip,
)
from tests.clips import make_clip, make_corrupt_clip, make_image
from tests.media.helpers import refuse_reading


def test_probe_reports_size_duration_rate_and_frames(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "a.mp4", width=160, height=120, seconds=2.5, fps=8)
    probe = probe_clip(clip)
    assert isinstance(probe, ClipProbe)
    assert (probe.width, probe.height) == (160, 120)
    assert (probe.coded_width, probe.coded_height) == (160, 120)
    assert probe.rotation == 0
    assert probe.fps == pytest.approx(8.0)
    assert probe.frame_count == 20
    assert abs(probe.duration_s - 2.5) < 1 / 8
    assert probe.codec == "h264"
    assert probe.pix_fmt == "yuv420p"
    assert probe.has_audio is False
    assert "mp4" in probe.container.split(",")
    assert probe.pixels == 160 * 120


@pytest.mark.parametrize(
    ("name", "width", "height", "seconds", "fps", "frames"),
    [
        ("b.mp4", 96, 64, 3.0, 12, 36),
        ("c.mov", 64, 96, 2.25, 24, 54),
        ("d.mkv", 80, 80, 1.5, 10, 15),  # no sample table: frames counted from packets
    ],
)
def test_probe_across_sizes_rates_and_containers(
    tmp_path: Path, name: str, width: int, height: int, seconds: float, fps: int, frames: int
) -> None:
    probe = probe_clip(make_clip(tmp_path / name, width, height, seconds, fps))
    assert (probe.width, probe.height) == (width, height)
    assert probe.fps == pytest.approx(fps)
    assert probe.frame_count == frames
    assert abs(probe.duration_s - seconds) < 1 / fps


def test_probe_container_names(tmp_path: Path) -> None:
    assert probe_clip(make_clip(tmp_path / "a.mov", seconds=0.5)).container.startswith("mov")
    assert probe_clip(make_clip(tmp_path / "a.mkv", seconds=0.5)).container == "matroska,webm"


def test_probe_sees_audio(tmp_path: Path) -> None:
    probe = probe_clip(make_clip(tmp_path / "a.mp4", seconds=2.0, audio=True))
    assert probe.has_audio is True
    # The video's own duration, not the audio's (AAC pads its last frame).
    assert abs(probe.duration_s - 2.0) < 1 / 8
    assert probe.frame_count == 16


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_probe_reads_display_rotation(tmp_path: Path, rotation: int) -> None:
    probe = probe_clip(make_clip(tmp_path / "r.mp4", 160, 96, seconds=0.5, rotation=rotation))
    assert probe.rotation == rotation
    assert (probe.coded_width, probe.coded_height) == (160, 96)
    expected = (96, 160) if rotation in (90, 270) else (160, 96)
    assert (probe.width, probe.height) == expected


def test_display_matrix_of_a_real_clip(tmp_path: Path) -> None:
    """FFmpeg's own matrix, as written by the muxer and read back, gives the same angle."""
    clip = make_clip(tmp_path / "r.mp4", seconds=0.5, rotation=90)
    with av.open(str(clip)) as container:
        frame = next(container.decode(video=0))
        raw = bytes(frame.side_data["DISPLAYMATRIX"])
    matrix = struct.unpack("<9i", raw)
    assert display_matrix_rotation(matrix) == 90
    assert clockwise_rotation(frame.rotation) == 90


@pytest.mark.parametrize(
    ("ccw", "cw"), [(0, 0), (-90, 90), (90, 270), (180, 180), (-180, 180), (-89.6, 90)]
)
def test_clockwise_rotation(ccw: float, cw: int) -> None:
    assert clockwise_rotation(ccw) == cw


def test_display_matrix_rotation_by_hand() -> None:
    one = 1 << 16
    identity = (one, 0, 0, 0, one, 0, 0, 0, 1 << 30)
    # av_display_rotation_set(m, 90): a clockwise quarter turn.
    clockwise_90 = (0, one, 0, -one, 0, 0, 0, 0, 1 << 30)
    assert display_matrix_rotation(identity) == 0
    assert display_matrix_rotation(clockwise_90) == 90
    assert display_matrix_rotation((-one, 0, 0, 0, -one, 0, 0, 0, 1 << 30)) == 180
    assert display_matrix_rotation((0, -one, 0, one, 0, 0, 0, 0, 1 << 30)) == 270
    with pytest.raises(ValueError):
        display_matrix_rotation((1, 2, 3))


# --- files that are not usable videos -------------------------------------------------


def _message(path: Path) -> str:
    with pytest.raises(MediaError) as info:
        probe_clip(path)
    message = str(info.value)
    assert path.name not in message  # the caller adds the name
    return message


def test_zero_byte_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.mp4"
    path.touch()
    assert _message(path) == "zero-byte file"


def test_text_file_named_mp4(tmp_path: Path) -> None:
    path = tmp_path / "notes.mp4"
    path.write_text("shot list\n1. sparkles\n2. flash — 闪光\n" * 10, encoding="utf-8")
    assert _message(path) == "text file, not a video"


def test_corrupt_clip(tmp_path: Path) -> None:
    assert _message(make_corrupt_clip(tmp_path / "bad.mp4")).startswith("cannot be decoded: ")


def test_random_bytes(tmp_path: Path) -> None:
    path = tmp_path / "noise.mp4"
    path.write_bytes(np.random.default_rng(1).integers(0, 256, 5000, dtype=np.uint8).tobytes())
    assert _message(path).startswith("cannot be decoded: ")


def test_image_renamed_to_mp4(tmp_path: Path) -> None:
    path = make_image(tmp_path / "still.mp4", 64, 48, "PNG")
    assert _message(path) == "an image (PNG), not a video"


def test_zip_renamed_to_mp4(tmp_path: Path) -> None:
    path = tmp_path / "archive.mp4"
    path.write_bytes(b"PK\x03\x04" + bytes(200))
    assert _message(path) == "a ZIP archive, not a video"


def test_audio_only_file(tmp_path: Path) -> None:
    path = tmp_path / "sound.mp4"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("aac", rate=48000, layout="mono")
        for i in range(20):
            frame = av.AudioFrame.from_ndarray(
                np.zeros((1, 1024), np.float32), format="fltp", layout="mono"
            )
            frame.sample_rate, frame.pts, frame.time_base = 48000, i * 1024, Fraction(1, 48000)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    assert _message(path) == "not a video file (no video stream)"


def test_missing_file_and_folder(tmp_path: Path) -> None:
    assert _message(tmp_path / "gone.mp4") == "file not found"
    folder = tmp_path / "folder.mp4"
    folder.mkdir()
    assert _message(folder) == "is a folder, not a file"


def test_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clip = make_clip(tmp_path / "locked.mp4", seconds=0.5)
    refuse_reading(monkeypatch, clip)
    assert _message(clip) == "file is unreadable: permission denied"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_permission_denied_for_real(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "locked.mp4", seconds=0.5)
    clip.chmod(0)
    try:
        assert _message(clip) == "file is unreadable: permission denied"
    finally:
        clip.chmod(0o644)


# --- write_clip --------------------------------------------------------------------------


def _gradient_frames(n: int, width: int = 64, height: int = 48):
    for i in range(n):
        frame = np.zeros((height, width, 3), np.uint8)
        frame[..., 0] = np.linspace(0, 255, width, dtype=np.uint8)[None, :]
        frame[..., 1] = (i * 30) % 256
        yield frame


def test_write_clip_is_byte_for_byte_reproducible(tmp_path: Path) -> None:
    # Tiny pictures, with other allocations in between: x264's mb-tree used to make these
    # differ from run to run (it reads memory it never wrote on pictures this small).
    digests = set()
    names = [f"clip{k}.mp4" for k in range(6)]
    for k, name in enumerate(names):
        clutter = [bytearray(1000 + 517 * k) for _ in range(k)]
        path = write_clip(tmp_path / name, _gradient_frames(12), fps=12, audio_seconds=1.0)
        digests.add(hashlib.sha256(path.read_bytes()).hexdigest())
        del clutter
    assert len(digests) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == names


def test_write_clip_tone_track(tmp_path: Path) -> None:
    path = write_clip(
        tmp_path / "tone.mov", _gradient_frames(8), fps=8, audio_seconds=1.0, audio_tone_hz=440
    )
    probe = probe_clip(path)
    assert probe.has_audio and probe.frame_count == 8
    with av.open(str(path)) as container:
        samples = np.concatenate([f.to_ndarray().ravel() for f in container.decode(audio=0)])
    assert np.abs(samples).max() > 0.1  # a tone, not silence


@pytest.mark.parametrize(
    ("frames", "suffix", "match"),
    [
        ([np.zeros((47, 64, 3), np.uint8)], ".mp4", "even"),
        ([np.zeros((48, 64, 3), np.uint8), np.zeros((48, 66, 3), np.uint8)], ".mp4", "frame 1"),
        ([np.zeros((48, 64), np.uint8)], ".mp4", "uint8"),
        ([], ".mp4", "no frames"),
        ([np.zeros((48, 64, 3), np.uint8)], ".gif", "suffix"),
    ],
)
def test_write_clip_refuses_bad_input(
    tmp_path: Path, frames: list[np.ndarray], suffix: str, match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        write_clip(tmp_path / f"bad{suffix}", frames, fps=8)
    assert list(tmp_path.iterdir()) == []  # no half-written file, no temporary left over


def test_write_clip_bytes_do_not_depend_on_buffer_alignment(tmp_path: Path) -> None:
    """The same pixels at differently aligned addresses (FFmpeg's swscale would take other
    SIMD paths for them) give the same file."""
    pixels = list(_gradient_frames(6, 64, 48))
    digests = set()
    for offset in (0, 1, 3):
        backing = np.zeros(64 * 48 * 3 * 6 + 64, np.uint8)
        views = []
        for i, frame in enumerate(pixels):
            start = offset + i * frame.size
            view = backing[start : start + frame.size].reshape(frame.shape)
            view[...] = frame
            views.append(view)
        path = write_clip(tmp_path / f"a{offset}.mp4", views, fps=8)
        digests.add(hashlib.sha256(path.read_bytes()).hexdigest())
    assert len(digests) == 1


@pytest.mark.parametrize(
    "colour", [(230, 20, 20), (20, 200, 40), (30, 40, 220), (250, 250, 250), (120, 90, 60)]
)
def test_write_clip_keeps_colours(tmp_path: Path, colour: tuple[int, int, int]) -> None:
    from annotator.media import first_frame

    picture = np.empty((32, 48, 3), np.uint8)
    picture[:] = colour
    clip = write_clip(tmp_path / "c.mp4", [picture], fps=8, crf=12)
    decoded = np.asarray(first_frame(clip), dtype=np.int32)[16, 24]
    assert np.abs(decoded - np.array(colour)).max() <= 4
