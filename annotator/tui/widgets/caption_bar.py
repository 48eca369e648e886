"""The caption batch in the app: a thread worker runs the domain's batch; this bar shows it.

The worker never touches a widget: it posts ``Progress`` and ``Advanced`` (a newer one
replaces an older one still queued) and ``Ended``; the bar then posts ``Finished``. Cancelling
sets the event the batch checks between requests.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Label, ProgressBar

from annotator.safetext import outside_text
from annotator.tui.domain import BatchStep, Domain
from annotator.tui.threads import StoreThreads


class CaptionBar(Horizontal):
    """Hidden until a batch runs; then a bar, the count and the last error."""

    @dataclass
    class Progress(Message, bubble=False):
        step: BatchStep

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, CaptionBar.Progress)

    @dataclass
    class Ended(Message, bubble=False):
        """The worker's last word: the batch returned, or raised ERROR."""

        error: str | None

    class Advanced(Message):
        """Captions or statuses changed in the store (a newer one replaces a queued one)."""

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, CaptionBar.Advanced)

    @dataclass
    class Finished(Message):
        """The batch ended: done, cancelled, or stopped by ERROR (e.g. an invalid key)."""

        done: int
        failed: int
        cancelled: bool
        error: str | None

    def __init__(self, threads: StoreThreads, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.threads = threads
        self._cancel: threading.Event | None = None
        self._last = BatchStep(0, 0, 0, None)

    def compose(self) -> ComposeResult:
        # Plain text, never markup: the line quotes the provider's name and servers' errors.
        yield Label("Captioning", id="caption-title", markup=False)
        yield ProgressBar(id="caption-progress", show_eta=True)
        yield Label("", id="caption-errors", markup=False)

    @property
    def running(self) -> bool:
        return self._cancel is not None

    def start(
        self,
        domain: Domain,
        sample_ids: Sequence[str] | None,
        *,
        provider: str | None,
        force: bool = False,
    ) -> bool:
        """Start a batch; False when one is running already."""
        if self._cancel is not None:
            return False
        self._cancel = threading.Event()
        self._last = BatchStep(0, 0, 0, None)
        self.query_one(ProgressBar).update(total=None, progress=0)
        self.query_one("#caption-errors", Label).update("")
        self.query_one("#caption-title", Label).update(f"Captioning ({provider or 'default'})")
        self.add_class("-running")
        self._run(domain, sample_ids, provider, force, self._cancel)
        return True

    def cancel(self) -> None:
        if self._cancel is not None:
            self._cancel.set()
            self.query_one("#caption-title", Label).update("Cancelling…")

    @work(thread=True, group="caption", exit_on_error=False)
    def _run(
        self,
        domain: Domain,
        sample_ids: Sequence[str] | None,
        provider: str | None,
        force: bool,
        cancel: threading.Event,
    ) -> None:
        def on_step(step: BatchStep) -> None:
            self.post_message(self.Progress(step))
            self.post_message(self.Advanced())

        try:
            with self.threads.working(stop=cancel):
                stop_reason = domain.caption(
                    sample_ids, provider=provider, force=force, on_step=on_step, cancel=cancel
                )
            error = None if cancel.is_set() else stop_reason
        except Exception as exc:  # a provider failure ends the batch, never the app
            error = str(exc) or type(exc).__name__
        self.post_message(self.Ended(error))

    @on(Progress)
    def _progress(self, message: Progress) -> None:
        step = self._last = message.step
        self.query_one(ProgressBar).update(total=step.total or None, progress=step.done)
        failed = f"{step.failed} failed" if step.failed else ""
        note = f"{failed}: {step.note}" if failed and step.note else failed or (step.note or "")
        self.query_one("#caption-errors", Label).update(outside_text(note))

    @on(Ended)
    def _ended(self, message: Ended) -> None:
        error = message.error
        cancelled = self._cancel is not None and self._cancel.is_set()
        self._cancel = None
        self.remove_class("-running")
        last = self._last
        self.post_message(self.Finished(last.done, last.failed, cancelled, error))
