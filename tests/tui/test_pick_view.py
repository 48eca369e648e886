"""review --pick: the candidates `annotator source` made from one picture, side by side; one
key keeps or rejects each. Generated samples show their picture and prompt in review."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Static
from typer.testing import CliRunner

from annotator.cli import app as cli_app
from annotator.tui.domain import Domain
from annotator.tui.screens.pick import NOT_PICKED, PickApp, PickScreen
from annotator.tui.widgets.details import CaptionView
from annotator.tui.widgets.strips import StripColumn
from annotator.workspace import Status, Workspace
from tests.clips import make_clip, make_image
from tests.fakes.finetune_server import FakeFinetune
from tests.finetune.helpers import KEY, make_workspace
from tests.tui.helpers import FakePlayer, review_app, settle

SIZE = (120, 40)
PROMPT = "A cat sits on a sofa. Then the s86b5p money rain begins."


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    """A workspace whose four samples `annotator source` made: two pictures, two each."""
    monkeypatch.setenv("DASHSCOPE_API_KEY", KEY)
    monkeypatch.setenv("ANNOTATOR_CONFIG", str(tmp_path / "no-config.toml"))
    root = tmp_path / "money_rain"
    make_workspace(root).close()
    pictures = tmp_path / "pictures"
    make_image(pictures / "cat.png", 64, 48)
    make_image(pictures / "dog.png", 72, 48)
    with FakeFinetune() as fake:
        fake.task_videos = [
            make_clip(tmp_path / f"v{n}.mp4", 64, 48, 1.0, 4, seed=n).read_bytes() for n in range(4)
        ]
        argv = ["source", str(root), "--images", str(pictures), "--prompt", PROMPT]
        argv += ["--per-image", "2", "--seed", "7", "--base-url", fake.url]
        result = CliRunner().invoke(cli_app, [*argv, "--poll-interval", "0"])
    assert result.exit_code == 0, result.output
    with Workspace.open(root) as workspace:
        yield workspace


def _titles(app: PickApp) -> list[str]:
    return [c.title for c in app.screen.query(StripColumn)]


def _line(app: PickApp, widget_id: str) -> str:
    return str(app.screen.query_one(widget_id, Static).render())


async def test_pick_shows_one_pictures_candidates_and_one_key_decides_each(
    ws: Workspace,
) -> None:
    player = FakePlayer()
    app = PickApp(Domain(ws), graphics="halfcell", player=player)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, PickScreen)
        assert _line(app, "#pick-title") == "picture 1/2: cat.png"
        assert _line(app, "#pick-prompt") == f"prompt: {PROMPT}"
        assert _titles(app) == ["#1 · seed 7", "#2 · seed 8"]
        assert app.cache.loads == 2  # both candidates' filmstrips decoded
        cat = [s.id for s in app.screen.groups[0].samples]

        await pilot.press("right", "K")  # keep #2, reject #1
        assert _titles(app) == ["#1 · seed 7 · rejected", "#2 · seed 8 · kept"]
        assert ws.sample(cat[1]).status is Status.ACCEPTED
        assert ws.sample(cat[0]).status is Status.REJECTED
        assert ws.sample(cat[0]).reject_reason == NOT_PICKED

        await pilot.press("down")
        await settle(pilot)
        assert _line(app, "#pick-title") == "picture 2/2: dog.png"
        dog = [s.id for s in app.screen.groups[1].samples]
        await pilot.press("x", "right", "a", "v")
        assert ws.sample(dog[0]).status is Status.REJECTED
        assert ws.sample(dog[1]).status is Status.ACCEPTED
        assert [p.name for p in player.played] == [Path(ws.sample(dog[1]).path).name]


async def test_review_shows_a_generated_samples_picture_and_prompt(ws: Workspace) -> None:
    app = review_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = str(app.screen.query_one(CaptionView).query_one("#caption-text").render())
    flat = " ".join(text.split())
    assert "generated from cat.png · candidate 1 · wan2.5-i2v-preview · seed 7" in flat
    assert f"prompt: {PROMPT}" in flat


async def test_pick_says_how_to_make_candidates_when_there_are_none(tmp_path: Path) -> None:
    with make_workspace(tmp_path / "empty") as ws:
        app = PickApp(Domain(ws), graphics="halfcell", player=FakePlayer())
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert "annotator source" in _line(app, "#pick-title")
