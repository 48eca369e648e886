"""Issue 14, review item 6: the smaller things a person sees (the rejection reason, one undo
step for a rejection, the help's way out, readable titles, a legend, an empty filter,
plural toasts, Ctrl-C twice)."""

from __future__ import annotations

from annotator.workspace import Status, Workspace
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
