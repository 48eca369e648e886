"""Hostile text from a model, a server or a file (issue 10, items 6 and 7).

Captions (through the replay provider), a server's error (the fake DashScope), clip names
and an imported prompt hold Rich markup, a hyperlink tag and terminal escapes. Every
command shows them as the literal text, never crashes on them, and the export writes no
control byte.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from annotator.cli import app
from annotator.pipeline.caption import REPLAY_FILE
from annotator.workspace import Workspace
from tests.clips import make_clip
from tests.fakes import COMPATIBLE, FakeDashScope, error

runner = CliRunner()
TRIGGER = "s86b5p"
TEMPLATE = "then the {trigger} golden [/] sparkles spiral in around the subject"
ODD = "[red]odd.mp4"  # rich would read "[red]" as a style and show "odd.mp4"
OSC, CSI, BEL, CR = "\x1b]0;pwned\x07", "\x1b[31m", "\x07", "\r"
SUBJECT = "a woman [/] in a [bold red]x red coat"
BACKGROUND = "a snowy street at dusk [link=file:///etc/passwd]here[/link]"
SERVER_SAYS = "bad [/] input [bold red]x"


def _controls(text: str) -> list[str]:
    """The C0/C1 control characters in TEXT, newlines aside."""
    return [c for c in text if c != "\n" and (ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F)]


def _run(*args: str | Path) -> Result:
    result = runner.invoke(app, [str(a) for a in args])
    assert "unexpected" not in result.output, result.output  # the CLI's line for a bug
    assert not _controls(result.output), repr(result.output)
    return result


def _replay_line(sample_id: str, name: str, i: int) -> str:
    fields = {
        "subject": f"{SUBJECT}{CSI} number {i}{BEL}",
        "background": f"{OSC}{BACKGROUND}{CR}",
        "motion": "golden sparkles spiral in around the subject",
    }
    return json.dumps(
        {
            "sha256": sample_id,
            "file": name,
            "lang": "en",
            "instruction_kind": "structured",
            "text": json.dumps(fields),
            "fields": fields,
        }
    )


@pytest.fixture
def fake() -> Iterator[FakeDashScope]:
    with FakeDashScope() as server:
        yield server


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """Three clips, one named like markup; recorded captions for the two others."""
    root = tmp_path / "effect"
    root.mkdir()
    for i, name in enumerate(["clip_a.mp4", ODD, "clip_c.mp4"]):
        make_clip(root / name, width=64 + 16 * i, height=48, fps=4, seed=i)
    assert _run("init", root, "--mode", "i2v", "--trigger", TRIGGER).exit_code == 0
    with Workspace.open(root) as ws:
        lines = [_replay_line(s.id, s.name, i) for i, s in enumerate(ws.samples())]
        odd = ws.resolve(ODD).id
    recorded = [line for line in lines if odd not in line]
    (root / REPLAY_FILE).write_text("\n".join(recorded) + "\n", encoding="utf-8")
    return root


def test_every_command_shows_hostile_text_literally(
    root: Path, tmp_path: Path, fake: FakeDashScope, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _run("caption", root, "-p", "replay")
    assert result.exit_code == 1  # the odd clip has no recording
    assert f"failed {ODD}" in result.output
    assert "Captioned 2 of 3" in result.output
    # A server error full of markup and escapes, for the odd clip.
    monkeypatch.setenv("DASHSCOPE_API_KEY", "sk-test-hostile")
    fake.queue(COMPATIBLE, error(400, "InvalidParameter", f"{SERVER_SAYS}{OSC}"))
    base = ["-p", "openai", "--base-url", fake.compatible_base, "--only", ODD]
    result = _run("caption", root, *base)
    assert result.exit_code == 1
    assert SERVER_SAYS in result.output and ODD in result.output

    result = _run("template", root, "--set", TEMPLATE)
    assert result.exit_code == 0, result.output
    assert "golden [/] sparkles" in result.output

    for extra in ([], ["--json"]):
        result = _run("check", root, *extra)
        assert result.exit_code in (0, 1), result.output
        assert SERVER_SAYS in result.output  # the odd clip's stored error
        assert ODD in result.output

    result = _run("prompts", root)
    assert result.exit_code == 0, result.output
    assert ODD in result.output
    assert f"A woman [/] in a [bold red]x red coat number 1. A {BACKGROUND[2:]}. " in (
        result.output
    )

    result = _run("status", root)
    assert ODD in result.output
    rows = json.loads(_run("status", root, "--json").output)
    assert any(SERVER_SAYS in (row["error"] or "") for row in rows)

    assert ODD in _run("reject", root, ODD, "--reason", f"[/]{BEL}").output
    assert _run("accept", root, "--all").exit_code == 0
    out = tmp_path / "out"
    result = _run("export", root, "-o", out / "d.zip", "--allow-small")
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out / "d.zip") as zf:
        data = zf.read("data.jsonl").decode("utf-8")
    deployment = (out / "deployment.json").read_text(encoding="utf-8")
    for written in (data, deployment, (out / "finetune.json").read_text(encoding="utf-8")):
        assert not _controls(written)
        assert "\\u001b" not in written and "\\u0007" not in written  # not even escaped
    prompts = [json.loads(line)["prompt"] for line in data.splitlines()]
    assert len(prompts) == 2
    assert all(SUBJECT[1:] in p and "golden [/] sparkles" in p for p in prompts), prompts
    assert "golden [/] sparkles" in deployment


def test_an_imported_prompt_enters_without_controls_and_prints_literally(
    root: Path, tmp_path: Path
) -> None:
    source = tmp_path / "captions"
    source.mkdir()
    make_clip(source / "new.mp4", width=96, height=64, fps=4, seed=9)
    (source / "new.txt").write_text(
        f"A man {CSI}[/] in [bold red]x a hat{OSC}.{BEL} Then the {TRIGGER} rain falls.{CR}",
        encoding="utf-8",
    )
    result = _run("import", root, source)
    assert result.exit_code == 0, result.output
    with Workspace.open(root) as ws:
        sample = next(s for s in ws.samples() if s.name == "new.mp4")
        assert sample.prompt_override == (
            f"A man [/] in [bold red]x a hat. Then the {TRIGGER} rain falls."
        )
    result = _run("prompts", root)
    assert f"A man [/] in [bold red]x a hat. Then the {TRIGGER} rain falls." in result.output


def test_a_dry_run_plan_shows_a_markup_file_name(root: Path) -> None:
    result = _run("caption", root, "-p", "replay", "--dry-run")
    assert result.exit_code == 0, result.output
    assert ODD in result.output


def test_fine_tune_log_lines_with_markup_are_shown_literally(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The service's log lines, job statuses and names reach the terminal as plain text."""
    from tests.fakes.finetune_server import FakeFinetune
    from tests.finetune.helpers import KEY, make_workspace

    monkeypatch.setenv("DASHSCOPE_API_KEY", KEY)
    monkeypatch.setenv("ANNOTATOR_CONFIG", str(tmp_path / "no-config.toml"))
    make_workspace(tmp_path / "ws").close()
    with FakeFinetune() as fake:

        def run(*args: str) -> Result:
            extra = ["--poll-interval", "0"] if args[0] == "finetune" else []
            return _run(*args, str(tmp_path / "ws"), "--base-url", fake.url, *extra)

        assert run("upload").exit_code == 0
        assert run("finetune").exit_code == 0
        job = next(iter(fake.jobs.values()))
        job.logs.append(f"step 3 {SERVER_SAYS}{OSC}")
        result = run("finetune", "--status")
        assert f"step 3 {SERVER_SAYS}" in result.output
        result = run("finetune", "--wait")
        assert result.exit_code == 0, result.output
        assert "SUCCEEDED" in result.output
