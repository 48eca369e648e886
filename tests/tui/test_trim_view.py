"""Issue 13 item 5: the trim view (T): walk the pictures of the source, mark the last frame to
keep, see the length against the model's limit, save; the details show the edit; undo."""

from __future__ import annotations

import shutil
from pathlib import Path

from textual.widgets import Label, Static

from annotator.basemodels import Mode
from annotator.pipeline.scan import scan
from annotator.tui.screens.trim import TrimScreen
from annotator.tui.widgets.frames import Picture
from annotator.workspace import Workspace, WorkspaceInfo
from tests.clips import make_clip
from tests.tui.helpers import SIZE, review_app, screen, settle

WAN22 = WorkspaceInfo(mode=Mode.I2V, base_model="wan2.2-i2v-flash", trigger="s86b5p")


def _probe_line(app: object) -> str:
    return str(screen(app).query_one("#probe", Static).render())  # type: ignore[arg-type]


async def test_trim_view_marks_the_end_and_saves_an_undoable_trim(tmp_path: Path) -> None:
    root = tmp_path / "effect"
    make_clip(root / "long.mp4", seconds=8.0)  # 64 frames at 8 fps
    ws = Workspace.create(root, WAN22)
    scan(ws)
    (sample,) = ws.samples()
    app = review_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("T")
        await settle(pilot)
        trim = app.screen
        assert isinstance(trim, TrimScreen)
        assert trim.view is not None and len(trim.view.pictures) == 8
        status = str(trim.status_text())
        assert "8.00 s" in status and "wan2.2-i2v-flash takes 2-5 s" in status
        await pilot.press("right", "right", "right", "right")  # the picture at 4.50 s
        await pilot.press("e")  # the last frame kept: 4.50 s, so the clip ends at 4.625 s
        assert "end 4.62 s · 4.62 s" in str(trim.status_text())
        titles = [str(p.query_one(".picture-title", Label).render()) for p in trim.query(Picture)]
        assert titles[:5] == ["[0.00 s", "1.12 s", "2.25 s", "3.38 s", "4.50 s]"]
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, TrimScreen)
        edited = ws.sample(sample.id)
        assert edited.edit_key is not None and edited.clip != "long.mp4"
        assert edited.probe is not None and 4.5 <= edited.probe.duration_s <= 4.7
        assert "edited: trim 0-4.625 s" in _probe_line(app)
        assert "4.62 s" in _probe_line(app) or "4.63 s" in _probe_line(app)
        await pilot.press("u")
        await settle(pilot)
        assert ws.sample(sample.id).edit_key is None
        assert "edited" not in _probe_line(app)
        assert "8.00 s" in _probe_line(app)


async def test_escape_leaves_the_clip_as_it_was(tmp_path: Path) -> None:
    root = tmp_path / "effect"
    make_clip(root / "a.mp4", seconds=3.0)
    ws = Workspace.create(root, WAN22)
    scan(ws)
    app = review_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("T")
        await settle(pilot)
        await pilot.press("s", "escape")
        await settle(pilot)
        assert not isinstance(app.screen, TrimScreen)
        assert ws.samples()[0].edit is None


async def test_a_render_that_fails_is_said_and_the_review_goes_on(tmp_path: Path) -> None:
    root = tmp_path / "effect"
    make_clip(root / "long.mp4", seconds=8.0)
    ws = Workspace.create(root, WAN22)
    scan(ws)
    media = ws.store_dir / "media"
    if media.exists():
        shutil.rmtree(media)
    media.write_text("a file where the renders' folder goes: every render fails (OSError)")
    app = review_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("T")
        await settle(pilot)
        await pilot.press("right", "right", "e", "enter")
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, TrimScreen)
        assert any("not trimmed" in str(n.message) for n in app._notifications)
        assert ws.samples()[0].edit is None
