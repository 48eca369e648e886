"""`annotator verify` end to end (issue 12): the real openai SDK against the fake DashScope
as a vision model; a kill -9 in the middle of a batch in a real process."""

from __future__ import annotations

import hashlib
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
from typer.testing import CliRunner

from annotator.cli import app
from annotator.workspace import Workspace
from tests.clips import make_clip
from tests.fakes import COMPATIBLE, FakeDashScope, Seen, answer

runner = CliRunner()
KEY = "sk-test-verify-cli-0123456789"
GOOD = json.dumps(
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


@pytest.fixture
def fake() -> Iterator[FakeDashScope]:
    with FakeDashScope() as server:
        yield server


def make_root(root: Path, fake: FakeDashScope, clips: int = 3) -> Path:
    """Clips with prompts: every subject says "A red square"; clip_01 shows a green one."""
    for i in range(clips):
        clip = make_clip(root / f"clip_{i:02d}.mp4", width=64, height=48, seconds=0.5, seed=i)
        colour = "green square" if i == 1 else "red square"
        sha = hashlib.sha256(clip.read_bytes()).hexdigest()
        fake.vision[sha] = Seen(colour, "grey wall", "spins")
    ok = runner.invoke(app, ["init", str(root), "--mode", "i2v", "--trigger", "s86b5p"])
    assert ok.exit_code == 0, ok.output
    with Workspace.open(root) as ws:
        ws.set_workspace_field("template", "Then the s86b5p effect begins, {pronoun} spins.")
        for sample in ws.samples():
            ws.edit(sample.id, "subject", "A red square")
            ws.edit(sample.id, "background", "A grey wall")
    return root


def verify(root: Path, fake: FakeDashScope, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(
        app, ["verify", str(root), "-p", "openai", "--base-url", fake.compatible_base, *args]
    )


def test_dry_run_lists_requests_with_tokens_and_cost_and_sends_nothing(
    tmp_path: Path, fake: FakeDashScope, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_root(tmp_path, fake)
    result = runner.invoke(app, ["verify", str(root), "-p", "openai", "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [r["path"] for r in data["requests"]] == ["clip_00.mp4", "clip_01.mp4", "clip_02.mp4"]
    assert data["input_tokens"] > 0 and data["cost"] > 0 and data["currency"] == "CNY"
    table = runner.invoke(app, ["verify", str(root), "-p", "openai", "--dry-run"])
    assert "3 requests to openai" in table.output
    assert "CNY (qwen-vl-max, cn list price of" in table.output
    local = verify(root, fake, "--dry-run")  # a server of its own: DashScope's prices don't apply
    assert "cost unknown" in local.output
    assert fake.requests() == []


def test_flagged_samples_a_table_and_a_summary(
    tmp_path: Path, fake: FakeDashScope, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DASHSCOPE_API_KEY", KEY)
    root = make_root(tmp_path, fake)
    result = verify(root, fake)
    assert result.exit_code == 0, result.output
    assert "flagged (1)" in result.output
    row = next(line for line in result.output.splitlines() if "clip_01.mp4" in line)
    assert "subject" in row and "green square" in row
    assert "Verified 3 of 3 with openai (qwen-vl-max)" in result.output
    assert "3 verified, 1 flagged, 0 stale" in result.output
    assert "3600 in + 240 out" in result.output
    again = verify(root, fake, "--json")
    data = json.loads(again.output)
    assert data["summary"]["sent"] == 0 and data["summary"]["already_verified"] == 3
    flagged = [s for s in data["samples"] if s["flagged"]]
    assert [s["path"] for s in flagged] == ["clip_01.mp4"]
    assert flagged[0]["reasons"] == ["subject does not match"]
    assert len(fake.requests(COMPATIBLE)) == 3
    # check reports it on the sample, with the model's note.
    check = runner.invoke(app, ["check", str(root), "--no-scan", "--json"])
    # Not accepted yet: listed with the samples export leaves out.
    found = [f for f in json.loads(check.output)["left_out"] if f["code"] == "verify-subject"]
    assert [f["path"] for f in found] == ["clip_01.mp4"]
    assert found[0]["message"].endswith("The video shows green square, not that.")
    # An edit makes it stale; the next verify sends that sample alone.
    with Workspace.open(root) as ws:
        sample = next(s for s in ws.samples() if s.name == "clip_01.mp4")
        ws.edit(sample.id, "subject", "A green square")
    check = runner.invoke(app, ["check", str(root), "--no-scan", "--json"])
    codes = [f["code"] for f in json.loads(check.output)["left_out"]]
    assert "verify-stale" in codes and "verify-subject" not in codes
    third = verify(root, fake)
    assert "Verified 1 of 1" in third.output and "3 verified, 0 flagged, 0 stale" in third.output


def test_the_models_note_is_shown_as_plain_safe_text(
    tmp_path: Path, fake: FakeDashScope, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DASHSCOPE_API_KEY", KEY)
    root = make_root(tmp_path, fake, clips=2)
    hostile = f"[bold red]not red[/] \x1b]0;pwned\x07\x1b[2J the key {KEY}"
    for sha, seen in list(fake.vision.items()):
        fake.vision[sha] = Seen("blue circle", seen.background, seen.effect, note=hostile)
    result = verify(root, fake)
    assert result.exit_code == 0, result.output
    assert "[bold red]not red[/]" in result.output  # shown as written, never as markup
    assert "\x1b" not in result.output and "pwned" not in result.output
    assert KEY not in result.output
    data = json.loads(verify(root, fake, "--json").output)
    assert KEY not in json.dumps(data) and "\x1b" not in json.dumps(data)


def test_no_key_is_one_line_and_nothing_is_sent(
    tmp_path: Path, fake: FakeDashScope, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DASHSCOPE_API_KEY", raising=False)
    root = make_root(tmp_path, fake, clips=1)
    result = runner.invoke(app, ["verify", str(root), "-p", "dashscope"])
    assert result.exit_code == 1
    assert result.output.startswith("error: ") and "DASHSCOPE_API_KEY" in result.output
    bad = runner.invoke(app, ["verify", str(root), "--status", "great"])
    assert bad.exit_code == 2 and "captioned" in bad.output


def test_kill_9_mid_batch_loses_nothing_stored_and_the_rerun_sends_the_rest(
    tmp_path: Path, fake: FakeDashScope, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_root(tmp_path, fake, clips=4)
    fake.queue(COMPATIBLE, *[answer(GOOD, delay=0.4) for _ in range(4)])
    env = {**os.environ, "DASHSCOPE_API_KEY": KEY, "COLUMNS": "200"}
    cmd = [sys.executable, "-m", "annotator", "verify", str(root), "-p", "openai"]
    cmd += ["--base-url", fake.compatible_base, "-j", "1"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    db = root / ".annotator" / "workspace.db"

    def stored() -> int:
        with sqlite3.connect(db) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM verdicts").fetchone()[0])

    deadline = time.monotonic() + 60
    while stored() < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    kept = stored()
    assert 1 <= kept < 4
    sent_before = len(fake.requests(COMPATIBLE))
    monkeypatch.setenv("DASHSCOPE_API_KEY", KEY)
    result = verify(root, fake)  # the killed run's claim is taken over: its process is gone
    assert result.exit_code == 0, result.output
    assert len(fake.requests(COMPATIBLE)) - sent_before == 4 - kept
    with sqlite3.connect(db) as conn:
        per_sample = conn.execute("SELECT COUNT(*) FROM verdicts GROUP BY sample_id").fetchall()
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT COUNT(*) FROM claims").fetchone()[0] == 0
        columns = [row[1] for row in conn.execute("PRAGMA table_info(verdicts)")]
    assert per_sample == [(1,)] * 4  # every sample verified exactly once
    for path in (root / ".annotator").rglob("*"):  # the key is never stored
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path
    assert "key" not in [c for c in columns if c != "cache_key"]


def test_replayed_verdicts_name_the_file_they_came_from_not_a_model(
    tmp_path: Path, fake: FakeDashScope, monkeypatch: pytest.MonkeyPatch
) -> None:
    from annotator.workspace.verdicts import latest_verdicts

    root = make_root(tmp_path, fake)
    (root / "replay.jsonl").write_text("")
    lines = [{"file": f"clip_{i:02d}.mp4", "lang": "en", "text": GOOD} for i in range(3)]
    (root / "verify.jsonl").write_text("\n".join(json.dumps(line) for line in lines))
    result = runner.invoke(app, ["verify", str(root), "-p", "replay"])
    assert result.exit_code == 0, result.output
    assert "Verified 3 of 3 with replay (replayed from verify.jsonl)" in result.output
    assert "qwen-vl-max" not in result.output  # no model wrote these answers
    with Workspace.open(root) as ws:
        models = {v.provider: v.model for v in latest_verdicts(ws).values()}
    assert models == {"replay": "replayed from verify.jsonl"}
    data = json.loads(runner.invoke(app, ["verify", str(root), "-p", "replay", "--json"]).output)
    assert {s["model"] for s in data["samples"]} == {"replayed from verify.jsonl"}
    assert data["model"] == "replayed from verify.jsonl"
    # A recording is no model's verdict: the model itself still has all three to verify.
    monkeypatch.setenv("DASHSCOPE_API_KEY", KEY)
    real = json.loads(verify(root, fake, "--dry-run", "--json").output)
    assert len(real["requests"]) == 3 and real["already_verified"] == 0


def test_a_plain_rerun_asks_again_where_the_answer_was_unreadable(
    tmp_path: Path, fake: FakeDashScope, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DASHSCOPE_API_KEY", KEY)
    root = make_root(tmp_path, fake)
    # One at a time: clip_00's ask and its retry both get garbage; the others are read.
    fake.queue(COMPATIBLE, answer("Looks fine!"), answer("```json\n{oops"))
    first = verify(root, fake, "-j", "1")
    assert first.exit_code == 0, first.output
    assert "3 verified, 2 flagged" in first.output  # clip_00 unreadable, clip_01 green

    def unreadable() -> list[str]:
        check = json.loads(runner.invoke(app, ["check", str(root), "--no-scan", "--json"]).output)
        return [f["path"] for f in check["left_out"] if f["code"] == "verify-unreadable"]

    assert unreadable() == ["clip_00.mp4"]
    # The dry run counts it (and its cost), and says why it is sent again.
    plan = json.loads(verify(root, fake, "--dry-run", "--json").output)
    assert [r["path"] for r in plan["requests"]] == ["clip_00.mp4"]
    assert (plan["already_verified"], plan["unreadable_again"]) == (2, 1)
    words = verify(root, fake, "--dry-run").output
    assert "1 request to openai" in words and "1 asked again (its answer was unreadable)" in words
    assert unreadable() == ["clip_00.mp4"]  # shown until a readable answer replaces it
    sent = len(fake.requests(COMPATIBLE))
    again = verify(root, fake)
    assert again.exit_code == 0, again.output
    assert len(fake.requests(COMPATIBLE)) == sent + 1
    assert "Verified 1 of 1" in again.output and "2 already verified" in again.output
    assert "1 asked again (its answer was unreadable)" in again.output
    assert "3 verified, 1 flagged" in again.output and unreadable() == []
    data = json.loads(verify(root, fake, "--json").output)["summary"]
    assert (data["sent"], data["unreadable_again"], data["already_verified"]) == (0, 0, 3)


def test_verify_before_a_template_refuses_and_names_the_commands_that_give_one(
    tmp_path: Path, fake: FakeDashScope, monkeypatch: pytest.MonkeyPatch
) -> None:
    from annotator.shellcmd import command

    monkeypatch.setenv("DASHSCOPE_API_KEY", KEY)
    root = make_root(tmp_path / "my clips", fake, clips=2)
    with Workspace.open(root) as ws:
        ws.set_workspace_field("template", "")  # before `mine --apply`: no effect text
    for args in ((), ("--dry-run",)):
        result = verify(root, fake, *args)
        assert result.exit_code == 1, result.output
        said = " ".join(result.output.split())  # the message may wrap
        assert said.startswith("error: ") and "no effect text" in said
        assert command("mine", root, "--apply") in said
        assert command("template", root, "--set", "TEXT") in said
        assert "Traceback" not in result.output
    assert fake.requests() == []  # nothing asked about an empty effect line
    # A person's own full prompt carries its effect text: that one is asked about.
    with Workspace.open(root) as ws:
        first = ws.samples()[0]
        ws.edit(first.id, "prompt_override", "A red square. A grey wall. Then s86b5p, it spins.")
    own = verify(root, fake, "--only", first.name, "--json")
    assert own.exit_code == 0, own.output
    assert json.loads(own.output)["summary"]["verified_now"] == 1
    (asked,) = fake.requests(COMPATIBLE)
    text = asked.json["messages"][0]["content"][-1]["text"]
    assert "EFFECT (what happens over the video): s86b5p, it spins." in text
    with Workspace.open(root) as ws:
        ws.edit(first.id, "prompt_override", "")
        ws.set_workspace_field("template", "Then the s86b5p effect begins, {pronoun} spins.")
    done = verify(root, fake)
    assert done.exit_code == 0, done.output
    assert "Verified 2 of 2" in done.output and "effect not shown" not in done.output
