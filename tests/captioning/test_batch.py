"""The batch runner against the fake server (real openai SDK) and a scripted provider."""

from __future__ import annotations

import random
import threading
from pathlib import Path

import pytest

from annotator.captioning import (
    AuthError,
    BatchProgress,
    CaptionRequest,
    CaptionResult,
    ContentRejectedError,
    MissingKeyError,
    ProviderError,
    StopBatch,
    UnreachableError,
    get_provider,
    run_requests,
)
from annotator.captioning.batch import backoff_delay
from annotator.captioning.errors import RateLimitedError, TransientError
from tests.captioning.helpers import request_for
from tests.fakes import (
    COMPATIBLE,
    FakeDashScope,
    answer,
    invalid_key,
    moderation,
    rate_limited,
    server_error,
)


class Recorder:
    """Callbacks that write down what they are given, and on which thread."""

    def __init__(self) -> None:
        self.results: list[tuple[CaptionRequest, CaptionResult]] = []
        self.errors: list[tuple[CaptionRequest, ProviderError]] = []
        self.progress: list[BatchProgress] = []
        self.waits: list[float] = []
        self.threads: set[str] = set()

    def on_result(self, request: CaptionRequest, result: CaptionResult) -> None:
        self.threads.add(threading.current_thread().name)
        self.results.append((request, result))

    def on_error(self, request: CaptionRequest, error: ProviderError) -> None:
        self.threads.add(threading.current_thread().name)
        self.errors.append((request, error))

    def on_progress(self, progress: BatchProgress) -> None:
        self.progress.append(progress)

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)

    def kwargs(self) -> dict:
        return {
            "on_result": self.on_result,
            "on_error": self.on_error,
            "on_progress": self.on_progress,
            "sleep": self.sleep,
        }


@pytest.fixture
def requests(clips_dir: Path, small_clip: Path) -> list[CaptionRequest]:
    """Twelve requests for copies of the small clip (names clip00.mp4 ...)."""
    out = []
    for i in range(12):
        copy = clips_dir / f"clip{i:02d}.mp4"
        if not copy.exists():
            copy.write_bytes(small_clip.read_bytes())
        out.append(request_for(copy))
    return out


def openai(fake: FakeDashScope):
    return get_provider("openai", base_url=fake.compatible_base)


def test_all_done_tokens_summed_callbacks_on_the_calling_thread(
    fake: FakeDashScope, requests: list[CaptionRequest]
) -> None:
    rec = Recorder()
    summary = run_requests(openai(fake).caption, requests, concurrency=4, **rec.kwargs())
    assert (summary.done, summary.failed, summary.skipped) == (12, 0, 0)
    assert summary.stop_reason is None and not summary.stopped
    assert (summary.input_tokens, summary.output_tokens) == (12 * 1200, 12 * 80)
    assert {r.clip.name for r, _ in rec.results} == {r.clip.name for r in requests}
    # The store can be written from the callbacks without locks.
    assert rec.threads == {threading.current_thread().name}
    assert rec.progress[-1].finished == 12


def test_concurrency_is_honoured(fake: FakeDashScope, requests: list[CaptionRequest]) -> None:
    fake.queue(COMPATIBLE, *[answer("ok", delay=0.1) for _ in requests])
    summary = run_requests(openai(fake).caption, requests, concurrency=3, **Recorder().kwargs())
    assert summary.done == 12
    assert fake.max_in_flight(COMPATIBLE) == 3


def test_aimd_backs_off_on_429_and_climbs_back(
    fake: FakeDashScope, requests: list[CaptionRequest]
) -> None:
    # Four at once get 429 (one cut: 4 -> 2), their retries get two more (2 -> 1), then all pass.
    throttled = [rate_limited(delay=0.1) for _ in range(6)]
    fake.queue(COMPATIBLE, *throttled, *[answer("ok", delay=0.02) for _ in requests])
    rec = Recorder()
    summary = run_requests(
        openai(fake).caption, requests, concurrency=4, increase_after=2, **rec.kwargs()
    )
    assert (summary.done, summary.retries) == (12, 6)
    limits = [p.limit for p in rec.progress]
    assert min(limits) == 1
    assert 2 in limits[: limits.index(1)]  # halved, then halved again
    after = limits[limits.index(1) :]
    assert after == sorted(after)  # only climbs once the throttling stops
    assert limits[-1] == 4
    assert fake.max_in_flight(COMPATIBLE) <= 4


def test_retry_after_is_honoured(fake: FakeDashScope, requests: list[CaptionRequest]) -> None:
    fake.queue(COMPATIBLE, rate_limited(retry_after=7), answer("after the wait"))
    rec = Recorder()
    summary = run_requests(openai(fake).caption, requests[:1], concurrency=1, **rec.kwargs())
    assert summary.done == 1 and summary.retries == 1
    assert rec.waits == [7.0]
    assert rec.results[0][1].text == "after the wait"
    assert any("retrying in 7.0 s" in (p.message or "") for p in rec.progress)


def test_transient_errors_back_off_exponentially_then_give_up(
    fake: FakeDashScope, requests: list[CaptionRequest]
) -> None:
    fake.queue(COMPATIBLE, *[server_error() for _ in range(5)])
    rec = Recorder()
    summary = run_requests(
        openai(fake).caption,
        requests[:1],
        concurrency=1,
        max_attempts=5,
        rng=random.Random(1),
        **rec.kwargs(),
    )
    assert (summary.done, summary.failed, summary.retries) == (0, 1, 4)
    assert len(fake.requests(COMPATIBLE)) == 5
    assert [type(e) for _, e in rec.errors] == [TransientError]
    for attempt, wait in enumerate(rec.waits, start=1):
        ceiling = 2 ** (attempt - 1)
        assert ceiling / 2 <= wait <= ceiling


def test_auth_error_stops_the_batch(fake: FakeDashScope, requests: list[CaptionRequest]) -> None:
    fake.queue(COMPATIBLE, answer("first is fine"), invalid_key())
    rec = Recorder()
    summary = run_requests(openai(fake).caption, requests[:6], concurrency=1, **rec.kwargs())
    assert (summary.done, summary.failed, summary.skipped) == (1, 1, 4)
    assert summary.stopped
    assert "InvalidApiKey" in (summary.stop_reason or "")
    assert [type(e) for _, e in rec.errors] == [AuthError]
    assert len(fake.requests(COMPATIBLE)) == 2  # nothing new started, nothing retried


def test_missing_key_stops_before_any_request(
    fake: FakeDashScope, no_key: None, requests: list[CaptionRequest]
) -> None:
    dashscope = get_provider("dashscope", base_url=fake.native_base)
    summary = run_requests(dashscope.caption, requests[:5], concurrency=1, **Recorder().kwargs())
    assert (summary.done, summary.failed, summary.skipped) == (0, 1, 4)
    assert summary.stop_reason is not None
    assert summary.stop_reason.startswith("DASHSCOPE_API_KEY is not set")
    assert fake.requests() == []


def test_moderation_fails_one_and_the_rest_finish(
    fake: FakeDashScope, requests: list[CaptionRequest]
) -> None:
    fake.queue(COMPATIBLE, answer("one"), moderation(), *[answer("ok") for _ in range(4)])
    rec = Recorder()
    summary = run_requests(openai(fake).caption, requests[:6], concurrency=1, **rec.kwargs())
    assert (summary.done, summary.failed, summary.skipped, summary.retries) == (5, 1, 0, 0)
    assert not summary.stopped
    ((request, error),) = rec.errors
    assert isinstance(error, ContentRejectedError)
    assert request.clip.name in str(error)
    assert len(fake.requests(COMPATIBLE)) == 6


def test_cancel_lets_in_flight_finish_and_starts_nothing_new(
    fake: FakeDashScope, requests: list[CaptionRequest]
) -> None:
    cancel = threading.Event()
    fake.queue(COMPATIBLE, *[answer("ok", delay=0.05) for _ in requests])
    rec = Recorder()

    def on_result(request: CaptionRequest, result: CaptionResult) -> None:
        rec.on_result(request, result)
        cancel.set()

    kwargs = {**rec.kwargs(), "on_result": on_result}
    summary = run_requests(openai(fake).caption, requests, concurrency=2, cancel=cancel, **kwargs)
    assert summary.stop_reason == "cancelled"
    # The two in flight finish; each worker may have started one more before the flag was set.
    assert summary.done == len(rec.results) <= 4
    assert summary.done + summary.skipped == 12 and summary.failed == 0
    assert len(fake.requests(COMPATIBLE)) == summary.done


def test_cancel_interrupts_a_backoff_wait(
    fake: FakeDashScope, requests: list[CaptionRequest]
) -> None:
    fake.queue(COMPATIBLE, rate_limited(retry_after=120))
    cancel = threading.Event()
    rec = Recorder()

    def on_progress(progress: BatchProgress) -> None:
        if progress.retries:
            cancel.set()

    kwargs = {**rec.kwargs(), "on_progress": on_progress, "sleep": None}
    summary = run_requests(
        openai(fake).caption, requests[:1], concurrency=1, cancel=cancel, **kwargs
    )
    assert (summary.done, summary.skipped, summary.stop_reason) == (0, 1, "cancelled")


class Scripted:
    """An in-process provider that fails in a chosen way for chosen clips."""

    name = "scripted"
    key_env_var = None
    needs_key = False

    def __init__(self, failures: dict[str, Exception]) -> None:
        self.failures = failures

    def caption(self, request: CaptionRequest) -> CaptionResult:
        failure = self.failures.get(request.clip.name)
        if failure is not None:
            raise failure
        return CaptionResult(f"caption of {request.clip.name}", request.model, 10, 2)


def test_an_unexpected_exception_is_one_sample_error(requests: list[CaptionRequest]) -> None:
    provider = Scripted({"clip01.mp4": KeyError("boom")})
    rec = Recorder()
    summary = run_requests(provider.caption, requests[:3], concurrency=2, **rec.kwargs())
    assert (summary.done, summary.failed) == (2, 1)
    ((request, error),) = rec.errors
    assert request.clip.name == "clip01.mp4"
    assert str(error) == "clip01.mp4: KeyError: 'boom'"


def test_a_failing_callback_stops_the_batch_and_propagates(requests: list[CaptionRequest]) -> None:
    def on_result(request: CaptionRequest, result: CaptionResult) -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        run_requests(
            Scripted({}).caption, requests, concurrency=2, on_result=on_result, on_error=print
        )


def test_empty_batch_and_bad_arguments() -> None:
    summary = run_requests(Scripted({}).caption, [], on_result=print, on_error=print)
    assert (summary.total, summary.done) == (0, 0)
    with pytest.raises(ValueError):
        run_requests(Scripted({}).caption, [], concurrency=0, on_result=print, on_error=print)


def test_missing_key_error_class_stops(requests: list[CaptionRequest]) -> None:
    provider = Scripted({r.clip.name: MissingKeyError("KEY is not set") for r in requests})
    summary = run_requests(
        provider.caption, requests, concurrency=1, on_result=print, on_error=lambda *a: None
    )
    assert summary.stop_reason == "KEY is not set"
    assert summary.failed == 1 and summary.skipped == 11


def test_backoff_delay_rules() -> None:
    rng = random.Random(0)
    assert backoff_delay(1, RateLimitedError("x", retry_after=3.0), rng) == 3.0
    assert backoff_delay(1, RateLimitedError("x", retry_after=9999.0), rng) == 300.0
    assert 1.0 <= backoff_delay(1, RateLimitedError("x"), rng) <= 2.0
    assert 30.0 <= backoff_delay(12, TransientError("x"), rng) <= 60.0


# -- claims, connection failures in a row, a callback that stops the batch (issue 10) ------


class Counting(Scripted):
    """A scripted provider that counts the requests it was sent."""

    def __init__(self, failures: dict[str, Exception]) -> None:
        super().__init__(failures)
        self.sent: list[str] = []
        self.lock = threading.Lock()

    def caption(self, request: CaptionRequest) -> CaptionResult:
        with self.lock:
            self.sent.append(request.clip.name)
        return super().caption(request)


def test_a_request_another_run_holds_is_taken_not_sent(requests: list[CaptionRequest]) -> None:
    provider = Counting({})
    held_elsewhere = {r.clip.name for r in requests[::3]}
    rec = Recorder()
    summary = run_requests(
        provider.caption,
        requests,
        concurrency=3,
        claim=lambda r: r.clip.name not in held_elsewhere,
        **rec.kwargs(),
    )
    assert (summary.done, summary.taken, summary.failed, summary.skipped) == (8, 4, 0, 0)
    assert not summary.stopped
    assert not held_elsewhere & set(provider.sent)
    assert len(provider.sent) == 8
    assert rec.progress[-1].finished == 12


def test_connection_failures_in_a_row_stop_the_batch_and_blame_no_clip(
    requests: list[CaptionRequest],
) -> None:
    down = UnreachableError("clip: Connection error. (http://127.0.0.1:9/v1)")
    provider = Counting({r.clip.name: down for r in requests})
    rec = Recorder()
    summary = run_requests(provider.caption, requests, concurrency=2, **rec.kwargs())
    assert summary.stopped
    assert "3 connection failures in a row" in (summary.stop_reason or "")
    assert "127.0.0.1:9" in (summary.stop_reason or "")
    assert "\n" not in (summary.stop_reason or "")
    # No clip is reported failed: the requests were cut short, not refused.
    assert rec.errors == [] and summary.failed == 0
    assert summary.done == 0 and summary.skipped == 12
    # Three failures stop it; the other worker may have had one more attempt under way.
    assert 3 <= len(provider.sent) <= 4


def test_an_answer_between_connection_failures_resets_the_count(
    requests: list[CaptionRequest],
) -> None:
    down = UnreachableError("clip: Connection error.")
    every_other = {r.clip.name: down for r in requests[::2]}
    summary = run_requests(
        Counting(every_other).caption,
        requests,
        concurrency=1,
        max_attempts=1,
        **Recorder().kwargs(),
    )
    assert not summary.stopped
    assert (summary.done, summary.failed) == (6, 6)


def test_stop_batch_from_a_callback_reports_in_flight_and_starts_nothing_new(
    fake: FakeDashScope, requests: list[CaptionRequest]
) -> None:
    fake.queue(COMPATIBLE, *[answer("ok", delay=0.05) for _ in requests])
    seen: list[str] = []

    def on_result(request: CaptionRequest, result: CaptionResult) -> None:
        seen.append(request.clip.name)
        raise StopBatch("cannot store: the disk is full")

    summary = run_requests(
        openai(fake).caption, requests, concurrency=2, on_result=on_result, on_error=print
    )
    assert summary.stop_reason == "cannot store: the disk is full"
    # Every answer that came back reached the callback (the caller counts what it lost).
    assert summary.done == len(seen) == len(fake.requests(COMPATIBLE)) <= 4
    assert summary.done + summary.skipped == 12


def test_a_claim_that_stops_the_batch_sends_nothing(requests: list[CaptionRequest]) -> None:
    provider = Counting({})

    def claim(request: CaptionRequest) -> bool:
        raise StopBatch("the store is read-only")

    summary = run_requests(
        provider.caption, requests, concurrency=2, claim=claim, **Recorder().kwargs()
    )
    assert summary.stop_reason == "the store is read-only"
    assert provider.sent == [] and summary.skipped == 12
