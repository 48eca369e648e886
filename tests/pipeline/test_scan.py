import os
import shutil
from pathlib import Path

import pytest

from annotator.basemodels import Mode
from annotator.pipeline.scan import scan
from annotator.workspace import FrameSource, Problem, Workspace, WorkspaceInfo
from tests.clips import make_clip, make_corrupt_clip, make_image

I2V = WorkspaceInfo(mode=Mode.I2V, base_model="wan2.5-i2v-preview")
KF2V = WorkspaceInfo(mode=Mode.KF2V, base_model="wan2.2-kf2v-flash")


def _clips(root: Path, n: int) -> list[Path]:
    return [make_clip(root / f"clip_{i}.mp4", seed=i, width=96, height=64) for i in range(n)]


def test_scan_adds_clips_with_probe_and_first_frame(tmp_path: Path) -> None:
    _clips(tmp_path, 2)
    ws = Workspace.create(tmp_path, I2V)
    report = scan(ws)
    assert sorted(report.added) == ["clip_0.mp4", "clip_1.mp4"]
    sample = ws.resolve("clip_0.mp4")
    assert sample.probe is not None
    assert (sample.probe.width, sample.probe.height) == (96, 64)
    assert sample.probe.black_borders is None
    assert sample.first_frame_source is FrameSource.EXTRACTED
    assert (tmp_path / sample.first_frame).is_file()
    assert sample.last_frame is None


def test_rescan_keeps_annotations_across_rename_move_and_removal(tmp_path: Path) -> None:
    _clips(tmp_path, 3)
    ws = Workspace.create(tmp_path, I2V)
    scan(ws)
    sid = ws.resolve("clip_0.mp4").id
    ws.edit(sid, "subject", "a moving square")
    (tmp_path / "sub").mkdir()
    (tmp_path / "clip_0.mp4").rename(tmp_path / "sub" / "renamed.mp4")
    gone = ws.resolve("clip_2.mp4").id
    (tmp_path / "clip_2.mp4").unlink()
    report = scan(ws)
    assert report.moved == [("clip_0.mp4", "sub/renamed.mp4")]
    assert report.removed == ["clip_2.mp4"]
    assert ws.sample(sid).subject == "a moving square"
    assert ws.sample(sid).path == "sub/renamed.mp4"
    assert gone not in {s.id for s in ws.samples()}
    assert not ws.sample(gone).present
    shutil.copy(tmp_path / "sub" / "renamed.mp4", tmp_path / "back.mp4")
    (tmp_path / "sub" / "renamed.mp4").unlink()
    scan(ws)
    assert ws.sample(sid).subject == "a moving square"


def test_unchanged_files_are_not_hashed_or_decoded_again(tmp_path: Path) -> None:
    _clips(tmp_path, 1)
    ws = Workspace.create(tmp_path, I2V)
    scan(ws)
    frame = tmp_path / ws.samples()[0].first_frame
    before = frame.stat().st_mtime_ns
    report = scan(ws)
    assert report.unchanged == 1 and not report.added
    assert frame.stat().st_mtime_ns == before


def test_sidecar_first_frame_wins(tmp_path: Path) -> None:
    _clips(tmp_path, 1)
    make_image(tmp_path / "clip_0.jpg", 96, 64, "JPEG")
    ws = Workspace.create(tmp_path, I2V)
    scan(ws)
    sample = ws.samples()[0]
    assert (sample.first_frame, sample.first_frame_source) == ("clip_0.jpg", FrameSource.SIDECAR)


def test_kf2v_extracts_first_and_last_unless_given(tmp_path: Path) -> None:
    _clips(tmp_path, 2)
    make_image(tmp_path / "clip_1_last.png", 96, 64, "PNG")
    ws = Workspace.create(tmp_path, KF2V)
    scan(ws)
    a, b = ws.samples()
    assert a.last_frame_source is FrameSource.EXTRACTED and (tmp_path / a.last_frame).is_file()
    assert b.first_frame_source is FrameSource.EXTRACTED
    assert (b.last_frame, b.last_frame_source) == ("clip_1_last.png", FrameSource.SIDECAR)


def test_bad_files_are_named_and_the_rest_goes_on(tmp_path: Path) -> None:
    _clips(tmp_path, 1)
    ws = Workspace.create(tmp_path, I2V)
    scan(ws)
    sid = ws.samples()[0].id
    ws.edit(sid, "subject", "kept")
    (tmp_path / "empty.mp4").write_bytes(b"")
    (tmp_path / "notes.mp4").write_text("this is not a video\n")
    make_corrupt_clip(tmp_path / "broken.mp4")
    make_clip(tmp_path / "片段.mp4", seed=9, width=96, height=64)
    shutil.copy(tmp_path / "clip_0.mp4", tmp_path / "copy.mp4")
    (tmp_path / "old.avi").write_bytes(b"RIFF0000AVI ")
    (tmp_path / "._clip_0.mp4").write_bytes(b"\x00\x05\x16\x07")  # a macOS resource fork
    os.symlink(tmp_path, tmp_path / "loop")  # a folder link back to the root
    os.symlink(tmp_path / "self.mp4", tmp_path / "self.mp4")  # a file link to itself
    report = scan(ws)
    problems = {p.path: p.error for p in report.problems if p.error is not None}
    assert problems["empty.mp4"] == Problem(
        message="zero-byte file", fix="re-copy or re-export the clip"
    )
    assert "notes.mp4" in problems
    assert problems["broken.mp4"].message.startswith("cannot be decoded")
    twin = "copy.mp4" if "copy.mp4" in problems else "clip_0.mp4"
    assert problems[twin].message.startswith("duplicate")
    assert problems[twin].fix == "remove one of the two"
    assert {p.path: p.duplicate_of for p in report.problems if p.duplicate_of} == {
        twin: ({"copy.mp4", "clip_0.mp4"} - {twin}).pop()
    }
    assert problems["old.avi"] == Problem(
        message=".avi clips are not taken by the service", fix="convert to MP4 or MOV"
    )
    assert problems["self.mp4"] == Problem(message="symlink loop")
    assert report.added == ["片段.mp4"]
    assert "._clip_0.mp4" not in problems
    assert ws.sample(sid).subject == "kept"
    assert len(ws.samples()) == 2


@pytest.mark.parametrize("mode", [I2V, KF2V])
def test_corrupt_clip_never_becomes_a_sample(tmp_path: Path, mode: WorkspaceInfo) -> None:
    make_corrupt_clip(tmp_path / "broken.mp4")
    ws = Workspace.create(tmp_path, mode)
    report = scan(ws)
    assert ws.samples() == []
    assert [p.path for p in report.problems] == ["broken.mp4"]


def test_a_clip_trimmed_in_place_keeps_the_persons_words(tmp_path: Path) -> None:
    from annotator.workspace import Pronoun, Status

    _clips(tmp_path, 2)
    ws = Workspace.create(tmp_path, I2V)
    scan(ws)
    old = ws.resolve("clip_0.mp4")
    ws.edit(old.id, "subject", "a moving square")
    ws.edit(old.id, "pronoun", Pronoun.IT.value)
    ws.set_status(old.id, Status.ACCEPTED)
    make_clip(tmp_path / "clip_0.mp4", seed=7, width=96, height=64, seconds=2.2)  # re-cut
    report = scan(ws)
    assert report.changed == ["clip_0.mp4"]
    assert report.added == [] and report.removed == []
    new = ws.resolve("clip_0.mp4")
    assert new.id != old.id
    assert (new.subject, new.pronoun, new.status) == (
        "a moving square",
        Pronoun.IT,
        Status.REVIEWED,
    )
