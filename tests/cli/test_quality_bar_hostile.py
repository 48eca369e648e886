"""The clip-quality progress bar names the clip at hand: a file name's escape sequences
never reach the terminal (run under a real pseudo-terminal, as a person runs check)."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

from annotator.basemodels import Mode
from annotator.workspace import Workspace, WorkspaceInfo
from tests.clips import make_clip

INJECTED = "\x1b]0;pwned\x07"  # sets the terminal window's title


def _run_in_terminal(argv: list[str], timeout: float = 120.0) -> bytes:
    """ARGV's stdout and stderr as a terminal shows them (both on one pseudo-terminal)."""
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": "120", "TERM": "xterm-256color"}
    with subprocess.Popen(
        argv, stdin=subprocess.DEVNULL, stdout=follower, stderr=follower, env=env
    ) as proc:
        os.close(follower)
        shown = b""
        while True:
            ready, _, _ = select.select([leader], [], [], timeout)
            if not ready:
                proc.kill()
                break
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the program ended and closed the terminal
                break
            if not chunk:
                break
            shown += chunk
        proc.wait(timeout)
    os.close(leader)
    return shown


def test_a_clip_name_with_escapes_is_shown_stripped_by_the_analysis_bar(tmp_path: Path) -> None:
    for n in range(3):
        make_clip(tmp_path / f"{INJECTED}clip{n}.mp4", seconds=1.0, fps=8, seed=n)
    Workspace.create(
        tmp_path, WorkspaceInfo(mode=Mode.I2V, base_model="wan2.5-i2v-preview")
    ).close()
    shown = _run_in_terminal([sys.executable, "-m", "annotator", "check", str(tmp_path)])
    assert b"Analysing clips" in shown, shown[-2000:]
    assert INJECTED.encode() not in shown and b"\x1b]0;" not in shown
