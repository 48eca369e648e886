"""The review screen: its keys (from the one key table) and what each does; each action
is one call to the domain facade, then a redraw of what changed."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import BindingType

from annotator.safetext import outside_text
from annotator.tui.keys import Group, bindings
from annotator.tui.screens.help import HelpScreen
from annotator.tui.screens.reject import RejectScreen
from annotator.tui.screens.sample_view import SampleView
from annotator.tui.screens.search import SearchScreen
from annotator.tui.screens.template import TemplateScreen
from annotator.tui.screens.trim import TrimScreen
from annotator.tui.screens.zoom import ZoomScreen
from annotator.tui.web import deliver_clip
from annotator.tui.widgets.caption_bar import CaptionBar
from annotator.tui.widgets.fields import FieldEditor
from annotator.tui.widgets.sample_list import SampleList
from annotator.tui.writes import guarded_write
from annotator.workspace import HistoryEntry, Pronoun, Sample, Status

PRONOUNS: list[str | None] = [None, Pronoun.SHE.value, Pronoun.HE.value, Pronoun.IT.value]


class ReviewScreen(SampleView):
    """The main screen; its keys are in the key table, and so in the help screen."""

    BINDINGS: ClassVar[list[BindingType]] = bindings(Group.REVIEW)

    # -- moving --------------------------------------------------------------------------

    def action_next(self) -> None:
        self._step(1)

    def action_previous(self) -> None:
        self._step(-1)

    def _step(self, step: int) -> None:
        samples = self.query_one(SampleList)
        ids = samples.ids()
        if not ids:
            return
        at = ids.index(self.current) if self.current in ids else -step
        target = ids[max(0, min(len(ids) - 1, at + step))]
        if target != self.current:
            # Shown at once, in this turn: the list's highlight message would cost a frame.
            self.show(target)
            samples.select_id(target)

    def action_next_to_review(self) -> None:
        samples = self.query_one(SampleList)
        target = self.state.next_to_review(self.current, samples.ids())
        if target is None:
            self.notify("Every sample in this list is accepted or rejected.")
        else:
            self.show(target)
            samples.select_id(target)

    def action_back(self) -> None:
        if self.state.query:
            self._apply_search("")
        self.query_one(SampleList).focus()

    # -- deciding ------------------------------------------------------------------------

    def action_accept(self) -> None:
        sample = self.sample
        if sample is not None:
            self.flush()
            self._decide(sample.id, Status.ACCEPTED, None)

    def action_reject(self) -> None:
        sample = self.sample
        if sample is None:
            return
        self.flush()

        def rejected(reason: str | None) -> None:
            if reason is not None:
                self._decide(sample.id, Status.REJECTED, reason or None)

        self.app.push_screen(RejectScreen(sample.name, sample.reject_reason or ""), rejected)

    def _decide(self, sample_id: str, status: Status, reason: str | None) -> None:
        verb = "accept" if status is Status.ACCEPTED else "reject"
        written = guarded_write(
            self, f"{verb} the sample", lambda: self.domain.decide(sample_id, status, reason)
        )
        if written is None:
            return
        self.state.put(written.value)
        self.recheck_own(sample_id)
        self.refresh_current()
        self.query_one(SampleList).update_sample(self.state, sample_id)
        self.refresh_lines()
        self.recheck()
        self.action_next_to_review()

    # -- editing -------------------------------------------------------------------------

    def action_edit(self, field: str) -> None:
        self.query_one(f"#{field}", FieldEditor).focus()

    def action_pronoun(self) -> None:
        sample = self.sample
        if sample is None:
            return
        now = sample.pronoun.value if sample.pronoun else None
        after = PRONOUNS[(PRONOUNS.index(now) + 1) % len(PRONOUNS)]
        written = guarded_write(
            self, "set the pronoun", lambda: self.domain.edit(sample.id, "pronoun", after)
        )
        if written is None:
            return
        self.state.put(written.value)
        self.recheck_own(sample.id)
        self.refresh_current()
        self.recheck()
        self.notify(f"pronoun: {after or 'auto (from the subject)'}", timeout=2)

    def action_undo(self) -> None:
        self.flush()
        if not self.shown_before_history("u", "undo"):
            written = guarded_write(self, "undo", self.domain.undo)
            if written is not None:
                self._history(written.value, "Undone")

    def action_redo(self) -> None:
        self.flush()
        if not self.shown_before_history("U", "redo"):
            written = guarded_write(self, "redo", self.domain.redo)
            if written is not None:
                self._history(written.value, "Redone")

    def _history(self, entry: HistoryEntry | None, verb: str) -> None:
        if entry is None:
            self.notify(f"Nothing to {verb.lower()[:-2]}.", timeout=2)
            return
        if entry.sample_id is None or entry.sample_id not in self.state.samples:
            self._template = self.domain.template()
            self.refresh_current(editors=True)
            self.load_findings()
            self.notify(f"{verb}: the {entry.field}", timeout=3)
            return
        # Undo returns the history entry, not the row: the one read of the sample.
        name = self.state.put(self.domain.sample(entry.sample_id)).name
        self.recheck_own(entry.sample_id)
        self.query_one(SampleList).update_sample(self.state, entry.sample_id)
        self.refresh_lines()
        self.recheck()
        if entry.sample_id == self.current or not self.query_one(SampleList).select_id(
            entry.sample_id
        ):
            self.refresh_current(editors=True)
        if entry.field == "edit" and entry.sample_id == self.current:
            self.show(self.current)  # a clip edit: other pictures and facts
        self.notify(f"{verb}: {entry.field.replace('_', ' ')} of {name}", timeout=3, markup=False)

    # -- captioning ----------------------------------------------------------------------

    def action_recaption(self) -> None:
        if self.sample is not None:
            self._caption([self.sample.id], force=True)

    def action_caption_missing(self) -> None:
        self._caption(None, force=False)

    def _caption(self, sample_ids: list[str] | None, force: bool) -> None:
        bar = self.query_one(CaptionBar)
        if not bar.start(self.domain, sample_ids, provider=self.provider, force=force):
            self.notify("A caption batch is running: X cancels it.", severity="warning")
        self.refresh_bindings()

    def action_cancel_batch(self) -> None:
        self.query_one(CaptionBar).cancel()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_batch":
            return self.query_one(CaptionBar).running
        return True

    # -- finding -------------------------------------------------------------------------

    def action_search(self) -> None:
        def searched(query: str | None) -> None:
            if query is not None:
                self._apply_search(query)

        self.app.push_screen(SearchScreen(self.state.query), searched)

    def _apply_search(self, query: str) -> None:
        self.state.query = query
        self._refill()
        if query and not self.query_one(SampleList).options:
            self.notify(f"No sample holds {query!r}.", severity="warning", markup=False)

    def action_filter(self) -> None:
        self.state.cycle_filter()
        self._refill()

    # -- elsewhere -----------------------------------------------------------------------

    def action_template(self) -> None:
        self.flush()
        self.app.push_screen(TemplateScreen(self.state, self.current, self.threads))

    def action_play(self) -> None:
        sample = self.sample
        if sample is not None:
            self.play_clip(sample)

    def play_clip(self, sample: Sample) -> None:
        """The one place that decides how `v` plays a clip: served on the web, the browser
        plays it; else the system's video player when there is one (ReviewApp's player);
        else its frames here, on the whole screen, looping until a key."""
        clip = self.domain.root / sample.clip
        if self.app.is_web:  # review --web: the browser plays it
            message = deliver_clip(self.app, clip)
            self.notify(outside_text(message), markup=False)
        elif self.player is not None:
            error = self.player(clip)
            if error:
                self.notify(outside_text(error), severity="warning", markup=False)
        else:
            self._zoom(sample, play=True)

    def action_zoom(self) -> None:
        sample = self.sample
        if sample is not None:
            self._zoom(sample, play=False)

    def _zoom(self, sample: Sample, *, play: bool) -> None:
        self.flush()
        zoom = ZoomScreen(
            sample,
            root=self.domain.root,
            cache=self.cache,
            graphics=self.graphics,
            kf2v=self.state.info.mode.value == "kf2v",
            play=play,
        )
        self.app.push_screen(zoom)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen())

    def action_trim(self) -> None:
        sample = self.sample
        if sample is None:
            return
        self.flush()

        def trimmed(written: Sample | None) -> None:
            if written is not None:  # the clip changed: its pictures, facts and findings
                self.state.put(written)
                self.show(written.id)
                self.refresh_lines()
                self.recheck()

        self.app.push_screen(TrimScreen(self.domain, sample, self.graphics), trimmed)
