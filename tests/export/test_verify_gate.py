"""The export gate of issue 12 item 4: a sample whose latest verdict flags it is exported only
if a person accepted it after that verdict; otherwise export names it and refuses, unless
--allow-lint. Real store, real zip."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from annotator.cli import app
from annotator.export import ExportOptions, ExportRefusedError
from annotator.pipeline.export import export_dataset
from annotator.pipeline.prompts import load_prompts
from annotator.verdicts import Verdict
from annotator.workspace import Status, Workspace
from annotator.workspace.verdicts import add_verdict
from tests.export.helpers import make_workspace

CLEAN: dict[str, Any] = {
    "subject_matches": True,
    "subject_note": "A dancer.",
    "background_matches": True,
    "background_note": "A brick wall with ivy.",
    "effect_shown": True,
    "effect_note": "Banknotes pour down.",
    "defects": [],
    "subject_category": "person",
}


def store_verdict(ws: Workspace, name: str, **changes: Any) -> None:
    """A verdict of the vision model on the sample's prompt as it stands now."""
    sample = next(s for s in ws.samples() if s.name == name)
    prompt = load_prompts(ws)[sample.id].text
    add_verdict(
        ws,
        sample.id,
        provider="replay",
        model="qwen-vl-max",
        instruction_hash="h" * 64,
        prompt=prompt,
        cache_key=f"{name}-{len(changes)}-{prompt}",
        verdict=Verdict.model_validate({**CLEAN, **changes}),
    )


def export(ws: Workspace, tmp_path: Path, **options: Any) -> Path:
    out = tmp_path / "out" / "d.zip"
    export_dataset(ws, ExportOptions(allow_small=True, output=out, **options))
    return out


def test_a_flagged_sample_is_refused_by_name_until_a_person_accepts_it_again(
    tmp_path: Path,
) -> None:
    ws = make_workspace(tmp_path / "ws", 3, lang="en")  # accepted before the verdicts
    store_verdict(ws, "clip_a.mp4")  # clean: no gate
    store_verdict(ws, "clip_b.mp4", subject_matches=False, subject_note="Two dancers.")
    with pytest.raises(ExportRefusedError) as refused:
        export(ws, tmp_path)
    (error,) = refused.value.plan.errors
    assert error.code == "verify-flagged" and error.path == "clip_b.mp4"
    assert "subject does not match" in error.message and "--allow-lint" in error.fix
    # A person looks and accepts it after the verdict: their acceptance overrules the model.
    b = next(s for s in ws.samples() if s.name == "clip_b.mp4")
    assert b.status is Status.ACCEPTED
    ws.set_status(b.id, Status.ACCEPTED)
    with zipfile.ZipFile(export(ws, tmp_path)) as zf:
        assert sum(1 for n in zf.namelist() if n.endswith(".mp4")) == 3
    # A newer verdict that flags it again needs a newer acceptance.
    store_verdict(ws, "clip_b.mp4", defects=["watermark"])
    with pytest.raises(ExportRefusedError):
        export(ws, tmp_path)
    ws.undo()  # nothing of the verdict is undone by undo: it is no person's edit
    with pytest.raises(ExportRefusedError):
        export(ws, tmp_path)


def test_allow_lint_lets_a_flagged_sample_through_with_a_note(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", 2, lang="en")
    store_verdict(ws, "clip_a.mp4", effect_shown=False, effect_note="No banknotes.")
    result = export_dataset(
        ws, ExportOptions(allow_small=True, output=tmp_path / "d.zip", allow_lint=True)
    )
    assert any("verify allowed: clip_a.mp4: effect not shown" in n for n in result.notes)


def test_a_stale_flag_still_gates_and_says_the_prompt_changed(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", 2, lang="en")
    store_verdict(ws, "clip_a.mp4", background_matches=False, background_note="A beach.")
    a = next(s for s in ws.samples() if s.name == "clip_a.mp4")
    ws.edit(a.id, "prompt_override", (a.prompt_override or "").replace("brick wall", "beach"))
    with pytest.raises(ExportRefusedError) as refused:
        export(ws, tmp_path)
    assert "prompt changed since" in refused.value.plan.errors[0].message


def test_the_export_command_names_the_flagged_sample(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", 2, lang="en")
    store_verdict(ws, "clip_b.mp4", defects=["subtitles"])
    result = CliRunner().invoke(
        app, ["export", str(ws.root), "-o", str(tmp_path / "d.zip"), "--allow-small"]
    )
    assert result.exit_code == 1
    assert "clip_b.mp4" in result.output and "defect: subtitles" in result.output
    accepted = CliRunner().invoke(app, ["accept", str(ws.root), "clip_b.mp4"])
    assert accepted.exit_code == 0, accepted.output
    ok = CliRunner().invoke(
        app, ["export", str(ws.root), "-o", str(tmp_path / "d.zip"), "--allow-small"]
    )
    assert ok.exit_code == 0, ok.output
