"""Claims: which run is sending which request, so two runs never send the same one twice.

A run (a ``caption`` command, the review UI's batch, a ``verify`` pass) claims a
request just before sending it and releases the claim once the answer or the failure is
stored. A claim names the pass (``kind``), the cache key of the answer it will store, the
sample, and the claimer: a token for the run, its process id and host. Another run skips a
request that is claimed, or whose answer is stored by the time it would send it.

A claim does not outlive its claimer: one whose process is gone (same host) or that is
older than ``CLAIM_LAPSE_S`` (a run on another host, or a reused process id) is taken over.

Every function here runs inside the caller's write transaction (``BEGIN IMMEDIATE``), so
the check and the claim are one atomic step for every connection to the store.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from annotator.procs import pid_alive
from annotator.workspace.db import now_iso

# Longer than any one request with its retries (300 s timeouts, 5 attempts); only a claim
# whose process cannot be checked (another host, a reused pid) waits this long.
CLAIM_LAPSE_S = 3 * 3600.0

# Where each pass stores its answers: a table with ``cache_key`` and ``created_at``. A
# request whose answer is there is done.
RESULT_TABLES: dict[str, str] = {"caption": "captions", "verify": "verdicts"}


class ClaimOutcome(StrEnum):
    """What a claim attempt found."""

    CLAIMED = "claimed"  # ours now: send the request
    DONE = "done"  # the answer is stored already: nothing to send
    TAKEN = "taken"  # a live run holds it: that run sends it


@dataclass(frozen=True)
class Claimant:
    """One run of one process: the token tells two runs in one process apart."""

    token: str
    pid: int
    host: str

    @classmethod
    def new(cls) -> Claimant:
        """A claimant for a new run of this process."""
        return cls(uuid.uuid4().hex, os.getpid(), socket.gethostname())


@dataclass(frozen=True)
class Claim:
    """A claim as stored."""

    kind: str
    key: str
    sample_id: str
    token: str
    pid: int
    host: str
    claimed_at: str


def try_claim(
    db: sqlite3.Connection,
    kind: str,
    key: str,
    sample_id: str,
    claimant: Claimant,
    *,
    results_since: str | None = None,
    lapse_s: float = CLAIM_LAPSE_S,
) -> ClaimOutcome:
    """Claim the request for KEY unless its answer is stored or a live run holds it.

    RESULTS_SINCE: only answers stored at or after this time count as done (a forced
    re-run counts only what a concurrent run stored after it began); None: any answer.
    Call inside a write transaction.
    """
    if _result_stored(db, kind, key, results_since):
        return ClaimOutcome.DONE
    row = db.execute("SELECT * FROM claims WHERE kind = ? AND key = ?", (kind, key)).fetchone()
    if row is not None and row["token"] != claimant.token and _holds(row, claimant, lapse_s):
        return ClaimOutcome.TAKEN
    db.execute(
        "INSERT OR REPLACE INTO claims (kind, key, sample_id, token, pid, host, claimed_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (kind, key, sample_id, claimant.token, claimant.pid, claimant.host, now_iso()),
    )
    return ClaimOutcome.CLAIMED


def release(
    db: sqlite3.Connection, claimant: Claimant, kind: str | None = None, key: str | None = None
) -> int:
    """Drop the claimant's claim on KIND/KEY, or every claim it holds; how many went."""
    if kind is None or key is None:
        cur = db.execute("DELETE FROM claims WHERE token = ?", (claimant.token,))
    else:
        cur = db.execute(
            "DELETE FROM claims WHERE kind = ? AND key = ? AND token = ?",
            (kind, key, claimant.token),
        )
    return cur.rowcount


def drop_lapsed(db: sqlite3.Connection, claimant: Claimant, lapse_s: float = CLAIM_LAPSE_S) -> int:
    """Drop the claims nobody holds any more (a killed run's), as seen from CLAIMANT's host;
    how many went. Call inside a write transaction."""
    rows = db.execute("SELECT kind, key, token, pid, host, claimed_at FROM claims").fetchall()
    lapsed = [(r["kind"], r["key"], r["token"]) for r in rows if not _holds(r, claimant, lapse_s)]
    db.executemany("DELETE FROM claims WHERE kind = ? AND key = ? AND token = ?", lapsed)
    return len(lapsed)


def list_claims(db: sqlite3.Connection, kind: str | None = None) -> list[Claim]:
    """The claims held now (dead ones included until someone takes them over)."""
    sql, params = "SELECT * FROM claims", []
    if kind is not None:
        sql, params = sql + " WHERE kind = ?", [kind]
    return [Claim(**dict(row)) for row in db.execute(sql + " ORDER BY claimed_at", params)]


def _result_stored(db: sqlite3.Connection, kind: str, key: str, results_since: str | None) -> bool:
    table = RESULT_TABLES.get(kind)
    if table is None:
        raise ValueError(f"no pass {kind!r} to claim for; passes: {', '.join(RESULT_TABLES)}")
    sql = f"SELECT 1 FROM {table} WHERE cache_key = ?"
    params: tuple[str, ...] = (key,)
    if results_since is not None:
        sql, params = sql + " AND created_at >= ?", (key, results_since)
    return db.execute(sql, params).fetchone() is not None


def _holds(row: sqlite3.Row, claimant: Claimant, lapse_s: float) -> bool:
    """Whether the claim in ROW still stands: recent, and its process alive if we can tell."""
    cutoff = (datetime.now(UTC) - timedelta(seconds=lapse_s)).isoformat(timespec="milliseconds")
    if row["claimed_at"] < cutoff:
        return False
    if row["host"] == claimant.host:
        return pid_alive(int(row["pid"]))
    return True
