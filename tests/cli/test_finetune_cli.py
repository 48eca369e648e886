"""upload, finetune, checkpoints, deploy, generate and jobs against the fake DashScope."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from annotator.cli import app
from annotator.workspace import Workspace
from annotator.workspace.remote import JOBS
from tests.fakes.dashscope_server import Reply
from tests.fakes.finetune_server import FakeFinetune
from tests.finetune.helpers import KEY, make_workspace

runner = CliRunner()


@pytest.fixture
def fake() -> Iterator[FakeFinetune]:
    with FakeFinetune() as server:
        yield server


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DASHSCOPE_API_KEY", KEY)
    monkeypatch.setenv("ANNOTATOR_CONFIG", str(tmp_path / "no-config.toml"))
    make_workspace(tmp_path / "money_rain").close()
    return tmp_path / "money_rain"


def _run(fake: FakeFinetune, *args: str | Path):  # type: ignore[no-untyped-def]
    argv = [str(a) for a in args] + ["--base-url", fake.url]
    if args[0] in ("finetune", "checkpoints", "deploy", "generate"):
        argv += ["--poll-interval", "0"]
    return runner.invoke(app, argv)


def _flat(result) -> str:  # type: ignore[no-untyped-def]
    """The output with rich's line wrapping undone."""
    return " ".join(result.output.split())


def _ok(fake: FakeFinetune, *args: str | Path):  # type: ignore[no-untyped-def]
    result = _run(fake, *args)
    assert result.exit_code == 0, result.output
    return result


def test_the_whole_pipeline(root: Path, fake: FakeFinetune) -> None:
    out = _flat(_ok(fake, "upload", root))
    assert "money_rain_train.zip: uploaded as" in out and "money_rain_valid.zip" in out
    again = _ok(fake, "upload", root, "--json")
    assert [f["reused"] for f in json.loads(again.stdout)] == [True, True]
    assert len(fake.requests("files.cn")) == 2

    out = _flat(_ok(fake, "finetune", root, "--wait"))
    assert "created fine-tune job" in out and "SUCCEEDED" in out
    assert "epoch 1: loss" in out and "##FT_COMPLETE##" in out  # the log tail as it grows
    assert "training tokens: 432,000" in out
    assert "not creating another" in _flat(_ok(fake, "finetune", root))
    assert len(fake.requests("jobs.create")) == 1

    out = _flat(_ok(fake, "checkpoints", root, "--download"))
    assert "checkpoint-40" in out and "/media/" in out
    saved = root.parent / "money_rain-checkpoints"
    assert len(list(saved.rglob("preview_*.mp4"))) == 6
    out = _flat(_ok(fake, "checkpoints", root, "--export", "checkpoint-40", "--wait"))
    assert "export SUCCEEDED" in out

    out = _flat(_ok(fake, "deploy", root, "--checkpoint", "checkpoint-40", "--wait"))
    assert "RUNNING" in out and "next: annotator generate" in out
    sent = fake.requests("deployments.create")[0]
    assert sent.json["model_name"].endswith("checkpoint-40") and sent.json["plan"] == "lora"

    picture = root.parent / "new picture.png"
    Image.new("RGB", (32, 24), (10, 200, 10)).save(picture)
    out = _flat(_ok(fake, "generate", root, picture))
    [video] = (root.parent / "money_rain-generated").iterdir()
    assert video.name.startswith("new_picture-") and f"video: {video}" in out

    view = json.loads(_ok(fake, "jobs", root, "--json").stdout)
    assert view["jobs"][0]["status"] == "SUCCEEDED" and view["jobs"][0]["usage"] == 432000
    assert view["deployments"][0]["status"] == "RUNNING"
    assert view["generations"][0]["usage"]["video_count"] == 1
    assert "another picture" in view["next"]
    assert KEY not in (root / ".annotator" / "workspace.db").read_bytes().decode("latin-1")

    out = _flat(_ok(fake, "deploy", root, "--delete", "--wait"))
    assert "DELETED" in out


def test_jobs_needs_no_key_and_says_what_is_next(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DASHSCOPE_API_KEY")
    result = runner.invoke(app, ["jobs", str(root)])
    assert result.exit_code == 0, _flat(result)
    assert "nothing sent to DashScope" in _flat(result) and "annotator upload" in _flat(result)


def test_status_shows_the_log_and_jobs_refreshes(root: Path, fake: FakeFinetune) -> None:
    _ok(fake, "upload", root)
    _ok(fake, "finetune", root)
    out = _flat(_ok(fake, "finetune", root, "--status"))
    assert "RUNNING" in out and "epoch 1: loss" in out
    view = json.loads(_ok(fake, "jobs", root, "--refresh", "--json").stdout)
    assert view["jobs"][0]["status"] == "RUNNING" and view["jobs"][0]["log_total"] == 2
    assert "--wait" in view["next"]


def test_no_key(root: Path, fake: FakeFinetune, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DASHSCOPE_API_KEY")
    result = _run(fake, "upload", root)
    assert result.exit_code == 1
    assert "DASHSCOPE_API_KEY is not set" in _flat(result) and "export DASHSCOPE_API_KEY" in _flat(
        result
    )
    assert fake.requests() == []


def test_a_key_for_the_other_region(
    root: Path, fake: FakeFinetune, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DASHSCOPE_API_KEY", "sk-from-singapore")
    result = _run(fake, "upload", root)
    assert result.exit_code == 1
    assert "keys belong to one region" in _flat(result) and "--region intl" in _flat(result)
    assert "sk-from-singapore" not in _flat(result)


def test_singapore_upload_shape(root: Path, fake: FakeFinetune) -> None:
    _ok(fake, "upload", root, "--region", "intl")
    assert len(fake.requests("files.intl")) == 2 and fake.requests("files.cn") == []
    result = _run(fake, "finetune", root)  # default region cn: its own uploads
    assert result.exit_code == 1 and "not uploaded to Beijing" in _flat(result)


def test_before_export_and_before_upload(tmp_path: Path, fake: FakeFinetune, root: Path) -> None:
    bare = tmp_path / "bare"
    bare.mkdir()
    Workspace.create(bare, _info()).close()
    result = _run(fake, "upload", bare)
    assert result.exit_code == 1 and "annotator export" in _flat(result)
    result = _run(fake, "finetune", root)
    assert result.exit_code == 1 and "annotator upload" in _flat(result)


def _info():  # type: ignore[no-untyped-def]
    from annotator.basemodels import Mode
    from annotator.workspace import WorkspaceInfo

    return WorkspaceInfo(mode=Mode.I2V, base_model="wan2.5-i2v-preview")


def test_a_failed_job_exits_1_with_its_log(root: Path, fake: FakeFinetune) -> None:
    fake.job_steps = ["PENDING", "RUNNING", "FAILED"]
    _ok(fake, "upload", root)
    result = _run(fake, "finetune", root, "--wait")
    assert result.exit_code == 1
    assert "ended FAILED" in _flat(result) and "lasts 12.0 s" in _flat(result)
    status = _run(fake, "finetune", root, "--status")
    assert status.exit_code == 1 and "lasts 12.0 s" in _flat(status)


def test_unknown_model_and_resource_limit(root: Path, fake: FakeFinetune) -> None:
    body_path = root / "export" / "finetune.json"
    body = json.loads(body_path.read_text())
    body_path.write_text(json.dumps({**body, "model": "wan9-i2v"}))
    _ok(fake, "upload", root)
    result = _run(fake, "finetune", root)
    assert result.exit_code == 1
    assert "does not know the model 'wan9-i2v'" in _flat(result)
    body_path.write_text(json.dumps(body))
    fake.fail("jobs.create", Reply(429, code="Throttling", message="Job count exceeds the limit."))
    result = _run(fake, "finetune", root)
    assert result.exit_code == 1 and "resource limit" in _flat(result)
    with Workspace.open(root) as ws:
        assert JOBS.select(ws) == []  # refused twice: nothing to resume


def test_duplicate_deployment_name_and_arrears(root: Path, fake: FakeFinetune) -> None:
    _ok(fake, "upload", root)
    _ok(fake, "finetune", root, "--wait")
    fake.fail("deployments.create", Reply(409, code="Conflict", message="name exists"))
    result = _run(fake, "deploy", root)
    assert result.exit_code == 1 and "--suffix" in _flat(result)
    fake.deploy_steps = ["PENDING", "ARREARS_DOWN"]
    result = _run(fake, "deploy", root, "--suffix", "v2", "--wait")
    assert result.exit_code == 1 and "overdue" in _flat(result) and "Top up" in _flat(result)
    assert fake.requests("deployments.create")[-1].json["suffix"] == "v2"


def test_usage_errors_exit_2(root: Path, fake: FakeFinetune, tmp_path: Path) -> None:
    assert _run(fake, "finetune", root, "--status", "--cancel").exit_code == 2
    assert _run(fake, "finetune", root, "--status", "--new").exit_code == 2
    assert _run(fake, "generate", root, "a.png", "--resolution", "4K").exit_code == 2
    assert _run(fake, "upload", root, "--region", "mars").exit_code == 2
    result = _run(fake, "generate", root, "https://x/a.png", "https://x/b.png")
    assert result.exit_code == 2 and "kf2v" in _flat(result)


def test_cancel_and_delete_a_job(root: Path, fake: FakeFinetune) -> None:
    fake.hold_jobs = True
    _ok(fake, "upload", root)
    _ok(fake, "finetune", root)
    assert _run(fake, "finetune", root, "--delete").exit_code == 1  # running: cancel first
    assert "CANCEL" in _flat(_ok(fake, "finetune", root, "--cancel"))
    fake.hold_jobs = False
    status = _run(fake, "finetune", root, "--status")  # not SUCCEEDED: exit 1, says how to retry
    assert status.exit_code == 1 and "ended CANCELED" in _flat(status) and "--new" in _flat(status)
    assert "deleted" in _flat(_ok(fake, "finetune", root, "--delete"))


def test_the_real_export_feeds_upload_and_finetune(
    tmp_path: Path, fake: FakeFinetune, root: Path
) -> None:
    from tests.export.helpers import make_workspace as make_clips_workspace
    from tests.export.helpers import use_assembled_prompts

    ws = make_clips_workspace(tmp_path / "clips", 3)
    use_assembled_prompts(ws)
    ws.close()
    folder = tmp_path / "out"
    exported = runner.invoke(
        app,
        ["export", str(tmp_path / "clips"), "-o", str(folder), "--valid", "1", "--allow-small"],
    )
    assert exported.exit_code == 0, exported.output
    _ok(fake, "upload", tmp_path / "clips", "--from", folder)
    _ok(fake, "finetune", tmp_path / "clips", "--from", folder)
    sent = fake.requests("jobs.create")[0].json
    assert len(sent["training_file_ids"]) == 1 and len(sent["validation_file_ids"]) == 1
    names = {f["name"] for f in fake.files.values()}
    assert names == {p.name for p in folder.glob("*.zip")}


def test_kill_9_during_wait_then_a_rerun_resumes_the_same_job(
    root: Path, fake: FakeFinetune
) -> None:
    _ok(fake, "upload", root)
    fake.hold_jobs = True  # training "takes hours"
    env = {**os.environ, "DASHSCOPE_API_KEY": KEY}
    cmd = [sys.executable, "-m", "annotator", "finetune", str(root), "--wait"]
    cmd += ["--base-url", fake.url, "--poll-interval", "0.02"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    db = root / ".annotator" / "workspace.db"

    def stored_job() -> str | None:
        with sqlite3.connect(db) as conn:
            row = conn.execute("SELECT job_id FROM ft_jobs").fetchone()
        return None if row is None else row[0]

    deadline = time.monotonic() + 20
    while (
        stored_job() is None or len(fake.requests("jobs.get")) < 3
    ) and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    job_id = stored_job()
    assert job_id is not None and len(fake.requests("jobs.create")) == 1

    fake.hold_jobs = False
    result = _ok(fake, "finetune", root, "--wait")
    assert f"job {job_id} exists" in _flat(result) and "SUCCEEDED" in _flat(result)
    assert len(fake.requests("jobs.create")) == 1
    with Workspace.open(root) as ws:
        [job] = JOBS.select(ws)
    assert (job.job_id, job.status, job.finetuned_output) == (
        job_id,
        "SUCCEEDED",
        f"wan2.5-i2v-preview-{job_id}",
    )


LONG_KEY = "sk-" + "echoedfinetunekey0123456789"  # a fake key, split for secret scanners


def test_a_servers_key_and_escapes_reach_neither_the_terminal_nor_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Log lines, the failure message and error answers that echo the key with escapes."""
    monkeypatch.setenv("DASHSCOPE_API_KEY", LONG_KEY)
    monkeypatch.setenv("ANNOTATOR_CONFIG", str(tmp_path / "no-config.toml"))
    make_workspace(tmp_path / "ws").close()
    root = tmp_path / "ws"
    outputs = []
    with FakeFinetune(keys=(LONG_KEY,)) as fake:
        fake.echo_authorization = True
        fake.log_noise = f" \x1b]0;pwned\x07\x1b[31m Authorization: Bearer {LONG_KEY}\x1b[0m"
        fake.job_steps = ["PENDING", "RUNNING", "RUNNING", "FAILED"]
        outputs.append(_ok(fake, "upload", root).output)
        for args in (("--wait",), ("--status",), ("--job", "ft-nosuch", "--status")):
            result = _run(fake, "finetune", root, *args)
            assert result.exit_code == 1, result.output
            outputs.append(result.output)
        outputs.append(_run(fake, "jobs", root).output)
    said = "".join(outputs)
    assert "lasts 12.0 s" in said and "epoch 1" in said and "[redacted]" in said
    assert LONG_KEY not in said and "\x1b" not in said
    # Every file, the database and its WAL included, byte for byte (free pages too).
    for path in (root / ".annotator").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"echoedfinetunekey" not in data, path
            if not data.startswith(b"SQLite format 3") and not path.name.endswith(("-wal", "-shm")):
                assert b"\x1b" not in data, path
    # ESC is also an ordinary byte of SQLite's pages: the stored values are read instead.
    db = sqlite3.connect(root / ".annotator" / "workspace.db")
    try:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for row in db.execute(f"SELECT * FROM {table}"):
                assert not any("\x1b" in v for v in row if isinstance(v, str)), (table, row)
    finally:
        db.close()
