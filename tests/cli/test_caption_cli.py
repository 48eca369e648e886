"""`annotator caption` end to end: the real SDKs against the fake DashScope on 127.0.0.1."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annotator.cli import app
from annotator.workspace import Status, Workspace
from tests.clips import make_clip
from tests.fakes import COMPATIBLE, NATIVE, FakeDashScope, answer, invalid_key, moderation

ANSWER = json.dumps({"subject": "A square", "background": "a grey wall", "motion": "it spins"})
runner = CliRunner()


@pytest.fixture
def fake() -> Iterator[FakeDashScope]:
    with FakeDashScope(default_text=ANSWER) as server:
        yield server


@pytest.fixture
def root(tmp_path: Path) -> Path:
    for i in range(3):
        make_clip(tmp_path / f"clip_{i}.mp4", width=96, height=64, seed=i)
    assert runner.invoke(app, ["init", str(tmp_path), "--mode", "i2v"]).exit_code == 0
    return tmp_path


def _caption(root: Path, *args: str):
    return runner.invoke(app, ["caption", str(root), *args])


def test_dashscope_native_end_to_end(
    root: Path, fake: FakeDashScope, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DASHSCOPE_API_KEY", "sk-test")
    fake.queue(NATIVE, answer(ANSWER), moderation(), answer(ANSWER))
    result = _caption(root, "-p", "dashscope", "--base-url", fake.native_base, "-j", "1")
    assert result.exit_code == 1, result.output  # one clip refused by moderation
    assert "Captioned 2 of 3" in result.output
    with Workspace.open(root) as ws:
        statuses = sorted(s.status.value for s in ws.samples())
        captions = ws.latest_captions()
    assert statuses == ["captioned", "captioned", "error"]
    assert {c.fields["subject"] for c in captions.values()} == {"A square"}
    assert all(c.input_tokens == 1200 for c in captions.values())
    sent = fake.requests(NATIVE)[0]
    assert sent.headers["authorization"] == "Bearer sk-test"
    for stored in (root / ".annotator").rglob("*"):  # the database, its WAL, frames
        if stored.is_file():
            assert b"sk-test" not in stored.read_bytes(), stored
    # A re-run sends only the refused clip.
    fake.queue(NATIVE, answer(ANSWER))
    again = _caption(root, "-p", "dashscope", "--base-url", fake.native_base)
    assert again.exit_code == 0 and "Captioned 1 of 1" in again.output


def test_invalid_key_stops_the_batch_with_one_message(
    root: Path, fake: FakeDashScope, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DASHSCOPE_API_KEY", "sk-wrong")
    fake.queue(COMPATIBLE, invalid_key(), invalid_key(), invalid_key())
    result = _caption(root, "-p", "openai", "--base-url", fake.compatible_base, "-j", "1")
    assert result.exit_code == 1
    assert "stopped" in result.output
    assert len(fake.requests(COMPATIBLE)) == 1  # nothing new starts after a refused key


def test_missing_key_names_the_variable(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DASHSCOPE_API_KEY", raising=False)
    result = _caption(root, "-p", "dashscope")
    assert result.exit_code == 1
    assert "DASHSCOPE_API_KEY" in result.output
    with Workspace.open(root) as ws:
        assert {s.status for s in ws.samples()} == {Status.NEW}


def test_kill_9_loses_at_most_the_requests_in_flight(
    root: Path, fake: FakeDashScope, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import signal
    import sqlite3
    import subprocess
    import sys
    import time

    fake.queue(COMPATIBLE, *[answer(ANSWER, delay=0.4) for _ in range(3)])
    env = {**os.environ, "DASHSCOPE_API_KEY": "sk-test"}
    cmd = [sys.executable, "-m", "annotator", "caption", str(root), "-p", "openai"]
    cmd += ["--base-url", fake.compatible_base, "-j", "1"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    db = root / ".annotator" / "workspace.db"

    def stored() -> int:
        with sqlite3.connect(db) as conn:
            return conn.execute("SELECT COUNT(*) FROM captions").fetchone()[0]

    deadline = time.monotonic() + 30
    while stored() < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    kept = stored()
    assert 1 <= kept < 3
    sent_before = len(fake.requests(COMPATIBLE))
    monkeypatch.setenv("DASHSCOPE_API_KEY", "sk-test")
    result = _caption(root, "-p", "openai", "--base-url", fake.compatible_base)
    assert result.exit_code == 0, result.output
    assert len(fake.requests(COMPATIBLE)) - sent_before == 3 - kept
    with sqlite3.connect(db) as conn:
        per_sample = conn.execute("SELECT COUNT(*) FROM captions GROUP BY sample_id").fetchall()
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert per_sample == [(1,), (1,), (1,)]  # every sample has exactly one caption


def test_broken_config_and_missing_recordings_are_problems_not_usage(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[caption\n")
    monkeypatch.setenv("ANNOTATOR_CONFIG", str(bad))
    result = _caption(root)
    assert result.exit_code == 1 and str(bad) in result.output
    monkeypatch.delenv("ANNOTATOR_CONFIG")
    monkeypatch.setenv("ANNOTATOR_HOME", str(tmp_path))  # no config file: replay by default
    result = _caption(root)
    assert result.exit_code == 1
    assert "replay.jsonl" in result.output and "--provider dashscope" in result.output
    result = _caption(root, "--status", "great")
    assert result.exit_code == 2 and "captioned" in result.output  # lists the statuses
