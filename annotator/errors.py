"""The one base class of every error a user can cause, and what the CLI does with it.

Each error carries the message (what happened, naming the file or sample), the fix
(what to do about it, when there is one) and the exit code the CLI ends with. The
CLI catches this base alone; anything else is a bug, reported in one line with the
path of the full traceback.
"""

from __future__ import annotations

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


class AnnotatorError(Exception):
    """Something the user can fix: a bad file, a refused request, a locked workspace."""

    exit_code: int = EXIT_PROBLEMS

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return self.message if self.fix is None else f"{self.message}; {self.fix}"


class UsageError(AnnotatorError):
    """The command was called wrongly: an unknown name, a bad combination of options."""

    exit_code = EXIT_USAGE
