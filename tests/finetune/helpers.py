"""A workspace with an export folder as `annotator export` writes it, made without clips."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

from annotator.basemodels import Mode
from annotator.finetune.client import DashScopeClient, Service
from annotator.finetune.poll import Clock
from annotator.workspace import Workspace, WorkspaceInfo
from tests.fakes.finetune_server import FakeFinetune

KEY = "sk-test"
AIGC = {
    "use_input_prompt": False,
    "prompt": "根据图像内容提供视频描述,描述必须包含“然后开始展示s86b5p金钱雨特效”。",
    "lora_prompt_default": "然后开始展示s86b5p金钱雨特效。",
}


def _zip(lines: list[dict[str, Any]], extra: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        text = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
        archive.writestr("data.jsonl", text)
        for name, data in extra.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def write_export(
    root: Path,
    *,
    valid: bool = True,
    model: str = "wan2.5-i2v-preview",
    deployment: bool = True,
    n_epochs: int = 400,
) -> Path:
    """DIR/export/ with the training zip, a validation zip, finetune.json, deployment.json."""
    folder = root / "export"
    folder.mkdir(parents=True, exist_ok=True)
    stem = root.name
    lines = [
        {
            "prompt": f"prompt {i}",
            "first_frame_path": f"image_{i}.png",
            "video_path": f"video_{i}.mp4",
        }
        for i in range(1, 4)
    ]
    media = {f"video_{i}.mp4": b"\x00video" * (2000 + i) for i in range(1, 4)}
    (folder / f"{stem}_train.zip").write_bytes(_zip(lines, media))
    body: dict[str, Any] = {
        "model": model,
        "training_file_ids": [f"<file_id of {stem}_train.zip>"],
        "training_type": "efficient_sft",
        "hyper_parameters": {
            "n_epochs": n_epochs,
            "batch_size": 2,
            "learning_rate": 2e-5,
            "split": 0.9,
            "eval_epochs": 20,
            "max_pixels": 36864,
            "max_split_val_dataset_sample": 5,
        },
    }
    if valid:
        valid_lines = [{"prompt": "prompt v", "first_frame_path": "image_1.png"}]
        (folder / f"{stem}_valid.zip").write_bytes(_zip(valid_lines, {"image_1.png": b"png"}))
        body["validation_file_ids"] = [f"<file_id of {stem}_valid.zip>"]
    (folder / "finetune.json").write_text(json.dumps(body, indent=2), encoding="utf-8")
    if deployment:
        deploy = {
            "model_name": "<finetuned_output of the fine-tune job>",
            "aigc_config": AIGC,
            "capacity": 1,
            "plan": "lora",
        }
        (folder / "deployment.json").write_text(
            json.dumps(deploy, ensure_ascii=False, indent=2), encoding="utf-8"
        )
    return folder


def make_workspace(root: Path, mode: Mode = Mode.I2V, **export: Any) -> Workspace:
    root.mkdir(parents=True, exist_ok=True)
    model = "wan2.5-i2v-preview" if mode is Mode.I2V else "wan2.2-kf2v-flash"
    ws = Workspace.create(root, WorkspaceInfo(mode=mode, base_model=model, lang="zh"))
    write_export(root, model=export.pop("model", model), **export)
    return ws


def client_for(fake: FakeFinetune, region: str = "cn", key: str = KEY) -> DashScopeClient:
    return DashScopeClient(Service.resolve(region, fake.url), key, sleep=lambda s: None)


class FakeClock(Clock):
    """Time that moves only when slept: polling tests run in microseconds."""

    def __init__(self) -> None:
        self.t = 0.0
        self.naps: list[float] = []
        super().__init__(now=lambda: self.t, sleep=self._sleep)

    def _sleep(self, seconds: float) -> None:
        self.naps.append(seconds)
        self.t += seconds
