"""One review session per workspace: a lock file under .annotator/ that holds the owner's pid.

The file is locked with ``flock`` while the session runs; the kernel drops that lock when
the process dies, even by SIGKILL, so a stale file left by a dead session is taken over
without asking. Where ``fcntl`` does not exist (Windows), the pid in the file decides.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from types import TracebackType

from annotator.errors import AnnotatorError
from annotator.procs import pid_alive

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = "review.lock"


class SessionLockedError(AnnotatorError):
    """Another live review session holds the workspace; the message says which and what to do."""


class SessionLock:
    """Hold ``STORE_DIR/review.lock`` for the life of one review session."""

    def __init__(self, store_dir: Path) -> None:
        self.path = store_dir / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock, or raise SessionLockedError naming the pid that holds it."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            if fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    raise self._locked(_read_pid(fd)) from None
            else:  # pragma: no cover - Windows
                pid = _read_pid(fd)
                if pid is not None and pid != os.getpid() and pid_alive(pid):
                    raise self._locked(pid)
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            os.fsync(fd)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(self._fd, 0)
        # Closing drops the flock. The empty file stays: unlinking it could let a session
        # that opened it a moment ago lock an orphan while a third one makes a new file.
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> SessionLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()

    def _locked(self, pid: int | None) -> SessionLockedError:
        who = f"process {pid}" if pid else "another process"
        return SessionLockedError(
            f"another review session ({who}) has {self.path.parent.parent} open; "
            "close that session first (two sessions would overwrite each other's edits)"
        )


def _read_pid(fd: int) -> int | None:
    try:
        return int(os.pread(fd, 32, 0).decode().strip() or 0) or None
    except (OSError, ValueError):
        return None
