"""One test per rule: make a clip that breaks it and find the finding."""

import shutil
from pathlib import Path

from annotator.basemodels import Mode
from annotator.checks import CheckReport, Severity
from annotator.media.encode import write_clip
from annotator.pipeline.check import check_workspace
from annotator.pipeline.scan import scan
from annotator.workspace import Status, Workspace, WorkspaceInfo
from tests.clips import make_clip, make_corrupt_clip, make_image

I2V = WorkspaceInfo(mode=Mode.I2V, base_model="wan2.5-i2v-preview")


def _check(root: Path, info: WorkspaceInfo = I2V) -> CheckReport:
    ws = Workspace.create(root, info)
    scan(ws)
    return check_workspace(ws)


def _codes(report: CheckReport, path: str | None = None) -> set[str]:
    return {f.code for f in report.findings if path is None or f.path == path}


def _file_errors(report: CheckReport) -> set[str]:
    """The errors about the test's files (a set of 1 with no prompt has set errors too)."""
    return {f.code for f in report.findings if f.severity is Severity.ERROR and f.path}


def test_clean_clip_has_no_sample_finding(tmp_path: Path) -> None:
    make_clip(tmp_path / "good.mp4", width=96, height=64)
    report = _check(tmp_path)
    # A clip this small is worth a look (info), nothing more.
    assert _codes(report, "good.mp4") == {"low-resolution"}
    assert not _file_errors(report)


def test_twelve_second_clip_is_too_long_for_every_model(tmp_path: Path) -> None:
    make_clip(tmp_path / "long.mp4", seconds=12, fps=4, width=64, height=48)
    report = _check(tmp_path)
    assert "clip-too-long" in _codes(report, "long.mp4")
    assert report.failed()


def test_duration_limit_follows_the_base_model(tmp_path: Path) -> None:
    make_clip(tmp_path / "seven.mp4", seconds=7, fps=4, width=64, height=48)
    assert "clip-too-long" not in _codes(_check(tmp_path))
    kf2v = WorkspaceInfo(mode=Mode.KF2V, base_model="wan2.2-kf2v-flash")
    assert "clip-too-long" in _codes(_check(tmp_path, kf2v))


def test_one_second_clip_is_too_short(tmp_path: Path) -> None:
    make_clip(tmp_path / "short.mp4", seconds=1, fps=8, width=64, height=48)
    assert "clip-too-short" in _codes(_check(tmp_path), "short.mp4")


def test_clip_wider_than_4096_is_refused(tmp_path: Path) -> None:
    make_clip(tmp_path / "wide.mp4", seconds=2.2, fps=2, width=4112, height=32)
    report = _check(tmp_path)
    finding = next(f for f in report.findings if f.code == "clip-resolution")
    assert "4112x32" in finding.message


def test_5000px_first_frame_image_is_refused(tmp_path: Path) -> None:
    make_clip(tmp_path / "clip.mp4", width=96, height=64)
    make_image(tmp_path / "clip.png", 5000, 5000, "PNG")
    report = _check(tmp_path)
    finding = next(f for f in report.findings if f.code == "image-resolution")
    assert finding.path == "clip.png" and "5000x5000" in finding.message


def test_mislabelled_image_is_a_warning(tmp_path: Path) -> None:
    make_clip(tmp_path / "clip.mp4", width=96, height=64)
    make_image(tmp_path / "clip.jpg", 96, 64, "PNG")
    report = _check(tmp_path)
    assert "image-mislabelled" in _codes(report, "clip.jpg")
    assert not _file_errors(report)


def test_letterboxed_clip_is_flagged(tmp_path: Path) -> None:
    make_clip(tmp_path / "bars.mp4", width=128, height=96, black_bars=(16, 16))
    make_clip(tmp_path / "pillar.mp4", width=128, height=96, pillarbox=20, seed=3)
    report = _check(tmp_path)
    assert "black-borders" in _codes(report, "bars.mp4")
    assert "black-borders" in _codes(report, "pillar.mp4")


def test_cjk_file_name_is_information_export_renames_it(tmp_path: Path) -> None:
    """Issue 14 item 9: nothing for the user to do, so neither an error nor a warning."""
    make_clip(tmp_path / "金钱雨 01.mp4", width=96, height=64)
    report = _check(tmp_path)
    assert "file-name" in _codes(report, "金钱雨 01.mp4")
    named = [f for f in report.findings if f.code == "file-name"]
    assert [f.severity for f in named] == [Severity.INFO]


def test_matroska_named_mp4_is_mislabelled(tmp_path: Path) -> None:
    frames = make_clip(tmp_path / "src.mp4", width=96, height=64)
    src_frames = _frames_of(frames)
    write_clip(tmp_path / "real.mkv", src_frames, fps=8)
    (tmp_path / "real.mkv").rename(tmp_path / "fake.mp4")
    (tmp_path / "src.mp4").unlink()
    assert "clip-mislabelled" in _codes(_check(tmp_path), "fake.mp4")


def _frames_of(clip: Path) -> list:
    import av

    with av.open(str(clip)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def test_unusable_files_are_errors_and_duplicates_warnings(tmp_path: Path) -> None:
    make_clip(tmp_path / "a.mp4", width=96, height=64)
    shutil.copy(tmp_path / "a.mp4", tmp_path / "b.mp4")
    (tmp_path / "zero.mp4").write_bytes(b"")
    make_corrupt_clip(tmp_path / "broken.mov")
    report = _check(tmp_path)
    by_path = {f.path: f for f in report.findings}
    assert by_path["zero.mp4"].severity is Severity.ERROR
    assert by_path["broken.mov"].severity is Severity.ERROR
    assert by_path["b.mp4"].code == "duplicate-clip"
    assert by_path["b.mp4"].severity is Severity.WARNING


def test_sample_count_and_diversity(tmp_path: Path) -> None:
    for i in range(5):
        make_clip(tmp_path / f"c{i}.mp4", width=96, height=64, seed=i)
    report = _check(tmp_path)
    assert {"sample-count", "low-diversity"} <= _codes(report)
    assert report.diversity.resolutions == {"96x64": 5}
    assert report.diversity.aspect_ratios == {"3:2": 5}
    # Issue 14 item 8: fewer than the guide's 10 is an error (export's --allow-small lets
    # a trial through); one size everywhere only a warning.
    severity = {f.code: f.severity for f in report.findings}
    assert severity["sample-count"] is Severity.ERROR
    assert severity["low-diversity"] is Severity.WARNING
    assert report.failed(strict=True)


def test_rejected_samples_are_left_out(tmp_path: Path) -> None:
    make_clip(tmp_path / "long.mp4", seconds=12, fps=4, width=64, height=48)
    ws = Workspace.create(tmp_path, I2V)
    scan(ws)
    ws.set_status(ws.samples()[0].id, Status.REJECTED, "too long")
    assert "clip-too-long" not in _codes(check_workspace(ws))
