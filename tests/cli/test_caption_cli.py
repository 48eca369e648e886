"""`annotator caption` end to end: the real SDKs against the fake DashScope on 127.0.0.1."""

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annotator.cli import app
from annotator.workspace import Status, Workspace
from tests.captioning.helpers import REMOTE_HOST, route_through
from tests.clips import make_clip
from tests.fakes import (
    COMPATIBLE,
    NATIVE,
    POLICY,
    FakeDashScope,
    answer,
    error,
    invalid_key,
    moderation,
    server_error,
)

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


def _no_trace(key: str, root: Path, *outputs: str) -> None:
    """KEY is in no output and in no file under .annotator/ (the database, its WAL...)."""
    for output in outputs:
        assert key not in output
    stored = [p for p in (root / ".annotator").rglob("*") if p.is_file()]
    assert any(p.name == "workspace.db" for p in stored)
    for path in stored:
        assert key.encode() not in path.read_bytes(), path


@pytest.mark.parametrize(
    ("key_var", "key"),
    [
        ("DASHSCOPE_API_KEY", "sk-" + "echo0123456789abcdef"),  # fake, split for scanners
        ("LOCAL_VLLM_PASS", "plain-cli-secret-4567"),
    ],
)
def test_a_server_that_echoes_the_key_leaves_no_trace_of_it(
    root: Path, fake: FakeDashScope, monkeypatch: pytest.MonkeyPatch, key_var: str, key: str
) -> None:
    monkeypatch.setenv(key_var, key)
    fake.echo_authorization = True
    compatible = ["-p", "openai", "--base-url", fake.compatible_base, "--key-env", key_var]
    native = ["-p", "dashscope", "--base-url", fake.native_base, "--key-env", key_var]
    outputs = []
    # 400 for one clip (stored as its error), a 500 retried, then each refusal of the key.
    fake.queue(COMPATIBLE, error(400, "InvalidParameter", "bad video"), server_error(500))
    outputs.append(_caption(root, *compatible, "-j", "1").output)
    fake.queue(COMPATIBLE, invalid_key())
    outputs.append(_caption(root, *compatible, "--force").output)
    fake.queue(COMPATIBLE, error(403, "AccessDenied", "Access denied."))
    outputs.append(_caption(root, *compatible, "--force").output)
    # The native provider: a refused upload policy, then a refused call.
    fake.queue(POLICY, invalid_key())
    outputs.append(_caption(root, *native, "--force").output)
    fake.queue(NATIVE, error(400, "InvalidParameter", "bad video"), server_error(500))
    outputs.append(_caption(root, *native, "--force", "-j", "1").output)
    assert all("echo" in output for output in outputs), outputs  # the servers' words shown
    assert sum(f"Bearer {key}" == r.headers.get("authorization") for r in fake.requests()) >= 5
    outputs.append(runner.invoke(app, ["status", str(root), "--json"]).output)
    outputs.append(runner.invoke(app, ["check", str(root)]).output)
    assert "echo" in outputs[-2]  # the stored error
    _no_trace(key, root, *outputs)


def _readme_config(base_url: str) -> str:
    """The config example of the README, its local-vllm endpoint pointed at BASE_URL."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    match = re.search(r"```toml\n(.*?)```", readme, re.DOTALL)
    assert match is not None and "[endpoints.local-vllm]" in match.group(1)
    return match.group(1).replace("http://localhost:8000/v1", base_url)


def test_a_named_endpoint_sends_its_own_model(
    root: Path,
    fake: FakeDashScope,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = tmp_path_factory.mktemp("home") / "config.toml"
    config.write_text(_readme_config(fake.compatible_base), encoding="utf-8")
    monkeypatch.setenv("ANNOTATOR_CONFIG", str(config))
    dry = _caption(root, "-p", "local-vllm", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "Qwen/Qwen2.5-VL-7B-Instruct" in dry.output and "qwen-vl-max" not in dry.output
    result = _caption(root, "-p", "local-vllm")
    assert result.exit_code == 0, result.output
    sent = {r.json["model"] for r in fake.requests(COMPATIBLE)}
    assert sent == {"Qwen/Qwen2.5-VL-7B-Instruct"}
    with Workspace.open(root) as ws:
        assert {c.model for c in ws.latest_captions().values()} == sent
    # --model still wins over the endpoint's.
    again = _caption(root, "-p", "local-vllm", "--model", "qwen2.5-vl-3b", "--only", "clip_0.mp4")
    assert again.exit_code == 0, again.output
    assert fake.requests(COMPATIBLE)[-1].json["model"] == "qwen2.5-vl-3b"


def test_the_dashscope_key_stays_off_plain_http_to_another_host(
    root: Path, fake: FakeDashScope, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DASHSCOPE_API_KEY", "sk-test-0123456789")
    monkeypatch.setenv("LAN_VLLM_KEY", "lan-secret-0123456789")
    route_through(monkeypatch, fake.url)  # the fake sees what the remote host would
    remote = f"http://{REMOTE_HOST}"
    openai = ["-p", "openai", "--base-url", f"{remote}/compatible-mode/v1"]
    result = _caption(root, *openai, "--only", "clip_0.mp4")
    assert result.exit_code == 0, result.output
    assert fake.requests(COMPATIBLE)[-1].headers["authorization"] == "Bearer EMPTY"
    # The native provider cannot work without the key: it refuses before sending anything.
    sent = len(fake.requests())
    native = _caption(root, "-p", "dashscope", "--base-url", f"{remote}/api/v1", "--force")
    assert native.exit_code == 1
    assert "sent only over https or to this machine" in native.output
    assert len(fake.requests()) == sent
    # A variable named for the endpoint is sent to it.
    named = _caption(root, *openai, "--key-env", "LAN_VLLM_KEY", "--only", "clip_1.mp4")
    assert named.exit_code == 0, named.output
    assert fake.requests(COMPATIBLE)[-1].headers["authorization"] == "Bearer lan-secret-0123456789"
    assert all("sk-test" not in r.headers.get("authorization", "") for r in fake.requests())
