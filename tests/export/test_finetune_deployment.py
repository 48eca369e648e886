"""finetune.json (the steps math of the guide) and deployment.json (the guide's shape)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.basemodels import Mode, get_base_model
from annotator.export import ExportOptions
from annotator.export.deployment import merge_variants
from annotator.export.finetune import finetune_body, min_epochs, n_epochs, service_counts
from annotator.pipeline.export import export_dataset
from tests.export.helpers import make_workspace


def test_the_guides_example_five_samples_batch_two() -> None:
    # "训练集有5条数据 ... batch_size=2 ... 每轮 3 步 ... n_epochs = 800 / 3 ≈ 267"
    assert min_epochs(5, 2) == 267
    assert n_epochs(5, 0, 2) >= 267
    assert n_epochs(5, 0, 2) * 3 >= 800


@pytest.mark.parametrize(
    ("n_train", "n_valid", "batch", "epochs"),
    [
        (100, 0, 2, 400),  # 95 trained, 48 steps an epoch: the default is plenty
        (1, 0, 2, 800),  # one step an epoch
        (2, 0, 4, 800),
        (3, 0, 2, 400),  # 3 trained (0.3 rounds down), 2 steps: exactly 800
        (2, 3, 1, 400),  # a validation zip: no split, 2 steps an epoch
        (1, 1, 1, 800),
    ],
)
def test_n_epochs_keeps_at_least_800_steps(
    n_train: int, n_valid: int, batch: int, epochs: int
) -> None:
    assert n_epochs(n_train, n_valid, batch) == epochs
    train = service_counts(n_train, n_valid).train
    assert epochs * -(-train // batch) >= 800


def test_service_counts_follow_the_split_rule() -> None:
    # The guide: 100 samples, split 0.9, max 5 -> min(10, 5) = 5 for validation.
    assert service_counts(100, 0).model_dump() == {
        "train": 95,
        "valid": 5,
        "split_by_service": True,
    }
    assert (service_counts(10, 0).train, service_counts(10, 0).valid) == (9, 1)
    assert service_counts(12, 3).model_dump() == {
        "train": 12,
        "valid": 3,
        "split_by_service": False,
    }


def test_finetune_body_per_base_model() -> None:
    i2v = finetune_body(get_base_model("wan2.5-i2v-preview"), Mode.I2V, 5, 0, "t.zip", None)
    assert i2v.model_dump(exclude_none=True) == {
        "model": "wan2.5-i2v-preview",
        "training_file_ids": ["<file_id of t.zip>"],
        "training_type": "efficient_sft",
        "hyper_parameters": {
            "n_epochs": 400,
            "batch_size": 2,
            "learning_rate": 2e-5,
            "split": 0.9,
            "eval_epochs": 20,  # the guide's example
            "max_pixels": 36864,
            "max_split_val_dataset_sample": 5,
        },
    }
    kf2v = finetune_body(get_base_model("wan2.2-kf2v-flash"), Mode.KF2V, 4, 0, "t.zip", None)
    assert (kf2v.hyper_parameters.batch_size, kf2v.hyper_parameters.max_pixels) == (4, 262144)
    assert kf2v.hyper_parameters.n_epochs == 800  # 4 samples at batch 4: 1 step an epoch
    both = finetune_body(get_base_model("wan2.7-i2v"), Mode.KF2V, 5, 0, "t.zip", None)
    assert both.hyper_parameters.task_type == "kf2v"


@pytest.mark.parametrize(
    ("n_train", "epochs", "eval_epochs"), [(5, 400, 20), (2, 800, 40), (100, 400, 20)]
)
def test_eval_epochs_keeps_the_guides_twenty_evaluations(
    n_train: int, epochs: int, eval_epochs: int
) -> None:
    body = finetune_body(get_base_model("wan2.5-i2v-preview"), Mode.I2V, n_train, 0, "t", None)
    hyper = body.hyper_parameters
    assert (hyper.n_epochs, hyper.eval_epochs) == (epochs, eval_epochs)
    assert hyper.n_epochs // hyper.eval_epochs == 20  # twenty evaluation points, as the guide


def test_finetune_json_beside_the_zip(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", 3)
    result = export_dataset(ws, ExportOptions(allow_small=True, output=tmp_path / "d.zip"))
    body = json.loads((tmp_path / "finetune.json").read_text())
    assert body["hyper_parameters"]["n_epochs"] == result.n_epochs == 400
    assert "validation_file_ids" not in body
    assert result.service is not None and result.service.train == 3


def test_merge_variants_writes_the_guides_pronouns() -> None:
    assert (
        merge_variants("环绕她，她双臂上扬", "环绕他，他双臂上扬", "zh")
        == "环绕她(他)，她(他)双臂上扬"
    )
    assert merge_variants("环绕她", "环绕他", "zh", neutral=True) == "环绕主角"
    she = "She raises her arms as notes swirl around her."
    he = "He raises his arms as notes swirl around him."
    assert (
        merge_variants(she, he, "en") == "She/He raises her/his arms as notes swirl around her/him."
    )
    assert (
        merge_variants(she, he, "en", neutral=True)
        == "The subject raises the subject's arms as notes swirl around the subject."
    )


def test_deployment_json_zh_in_the_guides_shape(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", 3)
    export_dataset(ws, ExportOptions(allow_small=True, output=tmp_path / "d.zip"))
    body = json.loads((tmp_path / "deployment.json").read_text(encoding="utf-8"))
    assert list(body) == ["model_name", "aigc_config", "capacity", "plan"]
    assert (body["capacity"], body["plan"]) == (1, "lora")
    config = body["aigc_config"]
    assert list(config) == ["use_input_prompt", "prompt", "lora_prompt_default"]
    assert config["use_input_prompt"] is False
    motion = "然后开始展示s86b5p金钱雨特效，无数钞票如暴雨般倾泻而下，密集地砸向并环绕她(他)"
    prompt = config["prompt"]
    assert prompt.startswith(f"根据图像内容提供视频描述,描述必须包含“{motion}”。\n输出模板:\n")
    template, example = prompt.split("\n输出模板:\n")[1].split("\n示例:\n")
    assert "[主体描述]" in template and "[环境描述]" in template and motion in template
    first = ws.samples()[0]
    assert example == first.prompt_override  # a worked example from an accepted sample
    assert config["lora_prompt_default"] == (
        "然后开始展示s86b5p金钱雨特效，无数钞票如暴雨般倾泻而下，密集地砸向并环绕主角。"
    )


def test_deployment_json_en(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", 2, lang="en")
    export_dataset(ws, ExportOptions(allow_small=True, output=tmp_path / "d.zip"))
    config = json.loads((tmp_path / "deployment.json").read_text())["aigc_config"]
    assert "must contain" in config["prompt"]
    assert "swirl around her/him" in config["prompt"]
    assert "[subject description]" in config["prompt"]
    assert config["lora_prompt_default"].endswith("swirl around the subject.")


def test_no_template_no_deployment_json(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", 2)
    ws.set_workspace_field("template", None)
    result = export_dataset(ws, ExportOptions(allow_small=True, output=tmp_path / "d.zip"))
    assert not (tmp_path / "deployment.json").exists()
    assert any("no effect template" in n for n in result.notes)
