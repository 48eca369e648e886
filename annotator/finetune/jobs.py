"""Step 2: the fine-tune job: create it once, follow it, cancel or delete it.

A job is known by the fingerprint of its body at its endpoint (the same zips, so the
same file ids, and the same parameters): a second run finds the stored job instead of
creating another. The row is written before the create request; if the process dies
before the answer is stored, the next run finds the job in the service's list.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from annotator.basemodels import BASE_MODELS
from annotator.finetune.client import LOG_PAGE, Answer, DashScopeClient
from annotator.finetune.errors import JobFailedError, NotFoundError, PipelineError, RemoteError
from annotator.finetune.exported import ExportedDataset
from annotator.finetune.poll import Poller
from annotator.finetune.resumable import Resumed, resume
from annotator.finetune.status import JOB_FINAL, JOB_UNHAPPY
from annotator.safetext import outside_text
from annotator.shellcmd import command
from annotator.workspace import Workspace
from annotator.workspace.db import now_iso
from annotator.workspace.remote import JOBS, FinetuneJob

TAIL_LINES = 40  # log lines kept in the store
FAILURE_LINES = 15  # log lines shown with a failure
MAX_LOG_PAGES = 50  # pages of new log lines read in one poll; the next poll reads on


@dataclass(frozen=True)
class JobUpdate:
    job: FinetuneJob
    new_logs: list[str]


def job_body(export: ExportedDataset, train_ids: list[str], valid_ids: list[str]) -> dict[str, Any]:
    """finetune.json with the real file ids in place of the placeholders."""
    body = copy.deepcopy(export.finetune)
    body["training_file_ids"] = list(train_ids)
    if valid_ids:
        body["validation_file_ids"] = list(valid_ids)
    else:
        body.pop("validation_file_ids", None)
    body.setdefault("training_type", "efficient_sft")
    return body


def fingerprint(endpoint: str, body: dict[str, Any]) -> str:
    """The same request to the same service: same fingerprint."""
    text = json.dumps({"endpoint": endpoint, "body": body}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def model_warning(body: dict[str, Any]) -> str | None:
    """A note when finetune.json names a model this version does not know (maybe newer)."""
    model = body.get("model")
    if model in BASE_MODELS:
        return None
    return (
        f"finetune.json names the model {model!r}, which annotator does not know "
        f"({', '.join(BASE_MODELS)}); sending it anyway"
    )


def start_job(
    ws: Workspace, client: DashScopeClient, body: dict[str, Any], *, new: bool = False
) -> Resumed[FinetuneJob]:
    """The job for BODY: the stored one, one found after a crash, or a new one."""
    endpoint = client.service.endpoint
    request = _JobRequest(client, body, new)
    return resume(ws, JOBS, request, endpoint, fingerprint(endpoint, body))


@dataclass(frozen=True)
class _JobRequest:
    """A fine-tune job as `resume` makes it (a Resource)."""

    client: DashScopeClient
    body: dict[str, Any]
    new: bool  # train the same body once more: no stored job serves

    def reusable(self, stored: FinetuneJob) -> bool:
        if self.new:
            return False
        if stored.status in JOB_UNHAPPY:
            raise PipelineError(
                f"job {stored.job_id} for this dataset and these parameters ended "
                f"{stored.status}. Change the data or finetune.json and export again, or pass "
                "--new to train the same thing once more"
            )
        return True

    def listed(self) -> Iterator[dict[str, Any]]:
        return self.client.iter_jobs()

    def made_by(self, item: Mapping[str, Any], attempt: FinetuneJob) -> bool:
        return _same_request(item, attempt.request)

    def new_row(self) -> dict[str, Any]:
        return {"request": self.body}

    def create(self, attempt: FinetuneJob) -> Answer:
        return self.client.create_job(attempt.request)


def _same_request(found: Mapping[str, Any], body: dict[str, Any]) -> bool:
    if found.get("model") != body.get("model") and found.get("base_model") != body.get("model"):
        return False
    if list(found.get("training_file_ids") or []) != body["training_file_ids"]:
        return False
    if list(found.get("validation_file_ids") or []) != body.get("validation_file_ids", []):
        return False
    params = found.get("hyper_parameters")
    if isinstance(params, dict):
        wanted = body.get("hyper_parameters", {})
        return all(params.get(k) == v for k, v in wanted.items() if k in params)
    return True


def current_job(ws: Workspace, endpoint: str, job_id: str | None = None) -> FinetuneJob:
    """The job named, or the newest one sent to ENDPOINT; the error says how to make one."""
    if job_id is not None:
        job = JOBS.first(ws, job_id=job_id)
        if job is None:
            raise PipelineError(
                f"no job {job_id} in this workspace; `annotator jobs DIR` lists them"
            )
        return job
    for job in JOBS.select(ws):
        if job.endpoint == endpoint and job.job_id is not None:
            return job
    raise PipelineError(
        f"no fine-tune job sent to {endpoint} from this workspace yet: run "
        f"`{command('finetune', ws.root)}` first"
    )


def refresh_job(
    ws: Workspace, client: DashScopeClient, job: FinetuneJob, *, with_logs: bool = True
) -> JobUpdate:
    """Ask the service for the job's status (and its new log lines); store both."""
    assert job.job_id is not None
    answer = client.get_job(job.job_id)
    job = JOBS.record(ws, job.id, answer.output, answer.request_id)
    new_lines: list[str] = []
    if with_logs:
        job, new_lines = _fetch_logs(ws, client, job)
    return JobUpdate(job, new_lines)


def _fetch_logs(
    ws: Workspace, client: DashScopeClient, job: FinetuneJob
) -> tuple[FinetuneJob, list[str]]:
    """The lines after the JOB.log_total already read, page by page; stored, then returned."""
    lines: list[str] = []
    try:
        for _ in range(MAX_LOG_PAGES):
            page, total = _log_page(client, job, job.log_total + len(lines))
            lines += page
            read = job.log_total + len(lines)
            # The total says where the log ends now; without one, a short page does.
            if not page or (read >= total if total is not None else len(page) < LOG_PAGE):
                break
    except RemoteError as exc:
        if not (exc.transient or isinstance(exc, NotFoundError)):
            raise
        # No logs yet, or a hiccup: keep the pages read; the next poll asks on from there.
    if not lines:
        return job, []
    tail = (job.log_tail + lines)[-TAIL_LINES:]
    job = JOBS.update(ws, job.id, {"log_total": job.log_total + len(lines), "log_tail": tail})
    return job, lines


def _log_page(client: DashScopeClient, job: FinetuneJob, skip: int) -> tuple[list[str], int | None]:
    """Up to LOG_PAGE lines after the first SKIP (the API's offset skips lines), and the total."""
    assert job.job_id is not None
    output = client.job_logs(job.job_id, offset=skip, line=LOG_PAGE).output
    output = output if isinstance(output, dict) else {}
    total = output.get("total")
    # One line each, redacted and stripped: a log line may echo the key or hold escapes.
    lines = [outside_text(str(line)) for line in output.get("logs") or []]
    return lines, total if isinstance(total, int) else None


def wait_job(
    ws: Workspace,
    client: DashScopeClient,
    job: FinetuneJob,
    poller: Poller,
    on_update: Callable[[JobUpdate, float], None] | None = None,
    *,
    check: bool = True,
) -> FinetuneJob:
    """Poll until the job ends; with CHECK, JobFailedError (and the log) unless it SUCCEEDED."""
    last = poller.wait(
        lambda: refresh_job(ws, client, JOBS.by_row(ws, job.id)),
        lambda update: update.job.status in JOB_FINAL,
        on_update,
        what=f"job {job.job_id}",
    )
    if check:
        check_job(ws, last.job)
    return last.job


def check_job(ws: Workspace, job: FinetuneJob) -> None:
    """JobFailedError for a FAILED or CANCELED job, with the end of its log."""
    if job.status not in JOB_UNHAPPY:
        return
    tail = "\n".join(f"    {line}" for line in job.log_tail[-FAILURE_LINES:]) or "    (no log)"
    if job.status == "CANCELED":
        fix = f"start it again with `{command('finetune', ws.root)} --new`"
    else:
        fix = (
            "fix what the log names (often a clip too long or a bad data.jsonl line), "
            f"export and upload again, then `{command('finetune', ws.root)}`; or retry the same "
            "job with --new"
        )
    message = f"fine-tune job {job.job_id} ended {job.status}. Last log lines:\n{tail}\n{fix}"
    JOBS.update(ws, job.id, {"error": message})
    raise JobFailedError(message, code=job.status)


def cancel_job(ws: Workspace, client: DashScopeClient, job: FinetuneJob) -> FinetuneJob:
    assert job.job_id is not None
    client.cancel_job(job.job_id)
    return refresh_job(ws, client, job, with_logs=False).job


def delete_job(ws: Workspace, client: DashScopeClient, job: FinetuneJob) -> FinetuneJob:
    """Delete the job at the service; the row stays, marked deleted, with its history."""
    assert job.job_id is not None
    try:
        client.delete_job(job.job_id)
    except NotFoundError:
        pass  # gone already: mark it so
    except RemoteError as exc:
        if job.status not in JOB_FINAL and exc.status == 400:
            raise PipelineError(
                f"{exc.message} A running job cannot be deleted: cancel it first "
                f"(`{command('finetune', ws.root)} --cancel`)",
                status=exc.status,
                code=exc.code,
            ) from None
        raise
    return JOBS.update(ws, job.id, {"deleted_at": now_iso()})
