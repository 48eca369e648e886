"""One batch run's bookkeeping in the store, for every pass that sends requests (caption,
verify): claim each request just before it is sent, release it once its answer or failure
is stored, and stop the batch when the store refuses a write, counting the answers lost.

The pass itself stores its answers (``store``/``failed`` of its own run class); this is
the part both passes share, so two runs on one workspace never send one request twice.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import replace
from typing import Generic, TypeVar

from annotator.captioning import BatchSummary, StopBatch
from annotator.workspace import Claimant, ClaimOutcome, StoreWriteError, Workspace
from annotator.workspace.db import now_iso

Req = TypeVar("Req")


class ClaimedRun(Generic[Req]):
    """Claims of one run of pass KIND; KEY gives a request's cache key, SAMPLE_ID its sample.

    FORCE: an answer stored before this run began is to be replaced; one stored by another
    run since then is what this run would fetch again. COMMAND names the command to run
    again for answers that were lost ("caption", "verify").
    """

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
        self.results_since = now_iso() if force else None
        self.write_error: StoreWriteError | None = None
        self.lost = 0

    def claim(self, request: Req) -> bool:
        """Whether to send REQUEST: False when another run holds it or stored its answer."""
        try:
            outcome = self.ws.claim(
                self.kind,
                self.key(request),
                self.sample_id(request),
                self.claimant,
                results_since=self.results_since,
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
        answers = "answer" if self.lost == 1 else "answers"
        return (
            f"{self.lost} {answers} received could not be stored and were lost: "
            f"run {self.command} again to ask for them"
        )
