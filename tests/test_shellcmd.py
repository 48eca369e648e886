"""Issue 14 item 10: a suggested command can be pasted into a shell as it is."""

from __future__ import annotations

import shlex
from pathlib import Path

from annotator.shellcmd import command


def test_a_path_with_spaces_is_quoted_and_splits_back_to_one_word() -> None:
    root = Path("/tmp/My Effect Clips")
    line = command("caption", root)
    assert line == "annotator caption '/tmp/My Effect Clips'"
    assert shlex.split(line) == ["annotator", "caption", str(root)]


def test_plain_words_flags_and_placeholders_stay_bare() -> None:
    assert command("mine", Path("/data/clips"), "--apply") == "annotator mine /data/clips --apply"
    assert command("accept", "DIR", "ID...") == "annotator accept DIR ID..."


def test_quotes_and_shell_characters_are_quoted() -> None:
    tricky = "/tmp/it's $HOME; rm -rf ~"
    assert shlex.split(command("check", tricky)) == ["annotator", "check", tricky]


def test_no_message_puts_a_path_into_a_command_unquoted() -> None:
    """Every suggested `annotator CMD {path}` goes through shellcmd.command."""
    import re

    raw = re.compile(r"annotator [a-z]+ \{(?!(?:shell_)?command\()")
    package = Path(__file__).resolve().parents[1] / "annotator"
    found = [
        f"{path.relative_to(package)}:{n}: {line.strip()}"
        for path in sorted(package.rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if raw.search(line)
    ]
    assert not found, "\n".join(found)


def test_a_suggested_command_pastes_with_a_space_in_the_path(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from annotator.cli import app
    from tests.clips import make_clip

    folder = tmp_path / "My Effect Clips"
    folder.mkdir()
    make_clip(folder / "a.mp4", width=96, height=64)
    runner = CliRunner()
    assert runner.invoke(app, ["init", str(folder), "--mode", "i2v"]).exit_code == 0
    result = runner.invoke(app, ["mine", str(folder)])
    assert result.exit_code == 1
    assert f"annotator caption '{folder}'" in " ".join(result.output.split())
