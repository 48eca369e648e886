"""The review screen: one sample at a time, with its frames, caption, fields and prompt."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, OptionList, Static

from annotator.checks.findings import Finding
from annotator.safetext import outside_text
from annotator.tui import domain
from annotator.tui.frames import FrameCache
from annotator.tui.player import Player
from annotator.tui.screens.actions import RECHECK_DELAY, SampleActions
from annotator.tui.state import ReviewState
from annotator.tui.threads import StoreThreads
from annotator.tui.widgets.caption_bar import CaptionBar
from annotator.tui.widgets.details import CaptionView, ProbeView
from annotator.tui.widgets.fields import FieldEditor, PendingEdit
from annotator.tui.widgets.frames import FramesPanel, Graphics
from annotator.tui.widgets.prompt_view import FindingsView, PromptView
from annotator.tui.widgets.sample_list import SampleList
from annotator.workspace import Sample

AHEAD = 2  # samples whose pictures are decoded ahead of the one on screen
# Saves of one field closer together than this are one undo step: a burst of typing
# (the editor writes typing that goes on at least every MAX_WAIT, well within it).
TYPING_BURST_S = 3.0
# Seconds between two looks at the store for what other programs (the CLI) wrote.
WATCH_INTERVAL = 0.5

FIELD_HINT = {
    "subject": "who or what is in the frame at the start",
    "background": "where the subject is",
}


def _b(key: str, action: str, label: str, tooltip: str, **kwargs: bool) -> Binding:
    return Binding(
        key, action, label, id=f"review.{action.split('(')[0]}", tooltip=tooltip, **kwargs
    )


class ReviewScreen(SampleActions, Screen[None]):
    """The main screen; its keys are in BINDINGS and in the help screen."""

    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]] | None] = [
        (0, "-narrow"),
        (110, "-wide"),
    ]
    VERTICAL_BREAKPOINTS: ClassVar[list[tuple[int, str]] | None] = [(0, "-short"), (34, "-tall")]

    BINDINGS: ClassVar[list[BindingType]] = [
        _b("j", "next", "Next", "Next sample (↓ in the list)"),
        _b("k", "previous", "Prev", "Previous sample (↑ in the list)", show=False),
        _b("n", "next_to_review", "To review", "Next sample not yet accepted or rejected"),
        _b("a", "accept", "Accept", "Accept this sample and go to the next to review"),
        _b("x", "reject", "Reject", "Reject this sample, with an optional reason"),
        _b("s", "edit('subject')", "Subject", "Edit the subject (Enter or Esc when done)"),
        _b("b", "edit('background')", "Backgr.", "Edit the background"),
        _b("o", "pronoun", "Pronoun", "Switch the pronoun: auto, she, he, it"),
        _b("u", "undo", "Undo", "Undo the last edit (any sample, or the template)"),
        Binding("ctrl+z", "undo", "Undo", show=False, priority=True, id="review.undo_ctrl"),
        _b("U", "redo", "Redo", "Redo what was undone", show=False),
        Binding("ctrl+y", "redo", "Redo", show=False, priority=True, id="review.redo_ctrl"),
        _b("c", "recaption", "Recaption", "Caption this sample again", show=False),
        _b("C", "caption_missing", "Caption", "Caption every sample that has no caption"),
        _b(
            "X",
            "cancel_batch",
            "Cancel batch",
            "Stop the caption batch (requests in flight finish)",
        ),
        _b("slash", "search", "Search", "Show the samples that hold a text"),
        _b(
            "f",
            "filter",
            "Filter",
            "Filter by status: all, to review, new, accepted...",
            show=False,
        ),
        _b("t", "template", "Template", "The effect template shared by every prompt"),
        _b("v", "play", "Play", "Play the clip in the system's video player", show=False),
        _b("question_mark", "help", "Help", "Every key"),
        # The app's quit: it writes every screen's pending edits, then exits.
        Binding(
            "q", "app.quit", "Quit", id="review.quit", tooltip="Quit (everything is saved already)"
        ),
        Binding("escape", "back", "Back", show=False, id="review.back"),
    ]

    @dataclass
    class FindingsReady(Message):
        """Posted by the findings worker: the checks and prompt lint of every sample."""

        findings: list[Finding]
        error: str | None

    def __init__(
        self,
        state: ReviewState,
        cache: FrameCache,
        *,
        graphics: Graphics,
        captioner: domain.Captioner,
        provider: str | None,
        player: Player,
        threads: StoreThreads,
        watch_interval: float = WATCH_INTERVAL,
    ) -> None:
        super().__init__()
        self.state, self.ws, self.cache = state, state.ws, cache
        self.graphics = graphics
        self.captioner, self.provider, self.player = captioner, provider, player
        self.threads = threads
        self.watch_interval = watch_interval
        self.current: str | None = None
        self._template = self.ws.template()
        self._findings_timer: Timer | None = None
        self._findings_running = self._findings_stale = False

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Horizontal(id="body"):
            with Vertical(id="sidebar"):
                # Plain text, never markup: the filter line quotes the search.
                yield Static(id="progress-line", markup=False)
                yield Static(id="filter-line", markup=False)
                yield SampleList(id="samples")
            with Vertical(id="detail"):
                with Horizontal(id="top"):
                    kf2v = self.state.info.mode.value == "kf2v"
                    yield FramesPanel(self.cache, self.ws.root, self.graphics, kf2v, id="frames")
                    with Vertical(id="facts"):
                        yield ProbeView(id="probe")
                        yield CaptionView(id="caption")
                yield FieldEditor("subject", id="subject")
                yield FieldEditor("background", id="background")
                yield PromptView(id="prompt")
                yield FindingsView(id="findings")
        yield CaptionBar(self.threads, id="caption-bar")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        for widget_id, title in (
            ("#subject", "Subject"),
            ("#background", "Background"),
            ("#prompt", "Prompt"),
            ("#caption", "Caption"),
            ("#findings", "Findings"),
        ):
            self.query_one(widget_id).border_title = title
        samples = self.query_one(SampleList)
        self.show(samples.show(self.state, self.state.remembered()))
        samples.focus()
        self.refresh_lines()
        self.load_findings()
        self.set_interval(self.watch_interval, self.catch_up, name="watch the store")

    # -- showing a sample ----------------------------------------------------------------

    @property
    def sample(self) -> Sample | None:
        return None if self.current is None else self.state.samples.get(self.current)

    def show(self, sample_id: str | None) -> None:
        """Put SAMPLE_ID on screen (after writing what the editors hold)."""
        self.flush()
        self.current = sample_id
        for editor in self.query(FieldEditor).results(FieldEditor):
            editor.disabled = sample_id is None
        if sample_id is None:
            for editor in self.query(FieldEditor).results(FieldEditor):
                editor.unload()
            self.query_one(PromptView).update(
                "no samples here: change the filter (f) or search (/)"
            )
            return
        sample = self.state.samples[sample_id]
        self.query_one(FramesPanel).show(sample, self._ahead(sample_id))
        self.query_one(ProbeView).show(sample)
        self.refresh_current(editors=True)
        self.state.remember(sample_id)

    def refresh_current(self, editors: bool = False) -> None:
        """Draw the current sample's caption, prompt and findings again (and its fields)."""
        sample = self.sample
        if sample is None:
            return
        self.query_one(CaptionView).show(sample, self.state.captions.get(sample.id))
        try:
            prompt = domain.assemble(self.ws, sample)
        except Exception as exc:  # a domain bug must not end the session
            prompt = domain.AssembledPrompt(f"cannot assemble the prompt: {exc}")
        self.query_one(PromptView).show(prompt, sample.pronoun or "auto")
        self._show_findings(sample.id)
        self.query_one(SampleList).update_sample(self.state, sample.id)
        for field in ("subject", "background"):
            editor = self.query_one(f"#{field}", FieldEditor)
            derived = _part(prompt, field)
            hint = f"from the caption: {derived}" if derived else FIELD_HINT[field]
            if editors:
                editor.load(sample.id, getattr(sample, field), hint)
            elif editor.sample_id == sample.id and not editor.dirty:
                editor.offer(getattr(sample, field), hint)  # waits if the person is in it

    def refresh_lines(self) -> None:
        self.query_one("#progress-line", Static).update(self.state.progress_line())
        shown = len(self.query_one(SampleList).options)
        line = f"filter: {self.state.status_filter.label} ({shown})"
        if self.state.query:
            line += f" · search: {self.state.query!r}"
        self.query_one("#filter-line", Static).update(line)

    def _ahead(self, sample_id: str) -> list[Sample]:
        ids = self.query_one(SampleList).ids()
        at = ids.index(sample_id) if sample_id in ids else 0
        near = ids[at + 1 : at + 1 + AHEAD] + ids[max(0, at - 1) : at]
        return [self.state.samples[sid] for sid in near]

    @on(OptionList.OptionHighlighted, "#samples")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id != self.current:
            self.show(event.option.id)

    # -- writing what the person typed ---------------------------------------------------

    def flush(self) -> None:
        """Write whatever the editors hold that the store does not have yet."""
        for editor in self.query(FieldEditor).results(FieldEditor):
            edit = editor.take_pending()
            if edit is not None:
                self.save(edit)

    @on(FieldEditor.Edited)
    def _edited(self, message: FieldEditor.Edited) -> None:
        self.save(message.edit)

    @on(FieldEditor.Done)
    def _done(self) -> None:
        self.query_one(SampleList).focus()

    def save(self, edit: PendingEdit) -> None:
        try:
            self.ws.edit(edit.sample_id, edit.field, edit.value, merge_within_s=TYPING_BURST_S)
        except Exception as exc:
            self.notify(
                f"could not save the {edit.field}: {outside_text(str(exc))}",
                severity="error",
                timeout=10,
                markup=False,
            )
            return
        self.state.reload(edit.sample_id)
        if edit.sample_id == self.current:
            self.refresh_current()
        else:
            self.query_one(SampleList).update_sample(self.state, edit.sample_id)
        self.load_findings(RECHECK_DELAY)

    # -- findings -----------------------------------------------------------------------

    def load_findings(self, delay: float = 0.0) -> None:
        """Run every check (prompt lint included) in a worker, DELAY seconds from now; the
        list then shows the flags. One run at a time; a request during a run runs after."""
        self._findings_stale = True
        if self._findings_timer is not None:
            self._findings_timer.stop()
        self._findings_timer = self.set_timer(max(delay, 0.001), self._start_findings)

    def _start_findings(self) -> None:
        if self._findings_running or not self._findings_stale:
            return
        self._findings_stale, self._findings_running = False, True
        self._findings_worker()

    @work(thread=True, group="findings", exit_on_error=False)
    def _findings_worker(self) -> None:
        try:
            with self.threads.working():
                findings, error = domain.workspace_findings(self.ws), None
        except Exception as exc:  # a failing check is reported, never fatal
            findings, error = [], str(exc) or type(exc).__name__
        self.post_message(self.FindingsReady(findings, error))

    @on(FindingsReady)
    def _findings_ready(self, message: FindingsReady) -> None:
        self._findings_running = False
        if self._findings_stale:  # something changed during the run: run again
            self._start_findings()
        if message.error:
            self.notify(
                f"checks failed: {outside_text(message.error)}", severity="warning", markup=False
            )
        self.state.update_findings(message.findings)
        samples = self.query_one(SampleList)
        for sid in samples.ids():
            samples.update_sample(self.state, sid)
        if self.current is not None:
            self._show_findings(self.current)

    def _show_findings(self, sample_id: str) -> None:
        state = self.state
        self.query_one(FindingsView).show(state.findings_for(sample_id), state.set_findings)

    # -- the caption batch ---------------------------------------------------------------

    @on(CaptionBar.Advanced)
    def _advanced(self) -> None:
        self._redraw_changed()

    @on(CaptionBar.Finished)
    def _batch_finished(self, message: CaptionBar.Finished) -> None:
        self.refresh_bindings()
        if message.error:
            self.notify(
                f"captioning stopped: {outside_text(message.error)}",
                severity="error",
                timeout=15,
                markup=False,
            )
        else:
            what = "cancelled" if message.cancelled else "done"
            failed = (
                f", {message.failed} failed (see the samples marked !)" if message.failed else ""
            )
            self.notify(f"Captioning {what}: {message.done} samples{failed}", timeout=6)
        self._redraw_changed()
        self.load_findings()

    def _redraw_changed(self) -> None:
        changed = self.state.refresh_changed()
        samples = self.query_one(SampleList)
        for sid in changed:
            samples.update_sample(self.state, sid)
        if changed:
            self.refresh_lines()
        if self.current in changed:
            self.refresh_current()

    # -- what other programs wrote ------------------------------------------------------

    def catch_up(self) -> bool:
        """Show what another program (the CLI in another terminal) wrote to the store since
        the last look: the list, the lines and the current sample. True when there was
        anything. Runs on a timer, and before undo and redo."""
        if not self.state.changed_elsewhere():
            return False
        changed = self.state.refresh_changed()
        self._template = self.ws.template()
        samples = self.query_one(SampleList)
        if samples.ids() != self.state.visible():
            self._refill()  # a sample came, went, or left the filter
        else:
            for sid in changed:
                samples.update_sample(self.state, sid)
            self.refresh_lines()
        self.refresh_current()  # the template or the trigger may have changed too
        self.load_findings(RECHECK_DELAY)
        return True

    def shown_before_history(self, key: str, verb: str) -> bool:
        """Before undo or redo: when another program wrote meanwhile, show that first and
        say so (True), so that KEY never reverts a change the screen has not shown."""
        if not self.catch_up():
            return False
        self.notify(
            f"Changed elsewhere meanwhile; the screen shows it now. Press {key} again to "
            f"{verb} the latest change, wherever it was made.",
            severity="warning",
            timeout=6,
        )
        return True

    def on_screen_resume(self) -> None:
        self.catch_up()
        # Back from the template view or a dialog: the template may have changed.
        if self.ws.template() != self._template:
            self._template = self.ws.template()
            self.refresh_current()
            self.load_findings()


def _part(prompt: domain.AssembledPrompt, name: str) -> str:
    span = prompt.spans.get(name)
    return prompt.text[span[0] : span[1]] if span else ""
