"""Claims on requests, one caption per cache key, and a store that refuses a write.

Real SQLite throughout. A full disk is SQLite's own: ``PRAGMA max_page_count`` caps the
file, and a write that needs a new page fails with SQLITE_FULL exactly as on a full
disk. A read-only store is ``PRAGMA query_only``, which fails writes with SQLITE_READONLY
as a read-only file does (chmod would not stop root, who runs the tests in CI).
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from annotator.basemodels import Mode
from annotator.workspace import (
    Claimant,
    ClaimOutcome,
    StoreWriteError,
    Workspace,
    WorkspaceInfo,
)
from annotator.workspace.claims import RESULT_TABLES, pid_alive
from annotator.workspace.db import MIGRATIONS, connect, now_iso

INFO = WorkspaceInfo(mode=Mode.I2V, base_model="wan2.5-i2v-preview", lang="en")
SID = "a" * 64


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    ws = Workspace.create(tmp_path, INFO)
    ws.upsert_sample(SID, path="clip_a.mp4")
    return ws


def _caption(ws: Workspace, key: str, text: str) -> None:
    ws.add_caption(
        SID, provider="replay", model="m", instruction="i", fps=2.0, cache_key=key, text=text
    )


def _store_at(path: Path, upto: str) -> sqlite3.Connection:
    """A store with the migrations up to and including UPTO applied, as an older
    annotator left it."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    for name, migration in MIGRATIONS:
        migration(db)
        db.execute("INSERT INTO _migrations VALUES (?, ?)", (name, now_iso()))
        if name == upto:
            return db
    raise AssertionError(f"no migration {upto}")


def _dead_pid() -> int:
    """The id of a process that has ended (and been reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


# -- migrations ---------------------------------------------------------------------------


def test_migration_003_keeps_the_newest_of_twin_captions_and_makes_the_key_unique(
    tmp_path: Path,
) -> None:
    db = _store_at(tmp_path / "w.db", "002_remote")
    db.execute(
        "INSERT INTO samples (id, path, added_at, updated_at) VALUES (?, 'a', 'x', 'x')", (SID,)
    )
    rows = [("k1", "first"), ("k1", "twin, newer"), ("k2", "other key")]
    for key, text in rows:
        db.execute(
            "INSERT INTO captions (sample_id, provider, model, instruction, fps, cache_key,"
            " text, created_at) VALUES (?, 'p', 'm', 'i', 2.0, ?, ?, 'x')",
            (SID, key, text),
        )
    db.close()
    db = connect(tmp_path / "w.db")
    kept = db.execute("SELECT cache_key, text FROM captions ORDER BY id").fetchall()
    assert [tuple(r) for r in kept] == [("k1", "twin, newer"), ("k2", "other key")]
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        db.execute(
            "INSERT INTO captions (sample_id, provider, model, instruction, fps, cache_key,"
            " text, created_at) VALUES (?, 'p', 'm', 'i', 2.0, 'k2', 'again', 'x')",
            (SID,),
        )


def test_migration_004_adds_the_claims_table(tmp_path: Path) -> None:
    _store_at(tmp_path / "w.db", "003_caption_key_unique").close()
    db = connect(tmp_path / "w.db")
    columns = [row[1] for row in db.execute("PRAGMA table_info(claims)")]
    assert columns == ["kind", "key", "sample_id", "token", "pid", "host", "claimed_at"]
    keys = [row[1] for row in db.execute("PRAGMA table_info(claims)") if row[5]]
    assert keys == ["kind", "key"]  # one claim per request of a pass


# -- one caption per cache key ------------------------------------------------------------


def test_a_second_answer_for_one_key_replaces_the_first_and_is_the_newest(
    ws: Workspace,
) -> None:
    _caption(ws, "k1", "first")
    _caption(ws, "k2", "other settings")
    _caption(ws, "k1", "forced again")
    assert [c.text for c in ws.captions(SID)] == ["other settings", "forced again"]
    assert ws.latest_captions()[SID].text == "forced again"


# -- claims ---------------------------------------------------------------------------------


def test_a_claim_held_by_a_live_run_is_taken_for_every_other_run(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(RESULT_TABLES, "verify", "captions")  # a second pass, as issue 12 adds
    ours, theirs = Claimant.new(), Claimant.new()  # two runs of this (live) process
    with Workspace.open(ws.root) as other:  # its own connection, as another process has
        assert other.claim("caption", "k1", SID, theirs) is ClaimOutcome.CLAIMED
    assert ws.claim("caption", "k1", SID, ours) is ClaimOutcome.TAKEN
    assert ws.claim("caption", "k2", SID, ours) is ClaimOutcome.CLAIMED  # another request
    assert ws.claim("verify", "k1", SID, ours) is ClaimOutcome.CLAIMED  # another pass
    assert ws.claim("caption", "k2", SID, ours) is ClaimOutcome.CLAIMED  # ours again
    assert sorted((c.kind, c.key) for c in ws.claims()) == [
        ("caption", "k1"),
        ("caption", "k2"),
        ("verify", "k1"),
    ]


def test_a_stored_answer_makes_a_claim_done(ws: Workspace) -> None:
    run = Claimant.new()
    _caption(ws, "k1", "stored")
    assert ws.claim("caption", "k1", SID, run) is ClaimOutcome.DONE
    # A forced run replaces what was stored before it began, not what was stored since.
    with ws.transaction() as db:
        db.execute("UPDATE captions SET created_at = '2000-01-01T00:00:00.000+00:00'")
    assert ws.claim("caption", "k1", SID, run, results_since=now_iso()) is ClaimOutcome.CLAIMED
    _caption(ws, "k1", "stored by another forced run meanwhile")
    began = "2001-01-01T00:00:00.000+00:00"
    assert ws.claim("caption", "k1", SID, run, results_since=began) is ClaimOutcome.DONE


def test_the_claim_of_a_dead_process_is_taken_over(ws: Workspace) -> None:
    dead = Claimant("t-dead", _dead_pid(), Claimant.new().host)
    assert not pid_alive(dead.pid)
    assert ws.claim("caption", "k1", SID, dead) is ClaimOutcome.CLAIMED
    ours = Claimant.new()
    assert ws.claim("caption", "k1", SID, ours) is ClaimOutcome.CLAIMED
    assert [c.token for c in ws.claims("caption")] == [ours.token]


def test_the_end_of_a_run_clears_what_killed_runs_left(ws: Workspace) -> None:
    here = Claimant.new().host
    ws.claim("caption", "k1", SID, Claimant("t-dead", _dead_pid(), here))
    live = Claimant.new()
    ws.claim("caption", "k2", SID, live)
    ours = Claimant.new()
    ws.claim("caption", "k3", SID, ours)
    assert ws.release_claims(ours) == 1
    assert [c.key for c in ws.claims()] == ["k2"]  # the live run's claim stays


def test_an_old_claim_from_another_host_lapses(ws: Workspace) -> None:
    elsewhere = Claimant("t-far", 1, "another-host")
    assert ws.claim("caption", "k1", SID, elsewhere) is ClaimOutcome.CLAIMED
    ours = Claimant.new()
    assert ws.claim("caption", "k1", SID, ours) is ClaimOutcome.TAKEN  # recent: it stands
    with ws.transaction() as db:
        db.execute("UPDATE claims SET claimed_at = '2000-01-01T00:00:00.000+00:00'")
    assert ws.claim("caption", "k1", SID, ours) is ClaimOutcome.CLAIMED


def test_release_drops_only_the_claimants_claims(ws: Workspace) -> None:
    ours, theirs = Claimant.new(), Claimant.new()
    for key in ("k1", "k2"):
        ws.claim("caption", key, SID, ours)
    ws.claim("caption", "k3", SID, theirs)
    ws.release_claim(ours, "caption", "k1")
    ws.release_claim(ours, "caption", "k3")  # not ours: stays
    assert sorted(c.key for c in ws.claims()) == ["k2", "k3"]
    assert ws.release_claims(ours) == 1
    assert [c.key for c in ws.claims()] == ["k3"]


def test_claims_from_many_threads_and_connections_give_each_key_to_one_run(
    ws: Workspace,
) -> None:
    keys = [f"k{i}" for i in range(40)]
    won: dict[str, list[str]] = {}
    lock = threading.Lock()

    def run() -> None:
        claimant = Claimant.new()
        with Workspace.open(ws.root) as own:
            for key in keys:
                if own.claim("caption", key, SID, claimant) is ClaimOutcome.CLAIMED:
                    with lock:
                        won.setdefault(key, []).append(claimant.token)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(won) == sorted(keys)
    assert all(len(tokens) == 1 for tokens in won.values())


# -- a store that refuses a write -----------------------------------------------------------


def _fill_disk(ws: Workspace) -> None:
    """No new page for the store from now on: a write that needs one fails (SQLITE_FULL)."""
    pages = ws.query("PRAGMA page_count").fetchone()[0]
    ws.query(f"PRAGMA max_page_count = {pages}")


def test_a_full_disk_is_one_message_and_the_store_stays_usable(ws: Workspace) -> None:
    _fill_disk(ws)
    with pytest.raises(StoreWriteError) as caught:
        _caption(ws, "k1", "x" * 50_000)
    assert "workspace.db" in str(caught.value) and "disk is full" in str(caught.value)
    assert ws.captions(SID) == []
    ws.edit(SID, "subject", "a red ball")  # a small write still fits: no transaction left open
    assert ws.sample(SID).subject == "a red ball"


def test_a_read_only_store_fails_the_write_check(ws: Workspace) -> None:
    ws.check_writable()
    ws.query("PRAGMA query_only = ON")
    with pytest.raises(StoreWriteError, match="read-only") as caught:
        ws.check_writable()
    assert str(ws.store_dir) in str(caught.value)  # the fix names the folder
