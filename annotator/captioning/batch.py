"""Caption many clips at once: threads, adaptive concurrency, retries, a clean stop.

``run_requests`` blocks until every request is done, failed or skipped. It sends each
request with a "send one" callable: a provider's ``caption`` for the caption pass,
``verify_clip`` for the verify pass (annotator/pipeline/claimed.py runs both). Work runs
on a pool of threads; the callbacks (``on_result``, ``on_error``,
``on_progress``) run on the thread that called ``run_requests``, one at a time,
so the caller can write each result to its store at once without locking.
The review UI runs it (through the caption pass) from a Textual thread worker.

Concurrency adapts (AIMD): the limit halves on a 429, down to 1, and grows by
one after ``increase_after`` successes in a row, back up to ``concurrency``.
A burst of 429s from requests that were already in flight halves it once.

The batch stops (starts nothing new, lets in-flight requests end) on a refused key or
an unknown model, on ``cancel``, after ``UNREACHABLE_STOP_AFTER`` connection failures
in a row (every other request would fail the same way), and when a callback raises
``StopBatch`` (the caller cannot store answers any more).

``claim``, when given, is asked on a worker thread just before a request is first sent;
False means another run sends it (or has stored its answer), and it is counted as
``taken``. Two batches on one workspace share the work this way instead of doubling it.
"""

from __future__ import annotations

import queue
import random
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from annotator.captioning.errors import ProviderError, RateLimitedError, UnreachableError
from annotator.captioning.limiter import AdaptiveLimiter

BACKOFF_BASE_S = 1.0
RATE_LIMIT_BASE_S = 2.0  # DashScope 429s also mean "quota": wait longer than for a 5xx
BACKOFF_CAP_S = 60.0
RETRY_AFTER_CAP_S = 300.0
# Connection failures in a row (with no answer in between) that stop the batch.
UNREACHABLE_STOP_AFTER = 3


class StopBatch(Exception):  # noqa: N818 - it is a request, not an error
    """Raised by a callback (``on_result``, ``on_error``, ``claim``) to end the batch:
    nothing new starts, requests in flight end and are still reported. ``reason`` becomes
    the summary's ``stop_reason``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class BatchProgress:
    """Where the batch stands; ``message`` says what just happened, if notable."""

    total: int
    done: int = 0
    failed: int = 0
    skipped: int = 0
    taken: int = 0  # left to another run that holds the request or stored its answer
    in_flight: int = 0
    limit: int = 0
    retries: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    message: str | None = None

    @property
    def finished(self) -> int:
        """Requests with an outcome (done, failed, skipped or taken by another run)."""
        return self.done + self.failed + self.skipped + self.taken


@dataclass(frozen=True)
class BatchSummary:
    """The outcome of a batch. ``stop_reason`` is set when it ended early.

    ``taken``: requests another run holds or has answered; ``lost``: answers that came
    back but could not be stored (set by the caller that stores them; not in ``done``).
    """

    total: int
    done: int
    failed: int
    skipped: int
    retries: int
    input_tokens: int
    output_tokens: int
    stop_reason: str | None = None
    taken: int = 0
    lost: int = 0

    @property
    def stopped(self) -> bool:
        """True when the batch did not try every request (auth error or cancel)."""
        return self.stop_reason is not None


class OneRequest(Protocol):
    """What the runner needs of a request: the clip it is about (errors name it)."""

    @property
    def clip(self) -> Path: ...


class OneResult(Protocol):
    """What the runner needs of a result: the tokens it cost."""

    @property
    def input_tokens(self) -> int | None: ...

    @property
    def output_tokens(self) -> int | None: ...


Req = TypeVar("Req", bound=OneRequest)
Res = TypeVar("Res", bound=OneResult)


@dataclass(frozen=True)
class _Event(Generic[Req, Res]):
    kind: str  # "result" | "error" | "retry" | "skipped" | "taken"
    request: Req
    result: Res | None = None
    error: ProviderError | None = None
    delay: float = 0.0


def backoff_delay(attempt: int, error: ProviderError, rng: random.Random) -> float:
    """Seconds to wait before attempt ``attempt + 1``: Retry-After if given, else
    exponential with jitter (between half and all of base * 2**(attempt-1))."""
    if isinstance(error, RateLimitedError) and error.retry_after is not None:
        return min(error.retry_after, RETRY_AFTER_CAP_S)
    base = RATE_LIMIT_BASE_S if isinstance(error, RateLimitedError) else BACKOFF_BASE_S
    ceiling = min(BACKOFF_CAP_S, base * 2.0 ** (attempt - 1))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


def _as_provider_error(request: OneRequest, exc: BaseException) -> ProviderError:
    if isinstance(exc, ProviderError):
        return exc
    # A bug or an unexpected library error: report it on this clip, keep the batch going.
    return ProviderError(f"{request.clip.name}: {type(exc).__name__}: {exc}")


def run_requests(
    send: Callable[[Req], Res],
    requests: Sequence[Req],
    *,
    concurrency: int = 4,
    on_result: Callable[[Req, Res], None],
    on_error: Callable[[Req, ProviderError], None],
    on_progress: Callable[[BatchProgress], None] | None = None,
    cancel: threading.Event | None = None,
    claim: Callable[[Req], bool] | None = None,
    max_attempts: int = 5,
    sleep: Callable[[float], None] | None = None,
    increase_after: int = 4,
    rng: random.Random | None = None,
    done_word: str = "captioned",
) -> BatchSummary:
    """Send ``requests`` with SEND; see the module docstring.

    SEND answers one (raising a ``ProviderError`` subclass on failure, from several threads
    at once). ``sleep`` waits between retries; by default the wait ends early when the
    batch stops. Tests pass a recorder. An error whose ``stops_batch`` is set (a refused
    or missing key, an unknown model) lets in-flight requests finish and starts nothing
    new; so does setting ``cancel``. DONE_WORD says what an answered request is in the
    progress messages ("captioned", "verified")."""
    if concurrency < 1 or max_attempts < 1:
        raise ValueError("concurrency and max_attempts must be at least 1")
    runner: _Runner[Req, Res] = _Runner(
        send, concurrency, max_attempts, sleep, increase_after, rng, cancel
    )
    runner.claim = claim
    runner.done_word = done_word
    return runner.run(list(requests), _Callbacks(on_result, on_error), on_progress)


class _Runner(Generic[Req, Res]):
    def __init__(
        self,
        send: Callable[[Req], Res],
        concurrency: int,
        max_attempts: int,
        sleep: Callable[[float], None] | None,
        increase_after: int,
        rng: random.Random | None,
        cancel: threading.Event | None,
    ) -> None:
        self.send = send
        self.max_attempts = max_attempts
        self.limiter = AdaptiveLimiter(concurrency, increase_after)
        self.stop = threading.Event()
        self.cancel = cancel or threading.Event()
        self.sleep = sleep or self.stop.wait
        self.rng = rng or random.Random()
        self.rng_lock = threading.Lock()
        self.events: queue.Queue[_Event[Req, Res]] = queue.Queue()
        self.concurrency = concurrency
        self.claim: Callable[[Req], bool] | None = None
        self.done_word = "captioned"
        # Why the batch stops, first reason wins; set from any thread.
        self.reason: str | None = None
        self.reason_lock = threading.Lock()
        self.unreachable_in_a_row = 0

    def stopping(self) -> bool:
        return self.stop.is_set() or self.cancel.is_set()

    def halt(self, reason: str | None) -> None:
        """Start nothing new; REASON (the first one given) becomes the stop reason."""
        with self.reason_lock:
            if self.reason is None and reason is not None:
                self.reason = reason
        self.stop.set()
        self.limiter.wake()

    def work(self, request: Req) -> None:
        """One request, with its retries; always posts exactly one final event."""
        try:
            self.events.put(self._attempts(request))
        except BaseException as exc:  # never leave the main loop waiting
            self.events.put(_Event("error", request, error=_as_provider_error(request, exc)))

    def _claimed(self, request: Req, ticket: int) -> bool:
        """Whether this batch may send REQUEST; gives the slot back when it may not."""
        if self.claim is None:
            return True
        claimed = False
        try:
            claimed = self.claim(request)
        except StopBatch as stop:
            self.halt(stop.reason)
        finally:
            if not claimed:  # also when the claim raised: never keep a slot nobody uses
                self.limiter.release(ticket, "unused")
        return claimed

    def _attempts(self, request: Req) -> _Event[Req, Res]:
        attempt = 0
        while True:
            attempt += 1
            ticket = self.limiter.acquire(self.stopping)
            if ticket is None:
                return _Event("skipped", request)
            if attempt == 1 and not self._claimed(request, ticket):
                return _Event("skipped" if self.stopping() else "taken", request)
            try:
                result = self.send(request)
            except Exception as exc:
                error = _as_provider_error(request, exc)
                throttled = isinstance(error, RateLimitedError)
                self.limiter.release(ticket, "throttled" if throttled else "failed")
            else:
                self.limiter.release(ticket, "ok")
                self._count_connection(None)
                return _Event("result", request, result=result)
            self._count_connection(error)
            if error.stops_batch:
                # Set here, not only in the main loop, so this thread starts nothing new.
                self.halt(str(error))
            if isinstance(error, UnreachableError) and self.stopping():
                # The server is out of reach: no verdict on this clip, it stays as it was.
                return _Event("skipped", request)
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

    def _count_connection(self, error: ProviderError | None) -> None:
        """Count connection failures in a row; any answer from the server resets the count."""
        with self.reason_lock:
            if not isinstance(error, UnreachableError):
                self.unreachable_in_a_row = 0
                return
            self.unreachable_in_a_row += 1
            count = self.unreachable_in_a_row
        if count >= UNREACHABLE_STOP_AFTER:
            self.halt(
                f"{count} connection failures in a row, the last: {error.message}; check the "
                "network, a proxy, the server address (--base-url) and that the server runs, "
                "then run the batch again (the samples were left as they were)"
            )

    def run(
        self,
        requests: list[Req],
        callbacks: _Callbacks[Req, Res],
        on_progress: Callable[[BatchProgress], None] | None,
    ) -> BatchSummary:
        progress = BatchProgress(total=len(requests), limit=self.concurrency)
        pool = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="caption")
        try:
            for request in requests:
                pool.submit(self.work, request)
            while progress.finished < len(requests):
                event = self._next_event()
                if event is not None:
                    progress = self._apply(event, progress, callbacks)
                    if event.error is not None and event.error.stops_batch:
                        self.halt(str(event.error))
                if self.cancel.is_set():
                    self.halt("cancelled")
                if event is not None and on_progress is not None:
                    on_progress(self._snapshot(progress))
        finally:
            # On an exception from a callback: start nothing new, let in-flight calls end.
            self.halt(None)
            pool.shutdown(wait=True)
        return BatchSummary(
            total=len(requests),
            done=progress.done,
            failed=progress.failed,
            skipped=progress.skipped,
            retries=progress.retries,
            input_tokens=progress.input_tokens,
            output_tokens=progress.output_tokens,
            stop_reason=self.reason,
            taken=progress.taken,
        )

    def _next_event(self) -> _Event[Req, Res] | None:
        try:
            return self.events.get(timeout=0.1)
        except queue.Empty:
            return None

    def _snapshot(self, progress: BatchProgress) -> BatchProgress:
        return replace(progress, in_flight=self.limiter.in_flight, limit=self.limiter.limit)

    def _apply(
        self,
        event: _Event[Req, Res],
        progress: BatchProgress,
        callbacks: _Callbacks[Req, Res],
    ) -> BatchProgress:
        try:
            return self._record(event, progress, callbacks)
        except StopBatch as stop:
            self.halt(stop.reason)
            return self._record(event, progress, _Callbacks(_ignore, _ignore))

    def _record(
        self,
        event: _Event[Req, Res],
        progress: BatchProgress,
        callbacks: _Callbacks[Req, Res],
    ) -> BatchProgress:
        """PROGRESS after EVENT, with EVENT handed to its callback first."""
        name = event.request.clip.name
        if event.kind == "result" and event.result is not None:
            callbacks.on_result(event.request, event.result)
            return replace(
                progress,
                done=progress.done + 1,
                input_tokens=progress.input_tokens + (event.result.input_tokens or 0),
                output_tokens=progress.output_tokens + (event.result.output_tokens or 0),
                message=f"{name}: {self.done_word}",
            )
        if event.kind == "error" and event.error is not None:
            callbacks.on_error(event.request, event.error)
            return replace(progress, failed=progress.failed + 1, message=str(event.error))
        if event.kind == "retry":
            return replace(
                progress,
                retries=progress.retries + 1,
                message=f"{event.error}; retrying in {event.delay:.1f} s",
            )
        if event.kind == "taken":
            return replace(
                progress, taken=progress.taken + 1, message=f"{name}: left to another run"
            )
        return replace(progress, skipped=progress.skipped + 1, message=f"{name}: skipped")


@dataclass(frozen=True)
class _Callbacks(Generic[Req, Res]):
    """Where the runner hands each answer and each failure, on the caller's thread."""

    on_result: Callable[[Req, Res], None]
    on_error: Callable[[Req, ProviderError], None]


def _ignore(*_: object) -> None:
    """A callback that does nothing (the event is counted, its callback already failed)."""
