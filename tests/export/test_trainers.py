"""--format musubi and --format diffsynth: the layouts those projects document."""

from __future__ import annotations

import csv
import io
import tomllib
from pathlib import Path

import pytest

from annotator.basemodels import get_base_model
from annotator.export import ExportFormat, ExportOptions, ExportUsageError
from annotator.export.models import NameMap
from annotator.export.trainers import max_frames
from annotator.pipeline.export import export_dataset
from tests.export.helpers import make_workspace, zh_prompt


def test_musubi_layout_pairs_each_clip_with_a_txt(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", 3, names=["a.mp4", "b b.mp4", "c.mp4"])
    result = export_dataset(ws, ExportOptions(allow_small=True, format=ExportFormat.MUSUBI))
    out = tmp_path / "ws-musubi"  # default: beside the workspace, never inside it
    assert result.outputs == [str(out)]
    assert sorted(p.name for p in (out / "videos").iterdir()) == [
        "video_1.mp4",
        "video_1.txt",
        "video_2.mp4",
        "video_2.txt",
        "video_3.mp4",
        "video_3.txt",
    ]
    assert (out / "videos" / "video_2.mp4").read_bytes() == (
        tmp_path / "ws" / "b b.mp4"
    ).read_bytes()
    assert (out / "videos" / "video_1.txt").read_text(encoding="utf-8") == zh_prompt(
        "第0位舞者"
    ) + "\n"
    musubi = tomllib.loads((out / "musubi_dataset.toml").read_text())
    assert musubi["general"]["caption_extension"] == ".txt"
    dataset = musubi["datasets"][0]
    assert dataset["video_directory"] == str(out / "videos")
    assert dataset["frame_extraction"] == "full"
    assert dataset["max_frames"] == 161  # wan2.5: up to 10 s at 16 fps, as N*4+1
    assert dataset["source_fps"] == 4.0  # every test clip is 4 fps
    pipe = tomllib.loads((out / "diffusion_pipe_dataset.toml").read_text())
    assert pipe["directory"] == [{"path": str(out / "videos"), "num_repeats": 1}]
    assert pipe["frame_buckets"][0] == 1
    names = NameMap.model_validate_json((out / "names.json").read_bytes())
    assert [e.video for e in names.entries] == [f"videos/video_{i}.mp4" for i in (1, 2, 3)]


def test_diffsynth_layout_has_metadata_csv(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", 2)
    export_dataset(
        ws, ExportOptions(allow_small=True, format=ExportFormat.DIFFSYNTH, output=tmp_path / "ds")
    )
    rows = list(csv.reader(io.StringIO((tmp_path / "ds" / "metadata.csv").read_text("utf-8"))))
    assert rows == [
        ["video", "prompt"],
        ["video_1.mp4", zh_prompt("第0位舞者")],
        ["video_2.mp4", zh_prompt("第1位舞者")],
    ]
    assert (tmp_path / "ds" / "video_1.mp4").is_file()


def test_folder_export_replaces_the_old_folder_whole(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", 2)
    out = tmp_path / "ds"
    out.mkdir()
    (out / "stale.mp4").write_bytes(b"old")
    export_dataset(ws, ExportOptions(allow_small=True, format=ExportFormat.DIFFSYNTH, output=out))
    assert not (out / "stale.mp4").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_folder_export_inside_the_workspace_is_refused(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", 2)
    with pytest.raises(ExportUsageError, match="inside the workspace"):
        export_dataset(
            ws,
            ExportOptions(
                allow_small=True, format=ExportFormat.MUSUBI, output=tmp_path / "ws" / "m"
            ),
        )
    with pytest.raises(ExportUsageError, match="dashscope only"):
        export_dataset(
            ws, ExportOptions(allow_small=True, format=ExportFormat.MUSUBI, valid_count=1)
        )


def test_max_frames_is_four_n_plus_one() -> None:
    assert max_frames(get_base_model("wan2.2-kf2v-flash")) == 81
    assert max_frames(get_base_model("wan2.5-i2v-preview")) == 161
