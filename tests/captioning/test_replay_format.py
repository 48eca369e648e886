"""Issue 14 item 15: the replay file format is documented, a hand-written line with a
mistake names the line and the field, sha256 is optional (the file name finds the clip),
and a replayed caption says it was replayed, from which file, not a model's name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annotator.captioning import get_provider
from annotator.captioning.providers.replay import ReplayFileError
from annotator.cli import app
from annotator.workspace import Workspace
from tests.captioning.helpers import request_for
from tests.clips import make_clip

README = Path(__file__).resolve().parents[2] / "README.md"


def _write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_missing_field_names_the_line_and_the_field(tmp_path: Path) -> None:
    good = json.dumps({"file": "a.mp4", "instruction_kind": "freeform", "text": "A cat."})
    bad = json.dumps({"file": "b.mp4", "text": "A dog."})
    path = _write(tmp_path / "replay.jsonl", good, bad)
    with pytest.raises(ReplayFileError) as exc:
        get_provider("replay", path=path)
    message = str(exc.value)
    assert f"{path}:2:" in message and "'instruction_kind'" in message, message
    assert "validation error" not in message and "ReplayEntry" not in message, message


def test_a_wrong_value_and_broken_json_are_named_plainly(tmp_path: Path) -> None:
    wrong = json.dumps({"file": "a.mp4", "instruction_kind": "free", "text": "A cat."})
    path = _write(tmp_path / "replay.jsonl", wrong)
    with pytest.raises(ReplayFileError) as exc:
        get_provider("replay", path=path)
    assert f"{path}:1:" in str(exc.value) and "'instruction_kind'" in str(exc.value)
    assert "freeform" in str(exc.value) and "structured" in str(exc.value)
    path = _write(tmp_path / "broken.jsonl", '{"file": "a.mp4", "text": }')
    with pytest.raises(ReplayFileError, match=r"broken\.jsonl:1: not JSON"):
        get_provider("replay", path=path)


def test_sha256_is_optional_the_file_name_finds_the_clip(tmp_path: Path, small_clip: Path) -> None:
    line = json.dumps(
        {"file": small_clip.name, "instruction_kind": "freeform", "text": "Found by name."}
    )
    replay = get_provider("replay", path=_write(tmp_path / "replay.jsonl", line))
    assert replay.caption(request_for(small_clip)).text == "Found by name."


def test_a_replayed_caption_is_labelled_replayed_from_its_file(tmp_path: Path) -> None:
    make_clip(tmp_path / "a.mp4", width=64, height=48, seconds=0.5)
    record = {"file": "a.mp4", "instruction_kind": "freeform", "text": "A grey square."}
    _write(tmp_path / "my-recordings.jsonl", json.dumps(record))
    runner = CliRunner()
    assert runner.invoke(app, ["init", str(tmp_path), "--mode", "i2v"]).exit_code == 0
    result = runner.invoke(
        app,
        [
            "caption",
            str(tmp_path),
            "--freeform",
            "--replay-file",
            str(tmp_path / "my-recordings.jsonl"),
        ],
    )
    assert result.exit_code == 0, result.output
    with Workspace.open(tmp_path) as ws:
        (caption,) = ws.latest_captions().values()
    assert (caption.provider, caption.model) == ("replay", "replayed from my-recordings.jsonl")


def test_the_readme_documents_the_replay_format() -> None:
    text = README.read_text(encoding="utf-8")
    start = text.index("### Replay files")
    section = text[start : text.index("\n#", start + 10)]
    for field in ("sha256", "file", "lang", "instruction_kind", "text", "fields"):
        assert f"`{field}`" in section, field
    assert "optional" in section and "verify.jsonl" in section and "distill.jsonl" in section
