"""A clip whose picture changes size half way (two recordings joined, a stream that
switched resolution) is one clear problem for that file; the scan, check and fix go on."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
from typer.testing import CliRunner

from annotator.basemodels import Mode
from annotator.cli import app
from annotator.media import MediaError, analyse_clip
from annotator.pipeline.scan import scan
from annotator.workspace import Workspace, WorkspaceInfo
from tests.clips import make_clip

I2V = WorkspaceInfo(mode=Mode.I2V, base_model="wan2.2-i2v-flash")


def _ts(path: Path, width: int, height: int, frames: int, seed: int) -> bytes:
    """An MPEG-TS recording of noise at one size (TS files play on when joined)."""
    rng = np.random.default_rng(seed)
    with av.open(str(path), "w", format="mpegts") as out:
        stream = out.add_stream("libx264", rate=8)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for i in range(frames):
            picture = rng.integers(0, 255, (height, width, 3), dtype=np.uint8)
            frame = av.VideoFrame.from_ndarray(picture, "rgb24")
            frame.pts = i
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path.read_bytes()


def _joined(folder: Path, name: str) -> Path:
    """Two recordings of different sizes, one after the other, in one file."""
    folder.mkdir(parents=True, exist_ok=True)
    first = _ts(folder / "part1.ts.tmp", 64, 48, 12, 1)
    second = _ts(folder / "part2.ts.tmp", 128, 96, 12, 2)
    for part in folder.glob("*.ts.tmp"):
        part.unlink()
    clip = folder / name
    clip.write_bytes(first + second)
    return clip


def test_a_clip_that_changes_size_is_a_media_error_naming_both_sizes(tmp_path: Path) -> None:
    clip = _joined(tmp_path, "joined.ts")
    try:
        analyse_clip(clip)
    except MediaError as exc:
        assert "64x48" in exc.message and "128x96" in exc.message
    else:
        raise AssertionError("a clip whose size changes was taken as one size")


def test_the_scan_takes_the_other_clips_and_check_and_fix_run(tmp_path: Path) -> None:
    make_clip(tmp_path / "good.mp4", seconds=8.0)
    _joined(tmp_path, "joined.ts")
    with Workspace.create(tmp_path, I2V) as ws:
        report = scan(ws)
        assert report.added == ["good.mp4"]
        assert [p.path for p in report.problems] == ["joined.ts"]
    runner = CliRunner()
    for command in ("check", "fix"):
        result = runner.invoke(app, [command, str(tmp_path)])
        assert "unexpected" not in result.output and result.exit_code in (0, 1), result.output
