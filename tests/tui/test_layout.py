"""Issue 14, review item 1: the screen at 120x40, 80x24 and 60x15 shows the whole prompt
and the keys that matter; below the smallest size, one notice says what is needed."""

from __future__ import annotations

import pytest

from annotator.tui.app import MIN_SIZE
from annotator.workspace import Workspace
from tests.tui import screen_text
from tests.tui.helpers import review_app, screen, settle

# As long as a real clip's prompt (the was cut after "Then the" at 80x24).
SUBJECT = (
    "The Earth seen from space at night, its continents outlined by the glowing orange "
    "lights of cities and the thin blue line of the atmosphere along the curved horizon"
)
BACKGROUND = "Black space with a few faint stars and the pale edge of the Moon in a corner"
MAIN_KEYS = ("? Help", "q Quit", "a Accept", "x Reject", "j Next")


def _long_prompt(ws: Workspace) -> None:
    sid = ws.samples()[0].id
    ws.edit(sid, "subject", SUBJECT)
    ws.edit(sid, "background", BACKGROUND)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_the_whole_prompt_and_the_main_keys_are_shown(
    ws: Workspace, size: tuple[int, int]
) -> None:
    _long_prompt(ws)
    app = review_app(ws)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        prompt = screen(app).domain.assemble(screen(app).state.samples[ws.samples()[0].id])
        assert len(prompt.text) > 250
        assert screen_text.box(app, "Prompt") == prompt.text
        footer = screen_text.rows(app)[-1]
        for key in MAIN_KEYS:
            assert key in footer, (key, footer)


async def test_at_60x15_the_prompt_is_still_shown(ws: Workspace) -> None:
    app = review_app(ws)
    async with app.run_test(size=(60, 15)) as pilot:
        await settle(pilot)
        review = screen(app)
        assert review.sample is not None
        prompt = review.domain.assemble(review.sample)
        assert screen_text.box(app, "Prompt") == prompt.text
        footer = screen_text.rows(app)[-1]
        assert "? Help" in footer and "q Quit" in footer


async def test_below_the_smallest_size_one_notice_says_what_is_needed(ws: Workspace) -> None:
    width, height = MIN_SIZE
    app = review_app(ws)
    async with app.run_test(size=(width - 1, height)) as pilot:
        await settle(pilot)
        shown = screen_text.text(app)
        assert f"terminal too small: {width} x {height} needed" in shown
        assert "Prompt" not in shown
        await pilot.resize_terminal(width, height - 1)
        await settle(pilot)
        assert f"terminal too small: {width} x {height} needed" in screen_text.text(app)
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        shown = screen_text.text(app)
        assert "terminal too small" not in shown
        assert screen_text.box(app, "Prompt")
        await pilot.press("j")  # the review's keys work again
        await settle(pilot)
        assert screen(app).sample is not None


async def test_at_80_columns_every_footer_key_is_shown(ws: Workspace) -> None:
    """The footer holds few keys (the rest are in the help): all of them fit in 80 columns."""
    app = review_app(ws)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        footer = screen_text.rows(app)[-1]
        shown = [
            f"{app.get_key_display(b.binding)} {b.binding.description}"
            for b in app.screen.active_bindings.values()
            if b.binding.show
        ]
        assert shown
        for key in shown:
            assert key in footer, (key, footer)


async def test_a_one_line_editor_shows_the_first_words_and_types_at_the_end(
    ws: Workspace,
) -> None:
    _long_prompt(ws)
    app = review_app(ws)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        rows = screen_text.rows(app)
        below = rows[next(i for i, row in enumerate(rows) if "─Subject─" in row) + 1]
        assert SUBJECT[:30] in below, below
        await pilot.press("s")
        await pilot.press("exclamation_mark", "enter")
        await settle(pilot)
        assert ws.samples()[0].subject == SUBJECT + "!"
