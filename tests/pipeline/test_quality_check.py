"""Issue 13 item 3: `check` analyses each clip once (cached by clip key) and reports the
clip-quality findings, each naming the clip (and for a duplicate the pair) and its fix."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.basemodels import Mode
from annotator.checks import CheckReport, Severity
from annotator.media.edits import ClipEdit
from annotator.media.quality import ANALYSIS_VERSION
from annotator.pipeline.check import check_workspace, counted_samples
from annotator.pipeline.edits import set_edit
from annotator.pipeline.fix import apply_fixes, plan_fixes, select_samples
from annotator.pipeline.quality import clip_quality
from annotator.pipeline.scan import scan
from annotator.workspace import Workspace, WorkspaceInfo
from annotator.workspace.analyses import analysis_count, store_analyses
from tests.clips import make_clip
from tests.quality_clips import SUBTITLE_LINES, make_footage, reencode

I2V = WorkspaceInfo(mode=Mode.I2V, base_model="wan2.5-i2v-preview")
QUALITY_CODES = {
    "duplicate-video",
    "near-duplicate-video",
    "flat-first-frame",
    "flat-last-frame",
    "burned-in-subtitles",
    "burned-in-caption",
    "logo-text",
    "static-overlay",
    "blurry-clip",
    "noisy-clip",
}
# The footage made here is 320x240 (fast): under the 288 short side the low-resolution rule
# asks for, so that info finding is on nearly every clip and is judged on tiny.mp4 alone.
LOW_RESOLUTION = "low-resolution"
CLEAN = ("clean_a.mp4", "clean_b.mp4", "clean_c.mp4", "clean_d.mp4", "sharp.mp4")


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Seeds (content) no other test analyses through the pipeline: the process remembers
    # analyses by clip content, and the progress test counts the analyses made.
    d = tmp_path_factory.mktemp("quality_ws")
    make_footage(d / "clean_a.mp4", seed=1, audio=True)
    make_footage(d / "clean_b.mp4", seed=2)
    make_footage(d / "clean_c.mp4", seed=10)
    make_footage(d / "clean_d.mp4", seed=11)
    reencode(d / "clean_a.mp4", d / "copy_of_a.mp4", crf=30, scale=0.75)
    make_footage(d / "subtitled.mp4", seed=3, subtitles=SUBTITLE_LINES[:4])
    make_footage(d / "news.mp4", seed=4, corner_text="NEWS 24")
    make_footage(d / "marked.mp4", seed=5, corner_logo=True)
    make_footage(d / "black_start.mp4", seconds=3.0, seed=6, black_lead_s=0.5)
    make_footage(d / "tiny.mp4", 176, 144, seed=7)
    make_footage(d / "sharp.mp4", seed=8)
    make_footage(d / "soft.mp4", seed=8, blur=3.0)  # a blurred copy of sharp.mp4
    return d


@pytest.fixture(scope="module")
def checked(root: Path) -> Iterator[tuple[Workspace, CheckReport, list[tuple[int, int, str]]]]:
    ws = Workspace.create(root, I2V)
    scan(ws)
    calls: list[tuple[int, int, str]] = []
    report = check_workspace(ws, on_progress=lambda *a: calls.append(a))
    yield ws, report, calls
    ws.close()


def _quality(report: CheckReport, path: str) -> set[str]:
    return {f.code for f in report.findings if f.path == path and f.code in QUALITY_CODES}


def test_clean_footage_gets_no_quality_finding(checked) -> None:  # type: ignore[no-untyped-def]
    _, report, _ = checked
    for path in CLEAN:
        assert _quality(report, path) == set(), path


def test_the_same_video_without_audio_at_another_bitrate_and_size_names_the_pair(
    checked,  # type: ignore[no-untyped-def]
) -> None:
    _, report, _ = checked
    dups = [f for f in report.findings if f.code == "duplicate-video"]
    [dup] = [f for f in dups if f.path == "copy_of_a.mp4"]
    assert dup.severity is Severity.ERROR
    assert "clean_a.mp4" in dup.message and "reject" in dup.fix
    assert _quality(report, "clean_a.mp4") == set()  # the one to keep


def test_each_case_is_found_with_its_fix(checked) -> None:  # type: ignore[no-untyped-def]
    ws, report, _ = checked
    assert "burned-in-subtitles" in _quality(report, "subtitled.mp4")
    assert _quality(report, "news.mp4") == {"logo-text"}
    assert _quality(report, "marked.mp4") == {"static-overlay"}
    assert _quality(report, "black_start.mp4") == {"flat-first-frame"}
    assert _quality(report, "tiny.mp4") == set()
    [low] = [f for f in report.findings if f.path == "tiny.mp4" and f.code == LOW_RESOLUTION]
    assert "176x144" in low.message
    # The blurred copy: much blurrier than the rest, and a degraded copy of sharp.mp4.
    soft = {f.code: f for f in report.findings if f.path == "soft.mp4" and f.code in QUALITY_CODES}
    assert "blurry-clip" in soft
    copy = soft.get("duplicate-video") or soft["near-duplicate-video"]
    assert "sharp.mp4" in copy.message
    black = next(f for f in report.findings if f.code == "flat-first-frame")
    assert black.severity is Severity.ERROR
    assert f"annotator trim {ws.root} black_start.mp4 --start 0.50" in black.fix
    subs = next(f for f in report.findings if f.code == "burned-in-subtitles")
    assert subs.severity is Severity.WARNING and subs.path == "subtitled.mp4"


def test_the_first_check_shows_its_progress_and_the_second_reads_the_cache(
    checked,  # type: ignore[no-untyped-def]
) -> None:
    ws, report, calls = checked
    samples = counted_samples(ws)
    assert calls[0] == (0, len(samples), calls[0][2]) and calls[-1] == (
        len(samples),
        len(samples),
        "",
    )
    assert analysis_count(ws) == len(samples)
    again: list[tuple[int, int, str]] = []
    second = check_workspace(ws, on_progress=lambda *a: again.append(a))
    assert again == []  # nothing analysed
    assert second.findings == report.findings
    run = clip_quality(ws, samples)
    assert (run.analysed, run.cached) == (0, len(samples))


def test_an_edit_is_a_new_clip_analysed_once(tmp_path: Path) -> None:
    make_footage(tmp_path / "black_start.mp4", seed=6, black_lead_s=0.5)
    with Workspace.create(tmp_path, I2V) as ws:
        scan(ws)
        assert "flat-first-frame" in _quality(check_workspace(ws), "black_start.mp4")
        (sample,) = ws.samples()
        set_edit(ws, sample, ClipEdit(start_s=0.5))
        (edited,) = ws.samples()
        run = clip_quality(ws, [edited])
        assert (run.analysed, run.cached) == (1, 0)
        assert run.results[edited.id].first_look is None
        assert _quality(check_workspace(ws), "black_start.mp4") == set()


def test_a_letterboxed_clip_keeps_its_border_finding_and_gets_no_other(tmp_path: Path) -> None:
    make_clip(tmp_path / "letterbox.mp4", 320, 240, black_bars=(30, 30))
    with Workspace.create(tmp_path, I2V) as ws:
        scan(ws)
        report = check_workspace(ws)
    assert "black-borders" in {f.code for f in report.findings if f.path == "letterbox.mp4"}
    assert _quality(report, "letterbox.mp4") == set()


def test_the_same_clip_in_another_workspace_is_not_decoded_again(tmp_path: Path) -> None:
    for name in ("one", "two"):
        make_footage(tmp_path / name / "clip.mp4", seed=31)
    with Workspace.create(tmp_path / "one", I2V) as ws:
        scan(ws)
        first = clip_quality(ws, ws.samples())
    with Workspace.create(tmp_path / "two", I2V) as ws:
        scan(ws)
        second = clip_quality(ws, ws.samples())
        assert analysis_count(ws) == 1  # stored for the next process
    assert (first.analysed, second.analysed, second.cached) == (1, 0, 1)
    assert list(first.results.values()) == list(second.results.values())


def test_kf2v_is_told_of_a_black_last_frame(tmp_path: Path) -> None:
    make_footage(tmp_path / "fade_out.mp4", seed=15, black_tail_s=0.5)
    kf2v = WorkspaceInfo(mode=Mode.KF2V, base_model="wan2.2-kf2v-flash")
    with Workspace.create(tmp_path, kf2v) as ws:
        scan(ws)
        report = check_workspace(ws)
    [last] = [f for f in report.findings if f.code == "flat-last-frame"]
    assert (last.path, last.severity) == ("fade_out.mp4", Severity.ERROR)
    assert _quality(report, "fade_out.mp4") == {"flat-last-frame"}


def test_the_fix_the_flat_start_names_clears_it(tmp_path: Path) -> None:
    # 3 s: after the trim it is still over the model's 2 s minimum.
    make_footage(tmp_path / "black_start.mp4", seconds=3.0, seed=6, black_lead_s=0.5)
    with Workspace.create(tmp_path, I2V) as ws:
        scan(ws)
        [flat] = [f for f in check_workspace(ws).findings if f.code == "flat-first-frame"]
        assert f"annotator fix {tmp_path} --only black_start.mp4" in flat.fix
        apply_fixes(ws, plan_fixes(ws, select_samples(ws, ["black_start.mp4"])))
        assert _quality(check_workspace(ws), "black_start.mp4") == set()


def test_a_result_of_another_version_or_unreadable_is_made_again(tmp_path: Path) -> None:
    make_footage(tmp_path / "a.mp4", seed=32)
    make_footage(tmp_path / "b.mp4", seed=33)
    with Workspace.create(tmp_path, I2V) as ws:
        scan(ws)
        a, b = sorted(ws.samples(), key=lambda s: s.path)
        store_analyses(ws, {a.clip_key: "{}"}, ANALYSIS_VERSION - 1)  # an older analysis
        store_analyses(ws, {b.clip_key: '{"version": '}, ANALYSIS_VERSION)  # cut short
        run = clip_quality(ws, [a, b])
        assert (run.analysed, run.cached) == (2, 0)
        assert clip_quality(ws, [a, b]).cached == 2


def test_a_clip_that_no_longer_decodes_is_skipped_the_others_analysed(tmp_path: Path) -> None:
    make_footage(tmp_path / "good.mp4", seed=34)
    make_footage(tmp_path / "gone_bad.mp4", seed=35)
    with Workspace.create(tmp_path, I2V) as ws:
        scan(ws)
        (tmp_path / "gone_bad.mp4").write_bytes(b"not a video any more")
        calls: list[tuple[int, int, str]] = []
        samples = sorted(ws.samples(), key=lambda s: s.path)
        run = clip_quality(ws, samples, lambda *a: calls.append(a))
        assert (run.analysed, run.unreadable) == (1, 1)
        assert [c[:2] for c in calls] == [(0, 2), (1, 2), (2, 2)]
        assert analysis_count(ws) == 1
