"""Issue 14, review item 2: the Findings panel follows every saved edit at once (the sample's
own rules), without waiting for the run of every check (set-wide rules, in the background)."""

from __future__ import annotations

import asyncio
import threading

import pytest

from annotator.pipeline.caption import caption_samples
from annotator.tui.domain import Domain, Finding
from annotator.tui.screens import sample_view
from annotator.tui.widgets.fields import FieldEditor
from annotator.workspace import Workspace
from tests.tui import screen_text
from tests.tui.helpers import SIZE, review_app, screen, settle, type_text

TRIGGER = "s86b5p"  # the seed workspace's trigger: twice in a prompt is a finding


@pytest.fixture
def no_background_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """The run of every check never comes (after the first): what the panel shows after an
    edit is the sample's own re-check alone."""
    monkeypatch.setattr(sample_view, "RECHECK_DELAY", 3600.0)


def _findings(app: object) -> str:
    return screen_text.box(app, "Findings") or ""  # type: ignore[arg-type]


async def test_a_new_finding_shows_on_the_saved_edit(
    ws: Workspace, no_background_run: None
) -> None:
    app = review_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "trigger" not in _findings(app).lower()
        await pilot.press("s")
        await type_text(pilot, f"a woman holding a {TRIGGER} sign")
        await pilot.press("enter")  # saved now
        await pilot.pause()
        assert TRIGGER in screen(app).state.samples[screen(app).current or ""].subject
        assert TRIGGER in _findings(app) or "trigger" in _findings(app).lower()


async def test_a_stale_finding_goes_on_the_saved_edit(
    ws: Workspace, no_background_run: None
) -> None:
    sid = ws.samples()[0].id
    ws.edit(sid, "subject", f"a woman holding a {TRIGGER} sign")
    app = review_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "trigger" in _findings(app).lower()
        await pilot.press("s")
        screen(app).query_one("#subject", FieldEditor).select_all()  # typing replaces it
        await type_text(pilot, "a woman in a red coat")
        await pilot.press("enter")
        await pilot.pause()
        assert ws.sample(sid).subject == "a woman in a red coat"
        assert "trigger" not in _findings(app).lower()


async def test_undo_rechecks_the_sample_at_once(ws: Workspace, no_background_run: None) -> None:
    app = review_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await type_text(pilot, f" with a {TRIGGER} sign")
        await pilot.press("enter")
        await pilot.pause()
        assert "trigger" in _findings(app).lower()
        await pilot.press("u")
        await pilot.pause()
        assert "trigger" not in _findings(app).lower()


async def test_the_set_rules_follow_in_the_background(ws: Workspace) -> None:
    """A set rule that names the sample (its motion text differs from the others') stays
    shown across an edit of the sample's own words, and the next run keeps it."""
    caption_samples(ws, provider="replay")  # four prompts: three share one motion text
    sid = ws.samples()[0].id
    ws.edit(
        sid,
        "prompt_override",
        f"A woman in a red coat. A snowy street at dusk. Then the {TRIGGER} sparkles fade.",
    )
    app = review_app(ws)

    def codes() -> set[str]:
        return {f.code for f in screen(app).state.findings_for(sid)}

    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "prompt-motion-differs" in codes()
        await pilot.press("o")  # the pronoun: a saved edit of this sample
        await pilot.pause()
        assert "prompt-motion-differs" in codes()
        await pilot.pause(sample_view.RECHECK_DELAY + 0.2)
        await settle(pilot)
        assert "prompt-motion-differs" in codes()


async def test_an_edit_during_a_run_of_every_check_keeps_its_fresh_findings(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run that was under way when the edit was saved read the store before it: its
    answer must not put back what the edit's own re-check replaced."""
    computed, first_done, later = threading.Event(), threading.Event(), threading.Event()
    calls: list[int] = []
    original = Domain.findings

    def held(self: Domain) -> list[Finding]:
        calls.append(1)
        found = original(self)
        if len(calls) == 1:
            computed.set()
            first_done.wait(30)  # the first run answers when the test says
        else:
            later.wait(30)  # the next run never answers during the test
        return found

    monkeypatch.setattr(Domain, "findings", held)
    app = review_app(ws)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await asyncio.to_thread(computed.wait, 30)
            await pilot.press("s")
            await type_text(pilot, f" with a {TRIGGER} sign")
            await pilot.press("enter")  # saved: its own re-check finds the trigger twice
            await pilot.pause()
            assert "trigger" in _findings(app).lower()
            first_done.set()  # the run from before the edit answers now
            while len(calls) < 2:
                await pilot.pause(0.05)
            await pilot.pause()
            assert "trigger" in _findings(app).lower()
            later.set()
    finally:
        later.set()
        first_done.set()
