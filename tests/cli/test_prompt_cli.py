import json
import shlex
import sqlite3
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annotator.cli import app
from annotator.workspace import Workspace
from tests.clips import make_clip

SUBJECTS = [
    ("The video opens on a young woman in a red coat", "she stands in a snowy street"),
    ("The video opens on an old man with a cane", "he waits on a sunny beach"),
    ("The video opens on a ginger cat", "it sits on a wooden porch"),
    ("The video opens on a girl holding a kite", "she is in a green park"),
]
MOTIONS = [
    "A ring of golden sparkles appears around {o}, the sparkles spiral inward clockwise, "
    "the whole frame flashes white, {p} is left glowing gold.",
    "A ring of golden sparkles appears around {o}, the sparkles spiral inward clockwise, "
    "the frame flashes white, {p} is left glowing gold.",
    "A ring of golden sparkles appears around {o}, sparkles spiral inward clockwise, "
    "the whole frame flashes white, {p} is left glowing gold.",
    "A ring of golden sparkles appears around {o}, the sparkles spiral inward clockwise, "
    "the whole frame flashes bright white, {p} is left glowing gold.",
]
PRONOUNS = [("her", "she"), ("him", "he"), ("it", "it"), ("her", "she")]

runner = CliRunner()


def _run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def root(tmp_path: Path) -> Path:
    for i in range(4):
        make_clip(tmp_path / f"clip_{i}.mp4", width=96, height=64, seed=i)
    assert _run("init", tmp_path, "--mode", "i2v", "--trigger", "s86b5p").exit_code == 0
    with Workspace.open(tmp_path) as ws:
        samples = ws.samples()
    lines = []
    for s, (subject, background), motion, (obj, pro) in zip(
        samples, SUBJECTS, MOTIONS, PRONOUNS, strict=True
    ):
        fields = {
            "subject": subject,
            "background": background,
            "motion": motion.format(o=obj, p=pro),
        }
        record = {"sha256": s.id, "file": s.name, "instruction_kind": "structured"}
        lines.append(json.dumps({**record, "text": json.dumps(fields), "fields": fields}))
    (tmp_path / "replay.jsonl").write_text("\n".join(lines) + "\n")
    assert _run("caption", tmp_path).exit_code == 0
    return tmp_path


def test_mine_ranks_the_effect_and_apply_stores_the_template(root: Path) -> None:
    result = _run("mine", root, "--json", "--apply")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    top = payload["phrases"][0]
    assert top["support"] == 1.0
    assert "golden sparkles" in " ".join(p["text"] for p in payload["phrases"][:4])
    assert payload["template"].count("s86b5p") == 1
    assert _run("template", root).output.strip().startswith(payload["template"][:20])


def test_prompts_follow_the_formula_and_the_subject(root: Path) -> None:
    _run("mine", root, "--apply")
    rows = json.loads(_run("prompts", root, "--json").output)
    assert len(rows) == 4
    for row, (subject, _), (_, pro) in zip(rows, SUBJECTS, PRONOUNS, strict=True):
        assert row["prompt"].startswith(subject)
        assert row["prompt"].count("s86b5p") == 1
        assert row["pronoun"] == pro
    motions = {
        row["prompt"][row["spans"]["template"][0] :] for row in rows if row["pronoun"] == "she"
    }
    assert len(motions) == 1  # one standard motion text for every "she" sample


def test_template_set_and_undo(root: Path) -> None:
    assert _run("template", root, "--set", "Then the s86b5p effect begins.").exit_code == 0
    assert "s86b5p effect begins" in _run("template", root).output
    assert "Undid" in _run("undo", root).output
    assert "No template yet" in _run("template", root).output
    assert "Redid" in _run("redo", root).output


def test_trigger_checks_and_auto(root: Path) -> None:
    bad = _run("trigger", root, "dance")
    assert bad.exit_code == 1
    assert "dance" in bad.output and "not set" in bad.output
    with Workspace.open(root) as ws:
        assert ws.info.trigger == "s86b5p"  # a refused word is not stored
    assert _run("trigger", root, "dance", "--force").exit_code == 0
    assert _run("trigger", root).exit_code == 1  # showing a bad trigger says so
    made = _run("trigger", root, "--auto")
    assert made.exit_code == 0, made.output
    with Workspace.open(root) as ws:
        word = ws.info.trigger
    assert word and word != "dance" and any(c.isdigit() for c in word)


def test_init_refuses_a_real_word_as_trigger(tmp_path: Path) -> None:
    make_clip(tmp_path / "a.mp4", width=96, height=64)
    result = _run("init", tmp_path, "--mode", "i2v", "--trigger", "fire")
    assert result.exit_code == 2
    assert "fire" in result.output and "--trigger auto" in result.output


def test_mine_without_captions_says_what_to_do(tmp_path: Path) -> None:
    make_clip(tmp_path / "a.mp4", width=96, height=64)
    _run("init", tmp_path, "--mode", "i2v")
    result = _run("mine", tmp_path)
    assert result.exit_code == 1 and "annotator caption" in result.output


def test_check_joins_the_prompt_lint(root: Path) -> None:
    _run("mine", root, "--apply")
    assert _run("accept", root, "--all").exit_code == 0
    clean = json.loads(_run("check", root, "--json", "--allow-small").output)
    assert not [f for f in clean["findings"] if f["code"].startswith("prompt-")]
    with Workspace.open(root) as ws:
        sample = ws.samples()[0]
        ws.edit(sample.id, "prompt_override", "A cat on a porch. It spins around.")
    result = _run("check", root, "--json", "--allow-small")
    codes = {(f["code"], f["path"]) for f in json.loads(result.output)["findings"]}
    assert ("prompt-trigger-missing", sample.path) in codes
    assert result.exit_code == 1


def test_check_counts_samples_without_prompt(tmp_path: Path) -> None:
    make_clip(tmp_path / "a.mp4", width=96, height=64)
    _run("init", tmp_path, "--mode", "i2v")
    findings = json.loads(_run("check", tmp_path, "--json").output)["findings"]
    assert any(f["code"] == "prompt-missing" for f in findings)


def test_mine_apply_refuses_when_nothing_is_shared(tmp_path: Path) -> None:
    make_clip(tmp_path / "a.mp4", width=96, height=64)
    _run("init", tmp_path, "--mode", "i2v", "--trigger", "s86b5p")
    with Workspace.open(tmp_path) as ws:
        sample = ws.samples()[0]
    fields = {"subject": "A cat", "background": "a porch", "motion": "Sparks circle the cat."}
    record = {"sha256": sample.id, "file": "a.mp4", "instruction_kind": "structured"}
    record |= {"text": json.dumps(fields), "fields": fields}
    (tmp_path / "replay.jsonl").write_text(json.dumps(record) + "\n")
    assert _run("caption", tmp_path).exit_code == 0
    result = _run("mine", tmp_path, "--apply")
    assert result.exit_code == 1
    assert "No shared effect" in result.output and "Not stored" in result.output
    with Workspace.open(tmp_path) as ws:
        assert ws.template() is None


def _editor(tmp_path: Path, body: str) -> str:
    """$EDITOR as a command line: a python script given the file to edit as its argument."""
    script = tmp_path / "editor.py"
    script.write_text("import pathlib, sys\nfile = pathlib.Path(sys.argv[1])\n" + body)
    return shlex.join([sys.executable, str(script)])


@pytest.fixture
def no_editor(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    return monkeypatch


def _template(root: Path) -> str | None:
    with Workspace.open(root) as ws:
        return ws.template()


def test_template_edit_stores_what_the_editor_wrote(
    root: Path, tmp_path: Path, no_editor: pytest.MonkeyPatch
) -> None:
    assert _run("template", root, "--set", "Then the s86b5p effect begins.").exit_code == 0
    rewrite = "file.write_text(file.read_text().strip() + ' Sparks rise.\\n')\n"
    no_editor.setenv("EDITOR", _editor(tmp_path, rewrite))
    result = _run("template", root, "--edit")
    assert result.exit_code == 0, result.output
    assert "Template stored" in result.output
    assert _template(root) == "Then the s86b5p effect begins. Sparks rise."
    assert "Undid" in _run("undo", root).output  # the edit is in the history
    assert _template(root) == "Then the s86b5p effect begins."


def test_template_edit_prefers_visual(
    root: Path, tmp_path: Path, no_editor: pytest.MonkeyPatch
) -> None:
    no_editor.setenv("EDITOR", shlex.join([sys.executable, "-c", "raise SystemExit(3)"]))
    no_editor.setenv("VISUAL", _editor(tmp_path, "file.write_text('Then it glows.')\n"))
    assert _run("template", root, "--edit").exit_code == 0
    assert _template(root) == "Then it glows."


def test_template_edit_leaves_the_template_when_the_editor_fails(
    root: Path, tmp_path: Path, no_editor: pytest.MonkeyPatch
) -> None:
    assert _run("template", root, "--set", "Then the s86b5p effect begins.").exit_code == 0
    failing = "file.write_text('half an edit')\nraise SystemExit(1)\n"
    no_editor.setenv("EDITOR", _editor(tmp_path, failing))
    result = _run("template", root, "--edit")
    assert result.exit_code == 1
    said = " ".join(result.output.split())
    assert "exited with status 1" in said and "unchanged" in said
    assert _template(root) == "Then the s86b5p effect begins."


def test_template_edit_without_an_editor_says_how_to_set_one(
    root: Path, no_editor: pytest.MonkeyPatch
) -> None:
    result = _run("template", root, "--edit")
    assert result.exit_code == 1
    said = " ".join(result.output.split())
    assert "$EDITOR" in said and "--set" in said
    assert _template(root) is None


def test_template_edit_that_changes_nothing_stores_nothing(
    root: Path, tmp_path: Path, no_editor: pytest.MonkeyPatch
) -> None:
    assert _run("template", root, "--set", "Then the s86b5p effect begins.").exit_code == 0
    no_editor.setenv("EDITOR", _editor(tmp_path, "pass\n"))  # quits without saving
    result = _run("template", root, "--edit")
    assert result.exit_code == 0 and "Template unchanged" in result.output
    with Workspace.open(root) as ws:
        assert len([h for h in ws.history() if h.field == "template"]) == 1


def _store_state(root: Path) -> tuple[bytes, int]:
    db = root / ".annotator" / "workspace.db"
    return db.read_bytes(), db.stat().st_mtime_ns


def test_mine_without_apply_writes_nothing(root: Path) -> None:
    before = _store_state(root)
    watcher = sqlite3.connect(root / ".annotator" / "workspace.db")
    try:
        version = watcher.execute("PRAGMA data_version").fetchone()[0]
        assert _run("mine", root).exit_code == 0
        assert _run("mine", root, "--json").exit_code == 0
        # data_version moves when another connection commits anything (the WAL included).
        assert watcher.execute("PRAGMA data_version").fetchone()[0] == version
    finally:
        watcher.close()
    assert _store_state(root) == before
    with Workspace.open(root) as ws:
        assert ws.template() is None and ws.history() == []


def test_mine_apply_stores_the_template_and_its_phrases(root: Path) -> None:
    from annotator.pipeline.mine import effect_phrase_texts

    assert _run("mine", root, "--apply").exit_code == 0
    with Workspace.open(root) as ws:
        assert ws.template() and "s86b5p" in (ws.template() or "")
        assert any("golden sparkles" in text for text in effect_phrase_texts(ws))
