"""A suggested command naming a path with control characters (a folder unpacked from an
archive): shown without them, and still pasted into bash as the very same path."""

from __future__ import annotations

import subprocess
import unicodedata
from pathlib import Path

import pytest

from annotator.shellcmd import command


@pytest.mark.parametrize(
    "name",
    [
        "clips\x1b]0;pwned\x07",  # sets the window title
        "a\x1b[2Jb",  # clears the screen
        "line\nbreak it's",  # a newline and a quote
        "right\u202eto-left",  # shows the rest reversed
        "back\\slash\x7f",
    ],
)
def test_a_path_with_control_characters_is_shown_without_them_and_pastes_back(
    name: str,
) -> None:
    path = Path("/tmp") / name
    line = command("review", path)
    assert not any(unicodedata.category(c) in ("Cc", "Cf") for c in line), repr(line)
    word = line.removeprefix("annotator review ")
    said = subprocess.run(
        ["bash", "-c", f"printf '%s' {word}"], capture_output=True, check=True, timeout=30
    )
    assert said.stdout.decode("utf-8") == str(path)
