"""Migration 002_remote and the store functions of annotator/workspace/remote.py."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from annotator.workspace import Workspace
from annotator.workspace.db import MIGRATIONS, migrate
from annotator.workspace.remote import (
    CHECKPOINTS,
    CREATING,
    GENERATIONS,
    JOBS,
    UPLOADS,
    RemoteFile,
)

TABLES = {"remote_files", "ft_jobs", "ft_checkpoints", "deployments", "generations"}


def _tables(db: sqlite3.Connection) -> set[str]:
    return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_migration_002_upgrades_a_store_made_by_001(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    db.execute("BEGIN")
    MIGRATIONS[0][1](db)
    db.execute("INSERT INTO _migrations VALUES ('001_initial', 'then')")
    db.execute(
        "INSERT INTO samples (id, path, added_at, updated_at) VALUES ('a', 'a.mp4', 'x', 'x')"
    )
    db.execute("COMMIT")
    assert not TABLES & _tables(db)
    assert migrate(db) == [name for name, _ in MIGRATIONS[1:]]  # 002_remote and any later
    assert _tables(db) >= TABLES
    assert db.execute("SELECT path FROM samples").fetchone()[0] == "a.mp4"  # kept
    assert migrate(db) == []  # recorded once


def test_uploads_are_found_by_endpoint_and_content(ws: Workspace) -> None:
    file = RemoteFile(
        endpoint="https://dashscope.aliyuncs.com",
        sha256="ab" * 32,
        role="train",
        path="/x/train.zip",
        name="train.zip",
        bytes=10,
        purpose="fine-tune",
        file_id="f-1",
        uploaded_at="2026-01-01T00:00:00+00:00",  # type: ignore[arg-type]
    )
    UPLOADS.save(ws, file, response={"request_id": "r"})
    assert UPLOADS.first(ws, endpoint=file.endpoint, sha256=file.sha256) == file
    assert (
        UPLOADS.first(ws, endpoint="https://dashscope-intl.aliyuncs.com", sha256=file.sha256)
        is None
    )
    UPLOADS.save(ws, file.model_copy(update={"file_id": "f-2"}))  # --force: replaces
    [again] = UPLOADS.select(ws)
    assert again.file_id == "f-2"


def test_a_job_row_exists_before_the_answer_and_keeps_every_field(ws: Workspace) -> None:
    row = JOBS.begin(ws, "e", "fp", {"model": "m"})
    [attempt] = JOBS.for_request(ws, "e", "fp")
    assert (attempt.job_id, attempt.status, attempt.request) == (None, CREATING, {"model": "m"})
    output = {
        "job_id": "ft-1",
        "status": "SUCCEEDED",
        "finetuned_output": "m-ft-1",
        "usage": 432000,
        "hyper_parameters": {"n_epochs": 400},
        "training_file_ids": ["f-1"],
        "create_time": "2026-01-01 10:00:00",
        "end_time": "2026-01-01 12:00:00",
        "group": "llm",
    }
    job = JOBS.record(ws, row, output, "req-1")
    assert (job.job_id, job.usage, job.request_id, job.end_time) == (
        "ft-1",
        432000,
        "req-1",
        "2026-01-01 12:00:00",
    )
    assert job.hyper_parameters == {"n_epochs": 400}
    raw = ws._db.execute("SELECT response FROM ft_jobs WHERE id = ?", (row,)).fetchone()[0]
    assert '"group": "llm"' in raw  # fields without a column are kept too
    JOBS.update(ws, row, {"log_total": 3, "log_tail": ["a", "b", "c"]})
    JOBS.forget_attempt(ws, row)  # only drops rows without an id
    assert [j.log_tail for j in JOBS.select(ws)] == [["a", "b", "c"]]


def test_every_write_is_committed_at_once(ws: Workspace) -> None:
    JOBS.begin(ws, "e", "fp", {"model": "m"})
    other = sqlite3.connect(ws.store_dir / "workspace.db")
    assert other.execute("SELECT COUNT(*) FROM ft_jobs").fetchone()[0] == 1


def test_select_skips_deleted_rows_unless_asked_and_first_finds_them(ws: Workspace) -> None:
    old = JOBS.begin(ws, "e", "fp", {"model": "m"})
    JOBS.record(ws, old, {"job_id": "ft-1", "status": "SUCCEEDED"})
    new = JOBS.begin(ws, "e", "fp", {"model": "m"})
    JOBS.update(ws, old, {"deleted_at": "2026-01-01T00:00:00+00:00"})
    assert [j.id for j in JOBS.select(ws)] == [new]
    assert [j.id for j in JOBS.select(ws, include_deleted=True)] == [new, old]  # newest first
    assert JOBS.first(ws, job_id="ft-1") == JOBS.by_row(ws, old)
    assert JOBS.service_ids(ws) == {"ft-1"}
    assert JOBS.service_id_of(JOBS.by_row(ws, new)) is None


def test_a_missing_row_is_a_lookup_error(ws: Workspace) -> None:
    with pytest.raises(LookupError, match="no row 7 in ft_jobs"):
        JOBS.by_row(ws, 7)


def test_a_task_answer_renames_its_status_and_keeps_usage_beside_the_output(
    ws: Workspace,
) -> None:
    row = GENERATIONS.begin(
        ws, "e", "fp", {"model": "m"}, deployed_model="d", kind="i2v", image="a.png"
    )
    output = {"task_id": "t-1", "task_status": "SUCCEEDED", "video_url": "https://v"}
    found = GENERATIONS.record(ws, row, output, "req-1", {"video_count": 1})
    assert (found.status, found.usage, found.request_id) == (
        "SUCCEEDED",
        {"video_count": 1},
        "req-1",
    )
    raw = ws._db.execute("SELECT response FROM generations WHERE id = ?", (row,)).fetchone()[0]
    assert json.loads(raw) == {"output": output, "usage": {"video_count": 1}}


def test_a_checkpoint_row_is_made_by_its_first_write_and_changed_by_the_next(
    ws: Workspace,
) -> None:
    CHECKPOINTS.put(ws, {"job_id": "ft-1", "checkpoint": "checkpoint-20", "downloads": ["a"]})
    answer = {"checkpoint": "checkpoint-20", "status": "SUCCEEDED", "model_name": "m-20"}
    columns = CHECKPOINTS.answer_columns(answer)
    assert columns == {"model_name": "m-20", "export_status": "SUCCEEDED", "response": answer}
    CHECKPOINTS.put(ws, {"job_id": "ft-1", "checkpoint": "checkpoint-20", **columns})
    [found] = CHECKPOINTS.select(ws, job_id="ft-1")
    assert (found.downloads, found.model_name, found.export_status, found.previews) == (
        ["a"],  # kept: the second write did not name it
        "m-20",
        "SUCCEEDED",
        None,  # a NULL JSON column takes the model's default
    )
