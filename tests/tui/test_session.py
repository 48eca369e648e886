"""The real review app under Pilot, driven through a whole session; asserts on the store."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from annotator.basemodels import Mode
from annotator.pipeline.scan import scan
from annotator.tui.domain import CURRENT_KEY
from annotator.tui.screens.reject import RejectScreen
from annotator.tui.screens.template import TemplateScreen
from annotator.tui.widgets.fields import FieldEditor
from annotator.tui.widgets.frames import FramesPanel, Picture
from annotator.workspace import Status, Workspace, WorkspaceInfo
from tests.clips import make_clip
from tests.tui.conftest import TEMPLATE
from tests.tui.helpers import (
    SIZE,
    FakePlayer,
    current_name,
    prompt_text,
    review_app,
    screen,
    settle,
    type_text,
)


async def test_a_whole_session(ws: Workspace) -> None:
    """Navigate, edit a subject, accept, reject with a reason, undo; all in the store."""
    ids = [s.id for s in ws.samples()]
    app = review_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        assert current_name(app) == "clip_a.mp4"
        await pilot.press("j")
        assert current_name(app) == "clip_b.mp4"
        await pilot.press("k")
        assert current_name(app) == "clip_a.mp4"

        await pilot.press("s")
        assert isinstance(app.focused, FieldEditor) and app.focused.field == "subject"
        await type_text(pilot, "a red fox")
        await pilot.press("enter")
        assert ws.sample(ids[0]).subject == "a red fox"
        assert "A red fox" in prompt_text(app)

        await pilot.press("a")  # accept, then on to the next sample to review
        assert ws.sample(ids[0]).status is Status.ACCEPTED
        assert current_name(app) == "clip_b.mp4"

        await pilot.press("x")
        assert isinstance(app.screen, RejectScreen)
        await type_text(pilot, "watermark")
        await pilot.press("enter")
        rejected = ws.sample(ids[1])
        assert rejected.status is Status.REJECTED
        assert rejected.reject_reason == "watermark"
        progress = str(screen(app).query_one("#progress-line").render())
        assert "accepted 1 / 4" in progress and "1 rejected" in progress

        await pilot.press("u")  # undo the rejection and its reason: one step
        assert ws.sample(ids[1]).status is Status.CAPTIONED
        assert ws.sample(ids[1]).reject_reason is None
        await pilot.press("U")  # redo the rejection
        assert ws.sample(ids[1]).status is Status.REJECTED
        assert ws.sample(ids[1]).reject_reason == "watermark"


async def test_typing_is_saved_without_leaving_the_field(ws: Workspace) -> None:
    """The editor writes after a short pause, and on moving to another sample at once."""
    sample_id = ws.samples()[0].id
    app = review_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await type_text(pilot, "a quiet lake")
        await pilot.pause(0.5)
        assert ws.sample(sample_id).background == "a quiet lake"
        await type_text(pilot, " at dawn")
        await pilot.press("escape", "j")  # no pause: leaving writes it
        assert ws.sample(sample_id).background == "a quiet lake at dawn"


async def test_undo_reaches_an_edit_on_another_sample(ws: Workspace) -> None:
    first = ws.samples()[0]
    app = review_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await type_text(pilot, "a lamp")
        await pilot.press("enter", "j", "j")
        assert current_name(app) == "clip_c.mp4"
        await pilot.press("ctrl+z")
        assert ws.sample(first.id).subject == ""
        assert current_name(app) == "clip_a.mp4"  # undo shows what it undid
        editor = screen(app).query_one("#subject", FieldEditor)
        assert editor.text == ""


async def test_pronoun_cycles_through_auto_she_he_it(ws: Workspace) -> None:
    sample_id = ws.samples()[0].id
    app = review_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        seen = []
        for _ in range(4):
            await pilot.press("o")
            pronoun = ws.sample(sample_id).pronoun
            seen.append(pronoun.value if pronoun else None)
        assert seen == ["she", "he", "it", None]


async def test_template_edit_changes_every_prompt(ws: Workspace) -> None:
    from annotator.pipeline.prompts import load_prompts

    app = review_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        assert isinstance(app.screen, TemplateScreen)
        await settle(pilot)  # the mining worker
        await pilot.press("e")
        editor = app.screen.query_one("#template-text", FieldEditor)
        assert editor.text == TEMPLATE
        editor.load_text("then the {trigger} paper cranes fold out of the light")
        await pilot.press("escape", "escape")  # leave the text, then the view
        assert isinstance(app.screen, type(screen(app)))
        assert ws.template() == "then the {trigger} paper cranes fold out of the light"
        assert "paper cranes fold out of the light" in prompt_text(app)
    prompts = load_prompts(ws).prompts
    assert all("s86b5p paper cranes" in p.text for p in prompts.values() if p.text)
    assert sum(1 for p in prompts.values() if p.text) >= 2


async def test_template_view_picks_and_orders_phrases(ws: Workspace) -> None:
    app = review_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        await settle(pilot)
        template = app.screen
        assert isinstance(template, TemplateScreen)
        assert len(template.entries) >= 2, "the two recorded captions share two phrases"
        first, second = template.entries[0], template.entries[1]
        await pilot.press("space")  # drop the first phrase, then pick it again
        assert not first.picked
        await pilot.press("space")
        await pilot.press("right_square_bracket")  # move it below the second
        assert template.entries[:2] == [second, first]
        await pilot.press("g")
        written = ws.template()
        assert written and written != TEMPLATE
        assert written.index(second.phrase.text[:12]) < written.index(first.phrase.text[:12])


async def test_caption_missing_runs_in_a_worker(ws: Workspace) -> None:
    """C captions the two samples without a caption through the real batch (replay)."""
    app = review_app(ws, provider="replay")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("C")
        await settle(pilot)
        assert len(ws.latest_captions()) == 4
        assert {s.status for s in ws.samples()} == {Status.CAPTIONED}
        assert " new" not in str(screen(app).query_one("#progress-line").render())
        await pilot.press("j", "j")
        assert "orange cat" in str(screen(app).query_one("#caption").query_one("Static").render())


async def test_a_failing_sample_is_marked_and_the_rest_go_on(ws: Workspace) -> None:
    replay = ws.root / "replay.jsonl"
    lines = replay.read_text().splitlines()
    replay.write_text("\n".join(line for line in lines if "clip_d.mp4" not in line) + "\n")
    app = review_app(ws, provider="replay")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("C")
        await settle(pilot)
    by_name = {s.name: s for s in ws.samples()}
    assert by_name["clip_c.mp4"].status is Status.CAPTIONED
    assert by_name["clip_d.mp4"].status is Status.ERROR
    assert "no recorded caption" in (by_name["clip_d.mp4"].error or "")


async def test_reopening_returns_to_the_same_sample(ws: Workspace) -> None:
    app = review_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "j")
        assert current_name(app) == "clip_c.mp4"
        await pilot.press("q")
    assert ws.meta(CURRENT_KEY) == ws.samples()[2].id
    again = review_app(ws)
    async with again.run_test(size=SIZE):
        assert current_name(again) == "clip_c.mp4"


async def test_search_and_filter(ws: Workspace) -> None:
    app = review_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        await type_text(pilot, "umbrella")
        await pilot.press("enter")
        samples = screen(app).query_one("#samples")
        assert [o.id for o in samples.options] == [ws.samples()[1].id]
        assert current_name(app) == "clip_b.mp4"
        await pilot.press("escape")  # clears the search
        assert len(samples.options) == 4
        await pilot.press("f", "f")  # all -> to review -> not captioned
        assert {current_name(app)} <= {"clip_c.mp4", "clip_d.mp4"}
        assert len(samples.options) == 2


async def test_next_to_review_skips_decided_samples(ws: Workspace) -> None:
    ids = [s.id for s in ws.samples()]
    ws.set_status(ids[1], Status.ACCEPTED)
    ws.set_status(ids[2], Status.REJECTED, "blurry")
    app = review_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        assert current_name(app) == "clip_d.mp4"


async def test_play_opens_the_clip(ws: Workspace) -> None:
    player = FakePlayer()
    app = review_app(ws, player=player)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v")
    assert player.played == [ws.root / "clip_a.mp4"]


async def test_an_empty_workspace_opens_and_says_so(tmp_path: Path) -> None:
    info = WorkspaceInfo(mode=Mode.I2V, base_model="wan2.5-i2v-preview")
    with Workspace.create(tmp_path, info) as empty:
        app = review_app(empty)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("j", "a", "x", "o", "t")
            await pilot.press("escape")
            assert "no samples here" in prompt_text(app)


async def test_kf2v_shows_the_first_and_the_last_frame(tmp_path: Path) -> None:
    make_clip(tmp_path / "clip.mp4", seconds=2.5)
    info = WorkspaceInfo(mode=Mode.KF2V, base_model="wan2.2-kf2v-flash")
    with Workspace.create(tmp_path, info) as kf2v:
        scan(kf2v)
        app = review_app(kf2v)
        async with app.run_test(size=SIZE):
            frames = screen(app).query_one(FramesPanel)
            first, last = frames.query_one("#first", Picture), frames.query_one("#last", Picture)
            assert first.image is not None and last.image is not None
            assert first.image is not last.image


async def test_quit_writes_the_pending_edit_then_exits(ws: Workspace) -> None:
    """Ctrl+Q (even in an editor) and q go through the app's one quit: flush, then exit."""
    sample_id = ws.samples()[0].id
    app = review_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await type_text(pilot, "a grey owl")
        await pilot.press("ctrl+q")
        assert app.return_code == 0
    assert ws.sample(sample_id).subject == "a grey owl"

    app = review_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        assert app.return_code == 0


async def test_findings_of_the_whole_set_are_shown_with_the_samples(ws: Workspace) -> None:
    assert len(ws.samples()) < 10  # the seed workspace: the set has too few samples
    app = review_app(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.pause(0.2)
        await settle(pilot)
        shown = str(screen(app).query_one("#findings", Static).render())
    assert "the set:" in shown
    assert "at least 10" in shown
