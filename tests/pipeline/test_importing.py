"""import: data.jsonl, zips and caption folders back into a workspace; unsafe zips refused."""

from __future__ import annotations

import json
import shutil
import stat
import zipfile
from pathlib import Path

import pytest

from annotator.basemodels import Mode
from annotator.export import (
    DatasetError,
    ExportFormat,
    ExportOptions,
    UnsafeZipError,
    ZipLimits,
)
from annotator.pipeline.export import export_dataset
from annotator.pipeline.importing import import_dataset
from annotator.pipeline.review import accept
from annotator.workspace import Workspace, WorkspaceInfo
from tests.export.conftest import _no_lint  # noqa: F401  (autouse: the lint is off here too)
from tests.export.helpers import TRIGGER, make_workspace, zh_prompt

NAMES = ["a.mp4", "b b.mp4", "中文.mp4"]


def _empty_workspace(root: Path, mode: Mode = Mode.I2V) -> Workspace:
    root.mkdir(parents=True)
    model = "wan2.5-i2v-preview" if mode is Mode.I2V else "wan2.2-kf2v-flash"
    return Workspace.create(
        root, WorkspaceInfo(mode=mode, base_model=model, lang="zh", trigger=TRIGGER)
    )


def _jsonl(zip_path: Path) -> bytes:
    with zipfile.ZipFile(zip_path) as zf:
        return zf.read("data.jsonl")


@pytest.mark.parametrize("mode", [Mode.I2V, Mode.KF2V])
def test_round_trip_export_import_export_is_byte_identical(tmp_path: Path, mode: Mode) -> None:
    ws = make_workspace(tmp_path / "ws", 3, mode=mode, names=NAMES)
    export_dataset(ws, ExportOptions(allow_small=True, output=tmp_path / "one" / "d.zip"))
    fresh = _empty_workspace(tmp_path / "fresh", mode)
    report = import_dataset(fresh, tmp_path / "one" / "d.zip")
    assert (len(report.added), len(report.updated), report.problems) == (3, 3, [])
    # The fresh workspace has no template: the miner proposes one from the prompts.
    assert report.template_proposal is not None
    assert report.template_proposal.startswith("然后开始展示s86b5p金钱雨特效，")
    assert "无数钞票如暴雨般倾泻而下" in report.template_proposal
    accept(fresh, [], every=True)
    export_dataset(fresh, ExportOptions(allow_small=True, output=tmp_path / "two" / "d.zip"))
    assert _jsonl(tmp_path / "two" / "d.zip") == _jsonl(tmp_path / "one" / "d.zip")


def test_import_matches_by_content_and_is_undoable(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", 3, names=NAMES)
    export_dataset(ws, ExportOptions(allow_small=True, output=tmp_path / "d.zip"))
    target = ws.resolve("b b.mp4")
    ws.edit(target.id, "prompt_override", zh_prompt("被改过的主体"))
    report = import_dataset(ws, tmp_path / "d.zip")
    assert report.updated == ["b b.mp4"] and len(report.unchanged) == 2 and not report.added
    assert ws.sample(target.id).prompt_override == zh_prompt("第1位舞者")
    ws.undo()
    assert ws.sample(target.id).prompt_override == zh_prompt("被改过的主体")


def test_dry_run_changes_nothing(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", 2)
    export_dataset(ws, ExportOptions(allow_small=True, output=tmp_path / "d.zip"))
    fresh = _empty_workspace(tmp_path / "fresh")
    report = import_dataset(fresh, tmp_path / "d.zip", dry_run=True)
    assert len(report.added) == 2 and not (tmp_path / "fresh" / "imported").exists()


def test_validation_zip_matches_by_first_frame(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", 4)
    export_dataset(ws, ExportOptions(allow_small=True, output=tmp_path / "d.zip", valid_count=1))
    for sample in ws.samples():
        ws.edit(sample.id, "prompt_override", None)
    (tmp_path / "names.json").unlink()  # no name map: only the image can tell
    report = import_dataset(ws, tmp_path / "d_valid.zip")
    assert len(report.updated) == 1 and report.problems == []


def test_broken_lines_are_reported_with_their_number_and_the_rest_goes_on(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", 2, names=["a.mp4", "b.mp4"])
    folder = tmp_path / "ds"
    export_dataset(ws, ExportOptions(allow_small=True, output=tmp_path / "d.zip"))
    with zipfile.ZipFile(tmp_path / "d.zip") as zf:
        zf.extractall(folder)
    good = (folder / "data.jsonl").read_text(encoding="utf-8").splitlines()
    lines = [
        good[0],
        '{"prompt": "x", "first_frame_path": "image_2.png", "video_path": "video_2.mp4", }',
        '{"promt": "x", "first_frame_path": "image_2.png"}',
        '{"prompt": "x", "first_frame_path": "image_9.png"}',
        '{"prompt": "x", "first_frame_path": "../../etc/passwd"}',
        '["not", "an", "object"]',
        "",
        good[1],
    ]
    (folder / "data.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for sample in ws.samples():
        ws.edit(sample.id, "prompt_override", zh_prompt("旧的"))
    report = import_dataset(ws, folder / "data.jsonl")
    problems = {p.where: p.message for p in report.problems}
    # The JSON parser's own wording changes between Python versions; its column does not.
    assert problems.pop("data.jsonl line 2").startswith("not valid JSON (")
    assert problems == {
        "data.jsonl line 3": "missing key 'prompt'; unknown key 'promt' (keys: prompt, "
        "first_frame_path, last_frame_path, video_path)",
        "data.jsonl line 4": "names image_9.png, which is not in the dataset",
        "data.jsonl line 5": "unsafe path '../../etc/passwd': '..' climbs out of the folder",
        "data.jsonl line 6": "not a JSON object",
    }
    assert sorted(report.updated) == ["a.mp4", "b.mp4"]


def test_caption_folder_matches_by_content_or_name(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", 2, names=["a.mp4", "b.mp4"])
    folder = tmp_path / "captions"
    folder.mkdir()
    shutil.copy(tmp_path / "ws" / "a.mp4", folder / "renamed.mp4")  # same bytes, new name
    (folder / "renamed.txt").write_text(
        "视频开头展示了甲。背景是乙。然后开始展示s86b5p特效。", "utf-8"
    )
    (folder / "b.mp4").write_bytes(b"a re-encode would differ")  # same name, other bytes
    (folder / "b.txt").write_text("视频开头展示了丙。背景是丁。然后开始展示s86b5p特效。", "utf-8")
    (folder / "lonely.mov").write_bytes(b"x")
    report = import_dataset(ws, folder)
    assert sorted(report.updated) == ["a.mp4", "b.mp4"]
    assert [p.where for p in report.problems] == ["lonely.mov"]
    assert ws.resolve("a.mp4").prompt_override.startswith("视频开头展示了甲")


def test_musubi_export_imports_back(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", 2)
    export_dataset(
        ws, ExportOptions(allow_small=True, format=ExportFormat.MUSUBI, output=tmp_path / "m")
    )
    for sample in ws.samples():
        ws.edit(sample.id, "prompt_override", None)
    report = import_dataset(ws, tmp_path / "m" / "videos")
    assert len(report.updated) == 2


def test_zip_without_data_jsonl_is_refused(tmp_path: Path) -> None:
    ws = _empty_workspace(tmp_path / "ws")
    with zipfile.ZipFile(tmp_path / "x.zip", "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(DatasetError, match=r"no data\.jsonl"):
        import_dataset(ws, tmp_path / "x.zip")


def _malicious(path: Path, name: str, data: bytes = b"x", *, link: bool = False) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("data.jsonl", json.dumps({"prompt": "p", "first_frame_path": name}) + "\n")
        info = zipfile.ZipInfo(name)
        if link:
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, data)
    return path


@pytest.mark.parametrize(
    ("name", "link", "message"),
    [
        ("/etc/evil.png", False, "absolute path"),
        ("../../evil.png", False, "'..' climbs out"),
        ("image/../../evil.png", False, "'..' climbs out"),
        ("C:/evil.png", False, "absolute path"),
        ("image\\..\\evil.png", False, "backslash"),
        ("image/link.png", True, "symbolic link"),
    ],
)
def test_malicious_zips_are_refused(tmp_path: Path, name: str, link: bool, message: str) -> None:
    ws = _empty_workspace(tmp_path / "deep" / "ws")
    source = _malicious(tmp_path / "evil.zip", name, b"/etc/passwd" if link else b"x", link=link)
    before = sorted(tmp_path.rglob("*"))
    with pytest.raises(UnsafeZipError, match=message):
        import_dataset(ws, source)
    assert sorted(tmp_path.rglob("*")) == before  # nothing written anywhere


def test_duplicate_names_are_refused(tmp_path: Path) -> None:
    ws = _empty_workspace(tmp_path / "ws")
    with zipfile.ZipFile(tmp_path / "dup.zip", "w") as zf:
        zf.writestr("data.jsonl", "")
        with pytest.warns(UserWarning, match="Duplicate name"):
            zf.writestr("data.jsonl", "again")
    with pytest.raises(UnsafeZipError, match="appears twice"):
        import_dataset(ws, tmp_path / "dup.zip")


def test_zip_bombs_are_refused_before_extracting(tmp_path: Path) -> None:
    ws = _empty_workspace(tmp_path / "ws")
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("data.jsonl", "")
        zf.writestr("video.mp4", bytes(4 << 20))  # 4 MiB of zeros deflate about 1000 times
    with pytest.raises(UnsafeZipError, match="expands"):
        import_dataset(ws, bomb)
    with pytest.raises(UnsafeZipError, match="unpacks to more than"):
        import_dataset(ws, bomb, limits=ZipLimits(max_total_bytes=1 << 20, max_ratio=1e9))
    with pytest.raises(UnsafeZipError, match="members"):
        import_dataset(ws, bomb, limits=ZipLimits(max_members=1))


def test_encrypted_members_are_refused(tmp_path: Path) -> None:
    ws = _empty_workspace(tmp_path / "ws")
    path = tmp_path / "enc.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("data.jsonl", "")
        zf.writestr("image_1.png", b"secret")
    # zipfile cannot encrypt: set the "encrypted" bit in the central directory entry by hand
    # (the entry's 46-byte header ends just before its name; the flags are at offset 8).
    data = bytearray(path.read_bytes())
    header = data.rfind(b"image_1.png") - 46
    assert data[header : header + 4] == b"PK\x01\x02"
    data[header + 8] |= 0x1
    path.write_bytes(bytes(data))
    with pytest.raises(UnsafeZipError, match="encrypted"):
        import_dataset(ws, tmp_path / "enc.zip")
