import sqlite3
from pathlib import Path

import pytest

from annotator.basemodels import Mode
from annotator.workspace import (
    NotAWorkspaceError,
    SampleNotFoundError,
    Status,
    Workspace,
    WorkspaceError,
    WorkspaceInfo,
)
from annotator.workspace.db import MIGRATIONS, NewerSchemaError, connect
from tests.clips import h264_facts

INFO = WorkspaceInfo(mode=Mode.I2V, base_model="wan2.5-i2v-preview", lang="en")
PROBE = h264_facts(3.0, 8.0)


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    ws = Workspace.create(tmp_path, INFO)
    ws.upsert_sample("a" * 64, path="clip_a.mp4", probe=PROBE)
    ws.upsert_sample("b" * 64, path="sub/clip_b.mp4")
    return ws


def test_create_and_reopen_keeps_settings(tmp_path: Path) -> None:
    Workspace.create(tmp_path, INFO.model_copy(update={"trigger": "s86b5p"})).close()
    with Workspace.open(tmp_path) as ws:
        assert ws.info.mode is Mode.I2V
        assert ws.info.trigger == "s86b5p"
        assert (tmp_path / ".annotator" / "workspace.db").is_file()
        journal = ws._db.execute("PRAGMA journal_mode").fetchone()[0]
        assert journal == "wal"


def test_open_a_plain_folder_says_how_to_init(tmp_path: Path) -> None:
    with pytest.raises(NotAWorkspaceError, match="annotator init"):
        Workspace.open(tmp_path)


def test_missing_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="does not exist"):
        Workspace.create(tmp_path / "nope", INFO)


def test_samples_in_stable_order_and_probe_roundtrip(ws: Workspace) -> None:
    samples = ws.samples()
    assert [s.path for s in samples] == ["clip_a.mp4", "sub/clip_b.mp4"]
    assert samples[0].probe == PROBE
    assert samples[1].name == "clip_b.mp4"


def test_resolve_by_prefix_path_and_name(ws: Workspace) -> None:
    assert ws.resolve("aaaa").path == "clip_a.mp4"
    assert ws.resolve("clip_b.mp4").id == "b" * 64
    assert ws.resolve("sub/clip_b.mp4").id == "b" * 64
    with pytest.raises(SampleNotFoundError):
        ws.resolve("zzzz")


def test_edit_undo_redo(ws: Workspace) -> None:
    sid = "a" * 64
    ws.edit(sid, "subject", "a red ball")
    ws.edit(sid, "subject", "a red rubber ball")
    ws.set_status(sid, Status.ACCEPTED)
    assert ws.sample(sid).status is Status.ACCEPTED
    ws.undo()
    assert ws.sample(sid).status is Status.REVIEWED  # as it was after the edits
    ws.undo()
    assert ws.sample(sid).subject == "a red ball"
    ws.redo()
    assert ws.sample(sid).subject == "a red rubber ball"
    ws.edit(sid, "background", "a lawn")  # a new edit ends the redo chain
    assert ws.redo() is None
    assert [h.field for h in ws.history()][:2] == ["background", "subject"]


def test_undo_workspace_template(ws: Workspace) -> None:
    ws.set_workspace_field("template", "first")
    ws.set_workspace_field("template", "second")
    ws.undo()
    assert ws.template() == "first"
    ws.undo()
    assert ws.template() is None
    assert ws.undo() is None


def test_reject_keeps_reason_and_bad_values_refused(ws: Workspace) -> None:
    sid = "b" * 64
    sample = ws.set_status(sid, Status.REJECTED, "mixed direction")
    assert (sample.status, sample.reject_reason) == (Status.REJECTED, "mixed direction")
    with pytest.raises(ValueError):
        ws.edit(sid, "status", "great")
    with pytest.raises(ValueError):
        ws.edit(sid, "path", "x.mp4")


def test_captions_and_cache_keys(ws: Workspace) -> None:
    sid = "a" * 64
    for text in ("first answer", "second answer"):
        ws.add_caption(
            sid,
            provider="replay",
            model="qwen-vl-max",
            instruction="describe",
            fps=2.0,
            cache_key=f"k-{text}",
            text=text,
            fields={"subject": "a ball"},
            input_tokens=10,
            output_tokens=5,
        )
    assert [c.text for c in ws.captions(sid)] == ["first answer", "second answer"]
    assert ws.latest_captions()[sid].text == "second answer"
    assert ws.latest_captions()[sid].fields == {"subject": "a ball"}
    assert ws.cached_keys() == {"k-first answer", "k-second answer"}


def test_edit_survives_process_without_close(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path, INFO)
    ws.upsert_sample("c" * 64, path="c.mp4")
    ws.edit("c" * 64, "subject", "kept")
    # A second connection sees the commit at once: nothing waits for close().
    other = sqlite3.connect(tmp_path / ".annotator" / "workspace.db")
    assert other.execute("SELECT subject FROM samples").fetchone()[0] == "kept"


def test_migrations_recorded_once(tmp_path: Path) -> None:
    db = connect(tmp_path / "w.db")
    names = [r[0] for r in db.execute("SELECT name FROM _migrations")]
    assert names == [name for name, _ in MIGRATIONS]
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    db.close()
    connect(tmp_path / "w.db").close()  # reopening applies nothing twice


def test_newer_schema_refused(tmp_path: Path) -> None:
    db = connect(tmp_path / "w.db")
    db.execute("INSERT INTO _migrations VALUES ('999_future', 'x')")
    db.close()
    with pytest.raises(NewerSchemaError, match="upgrade annotator"):
        connect(tmp_path / "w.db")


def test_damaged_store_is_named(tmp_path: Path) -> None:
    (tmp_path / ".annotator").mkdir()
    (tmp_path / ".annotator" / "workspace.db").write_bytes(b"not a database" * 100)
    with pytest.raises(WorkspaceError, match="damaged"):
        Workspace.open(tmp_path)


def test_a_burst_of_typing_is_one_undo_step(ws: Workspace) -> None:
    sid = "a" * 64
    ws.edit(sid, "background", "a lawn")
    for text in ("a red", "a red ball", "a red ball on grass"):
        ws.edit(sid, "subject", text, merge_within_s=60)
    assert [h.field for h in ws.history()] == ["subject", "background"]
    ws.undo()
    assert ws.sample(sid).subject == ""
    ws.edit(sid, "subject", "a cat", merge_within_s=60)  # after an undo: a new step
    ws.edit(sid, "subject", "a cat sitting", merge_within_s=0.0)  # no merging asked
    assert [h.new for h in ws.history()] == ["a cat sitting", "a cat", "a lawn"]


def test_a_persons_edit_marks_the_sample_reviewed(ws: Workspace) -> None:
    sid = "a" * 64
    ws.set_status_by_machine(sid, Status.CAPTIONED, None)
    assert ws.edit(sid, "subject", "a red ball").status is Status.REVIEWED
    ws.set_status(sid, Status.ACCEPTED)
    assert ws.edit(sid, "background", "a lawn").status is Status.ACCEPTED  # kept
