"""Search the samples by text: clip name, subject, background or caption."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from annotator.tui.keys import Group, bindings


class SearchScreen(ModalScreen[str | None]):
    """Dismisses with the text to look for ("" shows every sample again), or None."""

    BINDINGS: ClassVar[list[BindingType]] = bindings(Group.SEARCH)

    def __init__(self, query: str = "") -> None:
        super().__init__()
        self.query_text = query

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Label("Show the samples whose name, subject, background or caption hold:")
            yield Input(self.query_text, placeholder="text (empty: all samples)", id="query")
            yield Label("Enter to search · Esc to cancel", classes="dialog-hint")

    @on(Input.Submitted, "#query")
    def _submit(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
