"""The clip-quality analysis of the samples, cached in the store (issue 13 item 3).

Each sample's effective clip (``sample.clip``: its edit when it has one) is analysed once
and its result kept under ``sample.clip_key`` and the analysis version: a second check of
unchanged clips reads the store and decodes nothing. Each result is stored as soon as it
is made, so an interrupted check keeps what it had done.
"""

from __future__ import annotations

import contextlib
import os
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from annotator.media import MediaError
from annotator.media.quality import ANALYSIS_VERSION, ClipQuality, analyse_quality
from annotator.workspace import Sample, Workspace, WorkspaceError
from annotator.workspace.analyses import store_analyses, stored_analyses

QualityProgress = Callable[[int, int, str], None]
"""Called with (done, total, the next clip) at the start and after each analysis (the
last time with done == total and no clip)."""

# The analyses this process made or read lately, by clip key: the same bytes give the same
# result, so a store that takes no write (read-only) or another workspace holding the same
# clip costs no second decode.
_RECENT: OrderedDict[str, ClipQuality] = OrderedDict()
_RECENT_MAX = 512
_WORKERS = min(2, os.cpu_count() or 1)


@dataclass
class QualityRun:
    """The analyses of one run, by sample id, and how many were made rather than read."""

    results: dict[str, ClipQuality] = field(default_factory=dict)
    analysed: int = 0
    cached: int = 0
    unreadable: int = 0  # clips that could not be decoded (the clip rules report them)


def clip_quality(
    ws: Workspace,
    samples: Sequence[Sample],
    on_progress: QualityProgress | None = None,
) -> QualityRun:
    """The quality analysis of each of SAMPLES: read from the store, or made now and stored
    (ON_PROGRESS told of each clip analysed)."""
    run = QualityRun()
    stored = stored_analyses(ws, [s.clip_key for s in samples], ANALYSIS_VERSION)
    todo: list[Sample] = []
    remembered: dict[str, str] = {}
    for sample in samples:
        known = _read(stored.get(sample.clip_key))
        if known is None and sample.clip_key in _RECENT:
            known = _RECENT[sample.clip_key]
            remembered[sample.clip_key] = known.model_dump_json()
        if known is None:
            todo.append(sample)
        else:
            run.results[sample.id] = known
            run.cached += 1
            _remember(sample.clip_key, known)
    if remembered:
        with contextlib.suppress(WorkspaceError):
            store_analyses(ws, remembered, ANALYSIS_VERSION)
    if todo:
        _analyse_all(ws, todo, run, on_progress)
    return run


def _analyse_all(
    ws: Workspace, todo: Sequence[Sample], run: QualityRun, on_progress: QualityProgress | None
) -> None:
    """Analyse TODO, two clips at once (one decodes while the other is read for text), each
    result stored here, in the caller's thread, as soon as it comes, in order."""
    if on_progress is not None:
        on_progress(0, len(todo), todo[0].path)
    pool = ThreadPoolExecutor(max_workers=_WORKERS)
    try:
        futures = [pool.submit(_analyse, ws.root / sample.clip) for sample in todo]
        for done, (sample, future) in enumerate(zip(todo, futures, strict=True), start=1):
            quality = future.result()
            if quality is None:
                run.unreadable += 1
            else:
                run.results[sample.id] = quality
                run.analysed += 1
                _remember(sample.clip_key, quality)
                _keep(ws, sample.clip_key, quality)
            if on_progress is not None:
                on_progress(done, len(todo), todo[done].path if done < len(todo) else "")
    finally:
        # Interrupted (Ctrl-C): the clips not started are dropped, the stored ones kept.
        pool.shutdown(wait=True, cancel_futures=True)


def _analyse(path: Path) -> ClipQuality | None:
    try:
        return analyse_quality(path)
    except MediaError:
        return None  # the clip rules and the scan report a clip that does not decode


def _remember(clip_key: str, quality: ClipQuality) -> None:
    _RECENT[clip_key] = quality
    _RECENT.move_to_end(clip_key)
    while len(_RECENT) > _RECENT_MAX:
        _RECENT.popitem(last=False)


def _read(text: str | None) -> ClipQuality | None:
    if text is None:
        return None
    try:
        return ClipQuality.model_validate_json(text)
    except ValidationError:  # cut short or edited by hand: analysed again
        return None


def _keep(ws: Workspace, clip_key: str, quality: ClipQuality) -> None:
    # A store that takes no write (read-only, locked) still gets its check: the result is
    # used now and made again next time.
    with contextlib.suppress(WorkspaceError):
        store_analyses(ws, {clip_key: quality.model_dump_json()}, ANALYSIS_VERSION)
