"""export, import, accept and reject on the command line: output, files and exit codes."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from annotator.cli import app
from annotator.workspace import Status, Workspace
from tests.export.helpers import make_workspace, use_assembled_prompts

runner = CliRunner()


def _lint_clean(root: Path, n: int, **kwargs: Any) -> None:
    """A workspace whose prompts the assembly builds, so the real prompt lint passes."""
    ws = make_workspace(root, n, **kwargs)
    use_assembled_prompts(ws)
    ws.close()


def _run(*args: str | Path):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [str(a) for a in args])


def test_help_lists_the_commands() -> None:
    result = _run("--help")
    for command in ("export", "import", "accept", "reject"):
        assert command in result.output


def test_accept_and_reject_through_the_history(tmp_path: Path) -> None:
    make_workspace(tmp_path, 3, accept=False, names=["a.mp4", "b.mp4", "c.mp4"]).close()
    assert _run("reject", tmp_path, "b.mp4", "--reason", "logo in the corner").exit_code == 0
    result = _run("accept", tmp_path, "--all")
    assert result.exit_code == 0, result.output
    assert "2 samples accepted" in result.output
    with Workspace.open(tmp_path) as ws:
        b = ws.resolve("b.mp4")
        assert (b.status, b.reject_reason) == (Status.REJECTED, "logo in the corner")
        assert ws.resolve("a.mp4").status is Status.ACCEPTED
        assert ws.history(1)[0].field == "status"  # an edit like any other: undoable
    assert _run("accept", tmp_path, "nope.mp4").exit_code == 2
    assert _run("accept", tmp_path).exit_code == 2  # neither names nor --all


def test_export_writes_and_prints_the_mapping_and_counts(tmp_path: Path) -> None:
    ws_dir = tmp_path / "ws"
    _lint_clean(ws_dir, 3, names=["a.mp4", "b b.mp4", "c.mp4"])
    result = _run("export", "--allow-small", ws_dir, "-o", tmp_path / "out" / "d.zip")
    assert result.exit_code == 0, result.output
    assert "b b.mp4" in result.output and "video_2.mp4" in result.output
    assert "train on 3 and validate on 0" in result.output
    assert zipfile.is_zipfile(tmp_path / "out" / "d.zip")
    assert (tmp_path / "out" / "finetune.json").is_file()


def test_export_json_output(tmp_path: Path) -> None:
    _lint_clean(tmp_path / "ws", 2)
    result = _run("export", "--allow-small", tmp_path / "ws", "-o", tmp_path / "d.zip", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["train_count"], data["n_epochs"]) == (2, 800)


def test_refused_export_exits_1_and_writes_nothing(tmp_path: Path) -> None:
    _lint_clean(tmp_path / "ws", 2)
    result = _run("export", tmp_path / "ws", "-o", tmp_path / "out" / "d.zip")  # 2 < 10
    assert result.exit_code == 1
    assert "nothing was written" in result.output
    assert not (tmp_path / "out").exists()
    assert _run("export", "--allow-small", tmp_path / "ws", "--dry-run").exit_code == 0


def test_export_usage_errors_exit_2(tmp_path: Path) -> None:
    make_workspace(tmp_path / "ws", 2).close()
    both = _run(
        "export", "--allow-small", tmp_path / "ws", "--valid", "1", "--valid-status", "reviewed"
    )
    assert both.exit_code == 2
    assert _run("export", "--allow-small", tmp_path / "ws", "--format", "nope").exit_code == 2


def test_import_sets_prompts_and_reports_bad_lines(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", 2, names=["a.mp4", "b.mp4"])
    # A validation-style line: no clip, so the first frame's content finds the sample.
    shutil.copy(tmp_path / "ws" / ws.resolve("a.mp4").first_frame, tmp_path / "image_1.png")
    ws.close()
    line = {"prompt": "新的提示词", "first_frame_path": "image_1.png"}
    (tmp_path / "data.jsonl").write_text(
        json.dumps(line, ensure_ascii=False) + "\n{broken\n", encoding="utf-8"
    )
    result = _run("import", tmp_path / "ws", tmp_path / "data.jsonl")
    assert result.exit_code == 1  # one line failed
    assert "data.jsonl line 2" in result.output
    assert "1 prompt set" in result.output
    with Workspace.open(tmp_path / "ws") as ws:
        assert ws.resolve("a.mp4").prompt_override == "新的提示词"


def test_import_refuses_an_unsafe_zip(tmp_path: Path) -> None:
    make_workspace(tmp_path / "ws", 1).close()
    with zipfile.ZipFile(tmp_path / "evil.zip", "w") as zf:
        zf.writestr("data.jsonl", "")
        zf.writestr("../escape.png", b"x")
    result = _run("import", tmp_path / "ws", tmp_path / "evil.zip")
    assert result.exit_code == 1
    assert "refused" in result.output and "nothing was extracted" in result.output
    assert not (tmp_path / "escape.png").exists()


def test_a_zip_name_given_with_o_is_made_safe(tmp_path: Path) -> None:
    _lint_clean(tmp_path / "my ws", 2)
    out = tmp_path / "out"
    result = _run(
        "export", "--allow-small", tmp_path / "my ws", "-o", out / "数据 集.zip", "--valid", "1"
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.glob("*.zip")) == ["my_ws.zip", "my_ws_valid.zip"]
    assert "renamed to 'my_ws.zip'" in result.output
    body = json.loads((out / "finetune.json").read_text())
    assert body["training_file_ids"] == ["<file_id of my_ws.zip>"]


def test_check_and_export_agree_on_a_corrupt_clip(tmp_path: Path) -> None:
    from tests.clips import make_corrupt_clip

    ws_dir = tmp_path / "ws"
    _lint_clean(ws_dir, 2)
    (ws_dir / "old.avi").write_bytes(b"RIFF0000AVI ")  # not a sample: a warning in both
    assert _run("check", "--allow-small", ws_dir).exit_code == 0
    assert _run("export", "--allow-small", ws_dir, "-o", tmp_path / "a" / "d.zip").exit_code == 0
    make_corrupt_clip(ws_dir / "broken.mp4")  # meant as a sample: an error in both
    check = _run("check", "--allow-small", ws_dir)
    export = _run("export", "--allow-small", ws_dir, "-o", tmp_path / "b" / "d.zip")
    assert (check.exit_code, export.exit_code) == (1, 1), check.output + export.output
    assert "broken.mp4" in check.output and "broken.mp4" in export.output
    assert "nothing was written" in export.output
    assert not (tmp_path / "b").exists()
