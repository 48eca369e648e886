"""Caption many clips at once: threads, adaptive concurrency, retries, a clean stop.

``run_batch`` blocks until every request is done, failed or skipped. Work runs
on a pool of threads; the callbacks (``on_result``, ``on_error``,
``on_progress``) run on the thread that called ``run_batch``, one at a time,
so the caller can write each result to its store at once without locking.
The review UI calls ``run_batch`` from a Textual thread worker.

Concurrency adapts (AIMD): the limit halves on a 429, down to 1, and grows by
one after ``increase_after`` successes in a row, back up to ``concurrency``.
A burst of 429s from requests that were already in flight halves it once.
"""

from __future__ import annotations

import queue
import random
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from annotator.captioning.base import CaptionRequest, CaptionResult, Provider
from annotator.captioning.errors import ProviderError, RateLimitedError
from annotator.captioning.limiter import AdaptiveLimiter

BACKOFF_BASE_S = 1.0
RATE_LIMIT_BASE_S = 2.0  # DashScope 429s also mean "quota": wait longer than for a 5xx
BACKOFF_CAP_S = 60.0
RETRY_AFTER_CAP_S = 300.0


@dataclass(frozen=True)
class BatchProgress:
    """Where the batch stands; ``message`` says what just happened, if notable."""

    total: int
    done: int = 0
    failed: int = 0
    skipped: int = 0
    in_flight: int = 0
    limit: int = 0
    retries: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    message: str | None = None

    @property
    def finished(self) -> int:
        """Requests with an outcome (done, failed or skipped)."""
        return self.done + self.failed + self.skipped


@dataclass(frozen=True)
class BatchSummary:
    """The outcome of a batch. ``stop_reason`` is set when it ended early."""

    total: int
    done: int
    failed: int
    skipped: int
    retries: int
    input_tokens: int
    output_tokens: int
    stop_reason: str | None = None

    @property
    def stopped(self) -> bool:
        """True when the batch did not try every request (auth error or cancel)."""
        return self.stop_reason is not None


@dataclass(frozen=True)
class _Event:
    kind: str  # "result" | "error" | "retry" | "skipped"
    request: CaptionRequest
    result: CaptionResult | None = None
    error: ProviderError | None = None
    delay: float = 0.0


def backoff_delay(attempt: int, error: ProviderError, rng: random.Random) -> float:
    """Seconds to wait before attempt ``attempt + 1``: Retry-After if given, else
    exponential with jitter (between half and all of base * 2**(attempt-1))."""
    if isinstance(error, RateLimitedError) and error.retry_after is not None:
        return min(error.retry_after, RETRY_AFTER_CAP_S)
    base = RATE_LIMIT_BASE_S if isinstance(error, RateLimitedError) else BACKOFF_BASE_S
    ceiling = min(BACKOFF_CAP_S, base * 2 ** (attempt - 1))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


def _as_provider_error(request: CaptionRequest, exc: Exception) -> ProviderError:
    if isinstance(exc, ProviderError):
        return exc
    # A bug or an unexpected library error: report it on this clip, keep the batch going.
    return ProviderError(f"{request.clip.name}: {type(exc).__name__}: {exc}")


def run_batch(
    provider: Provider,
    requests: Sequence[CaptionRequest],
    *,
    concurrency: int = 4,
    on_result: Callable[[CaptionRequest, CaptionResult], None],
    on_error: Callable[[CaptionRequest, ProviderError], None],
    on_progress: Callable[[BatchProgress], None] | None = None,
    cancel: threading.Event | None = None,
    max_attempts: int = 5,
    sleep: Callable[[float], None] | None = None,
    increase_after: int = 4,
    rng: random.Random | None = None,
) -> BatchSummary:
    """Caption ``requests`` with ``provider``; see the module docstring.

    ``sleep`` waits between retries; by default the wait ends early when the
    batch stops. Tests pass a recorder. An error whose ``stops_batch`` is set
    (a refused or missing key, an unknown model) lets in-flight requests finish
    and starts nothing new; so does setting ``cancel``.
    """
    if concurrency < 1 or max_attempts < 1:
        raise ValueError("concurrency and max_attempts must be at least 1")
    runner = _Runner(provider, concurrency, max_attempts, sleep, increase_after, rng, cancel)
    return runner.run(list(requests), on_result, on_error, on_progress)


class _Runner:
    def __init__(
        self,
        provider: Provider,
        concurrency: int,
        max_attempts: int,
        sleep: Callable[[float], None] | None,
        increase_after: int,
        rng: random.Random | None,
        cancel: threading.Event | None,
    ) -> None:
        self.provider = provider
        self.max_attempts = max_attempts
        self.limiter = AdaptiveLimiter(concurrency, increase_after)
        self.stop = threading.Event()
        self.cancel = cancel or threading.Event()
        self.sleep = sleep or self.stop.wait
        self.rng = rng or random.Random()
        self.rng_lock = threading.Lock()
        self.events: queue.Queue[_Event] = queue.Queue()
        self.concurrency = concurrency

    def stopping(self) -> bool:
        return self.stop.is_set() or self.cancel.is_set()

    def work(self, request: CaptionRequest) -> None:
        """One request, with its retries; always posts exactly one final event."""
        try:
            self.events.put(self._attempts(request))
        except BaseException as exc:  # never leave the main loop waiting
            self.events.put(_Event("error", request, error=_as_provider_error(request, exc)))

    def _attempts(self, request: CaptionRequest) -> _Event:
        attempt = 0
        while True:
            attempt += 1
            ticket = self.limiter.acquire(self.stopping)
            if ticket is None:
                return _Event("skipped", request)
            try:
                result = self.provider.caption(request)
            except Exception as exc:
                error = _as_provider_error(request, exc)
                throttled = isinstance(error, RateLimitedError)
                self.limiter.release(ticket, "throttled" if throttled else "failed")
            else:
                self.limiter.release(ticket, "ok")
                return _Event("result", request, result=result)
            if error.stops_batch:
                # Set here, not only in the main loop, so this thread starts nothing new.
                self.stop.set()
                self.limiter.wake()
            if not error.retryable:
                return _Event("error", request, error=error)
            if attempt >= self.max_attempts:
                error.message = f"{error.message} (gave up after {attempt} attempts)"
                return _Event("error", request, error=error)
            with self.rng_lock:
                delay = backoff_delay(attempt, error, self.rng)
            self.events.put(_Event("retry", request, error=error, delay=delay))
            self.sleep(delay)
            if self.stopping():
                return _Event("skipped", request)

    def run(
        self,
        requests: list[CaptionRequest],
        on_result: Callable[[CaptionRequest, CaptionResult], None],
        on_error: Callable[[CaptionRequest, ProviderError], None],
        on_progress: Callable[[BatchProgress], None] | None,
    ) -> BatchSummary:
        progress = BatchProgress(total=len(requests), limit=self.concurrency)
        stop_reason: str | None = None
        pool = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="caption")
        try:
            for request in requests:
                pool.submit(self.work, request)
            while progress.finished < len(requests):
                event = self._next_event()
                if event is None:  # only polled for the cancel flag
                    if self.cancel.is_set() and stop_reason is None:
                        stop_reason = self._halt("cancelled")
                    continue
                progress = self._apply(event, progress, on_result, on_error)
                if event.error is not None and event.error.stops_batch and stop_reason is None:
                    stop_reason = self._halt(str(event.error))
                if self.cancel.is_set() and stop_reason is None:
                    stop_reason = self._halt("cancelled")
                if on_progress is not None:
                    on_progress(self._snapshot(progress))
        finally:
            # On an exception from a callback: start nothing new, let in-flight calls end.
            self._halt("the caller stopped the batch")
            pool.shutdown(wait=True)
        return BatchSummary(
            total=len(requests),
            done=progress.done,
            failed=progress.failed,
            skipped=progress.skipped,
            retries=progress.retries,
            input_tokens=progress.input_tokens,
            output_tokens=progress.output_tokens,
            stop_reason=stop_reason,
        )

    def _next_event(self) -> _Event | None:
        try:
            return self.events.get(timeout=0.1)
        except queue.Empty:
            return None

    def _halt(self, reason: str) -> str:
        self.stop.set()
        self.limiter.wake()
        return reason

    def _snapshot(self, progress: BatchProgress) -> BatchProgress:
        return replace(progress, in_flight=self.limiter.in_flight, limit=self.limiter.limit)

    @staticmethod
    def _apply(
        event: _Event,
        progress: BatchProgress,
        on_result: Callable[[CaptionRequest, CaptionResult], None],
        on_error: Callable[[CaptionRequest, ProviderError], None],
    ) -> BatchProgress:
        name = event.request.clip.name
        if event.kind == "result" and event.result is not None:
            on_result(event.request, event.result)
            return replace(
                progress,
                done=progress.done + 1,
                input_tokens=progress.input_tokens + (event.result.input_tokens or 0),
                output_tokens=progress.output_tokens + (event.result.output_tokens or 0),
                message=f"{name}: captioned",
            )
        if event.kind == "error" and event.error is not None:
            on_error(event.request, event.error)
            return replace(progress, failed=progress.failed + 1, message=str(event.error))
        if event.kind == "retry":
            return replace(
                progress,
                retries=progress.retries + 1,
                message=f"{event.error}; retrying in {event.delay:.1f} s",
            )
        return replace(progress, skipped=progress.skipped + 1, message=f"{name}: skipped")
