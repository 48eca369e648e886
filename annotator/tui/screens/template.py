"""The effect template, shared by every sample: mined phrases to pick, drop and order, and
the text itself; every change is saved, and every prompt is assembled from it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from annotator.counting import counted
from annotator.safetext import outside_text
from annotator.tui.domain import PhraseView
from annotator.tui.keys import Group, bindings
from annotator.tui.screens.help import HelpScreen
from annotator.tui.state import ReviewState
from annotator.tui.threads import StoreThreads
from annotator.tui.widgets.fields import FieldEditor, PendingEdit
from annotator.tui.widgets.prompt_view import highlighted
from annotator.tui.writes import guarded_write

PICK_THRESHOLD = 0.5  # phrases at or above this support start picked


@dataclass
class Entry:
    phrase: PhraseView
    picked: bool


class TemplateScreen(Screen[None]):
    """Mined phrases on the left, the template text and a preview on the right."""

    BINDINGS: ClassVar[list[BindingType]] = bindings(Group.TEMPLATE)

    @dataclass
    class Mined(Message):
        """Posted by the mining worker."""

        phrases: list[PhraseView]
        error: str | None

    def __init__(self, state: ReviewState, current: str | None, threads: StoreThreads) -> None:
        super().__init__()
        self.state, self.domain, self.current, self.threads = state, state.domain, current, threads
        self.entries: list[Entry] = []

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Horizontal(id="template-body"):
            with Vertical(id="phrases-pane"):
                yield Static("Mining the captions…", id="mine-status", markup=False)
                yield OptionList(id="phrases")
            with Vertical(id="text-pane"):
                yield FieldEditor("template", id="template-text")
                yield Static(id="template-preview")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "effect template"
        table = self.query_one("#phrases", OptionList)
        table.border_title = "Mined phrases: support, wording"
        editor = self.query_one("#template-text", FieldEditor)
        editor.border_title = "Effect template (the same motion text in every prompt)"
        editor.load("", self.domain.template() or "", "the standard motion description")
        self.query_one("#template-preview", Static).border_title = "Prompt of this sample"
        self._preview()
        table.focus()
        self.action_mine()

    # -- mining ------------------------------------------------------------------------

    def action_mine(self) -> None:
        self.query_one("#mine-status", Static).update("Mining the captions…")
        self._mine()

    @work(thread=True, exclusive=True, group="mine", exit_on_error=False)
    def _mine(self) -> None:
        try:
            with self.threads.working():
                phrases, error = self.domain.mine(), None
        except Exception as exc:  # mining failures are shown, never fatal
            phrases, error = [], str(exc) or type(exc).__name__
        self.post_message(self.Mined(phrases, error))

    @on(Mined)
    def _mined(self, message: Mined) -> None:
        status = self.query_one("#mine-status", Static)
        if message.error:
            status.update(Text(outside_text(message.error), "yellow"))
        elif not message.phrases:
            status.update(Text("No shared phrase found: caption more samples first.", "yellow"))
        else:
            count = len(self.state.captions)
            phrases = counted(len(message.phrases), "phrase")
            status.update(f"{phrases} from {counted(count, 'caption')}")
        ordered = sorted(
            message.phrases,
            key=lambda p: (p.position, -p.support),
        )
        self.entries = [Entry(p, p.support >= PICK_THRESHOLD) for p in ordered]
        self._fill(0)

    def _fill(self, row: int) -> None:
        table = self.query_one("#phrases", OptionList)
        table.set_options(Option(_phrase_line(entry)) for entry in self.entries)
        if self.entries:
            table.highlighted = max(0, min(row, len(self.entries) - 1))

    # -- picking and ordering ----------------------------------------------------------

    def _row(self) -> int | None:
        return self.query_one("#phrases", OptionList).highlighted if self.entries else None

    def action_pick(self) -> None:
        row = self._row()
        if row is not None:
            self.entries[row].picked = not self.entries[row].picked
            self._fill(row)

    def action_move(self, step: int) -> None:
        row = self._row()
        if row is None or not 0 <= row + step < len(self.entries):
            return
        self.entries[row], self.entries[row + step] = self.entries[row + step], self.entries[row]
        self._fill(row + step)

    def action_write(self) -> None:
        picked = [e.phrase for e in self.entries if e.picked]
        if not picked:
            self.notify("Pick at least one phrase (space) first.", severity="warning")
            return
        editor = self.query_one("#template-text", FieldEditor)
        editor.load_text(self.domain.template_from(picked))
        editor.commit()

    # -- the text ----------------------------------------------------------------------

    def action_edit(self) -> None:
        self.query_one("#template-text", FieldEditor).focus()

    @on(FieldEditor.Edited, "#template-text")
    def _edited(self, message: FieldEditor.Edited) -> None:
        message.stop()
        self.save(message.edit)

    @on(FieldEditor.Done, "#template-text")
    def _done(self) -> None:
        self.query_one("#phrases", OptionList).focus()

    def save(self, edit: PendingEdit) -> None:
        """Write the template (kept in the history); every prompt follows it. When the
        store refuses, the editor keeps the text (still unsaved) and the person is told."""
        written = guarded_write(
            self, "save the template", lambda: self.domain.set_template(edit.value)
        )
        if written is not None:
            self.query_one("#template-text", FieldEditor).saved(edit)
            self._preview()

    def flush(self) -> None:
        edit = self.query_one("#template-text", FieldEditor).take_pending()
        if edit is not None:
            self.save(edit)

    def _preview(self) -> None:
        preview = self.query_one("#template-preview", Static)
        if self.current is None:
            preview.update(Text("no sample", "dim"))
            return
        sample = self.state.samples[self.current]
        preview.update(highlighted(self.domain.assemble(sample)))

    def action_back(self) -> None:
        self.flush()
        self.dismiss(None)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen())


def _phrase_line(entry: Entry) -> Text:
    """ "✓  82%  the wording", dimmed when dropped."""
    line = Text()
    line.append("✓ " if entry.picked else "· ", "bold green" if entry.picked else "dim")
    line.append(f"{entry.phrase.support:4.0%}  ", "bold" if entry.picked else "dim")
    line.append(entry.phrase.text, "" if entry.picked else "dim")
    return line
