"""Issue 13 item 2: `annotator fix` (trim to the model, crop borders, convert) and
`annotator trim`, on real clips; the export after a fix is within the limits and the sources
never change."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from annotator.basemodels import Mode
from annotator.cli import app
from annotator.media import analyse_clip, first_frame, probe_clip
from annotator.pipeline.scan import scan
from annotator.workspace import Status, Workspace, WorkspaceInfo
from tests.clips import make_black_start_clip, make_clip
from tests.export.helpers import TRIGGER, ZH_MOTION, use_assembled_prompts

runner = CliRunner()
WAN22 = WorkspaceInfo(mode=Mode.I2V, base_model="wan2.2-i2v-flash", lang="zh", trigger=TRIGGER)


def _run(*args: str | Path):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [str(a) for a in args])


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _workspace(root: Path) -> Workspace:
    ws = Workspace.create(root, WAN22)
    scan(ws)
    return ws


def _shas(root: Path) -> dict[str, str]:
    return {p.name: _sha(p) for p in sorted(root.iterdir()) if p.is_file()}


def test_fix_trims_an_8_s_clip_to_the_wan22_limit_from_its_start(tmp_path: Path) -> None:
    make_clip(tmp_path / "long.mp4", seconds=8.0)
    _workspace(tmp_path).close()
    sources = _shas(tmp_path)
    result = _run("fix", tmp_path)
    assert result.exit_code == 0, result.output
    assert "long.mp4: trim to 0-5 s" in result.output
    assert "8.00 s, 160x120, MP4 -> 5.00 s, 160x120, MP4" in result.output
    with Workspace.open(tmp_path) as ws:
        (sample,) = ws.samples()
        assert sample.probe is not None and 2.0 <= sample.probe.duration_s <= 5.0
        clip = ws.root / sample.clip
    assert probe_clip(clip).duration_s <= 5.0
    assert _shas(tmp_path) == sources  # the source is untouched
    again = _run("fix", tmp_path)
    assert again.exit_code == 0 and "Nothing to fix" in again.output


def test_fix_crops_a_letterboxed_clip(tmp_path: Path) -> None:
    make_clip(tmp_path / "bars.mp4", seconds=3.0, black_bars=(16, 16))
    _workspace(tmp_path).close()
    result = _run("fix", tmp_path)
    assert result.exit_code == 0, result.output
    assert "bars.mp4: crop the black borders (top 16px, bottom 16px)" in result.output
    assert "-> 3.00 s, 160x88, MP4" in result.output
    with Workspace.open(tmp_path) as ws:
        (sample,) = ws.samples()
        assert sample.probe is not None and sample.probe.black_borders is None
        assert analyse_clip(ws.root / sample.clip).facts.black_borders is None


def test_fix_starts_a_long_clip_after_its_black_lead_in(tmp_path: Path) -> None:
    make_black_start_clip(tmp_path / "dark.mp4", black_s=0.5, seconds=8.0)
    _workspace(tmp_path).close()
    result = _run("fix", tmp_path)
    assert result.exit_code == 0, result.output
    assert "trim to 0.5-5.5 s (after the flat frames it opens on)" in result.output
    with Workspace.open(tmp_path) as ws:
        (sample,) = ws.samples()
        picture = np.asarray(first_frame(ws.root / sample.clip).convert("L"))
    assert picture.std() > 10  # the first frame has a picture, not black


def test_fix_converts_a_matroska_clip_and_dry_run_changes_nothing(tmp_path: Path) -> None:
    make_clip(tmp_path / "a.mkv", seconds=3.0)
    _workspace(tmp_path).close()
    check = _run("check", tmp_path)
    assert "the clip is Matroska/WebM; the service takes MP4 or MOV" in check.output
    assert "annotator fix" in check.output  # the finding names the command that fixes it
    dry = _run("fix", tmp_path, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "a.mkv: convert Matroska/WebM to MP4" in dry.output
    assert "nothing changed" in dry.output
    assert not (tmp_path / ".annotator" / "media").exists()
    with Workspace.open(tmp_path) as ws:
        assert ws.samples()[0].edit is None
    result = _run("fix", tmp_path, "--only", "a.mkv")
    assert result.exit_code == 0, result.output
    assert "3.00 s, 160x120, Matroska/WebM -> 3.00 s, 160x120, MP4" in result.output


def test_trim_by_hand_clear_and_undo(tmp_path: Path) -> None:
    make_clip(tmp_path / "long.mp4", seconds=8.0)
    _workspace(tmp_path).close()
    result = _run("trim", tmp_path, "long.mp4", "--start", "1", "--end", "4")
    assert result.exit_code == 0, result.output
    assert "long.mp4: trimmed to 1-4 s: 8.00 s -> 3.00 s" in result.output
    with Workspace.open(tmp_path) as ws:
        assert ws.samples()[0].edit_key is not None
    undone = _run("undo", tmp_path)
    assert undone.exit_code == 0
    assert "Undid the clip edit: trim 1-4 s -> no edit" in undone.output
    with Workspace.open(tmp_path) as ws:
        (sample,) = ws.samples()
        assert sample.edit_key is None and sample.clip == "long.mp4"
        assert sample.probe is not None and sample.probe.duration_s == pytest.approx(8.0)
    assert _run("redo", tmp_path).exit_code == 0
    cleared = _run("trim", tmp_path, "long.mp4", "--clear")
    assert cleared.exit_code == 0 and "uses its source again" in cleared.output
    assert _run("trim", tmp_path, "long.mp4").exit_code == 2
    assert _run("trim", tmp_path, "long.mp4", "--start", "3", "--end", "2").exit_code == 2
    assert _run("trim", tmp_path, "long.mp4", "--clear", "--end", "2").exit_code == 2
    assert _run("trim", tmp_path, "nope.mp4", "--end", "2").exit_code != 0
    outside = _run("trim", tmp_path, "long.mp4", "--start", "20")
    assert outside.exit_code == 1 and "long.mp4: the edit keeps no frame" in outside.output


def test_after_fix_the_export_is_within_the_limits_and_the_sources_unchanged(
    tmp_path: Path,
) -> None:
    make_clip(tmp_path / "long.mp4", seconds=8.0, seed=1)
    make_clip(tmp_path / "bars.mp4", seconds=3.0, black_bars=(16, 16), seed=2)
    make_black_start_clip(tmp_path / "dark.mp4", black_s=0.5, seconds=7.0, seed=3)
    make_clip(tmp_path / "other.mkv", seconds=3.0, width=128, height=96, seed=4)
    sources = _shas(tmp_path)
    ws = _workspace(tmp_path)
    ws.set_workspace_field("template", ZH_MOTION)
    use_assembled_prompts(ws)
    for sample in ws.samples():
        ws.set_status(sample.id, Status.ACCEPTED)
    ws.close()
    refused = _run("export", tmp_path, "-o", tmp_path.parent / "before.zip")
    assert refused.exit_code == 1  # too long, not MP4
    fixed = _run("fix", tmp_path)
    assert fixed.exit_code == 0, fixed.output
    out = tmp_path.parent / "out" / "d.zip"
    result = _run("export", tmp_path, "-o", out, "--allow-small")
    assert result.exit_code == 0, result.output
    videos = tmp_path.parent / "videos"
    with zipfile.ZipFile(out) as zf:
        names = [n for n in zf.namelist() if n.startswith("video")]
        assert len(names) == 4 and all(n.endswith(".mp4") for n in names)
        zf.extractall(videos, members=names)
    for name in names:
        facts = analyse_clip(videos / name).facts
        assert 2.0 <= facts.duration_s <= 5.0, name
        assert facts.width <= 4096 and facts.height <= 4096
        assert facts.container.startswith("mov,mp4") and facts.codec == "h264"
        assert facts.black_borders is None, name
    assert _shas(tmp_path) == sources


def test_fix_starts_a_clip_at_its_first_real_frame(tmp_path: Path) -> None:
    make_black_start_clip(tmp_path / "dark.mp4", black_s=0.5, seconds=3.0)
    _workspace(tmp_path).close()
    result = _run("fix", tmp_path)
    assert result.exit_code == 0, result.output
    assert "dark.mp4: start at the first real frame (0.5 s)" in result.output
    assert "3.00 s, 160x120, MP4 -> 2.50 s, 160x120, MP4" in result.output
