"""Nothing half-written: every output goes to a temporary beside its target, then renamed.

A temporary in the same folder is on the same file system, so ``os.replace`` is one
atomic rename: a reader sees the old file or the new one, never a part. If anything
fails before ``commit``, the temporaries are removed and every previous output is intact.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from types import TracebackType


class Staging:
    """Temporaries for a set of outputs, renamed into place together by ``commit``."""

    def __init__(self) -> None:
        self._files: list[tuple[Path, Path]] = []
        self._dirs: list[tuple[Path, Path]] = []

    def file(self, target: Path) -> Path:
        """A new empty temporary file that will become TARGET."""
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
        os.close(fd)
        self._files.append((Path(tmp), target))
        return Path(tmp)

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
        tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part"))
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
        old = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".old"))
        os.replace(target, old / target.name)
    os.replace(tmp, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
