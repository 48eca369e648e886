"""The one error the media layer raises, and the shared first look at a file."""

from __future__ import annotations

import codecs
import errno
from pathlib import Path

from annotator.errors import AnnotatorError
from annotator.userfiles import UserFileError, open_file


class MediaError(AnnotatorError):
    """A file that cannot be used as media: the message says what is wrong, in plain words.

    The message never names the file: the caller adds the name (``f"{path.name}: {err}"``).
    """


# Magic numbers of files people drop into a clip folder by mistake, checked before FFmpeg.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"Rar!", "a RAR archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
)

_SNIFF_BYTES = 4096


def read_head(path: Path) -> bytes:
    """Read the first bytes of ``path``, turning every OS failure into a ``MediaError``.

    Also refuses empty files, so that every reader below starts from bytes that exist, and
    anything but a regular file (a named pipe would block the open for ever).
    """
    try:
        with open_file(path) as fh:
            head = fh.read(_SNIFF_BYTES)
    except UserFileError as exc:
        raise MediaError(str(exc)) from None
    except FileNotFoundError:
        raise MediaError("file not found") from None
    except IsADirectoryError:
        raise MediaError("is a folder, not a file") from None
    except PermissionError:
        raise MediaError("file is unreadable: permission denied") from None
    except OSError as exc:
        if exc.errno == errno.EISDIR:
            raise MediaError("is a folder, not a file") from None
        reason = exc.strerror or str(exc)
        raise MediaError(f"file is unreadable: {reason.lower()}") from None
    if not head:
        raise MediaError("zero-byte file")
    return head


def describe_non_media(head: bytes) -> str | None:
    """What a file is if its first bytes show it is plainly not media ("text file"), else None."""
    for magic, what in _SIGNATURES:
        if head.startswith(magic):
            return what
    if _looks_like_text(head):
        return "text file"
    return None


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        # final=False: a multi-byte character cut at the end of the sniffed block is fine.
        text = codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    if not text:
        return False
    printable = sum(ch.isprintable() or ch in "\t\n\r\f" for ch in text)
    return printable / len(text) >= 0.95
