"""The one base class of every error a user can cause, and what the CLI does with it.

Each error carries the message (what happened, naming the file or sample), the fix
(what to do about it, when there is one) and the exit code the CLI ends with. The
CLI catches this base alone; anything else is a bug, reported in one line with the
path of the full traceback.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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


def plain_problem(problem: Mapping[str, Any], *, extra: str = "is not a known field") -> str:
    """What is wrong with one value, in plain words, from one of pydantic's error dicts
    (``ValidationError.errors()``): "is missing", "must be at most 64", "must be a number".

    The one wording for a value that a file, a config or a command line got wrong; the
    caller puts the field's name before it. EXTRA: the words for a field not known.
    """
    kind = str(problem.get("type", ""))
    limits: Mapping[str, Any] = problem.get("ctx") or {}
    bounds = {
        "less_than_equal": ("at most", "le"),
        "less_than": ("under", "lt"),
        "greater_than_equal": ("at least", "ge"),
        "greater_than": ("over", "gt"),
    }
    if kind in bounds:
        words, key = bounds[kind]
        return f"must be {words} {limits.get(key)}"
    simple = {
        "missing": "is missing",
        "extra_forbidden": extra,
        "int_parsing": "must be a whole number",
        "int_type": "must be a whole number",
        "float_parsing": "must be a number",
        "float_type": "must be a number",
        "bool_parsing": "must be true or false",
        "bool_type": "must be true or false",
        "string_type": "must be text",
        "dict_type": "must be a table of fields",
        "model_type": "must be a table of fields",
        "list_type": "must be a list",
    }
    if kind in simple:
        return simple[kind]
    if kind in ("literal_error", "enum"):
        expected = str(limits.get("expected", "")).replace("'", "")
        return f"must be {expected}"
    message = str(problem.get("msg", "is not valid")).removeprefix("Value error, ")
    return message[:1].lower() + message[1:]
