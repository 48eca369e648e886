"""checkpoints --review when a preview cannot be fetched: that checkpoint says why, the
other checkpoints are still shown (one bad download never empties the board)."""

from __future__ import annotations

from pathlib import Path

from annotator.finetune.client import DashScopeClient
from annotator.tui.screens.checkpoints import CheckpointsApp, CheckpointsScreen
from annotator.workspace import Workspace
from annotator.workspace.remote import FinetuneJob
from tests.fakes.dashscope_server import Reply
from tests.fakes.finetune_server import FakeFinetune
from tests.tui.helpers import FakePlayer, settle
from tests.tui.test_checkpoints_view import SIZE, _board, _columns, fake, trained

__all__ = ["fake", "trained"]  # fixtures used here


async def test_a_preview_refused_is_said_and_the_other_checkpoints_are_shown(
    trained: tuple[Workspace, DashScopeClient, FinetuneJob], tmp_path: Path, fake: FakeFinetune
) -> None:
    fake.fail("media", Reply(status=403, code="AccessDenied", message="Request has expired"))
    app = CheckpointsApp(_board(trained, tmp_path), graphics="halfcell", player=FakePlayer())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, CheckpointsScreen)
        assert _columns(app) == [
            "checkpoint-20 · step 20",
            "checkpoint-40 · step 40",
            "checkpoint-60 · step 60",
        ]
        said = " ".join(str(app.screen.query_one("#message").render()).split())
        assert "checkpoint-20" in said and "gone (403)" in said
        assert "Expires=" not in said  # the URL's query (a signature) is never shown


async def test_a_refused_load_is_said_and_the_view_stays_open(
    trained: tuple[Workspace, DashScopeClient, FinetuneJob], tmp_path: Path, fake: FakeFinetune
) -> None:
    fake.fail("jobs.results", Reply(status=400, code="InvalidParameter", message="no \x1b[31mjob"))
    app = CheckpointsApp(_board(trained, tmp_path), graphics="halfcell", player=FakePlayer())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, CheckpointsScreen)
        said = str(app.screen.query_one("#message").render())
        assert said.startswith("failed:") and "InvalidParameter" in said and "\x1b" not in said
