"""A store that stops taking writes in the middle of a caption or verify batch (issue 12
follow-up 4): the message blames the store and names its fix, never a clip.

The batch runs for real (the openai SDK against the fake DashScope, one request at a
time, each answer a little slow); once the second request is on its way, the store is
spoiled under the running command: its real SQLite files overwritten with garbage (a
damaged store), made immutable (``chattr +i``, as root: chmod would neither stop root,
who runs the tests in CI, nor a store already open), or its connection made read-only
(``PRAGMA query_only``: SQLITE_READONLY, as a read-only file gives)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

import annotator.workspace.store as store_module
from annotator.cli import app
from annotator.shellcmd import command
from annotator.workspace import Workspace
from tests.clips import make_clip
from tests.fakes import COMPATIBLE, FakeDashScope, answer

runner = CliRunner()
KEY = "sk-test-store-mid-batch-0123456789"
CLIPS = 5
VERDICT = json.dumps(
    {
        "subject_matches": True,
        "subject_note": "As written.",
        "background_matches": True,
        "background_note": "As written.",
        "effect_shown": True,
        "effect_note": "As written.",
        "defects": [],
        "subject_category": "object",
    }
)
CAPTION = json.dumps({"subject": "A red square", "background": "A grey wall", "motion": "spins"})


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeDashScope]:
    monkeypatch.setenv("DASHSCOPE_API_KEY", KEY)
    with FakeDashScope() as server:
        yield server


def make_root(root: Path) -> Path:
    """Small clips with prompts (a template, each sample's subject and background)."""
    for i in range(CLIPS):
        make_clip(root / f"clip_{i:02d}.mp4", width=64, height=48, seconds=0.5, seed=i)
    ok = runner.invoke(app, ["init", str(root), "--mode", "i2v", "--trigger", "s86b5p"])
    assert ok.exit_code == 0, ok.output
    with Workspace.open(root) as ws:
        ws.set_workspace_field("template", "Then the s86b5p effect begins, {pronoun} spins.")
        for sample in ws.samples():
            ws.edit(sample.id, "subject", "A red square")
            ws.edit(sample.id, "background", "A grey wall")
    return root


def damage(root: Path) -> None:
    """Overwrite the store's files (database, WAL, shared memory) with garbage, as a
    failing disk or another program would."""
    db = root / ".annotator" / "workspace.db"
    for path in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        if path.exists():
            data = bytearray(path.read_bytes())
            for offset in range(0, len(data), 512):
                data[offset : offset + 64] = b"\xde\xad" * 32
            path.write_bytes(bytes(data))


def connections(monkeypatch: pytest.MonkeyPatch) -> list[sqlite3.Connection]:
    """The connections the CLI opens to the store from now on, newest last."""
    opened: list[sqlite3.Connection] = []
    real = store_module.connect

    def connect(path: Path) -> sqlite3.Connection:
        db = real(path)
        opened.append(db)
        return db

    monkeypatch.setattr(store_module, "connect", connect)
    return opened


def run_spoiled(
    root: Path, fake: FakeDashScope, verb: str, reply: str, spoil: Callable[[], object]
) -> str:
    """Run the command VERB on ROOT one request at a time; SPOIL the store once the second request
    is on its way (the first answer is stored by then). The command's output."""
    fake.queue(COMPATIBLE, *[answer(reply, delay=0.5) for _ in range(CLIPS)])

    def watch() -> None:
        deadline = time.monotonic() + 60
        while len(fake.requests(COMPATIBLE)) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        spoil()

    watcher = threading.Thread(target=watch)
    watcher.start()
    args = [verb, str(root), "-p", "openai", "--base-url", fake.compatible_base, "-j", "1"]
    result = runner.invoke(app, args)
    watcher.join()
    assert result.exit_code == 1, result.output
    assert len(fake.requests(COMPATIBLE)) < CLIPS, result.output  # the batch stopped
    assert "Traceback" not in result.output and "unexpected" not in result.output, result.output
    # No clip is blamed: nothing is reported as a clip's failure.
    assert not [line for line in result.output.splitlines() if line.startswith("failed")]
    return " ".join(result.output.split())  # the message may wrap


@pytest.mark.parametrize(
    ("run", "reply"), [("verify", VERDICT), ("caption", CAPTION)], ids=["verify", "caption"]
)
def test_a_store_damaged_mid_batch_is_blamed_with_its_fix(
    tmp_path: Path, fake: FakeDashScope, run: str, reply: str
) -> None:
    root = make_root(tmp_path / "my clips")
    said = run_spoiled(root, fake, run, reply, lambda: damage(root))
    store = root / ".annotator" / "workspace.db"
    assert f"{store} is damaged" in said, said
    anew = command("init", root, "--mode", "MODE")
    fix = f"restore it from a backup, or move it away and start anew with `{anew}`"
    assert fix in said, said


def test_a_store_made_read_only_mid_verify_is_blamed_with_its_fix(
    tmp_path: Path, fake: FakeDashScope, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_root(tmp_path)
    opened = connections(monkeypatch)
    said = run_spoiled(
        root, fake, "verify", VERDICT, lambda: opened[-1].execute("PRAGMA query_only = ON")
    )
    assert f"stopped: cannot write to {root / '.annotator' / 'workspace.db'}" in said, said
    assert f"the store is read-only; make {root / '.annotator'} and the files in it" in said
    # The answer on its way when the store stopped taking writes is counted, in words
    # that fit one: it is asked for again by the next run.
    assert "1 answer received could not be stored and was lost: run verify again" in said
    assert "Now 1 verified" in said  # what the store holds is still read and counted


@contextmanager
def immutable_later(paths: list[Path]) -> Iterator[Callable[[], None]]:
    """A function that makes PATHS read-only even for root and for the files' open
    handles (chattr +i), undone on the way out; skips where that cannot be done (not
    root, or a file system without the flag). chmod would stop neither root nor a store
    already open, so a real read-only file under a running batch takes this."""
    probe = paths[0].with_name("probe")
    probe.touch()
    can = subprocess.run(["chattr", "+i", str(probe)], capture_output=True).returncode == 0
    subprocess.run(["chattr", "-i", str(probe)], capture_output=True)
    probe.unlink()
    if os.geteuid() != 0 or not can:
        pytest.skip("chattr +i is not available to this user here")

    def lock() -> None:
        for path in paths:
            subprocess.run(["chattr", "+i", str(path)], check=True)

    try:
        yield lock
    finally:
        for path in paths:
            subprocess.run(["chattr", "-i", str(path)], capture_output=True)


def test_a_store_file_made_read_only_mid_verify_names_the_read_only_fix(
    tmp_path: Path, fake: FakeDashScope
) -> None:
    root = make_root(tmp_path)
    store = root / ".annotator"
    db = store / "workspace.db"
    # Not the shared-memory file: SQLite maps it, and a mapped page that cannot be
    # written ends the process (SIGBUS), which no message could explain.
    files = [db, db.with_name(db.name + "-wal"), store]
    with immutable_later(files) as lock:
        said = run_spoiled(root, fake, "verify", VERDICT, lock)
    assert f"stopped: cannot write to {db}" in said, said
    # SQLite says "disk I/O error"; the fix is the file's, not the disk's.
    assert f"the store is read-only; make {store} and the files in it writable" in said, said
    assert "check the disk" not in said
