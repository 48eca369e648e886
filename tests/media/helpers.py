"""A guard for tests that hand the tool a named pipe: opening one for reading blocks until a
writer comes, so a tool that opens it would hang the test run forever."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

T = TypeVar("T")

# Generous: the call under test takes milliseconds; this only bounds a call that blocks.
_PATIENCE_S = 20.0


def make_fifo(path: Path) -> Path:
    """A named pipe at PATH (a file name such as clip.mp4 or caption.txt)."""
    os.mkfifo(path)
    return path


def without_blocking(fifos: list[Path], call: Callable[[], T]) -> T:
    """Run CALL; if it blocks opening one of FIFOS, release it (open the writer end) and fail."""
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as exc:  # handed back to the test's thread below
            outcome["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(_PATIENCE_S)
    blocked = worker.is_alive()
    while worker.is_alive():
        for fifo in fifos:
            # A writer that opens and closes at once: the blocked reader sees end of file.
            try:
                fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:  # no reader on this one
                continue
            os.close(fd)
        worker.join(0.5)
    assert not blocked, "the tool opened a named pipe and blocked"
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]


def refuse_reading(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    """Make opening PATH fail as chmod 000 makes it fail for a user other than root.

    Every reader of a user's file opens it through ``annotator.userfiles.open_file``,
    which calls ``os.open``; the test suite runs as root in CI, where chmod does not stop it.
    """
    real_open = os.open

    def refuse(target: str | Path, flags: int, *args: int, **kwargs: int) -> int:
        if Path(target) == path:
            raise PermissionError(13, "Permission denied")
        return real_open(target, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
