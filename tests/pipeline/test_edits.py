"""Issue 13 items 1 and 2: a sample's clip edit is rendered, kept (undoable) and used by every
stage: the probe the checks read, the frames, the caption and verdict keys; the source never
changes; the scan takes a video the service does not take, so that it can be converted."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from annotator.basemodels import Mode
from annotator.media.edits import ClipEdit, Crop
from annotator.pipeline.caption import caption_samples, plan_captions
from annotator.pipeline.check import check_workspace
from annotator.pipeline.edits import clear_edit, media_dir, set_edit
from annotator.pipeline.prompts import load_prompts
from annotator.pipeline.scan import scan
from annotator.pipeline.verify import load_verdicts, plan_verification
from annotator.workspace import FrameSource, Workspace, WorkspaceInfo
from tests.clips import make_black_start_clip, make_clip
from tests.fakes import FakeDashScope
from tests.pipeline.test_verify import (  # the verify tests' workspace and fake server
    KEY,
    SETTINGS,
    by_name,
    make_ws,
    openai_options,
    verify,
)

KF2V = WorkspaceInfo(mode=Mode.KF2V, base_model="wan2.2-kf2v-flash")
I2V = WorkspaceInfo(mode=Mode.I2V, base_model="wan2.2-i2v-flash")
FIELDS = {"subject": "a red ball", "background": "on a lawn", "motion": "golden sparks spiral"}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    make_clip(tmp_path / "long.mp4", seconds=8.0, black_bars=(16, 16))
    ws = Workspace.create(tmp_path, KF2V)
    scan(ws)
    return ws


def test_an_edit_is_the_clip_every_stage_reads_and_undo_returns_to_the_source(
    ws: Workspace,
) -> None:
    (sample,) = ws.samples()
    source_sha = _sha(ws.root / "long.mp4")
    old_first, old_last = sample.first_frame, sample.last_frame
    edited = set_edit(ws, sample, ClipEdit(end_s=4.0, crop=Crop(x=0, y=16, w=160, h=88)))
    assert edited.clip.startswith(".annotator/media/") and edited.clip.endswith(".mp4")
    assert edited.path == "long.mp4"
    assert edited.probe is not None
    assert edited.probe.duration_s == pytest.approx(4.0, abs=0.13)
    assert (edited.probe.width, edited.probe.height) == (160, 88)
    assert edited.probe.black_borders is None
    # The frames are the edited clip's, under new names; the source's stay as they were.
    assert edited.first_frame not in (None, old_first) and edited.last_frame != old_last
    assert edited.first_frame_source is FrameSource.EXTRACTED
    assert Image.open(ws.root / str(edited.first_frame)).size == (160, 88)
    assert Image.open(ws.root / str(old_first)).size == (160, 120)
    assert _sha(ws.root / "long.mp4") == source_sha

    ws.undo()
    back = ws.sample(sample.id)
    assert back.clip == "long.mp4" and back.probe == sample.probe
    assert (back.first_frame, back.last_frame) == (old_first, old_last)
    ws.redo()
    assert ws.sample(sample.id).clip == edited.clip
    assert clear_edit(ws, ws.sample(sample.id)).clip == "long.mp4"
    assert _sha(ws.root / "long.mp4") == source_sha


def test_a_scan_keeps_the_edit_and_renders_it_again_when_its_file_is_gone(ws: Workspace) -> None:
    (sample,) = ws.samples()
    edited = set_edit(ws, sample, ClipEdit(end_s=4.0))
    shutil.rmtree(media_dir(ws))
    scan(ws)
    again = ws.sample(sample.id)
    assert again.clip == edited.clip and (ws.root / again.clip).is_file()
    assert again.probe == edited.probe


def test_a_sidecar_frame_stays_the_first_frame_of_an_edited_clip(tmp_path: Path) -> None:
    make_clip(tmp_path / "a.mp4", seconds=3.0)
    Image.new("RGB", (160, 120), (10, 200, 10)).save(tmp_path / "a_first.png")
    ws = Workspace.create(tmp_path, KF2V)
    scan(ws)
    (sample,) = ws.samples()
    edited = set_edit(ws, sample, ClipEdit(start_s=0.5))
    assert (edited.first_frame, edited.first_frame_source) == ("a_first.png", FrameSource.SIDECAR)
    assert edited.last_frame_source is FrameSource.EXTRACTED


def test_a_new_edit_makes_the_caption_stale(tmp_path: Path) -> None:
    make_clip(tmp_path / "a.mp4", seconds=3.0)
    ws = Workspace.create(tmp_path, I2V)
    scan(ws)
    (sample,) = ws.samples()
    record: dict[str, object] = {"sha256": sample.id, "file": "a.mp4", "lang": "en"}
    record |= {"instruction_kind": "structured", "text": json.dumps(FIELDS), "fields": FIELDS}
    (tmp_path / "replay.jsonl").write_text(json.dumps(record) + "\n")
    caption_samples(ws, provider="replay")
    assert plan_captions(ws, provider="replay").cached == 1
    set_edit(ws, sample, ClipEdit(start_s=0.5))
    plan = plan_captions(ws, provider="replay")
    assert plan.cached == 0
    assert [r.clip for r in plan.requests] == [ws.root / ws.sample(sample.id).clip]
    ws.undo()  # back to the source: its caption is current again
    assert plan_captions(ws, provider="replay").cached == 1


def test_a_matroska_clip_becomes_a_sample_that_an_edit_converts(tmp_path: Path) -> None:
    make_clip(tmp_path / "a.mkv", seconds=3.0)
    (tmp_path / "junk.avi").write_bytes(b"RIFF0000AVI ")
    ws = Workspace.create(tmp_path, I2V)
    report = scan(ws)
    (sample,) = ws.samples()
    assert sample.path == "a.mkv" and sample.probe is not None
    assert sample.probe.container == "matroska,webm"
    assert [p.path for p in report.problems] == ["junk.avi"]
    converted = set_edit(ws, sample, ClipEdit(convert=True))
    assert converted.probe is not None
    assert converted.probe.container.startswith("mov,mp4")


def test_the_frames_after_a_black_lead_in(tmp_path: Path) -> None:
    make_black_start_clip(tmp_path / "b.mp4", black_s=0.5, seconds=3.0)
    ws = Workspace.create(tmp_path, I2V)
    scan(ws)
    (sample,) = ws.samples()
    first = Image.open(ws.root / str(sample.first_frame)).convert("L")
    assert np.asarray(first).max() < 30  # the source starts black
    edited = set_edit(ws, sample, ClipEdit(start_s=0.5))
    first = Image.open(ws.root / str(edited.first_frame)).convert("L")
    assert np.asarray(first).max() > 60


@pytest.fixture
def fake() -> Iterator[FakeDashScope]:
    with FakeDashScope() as server:
        yield server


def test_a_new_edit_is_verified_again(
    tmp_path: Path, fake: FakeDashScope, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DASHSCOPE_API_KEY", KEY)
    ws = make_ws(tmp_path, fake)
    verify(ws, fake)
    ids = by_name(ws)
    set_edit(ws, ws.sample(ids["clip_1.mp4"]), ClipEdit(start_s=0.25))
    plan = plan_verification(ws, provider="openai", options=openai_options(fake), settings=SETTINGS)
    assert plan.cached == 2
    assert [r.clip for r in plan.requests] == [ws.root / ws.sample(ids["clip_1.mp4"]).clip]


def test_a_verdict_on_the_source_is_stale_once_the_clip_is_edited(
    tmp_path: Path, fake: FakeDashScope, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DASHSCOPE_API_KEY", KEY)
    ws = make_ws(tmp_path, fake)
    verify(ws, fake)
    sid = by_name(ws)["clip_1.mp4"]
    assert not load_verdicts(ws, load_prompts(ws))[sid].stale
    set_edit(ws, ws.sample(sid), ClipEdit(start_s=0.25))
    seen = load_verdicts(ws, load_prompts(ws))[sid]
    assert seen.stale and seen.clip_changed
    stale = [f for f in check_workspace(ws).findings if f.code == "verify-stale"]
    assert [(f.sample_id, "clip was edited" in f.message) for f in stale] == [(sid, True)]
    clear_edit(ws, ws.sample(sid))  # back to the source it verified: current again
    assert not load_verdicts(ws, load_prompts(ws))[sid].stale
