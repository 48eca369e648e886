"""Issue 14, review item 6: a rejection with its reason is one undo step, in the CLI too, and
undo says it in words (not the JSON the history keeps)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from annotator.cli import app
from annotator.workspace import Status, Workspace
from tests.export.helpers import make_workspace

runner = CliRunner()


def test_undo_of_a_rejection_puts_back_status_and_reason_in_words(tmp_path: Path) -> None:
    make_workspace(tmp_path, 1, accept=False, names=["a.mp4"]).close()
    with Workspace.open(tmp_path) as ws:
        before = ws.resolve("a.mp4").status
    assert runner.invoke(app, ["reject", str(tmp_path), "a.mp4", "--reason", "logo"]).exit_code == 0
    result = runner.invoke(app, ["undo", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Undid the rejection: rejected ('logo') -> " in result.output
    assert "{" not in result.output
    with Workspace.open(tmp_path) as ws:
        sample = ws.resolve("a.mp4")
        assert (sample.status, sample.reject_reason) == (before, None)
    result = runner.invoke(app, ["redo", str(tmp_path)])
    assert "Redid the rejection: " in result.output and "-> rejected ('logo')" in result.output
    with Workspace.open(tmp_path) as ws:
        assert ws.resolve("a.mp4").status is Status.REJECTED
