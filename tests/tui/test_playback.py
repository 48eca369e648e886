"""Issue 14, review item 4: v plays the clip in the system's video player when there is one a
person can see, and in the review itself when there is none: its frames on the whole screen,
at the clip's rate (or every k-th frame of a fast clip), looping until a key."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from annotator.basemodels import Mode
from annotator.pipeline.scan import scan
from annotator.tui.domain import playback
from annotator.tui.player import find_system_player, system_player
from annotator.tui.screens.review import ReviewScreen
from annotator.tui.screens.zoom import PLAY_MAX_FPS, ZoomScreen
from annotator.tui.widgets.frames import Picture
from annotator.workspace import Workspace, WorkspaceInfo
from tests.clips import make_clip
from tests.tui.helpers import SIZE, FakePlayer, current_name, review_app, settle


async def test_without_a_video_player_v_plays_the_clip_here(ws: Workspace) -> None:
    app = review_app(ws, player=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        zoom = app.screen
        assert isinstance(zoom, ZoomScreen) and zoom.playing
        played = zoom._playback
        assert played is not None
        assert len(played.frames) == 20 and played.fps == pytest.approx(8.0)  # 2.5 s at 8 fps
        picture = zoom.query_one("#zoom-first", Picture)
        before = picture.image
        zoom.advance()
        assert picture.image is not before  # the next frame
        await pilot.press("j")  # any key stops it, and does nothing else
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)
        assert current_name(app) == "clip_a.mp4"


async def test_in_the_zoom_v_plays_and_a_key_stops_it(ws: Workspace) -> None:
    app = review_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("z", "v")
        await settle(pilot)
        zoom = app.screen
        assert isinstance(zoom, ZoomScreen) and zoom.playing
        await pilot.press("space")
        assert isinstance(app.screen, ZoomScreen) and not zoom.playing
        still = zoom.query_one("#zoom-first", Picture).image
        assert still is not None and still.size == (320, 240)  # the first frame again
        await pilot.press("escape")
        assert isinstance(app.screen, ReviewScreen)


async def test_with_a_video_player_v_uses_it(ws: Workspace) -> None:
    player = FakePlayer()
    app = review_app(ws, player=player)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v")
        assert player.played == [ws.root / "clip_a.mp4"]
        assert isinstance(app.screen, ReviewScreen)


def test_a_fast_clip_plays_a_readable_fraction_in_its_own_time(tmp_path: Path) -> None:
    make_clip(tmp_path / "fast.mp4", seconds=1.0, fps=30, width=96, height=64)
    info = WorkspaceInfo(mode=Mode.I2V, base_model="wan2.5-i2v-preview")
    with Workspace.create(tmp_path, info) as ws:
        scan(ws)
        sample = ws.samples()[0]
        played = playback(ws.root, sample, max_fps=PLAY_MAX_FPS, max_frames=240, side=48)
        short = playback(ws.root, sample, max_fps=PLAY_MAX_FPS, max_frames=4, side=48)
    assert len(played.frames) == 10  # every third frame of 30
    assert played.fps == pytest.approx(10.0)  # ten frames a second: one second, as shot
    assert max(played.frames[0].size) == 48  # small: only what is played is kept
    assert len(short.frames) == 4


@pytest.mark.skipif(sys.platform in ("darwin", "win32"), reason="xdg-open is Linux's")
def test_a_player_is_one_a_person_can_see(tmp_path: Path) -> None:
    assert find_system_player({"PATH": str(tmp_path), "DISPLAY": ":0"}) is None  # no xdg-open
    opener = tmp_path / "xdg-open"
    opener.write_text("#!/bin/sh\nexit 0\n")
    opener.chmod(0o755)
    assert find_system_player({"PATH": str(tmp_path), "DISPLAY": ":0"}) is system_player
    assert find_system_player({"PATH": str(tmp_path), "WAYLAND_DISPLAY": "w"}) is system_player
    assert find_system_player({"PATH": str(tmp_path)}) is None  # over SSH: no display
