"""The commands a message suggests, written so they can be pasted into a shell as they are.

Every path (and any other word a user or a file chose) is quoted as a POSIX shell needs:
``annotator caption '/tmp/My Effect Clips'``. The one place such a command is built.
"""

from __future__ import annotations

import shlex
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
    """WORD as one shell word (``shlex.quote``): bare when it is safe, else in quotes."""
    return shlex.quote(str(word))
