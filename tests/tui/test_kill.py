"""`annotator review` as a real process on a pseudo-terminal: an edit survives SIGKILL, a
second session is refused while it runs, and the dead session's lock is taken over."""

from __future__ import annotations

import fcntl
import os
import signal
import sqlite3
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annotator.cli import app
from annotator.tui.lock import SessionLock
from annotator.workspace import Workspace

DEADLINE = 20.0  # seconds; the app starts in about one


class Terminal:
    """The master side of a pty running the app; collects everything it draws."""

    def __init__(self, master: int) -> None:
        self.master = master
        self.output = bytearray()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.output.extend(chunk)

    def wait_for(self, text: bytes) -> None:
        end = time.monotonic() + DEADLINE
        while text not in self.output:
            if time.monotonic() > end:
                raise AssertionError(f"{text!r} never appeared on the terminal")
            time.sleep(0.05)

    def type(self, keys: str) -> None:
        for key in keys:
            os.write(self.master, key.encode())
            time.sleep(0.02)


@contextmanager
def review_process(root: Path) -> Iterator[tuple[subprocess.Popen[bytes], Terminal]]:
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color"}
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "annotator", "review", str(root), "--graphics", "halfcell"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
    )
    os.close(slave)
    terminal = Terminal(master)
    try:
        yield proc, terminal
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
        os.close(master)


def _subject_of(root: Path, name: str) -> str:
    with Workspace.open(root) as ws:
        return next(s.subject for s in ws.samples() if s.name == name)


def focus_subject(terminal: Terminal, root: Path) -> None:
    """Press s on clip_a and return once the subject editor takes the keys.

    Textual acts on s a moment later (longer on a busy machine); a key that comes before
    may be dropped. So a probe W (no key of the list) is typed, once a second, until the
    store shows it in the subject; every key after it reaches the editor in order, and
    ctrl+u then erases the probes."""
    terminal.type("s")
    end = time.monotonic() + DEADLINE
    while not _subject_of(root, "clip_a.mp4"):
        assert time.monotonic() < end, "the subject editor never took a key"
        terminal.type("W")
        time.sleep(1.0)  # the editor writes after a 0.3 s pause
    assert set(_subject_of(root, "clip_a.mp4")) == {"W"}
    terminal.type("\x15")  # ctrl+u: delete to the start of the line
    while _subject_of(root, "clip_a.mp4"):
        assert time.monotonic() < end, "the probe was never erased"
        time.sleep(0.05)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")
def test_an_edit_survives_sigkill(ws_root: Path) -> None:
    with review_process(ws_root) as (proc, terminal):
        terminal.wait_for(b"clip_a.mp4")
        focus_subject(terminal, ws_root)
        terminal.type("a red fox")
        end = time.monotonic() + DEADLINE
        while _subject_of(ws_root, "clip_a.mp4") != "a red fox":  # committed while it runs
            assert time.monotonic() < end, "the edit never reached the store"
            assert proc.poll() is None
            time.sleep(0.05)

        refused = CliRunner().invoke(app, ["review", str(ws_root)])
        assert refused.exit_code == 1
        assert f"process {proc.pid}" in refused.output

        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    assert _subject_of(ws_root, "clip_a.mp4") == "a red fox"
    db = sqlite3.connect(ws_root / ".annotator" / "workspace.db")
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    db.close()
    with SessionLock(ws_root / ".annotator"):  # the dead session's lock is free again
        pass


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")
def test_typing_that_never_pauses_survives_sigkill(ws_root: Path) -> None:
    """Keys 0.1 s apart (the editor waits 0.3 s for a pause): the store has part of the
    text while typing goes on, and that part survives a kill -9 in mid-word."""
    text = "a fox in a long red coat walks slowly across a frozen lake at dawn " * 4
    with review_process(ws_root) as (proc, terminal):
        terminal.wait_for(b"clip_a.mp4")
        focus_subject(terminal, ws_root)
        typed, stored = "", ""
        end = time.monotonic() + DEADLINE
        for char in text:
            os.write(terminal.master, char.encode())
            typed += char
            time.sleep(0.1)
            stored = _subject_of(ws_root, "clip_a.mp4")
            if stored or time.monotonic() > end:
                break
        assert stored, f"nothing stored while {typed!r} was typed"
        os.killpg(proc.pid, signal.SIGKILL)  # typing still going on
        proc.wait(timeout=10)

    after = _subject_of(ws_root, "clip_a.mp4")
    assert after and typed.startswith(after)
    assert len(after) >= len(stored)
