"""Issue 14 items 7 and 8: `check` says "ready" exactly when `export` with the same options
would write, and both print the same findings (one severity per rule, everywhere)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annotator.cli import app
from annotator.workspace import Status, Workspace
from tests.export.helpers import make_workspace, use_assembled_prompts, zh_prompt

runner = CliRunner()


def _run(*args: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ten accepted samples whose prompts the assembly builds: a dataset export takes."""
    root = tmp_path_factory.mktemp("clean") / "ws"
    ws = make_workspace(root, 10)
    use_assembled_prompts(ws)
    ws.close()
    return root


def _empty(root: Path) -> None:
    shutil.rmtree(root)
    root.mkdir()
    assert _run("init", root, "--mode", "i2v", "--no-trigger")[0] == 0


def _edit(change: Callable[[Workspace], None]) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        with Workspace.open(root) as ws:
            change(ws)

    return apply


def _no_prompt(ws: Workspace) -> None:
    for sample in ws.samples():
        ws.edit(sample.id, "subject", "")
        ws.edit(sample.id, "background", "")


def _unaccepted_no_prompt(ws: Workspace) -> None:
    _no_prompt(ws)
    for sample in ws.samples():
        ws.set_status(sample.id, Status.NEW)


def _no_trigger(ws: Workspace) -> None:
    ws.set_workspace_field("trigger", None)


def _one_sample(ws: Workspace) -> None:
    for sample in ws.samples()[1:]:
        ws.set_status(sample.id, Status.REJECTED, "not this one")


def _override(text: str) -> Callable[[Workspace], None]:
    def change(ws: Workspace) -> None:
        ws.edit(ws.samples()[0].id, "prompt_override", text)

    return change


CASES: dict[str, tuple[Callable[[Path], None], list[str], bool]] = {
    "empty": (_empty, [], False),
    "no prompt": (_edit(_no_prompt), [], False),
    "no prompt, none accepted": (_edit(_unaccepted_no_prompt), [], False),
    "no trigger": (_edit(_no_trigger), [], False),
    "no trigger, --allow-lint": (_edit(_no_trigger), ["--allow-lint"], True),
    "1 sample": (_edit(_one_sample), [], False),
    "1 sample, --allow-small": (_edit(_one_sample), ["--allow-small"], True),
    "short prompt": (_edit(_override("视频开头展示了一只鸟。")), [], False),
    "200 KB prompt": (_edit(_override(zh_prompt("一只鸟" * 70_000))), [], False),
    "clean": (lambda root: None, [], True),
    "clean, --strict": (lambda root: None, ["--strict"], True),
}


@pytest.mark.parametrize("case", list(CASES))
def test_check_is_ready_exactly_when_export_writes(case: str, clean: Path, tmp_path: Path) -> None:
    prepare, options, expected = CASES[case]
    root = tmp_path / "ws"
    shutil.copytree(clean, root)
    prepare(root)
    check_code, check_out = _run("check", root, *options)
    json_code, check_json = _run("check", root, "--json", *options)
    dry_code, dry_json = _run("export", root, "--dry-run", "--json", *options)
    export_code, export_out = _run("export", root, "-o", tmp_path / "out" / "d.zip", *options)
    assert (export_code == 0) is expected, export_out
    assert check_code == json_code == dry_code == export_code, check_out + export_out
    assert ("not ready" not in check_out) is expected, check_out
    # The same findings, judged the same way, from both commands.
    checked, planned = json.loads(check_json), json.loads(dry_json)
    assert checked["ready"] is expected
    assert checked == planned
    if not expected:
        for finding in checked["findings"]:
            if finding["severity"] == "error":
                assert finding["message"][:30] in " ".join(export_out.split()), finding


def test_a_short_and_a_huge_prompt_are_errors_in_check_too(clean: Path, tmp_path: Path) -> None:
    for text, code in (("视频开头展示了一只鸟。", "too-short"), ("一" * 200_000, "too-long")):
        root = tmp_path / code
        shutil.copytree(clean, root)
        _edit(_override(text))(root)
        found = json.loads(_run("check", root, "--json")[1])["findings"]
        severities = {f["severity"] for f in found if f["code"] == f"prompt-{code}"}
        assert severities == {"error"}, found


def test_export_without_trigger_or_effect_text_names_the_fixing_commands(
    clean: Path, tmp_path: Path
) -> None:
    root = tmp_path / "My Clips"
    shutil.copytree(clean, root)
    with Workspace.open(root) as ws:
        ws.set_workspace_fields({"trigger": None, "template": None})
    code, output = _run("export", root, "-o", tmp_path / "out" / "d.zip")
    flat = " ".join(output.split())
    assert code == 1
    assert f"annotator trigger '{root}' --auto" in flat
    assert f"annotator mine '{root}' --apply" in flat
    assert "--allow-lint" in flat


def test_fewer_than_ten_is_refused_at_export_unless_allow_small(
    clean: Path, tmp_path: Path
) -> None:
    root = tmp_path / "ws"
    shutil.copytree(clean, root)
    _edit(_one_sample)(root)
    code, output = _run("export", root, "-o", tmp_path / "a" / "d.zip")
    assert code == 1 and "at least 10" in output and "--allow-small" in output
    code, output = _run("export", root, "-o", tmp_path / "b" / "d.zip", "--allow-small")
    assert code == 0, output
    assert "allowed by --allow-small" in output


def test_init_makes_a_rare_trigger_unless_no_trigger(tmp_path: Path) -> None:
    from annotator.prompts.trigger import check_trigger

    made, bare = tmp_path / "made", tmp_path / "bare"
    made.mkdir()
    bare.mkdir()
    code, output = _run("init", made, "--mode", "i2v")
    assert code == 0, output
    with Workspace.open(made) as ws:
        trigger = ws.info.trigger
    assert trigger and trigger in output
    assert not [p for p in check_trigger(trigger) if p.severity == "error"]
    # Running it again keeps the word: the prompts already hold it.
    assert _run("init", made)[0] == 0
    with Workspace.open(made) as ws:
        assert ws.info.trigger == trigger
    code, output = _run("init", bare, "--mode", "i2v", "--no-trigger")
    assert code == 0, output
    with Workspace.open(bare) as ws:
        assert ws.info.trigger is None
    assert "no trigger word" in output and "export will refuse" in output
    assert _run("init", bare, "--trigger", "s86b5p", "--no-trigger")[0] == 2


def test_the_size_limits_are_judged_before_writing_too(clean: Path, tmp_path: Path) -> None:
    """A data.jsonl or a zip over the guide's limits: the check says so, as export does."""
    from annotator.export import ExportOptions, ExportRefusedError
    from annotator.pipeline.export import export_dataset, readiness

    root = tmp_path / "ws"
    shutil.copytree(clean, root)
    options = ExportOptions(output=tmp_path / "out" / "d.zip", max_jsonl_bytes=100)
    with Workspace.open(root) as ws:
        _, plan = readiness(ws, options)
        assert [f.code for f in plan.errors] == ["jsonl-too-large"]
        with pytest.raises(ExportRefusedError) as refused:
            export_dataset(ws, options)
    assert [f.code for f in refused.value.plan.errors] == ["jsonl-too-large"]


def test_a_workspace_made_from_review_gets_a_trigger_too(tmp_path: Path) -> None:
    """Review's "Make it one now?" calls init with no trigger: it gets a made one."""
    from annotator.basemodels import Mode
    from annotator.cli.workspace_cmds import init

    init(root=tmp_path, mode=Mode.I2V, model=None, lang=None, trigger=None)
    with Workspace.open(tmp_path) as ws:
        assert ws.info.trigger


def test_check_takes_the_format_export_would_write(clean: Path, tmp_path: Path) -> None:
    """--valid is for dashscope zips: a usage error in both, with --format musubi."""
    root = tmp_path / "ws"
    shutil.copytree(clean, root)
    options = ["--format", "musubi", "--valid", "1"]
    assert _run("check", root, *options)[0] == 2
    assert _run("export", root, "-o", tmp_path / "out", *options)[0] == 2
    assert _run("check", root, "--format", "musubi")[0] == 0
