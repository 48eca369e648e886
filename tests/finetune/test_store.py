"""Migration 002_remote and the store functions of annotator/workspace/remote.py."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from annotator.workspace import Workspace
from annotator.workspace.db import MIGRATIONS, migrate
from annotator.workspace.remote import (
    CREATING,
    RemoteFile,
    begin_job,
    find_upload,
    forget_job_attempt,
    jobs,
    jobs_for,
    record_job,
    save_upload,
    set_job_fields,
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
    save_upload(ws, file, {"request_id": "r"})
    assert find_upload(ws, file.endpoint, file.sha256) == file
    assert find_upload(ws, "https://dashscope-intl.aliyuncs.com", file.sha256) is None
    save_upload(ws, file.model_copy(update={"file_id": "f-2"}))  # --force: replaces
    assert find_upload(ws, file.endpoint, file.sha256).file_id == "f-2"  # type: ignore[union-attr]


def test_a_job_row_exists_before_the_answer_and_keeps_every_field(ws: Workspace) -> None:
    row = begin_job(ws, "e", "fp", {"model": "m"})
    [attempt] = jobs_for(ws, "e", "fp")
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
    job = record_job(ws, row, output, "req-1")
    assert (job.job_id, job.usage, job.request_id, job.end_time) == (
        "ft-1",
        432000,
        "req-1",
        "2026-01-01 12:00:00",
    )
    assert job.hyper_parameters == {"n_epochs": 400}
    raw = ws._db.execute("SELECT response FROM ft_jobs WHERE id = ?", (row,)).fetchone()[0]
    assert '"group": "llm"' in raw  # fields without a column are kept too
    set_job_fields(ws, row, log_total=3, log_tail=["a", "b", "c"])
    forget_job_attempt(ws, row)  # only drops rows without an id
    assert [j.log_tail for j in jobs(ws)] == [["a", "b", "c"]]


def test_every_write_is_committed_at_once(ws: Workspace) -> None:
    begin_job(ws, "e", "fp", {"model": "m"})
    other = sqlite3.connect(ws.store_dir / "workspace.db")
    assert other.execute("SELECT COUNT(*) FROM ft_jobs").fetchone()[0] == 1
