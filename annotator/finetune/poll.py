"""Polling: ask again every so often until a status is final, with the clock injectable.

Training takes hours, a deployment minutes, a video about one: each has its own
interval. A transient failure of one poll (5xx, throttle, dropped connection) is
reported and polling goes on; a few in a row end it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from annotator.finetune.errors import RemoteError

T = TypeVar("T")

JOB_INTERVAL = 30.0  # the SDK's FineTunes.wait polls every 30 s too
DEPLOYMENT_INTERVAL = 15.0
TASK_INTERVAL = 5.0
EXPORT_INTERVAL = 10.0
MAX_FAILURES = 5


class WaitTimeoutError(RemoteError):
    """Gave up waiting; the resource goes on at the service."""


@dataclass
class Clock:
    """Where polling gets the time and its naps from; tests pass a fake one."""

    now: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep


@dataclass
class Poller:
    """Call ``fetch`` until ``done`` says so; ``on_update`` sees every answer."""

    interval: float
    clock: Clock = field(default_factory=Clock)
    timeout: float | None = None
    on_error: Callable[[RemoteError], None] | None = None

    def wait(
        self,
        fetch: Callable[[], T],
        done: Callable[[T], bool],
        on_update: Callable[[T, float], None] | None = None,
        *,
        what: str = "the service",
    ) -> T:
        start = self.clock.now()
        failures = 0
        while True:
            try:
                value = fetch()
                failures = 0
            except RemoteError as exc:
                failures += 1
                if not exc.transient or failures >= MAX_FAILURES:
                    raise
                if self.on_error:
                    self.on_error(exc)
            else:
                if on_update:
                    on_update(value, self.clock.now() - start)
                if done(value):
                    return value
            elapsed = self.clock.now() - start
            if self.timeout is not None and elapsed >= self.timeout:
                raise WaitTimeoutError(
                    f"stopped waiting for {what} after {elapsed:.0f} s; it goes on at the "
                    "service: run the same command with --wait to pick it up again"
                )
            self.clock.sleep(self.interval)
