"""SVG snapshots of the review (120x40 and 80x24), the zoom, the template view and the help
screen.

Regenerate after a deliberate UI change: pytest tests/tui/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot

from annotator.workspace import Workspace
from tests.tui.helpers import review_app, settle
from tests.tui.test_layout import BACKGROUND as LONG_BACKGROUND
from tests.tui.test_layout import SUBJECT as LONG_SUBJECT

Compare = Callable[..., bool]


async def _ready(pilot: Pilot[None]) -> None:
    """Frames decoded, checks run, nothing left moving."""
    await pilot.pause(0.3)
    await settle(pilot)


def test_review_120x40(ws: Workspace, snap_compare: Compare) -> None:
    assert snap_compare(review_app(ws), terminal_size=(120, 40), run_before=_ready)


def test_review_80x24(ws: Workspace, snap_compare: Compare) -> None:
    assert snap_compare(review_app(ws), terminal_size=(80, 24), run_before=_ready)


def test_template_view(ws: Workspace, snap_compare: Compare) -> None:
    async def open_template(pilot: Pilot[None]) -> None:
        await _ready(pilot)
        await pilot.press("t")
        await settle(pilot)

    assert snap_compare(review_app(ws), terminal_size=(120, 40), run_before=open_template)


def test_help_screen(ws: Workspace, snap_compare: Compare) -> None:
    async def open_help(pilot: Pilot[None]) -> None:
        await _ready(pilot)
        await pilot.press("question_mark")

    assert snap_compare(review_app(ws), terminal_size=(120, 40), run_before=open_help)


def test_zoom_80x24(ws: Workspace, snap_compare: Compare) -> None:
    async def zoom(pilot: Pilot[None]) -> None:
        await _ready(pilot)
        await pilot.press("z")
        await pilot.pause(0.3)
        await settle(pilot)

    assert snap_compare(review_app(ws), terminal_size=(80, 24), run_before=zoom)


def test_review_80x24_long_prompt(ws: Workspace, snap_compare: Compare) -> None:
    """The issue's case: a real clip's prompt, whole at 80x24, the help and quit keys too."""
    sid = ws.samples()[0].id
    ws.edit(sid, "subject", LONG_SUBJECT)
    ws.edit(sid, "background", LONG_BACKGROUND)
    assert snap_compare(review_app(ws), terminal_size=(80, 24), run_before=_ready)
