"""How the CLI ends: a user's error in one line with its exit code, a bug in one line and a file."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import typer
from typer.testing import CliRunner

from annotator.cli import CommandGroup, app
from annotator.errors import AnnotatorError, UsageError
from annotator.workspace import Workspace
from tests.clips import make_clip

runner = CliRunner()


def _app_raising(exc: Exception) -> typer.Typer:
    """An app on the CLI's own command group with one command that raises EXC."""
    test_app = typer.Typer(cls=CommandGroup)

    @test_app.command()
    def boom() -> None:
        raise exc

    @test_app.command()
    def other() -> None:
        """A second command, so `boom` is a subcommand as in the real CLI."""

    return test_app


def test_a_users_error_prints_its_message_and_fix() -> None:
    result = runner.invoke(
        _app_raising(AnnotatorError("clip_07.mp4 is empty", fix="remove it")), ["boom"]
    )
    assert result.exit_code == 1
    assert result.output.strip() == "error: clip_07.mp4 is empty; remove it"


def test_a_usage_error_exits_2() -> None:
    result = runner.invoke(_app_raising(UsageError("unknown provider 'x'")), ["boom"])
    assert result.exit_code == 2


def test_a_bug_prints_one_line_and_writes_the_traceback(tmp_path: Path) -> None:
    result = runner.invoke(_app_raising(ZeroDivisionError("division by zero")), ["boom"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "unexpected ZeroDivisionError" in lines[0]
    report = Path(re.search(r"traceback is in (\S+)", lines[0]).group(1))  # type: ignore[union-attr]
    try:
        assert "ZeroDivisionError" in report.read_text() and "Traceback" in report.read_text()
    finally:
        report.unlink()


def test_a_message_is_never_read_as_markup() -> None:
    result = runner.invoke(_app_raising(AnnotatorError("server said [/] [bold red]no")), ["boom"])
    assert result.exit_code == 1
    assert "server said [/] [bold red]no" in result.output


def test_a_newer_workspace_schema_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    make_clip(tmp_path / "clip.mp4", seconds=2.5)
    assert runner.invoke(app, ["init", str(tmp_path), "--mode", "i2v"]).exit_code == 0
    with sqlite3.connect(Workspace.open(tmp_path).store_dir / "workspace.db") as db:
        db.execute("INSERT INTO _migrations VALUES ('999_from_the_future', 'x')")
    result = runner.invoke(app, ["status", str(tmp_path)])
    assert result.exit_code == 1
    assert "newer annotator" in result.output and "Traceback" not in result.output


def test_a_path_in_a_message_is_never_broken_on_a_narrow_terminal(tmp_path: Path) -> None:
    """A real process at 40 columns: the command it suggests stays on one line."""
    import os
    import subprocess
    import sys

    folder = tmp_path / "a-folder-name-long-enough-to-pass-the-terminal-width"
    folder.mkdir()
    make_clip(folder / "a.mp4", width=96, height=64)
    init = ["init", str(folder), "--mode", "i2v", "--no-trigger"]
    assert runner.invoke(app, init).exit_code == 0
    env = {**os.environ, "COLUMNS": "40", "TERM": "dumb"}
    for command, suggested in (("mine", "caption"), ("trigger", "trigger")):
        done = subprocess.run(
            [sys.executable, "-m", "annotator", command, str(folder)],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert done.returncode == 1
        assert f"annotator {suggested} {folder}" in done.stderr + done.stdout
