"""The review UI and the store's writes: the template view writes only what a person
applies, builds the template as the CLI does, and a store that refuses writes (full disk,
read-only, locked) never ends the session nor loses what was typed.

A refusing store is SQLite's own ``PRAGMA query_only`` on the app's connection: writes fail
with SQLITE_READONLY as on a read-only file (as tests/workspace/test_claims.py does)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from textual.pilot import Pilot

from annotator.pipeline.caption import REPLAY_FILE, caption_samples
from annotator.pipeline.mine import PHRASES_KEY, apply_template, propose
from annotator.pipeline.prompts import load_prompts
from annotator.tui.app import ReviewApp
from annotator.tui.screens.review import ReviewScreen
from annotator.tui.screens.template import TemplateScreen
from annotator.tui.widgets.fields import FieldEditor
from annotator.workspace import Workspace
from annotator.workspace.store import DB_NAME, STORE_DIR
from tests.tui.helpers import SIZE, review_app, screen, settle, type_text

# Motions that carry the trigger token inside the effect's wording: what the CLI and the
# view build then depends on all the mined phrases (the carried trigger), not the picks.
MOTIONS = [
    "s86b5p golden sparkles spiral in around her, the whole frame flashes white, she glows",
    "s86b5p golden sparkles spiral in around him, the frame flashes white, he glows",
    "s86b5p golden sparkles spiral in around it, the whole frame flashes white, it glows",
    "s86b5p golden sparkles spiral inward around her, the whole frame flashes white, she glows",
]


def _data_version(root: Path) -> int:
    """What another program sees: the store's data_version from a second connection."""
    conn = sqlite3.connect(root / STORE_DIR / DB_NAME)
    try:
        return int(conn.execute("PRAGMA data_version").fetchone()[0])
    finally:
        conn.close()


def _messages(app: ReviewApp) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


def _refuse_writes(ws: Workspace, refuse: bool) -> None:
    ws.query(f"PRAGMA query_only = {'ON' if refuse else 'OFF'}")


def _recaption(ws: Workspace) -> None:
    """Caption every sample again (replay) with the motions above."""
    lines = []
    for i, sample in enumerate(ws.samples()):
        fields = {"subject": f"subject {i}", "background": "a street", "motion": MOTIONS[i]}
        entry = {
            "sha256": sample.id,
            "file": sample.name,
            "lang": "en",
            "instruction_kind": "structured",
            "text": json.dumps(fields),
            "fields": fields,
        }
        lines.append(json.dumps(entry))
    (ws.root / REPLAY_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
    caption_samples(ws, [s.id for s in ws.samples()], provider="replay", force=True)


async def test_opening_the_template_view_writes_nothing(ws: Workspace) -> None:
    prompts = {k: p.text for k, p in load_prompts(ws).prompts.items()}
    app = review_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        phrases, version = ws.meta(PHRASES_KEY), _data_version(ws.root)
        await pilot.press("t")
        assert isinstance(app.screen, TemplateScreen)
        await settle(pilot)  # the mining worker
        assert app.screen.entries, "the view mined phrases"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)
        assert _data_version(ws.root) == version
        assert ws.meta(PHRASES_KEY) == phrases
    assert {k: p.text for k, p in load_prompts(ws).prompts.items()} == prompts


async def test_the_view_writes_the_template_the_cli_stores(ws: Workspace) -> None:
    _recaption(ws)
    proposal = propose(ws)
    taken = [p.text for p in proposal.taken]
    app = review_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        await settle(pilot)
        view = app.screen
        assert isinstance(view, TemplateScreen)
        # The phrases the CLI takes, picked, in its order.
        entries = {e.phrase.text: e for e in view.entries}
        view.entries = [entries[text] for text in taken]
        for entry in view.entries:
            entry.picked = True
        await pilot.press("g")
        await settle(pilot)
        from_view, phrases_from_view = ws.template(), ws.meta(PHRASES_KEY)
    apply_template(ws, proposal.phrases, proposal.template)  # what `mine --apply` stores
    assert from_view == ws.template() == proposal.template
    assert phrases_from_view == ws.meta(PHRASES_KEY)  # written with the template


async def _type_subject(pilot: Pilot[None], text: str) -> None:
    await pilot.press("s")
    await type_text(pilot, text)
    await pilot.press("enter")
    await settle(pilot)


async def test_a_failed_save_keeps_the_typing_for_the_next_save(ws: Workspace) -> None:
    app = review_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        sample_id = screen(app).current
        assert sample_id is not None
        _refuse_writes(ws, True)
        await _type_subject(pilot, "a fox")
        assert "could not save the subject" in _messages(app)
        editor = screen(app).query_one("#subject", FieldEditor)
        assert editor.dirty  # still the person's text, not the store's
        _refuse_writes(ws, False)
        await pilot.press("j")  # moving on writes what the editor holds
        await settle(pilot)
    assert ws.sample(sample_id).subject == "a fox"


async def test_a_refusing_store_never_ends_the_session(ws: Workspace) -> None:
    app = review_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _refuse_writes(ws, True)
        for key in ("a", "o", "u", "j", "j"):
            await pilot.press(key)
            await settle(pilot)
            assert app.is_running, f"{key} ended the session"
            assert isinstance(app.screen, ReviewScreen)
        said = _messages(app)
        assert "could not accept" in said
        assert "could not set the pronoun" in said
        assert "could not undo" in said
        assert "read-only" in said  # the store's own reason and fix
        _refuse_writes(ws, False)
        await pilot.press("t")
        await settle(pilot)
        _refuse_writes(ws, True)
        await pilot.press("g")  # write the template from the picked phrases
        await settle(pilot)
        assert isinstance(app.screen, TemplateScreen)
        assert "could not save the template" in _messages(app)
        await pilot.press("escape")
        await settle(pilot)
        assert app.is_running


def test_data_version_moves_on_another_programs_commit_only(ws: Workspace) -> None:
    before = ws.data_version()
    ws.set_meta("review.current", "x")  # this connection's own write
    assert ws.data_version() == before
    with Workspace.open(ws.root) as other:
        other.set_meta("review.current", "y")
    assert ws.data_version() != before
