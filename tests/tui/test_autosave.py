"""Typing that never pauses is still written about once a second, and stays one undo step."""

from __future__ import annotations

import time
from pathlib import Path

from textual.pilot import Pilot

from annotator.tui.widgets.fields import FieldEditor
from annotator.workspace import Workspace
from tests.tui.helpers import SIZE, review_app, screen

TEXT = "a fox in a long red coat walks slowly across a frozen lake at dawn"
GAP = 0.1  # seconds between two keys: shorter than the editor's pause before it saves
DEADLINE = 20.0  # seconds; the bound on the whole burst on a loaded machine


def _stored_subject(root: Path, name: str) -> str:
    """What another connection (another process, after a crash) reads from the store."""
    with Workspace.open(root) as other:
        return next(s.subject for s in other.samples() if s.name == name)


async def _type_until_stored(pilot: Pilot[None], root: Path) -> tuple[str, str]:
    """Type TEXT one key at a time, GAP apart, for at least 1.5 s and until the store holds
    part of it; return (what was typed, what the store held while typing went on)."""
    start = time.monotonic()
    typed, seen = "", ""
    for char in TEXT * 10:
        await pilot.press("space" if char == " " else char)
        typed += char
        await pilot.pause(GAP)
        seen = _stored_subject(root, "clip_a.mp4")
        elapsed = time.monotonic() - start
        if (elapsed > 1.5 and seen) or elapsed > DEADLINE:
            break
    return typed, seen


async def test_continuous_typing_is_saved_before_it_stops(ws: Workspace) -> None:
    app = review_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        typed, seen = await _type_until_stored(pilot, ws.root)
        assert seen, f"nothing stored after typing {typed!r} without a pause"
        assert typed.startswith(seen)
        editor = screen(app).query_one("#subject", FieldEditor)
        assert editor.dirty or editor.value == seen  # the rest is still on its way

        await pilot.press("enter")
        assert _stored_subject(ws.root, "clip_a.mp4") == typed.strip()  # stored trimmed

        # Several writes, one burst: one undo step takes the field back to empty.
        subject_steps = [e for e in ws.history() if e.field == "subject"]
        assert len(subject_steps) == 1
        await pilot.press("u")
        assert _stored_subject(ws.root, "clip_a.mp4") == ""
