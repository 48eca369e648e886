"""Review from a script: accept or reject samples through the store's undoable edits."""

from __future__ import annotations

import json
from collections.abc import Sequence

from annotator.workspace import Sample, Status, Workspace

# Statuses `accept --all` leaves alone: a person's rejection and a clip that failed.
_KEEP_ON_ALL = frozenset({Status.REJECTED, Status.ERROR, Status.ACCEPTED})


def resolve_all(ws: Workspace, refs: Sequence[str]) -> list[Sample]:
    """Every sample REFS name (id, id prefix, path or file name); the first bad one raises."""
    return [ws.resolve(ref) for ref in refs]


def accept(ws: Workspace, refs: Sequence[str], *, every: bool = False) -> list[Sample]:
    """Accept the named samples, or with EVERY each present one not rejected or in error."""
    if every:
        targets = [s for s in ws.samples() if s.status not in _KEEP_ON_ALL]
    else:
        targets = resolve_all(ws, refs)
    return [ws.set_status(s.id, Status.ACCEPTED) for s in targets]


def reject(ws: Workspace, refs: Sequence[str], reason: str | None = None) -> list[Sample]:
    """Reject the named samples, with the reason kept beside each."""
    targets = resolve_all(ws, refs)
    return [ws.set_status(s.id, Status.REJECTED, reason) for s in targets]


def rejection_words(state: str | None) -> str:
    """A rejection's history value (the JSON of status and reason) in words: "rejected
    ('logo')", "reviewed"."""
    try:
        values = json.loads(state or "{}")
    except ValueError:
        return "?"
    status, reason = values.get("status") or "?", values.get("reject_reason")
    return f"{status} ({reason!r})" if reason else str(status)
