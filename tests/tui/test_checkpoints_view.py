"""checkpoints --review: the previews of every checkpoint side by side, from the fake service;
the best one marked, exported and deployed from the view."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annotator.cli import app as cli_app
from annotator.finetune.client import DashScopeClient
from annotator.finetune.exported import find_export
from annotator.finetune.jobs import job_body, start_job, wait_job
from annotator.finetune.poll import Poller
from annotator.finetune.upload import stored_file_ids, upload_export
from annotator.pipeline.checkpoint_review import CheckpointBoard
from annotator.tui.screens.checkpoints import (
    CheckpointsApp,
    CheckpointsScreen,
    ConfirmScreen,
)
from annotator.tui.widgets.strips import StripColumn
from annotator.workspace import Workspace
from annotator.workspace.remote import CHECKPOINTS, DEPLOYMENTS, FinetuneJob
from tests.clips import make_clip
from tests.fakes.finetune_server import FakeFinetune
from tests.finetune.helpers import KEY, FakeClock, client_for, make_workspace
from tests.tui.helpers import FakePlayer, settle

SIZE = (120, 40)


@pytest.fixture
def fake(tmp_path: Path) -> Iterator[FakeFinetune]:
    with FakeFinetune() as server:
        server.preview_video = make_clip(tmp_path / "preview.mp4", 64, 48, 1.0, 4).read_bytes()
        yield server


@pytest.fixture
def trained(
    tmp_path: Path, fake: FakeFinetune
) -> Iterator[tuple[Workspace, DashScopeClient, FinetuneJob]]:
    ws = make_workspace(tmp_path / "money_rain")
    client = client_for(fake)
    export = find_export(ws)
    upload_export(ws, client, export)
    body = job_body(export, *stored_file_ids(ws, client.service, export))
    job = wait_job(ws, client, start_job(ws, client, body).row, Poller(1, FakeClock()))
    yield ws, client, job
    client.close()
    ws.close()


def _board(
    trained: tuple[Workspace, DashScopeClient, FinetuneJob], tmp_path: Path
) -> CheckpointBoard:
    ws, client, job = trained
    return CheckpointBoard(ws, client, job, Poller(0, FakeClock()), tmp_path / "previews")


def _columns(app: CheckpointsApp) -> list[str]:
    return [c.title for c in app.screen.query(StripColumn)]


async def test_the_view_shows_each_checkpoints_preview_with_its_step(
    trained: tuple[Workspace, DashScopeClient, FinetuneJob], tmp_path: Path, fake: FakeFinetune
) -> None:
    player = FakePlayer()
    app = CheckpointsApp(_board(trained, tmp_path), graphics="halfcell", player=player)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CheckpointsScreen)
        assert _columns(app) == [
            "checkpoint-20 · step 20",
            "checkpoint-40 · step 40",
            "checkpoint-60 · step 60",
        ]
        assert "validation sample 1/2: preview prompt 1" in str(
            screen.query_one("#sample-line").render()
        )
        # Every preview was downloaded once and decoded into a filmstrip.
        assert len([r for r in fake.requests("media")]) == 6
        assert all(p.path is not None and p.path.is_file() for p in screen.previews)
        assert app.cache.loads == 6
        await pilot.press("down", "right", "v")
        assert "validation sample 2/2: preview prompt 2" in str(
            screen.query_one("#sample-line").render()
        )
        assert [p.parent.name + "/" + p.name for p in player.played] == [
            "checkpoint-40/preview_02.mp4"
        ]


async def test_marking_the_best_is_stored_and_export_then_deploy_runs_once(
    trained: tuple[Workspace, DashScopeClient, FinetuneJob], tmp_path: Path, fake: FakeFinetune
) -> None:
    ws, _, job = trained
    app = CheckpointsApp(_board(trained, tmp_path), graphics="halfcell", player=FakePlayer())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")  # nothing marked yet: nothing asked
        assert not isinstance(app.screen, ConfirmScreen)
        await pilot.press("right", "b")
        assert "★ best" in _columns(app)[1]
        [best] = [c for c in CHECKPOINTS.select(ws, job_id=job.job_id) if c.chosen_at]
        assert best.checkpoint == "checkpoint-40"
        await pilot.press("e")
        assert isinstance(app.screen, ConfirmScreen)
        assert "no charge" in str(app.screen.query_one("#confirm-detail").render())
        await pilot.press("n")
        await settle(pilot)
        assert fake.requests("jobs.export") == []
        await pilot.press("e", "y")
        await settle(pilot)
        assert len(fake.requests("jobs.export")) == 1
        assert "deploying as" in str(app.screen.query_one("#message").render())
        await pilot.press("e", "y")
        await settle(pilot)
        assert len(fake.requests("jobs.export")) == 1  # exported before: not again
        assert len(fake.requests("deployments.create")) == 1
    [deployment] = DEPLOYMENTS.select(ws)
    assert deployment.checkpoint == "checkpoint-40"


def test_jobs_shows_the_checkpoint_picked(
    trained: tuple[Workspace, DashScopeClient, FinetuneJob],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ws, _, job = trained
    board = _board(trained, tmp_path)
    board.load()
    board.choose("checkpoint-20")
    board.choose("checkpoint-60")  # a second pick replaces the first
    assert board.chosen() == "checkpoint-60"
    monkeypatch.setenv("DASHSCOPE_API_KEY", KEY)
    result = CliRunner().invoke(cli_app, ["jobs", str(ws.root)])
    assert result.exit_code == 0, result.output
    assert f"{job.job_id}: 3 checkpoints; best: checkpoint-60" in " ".join(result.output.split())


def test_review_without_a_terminal_says_what_to_use_instead(
    trained: tuple[Workspace, DashScopeClient, FinetuneJob], monkeypatch: pytest.MonkeyPatch
) -> None:
    ws, _, _ = trained
    monkeypatch.setenv("DASHSCOPE_API_KEY", KEY)
    result = CliRunner().invoke(cli_app, ["checkpoints", str(ws.root), "--review"])
    assert result.exit_code == 2
    assert "needs a terminal" in " ".join(result.output.split())
