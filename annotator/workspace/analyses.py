"""The clip-quality analyses in the store (the table of migration 008_clip_analysis).

Each result is kept as JSON under (clip key, analysis version); the store neither reads
nor checks it (the media layer's model does, in the use case). A clip's key changes with
its bytes or its edit, so a stale result is never found, only left behind.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from annotator.workspace.db import now_iso
from annotator.workspace.store import Workspace

_BATCH = 500  # keys per query, under SQLite's limit on bound parameters


def stored_analyses(ws: Workspace, clip_keys: Iterable[str], version: int) -> dict[str, str]:
    """The stored results (JSON) of VERSION for those of CLIP_KEYS that have one."""
    keys = list(dict.fromkeys(clip_keys))
    found: dict[str, str] = {}
    for start in range(0, len(keys), _BATCH):
        batch = keys[start : start + _BATCH]
        marks = ",".join("?" * len(batch))
        rows = ws.query(
            "SELECT clip_key, result FROM clip_analysis"
            f" WHERE version = ? AND clip_key IN ({marks})",
            (version, *batch),
        )
        found.update({row[0]: row[1] for row in rows})
    return found


def store_analyses(ws: Workspace, results: Mapping[str, str], version: int) -> None:
    """Keep RESULTS (clip key to JSON) of VERSION, replacing any stored under the same key,
    in one committed transaction."""
    if not results:
        return
    at = now_iso()
    with ws.transaction() as db:
        db.executemany(
            "INSERT OR REPLACE INTO clip_analysis (clip_key, version, result, created_at)"
            " VALUES (?, ?, ?, ?)",
            [(key, version, text, at) for key, text in results.items()],
        )


def analysis_count(ws: Workspace) -> int:
    """How many results the store holds, of every version."""
    row = ws.query("SELECT COUNT(*) FROM clip_analysis").fetchone()
    return int(row[0])
