"""What the review tests share: building the app, typing, reading what is on screen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Static

from annotator.tui import make_app
from annotator.tui.app import ReviewApp
from annotator.tui.screens.review import ReviewScreen
from annotator.workspace import Workspace

SIZE = (120, 40)


class FakePlayer:
    """Records the clips it was asked to play."""

    def __init__(self) -> None:
        self.played: list[Path] = []

    def __call__(self, path: Path) -> str | None:
        self.played.append(path)
        return None


def review_app(ws: Workspace, **options: Any) -> ReviewApp:
    """The app as the CLI builds it, with pictures in half blocks and no real player."""
    options.setdefault("graphics", "halfcell")
    options.setdefault("player", FakePlayer())
    options.setdefault("truecolor", False)  # never ask the terminal (or tmux) in a test
    return make_app(ws, **options)


async def type_text(pilot: Pilot[None], text: str) -> None:
    await pilot.press(*("space" if c == " " else c for c in text))


async def settle(pilot: Pilot[None]) -> None:
    """Wait until every worker has finished and its messages are handled."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def screen(app: ReviewApp) -> ReviewScreen:
    assert isinstance(app.screen, ReviewScreen), type(app.screen)
    return app.screen


def prompt_text(app: ReviewApp) -> str:
    return str(screen(app).query_one("#prompt", Static).render())


def current_name(app: ReviewApp) -> str:
    review = screen(app)
    assert review.sample is not None
    return review.sample.name
