"""SVG snapshots of the pick pass and the checkpoint board (120x40).

Regenerate after a deliberate UI change:
pytest tests/tui/test_pick_checkpoint_snapshots.py --snapshot-update
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from textual.pilot import Pilot

from annotator.pipeline.checkpoint_review import Preview
from annotator.tui.domain import Domain
from annotator.tui.screens.checkpoints import CheckpointsApp
from annotator.tui.screens.pick import PickApp
from annotator.workspace import Workspace
from tests.clips import make_clip
from tests.tui.helpers import FakePlayer, settle
from tests.tui.test_pick_view import ws  # noqa: F401  (the fixture: four source samples)

Compare = Callable[..., bool]


async def _ready(pilot: Pilot[None]) -> None:
    await pilot.pause(0.3)
    await settle(pilot)


def test_pick_pass(ws: Workspace, snap_compare: Compare) -> None:  # noqa: F811
    app = PickApp(Domain(ws), graphics="halfcell", player=FakePlayer())
    assert snap_compare(app, terminal_size=(120, 40), run_before=_ready)


class _Board:
    """Three checkpoints' previews of two validation samples, from clips on disk."""

    title = "job ft-202611301200-abcd (SUCCEEDED) · wan2.5-i2v-preview"
    problems: Sequence[str] = ()  # every preview fetched

    def __init__(self, folder: Path) -> None:
        self.previews = [
            Preview(
                checkpoint=f"checkpoint-{step}",
                step=step,
                sample=n,
                prompt=f"preview prompt {n}",
                path=make_clip(folder / f"{step}_{n}.mp4", 64, 48, 1.0, 4, seed=step + n),
            )
            for step in (20, 40, 60)
            for n in (1, 2)
        ]
        self.best: str | None = "checkpoint-40"

    def load(self) -> Sequence[Preview]:
        return self.previews

    def chosen(self) -> str | None:
        return self.best

    def choose(self, checkpoint: str) -> None:
        self.best = checkpoint

    def cost(self, checkpoint: str) -> str:
        return f"Export {checkpoint}: no charge."

    def export_and_deploy(self, checkpoint: str) -> str:
        return "done"


def test_checkpoint_board(tmp_path: Path, snap_compare: Compare) -> None:
    app = CheckpointsApp(_Board(tmp_path), graphics="halfcell", player=FakePlayer())
    assert snap_compare(app, terminal_size=(120, 40), run_before=_ready)
