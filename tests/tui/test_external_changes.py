"""What another program writes to the store while the review is open (the CLI's `accept`
in another terminal) shows in the list and on the current sample; undo acts on what is
shown, never on a change the screen has not shown yet."""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot
from typer.testing import CliRunner

from annotator.cli import app as cli
from annotator.tui.app import ReviewApp
from annotator.tui.widgets.fields import FieldEditor
from annotator.tui.widgets.sample_list import SampleList
from annotator.workspace import Status, Workspace
from tests.tui.helpers import SIZE, current_name, prompt_text, review_app, screen

ROUNDS = 200  # pauses of 0.05 s: ten seconds at most for the screen to catch up


async def _until(pilot: Pilot[None], done: Callable[[], bool], what: str) -> None:
    """Let the app run until DONE holds (bounded, not a fixed sleep)."""
    for _ in range(ROUNDS):
        if done():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"the review never showed {what}")


def _line(app: ReviewApp, name: str) -> str:
    samples = screen(app).query_one(SampleList)
    for sid in samples.ids():
        line = str(samples.get_option(sid).prompt)
        if name in line:
            return line
    return ""


def _notes(app: ReviewApp) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


def _elsewhere(ws: Workspace) -> Workspace:
    """A second connection to the same store: another process, as far as SQLite can tell."""
    return Workspace.open(ws.root)


async def test_an_accept_from_the_cli_shows_in_the_list(ws: Workspace) -> None:
    app = review_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        assert _line(app, "clip_b.mp4").startswith("◐")
        result = CliRunner().invoke(cli, ["accept", str(ws.root), "clip_b.mp4"])
        assert result.exit_code == 0, result.output

        await _until(pilot, lambda: _line(app, "clip_b.mp4").startswith("✓"), "the accept")
        progress = str(screen(app).query_one("#progress-line").render())
        assert "accepted 1 / 4" in progress


async def test_a_filtered_list_drops_a_sample_decided_elsewhere(ws: Workspace) -> None:
    app = review_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f")  # "to review"
        assert _line(app, "clip_c.mp4")
        with _elsewhere(ws) as other:
            other.set_status(other.resolve("clip_c.mp4").id, Status.REJECTED, "blurred")
        await _until(pilot, lambda: not _line(app, "clip_c.mp4"), "clip_c leave the list")
        assert current_name(app) == "clip_a.mp4"


async def test_the_current_sample_is_redrawn(ws: Workspace) -> None:
    app = review_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        assert current_name(app) == "clip_a.mp4"
        editor = screen(app).query_one("#subject", FieldEditor)
        with _elsewhere(ws) as other:
            other.edit(other.resolve("clip_a.mp4").id, "subject", "a grey wolf")
        await _until(pilot, lambda: editor.text == "a grey wolf", "the new subject")
        assert "A grey wolf" in prompt_text(app)
        assert _line(app, "clip_a.mp4").startswith("◑")  # reviewed: a person edited it


async def test_a_field_being_edited_is_left_alone(ws: Workspace) -> None:
    sample_id = ws.samples()[0].id
    app = review_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await pilot.press("a", "space", "f", "o", "x")
        await pilot.pause(0.5)
        assert ws.sample(sample_id).subject == "a fox"
        subject = screen(app).query_one("#subject", FieldEditor)
        background = screen(app).query_one("#background", FieldEditor)
        with _elsewhere(ws) as other:
            other.edit(sample_id, "subject", "a grey wolf")
            other.edit(sample_id, "background", "a pine forest")

        await _until(pilot, lambda: background.text == "a pine forest", "the new background")
        assert app.focused is subject
        assert subject.text == "a fox"  # the person is in it: not replaced under the cursor
        await pilot.press("enter")  # done with it: now it shows what the store holds
        assert subject.text == "a grey wolf"
        assert ws.sample(sample_id).subject == "a grey wolf"


async def test_undo_never_reverts_a_change_it_has_not_shown(ws: Workspace) -> None:
    ids = {s.name: s.id for s in ws.samples()}
    app = review_app(ws, watch_interval=3600.0)  # only the undo key looks at the store
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "a", "space", "f", "o", "x", "enter")
        assert ws.sample(ids["clip_a.mp4"]).subject == "a fox"
        with _elsewhere(ws) as other:
            other.set_status(ids["clip_b.mp4"], Status.ACCEPTED)

        await pilot.press("u")  # shows the accept made elsewhere first, undoes nothing
        assert ws.sample(ids["clip_b.mp4"]).status is Status.ACCEPTED
        assert ws.sample(ids["clip_a.mp4"]).subject == "a fox"
        assert _line(app, "clip_b.mp4").startswith("✓")
        assert "elsewhere" in _notes(app)

        await pilot.press("u")  # now on screen: undone like any change
        assert ws.sample(ids["clip_b.mp4"]).status is Status.CAPTIONED
        assert _line(app, "clip_b.mp4").startswith("◐")
        await pilot.press("u")
        assert ws.sample(ids["clip_a.mp4"]).subject == ""


async def test_undo_after_the_screen_caught_up_says_what_it_undid(ws: Workspace) -> None:
    clip_b = ws.samples()[1].id
    app = review_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        with _elsewhere(ws) as other:
            other.set_status(clip_b, Status.ACCEPTED)
        await _until(pilot, lambda: _line(app, "clip_b.mp4").startswith("✓"), "the accept")
        await pilot.press("u")
        assert ws.sample(clip_b).status is Status.CAPTIONED
        assert current_name(app) == "clip_b.mp4"  # undo shows what it undid
        assert "Undone: status of clip_b.mp4" in _notes(app)
