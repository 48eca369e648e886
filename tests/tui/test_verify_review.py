"""The review UI and the vision model's verdicts (issue 12 item 3): badges beside Subject,
Background and the prompt's effect, the notes in the findings, the filter "flagged by
verify", `n` visiting flagged samples first, and a stale verdict shown as stale."""

from __future__ import annotations

from typing import Any

from textual.widgets import OptionList, Static

from annotator.pipeline.prompts import load_prompts
from annotator.verdicts import Verdict
from annotator.workspace import Workspace
from annotator.workspace.verdicts import add_verdict
from tests.tui.helpers import SIZE, current_name, review_app, screen, settle, type_text

CLEAN: dict[str, Any] = {
    "subject_matches": True,
    "subject_note": "As written.",
    "background_matches": True,
    "background_note": "As written.",
    "effect_shown": True,
    "effect_note": "Golden sparkles spiral in.",
    "defects": [],
    "subject_category": "person",
}
NOTE = "The cat is grey, not orange."


def verified(ws: Workspace) -> dict[str, str]:
    """Every sample with a prompt, verified: clip_c flagged (its subject), the rest clean."""
    ids = {s.name: s.id for s in ws.samples()}
    for name in ("clip_c.mp4", "clip_d.mp4"):  # no caption: a person's subject and background
        ws.edit(ids[name], "subject", f"subject of {name}")
        ws.edit(ids[name], "background", f"background of {name}")
    prompts = load_prompts(ws)
    for name, sid in ids.items():
        changes = {"subject_matches": False, "subject_note": NOTE} if name == "clip_c.mp4" else {}
        add_verdict(
            ws,
            sid,
            provider="replay",
            model="qwen-vl-max",
            instruction_hash="h" * 64,
            prompt=prompts[sid].text,
            cache_key=f"key-{name}",
            verdict=Verdict.model_validate({**CLEAN, **changes}),
        )
    return ids


def titles(app: Any) -> tuple[str, str, str]:
    review = screen(app)
    return (
        str(review.query_one("#subject").border_title),
        str(review.query_one("#background").border_title),
        str(review.query_one("#prompt").border_title),
    )


def list_line(app: Any, sample_id: str) -> str:
    samples = screen(app).query_one("#samples", OptionList)
    return str(samples.get_option(sample_id).prompt)


async def test_badges_notes_filter_and_n(ws: Workspace) -> None:
    ids = verified(ws)
    app = review_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert current_name(app) == "clip_a.mp4"
        assert titles(app) == (
            "Subject · verify ✓",
            "Background · verify ✓",
            "Prompt · effect: verify ✓",
        )
        assert "⚑" in list_line(app, ids["clip_c.mp4"])
        assert "⚑" not in list_line(app, ids["clip_b.mp4"])
        await pilot.press("n")  # clip_b needs review too, but the model flagged clip_c
        assert current_name(app) == "clip_c.mp4"
        subject, background, _ = titles(app)
        assert subject.startswith("Subject · verify ✗") and background == "Background · verify ✓"
        findings = str(screen(app).query_one("#findings", Static).render())
        assert NOTE in findings
        for _ in range(6):  # all -> ... -> flagged by verify
            await pilot.press("f")
        samples = screen(app).query_one("#samples", OptionList)
        assert [o.id for o in samples.options] == [ids["clip_c.mp4"]]
        assert "flagged by verify" in str(screen(app).query_one("#filter-line", Static).render())


async def test_an_edit_makes_the_verdict_stale_on_screen(ws: Workspace) -> None:
    ids = verified(ws)
    app = review_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        assert current_name(app) == "clip_c.mp4"
        await pilot.press("s", "end")
        await type_text(pilot, " and grey")
        await pilot.press("enter")
        assert titles(app) == (
            "Subject · verify: stale",
            "Background · verify: stale",
            "Prompt · effect: verify: stale",
        )
        await pilot.pause(1.5)  # the checks run again a moment after an edit
        await settle(pilot)
        findings = str(screen(app).query_one("#findings", Static).render())
        assert "the prompt changed since the vision model verified it" in findings
        assert NOTE not in findings  # the old verdict's mismatch no longer stands as such
    assert ws.sample(ids["clip_c.mp4"]).subject.endswith("and grey")


async def test_a_workspace_never_verified_shows_no_badge(ws: Workspace) -> None:
    app = review_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert titles(app) == ("Subject", "Background", "Prompt")
