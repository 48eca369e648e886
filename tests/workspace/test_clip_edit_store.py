"""Issue 13 item 1 (store): a clip edit is kept on the sample with everything that follows
from it (the rendered clip, its probe, its extracted frames), as one history entry that
undo and redo walk."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from annotator.basemodels import Mode
from annotator.workspace import ClipEditColumns, FrameSource, Workspace, WorkspaceInfo
from annotator.workspace.db import MIGRATIONS, connect, now_iso
from tests.clips import h264_facts

INFO = WorkspaceInfo(mode=Mode.I2V, base_model="wan2.2-i2v-flash", lang="en")
SID = "a" * 64
SOURCE_PROBE = h264_facts(8.0, 8.0)
EDITED_PROBE = SOURCE_PROBE.model_copy(update={"duration_s": 5.0, "frame_count": 40})


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    ws = Workspace.create(tmp_path, INFO)
    ws.upsert_sample(
        SID,
        path="long.mp4",
        probe=SOURCE_PROBE,
        first_frame=".annotator/frames/aaaa_first.png",
        first_frame_source=FrameSource.EXTRACTED,
    )
    return ws


def _edited() -> ClipEditColumns:
    return ClipEditColumns(
        edit=json.dumps({"start_s": 0.0, "end_s": 5.0}),
        edit_key="k1",
        edited_clip=".annotator/media/aaaa-k1.mp4",
        probe=EDITED_PROBE,
        first_frame=".annotator/frames/aaaa-k1_first.png",
        first_frame_source=FrameSource.EXTRACTED,
    )


def test_migration_007_adds_the_edit_columns_to_an_older_store(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    for name, migration in MIGRATIONS[:6]:  # as annotator left it before issue 13
        migration(db)
        db.execute("INSERT INTO _migrations VALUES (?, ?)", (name, now_iso()))
    db.execute(
        "INSERT INTO samples (id, path, added_at, updated_at) VALUES (?, 'a.mp4', ?, ?)",
        (SID, now_iso(), now_iso()),
    )
    db.close()
    db = connect(path)
    columns = [row[1] for row in db.execute("PRAGMA table_info(samples)")]
    assert {"edit", "edited_clip", "edit_key"} <= set(columns)
    assert "007_clip_edits" in [r[0] for r in db.execute("SELECT name FROM _migrations")]
    row = db.execute("SELECT edit, edited_clip, edit_key FROM samples").fetchone()
    assert tuple(row) == (None, None, None)  # an old sample uses its source


def test_an_edit_sets_the_effective_clip_and_undo_returns_to_the_source(ws: Workspace) -> None:
    sample = ws.set_clip_edit(SID, _edited())
    assert sample.clip == ".annotator/media/aaaa-k1.mp4"
    assert sample.clip_key == f"{SID}+k1"
    assert sample.edit is not None and json.loads(sample.edit)["end_s"] == 5.0
    assert sample.probe == EDITED_PROBE
    assert sample.first_frame == ".annotator/frames/aaaa-k1_first.png"
    assert sample.path == "long.mp4"  # the source's name stays

    entry = ws.undo()
    assert entry is not None and entry.field == "edit"
    back = ws.sample(SID)
    assert (back.edit, back.edited_clip, back.edit_key) == (None, None, None)
    assert back.clip == "long.mp4" and back.clip_key == SID
    assert back.probe == SOURCE_PROBE
    assert back.first_frame == ".annotator/frames/aaaa_first.png"

    ws.redo()
    assert ws.sample(SID).clip == ".annotator/media/aaaa-k1.mp4"
    assert ws.sample(SID).probe == EDITED_PROBE


def test_the_same_edit_twice_is_one_history_entry(ws: Workspace) -> None:
    ws.set_clip_edit(SID, _edited())
    ws.set_clip_edit(SID, _edited())
    assert [h.field for h in ws.history()] == ["edit"]


def test_removing_the_edit_is_undoable_too(ws: Workspace) -> None:
    ws.set_clip_edit(SID, _edited())
    source = ClipEditColumns(
        probe=SOURCE_PROBE,
        first_frame=".annotator/frames/aaaa_first.png",
        first_frame_source=FrameSource.EXTRACTED,
    )
    assert ws.set_clip_edit(SID, source).clip == "long.mp4"
    ws.undo()
    assert ws.sample(SID).edit_key == "k1"
