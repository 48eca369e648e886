"""A sample's probe and a file's problem are typed from the scan to every reader; the store
keeps them as JSON and as two columns, and reads what older versions wrote (issue 11 item 3).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from annotator.basemodels import Mode
from annotator.checks.set_rules import UNUSABLE_FILE_FIX, unusable_files
from annotator.clipfacts import Borders, ClipFacts
from annotator.pipeline.scan import scan
from annotator.workspace import FileRecord, Problem, Workspace, WorkspaceInfo
from annotator.workspace.db import MIGRATIONS, now_iso
from tests.clips import make_clip

INFO = WorkspaceInfo(mode=Mode.I2V, base_model="wan2.5-i2v-preview", lang="en")
SID = "a" * 64

# A probe exactly as scans have stored it since the first version: the ClipProbe's fields
# dumped to a dict, the black borders added as a dict (or None).
OLD_PROBE = {
    "duration_s": 2.5,
    "width": 160,
    "height": 120,
    "coded_width": 160,
    "coded_height": 120,
    "rotation": 0,
    "fps": 8.0,
    "frame_count": 20,
    "codec": "h264",
    "pix_fmt": "yuv420p",
    "has_audio": False,
    "container": "mov,mp4,m4a,3gp,3g2,mj2",
    "black_borders": {"top": 14, "bottom": 10, "left": 0, "right": 0},
}


def _stored_probe(ws: Workspace, sample_id: str) -> str:
    row = ws._db.execute("SELECT probe FROM samples WHERE id = ?", (sample_id,)).fetchone()
    return str(row[0])


def test_a_probe_is_a_model_in_and_out_and_json_in_the_store(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path, INFO)
    facts = ClipFacts.model_validate(OLD_PROBE)
    ws.upsert_sample(SID, path="clip.mp4", probe=facts)
    sample = ws.sample(SID)
    assert sample.probe == facts
    assert sample.probe.black_borders == Borders(top=14, bottom=10)
    assert json.loads(_stored_probe(ws, SID)) == OLD_PROBE  # the shape older versions read


def test_a_probe_written_by_an_older_version_loads_as_a_model(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path, INFO)
    ws.upsert_sample(SID, path="clip.mp4")
    for borders in (OLD_PROBE["black_borders"], None):
        old = json.dumps({**OLD_PROBE, "black_borders": borders})  # as the old scan wrote it
        ws._db.execute("UPDATE samples SET probe = ? WHERE id = ?", (old, SID))
        probe = ws.sample(SID).probe
        assert isinstance(probe, ClipFacts)
        assert (probe.width, probe.height, probe.fps) == (160, 120, 8.0)
        assert probe.black_borders == (None if borders is None else Borders(top=14, bottom=10))


def test_a_probe_that_does_not_read_is_probed_again_by_the_next_scan(tmp_path: Path) -> None:
    make_clip(tmp_path / "clip.mp4", width=96, height=64, seconds=1.0)
    ws = Workspace.create(tmp_path, INFO)
    scan(ws)
    sid = ws.samples()[0].id
    ws._db.execute("UPDATE samples SET probe = ? WHERE id = ?", ('{"width": 96', sid))
    assert ws.sample(sid).probe is None
    scan(ws)
    probe = ws.sample(sid).probe
    assert probe is not None and (probe.width, probe.height) == (96, 64)


def test_a_probe_given_as_a_dict_is_refused(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path, INFO)
    with pytest.raises(TypeError, match="ClipFacts"):
        ws.upsert_sample(SID, path="clip.mp4", probe=OLD_PROBE)


def test_a_files_problem_is_kept_as_message_and_fix_columns(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path, INFO)
    records = [
        FileRecord(
            path="b.mp4",
            kind="clip",
            size=1,
            mtime_ns=1,
            error=Problem(message="duplicate: same content as a.mp4; really", fix="remove one"),
            duplicate_of="a.mp4",
        ),
        FileRecord(path="c.mp4", kind="clip", size=1, mtime_ns=1, error=Problem(message="x")),
        FileRecord(path="a.mp4", kind="clip", size=1, mtime_ns=1, sha256="f" * 64),
    ]
    ws.replace_files(records)
    assert ws.files() == {r.path: r for r in records}  # a semicolon in a message stays there
    rows = ws._db.execute("SELECT path, error, fix, duplicate_of FROM files ORDER BY path")
    assert [tuple(row) for row in rows] == [
        ("a.mp4", None, None, None),
        ("b.mp4", "duplicate: same content as a.mp4; really", "remove one", "a.mp4"),
        ("c.mp4", "x", None, None),
    ]


def _store_at(path: Path, upto: str) -> sqlite3.Connection:
    """A store with the migrations up to and including UPTO, as an older annotator left it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    for name, migration in MIGRATIONS:
        migration(db)
        db.execute("INSERT INTO _migrations VALUES (?, ?)", (name, now_iso()))
        if name == upto:
            return db
    raise AssertionError(f"no migration {upto}")


def test_migration_005_splits_the_problems_older_scans_stored(tmp_path: Path) -> None:
    db = _store_at(tmp_path / ".annotator" / "workspace.db", "004_claims")
    db.execute("INSERT INTO meta VALUES ('mode', 'i2v'), ('base_model', 'wan2.5-i2v-preview')")
    legacy = {
        "a.mp4": None,
        "b.mp4": "duplicate: same content as a.mp4; remove one of the two",
        "fifo.mp4": "a named pipe (FIFO), not a regular file; skipped",
        "old.avi": ".avi clips are not taken by the service; convert to MP4 or MOV",
        "empty.mp4": "zero-byte file: re-copy or re-export the clip",
    }
    db.executemany("INSERT INTO files VALUES (?, 'clip', 1, 1, NULL, ?)", list(legacy.items()))
    db.close()
    with Workspace.open(tmp_path) as ws:
        files = ws.files()
    assert {path: (r.error, r.duplicate_of) for path, r in files.items()} == {
        "a.mp4": (None, None),
        "b.mp4": (
            Problem(message="duplicate: same content as a.mp4", fix="remove one of the two"),
            "a.mp4",
        ),
        "fifo.mp4": (Problem(message="a named pipe (FIFO), not a regular file"), None),
        "old.avi": (
            Problem(message=".avi clips are not taken by the service", fix="convert to MP4 or MOV"),
            None,
        ),
        "empty.mp4": (Problem(message="zero-byte file: re-copy or re-export the clip"), None),
    }
    findings = {f.path: (f.code, f.message, f.fix) for f in unusable_files(list(files.values()))}
    assert findings["b.mp4"] == (
        "duplicate-clip",
        "duplicate: same content as a.mp4",
        "remove one of the two",
    )
    assert findings["fifo.mp4"][2] == UNUSABLE_FILE_FIX  # "skipped" was never a fix
