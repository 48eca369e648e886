"""The poller on a fake clock: its interval, its timeout, and transient failures."""

from __future__ import annotations

import pytest

from annotator.finetune.errors import KeyRefusedError, ServiceError
from annotator.finetune.poll import MAX_FAILURES, Poller, WaitTimeoutError
from tests.finetune.helpers import FakeClock


def test_polls_at_the_interval_until_done() -> None:
    clock = FakeClock()
    answers = iter(["PENDING", "RUNNING", "RUNNING", "SUCCEEDED"])
    seen: list[tuple[str, float]] = []
    result = Poller(30, clock).wait(
        lambda: next(answers), lambda s: s == "SUCCEEDED", lambda s, t: seen.append((s, t))
    )
    assert result == "SUCCEEDED"
    assert clock.naps == [30, 30, 30]
    assert seen[-1] == ("SUCCEEDED", 90)


def test_timeout_says_the_work_goes_on() -> None:
    with pytest.raises(WaitTimeoutError, match="goes on at the service"):
        Poller(10, FakeClock(), timeout=25).wait(lambda: "RUNNING", lambda s: False)


def test_transient_errors_are_reported_then_polling_goes_on() -> None:
    calls = iter([ServiceError("500"), ServiceError("502"), "SUCCEEDED"])
    reported: list[Exception] = []

    def fetch() -> str:
        value = next(calls)
        if isinstance(value, Exception):
            raise value
        return value

    poller = Poller(5, FakeClock(), on_error=reported.append)
    assert poller.wait(fetch, lambda s: True) == "SUCCEEDED"
    assert len(reported) == 2


def test_too_many_failures_in_a_row_or_a_lasting_one_end_it() -> None:
    def broken() -> str:
        raise ServiceError("down")

    with pytest.raises(ServiceError):
        Poller(5, FakeClock()).wait(broken, lambda s: True)

    def refused() -> str:
        raise KeyRefusedError("401")

    clock = FakeClock()
    with pytest.raises(KeyRefusedError):
        Poller(5, clock).wait(refused, lambda s: True)
    assert clock.naps == []  # not retried
    assert MAX_FAILURES > 1
