"""Nothing half-written: every output goes to a temporary beside its target, then renamed.

A temporary in the same folder is on the same file system, so ``os.replace`` is one
atomic rename: a reader sees the old file or the new one, never a part. If anything
fails before ``commit``, the temporaries are removed and every previous output is intact.

A process that is killed cannot remove its temporaries: their names carry its pid
(``.NAME.PID.XXXXXXXX.part``), and the next run removes those whose process is gone
(``remove_leftovers``). A pid that is alive keeps its files: another run may be at work.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType

from annotator.procs import pid_alive

# What follows ".NAME." in a temporary's name: this version's "PID.XXXXXXXX.part" (or
# ".old", a replaced folder on its way out), or the "XXXXXXXX.part" of earlier versions.
_TAIL = re.compile(r"(?:(?P<pid>\d+)\.)?[a-z0-9_]{8}\.(?:part|old)")
# Any temporary of this version, whatever its target (for folders of many targets).
_ANY = re.compile(r"\.(?P<target>.+?)\.(?P<pid>\d+)\.[a-z0-9_]{8}\.part")


class Staging:
    """Temporaries for a set of outputs, renamed into place together by ``commit``."""

    def __init__(self) -> None:
        self._files: list[tuple[Path, Path]] = []
        self._dirs: list[tuple[Path, Path]] = []

    def file(self, target: Path) -> Path:
        """A new empty temporary file that will become TARGET."""
        tmp = temporary_file(target)
        self._files.append((tmp, target))
        return tmp

    def write_bytes(self, target: Path, data: bytes) -> None:
        """Stage TARGET with DATA."""
        tmp = self.file(target)
        with tmp.open("wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())

    def folder(self, target: Path) -> Path:
        """A new empty temporary folder that will become TARGET (replacing an old one)."""
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=_prefix(target), suffix=".part"))
        self._dirs.append((tmp, target))
        return tmp

    def commit(self) -> None:
        """Move every temporary into place."""
        for tmp, target in self._dirs:
            _replace_dir(tmp, target)
        for tmp, target in self._files:
            os.replace(tmp, target)
        self._files, self._dirs = [], []

    def abort(self) -> None:
        """Remove every temporary; the targets are left as they were."""
        for tmp, _ in self._files:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        for tmp, _ in self._dirs:
            shutil.rmtree(tmp, ignore_errors=True)
        self._files, self._dirs = [], []

    def __enter__(self) -> Staging:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if kind is None:
            self.commit()
        else:
            self.abort()


def _replace_dir(tmp: Path, target: Path) -> None:
    # A folder cannot be replaced in one rename while the old one holds files: move the old
    # one aside first (one rename), put the new one in place (one rename), then delete.
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(dir=target.parent, prefix=_prefix(target), suffix=".old"))
        os.replace(target, old / target.name)
    os.replace(tmp, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _prefix(target: Path) -> str:
    return f".{target.name}.{os.getpid()}."


def temporary_file(target: Path) -> Path:
    """A new empty file beside TARGET (hidden, named for it and this process) to rename over it.

    Made with the mode a plain new file gets (0666 less the umask), not mkstemp's 0600: the
    file becomes the output, which others may read as they could before.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    while True:
        tmp = target.parent / f"{_prefix(target)}{secrets.token_hex(4)}.part"
        try:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
            fd = os.open(tmp, flags, 0o666)
        except FileExistsError:  # pragma: no cover - 1 in 4 billion
            continue
        os.close(fd)
        return tmp


def _dead(pid: str | None) -> bool:
    # No pid: a name of an earlier version, which no run of this one can be writing.
    return pid is None or not pid_alive(int(pid))


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def remove_leftovers(folder: Path, targets: Iterable[str]) -> list[Path]:
    """Remove the temporaries for TARGETS (names in FOLDER) that killed runs left; them."""
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    wanted = [f".{name}." for name in targets]
    for entry in folder.iterdir():
        head = next((w for w in wanted if entry.name.startswith(w)), None)
        if head is None:
            continue
        tail = _TAIL.fullmatch(entry.name[len(head) :])
        if tail is not None and _dead(tail["pid"]):
            _remove(entry)
            removed.append(entry)
    return removed


def remove_leftovers_below(folder: Path) -> list[Path]:
    """Remove every temporary file a killed run of this version left anywhere under FOLDER."""
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for dirpath, _dirs, files in os.walk(folder):  # links to folders are not followed
        for name in files:
            match = _ANY.fullmatch(name)
            if match is not None and _dead(match["pid"]):
                path = Path(dirpath) / name
                _remove(path)
                removed.append(path)
    return removed
