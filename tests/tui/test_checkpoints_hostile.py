"""checkpoints --review when a preview cannot be fetched: that checkpoint says why, the
other checkpoints are still shown (one bad download never empties the board)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from annotator.finetune.client import DashScopeClient
from annotator.finetune.exported import find_export
from annotator.finetune.jobs import job_body, start_job, wait_job
from annotator.finetune.poll import Poller
from annotator.finetune.upload import stored_file_ids, upload_export
from annotator.pipeline.checkpoint_review import CheckpointBoard
from annotator.tui.screens.checkpoints import CheckpointsApp, CheckpointsScreen
from annotator.workspace import Workspace
from annotator.workspace.remote import FinetuneJob
from tests.clips import make_clip
from tests.fakes.dashscope_server import Reply
from tests.fakes.finetune_server import FakeFinetune
from tests.finetune.helpers import FakeClock, client_for, make_workspace
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
        # Not settle(): waiting on a failed worker raises its error in the test itself.
        said = ""
        for _ in range(200):
            await pilot.pause(0.02)
            said = str(app.screen.query_one("#message").render())
            if said:
                break
        assert app.is_running and isinstance(app.screen, CheckpointsScreen)
        assert said.startswith("failed:") and "InvalidParameter" in said and "\x1b" not in said


class _NoFirstVideo(FakeFinetune):
    """The service lists checkpoint-20's first preview without its video."""

    def _jobs_details(self, rec: Any, id: str, ckpt: str) -> tuple[int, dict[str, Any]]:
        status, body = super()._jobs_details(rec, id, ckpt)
        if ckpt == "checkpoint-20" and status == 200:
            body["output"]["list"][0].pop("video_path", None)
        return status, body


def test_a_preview_without_a_video_never_shifts_the_others_onto_the_wrong_sample(
    tmp_path: Path,
) -> None:
    with _NoFirstVideo() as server:
        server.preview_video = make_clip(tmp_path / "preview.mp4", 64, 48, 1.0, 4).read_bytes()
        ws = make_workspace(tmp_path / "money_rain")
        client = client_for(server)
        try:
            export = find_export(ws)
            upload_export(ws, client, export)
            body = job_body(export, *stored_file_ids(ws, client.service, export))
            job = wait_job(ws, client, start_job(ws, client, body).row, Poller(1, FakeClock()))
            board = CheckpointBoard(ws, client, job, Poller(0, FakeClock()), tmp_path / "p")
            previews = {(p.checkpoint, p.sample): p for p in board.load()}
            first, second = previews["checkpoint-20", 1], previews["checkpoint-20", 2]
            assert first.path is None  # the service gave no video for it
            assert second.path is not None and second.path.name == "preview_02.mp4"
            reads = len(server.requests("media"))
            board.load()  # what is on disk is not fetched again
            assert len(server.requests("media")) == reads
        finally:
            client.close()
            ws.close()
