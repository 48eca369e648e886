"""Issue 14 item 12: Ctrl-C during a batch exits 130, says how many were done and that a
re-run resumes; the re-run sends only what is missing. A real process, a real SIGINT, the
real openai SDK against the fake server."""

from __future__ import annotations

import json
import os
import signal
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
from tests.fakes import COMPATIBLE, FakeDashScope, answer

ANSWER = json.dumps({"subject": "A square", "background": "a grey wall", "motion": "it spins"})
CLIPS = 8


@pytest.fixture
def fake() -> Iterator[FakeDashScope]:
    with FakeDashScope(default_text=ANSWER) as server:
        yield server


def test_ctrl_c_during_caption_says_what_was_done_and_a_rerun_resumes(
    tmp_path: Path, fake: FakeDashScope
) -> None:
    for i in range(CLIPS):
        make_clip(tmp_path / f"clip_{i:02d}.mp4", width=64, height=48, seconds=0.5, seed=i)
    runner = CliRunner()
    assert runner.invoke(app, ["init", str(tmp_path), "--mode", "i2v"]).exit_code == 0
    fake.queue(COMPATIBLE, *[answer(ANSWER, delay=0.4) for _ in range(CLIPS)])
    command = ["caption", str(tmp_path), "-p", "openai", "--base-url", fake.compatible_base]
    env = {**os.environ, "COLUMNS": "80"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "annotator", *command, "-j", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while len(fake.requests(COMPATIBLE)) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    said = " ".join((out + err).split())
    assert proc.returncode == 130, said
    assert "interrupted" in said and f"of {CLIPS}" in said, said
    assert "run the same command again" in said, said
    assert "Traceback" not in said
    with Workspace.open(tmp_path) as ws:
        stored = len(ws.latest_captions())
    assert 1 <= stored < CLIPS
    assert f"{stored} of {CLIPS} done" in said, said

    rerun = runner.invoke(app, command)
    assert rerun.exit_code == 0, rerun.output
    assert f"Captioned {CLIPS - stored} of {CLIPS - stored}" in rerun.output
    with Workspace.open(tmp_path) as ws:
        assert len(ws.latest_captions()) == CLIPS


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


def test_ctrl_c_during_verify_says_what_was_done_and_a_rerun_resumes(
    tmp_path: Path, fake: FakeDashScope
) -> None:
    for i in range(CLIPS):
        make_clip(tmp_path / f"clip_{i:02d}.mp4", width=64, height=48, seconds=0.5, seed=i)
    runner = CliRunner()
    init = ["init", str(tmp_path), "--mode", "i2v", "--trigger", "s86b5p"]
    assert runner.invoke(app, init).exit_code == 0
    with Workspace.open(tmp_path) as ws:
        ws.set_workspace_field("template", "Then the s86b5p effect begins, {pronoun} spins.")
        for sample in ws.samples():
            ws.edit(sample.id, "subject", "A red square")
            ws.edit(sample.id, "background", "A grey wall")
    fake.queue(COMPATIBLE, *[answer(VERDICT, delay=0.4) for _ in range(CLIPS)])
    command = ["verify", str(tmp_path), "-p", "openai", "--base-url", fake.compatible_base]
    proc = subprocess.Popen(
        [sys.executable, "-m", "annotator", *command, "-j", "1"],
        env={**os.environ, "COLUMNS": "80"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while len(fake.requests(COMPATIBLE)) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    said = " ".join((out + err).split())
    assert proc.returncode == 130, said
    assert f"of {CLIPS} done (verified" in said and "run the same command again" in said, said
    rerun = runner.invoke(app, [*command, "--json"])
    assert rerun.exit_code == 0, rerun.output
    summary = json.loads(rerun.output)["summary"]
    assert summary["verified"] == CLIPS and 0 < summary["already_verified"] < CLIPS
