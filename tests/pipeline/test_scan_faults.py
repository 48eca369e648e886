"""scan and files that fail: an unreadable clip is tried again; pipes and outside links refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from annotator.basemodels import Mode
from annotator.pipeline.scan import scan
from annotator.workspace import FileRecord, FrameSource, Problem, Workspace, WorkspaceInfo
from tests.clips import make_clip, make_image
from tests.media.helpers import make_fifo, without_blocking

I2V = WorkspaceInfo(mode=Mode.I2V, base_model="wan2.5-i2v-preview")


def _chmod_stops_reads(folder: Path) -> bool:
    """False for root (CI runs the suite as root) unless its capabilities were dropped."""
    probe = folder / "probe"
    probe.write_bytes(b"x")
    probe.chmod(0)
    try:
        probe.read_bytes()
    except PermissionError:
        return True
    finally:
        probe.chmod(0o644)
        probe.unlink()
    return False


def test_a_clip_unreadable_at_one_scan_is_taken_at_the_next(tmp_path: Path) -> None:
    if not _chmod_stops_reads(tmp_path):
        pytest.skip("chmod 000 does not stop this user's reads (root)")
    clip = make_clip(tmp_path / "x.mp4", seconds=0.5)
    ws = Workspace.create(tmp_path, I2V)
    clip.chmod(0)
    try:
        report = scan(ws)
        assert [p.path for p in report.problems] == ["x.mp4"]
        error = report.problems[0].error
        assert error is not None and "permission denied" in error.message.lower()
    finally:
        clip.chmod(0o644)
    report = scan(ws)
    assert report.added == ["x.mp4"] and report.problems == []


def test_a_failed_read_is_tried_again_though_size_and_time_are_unchanged(tmp_path: Path) -> None:
    # The store exactly as a scan that could not read x.mp4 leaves it (what chmod 000 does
    # for a user other than root): the file's size and time, no hash, the reason.
    clip = make_clip(tmp_path / "x.mp4", seconds=0.5)
    ws = Workspace.create(tmp_path, I2V)
    st = clip.stat()
    failed = FileRecord(
        path="x.mp4",
        kind="clip",
        size=st.st_size,
        mtime_ns=st.st_mtime_ns,
        error=Problem(message="cannot read the file: Permission denied"),
    )
    ws.replace_files([failed])
    report = scan(ws)
    assert report.added == ["x.mp4"] and report.problems == []
    assert ws.files()["x.mp4"].sha256 == ws.resolve("x.mp4").id


def test_a_named_pipe_among_the_clips_is_named_and_never_opened(tmp_path: Path) -> None:
    make_clip(tmp_path / "good.mp4", seconds=0.5)
    fifo = make_fifo(tmp_path / "clip.mp4")
    ws = Workspace.create(tmp_path, I2V)
    report = without_blocking([fifo], lambda: scan(ws))
    assert report.added == ["good.mp4"]
    assert {p.path: p.error for p in report.problems} == {
        "clip.mp4": Problem(message="a named pipe (FIFO), not a regular file")
    }


def test_a_link_to_a_clip_outside_the_workspace_is_refused(tmp_path: Path) -> None:
    outside = make_clip(tmp_path / "library" / "far.mp4", seconds=0.5)
    root = tmp_path / "ws"
    root.mkdir()
    (root / "far.mp4").symlink_to(outside)
    make_clip(root / "sub" / "near.mp4", seconds=0.5, seed=3)
    (root / "near.mp4").symlink_to(root / "sub" / "near.mp4")  # inside: a duplicate, as before
    ws = Workspace.create(root, I2V)
    report = scan(ws)
    problems = {p.path: p.error.message if p.error else "" for p in report.problems}
    assert problems["far.mp4"] == "a symbolic link that leads out of the folder"
    assert "duplicate" in problems.get("near.mp4", problems.get("sub/near.mp4", ""))
    assert [s.path for s in ws.samples()] in (["near.mp4"], ["sub/near.mp4"])
    # Replaced by a copy (same size and time, as cp -p makes): taken at the next scan.
    (root / "far.mp4").unlink()
    shutil.copy2(outside, root / "far.mp4")
    assert scan(ws).added == ["far.mp4"]


def test_an_image_beside_a_clip_that_is_a_pipe_or_an_outside_link_is_not_used(
    tmp_path: Path,
) -> None:
    root = tmp_path / "ws"
    make_clip(root / "a.mp4", seconds=0.5)
    make_clip(root / "b.mp4", seconds=0.5, seed=2)
    fifo = make_fifo(root / "a.png")
    make_image(tmp_path / "outside.png", 160, 120)
    (root / "b.png").symlink_to(tmp_path / "outside.png")
    ws = Workspace.create(root, I2V)
    without_blocking([fifo], lambda: scan(ws))
    for sample in ws.samples():
        assert sample.first_frame_source is FrameSource.EXTRACTED
