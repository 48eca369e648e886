"""What DashScope said about this workspace's fine-tuning: uploads, jobs, checkpoints,
deployments and test generations (the tables of migration 002_remote).

Each table is one `RemoteTable` (or `RequestTable`) value: rows go in as column values
and come out as the table's pydantic model, with JSON encoded and decoded here only.
Every write is its own committed transaction, so a kill -9 never loses an id the service
gave. A job, deployment or generation gets its row *before* the create request goes out
(status ``CREATING``, no id: `RequestTable.begin`); the answer fills it in
(`RequestTable.record`). A row left ``CREATING`` means the process died between the two;
annotator/finetune/resumable.py looks the resource up at the service then instead of
creating it again. Each row keeps the service's last answer as JSON (``response``)
besides the columns read from it. Every string the service said (answers, log lines, its
error messages) is made safe as it is written (``_dump``): a server may echo the
request's key or send terminal escapes.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

from annotator.safetext import outside_text
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


class Requested(BaseModel):
    """What every created resource's row has: our row id, where and what was asked."""

    model_config = ConfigDict(frozen=True)

    id: int
    endpoint: str
    fingerprint: str  # the same request to the same service: the same fingerprint
    request: dict[str, Any]  # the create request's body


class FinetuneJob(Requested):
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
    chosen_at: datetime | None = None  # a person picked it as the best
    updated_at: datetime


class Deployment(Requested):
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


class VideoTask(Requested):
    """What the service says of one asynchronous video synthesis task (the columns that
    generations and source tasks share)."""

    task_id: str | None
    kind: str  # i2v or kf2v
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


class Generation(VideoTask):
    """A test video made with a deployed LoRA (annotator generate)."""

    deployed_model: str
    image: str
    last_image: str | None = None
    prompt: str | None = None


class SourceTask(VideoTask):
    """A candidate clip made with a Wan base model from a picture (annotator source)."""

    model: str
    picture: str
    last_picture: str | None = None
    picture_sha256: str  # the picture's (kf2v: the first picture's) content
    prompt: str
    seed: int
    resolution: str
    duration: int | None = None
    candidate: int  # 1..N among the candidates of one picture
    sample_id: str | None = None


M = TypeVar("M", bound=BaseModel)
R = TypeVar("R", bound=Requested)


# Columns of our own making (where and what we asked, local paths): stored as they are.
_OURS = frozenset(
    {"endpoint", "fingerprint", "request", "path", "video_path", "picture", "last_picture"}
)
# Columns whose text may have lines: messages, prompts, the whole answer kept for a maintainer.
_MULTILINE = frozenset({"error", "message", "orig_prompt", "actual_prompt", "prompt", "response"})


def _safe(value: Any, keep_newlines: bool) -> Any:
    """VALUE with every string in it made safe (redacted, stripped), however deep."""
    if isinstance(value, str):
        return outside_text(value, keep_newlines=keep_newlines)
    if isinstance(value, Mapping):
        return {_safe(str(k), False): _safe(v, keep_newlines) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_safe(v, keep_newlines) for v in value]
    return value


def _dump(name: str, value: Any) -> Any:
    """The SQL value of column NAME: the service's words made safe (a server may echo the
    request's key, or send escapes), JSON encoded for a dict or a list."""
    if name not in _OURS:
        value = _safe(value, name in _MULTILINE)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


# Table and column names below come from this module's constants, never from outside
# text, so they may be formatted into the SQL; every value is a parameter.
@dataclass(frozen=True, eq=False, kw_only=True)
class RemoteTable(Generic[M]):
    """One table's rows as the pydantic model M; JSON columns are encoded here only."""

    name: str
    model: type[M]
    key: tuple[str, ...]  # the columns that name one row
    order: str  # how `select` lists rows
    json_columns: tuple[str, ...] = ()
    # The service's output keys kept in their own columns, as key or (key, column).
    answer_keys: tuple[str | tuple[str, str], ...] = ()
    touched: str | None = "updated_at"  # the column set to now by every write
    soft_deleted: bool = False  # rows have deleted_at and `select` skips the deleted ones

    def decode(self, row: sqlite3.Row) -> M:
        """The model of one row; a NULL JSON column takes the model's default."""
        data = dict(row)
        data.pop("response", None)  # the whole answer is kept for a maintainer, not read
        for name in self.json_columns:
            text = data.pop(name, None)
            if text is not None:
                data[name] = json.loads(text)
        return self.model.model_validate(data)

    def select(self, ws: Workspace, *, include_deleted: bool = False, **where: Any) -> list[M]:
        """The rows whose columns equal WHERE, in the table's order."""
        clauses = [f"{name} = ?" for name in where]
        if self.soft_deleted and not include_deleted:
            clauses.append("deleted_at IS NULL")
        condition = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        sql = f"SELECT * FROM {self.name}{condition} ORDER BY {self.order}"
        return [self.decode(row) for row in ws.query(sql, list(where.values()))]

    def first(self, ws: Workspace, **where: Any) -> M | None:
        """The first row whose columns equal WHERE (deleted or not), if there is one."""
        found = self.select(ws, include_deleted=True, **where)
        return found[0] if found else None

    def answer_columns(self, output: Mapping[str, Any]) -> dict[str, Any]:
        """The columns the service's OUTPUT fills (those it left out stay), and `response`."""
        fields: dict[str, Any] = {}
        for entry in self.answer_keys:
            key, column = (entry, entry) if isinstance(entry, str) else entry
            if output.get(key) is not None:
                fields[column] = output[key]
        fields["response"] = dict(output)
        return fields

    def put(self, ws: Workspace, fields: Mapping[str, Any]) -> None:
        """Insert the row FIELDS name by its key, or change these columns of the stored one."""
        columns = self._stamped(fields)
        changes = ", ".join(f"{n} = excluded.{n}" for n in columns if n not in self.key)
        self._insert(ws, columns, f" ON CONFLICT ({', '.join(self.key)}) DO UPDATE SET {changes}")

    def save(self, ws: Workspace, row: M, **columns: Any) -> M:
        """Store the model ROW (with extra COLUMNS such as ``response``) by its key."""
        self.put(ws, {**row.model_dump(mode="json"), **columns})
        return row

    def _stamped(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        return {**fields, self.touched: now_iso()} if self.touched else dict(fields)

    def _insert(self, ws: Workspace, columns: Mapping[str, Any], tail: str = "") -> int:
        """INSERT these COLUMNS (then TAIL, an ON CONFLICT clause); the new row's id."""
        names = ", ".join(columns)
        marks = ", ".join("?" * len(columns))
        with ws.transaction() as db:
            cur = db.execute(
                f"INSERT INTO {self.name} ({names}) VALUES ({marks}){tail}",
                [_dump(name, value) for name, value in columns.items()],
            )
        return cur.lastrowid or 0


@dataclass(frozen=True, eq=False, kw_only=True)
class RequestTable(RemoteTable[R]):
    """The rows of created resources: written before the create request, then answered."""

    key: tuple[str, ...] = ("id",)
    order: str = "id DESC"  # newest first
    service_id: str  # the column of the service's id, NULL until the answer is stored
    keeps_usage: bool = False  # the answer's usage has a column, beside output in response

    def begin(
        self, ws: Workspace, endpoint: str, fingerprint: str, request: dict[str, Any], **fields: Any
    ) -> int:
        """Write the row before the create request is sent (status CREATING); its row id."""
        now = now_iso()
        columns = {
            "endpoint": endpoint,
            "fingerprint": fingerprint,
            "request": request,
            "status": CREATING,
            **fields,
            "requested_at": now,
            "updated_at": now,
        }
        return self._insert(ws, columns)

    def by_row(self, ws: Workspace, row_id: int) -> R:
        found = self.first(ws, id=row_id)
        if found is None:
            raise LookupError(f"no row {row_id} in {self.name}")
        return found

    def update(self, ws: Workspace, row_id: int, fields: Mapping[str, Any]) -> R:
        """Change columns of one row (ours, such as error or deleted_at, or the service's)."""
        columns = self._stamped(fields)
        sets = ", ".join(f"{name} = ?" for name in columns)
        with ws.transaction() as db:
            db.execute(
                f"UPDATE {self.name} SET {sets} WHERE id = ?",
                [*(_dump(name, value) for name, value in columns.items()), row_id],
            )
        return self.by_row(ws, row_id)

    def record(
        self,
        ws: Workspace,
        row_id: int,
        output: Mapping[str, Any],
        request_id: str | None = None,
        usage: Mapping[str, Any] | None = None,
    ) -> R:
        """Store the service's OUTPUT for a row (a create, get, list or delete answer)."""
        fields = self.answer_columns(output)
        if self.keeps_usage:
            if usage:
                fields["usage"] = dict(usage)
            fields["response"] = {"output": dict(output), "usage": dict(usage or {})}
        if request_id:
            fields["request_id"] = request_id
        return self.update(ws, row_id, fields)

    def for_request(self, ws: Workspace, endpoint: str, fingerprint: str) -> list[R]:
        """The resources (and unanswered create requests) of one request at one endpoint."""
        return self.select(ws, endpoint=endpoint, fingerprint=fingerprint)

    def service_id_of(self, row: R) -> str | None:
        """The id the service gave the row's resource; None while the row is CREATING."""
        value = getattr(row, self.service_id)
        return value if isinstance(value, str) else None

    def service_ids(self, ws: Workspace) -> set[str]:
        """Every id the service gave a resource of this table (deleted ones too)."""
        sql = f"SELECT {self.service_id} FROM {self.name} WHERE {self.service_id} IS NOT NULL"
        return {row[0] for row in ws.query(sql)}

    def forget_attempt(self, ws: Workspace, row_id: int) -> None:
        """Drop the row of a create request that created nothing (a row with an id stays)."""
        with ws.transaction() as db:
            db.execute(
                f"DELETE FROM {self.name} WHERE id = ? AND {self.service_id} IS NULL", (row_id,)
            )


UPLOADS = RemoteTable(
    name="remote_files",
    model=RemoteFile,
    key=("endpoint", "sha256"),
    order="uploaded_at, id",
    touched=None,  # uploaded_at is the model's own
)
JOBS = RequestTable(
    name="ft_jobs",
    model=FinetuneJob,
    service_id="job_id",
    soft_deleted=True,
    json_columns=(
        "request", "training_file_ids", "validation_file_ids", "hyper_parameters", "log_tail",
    ),
    answer_keys=(
        "job_id", "status", "model", "base_model", "job_name", "training_type",
        "training_file_ids", "validation_file_ids", "hyper_parameters", "finetuned_output",
        "create_time", "end_time", "usage", "output_cnt", "max_output_cnt", "workspace_id",
        "user_identity", "creator",
    ),
)  # fmt: skip
CHECKPOINTS = RemoteTable(
    name="ft_checkpoints",
    model=Checkpoint,
    key=("job_id", "checkpoint"),
    order="rowid",
    json_columns=("previews", "downloads"),
    answer_keys=(
        "model_name", "full_name", "model_display_name", "create_time",
        ("status", "export_status"),
    ),
)  # fmt: skip
DEPLOYMENTS = RequestTable(
    name="deployments",
    model=Deployment,
    service_id="deployed_model",
    soft_deleted=True,
    json_columns=("request",),
    answer_keys=(
        "deployed_model", "model_name", "status", "base_model", "plan", "capacity",
        "charge_type", "gmt_create", "gmt_modified", "workspace_id", "creator", "modifier",
    ),
)  # fmt: skip
GENERATIONS = RequestTable(
    name="generations",
    model=Generation,
    service_id="task_id",
    keeps_usage=True,
    json_columns=("request", "usage"),
    answer_keys=(
        "task_id", ("task_status", "status"), "submit_time", "scheduled_time", "end_time",
        "orig_prompt", "actual_prompt", "video_url", "code", "message",
    ),
)  # fmt: skip
SOURCES = RequestTable(
    name="sources",
    model=SourceTask,
    service_id="task_id",
    keeps_usage=True,
    json_columns=("request", "usage"),
    answer_keys=GENERATIONS.answer_keys,
)
