"""Whether a process still lives: one rule for claims, the TUI's lock and staged files."""

from __future__ import annotations

import os

# On Windows os.kill(pid, 0) does not probe: it terminates the process (TerminateProcess).
_WINDOWS = os.name == "nt"


def pid_alive(pid: int) -> bool:
    """True when process PID exists on this host (ours or another user's), or when it
    cannot be told: a live owner's work is then left alone rather than taken over."""
    if pid <= 0:  # 0 and negatives name process groups, never one process
        return False
    if pid == os.getpid():
        return True
    if _WINDOWS:  # pragma: no cover - no probe without ending the process there
        return True
    try:
        os.kill(pid, 0)  # signal 0: checks the process exists, sends nothing
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):  # another user's process; a pid out of range
        return True
    except OSError:
        return True
    return True
