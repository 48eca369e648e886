"""Every limit is checked before writing; a refused or failed export leaves the old one."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path
from typing import Any

import pytest

from annotator.checks import Finding, Severity
from annotator.export import ExportOptions, ExportRefusedError, ExportUsageError, zipio
from annotator.export import plan as plan_module
from annotator.pipeline.export import export_dataset
from annotator.pipeline.scan import scan
from annotator.workspace import Status, Workspace
from tests.clips import make_clip
from tests.export.helpers import make_workspace, use_assembled_prompts


def _codes(exc: pytest.ExceptionInfo[ExportRefusedError]) -> set[str]:
    return {f.code for f in exc.value.plan.errors}


def _refused(
    ws: Workspace, tmp_path: Path, **options: Any
) -> pytest.ExceptionInfo[ExportRefusedError]:
    with pytest.raises(ExportRefusedError) as exc:
        export_dataset(
            ws,
            ExportOptions(**{"allow_small": True, "output": tmp_path / "out" / "d.zip", **options}),
        )
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    return exc


def test_oversize_data_jsonl_is_refused(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", 2)
    exc = _refused(ws, tmp_path, max_jsonl_bytes=100)
    assert _codes(exc) == {"jsonl-too-large"}


def test_oversize_zip_is_refused_before_writing(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", 2)
    assert _codes(_refused(ws, tmp_path, max_zip_bytes=2000)) == {"zip-too-large"}


def test_zip_size_estimate_is_an_upper_bound(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", 3)
    export_dataset(ws, ExportOptions(allow_small=True, output=tmp_path / "d.zip"))
    with zipfile.ZipFile(tmp_path / "d.zip") as zf:
        members = [zipio.ZipMember(i.filename, data=zf.read(i.filename)) for i in zf.infolist()]
    real = (tmp_path / "d.zip").stat().st_size
    assert real <= zipio.estimated_size(members) < real * 1.2


def test_missing_clip_and_missing_frame_are_refused(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", 3)
    first, second = ws.samples()[:2]
    (tmp_path / "ws" / first.path).unlink()
    (tmp_path / "ws" / second.first_frame).unlink()
    exc = _refused(ws, tmp_path)
    missing = [f for f in exc.value.plan.errors if f.code == "file-missing"]
    assert {f.sample_id for f in missing} == {first.id, second.id}


def test_errors_from_the_dataset_checks_block(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", 2)
    make_clip(tmp_path / "ws" / "short.mp4", width=64, height=48, seconds=1.0, fps=4, seed=9)
    scan(ws)
    short = ws.resolve("short.mp4")
    ws.edit(
        short.id, "prompt_override", "视频开头展示了一只鸟。背景是天空。然后开始展示s86b5p特效。"
    )
    ws.set_status(short.id, Status.ACCEPTED)
    assert "clip-too-short" in _codes(_refused(ws, tmp_path))
    # The same clip rejected is no longer in the export, and no longer blocks it.
    ws.set_status(short.id, Status.REJECTED, "too short")
    export_dataset(ws, ExportOptions(allow_small=True, output=tmp_path / "ok.zip"))


def test_a_sample_without_prompt_is_refused(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", 2)
    ws.edit(ws.samples()[0].id, "prompt_override", None)
    assert "no-prompt" in _codes(_refused(ws, tmp_path))


def test_nothing_accepted_is_refused(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", 2, accept=False)
    assert _codes(_refused(ws, tmp_path)) == {"nothing-to-export"}


def test_lint_findings_block_unless_allowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = make_workspace(tmp_path / "ws", 2)
    sample = ws.samples()[0]
    finding = Finding(
        code="trigger-missing",
        severity=Severity.ERROR,
        message="the trigger is not in the prompt",
        fix="add it",
        path=sample.path,
        sample_id=sample.id,
    )
    monkeypatch.setattr(plan_module, "lint_findings", lambda *_: [finding])
    exc = _refused(ws, tmp_path)
    assert _codes(exc) == {"trigger-missing"}
    assert "--allow-lint" in exc.value.plan.errors[0].fix
    result = export_dataset(
        ws, ExportOptions(allow_small=True, output=tmp_path / "d.zip", allow_lint=True)
    )
    assert any("trigger is not in the prompt" in n for n in result.notes)


def test_fewer_than_ten_is_refused_unless_allow_small(tmp_path: Path) -> None:
    """Issue 14 item 8: a paid training run on 3 samples is a waste; --allow-small lets a
    trial through, with a note; an unusually small set of 10-19 stays information."""
    ws = make_workspace(tmp_path / "ws", 3)
    exc = _refused(ws, tmp_path, allow_small=False)
    assert _codes(exc) == {"sample-count"}
    assert "--allow-small" in exc.value.plan.errors[0].fix
    result = export_dataset(ws, ExportOptions(allow_small=True, output=tmp_path / "d.zip"))
    assert not result.warnings
    assert any(n.startswith("allowed by --allow-small") for n in result.notes)


def test_contradicting_options_are_usage_errors(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", 2)
    for options in (
        ExportOptions(allow_small=True, valid_count=1, valid_status=Status.REVIEWED),
        ExportOptions(allow_small=True, valid_status=Status.ACCEPTED),
        ExportOptions(allow_small=True, valid_count=2),
    ):
        with pytest.raises(ExportUsageError):
            export_dataset(ws, options)


def test_a_failure_while_writing_leaves_the_previous_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = make_workspace(tmp_path / "ws", 2)
    out = tmp_path / "out"
    export_dataset(ws, ExportOptions(allow_small=True, output=out / "d.zip"))
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    ws.edit(
        ws.samples()[0].id,
        "prompt_override",
        "视频开头展示了新的主体。背景是新的。然后开始展示s86b5p特效。",
    )

    def broken(path: Path, members: list[zipio.ZipMember]) -> None:
        path.write_bytes(b"PK half a zip")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("annotator.export.runner.write_zip", broken)
    with pytest.raises(OSError):
        export_dataset(ws, ExportOptions(allow_small=True, output=out / "d.zip"))
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no temp file left


def test_every_write_goes_through_a_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = make_workspace(tmp_path / "ws", 2)
    replaced: list[tuple[str, str]] = []
    original = os.replace

    def spy(src: str | Path, dst: str | Path) -> None:
        replaced.append((Path(src).name, Path(dst).name))
        original(src, dst)

    monkeypatch.setattr("annotator.export.staging.os.replace", spy)
    export_dataset(ws, ExportOptions(allow_small=True, output=tmp_path / "d.zip"))
    targets = {dst for _, dst in replaced}
    assert {"d.zip", "finetune.json", "deployment.json", "names.json"} <= targets
    assert all(src.startswith(f".{dst}.") and src.endswith(".part") for src, dst in replaced)


def test_assembled_prompts_pass_the_real_lint(tmp_path: Path, real_lint: None) -> None:
    ws = make_workspace(tmp_path / "ws", 3)
    use_assembled_prompts(ws)
    result = export_dataset(ws, ExportOptions(allow_small=True, output=tmp_path / "d.zip"))
    assert result.train_count == 3


def test_a_changed_motion_fails_the_real_lint(tmp_path: Path, real_lint: None) -> None:
    ws = make_workspace(tmp_path / "ws", 3)
    use_assembled_prompts(ws)
    odd = ws.samples()[1]
    ws.edit(
        odd.id, "prompt_override", "一位男性。背景是山。然后开始展示s86b5p雪花特效，雪花缓缓飘落。"
    )
    exc = _refused(ws, tmp_path)
    assert {f.sample_id for f in exc.value.plan.errors} == {odd.id}
    assert all(f.code.startswith("prompt-") for f in exc.value.plan.errors)
    export_dataset(ws, ExportOptions(allow_small=True, output=tmp_path / "d.zip", allow_lint=True))


def test_an_override_that_changes_the_motion_is_refused(tmp_path: Path, real_lint: None) -> None:
    ws = make_workspace(tmp_path / "ws", 3)
    use_assembled_prompts(ws)
    odd = ws.samples()[1]
    ws.edit(odd.id, "prompt_override", "一位男性。背景是山。然后开始展示s86b5p雪花特效。")
    exc = _refused(ws, tmp_path)
    assert {f.sample_id for f in exc.value.plan.errors} == {odd.id}


def test_the_lint_compares_only_the_exported_samples(tmp_path: Path, real_lint: None) -> None:
    ws = make_workspace(tmp_path / "ws", 5, accept=False)
    use_assembled_prompts(ws)
    samples = ws.samples()
    for sample in samples[:2]:
        ws.set_status(sample.id, Status.ACCEPTED)
    # Three samples left out of the export share another motion: the majority of the
    # workspace, and none of the export's business.
    for sample in samples[2:]:
        ws.edit(sample.id, "prompt_override", "一位男性。背景是山。然后开始展示s86b5p雪花特效。")
    result = export_dataset(ws, ExportOptions(allow_small=True, output=tmp_path / "d.zip"))
    assert result.train_count == 2
    assert not any(f.code.startswith("prompt-") for f in result.warnings)


def test_an_unreadable_clip_blocks_the_export_and_another_format_does_not(
    tmp_path: Path,
) -> None:
    ws = make_workspace(tmp_path / "ws", 2)
    (tmp_path / "ws" / "old.avi").write_bytes(b"RIFF0000AVI ")
    scan(ws)
    result = export_dataset(ws, ExportOptions(allow_small=True, output=tmp_path / "d.zip"))
    assert [(w.code, w.path) for w in result.warnings if w.path] == [("unusable-file", "old.avi")]
    (tmp_path / "ws" / "empty.mp4").write_bytes(b"")
    scan(ws)
    exc = _refused(ws, tmp_path)
    assert [(f.code, f.path) for f in exc.value.plan.errors] == [("unusable-file", "empty.mp4")]
