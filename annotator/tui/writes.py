"""The one guard around the session's writes to the store.

A write the store refuses (full disk, read-only workspace, a lock held too long: the
workspace's StoreWriteError, any other error the person can fix, or an SQLite error the
store passed on) is told to the person, in plain text, and the session goes on; nothing of
that write was kept.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from textual.widget import Widget

from annotator.errors import AnnotatorError
from annotator.safetext import outside_text

T = TypeVar("T")


@dataclass(frozen=True)
class Written(Generic[T]):
    """What a write returned (a write may return None: undo with nothing to undo)."""

    value: T


def guarded_write(notifier: Widget, what: str, write: Callable[[], T]) -> Written[T] | None:
    """Run WRITE; when the store refuses it, say "could not WHAT: why; the fix" and
    return None, so the caller leaves the screen as the store still has it."""
    try:
        return Written(write())
    except (AnnotatorError, sqlite3.Error) as exc:  # a store error SQLite names only
        notifier.notify(
            f"could not {what}: {outside_text(str(exc))}",
            severity="error",
            timeout=10,
            markup=False,
        )
        return None
