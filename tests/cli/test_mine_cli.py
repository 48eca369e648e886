"""`annotator mine` and `annotator template` (issue 16): why each phrase was not taken, the
trigger the captions carry, the template unwrapped, and `mine --distill`.

Through typer's CliRunner, on copies of the bundled i2v samples captioned with their
recordings (replay), and on small clips captioned with captions made here.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from annotator.cli import app
from annotator.mining.template import REASONS
from annotator.workspace import Workspace
from tests.clips import make_clip

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
TRIGGER = "s86b5p"
runner = CliRunner()


def _run(*args: object) -> Any:
    return runner.invoke(app, [str(a) for a in args])


def _ok(*args: object) -> Any:
    result = _run(*args)
    assert result.exit_code == 0, (args, result.output)
    return result


@pytest.fixture(scope="module")
def captioned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The i2v samples, free-form English captions from the recordings, no trigger."""
    root = tmp_path_factory.mktemp("mine-cli") / "i2v"
    shutil.copytree(SAMPLES / "i2v", root)
    _ok("init", root, "--mode", "i2v", "--lang", "en", "--no-trigger")
    _ok("caption", root, "--provider", "replay", "--freeform")
    return root


@pytest.fixture
def samples(captioned: Path, tmp_path: Path) -> Path:
    """A fresh copy of the captioned samples for one test (the store is closed)."""
    root = tmp_path / "i2v"
    shutil.copytree(captioned, root)
    return root


@contextmanager
def unchanged_store(root: Path) -> Iterator[None]:
    """Assert that nothing is committed to ROOT's store meanwhile, seen from a second
    connection (data_version moves on any commit by another connection, WAL included)."""
    watcher = sqlite3.connect(root / ".annotator" / "workspace.db")
    try:
        before = watcher.execute("PRAGMA data_version").fetchone()[0]
        yield
        assert watcher.execute("PRAGMA data_version").fetchone()[0] == before
    finally:
        watcher.close()


def _table(output: str) -> str:
    """The phrase table of `mine`'s output (before the proposal under it)."""
    return output.split("Proposed")[0]


# --------------------------------------------------------------------------- mine


def test_mine_says_why_for_every_phrase_it_did_not_take(samples: Path) -> None:
    payload = json.loads(_ok("mine", samples, "--json").output)
    phrases = payload["phrases"]
    assert any(p["taken"] for p in phrases)
    for p in phrases:
        assert p["taken"] is (p["why_not"] is None)
        assert p["why_not"] is None or p["why_not"] in REASONS
        assert p["role"] in ("effect", "subject", "background", "frame", "trigger", "filler")
    said = _table(_ok("mine", samples).output)
    assert "taken / why not" in said and "role" in said
    for p in phrases:
        assert (REASONS[p["why_not"]] if p["why_not"] else "in the template") in said


def test_a_wording_both_a_clause_group_and_a_shared_sequence_is_shown_once(
    samples: Path,
) -> None:
    from annotator.pipeline.mine import mine_workspace

    with Workspace.open(samples) as ws:
        mined = mine_workspace(ws)
    twice = "the whole frame flashes white"
    assert sorted(p.kind for p in mined if p.text.lower() == twice) == ["clause", "ngram"]
    payload = json.loads(_ok("mine", samples, "--json").output)
    assert [p["text"].lower() for p in payload["phrases"]].count(twice) == 1
    table = _table(_ok("mine", samples).output).lower()
    assert table.count(twice) == 1


def test_mine_without_apply_writes_nothing(samples: Path) -> None:
    with unchanged_store(samples):
        _ok("mine", samples)
        _ok("mine", samples, "--json")


# --------------------------------------------------------------------------- the trigger

CARRIED = [
    f"A {thing} on a shelf, then {TRIGGER} golden sparkles spiral around it and it glows."
    for thing in ("red ball", "blue vase", "small clock", "green cup")
]


@pytest.fixture
def carrying(tmp_path: Path) -> Path:
    """Four clips whose free-form captions carry the trigger s86b5p; no trigger set."""
    for i in range(len(CARRIED)):
        make_clip(tmp_path / f"clip_{i}.mp4", width=96, height=64, seed=i)
    _ok("init", tmp_path, "--mode", "i2v", "--no-trigger")
    with Workspace.open(tmp_path) as ws:
        samples = ws.samples()
    lines = [
        json.dumps({"sha256": s.id, "file": s.name, "instruction_kind": "freeform", "text": text})
        for s, text in zip(samples, CARRIED, strict=True)
    ]
    (tmp_path / "replay.jsonl").write_text("\n".join(lines) + "\n")
    _ok("caption", tmp_path, "--freeform")
    return tmp_path


def test_mine_proposes_the_trigger_the_captions_carry(carrying: Path) -> None:
    with unchanged_store(carrying):
        result = _ok("mine", carrying)
    assert f"The captions carry the trigger {TRIGGER}: proposed" in result.output
    payload = json.loads(_ok("mine", carrying, "--json").output)
    assert payload["proposed_trigger"] == TRIGGER
    assert "effect begins" not in payload["template"]  # no lead-in: the captions place it
    assert payload["template"].count(TRIGGER) == 1


def test_mine_apply_stores_the_carried_trigger_and_trigger_accepts_it(carrying: Path) -> None:
    result = _ok("mine", carrying, "--apply")
    assert "stored as the workspace's trigger" in result.output
    with Workspace.open(carrying) as ws:
        assert ws.info.trigger == TRIGGER
        assert (ws.template() or "").count(TRIGGER) == 1
    # The captions carry it by design: not the "already in a caption" error.
    shown = _run("trigger", carrying)
    assert shown.exit_code == 0, shown.output
    _ok("undo", carrying)
    _ok("undo", carrying)
    with Workspace.open(carrying) as ws:
        assert ws.info.trigger is None and ws.template() is None


def test_mine_apply_keeps_a_trigger_already_set(carrying: Path) -> None:
    _run("trigger", carrying, "k3x9q2")
    result = _ok("mine", carrying, "--apply")
    assert "the workspace's own trigger takes its place" in result.output
    with Workspace.open(carrying) as ws:
        assert ws.info.trigger == "k3x9q2"
        assert "k3x9q2" in (ws.template() or "") and TRIGGER not in (ws.template() or "")


# --------------------------------------------------------------------------- template

LONG = (
    "Then the s86b5p effect begins, a ring of golden sparkles appears around {object}, the "
    "ring spirals inward clockwise, the whole frame flashes white, {pronoun} is left glowing."
)


def narrow(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the CLI's console 40 columns wide (it read COLUMNS when it was made)."""
    from annotator.cli.common import console

    monkeypatch.setattr(console, "width", 40)


def test_template_prints_unwrapped_whatever_the_width(
    samples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _ok("template", samples, "--set", LONG)
    narrow(monkeypatch)
    out = _ok("template", samples).output
    assert LONG in out.splitlines()


def test_template_json_holds_it_whole(samples: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _ok("template", samples, "--set", LONG)
    narrow(monkeypatch)
    payload = json.loads(_ok("template", samples, "--json").output)
    assert payload == {"template": LONG, "trigger": None, "trigger_in_template": False}


def test_mine_prints_its_proposal_unwrapped(samples: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    template = json.loads(_ok("mine", samples, "--json").output)["template"]
    narrow(monkeypatch)
    assert template in _ok("mine", samples).output.splitlines()


# --------------------------------------------------------------------------- --distill


def test_distill_offline_on_the_bundled_samples(samples: Path) -> None:
    """The recorded answer of samples/i2v/distill.jsonl: every clause said by the captions."""
    with unchanged_store(samples):
        result = _ok("mine", samples, "--distill", "-p", "replay")
    out = result.output
    assert "Proposed by the text model (qwen-vl-max, replay):" in out
    assert "a ring of golden sparkles appears around {object}" in out
    assert "Clause by clause" in out and "evidence: " in out
    assert "unsupported" not in out
    assert "Not stored." in out
    with Workspace.open(samples) as ws:
        assert ws.template() is None and ws.history() == []


INVENTED = "a rainbow portal opens above {object}"


def _record_answer(root: Path, text: str) -> None:
    (root / "distill.jsonl").write_text(json.dumps({"lang": "en", "text": text}) + "\n")


def test_distill_shows_each_clause_support_evidence_and_marks_the_unsupported(
    samples: Path,
) -> None:
    _record_answer(
        samples,
        "Then the {trigger} sparkle effect begins, the whole frame flashes white, " + INVENTED,
    )
    with unchanged_store(samples):
        out = _ok("mine", samples, "--distill", "-p", "replay").output
        payload = json.loads(_ok("mine", samples, "--distill", "-p", "replay", "--json").output)
    lines = out.splitlines()
    flash = next(
        i for i, line in enumerate(lines) if line.endswith("the whole frame flashes white")
    )
    assert lines[flash].split()[0].endswith("%") and lines[flash].split()[0] != "0%"
    assert "evidence:" in lines[flash + 1] and "flashes white" in lines[flash + 1].lower()
    rows = [line for line in lines if line.split() and line.split()[0].endswith("%")]
    (invented,) = [row for row in rows if INVENTED in row]
    assert invented.split()[0] == "0%" and "unsupported: no caption says it" in invented
    clauses = {c["clause"]: c for c in payload["distilled"]["clauses"]}
    assert clauses[INVENTED]["unsupported"] and clauses[INVENTED]["evidence"] == []
    flashes = clauses["the whole frame flashes white"]
    assert flashes["support"] > 0.5 and flashes["supported"] and flashes["evidence"]
    assert "Then the {trigger} sparkle effect begins" not in clauses  # the tool's lead-in


def test_distill_apply_stores_the_proposal(samples: Path) -> None:
    _ok("trigger", samples, TRIGGER)
    result = _ok("mine", samples, "--distill", "-p", "replay", "--apply")
    assert "Stored as the workspace's template" in result.output
    with Workspace.open(samples) as ws:
        stored = ws.template() or ""
        assert stored.startswith(f"Then the {TRIGGER} golden sparkle effect begins, a ring")
        assert ws.history()[0].field == "template"
    assert stored in _ok("template", samples).output.splitlines()


def test_distill_without_a_recording_says_where_it_looked(samples: Path) -> None:
    (samples / "distill.jsonl").unlink()
    result = _run("mine", samples, "--distill", "-p", "replay")
    assert result.exit_code == 1
    assert "distill.jsonl" in result.output


def test_distill_with_an_unknown_provider_is_a_usage_error(samples: Path) -> None:
    result = _run("mine", samples, "--distill", "-p", "nosuch")
    assert result.exit_code == 2 and "nosuch" in result.output


def test_distill_answers_in_the_workspace_language(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """kf2v in Chinese, structured captions: the recorded zh answer, every clause said."""
    root = tmp_path_factory.mktemp("mine-cli-zh") / "kf2v"
    shutil.copytree(SAMPLES / "kf2v", root)
    _ok("init", root, "--mode", "kf2v", "--lang", "zh", "--trigger", TRIGGER)
    _ok("caption", root, "--provider", "replay")
    payload = json.loads(_ok("mine", root, "--distill", "-p", "replay", "--json").output)
    distilled = payload["distilled"]
    assert distilled["proposal"].startswith(f"然后开始展示{TRIGGER}折纸特效，")  # slot filled
    assert "{trigger}" not in distilled["proposal"]
    assert distilled["clauses"] and all(c["supported"] for c in distilled["clauses"])
    assert all(c["evidence"] for c in distilled["clauses"])


def test_distill_with_a_model_name_like_markup(samples: Path) -> None:
    """The spinner's words are never read as markup: "[/]" once raised MarkupError."""
    result = _run("mine", samples, "--distill", "-p", "replay", "-m", "[/]x")
    assert "MarkupError" not in result.output and "closing tag" not in result.output
    assert result.exit_code == 0, result.output
