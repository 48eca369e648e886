"""A semaphore whose size follows AIMD: halve on throttling, grow by one after successes."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Literal

# "unused": the slot was given back before a request was sent (another run had it).
Outcome = Literal["ok", "throttled", "failed", "unused"]


class AdaptiveLimiter:
    """At most ``limit`` holders at once; ``limit`` moves between 1 and ``maximum``.

    ``acquire`` returns a ticket (the epoch at the time) so that 429s from
    requests started before the last cut do not cut again: one burst of
    throttling halves the limit once.
    """

    def __init__(self, maximum: int, increase_after: int = 4) -> None:
        self.maximum = maximum
        self.limit = maximum
        self.in_flight = 0
        self.increase_after = max(1, increase_after)
        self._successes = 0
        self._epoch = 0
        self._cond = threading.Condition()

    def acquire(self, should_stop: Callable[[], bool]) -> int | None:
        """Wait for a free slot; None if ``should_stop()`` turns true first."""
        with self._cond:
            while self.in_flight >= self.limit and not should_stop():
                # A timeout too, since should_stop may flip without a notify (a cancel Event).
                self._cond.wait(timeout=0.1)
            if should_stop():
                return None
            self.in_flight += 1
            return self._epoch

    def release(self, ticket: int, outcome: Outcome) -> None:
        """Give the slot back and adjust the limit by what happened."""
        with self._cond:
            self.in_flight -= 1
            if outcome == "throttled":
                self._successes = 0
                if ticket == self._epoch:
                    self.limit = max(1, self.limit // 2)
                    self._epoch += 1
            elif outcome == "ok":
                self._successes += 1
                if self._successes >= self.increase_after and self.limit < self.maximum:
                    self.limit += 1
                    self._successes = 0
            self._cond.notify_all()

    def wake(self) -> None:
        """Wake every waiter so it can see a stop."""
        with self._cond:
            self._cond.notify_all()
