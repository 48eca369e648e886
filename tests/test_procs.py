"""One rule for whether a process lives, used by claims, the TUI's lock and staged files."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from annotator import procs
from annotator.export import staging
from annotator.tui import lock
from annotator.workspace import claims


def test_this_process_is_alive() -> None:
    assert procs.pid_alive(os.getpid())


def test_a_finished_process_is_not_alive() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()  # reaped: the pid names no process now
    assert not procs.pid_alive(child.pid)


@pytest.mark.parametrize("pid", [0, -1])
def test_a_process_group_number_is_not_a_process(pid: int) -> None:
    assert not procs.pid_alive(pid)


def test_on_windows_no_signal_is_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    # os.kill(pid, 0) terminates the process on Windows: the probe must never run there.
    def no_kill(pid: int, sig: int) -> None:
        raise AssertionError("os.kill called")

    monkeypatch.setattr(procs, "_WINDOWS", True)
    monkeypatch.setattr(procs.os, "kill", no_kill)
    assert procs.pid_alive(os.getpid() + 1)


def test_every_user_asks_the_same_function() -> None:
    assert claims.pid_alive is procs.pid_alive
    assert lock.pid_alive is procs.pid_alive
    assert staging.pid_alive is procs.pid_alive
