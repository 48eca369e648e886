"""`annotator caption` under faults (issue 10, items 8-10): two processes at once, no
network, a store that refuses writes. The real openai SDK against the fake server."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import annotator.workspace.store as store_module
from annotator.cli import app
from annotator.workspace import Status, Workspace
from tests.clips import make_clip
from tests.fakes import COMPATIBLE, FakeDashScope, answer

ANSWER = json.dumps({"subject": "A square", "background": "a grey wall", "motion": "it spins"})
runner = CliRunner()


@pytest.fixture
def fake() -> Iterator[FakeDashScope]:
    with FakeDashScope(default_text=ANSWER) as server:
        yield server


def make_root(root: Path, clips: int) -> Path:
    for i in range(clips):
        make_clip(root / f"clip_{i:02d}.mp4", width=64, height=48, seconds=0.5, seed=i)
    assert runner.invoke(app, ["init", str(root), "--mode", "i2v"]).exit_code == 0
    return root


def statuses(root: Path) -> set[Status]:
    with Workspace.open(root) as ws:
        return {s.status for s in ws.samples()}


def store_opened_with(
    monkeypatch: pytest.MonkeyPatch, pragma: Callable[[sqlite3.Connection], str]
) -> None:
    """Every store the CLI opens from now on gets PRAGMA (a fault SQLite itself raises)."""
    real = store_module.connect

    def connect(path: Path) -> sqlite3.Connection:
        db = real(path)
        db.execute(pragma(db))
        return db

    monkeypatch.setattr(store_module, "connect", connect)


def test_two_caption_processes_at_once_send_each_request_once(
    tmp_path: Path, fake: FakeDashScope
) -> None:
    root = make_root(tmp_path, 60)
    fake.queue(COMPATIBLE, *[answer(ANSWER, delay=0.02) for _ in range(120)])
    cmd = [sys.executable, "-m", "annotator", "caption", str(root), "-p", "openai"]
    cmd += ["--base-url", fake.compatible_base, "-j", "4"]
    env = {**os.environ, "COLUMNS": "200"}
    procs = [
        subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [proc.communicate(timeout=240) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], outputs
    assert len(fake.requests(COMPATIBLE)) == 60
    # Each says what it sent (a run that starts late may find nothing left to caption).
    captioned = [
        int(line.split()[1])
        for out, _ in outputs
        for line in out.splitlines()
        if line.startswith("Captioned ")
    ]
    assert sum(captioned) == 60
    with sqlite3.connect(root / ".annotator" / "workspace.db") as db:
        keys = [row[0] for row in db.execute("SELECT cache_key FROM captions")]
        assert db.execute("SELECT COUNT(*) FROM claims").fetchone()[0] == 0
    assert len(keys) == len(set(keys)) == 60
    assert statuses(root) == {Status.CAPTIONED}


def test_a_closed_port_is_one_line_and_leaves_the_samples_alone(tmp_path: Path) -> None:
    root = make_root(tmp_path, 3)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    result = runner.invoke(app, ["caption", str(root), "-p", "openai", "--base-url", url])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: cannot reach") and f"127.0.0.1:{port}" in lines[0]
    assert "--base-url" in lines[0]  # what to check
    assert statuses(root) == {Status.NEW}


def test_a_read_only_workspace_sends_nothing_and_says_so(
    tmp_path: Path, fake: FakeDashScope, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_root(tmp_path, 3)
    # What a read-only store file does to every write (SQLITE_READONLY); chmod would not
    # stop root, who runs the tests in CI.
    store_opened_with(monkeypatch, lambda db: "PRAGMA query_only = ON")
    result = runner.invoke(
        app, ["caption", str(root), "-p", "openai", "--base-url", fake.compatible_base]
    )
    assert result.exit_code == 1
    assert fake.requests() == []
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: cannot write to") and "read-only" in lines[0]
    assert "Traceback" not in result.output


def test_a_full_disk_stops_the_batch_and_reports_the_lost_answers(
    tmp_path: Path, fake: FakeDashScope, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_root(tmp_path, 24)
    long_answer = "A long free description. " * 2000  # more than the store has room for
    fake.queue(COMPATIBLE, *[answer(long_answer, delay=0.15) for _ in range(24)])
    # No page more than the store has (SQLITE_FULL, as on a full disk).
    store_opened_with(
        monkeypatch,
        lambda db: f"PRAGMA max_page_count = {db.execute('PRAGMA page_count').fetchone()[0]}",
    )
    result = runner.invoke(
        app,
        ["caption", str(root), "-p", "openai", "--base-url", fake.compatible_base, "--freeform"],
    )
    assert result.exit_code == 1
    sent = len(fake.requests(COMPATIBLE))
    assert 1 <= sent < 24  # stopped at the first failed write: what was in flight came back
    stopped = [line for line in result.output.splitlines() if line.startswith("stopped:")]
    assert len(stopped) == 1, result.output
    assert "disk is full" in stopped[0] and f"{sent} answer" in stopped[0]
    assert "Traceback" not in result.output
    assert statuses(root) == {Status.NEW}
