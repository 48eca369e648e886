"""import under faults and hostile input: pipes, links, killed runs, leftovers, odd text, bombs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest

import annotator.export.safezip as safezip
from annotator.basemodels import Mode
from annotator.export import ExportOptions, UnsafeZipError
from annotator.pipeline.export import export_dataset
from annotator.pipeline.importing import import_dataset
from annotator.userfiles import UnsafeFolderError
from annotator.workspace import Workspace, WorkspaceInfo
from tests.clips import make_clip
from tests.export.conftest import _no_lint  # noqa: F401  (autouse: the lint is off here too)
from tests.export.helpers import TRIGGER, make_workspace, zh_prompt
from tests.media.helpers import make_fifo, without_blocking

PROMPT = "视频开头展示了甲。背景是乙。然后开始展示s86b5p特效。"


def _empty_workspace(root: Path) -> Workspace:
    root.mkdir(parents=True)
    info = WorkspaceInfo(mode=Mode.I2V, base_model="wan2.5-i2v-preview", lang="zh", trigger=TRIGGER)
    return Workspace.create(root, info)


def _dead_pid() -> int:
    """The pid of a process that has ended (a killed run's, for the names of its leftovers)."""
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(child.stdout)


def _caption_folder(root: Path, n: int = 2) -> Path:
    """Clips with .txt captions beside them, as musubi-tuner and others keep them."""
    root.mkdir(parents=True)
    for i in range(n):
        make_clip(root / f"c{i}.mp4", seconds=0.5, seed=20 + i, width=64, height=48)
        (root / f"c{i}.txt").write_text(PROMPT.replace("甲", f"甲{i}"), "utf-8")
    return root


# -- 14: a named pipe where a clip or a caption should be ----------------------------------


def test_a_named_pipe_named_like_a_clip_or_caption_is_reported_not_opened(
    tmp_path: Path,
) -> None:
    ws = _empty_workspace(tmp_path / "ws")
    folder = _caption_folder(tmp_path / "ds")
    pipes = [make_fifo(folder / "clip.mp4"), make_fifo(folder / "c1.txt.tmp")]
    (folder / "clip.txt").write_text(PROMPT, "utf-8")
    (folder / "c1.txt").unlink()
    os.rename(pipes[1], folder / "c1.txt")
    pipes[1] = folder / "c1.txt"
    report = without_blocking(pipes, lambda: import_dataset(ws, folder))
    problems = {p.where: p.message for p in report.problems}
    assert "named pipe" in problems["clip.mp4"]
    assert "named pipe" in problems["c1.txt"]
    assert report.added == ["imported/ds/c0.mp4"]


# -- 15: a killed copy; a clip the workspace already has -----------------------------------


def test_a_half_copy_left_by_a_killed_import_is_removed_and_the_clip_imported_once(
    tmp_path: Path,
) -> None:
    ws = _empty_workspace(tmp_path / "ws")
    folder = _caption_folder(tmp_path / "ds", n=1)
    target = tmp_path / "ws" / "imported" / "ds"
    target.mkdir(parents=True)
    half = (folder / "c0.mp4").read_bytes()[:500]
    leftover = target / f".c0.mp4.{_dead_pid()}.k1ll3d_x.part"
    leftover.write_bytes(half)
    report = import_dataset(ws, folder)
    assert report.added == ["imported/ds/c0.mp4"] and report.problems == []
    assert sorted(p.name for p in target.iterdir()) == ["c0.mp4"]
    assert (target / "c0.mp4").read_bytes() == (folder / "c0.mp4").read_bytes()


def test_a_clip_already_copied_in_is_recognised_by_its_content(tmp_path: Path) -> None:
    ws = _empty_workspace(tmp_path / "ws")
    folder = _caption_folder(tmp_path / "ds")
    target = tmp_path / "ws" / "imported" / "ds"
    target.mkdir(parents=True)
    # A run killed after the copy of c0 was renamed into place, before it was scanned.
    (target / "c0.mp4").write_bytes((folder / "c0.mp4").read_bytes())
    # Another file of that name with other content (a user's) is kept, the clip goes beside.
    (folder / "c1.mp4").rename(folder / "c1.mov")
    (target / "c1.mov").write_bytes(b"someone else's file")
    report = import_dataset(ws, folder)
    assert sorted(report.added) == ["imported/ds/c0.mp4", "imported/ds/c1_2.mov"]
    assert sorted(p.name for p in target.iterdir()) == ["c0.mp4", "c1.mov", "c1_2.mov"]
    assert len(ws.samples()) == 2
    again = import_dataset(ws, folder)
    assert again.added == [] and len(again.unchanged) == 2


def test_copies_go_through_a_temporary_that_is_renamed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = _empty_workspace(tmp_path / "ws")
    folder = _caption_folder(tmp_path / "ds", n=1)
    renamed: list[tuple[str, str]] = []
    real_replace = os.replace

    def spy(src: str | Path, dst: str | Path) -> None:
        renamed.append((Path(src).name, Path(dst).name))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    import_dataset(ws, folder)
    renamed = [(src, dst) for src, dst in renamed if dst.endswith(".mp4")]  # not the frames
    assert [dst for _, dst in renamed] == ["c0.mp4"]
    assert renamed[0][0].startswith(f".c0.mp4.{os.getpid()}.") and renamed[0][0].endswith(".part")


# -- 16: leftovers of killed runs ----------------------------------------------------------


def test_a_zip_is_extracted_inside_the_workspace_and_old_leftovers_are_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = make_workspace(tmp_path / "src", 2)
    export_dataset(source, ExportOptions(allow_small=True, output=tmp_path / "d.zip"))
    system_tmp = tmp_path / "systmp"
    system_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_tmp))
    ws = _empty_workspace(tmp_path / "ws")
    scratch = tmp_path / "ws" / ".annotator" / "tmp"
    dead = scratch / f"import-{_dead_pid()}-k1ll3d"
    live = scratch / f"import-{os.getppid()}-running"  # another import, still at work
    for folder in (dead, live):
        (folder / "video").mkdir(parents=True)
        (folder / "video" / "video_1.mp4").write_bytes(b"x" * 1000)
    # What the versions before this one left in the system's temporary folder.
    old = system_tmp / "annotator-import-abc123"
    recent = system_tmp / "annotator-import-def456"
    for folder in (old, recent):
        folder.mkdir()
        (folder / "data.jsonl").write_text("{}\n")
    week_ago = time.time() - 7 * 86400
    os.utime(old, (week_ago, week_ago))
    seen: list[Path] = []

    real_copy = safezip._copy_member

    def spy(zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, *rest: object) -> None:
        seen.append(target)
        real_copy(zf, info, target, *rest)

    monkeypatch.setattr(safezip, "_copy_member", spy)
    report = import_dataset(ws, tmp_path / "d.zip")
    assert len(report.added) == 2 and report.problems == []
    assert seen and all(p.is_relative_to(scratch) for p in seen)
    assert sorted(p.name for p in scratch.iterdir()) == [live.name]  # its own scratch gone too
    assert sorted(p.name for p in system_tmp.iterdir()) == [recent.name]


# -- 17: one bad line, links out, odd encodings, blank prompts, bombs ----------------------


def test_a_deeply_nested_json_line_is_one_problem_and_the_rest_goes_on(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", 2, names=["a.mp4", "b.mp4"])
    folder = tmp_path / "ds"
    export_dataset(ws, ExportOptions(allow_small=True, output=tmp_path / "d.zip"))
    with zipfile.ZipFile(tmp_path / "d.zip") as zf:
        zf.extractall(folder)
    good = (folder / "data.jsonl").read_text(encoding="utf-8").splitlines()
    deep = '{"prompt": ' + "[" * 200_000 + "]" * 200_000 + "}"
    (folder / "data.jsonl").write_text("\n".join([good[0], deep, good[1]]) + "\n", "utf-8")
    for sample in ws.samples():
        ws.edit(sample.id, "prompt_override", zh_prompt("旧的"))
    report = import_dataset(ws, folder / "data.jsonl")
    assert [(p.where, p.message) for p in report.problems] == [
        ("data.jsonl line 2", "not valid JSON (nested too deeply)")
    ]
    assert sorted(report.updated) == ["a.mp4", "b.mp4"]


def test_links_out_of_the_imported_folder_are_not_followed(tmp_path: Path) -> None:
    ws = _empty_workspace(tmp_path / "ws")
    folder = _caption_folder(tmp_path / "ds", n=3)
    secret = tmp_path / "hostname"
    secret.write_text("my-secret-host\n")
    (folder / "c0.txt").unlink()
    (folder / "c0.txt").symlink_to(secret)
    make_clip(tmp_path / "far.mp4", seconds=0.5, seed=99, width=64, height=48)
    (folder / "c1.mp4").unlink()
    (folder / "c1.mp4").symlink_to(tmp_path / "far.mp4")
    (folder / "inner.txt").write_text(PROMPT, "utf-8")
    (folder / "c2.txt").unlink()
    (folder / "c2.txt").symlink_to(folder / "inner.txt")  # stays inside: fine
    report = import_dataset(ws, folder)
    problems = {p.where: p.message for p in report.problems}
    assert "leads out of the folder" in problems["c0.txt"]
    assert "leads out of the folder" in problems["c1.mp4"]
    assert report.added == ["imported/ds/c2.mp4"]
    assert all("my-secret-host" not in (s.prompt_override or "") for s in ws.samples())


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-16"])
def test_utf16_captions_are_read_as_text_without_nuls(tmp_path: Path, encoding: str) -> None:
    ws = _empty_workspace(tmp_path / "ws")
    folder = _caption_folder(tmp_path / "ds", n=1)
    (folder / "c0.txt").write_bytes(PROMPT.encode(encoding))  # utf-16-le/-be: no BOM
    report = import_dataset(ws, folder)
    assert report.problems == [] and len(report.updated) == 1
    assert ws.samples()[0].prompt_override == PROMPT


def test_utf16_of_latin_text_without_a_bom_is_read_too(tmp_path: Path) -> None:
    ws = _empty_workspace(tmp_path / "ws")
    folder = _caption_folder(tmp_path / "ds", n=1)
    text = "The video opens on a dancer. Then the s86b5p money rain begins."
    (folder / "c0.txt").write_bytes(text.encode("utf-16-le"))
    report = import_dataset(ws, folder)
    assert report.problems == []
    assert ws.samples()[0].prompt_override == text


def test_a_caption_with_nul_bytes_that_is_not_utf16_is_refused(tmp_path: Path) -> None:
    ws = _empty_workspace(tmp_path / "ws")
    folder = _caption_folder(tmp_path / "ds", n=1)
    (folder / "c0.txt").write_bytes(b"abc\x00\x00\x00def ghi")
    report = import_dataset(ws, folder)
    assert [p.where for p in report.problems] == ["c0.txt"]
    assert "NUL" in report.problems[0].message
    assert report.updated == []


def test_a_blank_prompt_is_a_problem_never_a_prompt_set(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", 3, names=["a.mp4", "b.mp4", "c.mp4"])
    export_dataset(ws, ExportOptions(allow_small=True, output=tmp_path / "d.zip"))
    folder = tmp_path / "ds"
    with zipfile.ZipFile(tmp_path / "d.zip") as zf:
        zf.extractall(folder)
    lines = [json.loads(x) for x in (folder / "data.jsonl").read_text("utf-8").splitlines()]
    lines[0]["prompt"] = "   "
    lines[1]["prompt"] = "\u3000\t\u200b "  # ideographic space, tab, zero-width space
    (folder / "data.jsonl").write_text(
        "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", "utf-8"
    )
    for sample in ws.samples():
        ws.edit(sample.id, "prompt_override", zh_prompt("旧的"))
    report = import_dataset(ws, folder / "data.jsonl")
    assert {(p.where, p.message) for p in report.problems} == {
        ("data.jsonl line 1", "empty prompt"),
        ("data.jsonl line 2", "empty prompt"),
    }
    assert report.updated == ["c.mp4"]
    csv_file = tmp_path / "metadata.csv"
    csv_file.write_text(
        "video,prompt\n" + "\n".join(f'{x["video_path"]},"  "' for x in lines) + "\n", "utf-8"
    )
    (tmp_path / "names.json").unlink()
    for name in ("video_1.mp4", "video_2.mp4", "video_3.mp4"):
        (tmp_path / name).write_bytes((folder / name).read_bytes())
    report = import_dataset(ws, csv_file)
    assert [p.message for p in report.problems] == ["empty prompt"] * 3
    assert report.updated == []


def test_a_zip_of_many_highly_compressed_members_is_refused_before_extracting(
    tmp_path: Path,
) -> None:
    ws = _empty_workspace(tmp_path / "ws")
    bomb = tmp_path / "bomb.zip"
    member = bytes(1 << 20)  # 1 MiB of zeros: each member alone is under the ratio floor
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("data.jsonl", "")
        for i in range(100):
            zf.writestr(f"video_{i}.mp4", member)
    assert bomb.stat().st_size < 1 << 20
    before = sorted(tmp_path.rglob("*"))
    with pytest.raises(UnsafeZipError, match=r"files expand [0-9,]+ times"):
        import_dataset(ws, bomb)
    assert sorted(tmp_path.rglob("*")) == before


# -- 19: a linked imported/ folder -----------------------------------------------------------


@pytest.mark.parametrize("which", ["imported", "imported/ds"])
def test_a_linked_imported_folder_is_refused(tmp_path: Path, which: str) -> None:
    ws = _empty_workspace(tmp_path / "ws")
    folder = _caption_folder(tmp_path / "ds", n=1)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    link = tmp_path / "ws" / which
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(elsewhere)
    with pytest.raises(UnsafeFolderError, match="symbolic link"):
        import_dataset(ws, folder)
    assert list(elsewhere.iterdir()) == []


def test_a_linked_scratch_folder_is_refused(tmp_path: Path) -> None:
    """A zip is extracted under .annotator/tmp: a link there would send its files out."""
    source = make_workspace(tmp_path / "src", 1)
    export_dataset(source, ExportOptions(allow_small=True, output=tmp_path / "d.zip"))
    ws = _empty_workspace(tmp_path / "ws")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "ws" / ".annotator" / "tmp").symlink_to(elsewhere)
    with pytest.raises(UnsafeFolderError, match=r"\.annotator/tmp is a symbolic link"):
        import_dataset(ws, tmp_path / "d.zip")
    assert list(elsewhere.iterdir()) == []
