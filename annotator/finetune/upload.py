"""Step 1: upload the exported zips with purpose fine-tune, each zip content once per endpoint."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from annotator.finetune.client import PURPOSE, DashScopeClient, Service
from annotator.finetune.errors import PipelineError
from annotator.finetune.exported import ExportedDataset, require_zip
from annotator.finetune.multipart import Progress
from annotator.shellcmd import command
from annotator.userfiles import file_sha256
from annotator.workspace import Workspace
from annotator.workspace.remote import UPLOADS, RemoteFile


@dataclass(frozen=True)
class UploadOutcome:
    role: str  # train or valid
    path: Path
    file: RemoteFile
    reused: bool  # the same bytes were uploaded before: nothing was sent


def export_zips(ws: Workspace, export: ExportedDataset) -> list[tuple[str, Path]]:
    """(role, path) of each zip of the export, checked to exist."""
    zips = [("train", require_zip(export.train_zip, ws))]
    if export.valid_zip is not None:
        zips.append(("valid", require_zip(export.valid_zip, ws)))
    return zips


def upload_export(
    ws: Workspace,
    client: DashScopeClient,
    export: ExportedDataset,
    *,
    force: bool = False,
    progress_for: Callable[[str, Path], Progress | None] | None = None,
) -> list[UploadOutcome]:
    """Upload the training (and validation) zip unless the same bytes went up before."""
    endpoint = client.service.endpoint
    outcomes = []
    for role, path in export_zips(ws, export):
        sha = file_sha256(path)
        known = UPLOADS.first(ws, endpoint=endpoint, sha256=sha)
        if known is not None and not force:
            outcomes.append(UploadOutcome(role, path, known, reused=True))
            continue
        progress = progress_for(role, path) if progress_for else None
        description = f"annotator {role} set of {ws.root.name}"
        sent = client.upload_file(path, description=description, progress=progress)
        record = RemoteFile(
            endpoint=endpoint,
            sha256=sha,
            role=role,
            path=str(path),
            name=sent.name,
            bytes=sent.bytes,
            purpose=PURPOSE,
            file_id=sent.file_id,
            status=sent.status,
            created_at=sent.created_at,
            request_id=sent.request_id,
            uploaded_at=datetime.now(UTC),
        )
        outcomes.append(
            UploadOutcome(role, path, UPLOADS.save(ws, record, response=sent.body), False)
        )
    return outcomes


def stored_file_ids(
    ws: Workspace, service: Service, export: ExportedDataset
) -> tuple[list[str], list[str]]:
    """The file ids of the exported zips as uploaded to SERVICE; the error says to upload."""
    found: dict[str, list[str]] = {"train": [], "valid": []}
    for role, path in export_zips(ws, export):
        sha = file_sha256(path)
        known = UPLOADS.first(ws, endpoint=service.endpoint, sha256=sha)
        if known is None:
            elsewhere = sorted({u.endpoint for u in UPLOADS.select(ws) if u.sha256 == sha})
            hint = f" (it went to {', '.join(elsewhere)}: pass --region)" if elsewhere else ""
            raise PipelineError(
                f"{path.name} is not uploaded to {service.region.label} ({service.endpoint})"
                f"{hint}: run `{command('upload', ws.root)}` first, or give --training-file-id"
            )
        found[role].append(known.file_id)
    return found["train"], found["valid"]


def training_file_ids(
    ws: Workspace,
    service: Service,
    export: ExportedDataset,
    train_ids: list[str] | None = None,
    valid_ids: list[str] | None = None,
) -> tuple[list[str], list[str]]:
    """The ids given (TRAIN_IDS, with VALID_IDS), else those of the export's uploaded zips."""
    if train_ids:
        return list(train_ids), list(valid_ids or [])
    return stored_file_ids(ws, service, export)
