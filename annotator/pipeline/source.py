"""annotator source: candidate clips from pictures, downloaded into DIR/generated/ and scanned.

Starts every candidate's task (each once: annotator/finetune/sourcing.py), follows them
all, downloads the videos that succeeded into DIR/generated/ and scans the workspace, so
each video becomes a new sample whose origin (picture, prompt, model, seed, task) the
sources table keeps. Interrupted at any point, the same command picks up where it was.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from annotator.errors import AnnotatorError
from annotator.finetune.client import DashScopeClient
from annotator.finetune.errors import InvalidRequestError
from annotator.finetune.multipart import Progress
from annotator.finetune.poll import Poller
from annotator.finetune.prices import VideoCost, video_cost
from annotator.finetune.resumable import Resumed
from annotator.finetune.sourcing import (
    GENERATED_FOLDER,
    Candidate,
    PictureChangedError,
    SourceOptions,
    download_candidate,
    follow,
    start_candidate,
    stored,
)
from annotator.finetune.status import TASK_SUCCEEDED
from annotator.pipeline.scan import ScanReport, scan
from annotator.workspace import Workspace
from annotator.workspace.remote import SourceTask


@dataclass
class SourceReport:
    """What one run did: tasks started, found, recovered, failed, videos downloaded."""

    started: list[SourceTask] = field(default_factory=list)
    reused: list[SourceTask] = field(default_factory=list)
    recovered: list[SourceTask] = field(default_factory=list)
    failed: list[SourceTask] = field(default_factory=list)
    downloaded: list[SourceTask] = field(default_factory=list)
    # Tasks that succeeded but whose video could not be fetched, with why: one such video
    # never stops the others (a re-run fetches it again).
    undownloaded: list[tuple[SourceTask, str]] = field(default_factory=list)
    # Candidates not started, with why (the service refused the picture, or it was moved
    # or changed during the run): nothing was made, and the other candidates go on.
    refused: list[tuple[Candidate, str]] = field(default_factory=list)
    scan: ScanReport | None = None


@dataclass(frozen=True)
class SourceEvents:
    """How the run tells the shell what happens (all optional)."""

    started: Callable[[Candidate, Resumed[SourceTask]], None] | None = None
    update: Callable[[list[SourceTask], float], None] | None = None
    progress_for: Callable[[str], Progress | None] | None = None


def estimate(
    ws: Workspace,
    endpoint: str,
    candidates: list[Candidate],
    options: SourceOptions,
    overrides: Mapping[str, Mapping[str, float]] | None = None,
) -> VideoCost:
    """The videos a run would start (those not stored already) and what they cost."""
    to_make = sum(1 for c in candidates if stored(ws, endpoint, c) is None)
    return video_cost(options.model, options.resolution, to_make, options.duration, overrides)


def generated_folder(ws: Workspace) -> Path:
    return ws.root / GENERATED_FOLDER


def run_source(
    ws: Workspace,
    client: DashScopeClient,
    candidates: list[Candidate],
    options: SourceOptions,
    poller: Poller,
    events: SourceEvents | None = None,
) -> SourceReport:
    """Start (or find) every candidate's task, follow them, download and scan the videos."""
    events = events or SourceEvents()
    report = SourceReport()
    rows = []
    for candidate in candidates:
        try:
            resumed = start_candidate(ws, client, candidate, options)
        # This candidate's own trouble; a refused key, quota or account stops the run.
        except (InvalidRequestError, PictureChangedError) as exc:
            report.refused.append((candidate, str(exc)))
            continue
        bucket = (
            report.started
            if resumed.created
            else report.recovered
            if resumed.recovered
            else report.reused
        )
        bucket.append(resumed.row)
        rows.append(resumed.row)
        if events.started:
            events.started(candidate, resumed)
    rows = follow(ws, client, rows, poller, events.update) if rows else []
    folder = generated_folder(ws)
    for row in rows:
        if row.status != TASK_SUCCEEDED:
            report.failed.append(row)
            continue
        progress = events.progress_for(row.picture) if events.progress_for else None
        try:
            report.downloaded.append(download_candidate(ws, client, row, folder, progress))
        except AnnotatorError as exc:
            report.undownloaded.append((row, str(exc)))
    report.scan = scan(ws)
    return report
