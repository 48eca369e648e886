"""Reading a file a person gave us, and writing into folders of the workspace: one rule each.

Reading: a regular file only, and never through a symbolic link that leads out of the
folder the file belongs to (a dataset being imported, the workspace). ``open()`` on a
named pipe blocks until a writer comes and a device may never end, so the path is looked
at (``lstat``, then ``stat`` for a link) before anything is opened; the file is then opened
non-blocking and looked at again through the descriptor, so that a path swapped for a pipe
between the look and the open is refused too. Every reader of a user's file (scan, import,
the images beside clips, the media readers, export's copies) goes through ``open_file``.

Writing: a folder the tool writes into under the workspace (``export/``, ``imported/``)
must not be, or pass through, a symbolic link: the files would land outside the workspace.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from annotator.errors import AnnotatorError

_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)  # a pipe swapped in after the look opens at once
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)

_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


class UserFileError(OSError):
    """A path the tool will not read; ``strerror`` says why in plain words (no file name)."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(code, reason)

    def __str__(self) -> str:
        return str(self.strerror)


class UnsafeFolderError(AnnotatorError):
    """A folder the tool would write into under the workspace is a symbolic link."""


def _refuse_kind(mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise UserFileError(errno.EISDIR, "is a folder, not a file")
    kind = next((what for test, what in _KINDS if test(mode)), "not a file")
    raise UserFileError(errno.EINVAL, f"{kind}, not a regular file")


def check_file(path: Path, root: Path | None = None) -> os.stat_result:
    """The ``stat`` of PATH when it is a regular file the tool may read.

    Raises ``UserFileError`` for a pipe, socket, device or folder, and for a path under
    ROOT (when given) that a symbolic link takes out of ROOT; a missing file, a broken
    link or a link loop raise the OS's own error (``FileNotFoundError``, ``ELOOP``).
    """
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        st = os.stat(path)  # the target: ENOENT for a broken link, ELOOP for a loop
    if root is not None:
        # realpath resolves every link on the way, a linked folder above the file too.
        real = Path(os.path.realpath(path))
        if not real.is_relative_to(os.path.realpath(root)):
            raise UserFileError(errno.EXDEV, "a symbolic link that leads out of the folder")
    _refuse_kind(st.st_mode)
    return st


def is_readable_file(path: Path, root: Path | None = None) -> bool:
    """True when ``check_file`` takes PATH (for finding files; a reader still opens safely)."""
    try:
        check_file(path, root)
    except OSError:
        return False
    return True


@contextmanager
def open_file(path: Path, root: Path | None = None) -> Iterator[BinaryIO]:
    """Open PATH for reading in binary, after ``check_file``; the same errors."""
    before = check_file(path, root)
    fd = os.open(path, _OPEN_FLAGS)
    try:
        now = os.fstat(fd)
        if (now.st_dev, now.st_ino) != (before.st_dev, before.st_ino):
            raise UserFileError(errno.EAGAIN, "changed while it was being opened; try again")
        _refuse_kind(now.st_mode)
        handle = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with handle:
        yield handle


def read_bytes(path: Path, root: Path | None = None) -> bytes:
    """The whole content of PATH, opened with ``open_file``."""
    with open_file(path, root) as fh:
        return fh.read()


def check_folder(root: Path, folder: Path, *, what: str | None = None) -> None:
    """Refuse FOLDER (to be written into) when a part of it under ROOT is a symbolic link.

    A folder outside ROOT is the user's own choice and is not checked. WHAT names it in
    the message (default: its path relative to ROOT).
    """
    base = Path(os.path.abspath(root))
    target = Path(os.path.abspath(folder))
    if not target.is_relative_to(base):
        return
    current = base
    for part in target.relative_to(base).parts:
        current = current / part
        if current.is_symlink():
            name = what or current.relative_to(base).as_posix()
            raise UnsafeFolderError(
                f"{name} is a symbolic link (to {os.readlink(current)}): writing through it "
                f"would put files outside the workspace {base}",
                fix=f"replace {current} with a real folder",
            )
        if not current.exists():
            return


def file_sha256(path: Path, root: Path | None = None) -> str:
    """The content hash that identifies a clip (opened as ``open_file`` allows, under ROOT)."""
    digest = hashlib.sha256()
    with open_file(path, root) as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
