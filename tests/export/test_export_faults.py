"""export under faults and hostile text: leftovers of killed runs, formulas in a CSV, links."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.export import ExportFormat, ExportOptions
from annotator.export.trainers import diffsynth_csv
from annotator.pipeline.export import export_dataset
from annotator.pipeline.importing import import_dataset
from annotator.userfiles import UnsafeFolderError
from tests.export.helpers import make_workspace, zh_prompt


def _dead_pid() -> int:
    """The pid of a process that has ended (a killed run's, for the names of its leftovers)."""
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(child.stdout)


# -- 16: .part files of killed exports -------------------------------------------------------


def test_temporaries_of_killed_exports_are_removed_by_the_next_export(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", 2)
    out = tmp_path / "ws" / "export"
    out.mkdir()
    dead, live = _dead_pid(), os.getppid()
    stem = "ws_train.zip"
    leftovers = [
        f".{stem}.{dead}.abcd1234.part",  # this version's name: the pid of the run
        f".{stem}.x9y8z7w6.part",  # the name earlier versions gave (no pid)
        f".finetune.json.{dead}.q1w2e3r4.part",
        f".names.json.{dead}.zzzzzzzz.part",
    ]
    for name in leftovers:
        (out / name).write_bytes(b"PK half a zip")
    running = f".{stem}.{live}.abcd1234.part"  # another export, still at work
    (out / running).write_bytes(b"PK")
    (out / ".notes.txt.12.part").write_bytes(b"not ours")  # another program's: not touched
    result = export_dataset(
        ws,
        ExportOptions(
            allow_small=True,
        ),
    )
    hidden = sorted(p.name for p in out.iterdir() if p.name.startswith("."))
    assert hidden == sorted([running, ".notes.txt.12.part"])
    assert any("4 temporary files of an interrupted export" in n for n in result.notes)


def test_folders_of_killed_folder_exports_are_removed_by_the_next_one(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", 2)
    dead = _dead_pid()
    half = tmp_path / f".ws-musubi.{dead}.abcd1234.part"
    (half / "videos").mkdir(parents=True)
    (half / "videos" / "video_1.mp4").write_bytes(b"x" * 100)
    aside = tmp_path / f".ws-musubi.{dead}.efgh5678.old"
    (aside / "ws-musubi").mkdir(parents=True)
    export_dataset(ws, ExportOptions(allow_small=True, format=ExportFormat.MUSUBI))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ws", "ws-musubi"]


# -- 18: formulas in metadata.csv ------------------------------------------------------------


def test_diffsynth_csv_cells_that_start_a_formula_are_neutralised(tmp_path: Path) -> None:
    hostile = [
        "=cmd|' /C calc'!A0",
        "+SUM(1,2) " + zh_prompt("甲"),
        "-2+3 " + zh_prompt("乙"),
        "@SUM(A1) " + zh_prompt("丙"),
        zh_prompt("戊"),
    ]
    ws = make_workspace(tmp_path / "ws", len(hostile), prompts=hostile)
    out = tmp_path / "ds"
    result = export_dataset(
        ws, ExportOptions(allow_small=True, format=ExportFormat.DIFFSYNTH, output=out)
    )
    text = (out / "metadata.csv").read_text("utf-8")
    rows = list(csv.reader(io.StringIO(text)))[1:]
    by_video = {video: prompt for video, prompt in rows}
    names = {e.sample_id: e.video for e in result.names}
    for sample in ws.samples():
        written = by_video[names[sample.id]]
        original = sample.prompt_override or ""
        if original[:1] in ("=", "+", "-", "@"):
            assert written == "'" + original
        else:
            assert written == original
    assert any("metadata.csv" in n and "'" in n for n in result.notes)
    # Read back by import, the prompts are the ones the person wrote.
    for sample in ws.samples():
        ws.edit(sample.id, "prompt_override", None)
    report = import_dataset(ws, out / "metadata.csv")
    assert report.problems == []
    assert sorted(s.prompt_override or "" for s in ws.samples()) == sorted(hostile)


def test_tab_and_carriage_return_starts_are_neutralised_too() -> None:
    data = diffsynth_csv([("a.mp4", "\t=1+1"), ("b.mp4", "\r=1"), ("c.mp4", "a=b")])
    assert data.startswith(b"video,prompt\na.mp4,'\t=1+1\nb.mp4,'\r=1")
    assert data.endswith(b"\nc.mp4,a=b\n")


# -- 19: a linked export/ folder -------------------------------------------------------------


def test_a_linked_export_folder_is_refused(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", 2)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "ws" / "export").symlink_to(elsewhere)
    with pytest.raises(UnsafeFolderError, match="export is a symbolic link"):
        export_dataset(
            ws,
            ExportOptions(
                allow_small=True,
            ),
        )
    (tmp_path / "ws" / "hidden").mkdir()
    (tmp_path / "ws" / "hidden" / ".out").symlink_to(elsewhere)
    with pytest.raises(UnsafeFolderError, match="symbolic link"):
        export_dataset(
            ws,
            ExportOptions(allow_small=True, output=tmp_path / "ws" / "hidden" / ".out" / "d.zip"),
        )
    with pytest.raises(UnsafeFolderError, match="symbolic link"):
        export_dataset(
            ws,
            ExportOptions(
                allow_small=True,
                format=ExportFormat.MUSUBI,
                output=tmp_path / "ws" / "hidden" / ".out",
            ),
        )
    assert list(elsewhere.iterdir()) == []


def test_an_output_outside_the_workspace_may_be_a_link(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", 2)
    (tmp_path / "real").mkdir()
    (tmp_path / "out").symlink_to(tmp_path / "real")
    export_dataset(ws, ExportOptions(allow_small=True, output=tmp_path / "out" / "d.zip"))
    assert (tmp_path / "real" / "d.zip").is_file()
