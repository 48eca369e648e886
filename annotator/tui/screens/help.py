"""Every key of the review and template screens, from their bindings."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


def bindings_table(app: App[object], title: str, bindings: list[BindingType]) -> Table:
    """One row per action: every key that does it, what it does, the longer tooltip."""
    rows: dict[str, tuple[list[str], str, str]] = {}
    for binding in bindings:
        if not isinstance(binding, Binding) or not binding.description:
            continue
        keys, description, tooltip = rows.setdefault(binding.action, ([], binding.description, ""))
        keys.extend(app.get_key_display(Binding(k.strip(), "")) for k in binding.key.split(","))
        if binding.tooltip and not tooltip:
            rows[binding.action] = (keys, description, binding.tooltip)
    table = Table(title=title, title_justify="left", expand=True, box=None, pad_edge=False)
    table.add_column("key", style="bold", no_wrap=True)
    table.add_column("does", no_wrap=True)
    table.add_column("", style="dim")
    for keys, description, tooltip in rows.values():
        table.add_row(" ".join(keys), description, tooltip)
    return table


class HelpScreen(ModalScreen[None]):
    """The keys; any of escape, ? or q closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "close", "Close", id="help.close", tooltip="Back")
    ]

    def compose(self) -> ComposeResult:
        from annotator.tui.screens.review import ReviewScreen
        from annotator.tui.screens.template import TemplateScreen

        with VerticalScroll(id="help", classes="dialog"):
            yield Static(Text("Keys", style="bold"), classes="dialog-title")
            yield Static(bindings_table(self.app, "Review", ReviewScreen.BINDINGS))
            yield Static(bindings_table(self.app, "Template", TemplateScreen.BINDINGS))
            yield Static(
                Text(
                    "Every edit is saved as you type. Mouse: click a sample, a field or a button.",
                    style="dim",
                )
            )

    def action_close(self) -> None:
        self.dismiss(None)
