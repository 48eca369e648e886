"""One batch run's bookkeeping in the store, for every pass that sends requests (caption,
verify): claim each request just before it is sent, release it once its failure is stored
(an answer, once stored, keeps others away by itself; the rest go when the run ends),
and stop the batch when the store refuses a write, counting the answers lost.

The pass itself sends a request and stores its answer (``send``/``store``/``failed`` of its
own run class); this is the part both passes share, so two runs on one workspace never send
one request twice: the check before anything is sent (``check_before_sending``) and the
run itself (``run_claimed``).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Generic, Protocol, TypeVar

from annotator.captioning import BatchProgress, BatchSummary, Provider, ProviderError, StopBatch
from annotator.captioning.batch import OneRequest, OneResult, run_requests
from annotator.captioning.preflight import check_ready
from annotator.errors import AnnotatorError
from annotator.workspace import Claimant, ClaimOutcome, Sample, StoreWriteError, Workspace
from annotator.workspace.db import now_iso

Req = TypeVar("Req", bound=OneRequest)
Res = TypeVar("Res", bound=OneResult)
OnFailure = Callable[[Sample, ProviderError], None]


class ClaimedRun(Generic[Req, Res]):
    """Claims of one run of pass KIND; KEY gives a request's cache key, SAMPLE_ID its sample.

    A pass subclasses it with ``send`` (ask the model about one request), ``store`` (commit
    its answer) and ``failed`` (report a failure, release the claim);
    DONE_WORD says what an answered request is ("captioned", "verified").

    FORCE: an answer stored before this run began is to be replaced; one stored by another
    run since then is what this run would fetch again. COMMAND names the command to run
    again for answers that were lost ("caption", "verify").
    """

    done_word = "captioned"

    def __init__(
        self,
        ws: Workspace,
        kind: str,
        key: Callable[[Req], str],
        sample_id: Callable[[Req], str],
        *,
        force: bool,
        command: str,
    ) -> None:
        self.ws, self.kind, self.key, self.sample_id = ws, kind, key, sample_id
        self.command = command
        self.claimant = Claimant.new()
        self.started = now_iso()
        self.results_since = self.started if force else None
        self.write_error: StoreWriteError | None = None
        self.lost = 0

    def send(self, request: Req) -> Res:
        """Ask the model about REQUEST (from several threads at once)."""
        raise NotImplementedError

    def store(self, request: Req, result: Res) -> None:
        """Commit the answer to REQUEST (its claim is dropped when the run ends)."""
        raise NotImplementedError

    def failed(self, request: Req, error: ProviderError) -> None:
        """Report the failure of REQUEST, then release its claim."""
        raise NotImplementedError

    def answers_since(self, request: Req) -> str | None:
        """Only answers stored at or after this time keep REQUEST from being sent (None:
        any answer does): the run's start when it replaces what is stored (--force)."""
        return self.results_since

    def claim(self, request: Req) -> bool:
        """Whether to send REQUEST: False when another run holds it or stored its answer."""
        try:
            outcome = self.ws.claim(
                self.kind,
                self.key(request),
                self.sample_id(request),
                self.claimant,
                results_since=self.answers_since(request),
            )
        except StoreWriteError as exc:
            raise self.stop(exc) from exc
        return outcome is ClaimOutcome.CLAIMED

    def release(self, request: Req) -> None:
        """Drop the claim on REQUEST (its answer or failure is stored)."""
        try:
            self.ws.release_claim(self.claimant, self.kind, self.key(request))
        except StoreWriteError as exc:
            raise self.stop(exc) from exc

    def release_all(self) -> None:
        """Drop what this run still holds (cancelled, stopped); a store that takes no write
        keeps them until this process ends, when they lapse."""
        with contextlib.suppress(StoreWriteError):
            self.ws.release_claims(self.claimant)

    def summarise(self, summary: BatchSummary) -> BatchSummary:
        """SUMMARY with the answers lost to a failed write taken out of ``done``."""
        if self.write_error is None:
            return summary
        return replace(
            summary,
            done=summary.done - self.lost,
            lost=self.lost,
            stop_reason=f"{self.write_error}; {self._lost_words()}",
        )

    def lose(self, exc: StoreWriteError) -> StopBatch:
        """An answer came back and could not be stored: count it, stop the batch."""
        self.lost += 1  # the answer is here, in memory, and goes no further
        return self.stop(exc)

    def stop(self, exc: StoreWriteError) -> StopBatch:
        """The request to end the batch after a write the store refused."""
        self.write_error = self.write_error or exc
        return StopBatch(f"{exc}; {self._lost_words()}")

    def _lost_words(self) -> str:
        if self.lost == 0:
            return "the batch stopped before an answer was lost"
        answers, were = ("answer", "was") if self.lost == 1 else ("answers", "were")
        return (
            f"{self.lost} {answers} received could not be stored and {were} lost: "
            f"run {self.command} again to ask for them"
        )


class Plan(Protocol[Req, Res]):
    """What a pass's plan offers a run: the provider, the requests, and the run's callbacks."""

    @property
    def provider(self) -> Provider: ...

    @property
    def provider_name(self) -> str: ...

    @property
    def requests(self) -> Sequence[Req]: ...

    def start(self, ws: Workspace, on_failure: OnFailure | None) -> ClaimedRun[Req, Res]:
        """A new run of this plan on WS, reporting each failure to ON_FAILURE."""
        ...


class HasProvider(Protocol):
    """A plan, as far as the check before sending needs it."""

    @property
    def provider(self) -> Provider: ...


def check_before_sending(ws: Workspace, plan: HasProvider) -> None:
    """Refuse to send anything when the store cannot take the answers (StoreWriteError),
    the key is missing (MissingKeyError) or the server is out of reach (UnreachableError)."""
    ws.check_writable()
    check_ready(plan.provider)


def run_claimed(
    ws: Workspace,
    plan: Plan[Req, Res],
    *,
    concurrency: int = 4,
    on_progress: Callable[[BatchProgress], None] | None = None,
    on_failure: OnFailure | None = None,
    cancel: threading.Event | None = None,
    checked: bool = False,
) -> BatchSummary:
    """Send the plan's requests; every answer and every failure is committed as it comes.

    Runs ``check_before_sending`` first unless CHECKED (the caller did). A write that fails
    stops the batch; the summary's ``lost`` counts the answers that came back unstored.
    """
    if plan.requests and not checked:
        check_before_sending(ws, plan)
    run = plan.start(ws, on_failure)
    stored = 0

    def store(request: Req, result: Res) -> None:
        nonlocal stored
        run.store(request, result)
        stored += 1

    try:
        summary = run_requests(
            run.send,
            plan.requests,
            concurrency=concurrency,
            on_result=store,
            on_error=run.failed,
            on_progress=on_progress,
            cancel=cancel,
            claim=run.claim,
            done_word=run.done_word,
        )
    except KeyboardInterrupt:
        # Ctrl-C: every answer so far is stored; the claims go below, so a re-run resumes.
        raise BatchInterruptedError(
            stored, len(plan.requests), run.done_word, run.command
        ) from None
    finally:
        run.release_all()
    return run.summarise(summary)


class BatchInterruptedError(AnnotatorError):
    """Ctrl-C during a batch: how many answers were stored, and that a re-run resumes."""

    exit_code = 130  # the shell's code for a process ended by SIGINT

    def __init__(self, done: int, total: int, done_word: str, command: str) -> None:
        super().__init__(
            f"interrupted: {done} of {total} done ({done_word}, each stored as it came); "
            f"run the same command again to send only the rest ({command} resumes)"
        )
        self.done, self.total = done, total
