"""Issue 14, review item 3: z gives the frames the whole screen (the last frame too for
kf2v) with a filmstrip of more frames; truecolor wherever the terminal has it."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.basemodels import Mode
from annotator.pipeline.scan import scan
from annotator.tui.colors import truecolor
from annotator.tui.screens.review import ReviewScreen
from annotator.tui.screens.zoom import ZOOM_STRIP, ZoomScreen
from annotator.tui.widgets.frames import FramesPanel, Picture
from annotator.workspace import Workspace, WorkspaceInfo
from tests.clips import make_clip
from tests.tui.helpers import review_app, screen, settle


def _cells(picture: Picture) -> tuple[int, int]:
    pixels = picture.query_one(".pixels")
    return pixels.size.width, pixels.size.height


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_zoom_gives_the_frame_the_whole_screen(ws: Workspace, size: tuple[int, int]) -> None:
    app = review_app(ws)
    async with app.run_test(size=size) as pilot:
        await pilot.pause(0.3)
        await settle(pilot)
        small = _cells(screen(app).query_one(FramesPanel).query_one("#first", Picture))
        await pilot.press("z")
        await pilot.pause(0.3)
        await settle(pilot)
        zoom = app.screen
        assert isinstance(zoom, ZoomScreen)
        first = zoom.query_one("#zoom-first", Picture)
        assert first.image is not None
        width, height = _cells(first)
        assert height >= size[1] // 2 and height > small[1]
        assert width > small[0]
        strip = list(zoom.query(".zoom-strip").results(Picture))
        assert len(strip) == ZOOM_STRIP
        assert all(p.image is not None for p in strip)
        assert len({p.image.tobytes() for p in strip if p.image}) > 1  # frames across the clip
        await pilot.press("escape")
        assert isinstance(app.screen, ReviewScreen)


async def test_zoom_shows_the_last_frame_too_for_kf2v(tmp_path: Path) -> None:
    make_clip(tmp_path / "clip.mp4", seconds=2.5)
    info = WorkspaceInfo(mode=Mode.KF2V, base_model="wan2.2-kf2v-flash")
    with Workspace.create(tmp_path, info) as kf2v:
        scan(kf2v)
        app = review_app(kf2v)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("z")
            await settle(pilot)
            zoom = app.screen
            assert isinstance(zoom, ZoomScreen)
            first = zoom.query_one("#zoom-first", Picture)
            last = zoom.query_one("#zoom-last", Picture)
            assert first.image is not None and last.image is not None
            assert first.image.tobytes() != last.image.tobytes()
            assert _cells(first)[1] >= 20 and _cells(last)[1] >= 20


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"COLORTERM": "truecolor", "TERM": "xterm-256color"}, True),
        ({"COLORTERM": "24bit"}, True),
        ({"TERM": "xterm-direct"}, True),
        ({"TERM": "xterm-kitty"}, True),
        ({"TERM": "xterm-256color", "TERM_PROGRAM": "WezTerm"}, True),
        ({"TERM": "xterm-256color", "WT_SESSION": "1"}, True),
        ({"TERM": "xterm-256color", "VTE_VERSION": "7200"}, True),
        ({"TERM": "xterm-256color"}, False),
        ({"TERM": "screen-256color", "TMUX": "/tmp/tmux-0/default,1,0"}, False),
        ({"TERM": "xterm-256color", "COLORTERM": "truecolor", "NO_COLOR": "1"}, False),
    ],
)
def test_truecolor_is_read_from_the_terminal(environ: dict[str, str], expected: bool) -> None:
    assert truecolor(environ, tmux_features=lambda: None) is expected


def test_truecolor_in_tmux_is_asked_of_tmux() -> None:
    """tmux passes no COLORTERM: its client's features say whether the terminal has RGB."""
    environ = {"TERM": "tmux-256color", "TMUX": "/tmp/tmux-0/default,1,0"}
    assert truecolor(environ, tmux_features=lambda: "256,bpaste,RGB,title") is True
    assert truecolor(environ, tmux_features=lambda: "256,bpaste,title") is False


def test_the_app_draws_in_truecolor_when_the_terminal_has_it(ws: Workspace) -> None:
    assert review_app(ws, truecolor=True).console.color_system == "truecolor"
