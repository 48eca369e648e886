"""The review app with hostile text (issue 10, items 6 and 7): captions, a clip name, a
search and a server's error full of Rich/Textual markup and terminal escapes. The app
opens, searches and captions without crashing, and shows every such text literally."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Input, Label, Static

from annotator.pipeline.scan import scan
from annotator.tui.app import ReviewApp
from annotator.tui.screens.reject import RejectScreen
from annotator.tui.screens.template import TemplateScreen
from annotator.tui.widgets.fields import FieldEditor
from annotator.tui.widgets.sample_list import SampleList
from annotator.workspace import Workspace
from tests.clips import make_clip
from tests.fakes import COMPATIBLE, FakeDashScope, error
from tests.tui.helpers import SIZE, review_app, screen, settle

ODD = "[red]odd.mp4"  # markup would show it as "odd.mp4"
OSC, CSI, BEL, CR = "\x1b]0;pwned\x07", "\x1b[31m", "\x07", "\r"
SUBJECT = "a woman [/] in a [bold red]x red coat"
BACKGROUND = "a snowy street [link=file:///etc/passwd]here[/link]"
SERVER_SAYS = "bad [/] input [bold red]x"


def _controls(text: str) -> list[str]:
    return [c for c in text if c != "\n" and (ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F)]


def _shown(app: ReviewApp, selector: str) -> str:
    """The plain text a Static shows."""
    return str(screen(app).query_one(selector, Static).render())


def _notes(app: ReviewApp) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


@pytest.fixture
def hostile(ws: Workspace) -> Workspace:
    """clip_a captioned with markup and escapes; clip_b's caption and error written raw, as
    a store from before the fix would hold them; a clip whose name reads as markup."""
    a, b = ws.samples()[:2]
    fields = {
        "subject": f"{SUBJECT}{CSI}{BEL}",
        "background": f"{OSC}{BACKGROUND}{CR}",
        "motion": "golden sparkles spiral in around the subject",
    }
    ws.add_caption(
        a.id,
        provider="replay",
        model="qwen-vl-max",
        instruction="describe",
        fps=2.0,
        cache_key="hostile",
        text=json.dumps(fields),
        fields=fields,
    )
    with sqlite3.connect(ws.root / ".annotator" / "workspace.db") as db:
        db.execute(
            "UPDATE captions SET text = ?, fields = NULL WHERE sample_id = ?",
            (f"A man {OSC}[/] with an umbrella{CSI}. Behind him a harbour.{BEL}", b.id),
        )
        db.execute("UPDATE samples SET error = ? WHERE id = ?", (f"old {CSI}[/] error", b.id))
    make_clip(ws.root / ODD, width=96, height=64, seconds=2.5, fps=8, seed=7)
    scan(ws)
    return ws


async def test_review_opens_and_shows_hostile_captions_literally(hostile: Workspace) -> None:
    app = review_app(hostile)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        review = screen(app)
        # The list is in path order: "[red]odd.mp4" sorts before "clip_a.mp4".
        names = [str(o.prompt) for o in review.query_one("#samples").options]  # type: ignore[attr-defined]
        assert names[0].startswith("○ " + ODD)
        await pilot.press("j")
        assert review.sample is not None and review.sample.name == "clip_a.mp4"
        caption = _shown(app, "#caption-text")
        assert f"subject: {SUBJECT}" in caption and f"background: {BACKGROUND}" in caption
        prompt = _shown(app, "#prompt")
        assert SUBJECT[1:] in prompt and BACKGROUND[1:] in prompt
        editor = review.query_one("#subject", FieldEditor)
        assert f"from the caption: A{SUBJECT[1:]}" == str(editor.placeholder)
        await pilot.press("j")  # clip_b: text written raw into the store
        caption = _shown(app, "#caption-text")
        assert "A man [/] with an umbrella. Behind him a harbour." in caption
        assert "error: old [/] error" in caption
        for selector in ("#caption-text", "#prompt", "#findings"):
            assert not _controls(_shown(app, selector)), selector
        await pilot.press("x")  # the reject dialog names the clip
        assert isinstance(app.screen, RejectScreen)
        await pilot.press("escape")
        await pilot.press("k", "k")
        await pilot.press("x")
        assert ODD in str(app.screen.query_one(".dialog-title", Label).render())
        await pilot.press("escape")
        await pilot.press("t")  # the template view mines the hostile captions too
        await settle(pilot)
        assert isinstance(app.screen, TemplateScreen)
        assert "phrases from" in str(app.screen.query_one("#mine-status", Static).render())
        await pilot.press("escape")


async def test_search_for_markup_filters_and_notifies_literally(hostile: Workspace) -> None:
    app = review_app(hostile)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for query, hits in (("[/]", 2), ("[bold red]x", 1), ("[/nothing]", 0)):
            await pilot.press("slash")
            app.screen.query_one("#query", Input).value = query
            await pilot.press("enter")
            await pilot.pause()
            assert len(screen(app).query_one("#samples").options) == hits  # type: ignore[attr-defined]
            assert f"search: {query!r}" in _shown(app, "#filter-line")
        assert "No sample holds '[/nothing]'." in _notes(app)


@pytest.fixture
def fake_endpoint() -> Iterator[FakeDashScope]:
    """A named endpoint in the config file that points at the fake server (no key)."""
    with FakeDashScope() as server:
        config = Path(os.environ["ANNOTATOR_HOME"]) / "config.toml"
        config.write_text(f'[endpoints.fake]\nbase_url = "{server.compatible_base}"\n')
        yield server


async def test_a_server_error_with_markup_during_caption_missing(
    ws: Workspace, fake_endpoint: FakeDashScope
) -> None:
    """C on every sample (none has a caption from this endpoint): two are refused with
    markup and escapes in the server's message."""
    message = f"{SERVER_SAYS}{OSC}"
    fake_endpoint.queue(COMPATIBLE, *[error(400, "InvalidParameter", message)] * 2)
    app = review_app(ws, provider="fake")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("C")
        await settle(pilot)
        assert "2 failed" in _notes(app)
        # Which two of the four requests were refused depends on the order they ran in.
        refused = [s for s in ws.samples() if s.error]
        assert len(refused) == 2
        assert all(SERVER_SAYS in (s.error or "") and not _controls(s.error or "") for s in refused)
        assert screen(app).query_one(SampleList).select_id(refused[0].id)
        await pilot.pause()
        assert f"error: {refused[0].name}: " in _shown(app, "#caption-text")
        assert SERVER_SAYS in _shown(app, "#caption-text")


async def test_a_batch_stopped_by_a_server_error_with_markup(
    ws: Workspace, fake_endpoint: FakeDashScope
) -> None:
    # "key": the first word after "InvalidApiKey:" may be taken for a key and redacted.
    fake_endpoint.queue(COMPATIBLE, error(401, "InvalidApiKey", f"key {SERVER_SAYS}{BEL}"))
    app = review_app(ws, provider="fake")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("C")
        await settle(pilot)
        notes = _notes(app)
        assert "captioning stopped" in notes and SERVER_SAYS in notes
        assert not _controls(notes)
