"""Issue 14 item 13: `--help` reads like a well-kept CLI's at 80 columns, errors are plain.

Every command's help is rendered by a real process with COLUMNS=80 (never the width of the
machine running the tests).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
import typer.main

from annotator.cli import app

# Every command the app has, read from the app itself (a new command is covered at once).
COMMANDS = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
SEPARATOR = "=====HELP-OF====="
# Metavars the help must not show: typer's type labels and braces.
RAW_METAVAR = re.compile(r"<(?:bool|str|int|float|dir|file|path|list)\b|list\[|range>")
# An argument in braces ({root}) on the usage line (a template's {pronoun} slot in a
# description is the template's own syntax).
BRACED = re.compile(r"\{\w+\}")
# An option row: two spaces, the option(s), two or more spaces, the description.
OPTION_ROW = re.compile(r"^  (-\S.*?\S)  +(\S.*)$")

_RENDER = f"""
import sys
from annotator.cli import app
for name in sys.argv[1:]:
    print({SEPARATOR!r}, name)
    try:
        app([name, "--help"], prog_name="annotator")
    except SystemExit:
        pass
"""


@pytest.fixture(scope="module")
def helps() -> dict[str, str]:
    env = {**os.environ, "COLUMNS": "80", "TERM": "xterm-256color"}
    env.pop("LINES", None)
    done = subprocess.run(
        [sys.executable, "-c", _RENDER, *COMMANDS],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    pages: dict[str, str] = {}
    for chunk in done.stdout.split(SEPARATOR)[1:]:
        name, _, page = chunk.partition("\n")
        pages[name.strip()] = page
    top = subprocess.run(
        [
            sys.executable,
            "-c",
            "from annotator.cli import app; app(prog_name='annotator')",
            "--help",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    pages["(top)"] = top.stdout
    assert set(pages) == {*COMMANDS, "(top)"}
    return pages


def test_every_help_fits_80_columns_with_plain_metavars(helps: dict[str, str]) -> None:
    for name, page in helps.items():
        assert "Usage: annotator" in page, (name, page)
        usage = next(line for line in page.splitlines() if "Usage:" in line)
        assert not BRACED.search(usage), (name, usage)
        for line in page.splitlines():
            assert len(line) <= 80, (name, line)
            assert not RAW_METAVAR.search(line), (name, line)


def test_the_description_column_is_at_least_40_wide(helps: dict[str, str]) -> None:
    for name, page in helps.items():
        columns = [
            len(line) - len(m.group(2))
            for line in page.splitlines()
            if (m := OPTION_ROW.match(line)) is not None
        ]
        assert columns, (name, page)
        assert 80 - max(columns) >= 40, (name, page)


def test_caption_help_is_short_and_names_the_values(helps: dict[str, str]) -> None:
    page = helps["caption"]
    assert len(page.splitlines()) <= 45, page
    assert "Usage: annotator caption [OPTIONS] DIR" in page
    assert re.search(r"-j, --concurrency N\b", page), page
    assert re.search(r"--only TEXT\b", page), page
    assert "1-64" in page, page


def _error_of(*args: str) -> str:
    env = {**os.environ, "COLUMNS": "80"}
    done = subprocess.run(
        [sys.executable, "-m", "annotator", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    return done.stdout + done.stderr


def test_errors_read_without_pydantic_words(tmp_path: object) -> None:
    folder = str(tmp_path)
    mode = _error_of("init", folder, "--mode", "t2v")
    assert "--mode must be one of i2v, kf2v (not 't2v')" in mode, mode
    concurrency = _error_of("caption", folder, "-j", "100")
    assert "--concurrency must be at most 64" in concurrency, concurrency
    fps = _error_of("caption", folder, "--fps", "abc")
    assert "--fps must be a number (not 'abc')" in fps, fps
    for text in (mode, concurrency, fps):
        assert "Value error" not in text and "Input should" not in text, text
        assert "╭" not in text  # no box around one line
