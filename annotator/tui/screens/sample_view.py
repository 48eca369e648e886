"""What the review screen shows and keeps up to date: one sample at a time, with its
frames, caption, fields and prompt; what the person types is written as they type.

Its keys and what they do are ReviewScreen's (review.py), which extends this screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as default

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, OptionList, Static

from annotator.counting import counted
from annotator.safetext import outside_text
from annotator.tui.domain import AssembledPrompt, Finding, SampleVerdict
from annotator.tui.frames import FrameCache
from annotator.tui.player import Player
from annotator.tui.state import ReviewState
from annotator.tui.threads import StoreThreads
from annotator.tui.widgets.caption_bar import CaptionBar
from annotator.tui.widgets.details import CaptionView, ProbeView
from annotator.tui.widgets.fields import FieldEditor, PendingEdit
from annotator.tui.widgets.frames import FramesPanel, Graphics
from annotator.tui.widgets.prompt_view import FindingsView, PromptView
from annotator.tui.widgets.sample_list import SampleList
from annotator.tui.widgets.verdict_badge import titled
from annotator.tui.writes import guarded_write
from annotator.workspace import Sample, Status

AHEAD = 2  # samples whose pictures are decoded ahead of the one on screen
# Saves of one field closer together than this are one undo step: a burst of typing
# (the editor writes typing that goes on at least every MAX_WAIT, well within it).
TYPING_BURST_S = 3.0
RECHECK_DELAY = 1.0  # seconds after a change before the checks run again

NO_MATCH = "no sample matches"
NO_SAMPLES = "no samples here"
FIELD_HINT = {
    "subject": "who or what is in the frame at the start",
    "background": "where the subject is",
}


class SampleView(Screen[None]):
    """One sample on screen, kept in step with the store (the review screen's base)."""

    # Textual annotates these `ClassVar[...] | None`, which mypy reads as instance
    # variables: a ClassVar here would be an override error, none a ruff warning.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]  # noqa: RUF012
    VERTICAL_BREAKPOINTS = [(0, "-short"), (34, "-tall")]  # noqa: RUF012

    @dataclass
    class FindingsReady(Message):
        """Posted by the findings worker: the checks and prompt lint of every sample, and
        the findings of the own rules of each sample named in them."""

        findings: list[Finding]
        error: str | None
        verdicts: dict[str, SampleVerdict] = default(default_factory=dict)
        own: dict[str, list[Finding]] = default(default_factory=dict)

    def __init__(
        self,
        state: ReviewState,
        cache: FrameCache,
        *,
        graphics: Graphics,
        provider: str | None,
        player: Player | None,
        threads: StoreThreads,
        watch_interval: float,
    ) -> None:
        super().__init__()
        self.state, self.domain, self.cache = state, state.domain, cache
        self.graphics = graphics
        self.provider, self.player = provider, player
        self.threads = threads
        self.watch_interval = watch_interval
        self.current: str | None = None
        self._template = self.domain.template()
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
                    yield FramesPanel(
                        self.cache, self.domain.root, self.graphics, kf2v, id="frames"
                    )
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
            self._show_nothing()
            return
        sample = self.state.samples[sample_id]
        self.query_one(FramesPanel).show(sample, self._ahead(sample_id))
        self.query_one(ProbeView).show(sample)
        self.refresh_current(editors=True)
        guarded_write(self, "remember the sample on screen", lambda: self.state.remember(sample_id))

    def _show_nothing(self) -> None:
        """No sample matches the filter and the search: nothing of the last one stays."""
        for editor in self.query(FieldEditor).results(FieldEditor):
            editor.unload()
        none = self.state.samples == {}
        self.query_one(FramesPanel).clear()
        self.query_one(ProbeView).update(NO_SAMPLES if none else NO_MATCH)
        self.query_one(CaptionView).clear()
        self.query_one(PromptView).empty(
            f"{NO_SAMPLES}: add clips to the folder, then run annotator scan"
            if none
            else f"{NO_MATCH}: f changes the filter, / the search"
        )
        self.query_one(FindingsView).clear()
        for part, title in (("subject", "Subject"), ("background", "Background")):
            self.query_one(f"#{part}", FieldEditor).border_title = title

    def refresh_current(self, editors: bool = False) -> None:
        """Draw the current sample's caption, prompt and findings again (and its fields)."""
        sample = self.sample
        if sample is None:
            return
        origin = self.domain.origin(sample.id)  # a generated sample: its picture and prompt
        self.query_one(CaptionView).show(sample, self.state.captions.get(sample.id), origin)
        try:
            prompt = self.domain.assemble(sample)
        except Exception as exc:  # a domain bug must not end the session
            prompt = AssembledPrompt(f"cannot assemble the prompt: {exc}")
        self.query_one(PromptView).show(prompt, sample.pronoun or "auto")
        self._show_verdict(sample, prompt)
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

    def _show_verdict(self, sample: Sample, prompt: AssembledPrompt) -> None:
        """The vision model's verdict as badges beside Subject, Background and the prompt
        (its effect part); stale when the prompt on screen is not what was verified."""
        try:
            verdict = self.domain.verdict(sample, prompt.text)
        except Exception:  # a verdict that cannot be read must not end the session
            verdict = None
        self.state.put_verdict(sample.id, verdict)
        for part, title in (("subject", "Subject"), ("background", "Background")):
            self.query_one(f"#{part}", FieldEditor).border_title = titled(title, verdict, part)
        self.query_one(PromptView).border_title = titled("Prompt", verdict, "effect", "effect: ")

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
        """Write one editor's text; show the sample as the store returns it. When the
        store refuses, the editor keeps the text (still unsaved) and the person is told."""
        written = guarded_write(
            self,
            f"save the {edit.field}",
            lambda: self.domain.edit(
                edit.sample_id, edit.field, edit.value, merge_s=TYPING_BURST_S
            ),
        )
        if written is None:
            return
        sample = written.value
        for editor in self.query(FieldEditor).results(FieldEditor):
            editor.saved(edit)
        self.state.put(sample)
        self.recheck_own(sample.id)
        if sample.id == self.current:
            self.refresh_current()
        else:
            self.query_one(SampleList).update_sample(self.state, sample.id)
        self.recheck()

    # -- findings -----------------------------------------------------------------------

    def load_findings(self, delay: float = 0.0) -> None:
        """Run every check (prompt lint included) in a worker, DELAY seconds from now; the
        list then shows the flags. One run at a time; a request during a run runs after."""
        self._findings_stale = True
        if self._findings_timer is not None:
            self._findings_timer.stop()
        self._findings_timer = self.set_timer(max(delay, 0.001), self._start_findings)

    def recheck(self) -> None:
        """Run the checks again a moment after a change (a burst of changes runs them once)."""
        self.load_findings(RECHECK_DELAY)

    def recheck_own(self, sample_id: str) -> None:
        """Run SAMPLE_ID's own rules now (a saved edit): its findings follow at once; the
        set's rules follow with the next run of every check (``recheck``)."""
        try:
            own = self.domain.own_findings([self.state.samples[sample_id]])
        except Exception:  # a failing check waits for the full run, which reports it
            return
        self.state.put_own(sample_id, own.get(sample_id, []))

    def _start_findings(self) -> None:
        if self._findings_running or not self._findings_stale:
            return
        self._findings_stale, self._findings_running = False, True
        self.state.begin_check_run()
        self._findings_worker()

    @work(thread=True, group="findings", exit_on_error=False)
    def _findings_worker(self) -> None:
        try:
            with self.threads.working():
                findings, error = self.domain.findings(), None
                verdicts = self.domain.verdicts()
                # Which of them the samples' own rules found (the rest are the set's): an
                # edit re-checks the own rules alone, and keeps the set's until the next run.
                named = {f.sample_id for f in findings if f.sample_id}
                own = self.domain.own_findings([s for s in self.domain.samples() if s.id in named])
        except Exception as exc:  # a failing check is reported, never fatal
            findings, error, verdicts, own = [], str(exc) or type(exc).__name__, {}, {}
        self.post_message(self.FindingsReady(findings, error, verdicts, own))

    @on(FindingsReady)
    def _findings_ready(self, message: FindingsReady) -> None:
        self._findings_running = False
        if message.error:
            self.notify(
                f"checks failed: {outside_text(message.error)}", severity="warning", markup=False
            )
        self.state.update_findings(message.findings, message.own)
        self.state.update_verdicts(message.verdicts)
        samples = self.query_one(SampleList)
        if self.state.status_filter.flagged and samples.ids() != self.state.visible():
            self._refill()  # the filter "flagged by verify" follows the verdicts
        for sid in samples.ids():
            samples.update_sample(self.state, sid)
        if self.current is not None:
            self._show_findings(self.current)
        # Something changed during the run: run again (after its answer is held, so that
        # what was re-checked meanwhile is known to be fresher than it).
        if self._findings_stale:
            self._start_findings()

    def _show_findings(self, sample_id: str) -> None:
        state = self.state
        sample = state.samples[sample_id]
        # A rejected sample is out of the dataset (no checks): its reason is what to show.
        rejected = sample.reject_reason or "" if sample.status is Status.REJECTED else None
        self.query_one(FindingsView).show(
            state.findings_for(sample_id), state.set_findings, rejected=rejected
        )

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
            self.notify(f"Captioning {what}: {counted(message.done, 'sample')}{failed}", timeout=6)
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
        self._template = self.domain.template()
        samples = self.query_one(SampleList)
        if samples.ids() != self.state.visible():
            self._refill()  # a sample came, went, or left the filter
        else:
            for sid in changed:
                samples.update_sample(self.state, sid)
            self.refresh_lines()
        self.refresh_current()  # the template or the trigger may have changed too
        self.recheck()
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
        if self.domain.template() != self._template:
            self._template = self.domain.template()
            self.refresh_current()
            self.load_findings()

    def _refill(self) -> None:
        """Fill the list again (filter, search or samples changed); show what it highlights."""
        samples = self.query_one(SampleList)
        shown = samples.show(self.state, self.current)
        self.refresh_lines()
        if shown != self.current:
            self.show(shown)


def _part(prompt: AssembledPrompt, name: str) -> str:
    span = prompt.spans.get(name)
    return prompt.text[span[0] : span[1]] if span else ""
