"""Checkpoints: the preview videos of each one, and exporting the chosen one as a model.

Every ``eval_epochs`` the service saves a checkpoint and renders the validation set with
it; the guide says a middle checkpoint is often better than the last. The preview URLs
last 24 h, so they can be downloaded; an exported checkpoint gets a model name that
`annotator deploy --checkpoint` deploys.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from annotator.export.naming import sanitize_stem
from annotator.finetune.client import DashScopeClient
from annotator.finetune.errors import PipelineError
from annotator.finetune.multipart import Progress
from annotator.finetune.poll import Poller
from annotator.finetune.status import EXPORT_FINAL, EXPORT_SUCCEEDED
from annotator.shellcmd import command
from annotator.workspace import Workspace
from annotator.workspace.db import now_iso
from annotator.workspace.remote import CHECKPOINTS, Checkpoint, FinetuneJob

PAGE_SIZE = 10
MAX_PAGES = 100


def _details(client: DashScopeClient, job_id: str, checkpoint: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for page in range(1, MAX_PAGES + 1):
        output = client.validation_details(job_id, checkpoint, page, PAGE_SIZE).output or {}
        items = [i for i in output.get("list") or [] if isinstance(i, dict)]
        found.extend(items)
        total = output.get("total")
        if len(items) < PAGE_SIZE or (isinstance(total, int) and len(found) >= total):
            break
    return found


def refresh_checkpoints(
    ws: Workspace, client: DashScopeClient, job: FinetuneJob
) -> list[Checkpoint]:
    """Fetch every checkpoint's previews and export status; store and return them."""
    assert job.job_id is not None
    results = client.validation_results(job.job_id).output or []
    for item in results if isinstance(results, list) else []:
        name = item.get("checkpoint") if isinstance(item, dict) else None
        if name:
            previews = _details(client, job.job_id, str(name))
            _store(ws, job.job_id, str(name), previews=previews, previews_at=now_iso())
    _refresh_exports(ws, client, job.job_id)
    return CHECKPOINTS.select(ws, job_id=job.job_id)


def _store(ws: Workspace, job_id: str, checkpoint: str, **fields: Any) -> None:
    """Write columns of one checkpoint's row (made on its first write)."""
    CHECKPOINTS.put(ws, {"job_id": job_id, "checkpoint": checkpoint, **fields})


def _refresh_exports(ws: Workspace, client: DashScopeClient, job_id: str) -> None:
    exported = client.list_checkpoints(job_id).output or []
    for item in exported if isinstance(exported, list) else []:
        if isinstance(item, dict) and item.get("checkpoint"):
            # One entry of GET /fine-tunes/{id}/checkpoints: the export's name and status.
            _store(ws, job_id, str(item["checkpoint"]), **CHECKPOINTS.answer_columns(item))


def _suffix(url: str) -> str:
    suffix = PurePosixPath(urlsplit(url).path).suffix.lower()
    return suffix if suffix in (".mp4", ".mov", ".webm") else ".mp4"


def previews_folder(ws: Workspace, job_id: str, output: Path | None = None) -> Path:
    """OUTPUT/<job id>; by default beside the workspace (inside it, a scan would take clips)."""
    # The job id is the server's word: a "/" or ".." in it never leads out of the folder.
    folder = output or ws.root.parent / f"{ws.root.name}-checkpoints"
    return folder / sanitize_stem(job_id, "job")


def download_previews(
    ws: Workspace,
    client: DashScopeClient,
    job_id: str,
    checkpoint: Checkpoint,
    folder: Path,
    progress_for: Callable[[str], Progress | None] | None = None,
) -> list[Path]:
    """Save the checkpoint's preview videos to FOLDER/<checkpoint>/, with their prompts."""
    target = folder / sanitize_stem(checkpoint.checkpoint, "checkpoint")  # the server's name
    paths: list[Path] = []
    index = []
    for n, item in enumerate(checkpoint.previews or [], start=1):
        url = item.get("video_path")
        if not url:
            continue
        dest = target / f"preview_{n:02d}{_suffix(str(url))}"
        progress = progress_for(dest.name) if progress_for else None
        paths.append(client.download(str(url), dest, progress))
        index.append({"video": dest.name, **item})
    if index:
        text = json.dumps(index, ensure_ascii=False, indent=2) + "\n"
        (target / "previews.json").write_text(text, encoding="utf-8")
    _store(ws, job_id, checkpoint.checkpoint, downloads=[str(p) for p in paths])
    return paths


def default_model_name(job_id: str, checkpoint: str) -> str:
    """A model name unique to the job and checkpoint (the export asks for a unique one)."""
    return f"{job_id}-{checkpoint}"


def export_checkpoint(
    ws: Workspace,
    client: DashScopeClient,
    job: FinetuneJob,
    checkpoint: str,
    model_name: str | None = None,
) -> Checkpoint:
    """Ask the service to export CHECKPOINT as a deployable model (once per checkpoint)."""
    assert job.job_id is not None
    known = CHECKPOINTS.first(ws, job_id=job.job_id, checkpoint=checkpoint)
    if known is None or known.previews is None:
        refresh_checkpoints(ws, client, job)
        known = CHECKPOINTS.first(ws, job_id=job.job_id, checkpoint=checkpoint)
    if known is None:
        names = ", ".join(c.checkpoint for c in CHECKPOINTS.select(ws, job_id=job.job_id))
        names = names or "none yet"
        raise PipelineError(
            f"job {job.job_id} has no checkpoint {checkpoint!r} (checkpoints: {names}); "
            f"`{command('checkpoints', ws.root)}` lists them"
        )
    retry = known.export_status in ("FAILED", "UNSUPPORTED")
    if known.model_name and not retry and model_name in (None, known.model_name):
        return known  # asked for before: not again
    name = model_name or default_model_name(job.job_id, checkpoint)
    client.export_checkpoint(job.job_id, checkpoint, name)
    requested = {"export_requested_at": now_iso(), "export_status": "PENDING"}
    _store(ws, job.job_id, checkpoint, model_name=name, **requested)
    found = CHECKPOINTS.first(ws, job_id=job.job_id, checkpoint=checkpoint)
    assert found is not None
    return found


def wait_export(
    ws: Workspace,
    client: DashScopeClient,
    job: FinetuneJob,
    checkpoint: str,
    poller: Poller,
    on_update: Callable[[Checkpoint, float], None] | None = None,
) -> Checkpoint:
    """Poll the exports until CHECKPOINT's is final; PipelineError unless it SUCCEEDED."""
    assert job.job_id is not None
    job_id = job.job_id

    def fetch() -> Checkpoint:
        _refresh_exports(ws, client, job_id)
        found = CHECKPOINTS.first(ws, job_id=job_id, checkpoint=checkpoint)
        assert found is not None
        return found

    done = poller.wait(
        fetch, lambda c: c.export_status in EXPORT_FINAL, on_update, what=f"the {checkpoint} export"
    )
    if done.export_status != EXPORT_SUCCEEDED:
        raise PipelineError(
            f"the export of {checkpoint} ended {done.export_status}: choose another checkpoint "
            f"(`{command('checkpoints', ws.root)}`) or deploy the job's final model"
        )
    return done
