"""What DashScope said about this workspace's fine-tuning: uploads, jobs, checkpoints,
deployments and test generations (the tables of migration 002_remote).

Every write is its own committed transaction, so a kill -9 never loses an id the service
gave. A job, deployment or generation gets its row *before* the create request goes out
(status ``CREATING``, no id); the answer fills it in. A row left ``CREATING`` means the
process died between the two, and the next run looks the resource up at the service
instead of creating it again. Each row keeps the service's last answer as JSON
(``response``) besides the columns read from it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from annotator.workspace.db import now_iso
from annotator.workspace.store import Workspace

CREATING = "CREATING"  # our status for a row whose create request had no answer yet


class RemoteFile(BaseModel):
    """A zip uploaded with purpose fine-tune, known by the sha256 of its bytes."""

    model_config = ConfigDict(frozen=True)

    endpoint: str
    sha256: str
    role: str  # train or valid
    path: str
    name: str
    bytes: int
    purpose: str
    file_id: str
    status: str | None = None
    created_at: str | None = None
    request_id: str | None = None
    uploaded_at: datetime


class FinetuneJob(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    endpoint: str
    fingerprint: str
    request: dict[str, Any]
    job_id: str | None
    status: str
    model: str | None = None
    base_model: str | None = None
    job_name: str | None = None
    training_type: str | None = None
    training_file_ids: list[str] | None = None
    validation_file_ids: list[str] | None = None
    hyper_parameters: dict[str, Any] | None = None
    finetuned_output: str | None = None
    create_time: str | None = None
    end_time: str | None = None
    usage: int | None = None
    output_cnt: int | None = None
    max_output_cnt: int | None = None
    workspace_id: str | None = None
    user_identity: str | None = None
    creator: str | None = None
    request_id: str | None = None
    log_total: int = 0
    log_tail: list[str] = []
    error: str | None = None
    requested_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None


class Checkpoint(BaseModel):
    model_config = ConfigDict(frozen=True)

    job_id: str
    checkpoint: str
    previews: list[dict[str, Any]] | None = None
    previews_at: datetime | None = None
    downloads: list[str] | None = None
    model_name: str | None = None
    full_name: str | None = None
    model_display_name: str | None = None
    export_status: str | None = None
    create_time: str | None = None
    export_requested_at: datetime | None = None
    updated_at: datetime


class Deployment(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    endpoint: str
    fingerprint: str
    request: dict[str, Any]
    deployed_model: str | None
    model_name: str
    job_id: str | None = None
    checkpoint: str | None = None
    status: str
    base_model: str | None = None
    plan: str | None = None
    capacity: int | None = None
    charge_type: str | None = None
    gmt_create: str | None = None
    gmt_modified: str | None = None
    workspace_id: str | None = None
    creator: str | None = None
    modifier: str | None = None
    request_id: str | None = None
    error: str | None = None
    requested_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None


class Generation(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    endpoint: str
    fingerprint: str
    request: dict[str, Any]
    task_id: str | None
    deployed_model: str
    kind: str
    image: str
    last_image: str | None = None
    prompt: str | None = None
    status: str
    submit_time: str | None = None
    scheduled_time: str | None = None
    end_time: str | None = None
    orig_prompt: str | None = None
    actual_prompt: str | None = None
    video_url: str | None = None
    video_path: str | None = None
    usage: dict[str, Any] | None = None
    code: str | None = None
    message: str | None = None
    request_id: str | None = None
    requested_at: datetime
    updated_at: datetime


# The service's output keys kept in their own columns; everything stays in `response`.
_JOB_KEYS = (
    "job_id", "status", "model", "base_model", "job_name", "training_type",
    "training_file_ids", "validation_file_ids", "hyper_parameters", "finetuned_output",
    "create_time", "end_time", "usage", "output_cnt", "max_output_cnt", "workspace_id",
    "user_identity", "creator",
)  # fmt: skip
_DEPLOYMENT_KEYS = (
    "deployed_model", "model_name", "status", "base_model", "plan", "capacity",
    "charge_type", "gmt_create", "gmt_modified", "workspace_id", "creator", "modifier",
)  # fmt: skip
_TASK_KEYS = (
    "task_id", "task_status", "submit_time", "scheduled_time", "end_time", "orig_prompt",
    "actual_prompt", "video_url", "code", "message",
)  # fmt: skip
_CHECKPOINT_KEYS = (
    "model_name", "full_name", "model_display_name", "create_time",
)  # fmt: skip


def _dump(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


def _row(row: Any, json_columns: Iterable[str]) -> dict[str, Any]:
    data = dict(row)
    for name in json_columns:
        if data.get(name) is not None:
            data[name] = json.loads(data[name])
    data.pop("response", None)
    return data


def _update(ws: Workspace, table: str, row_id: int, fields: Mapping[str, Any]) -> None:
    columns = {**fields, "updated_at": now_iso()}
    sets = ", ".join(f"{name} = ?" for name in columns)
    with ws.transaction() as db:
        db.execute(
            f"UPDATE {table} SET {sets} WHERE id = ?", [*map(_dump, columns.values()), row_id]
        )


def _insert(ws: Workspace, table: str, fields: Mapping[str, Any]) -> int:
    now = now_iso()
    columns = {**fields, "requested_at": now, "updated_at": now}
    names = ", ".join(columns)
    marks = ", ".join("?" * len(columns))
    with ws.transaction() as db:
        cur = db.execute(
            f"INSERT INTO {table} ({names}) VALUES ({marks})", [*map(_dump, columns.values())]
        )
    assert cur.lastrowid is not None
    return cur.lastrowid


def _output_fields(output: Mapping[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    return {key: output[key] for key in keys if output.get(key) is not None}


# -- uploaded files --------------------------------------------------------------------


def find_upload(ws: Workspace, endpoint: str, sha256: str) -> RemoteFile | None:
    """The upload of the zip with this content to this endpoint, if there was one."""
    row = ws.query(
        "SELECT * FROM remote_files WHERE endpoint = ? AND sha256 = ?", (endpoint, sha256)
    ).fetchone()
    return None if row is None else RemoteFile.model_validate(_row(row, ()))


def save_upload(
    ws: Workspace, file: RemoteFile, response: Mapping[str, Any] | None = None
) -> RemoteFile:
    """Keep what the service answered to an upload (replacing an older upload of the same zip)."""
    data = file.model_dump(mode="json")
    data["response"] = json.dumps(response or {}, ensure_ascii=False)
    names = ", ".join(data)
    marks = ", ".join("?" * len(data))
    with ws.transaction() as db:
        db.execute(
            f"INSERT OR REPLACE INTO remote_files ({names}) VALUES ({marks})", list(data.values())
        )
    return file


def uploads(ws: Workspace) -> list[RemoteFile]:
    rows = ws.query("SELECT * FROM remote_files ORDER BY uploaded_at, id")
    return [RemoteFile.model_validate(_row(r, ())) for r in rows]


# -- fine-tune jobs --------------------------------------------------------------------

_JOB_JSON = ("request", "training_file_ids", "validation_file_ids", "hyper_parameters", "log_tail")


def _job(row: Any) -> FinetuneJob:
    data = _row(row, _JOB_JSON)
    data["log_tail"] = data.get("log_tail") or []
    return FinetuneJob.model_validate(data)


def begin_job(ws: Workspace, endpoint: str, fingerprint: str, request: dict[str, Any]) -> int:
    """Write the job's row before the create request is sent; returns the row id."""
    return _insert(
        ws,
        "ft_jobs",
        {"endpoint": endpoint, "fingerprint": fingerprint, "request": request, "status": CREATING},
    )


def record_job(
    ws: Workspace, row_id: int, output: Mapping[str, Any], request_id: str | None = None
) -> FinetuneJob:
    """Store a job's ``output`` as the service returned it (create, get or cancel)."""
    fields = _output_fields(output, _JOB_KEYS)
    fields["response"] = dict(output)
    if request_id:
        fields["request_id"] = request_id
    _update(ws, "ft_jobs", row_id, fields)
    return job_by_row(ws, row_id)


def set_job_fields(ws: Workspace, row_id: int, **fields: Any) -> FinetuneJob:
    """Change our own columns of a job row (log_total, log_tail, error, deleted_at)."""
    _update(ws, "ft_jobs", row_id, fields)
    return job_by_row(ws, row_id)


def forget_job_attempt(ws: Workspace, row_id: int) -> None:
    """Drop the row of a create request the service refused (nothing was created)."""
    with ws.transaction() as db:
        db.execute("DELETE FROM ft_jobs WHERE id = ? AND job_id IS NULL", (row_id,))


def job_by_row(ws: Workspace, row_id: int) -> FinetuneJob:
    return _job(ws.query("SELECT * FROM ft_jobs WHERE id = ?", (row_id,)).fetchone())


def find_job(ws: Workspace, job_id: str) -> FinetuneJob | None:
    row = ws.query("SELECT * FROM ft_jobs WHERE job_id = ?", (job_id,)).fetchone()
    return None if row is None else _job(row)


def jobs_for(ws: Workspace, endpoint: str, fingerprint: str) -> list[FinetuneJob]:
    """The jobs (and unanswered create requests) of one body at one endpoint, newest first."""
    rows = ws.query(
        "SELECT * FROM ft_jobs WHERE endpoint = ? AND fingerprint = ? AND deleted_at IS NULL"
        " ORDER BY id DESC",
        (endpoint, fingerprint),
    )
    return [_job(r) for r in rows]


def jobs(ws: Workspace, *, include_deleted: bool = False) -> list[FinetuneJob]:
    """Every job of the workspace, newest first."""
    sql = "SELECT * FROM ft_jobs"
    if not include_deleted:
        sql += " WHERE deleted_at IS NULL"
    return [_job(r) for r in ws.query(sql + " ORDER BY id DESC")]


# -- checkpoints -----------------------------------------------------------------------

_CHECKPOINT_JSON = ("previews", "downloads")


def _ensure_checkpoint(db: Any, job_id: str, checkpoint: str) -> None:
    db.execute(
        "INSERT OR IGNORE INTO ft_checkpoints (job_id, checkpoint, updated_at) VALUES (?, ?, ?)",
        (job_id, checkpoint, now_iso()),
    )


def _set_checkpoint(ws: Workspace, job_id: str, checkpoint: str, fields: Mapping[str, Any]) -> None:
    columns = {**fields, "updated_at": now_iso()}
    sets = ", ".join(f"{name} = ?" for name in columns)
    with ws.transaction() as db:
        _ensure_checkpoint(db, job_id, checkpoint)
        db.execute(
            f"UPDATE ft_checkpoints SET {sets} WHERE job_id = ? AND checkpoint = ?",
            [*map(_dump, columns.values()), job_id, checkpoint],
        )


def record_previews(
    ws: Workspace, job_id: str, checkpoint: str, previews: list[dict[str, Any]]
) -> None:
    """The validation details of one checkpoint (preview video URLs, valid 24 h)."""
    _set_checkpoint(ws, job_id, checkpoint, {"previews": previews, "previews_at": now_iso()})


def record_downloads(ws: Workspace, job_id: str, checkpoint: str, paths: list[str]) -> None:
    _set_checkpoint(ws, job_id, checkpoint, {"downloads": paths})


def record_export_request(ws: Workspace, job_id: str, checkpoint: str, model_name: str) -> None:
    _set_checkpoint(
        ws,
        job_id,
        checkpoint,
        {"model_name": model_name, "export_requested_at": now_iso(), "export_status": "PENDING"},
    )


def record_checkpoint(ws: Workspace, job_id: str, output: Mapping[str, Any]) -> None:
    """One entry of GET /fine-tunes/{id}/checkpoints (export name and status)."""
    fields = _output_fields(output, _CHECKPOINT_KEYS)
    if output.get("status") is not None:
        fields["export_status"] = output["status"]
    fields["response"] = dict(output)
    _set_checkpoint(ws, job_id, str(output["checkpoint"]), fields)


def checkpoints(ws: Workspace, job_id: str) -> list[Checkpoint]:
    rows = ws.query(
        "SELECT * FROM ft_checkpoints WHERE job_id = ? ORDER BY rowid", (job_id,)
    ).fetchall()
    return [Checkpoint.model_validate(_row(r, _CHECKPOINT_JSON)) for r in rows]


def find_checkpoint(ws: Workspace, job_id: str, checkpoint: str) -> Checkpoint | None:
    row = ws.query(
        "SELECT * FROM ft_checkpoints WHERE job_id = ? AND checkpoint = ?", (job_id, checkpoint)
    ).fetchone()
    return None if row is None else Checkpoint.model_validate(_row(row, _CHECKPOINT_JSON))


# -- deployments -----------------------------------------------------------------------


def _deployment(row: Any) -> Deployment:
    return Deployment.model_validate(_row(row, ("request",)))


def begin_deployment(
    ws: Workspace,
    endpoint: str,
    fingerprint: str,
    request: dict[str, Any],
    *,
    job_id: str | None,
    checkpoint: str | None,
) -> int:
    return _insert(
        ws,
        "deployments",
        {
            "endpoint": endpoint,
            "fingerprint": fingerprint,
            "request": request,
            "model_name": request["model_name"],
            "job_id": job_id,
            "checkpoint": checkpoint,
            "status": CREATING,
        },
    )


def record_deployment(
    ws: Workspace, row_id: int, output: Mapping[str, Any], request_id: str | None = None
) -> Deployment:
    fields = _output_fields(output, _DEPLOYMENT_KEYS)
    fields["response"] = dict(output)
    if request_id:
        fields["request_id"] = request_id
    _update(ws, "deployments", row_id, fields)
    return deployment_by_row(ws, row_id)


def set_deployment_fields(ws: Workspace, row_id: int, **fields: Any) -> Deployment:
    _update(ws, "deployments", row_id, fields)
    return deployment_by_row(ws, row_id)


def forget_deployment_attempt(ws: Workspace, row_id: int) -> None:
    with ws.transaction() as db:
        db.execute("DELETE FROM deployments WHERE id = ? AND deployed_model IS NULL", (row_id,))


def deployment_by_row(ws: Workspace, row_id: int) -> Deployment:
    row = ws.query("SELECT * FROM deployments WHERE id = ?", (row_id,)).fetchone()
    return _deployment(row)


def deployments_for(ws: Workspace, endpoint: str, fingerprint: str) -> list[Deployment]:
    rows = ws.query(
        "SELECT * FROM deployments WHERE endpoint = ? AND fingerprint = ? AND deleted_at IS NULL"
        " ORDER BY id DESC",
        (endpoint, fingerprint),
    )
    return [_deployment(r) for r in rows]


def deployments(ws: Workspace, *, include_deleted: bool = False) -> list[Deployment]:
    sql = "SELECT * FROM deployments"
    if not include_deleted:
        sql += " WHERE deleted_at IS NULL"
    return [_deployment(r) for r in ws.query(sql + " ORDER BY id DESC")]


# -- generations -----------------------------------------------------------------------


def _generation(row: Any) -> Generation:
    return Generation.model_validate(_row(row, ("request", "usage")))


def begin_generation(
    ws: Workspace, endpoint: str, fingerprint: str, request: dict[str, Any], **fields: Any
) -> int:
    """Row of a video synthesis request before it is sent (deployed_model, kind, image...)."""
    return _insert(
        ws,
        "generations",
        {
            "endpoint": endpoint,
            "fingerprint": fingerprint,
            "request": request,
            "status": CREATING,
            **fields,
        },
    )


def record_generation(
    ws: Workspace,
    row_id: int,
    output: Mapping[str, Any],
    usage: Mapping[str, Any] | None = None,
    request_id: str | None = None,
) -> Generation:
    """Store a task's ``output`` (and ``usage``) as GET /tasks/{id} returned them."""
    fields = _output_fields(output, _TASK_KEYS)
    if "task_status" in fields:
        fields["status"] = fields.pop("task_status")
    if usage:
        fields["usage"] = dict(usage)
    if request_id:
        fields["request_id"] = request_id
    fields["response"] = {"output": dict(output), "usage": dict(usage or {})}
    _update(ws, "generations", row_id, fields)
    return generation_by_row(ws, row_id)


def set_generation_fields(ws: Workspace, row_id: int, **fields: Any) -> Generation:
    _update(ws, "generations", row_id, fields)
    return generation_by_row(ws, row_id)


def forget_generation_attempt(ws: Workspace, row_id: int) -> None:
    with ws.transaction() as db:
        db.execute("DELETE FROM generations WHERE id = ? AND task_id IS NULL", (row_id,))


def generation_by_row(ws: Workspace, row_id: int) -> Generation:
    row = ws.query("SELECT * FROM generations WHERE id = ?", (row_id,)).fetchone()
    return _generation(row)


def generations_for(ws: Workspace, endpoint: str, fingerprint: str) -> list[Generation]:
    rows = ws.query(
        "SELECT * FROM generations WHERE endpoint = ? AND fingerprint = ? ORDER BY id DESC",
        (endpoint, fingerprint),
    )
    return [_generation(r) for r in rows]


def generations(ws: Workspace) -> list[Generation]:
    return [_generation(r) for r in ws.query("SELECT * FROM generations ORDER BY id DESC")]
