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
