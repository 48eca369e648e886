"""One session per workspace, and the `annotator review` command's answers without a TTY."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annotator.cli import app
from annotator.tui.lock import LOCK_NAME, SessionLock, SessionLockedError
from annotator.workspace import Workspace
from tests.clips import make_clip

runner = CliRunner()


def test_a_second_session_is_refused_with_the_pid(ws: Workspace) -> None:
    with (
        SessionLock(ws.store_dir),
        pytest.raises(SessionLockedError, match=rf"process {os.getpid()}"),
    ):
        SessionLock(ws.store_dir).acquire()
    with SessionLock(ws.store_dir):  # released: the next session may start
        pass


def test_a_stale_lock_of_a_dead_process_is_taken_over(ws: Workspace) -> None:
    lock_file = ws.store_dir / LOCK_NAME
    lock_file.write_text("999999999\n")  # a pid no process has; no flock held
    with SessionLock(ws.store_dir):
        assert lock_file.read_text().strip() == str(os.getpid())


def test_review_refuses_while_another_session_runs(ws_root: Path) -> None:
    with Workspace.open(ws_root) as ws, SessionLock(ws.store_dir):
        result = runner.invoke(app, ["review", str(ws_root)])
    assert result.exit_code == 1
    assert "another review session" in result.output


def test_review_of_a_plain_folder_says_how_to_init_it(tmp_path: Path) -> None:
    make_clip(tmp_path / "clip.mp4", seconds=2.5)
    result = runner.invoke(app, ["review", str(tmp_path)])  # stdin is not a TTY here
    assert result.exit_code == 1
    assert f"annotator init {tmp_path} --mode i2v" in " ".join(result.output.split())
    assert not Workspace.is_workspace(tmp_path)


def test_review_rejects_an_unknown_graphics_mode(ws_root: Path) -> None:
    result = runner.invoke(app, ["review", str(ws_root), "--graphics", "ascii"])
    assert result.exit_code == 2


def test_review_without_a_terminal_is_refused_at_once(ws_root: Path) -> None:
    result = runner.invoke(app, ["review", str(ws_root)])  # CliRunner: no TTY
    assert result.exit_code == 2
    assert "needs a terminal" in result.output and "annotator accept" in result.output
