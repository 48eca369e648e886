import json
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annotator.cli import app
from annotator.workspace import Workspace
from tests.clips import make_clip

runner = CliRunner()


def _run(*args: str | Path):
    return runner.invoke(app, [str(a) for a in args])


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make PATH unwritable even for root (chattr +i), or skip when the system cannot."""
    if os.geteuid() == 0:
        if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode:
            pytest.skip("cannot make a folder read-only for root here")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True)
    else:
        path.chmod(0o555)
        try:
            yield
        finally:
            path.chmod(0o755)


def test_help_lists_the_commands() -> None:
    result = _run("--help")
    assert result.exit_code == 0
    for command in ("init", "scan", "check", "status"):
        assert command in result.output


def test_init_then_status(tmp_path: Path) -> None:
    make_clip(tmp_path / "a.mp4", width=96, height=64)
    result = _run("init", tmp_path, "--mode", "kf2v", "--lang", "zh", "--trigger", "s86b5p")
    assert result.exit_code == 0, result.output
    assert "1 added" in result.output
    with Workspace.open(tmp_path) as ws:
        info = ws.info
    assert (info.mode.value, info.base_model, info.lang, info.trigger) == (
        "kf2v",
        "wan2.2-kf2v-flash",
        "zh",
        "s86b5p",
    )
    status = _run("status", tmp_path, "--json")
    assert [row["path"] for row in json.loads(status.output)] == ["a.mp4"]


def test_reinit_keeps_settings_and_rescans(tmp_path: Path) -> None:
    make_clip(tmp_path / "a.mp4", width=96, height=64)
    assert _run("init", tmp_path, "--mode", "i2v", "--model", "wan2.2-i2v-flash").exit_code == 0
    make_clip(tmp_path / "b.mp4", width=96, height=64, seed=2)
    result = _run("init", tmp_path)
    assert result.exit_code == 0 and "1 added" in result.output and "1 unchanged" in result.output
    with Workspace.open(tmp_path) as ws:
        assert ws.info.base_model == "wan2.2-i2v-flash"


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert _run("init", tmp_path / "missing", "--mode", "i2v").exit_code == 2
    assert _run("init", tmp_path).exit_code == 2  # new folder without --mode
    bad_model = _run("init", tmp_path, "--mode", "kf2v", "--model", "wan2.5-i2v-preview")
    assert bad_model.exit_code == 2
    assert "wan2.2-kf2v-flash" in bad_model.output  # the error lists the models that fit
    assert _run("check", tmp_path / "missing").exit_code == 2


def test_commands_on_a_plain_folder_say_to_init(tmp_path: Path) -> None:
    result = _run("check", tmp_path)
    assert result.exit_code == 1
    assert "annotator init" in result.output


def test_read_only_folder_is_named(tmp_path: Path) -> None:
    clips = tmp_path / "clips"
    clips.mkdir()
    make_clip(clips / "a.mp4", width=96, height=64)
    with read_only(clips):
        result = _run("init", clips, "--mode", "i2v")
    assert result.exit_code == 1
    assert str(clips) in result.output and "writable" in result.output


def test_check_json_and_exit_codes(tmp_path: Path) -> None:
    make_clip(tmp_path / "good.mp4", width=96, height=64)
    _run("init", tmp_path, "--mode", "i2v")
    result = _run("check", tmp_path, "--json")
    # No prompt and nothing accepted: export would refuse, so check is not ready (item 7).
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    assert report["sample_count"] == 1 and report["ready"] is False
    assert any(f["code"] == "nothing-to-export" for f in report["findings"])
    assert any(f["code"] == "prompt-missing" for f in report["findings"])
    make_clip(tmp_path / "long.mp4", seconds=12, fps=4, width=64, height=48)
    result = _run("check", tmp_path)
    assert result.exit_code == 1
    assert "long.mp4" in result.output and "cut it" in result.output


def test_console_script_runs(tmp_path: Path) -> None:
    exe = Path(os.environ.get("VIRTUAL_ENV", ".venv")) / "bin" / "annotator"
    if not exe.exists():
        exe = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "annotator"
    result = subprocess.run([str(exe), "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("annotator ")
