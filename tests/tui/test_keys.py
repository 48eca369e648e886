"""The help screen shows every key of every screen, from the one table the screens bind."""

from __future__ import annotations

import io
import re
from typing import Any

from rich.console import Console
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from annotator.tui.app import ReviewApp
from annotator.tui.screens.help import HelpScreen
from annotator.tui.screens.reject import RejectScreen
from annotator.tui.screens.review import ReviewScreen
from annotator.tui.screens.search import SearchScreen
from annotator.tui.screens.template import TemplateScreen
from annotator.tui.screens.zoom import ZoomScreen
from annotator.workspace import Workspace
from tests.tui.helpers import SIZE, review_app

Row = tuple[str, str, str]  # keys, label, description
SECTIONS: dict[str, type[Screen[Any]]] = {
    "review": ReviewScreen,
    "template": TemplateScreen,
    "zoom": ZoomScreen,
    "reject": RejectScreen,
    "search": SearchScreen,
    "help": HelpScreen,
}


def _bound(app: App[None], screen: type[Screen[Any]]) -> set[Row]:
    """What the screen binds, one row per action: its keys as shown, label, description."""
    rows: dict[str, tuple[list[str], str, str]] = {}
    for binding in Binding.make_bindings(screen.BINDINGS):
        keys, _, _ = rows.setdefault(binding.action, ([], binding.description, binding.tooltip))
        keys.append(app.get_key_display(binding))
    return {(" ".join(keys), label, text) for keys, label, text in rows.values()}


def _shown(app: ReviewApp, section: str) -> tuple[str, set[Row]]:
    """The section of the help screen: its title and rows (columns are 2+ spaces apart)."""
    console = Console(record=True, width=160, file=io.StringIO())
    console.print(app.screen.query_one(f"#keys-{section}", Static).content)
    title, header, *lines = console.export_text().strip("\n").splitlines()
    assert header.split() == ["key", "does"]
    cells = [re.split(r"\s{2,}", line.strip(), maxsplit=2) for line in lines]
    return title.strip(), {(c[0], c[1], c[2] if len(c) > 2 else "") for c in cells}


async def test_help_shows_every_key_of_every_screen_and_no_other(ws: Workspace) -> None:
    app = review_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        for section, screen in SECTIONS.items():
            title, rows = _shown(app, section)
            assert title, section
            assert rows == _bound(app, screen), section
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


def test_every_key_has_a_description() -> None:
    """The footer shows the label; the help adds what the key does, for every key."""
    for screen in SECTIONS.values():
        for binding in Binding.make_bindings(screen.BINDINGS):
            assert binding.description and binding.tooltip, (screen.__name__, binding.key)
