"""The commands a message suggests, written so they can be pasted into a shell as they are.

Every path (and any other word a user or a file chose) is quoted as a POSIX shell needs:
``annotator caption '/tmp/My Effect Clips'``. The one place such a command is built.
"""

from __future__ import annotations

import shlex
import unicodedata
from os import PathLike

PROGRAM = "annotator"


def command(name: str, *words: str | PathLike[str]) -> str:
    """``annotator NAME WORDS...``, each word quoted for the shell when it needs it.

    A word of plain letters, digits and ``-_./=:@%+,`` stays bare, so flags and placeholders
    (``--apply``, ``DIR``) read as written; text that is not one word (``[--checkpoint
    CKPT]``) is appended by the caller after the command.
    """
    return " ".join([PROGRAM, name, *(quote(w) for w in words)])


def quote(word: str | PathLike[str]) -> str:
    """WORD as one shell word (``shlex.quote``): bare when it is safe, else in quotes.

    A word with control characters (an escape sequence, a newline, a right-to-left mark in
    a folder's name) is written in ANSI-C quotes, ``$'...\\x1b...'``, which bash and zsh
    read back as the same word: the terminal shows the escapes as text, never runs them.
    """
    text = str(word)
    if any(_is_control(c) for c in text):
        return "$'" + "".join(_ansi_c(c) for c in text) + "'"
    return shlex.quote(text)


def _is_control(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Cf")


def _ansi_c(char: str) -> str:
    """CHAR inside $'...': backslash and quote escaped, a control character by its code."""
    if char in "\\'":
        return "\\" + char
    if not _is_control(char):
        return char
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
