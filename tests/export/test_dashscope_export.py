"""The training and validation zips: golden data.jsonl, layouts, names, storage."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from annotator.basemodels import Mode
from annotator.export import ExportOptions
from annotator.export.models import NameMap
from annotator.pipeline.export import export_dataset
from annotator.workspace import Status
from tests.clips import make_image
from tests.export.helpers import make_workspace, zh_prompt

# Written by hand from the guide's examples (wan-finetune-guide.zh.txt, 数据集格式):
# default json.dumps separators, the guide's key order, Chinese unescaped, one line each.
GOLDEN_I2V = (
    '{"prompt": "视频开头展示了一位年轻女性站在砖墙前。背景是爬满常春藤的砖墙。然后开始展示'
    's86b5p金钱雨特效，无数钞票如暴雨般倾泻而下，密集地砸向并环绕她。", '
    '"first_frame_path": "image_1.png", "video_path": "video_1.mp4"}\n'
    '{"prompt": "视频开头展示了一位西装男性。背景是爬满常春藤的砖墙。然后开始展示'
    's86b5p金钱雨特效，无数钞票如暴雨般倾泻而下，密集地砸向并环绕他。", '
    '"first_frame_path": "image_2.png", "video_path": "video_2.mp4"}\n'
    '{"prompt": "视频开头展示了一只橘猫。背景是爬满常春藤的砖墙。然后开始展示'
    's86b5p金钱雨特效，无数钞票如暴雨般倾泻而下，密集地砸向并环绕它。", '
    '"first_frame_path": "image_3.png", "video_path": "video_3.mp4"}\n'
)
GOLDEN_KF2V = (
    '{"prompt": "视频开头展示了一位年轻女性站在砖墙前。背景是爬满常春藤的砖墙。然后开始展示'
    's86b5p金钱雨特效，无数钞票如暴雨般倾泻而下，密集地砸向并环绕她。", '
    '"first_frame_path": "image/image_1_first.png", '
    '"last_frame_path": "image/image_1_last.png", "video_path": "video/video_1.mp4"}\n'
    '{"prompt": "视频开头展示了一位西装男性。背景是爬满常春藤的砖墙。然后开始展示'
    's86b5p金钱雨特效，无数钞票如暴雨般倾泻而下，密集地砸向并环绕他。", '
    '"first_frame_path": "image/image_2_first.png", '
    '"last_frame_path": "image/image_2_last.png", "video_path": "video/video_2.mp4"}\n'
)
PROMPTS = [
    zh_prompt("一位年轻女性站在砖墙前", "她"),
    zh_prompt("一位西装男性", "他"),
    zh_prompt("一只橘猫", "它"),
]
NAMES = ["a.mp4", "b b.mp4", "中文 片段.mp4"]  # sorted by path; two need safe names


def test_i2v_golden_data_jsonl_and_flat_layout(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", 3, names=NAMES, prompts=PROMPTS)
    result = export_dataset(
        ws, ExportOptions(allow_small=True, output=tmp_path / "out" / "money.zip")
    )
    with zipfile.ZipFile(tmp_path / "out" / "money.zip") as zf:
        assert zf.read("data.jsonl").decode("utf-8") == GOLDEN_I2V
        assert zf.namelist() == [
            "data.jsonl",
            "image_1.png",
            "video_1.mp4",
            "image_2.png",
            "video_2.mp4",
            "image_3.png",
            "video_3.mp4",
        ]
        kinds = {i.filename: i.compress_type for i in zf.infolist()}
        # Media stored as they are, bytes identical to the workspace's files.
        assert kinds["data.jsonl"] == zipfile.ZIP_DEFLATED
        assert {kinds[n] for n in kinds if n != "data.jsonl"} == {zipfile.ZIP_STORED}
        assert zf.read("video_2.mp4") == (tmp_path / "ws" / "b b.mp4").read_bytes()
    assert b"\\u" not in (tmp_path / "out" / "money.zip").read_bytes()  # never escaped
    assert result.train_count == 3 and result.valid_count == 0


def test_kf2v_golden_data_jsonl_and_folders(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", 2, mode=Mode.KF2V, names=NAMES[:2], prompts=PROMPTS)
    export_dataset(ws, ExportOptions(allow_small=True, output=tmp_path / "kf.zip"))
    with zipfile.ZipFile(tmp_path / "kf.zip") as zf:
        assert zf.read("data.jsonl").decode() == GOLDEN_KF2V
        assert sorted(zf.namelist()) == [
            "data.jsonl",
            "image/image_1_first.png",
            "image/image_1_last.png",
            "image/image_2_first.png",
            "image/image_2_last.png",
            "video/video_1.mp4",
            "video/video_2.mp4",
        ]


def test_names_json_maps_every_renamed_file(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", 3, names=NAMES, prompts=PROMPTS)
    export_dataset(
        ws,
        ExportOptions(
            allow_small=True,
        ),
    )
    out = tmp_path / "ws" / "export"
    assert (out / "ws_train.zip").is_file()  # default place and name
    names = NameMap.model_validate_json((out / "names.json").read_bytes())
    by_clip = {e.clip: e for e in names.entries}
    assert by_clip["中文 片段.mp4"].video == "video_3.mp4"
    assert by_clip["b b.mp4"].first_frame == "image_2.png"
    assert by_clip["a.mp4"].first_frame_source.startswith(".annotator/frames/")


def test_sidecar_image_keeps_its_real_format_extension(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    # A JPEG first frame beside clip_a, and a PNG wrongly named .jpg beside clip_b.
    make_image(root / "clip_a.jpeg", 64, 48, "JPEG")
    make_image(root / "clip_b.jpg", 48, 64, "PNG")
    ws = make_workspace(root, 2)
    export_dataset(ws, ExportOptions(allow_small=True, output=tmp_path / "x.zip", allow_lint=True))
    with zipfile.ZipFile(tmp_path / "x.zip") as zf:
        lines = [json.loads(x) for x in zf.read("data.jsonl").decode().splitlines()]
        assert [x["first_frame_path"] for x in lines] == ["image_1.jpg", "image_2.png"]
        assert zf.read("image_1.jpg") == (root / "clip_a.jpeg").read_bytes()


def test_twelve_samples_get_zero_padded_names_in_order(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", 12)
    result = export_dataset(ws, ExportOptions(allow_small=True, output=tmp_path / "d.zip"))
    assert [n.video for n in result.names][:3] == ["video_01.mp4", "video_02.mp4", "video_03.mp4"]
    assert result.names[-1].video == "video_12.mp4"


def test_validation_zip_from_valid_k(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", 12)
    result = export_dataset(
        ws, ExportOptions(allow_small=True, output=tmp_path / "d.zip", valid_count=2)
    )
    assert (result.train_count, result.valid_count) == (10, 2)
    assert result.service is not None and not result.service.split_by_service
    with zipfile.ZipFile(tmp_path / "d_valid.zip") as zf:
        lines = [json.loads(x) for x in zf.read("data.jsonl").decode().splitlines()]
        assert [sorted(x) for x in lines] == [["first_frame_path", "prompt"]] * 2
        assert sorted(zf.namelist()) == ["data.jsonl", "image_1.png", "image_2.png"]
    with zipfile.ZipFile(tmp_path / "d.zip") as zf:
        assert len(zf.read("data.jsonl").decode().splitlines()) == 10
    finetune = json.loads((tmp_path / "finetune.json").read_text())
    assert finetune["validation_file_ids"] == ["<file_id of d_valid.zip>"]


def test_validation_zip_from_a_status(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", 4, mode=Mode.KF2V)
    held = ws.samples()[1]
    ws.set_status(held.id, Status.REVIEWED)
    result = export_dataset(
        ws, ExportOptions(allow_small=True, output=tmp_path / "d.zip", valid_status=Status.REVIEWED)
    )
    assert (result.train_count, result.valid_count) == (3, 1)
    with zipfile.ZipFile(tmp_path / "d_valid.zip") as zf:
        line = json.loads(zf.read("data.jsonl"))
        assert list(line) == ["prompt", "first_frame_path", "last_frame_path"]
        assert line["last_frame_path"] == "image/image_1_last.png"


def test_same_workspace_gives_the_same_zip_bytes(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", 2)
    export_dataset(ws, ExportOptions(allow_small=True, output=tmp_path / "one.zip"))
    export_dataset(ws, ExportOptions(allow_small=True, output=tmp_path / "two.zip"))
    assert (tmp_path / "one.zip").read_bytes() == (tmp_path / "two.zip").read_bytes()


def test_include_unreviewed_takes_clean_prompts_with_a_warning(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", 3, accept=False)
    ws.edit(ws.samples()[2].id, "prompt_override", None)  # no prompt: left out, not an error
    result = export_dataset(
        ws, ExportOptions(allow_small=True, output=tmp_path / "d.zip", include_unreviewed=True)
    )
    assert result.train_count == 2
    assert "unreviewed" in {w.code for w in result.warnings}
