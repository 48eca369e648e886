"""Reject a sample, with an optional reason."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

from annotator.tui.keys import Group, bindings


class RejectScreen(ModalScreen[str | None]):
    """Dismisses with the reason ("" for none), or None when the person thinks again."""

    BINDINGS: ClassVar[list[BindingType]] = bindings(Group.REJECT)

    def __init__(self, clip: str, reason: str = "") -> None:
        super().__init__()
        self.clip, self.reason = clip, reason

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Label(Text.assemble("Reject ", (self.clip, "bold"), "?"), classes="dialog-title")
            yield Input(
                self.reason,
                placeholder="reason (optional), e.g. watermark, cut mid-effect",
                id="reason",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Reject", variant="error", id="reject")
                yield Button("Cancel", id="cancel")

    @on(Input.Submitted, "#reason")
    @on(Button.Pressed, "#reject")
    def _reject(self) -> None:
        self.dismiss(self.query_one("#reason", Input).value.strip())

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
