"""The worker threads that use the store, counted, so the app waits for them at exit.

A Textual thread worker that is cancelled keeps running until its function returns; if
the workspace were closed under it, SQLite would be used after close. The app stops the
caption batch and waits here before it lets the caller close the workspace.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class StoreThreads:
    """How many worker threads are using the store, and the batches that can be stopped."""

    def __init__(self) -> None:
        self._count = 0
        self._closing = False
        self._idle = threading.Condition()
        self._stops: set[threading.Event] = set()

    @contextmanager
    def working(self, stop: threading.Event | None = None) -> Iterator[None]:
        """Count the calling thread as using the store; STOP ends it early at exit.

        Raises StoreClosingError once the app is closing: a worker that starts that late
        must not touch the store."""
        with self._idle:
            if self._closing:
                raise StoreClosingError("the review session is closing")
            self._count += 1
            if stop is not None:
                self._stops.add(stop)
        try:
            yield
        finally:
            with self._idle:
                self._count -= 1
                if stop is not None:
                    self._stops.discard(stop)
                self._idle.notify_all()

    def stop_and_wait(self, timeout: float) -> bool:
        """Ask running batches to stop and wait until no thread uses the store."""
        with self._idle:
            self._closing = True
            for stop in self._stops:
                stop.set()
            return self._idle.wait_for(lambda: self._count == 0, timeout)


class StoreClosingError(RuntimeError):
    """A worker started after the session began to close."""
