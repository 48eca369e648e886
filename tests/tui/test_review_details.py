"""Issue 14, review item 6: the smaller things a person sees (the rejection reason, one undo
step for a rejection, the help's way out, readable titles, a legend, an empty filter,
plural toasts, Ctrl-C twice)."""

from __future__ import annotations

from rich.color import Color as RichColor
from rich.color import ColorSystem

from annotator.counting import counted
from annotator.tui.app import ReviewApp
from annotator.tui.domain import Finding, Severity
from annotator.tui.widgets.prompt_view import findings_text
from annotator.tui.widgets.sample_list import STATUS_MARK, legend
from annotator.workspace import Status, Workspace
from tests.tui import screen_text
from tests.tui.helpers import SIZE, review_app, screen, settle, type_text


def test_a_rejection_with_its_reason_is_one_history_entry(ws: Workspace) -> None:
    sid = ws.samples()[0].id
    before = ws.sample(sid)
    ws.set_status(sid, Status.REJECTED, "watermark")
    assert len(ws.history()) == 1
    ws.undo()
    after = ws.sample(sid)
    assert (after.status, after.reject_reason) == (before.status, before.reject_reason)
    ws.redo()
    again = ws.sample(sid)
    assert (again.status, again.reject_reason) == (Status.REJECTED, "watermark")


async def test_reject_with_a_reason_is_undone_in_one_step(ws: Workspace) -> None:
    app = review_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        sid = screen(app).current
        assert sid is not None
        await pilot.press("x")
        await type_text(pilot, "logo")
        await pilot.press("enter")
        await settle(pilot)
        assert ws.sample(sid).status is Status.REJECTED
        await pilot.press("u")
        await settle(pilot)
        undone = ws.sample(sid)
        assert undone.status is not Status.REJECTED and undone.reject_reason is None


def _notes(app: ReviewApp) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


async def test_the_rejection_reason_is_shown_on_the_sample(ws: Workspace) -> None:
    sid = ws.samples()[0].id
    ws.set_status(sid, Status.REJECTED, "watermark in the corner")
    app = review_app(ws)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        shown = screen_text.text(app)
        assert "rejected: watermark in the corner" in shown
        await pilot.press("a")  # accepted again: the reason is no longer shown
        await settle(pilot)
        await pilot.press("k")
        await settle(pilot)
        assert "rejected: watermark" not in screen_text.text(app)


async def test_the_help_says_how_to_close_it_and_explains_the_marks(ws: Workspace) -> None:
    app = review_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await settle(pilot)
        shown = screen_text.text(app)
        assert "Esc, ? or q closes this help" in shown
        for mark, word in [(m, s.value) for s, (m, _) in STATUS_MARK.items()]:
            assert f"{mark} {word}" in shown, (mark, word)
        assert "⚑" in shown and "▲" in shown


def _contrast(fg: RichColor, bg: RichColor) -> float:
    def luminance(color: RichColor) -> float:
        channels = []
        for value in color.downgrade(ColorSystem.EIGHT_BIT).get_truecolor():
            c = value / 255
            channels.append(c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
        r, g, b = channels
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (high + 0.05) / (low + 0.05)


async def test_panel_titles_are_readable_in_256_colours(ws: Workspace) -> None:
    app = review_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        seen = {}
        for strip in screen_text.strips(app):
            for segment in strip:
                title = segment.text.strip().split(" (")[0]  # "Findings (1)": its count
                if title in ("Caption", "Subject", "Background", "Prompt", "Findings"):
                    style = segment.style
                    assert style is not None and style.color and style.bgcolor, title
                    seen[title] = _contrast(style.color, style.bgcolor)
        assert len(seen) == 5, seen
        assert min(seen.values()) >= 4.5, seen


async def test_a_filter_that_matches_nothing_clears_the_sample(ws: Workspace) -> None:
    app = review_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "clip_a.mp4" in screen_text.box(app, "Caption") or "woman" in screen_text.text(app)
        await pilot.press("f", "f", "f")  # all, to review, not captioned, accepted: none
        await settle(pilot)
        assert screen(app).state.status_filter.label == "accepted"
        shown = screen_text.text(app)
        assert "no sample matches" in shown
        for gone in ("clip_a.mp4", "woman", "snowy", "320x240"):
            assert gone not in shown, gone


async def test_toasts_count_in_the_singular_and_the_plural(ws: Workspace) -> None:
    app = review_app(ws, provider="replay")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("c")  # this one sample
        await settle(pilot)
        assert "Captioning done: 1 sample" in _notes(app)
        assert "1 samples" not in _notes(app)
        await pilot.press("C")  # the two without a caption
        await settle(pilot)
        assert "Captioning done: 2 samples" in _notes(app)


async def test_a_second_ctrl_c_quits_after_saving(ws: Workspace) -> None:
    app = review_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        sid = screen(app).current
        assert sid is not None
        await pilot.press("s")
        await type_text(pilot, " x")
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert app.is_running
        assert "Ctrl+C again" in _notes(app)
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert not app.is_running
    assert ws.sample(sid).subject.endswith("x")


def test_counts_read_in_the_singular_and_the_plural() -> None:
    assert counted(1, "sample") == "1 sample"
    assert counted(2, "sample") == "2 samples"
    assert counted(0, "phrase") == "0 phrases"
    assert counted(3, "child", "children") == "3 children"


def test_no_style_runs_over_a_whole_panel() -> None:
    """ "✓ no findings" is green, the rejection red: the set's findings and the rest keep
    their own colours (a style given to a whole Text colours everything appended)."""
    few = Finding(code="set-count", severity=Severity.ERROR, message="too few", fix="add")
    for text in (findings_text([], [few]), findings_text([], [few], rejected="logo"), legend()):
        assert not text.style, text.plain
