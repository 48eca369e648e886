"""A control character left in a prompt (a store written before issue 10, item 6) is an
error of the prompt lint: `check` names it, and export refuses to write it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from annotator.basemodels import Mode
from annotator.checks import Severity
from annotator.cli import app
from annotator.pipeline.check import check_workspace
from annotator.pipeline.scan import scan
from annotator.prompts.assemble import AssembledPrompt, assemble_prompt
from annotator.prompts.lint import lint_prompt
from annotator.workspace import Status, Workspace, WorkspaceInfo
from tests.clips import make_clip

TRIGGER = "s86b5p"
TEMPLATE = "then the {trigger} golden sparkles spiral in around the subject"
runner = CliRunner()


def _prompt(subject: str) -> AssembledPrompt:
    return assemble_prompt(subject, "a snowy street at dusk", TEMPLATE, TRIGGER, "she", "en")


def test_lint_reports_every_control_character_as_an_error() -> None:
    found = lint_prompt(_prompt("a woman\x1b[31m in a red\x07 coat"), trigger=TRIGGER, lang="en")
    codes = {f.code: f for f in found}
    assert codes["control-characters"].severity == "error"
    assert "U+001B" in codes["control-characters"].message
    assert "U+0007" in codes["control-characters"].message
    clean = lint_prompt(_prompt("a woman in a red coat"), trigger=TRIGGER, lang="en")
    assert "control-characters" not in {f.code for f in clean}


def _old_store(root: Path) -> str:
    """Three accepted samples; one subject written raw, as a store from before the fix."""
    for i in range(3):
        make_clip(root / f"clip_{i}.mp4", width=64 + 16 * i, height=48, fps=4, seed=i)
    info = WorkspaceInfo(mode=Mode.I2V, base_model="wan2.5-i2v-preview", trigger=TRIGGER)
    with Workspace.create(root, info) as ws:
        scan(ws)
        ws.set_workspace_field("template", TEMPLATE)
        for sample in ws.samples():
            ws.edit(sample.id, "subject", f"a woman in a red coat, clip {sample.name}")
            ws.edit(sample.id, "background", "a snowy street at dusk, lit by lamps")
            ws.set_status(sample.id, Status.ACCEPTED)
        dirty = ws.samples()[0]
    with sqlite3.connect(root / ".annotator" / "workspace.db") as db:
        db.execute(
            "UPDATE samples SET subject = ? WHERE id = ?",
            ("a woman \x1b]0;pwned\x07in a red coat", dirty.id),
        )
    return dirty.path


def test_check_names_a_control_character_left_in_an_old_store(tmp_path: Path) -> None:
    dirty = _old_store(tmp_path)
    with Workspace.open(tmp_path) as ws:
        report = check_workspace(ws)
    found = [f for f in report.findings if f.code == "prompt-control-characters"]
    assert [(f.path, f.severity) for f in found] == [(dirty, Severity.ERROR)]
    result = runner.invoke(app, ["check", str(tmp_path)])
    assert result.exit_code == 1, result.output
    assert "control character" in result.output and "U+001B" in result.output
    assert "\x1b" not in result.output and "\x07" not in result.output


def test_export_refuses_a_prompt_with_control_characters(tmp_path: Path) -> None:
    _old_store(tmp_path / "ws")
    out = tmp_path / "out"
    result = runner.invoke(app, ["export", str(tmp_path / "ws"), "-o", str(out / "d.zip")])
    assert result.exit_code == 1, result.output
    assert "U+001B" in result.output
    assert not out.exists()
