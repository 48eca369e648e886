"""Every key of every screen, read from the key table the screens bind from."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from annotator.tui.keys import Group, Key, bindings, keys
from annotator.tui.widgets.sample_list import legend


def keys_table(app: App[object], group: Group) -> Table:
    """One row per action of GROUP's screen: every key that does it, its label, what it does."""
    rows: dict[str, tuple[list[str], Key]] = {}
    for key in keys(group):
        shown, _ = rows.setdefault(key.action, ([], key))
        shown.extend(app.get_key_display(b) for b in Binding.make_bindings([key.binding()]))
    table = Table(title=group.value, title_justify="left", expand=True, box=None, pad_edge=False)
    table.add_column("key", style="bold", no_wrap=True)
    table.add_column("does", no_wrap=True)
    table.add_column("", style="dim")
    for shown, key in rows.values():
        table.add_row(" ".join(shown), key.label, key.description)
    return table


def close_hint(app: App[object]) -> str:
    """E.g. "Esc, ? or q closes this help", from the keys the help screen binds."""
    shown = [
        app.get_key_display(b)
        for key in keys(Group.HELP)
        for b in Binding.make_bindings([key.binding()])
    ]
    listed = ", ".join(shown[:-1]) + f" or {shown[-1]}" if len(shown) > 1 else shown[0]
    return f"{listed[0].upper()}{listed[1:]} closes this help"


class HelpScreen(ModalScreen[None]):
    """The keys; any of escape, ? or q closes it."""

    BINDINGS: ClassVar[list[BindingType]] = bindings(Group.HELP)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help", classes="dialog"):
            yield Static(
                Text.assemble(("Keys", "bold"), ("  ·  ", "dim"), (close_hint(self.app), "bold")),
                classes="dialog-title",
            )
            yield Static(legend(), id="legend", classes="keys")
            for group in Group:
                table = keys_table(self.app, group)
                yield Static(table, id=f"keys-{group.name.lower()}", classes="keys")
            yield Static(
                Text(
                    "Every edit is saved as you type. Mouse: click a sample, a field or a button.",
                    style="dim",
                )
            )

    def action_close(self) -> None:
        self.dismiss(None)
