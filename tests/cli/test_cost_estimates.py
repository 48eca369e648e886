"""Issue 14 item 11: a dry run shows tokens and money, from a dated price table per model
and region (overridable in config.toml), for caption and verify alike."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annotator.captioning.pricing import PRICES, PRICES_DATED, estimate_cost
from annotator.cli import app
from tests.clips import make_clip

runner = CliRunner()
MODELS = ("qwen-vl-max", "qwen-vl-plus", "qwen3-vl-plus", "qwen3-vl-flash")


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ANNOTATOR_CONFIG", str(tmp_path / "no-config.toml"))
    folder = tmp_path / "clips"
    folder.mkdir()
    for i in range(2):
        make_clip(folder / f"clip_{i}.mp4", width=96, height=64, seed=i)
    assert runner.invoke(app, ["init", str(folder), "--mode", "i2v"]).exit_code == 0
    return folder


def _flat(*args: str) -> str:
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def test_every_model_has_a_dated_price_in_both_regions() -> None:
    for region, currency in (("cn", "CNY"), ("intl", "USD")):
        for model in MODELS:
            assert model in PRICES[region]
            cost = estimate_cost(model, 1_000_000, 0, region=region)
            assert cost.amount is not None and cost.amount > 0 and cost.currency == currency
            assert PRICES_DATED in cost.words()


def test_caption_dry_run_shows_the_money_by_region(root: Path) -> None:
    beijing = _flat("caption", str(root), "-p", "dashscope", "--dry-run")
    assert "CNY" in beijing and PRICES_DATED in beijing and "input tokens" in beijing
    singapore = _flat("caption", str(root), "-p", "dashscope", "--region", "intl", "--dry-run")
    assert "USD" in singapore and "intl" in singapore
    lines = [
        json.dumps({"file": f"clip_{i}.mp4", "instruction_kind": "structured", "text": "{}"})
        for i in range(2)
    ]
    (root / "replay.jsonl").write_text("\n".join(lines) + "\n")
    replayed = _flat("caption", str(root), "--dry-run")  # the default: recorded answers
    assert "no cost" in replayed


def test_config_toml_overrides_a_price(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    listed = _flat("caption", str(root), "-p", "dashscope", "--dry-run")
    config = tmp_path / "config.toml"
    config.write_text('[token_prices.cn."qwen-vl-max"]\ninput = 1000.0\noutput = 1000.0\n')
    monkeypatch.setenv("ANNOTATOR_CONFIG", str(config))
    priced = _flat("caption", str(root), "-p", "dashscope", "--dry-run")
    assert "config.toml" in priced and priced != listed


def test_verify_dry_run_names_the_price_list(root: Path) -> None:
    with_prompts = root
    from annotator.workspace import Workspace

    with Workspace.open(with_prompts) as ws:
        for sample in ws.samples():
            ws.edit(sample.id, "subject", "A grey square")
            ws.edit(sample.id, "background", "A white wall")
        ws.set_workspace_field("template", "Then the square spins around {object}.")
    result = runner.invoke(app, ["verify", str(root), "-p", "dashscope", "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["cost"] > 0 and data["currency"] == "CNY" and data["prices_dated"] == PRICES_DATED
    words = _flat("verify", str(root), "-p", "dashscope", "--region", "intl", "--dry-run")
    assert "USD" in words and PRICES_DATED in words


def test_generate_dry_run_prices_the_video_and_sends_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from annotator.finetune.prices import PRICES_DATED as VIDEO_PRICES_DATED

    monkeypatch.setenv("ANNOTATOR_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.delenv("DASHSCOPE_API_KEY", raising=False)  # a dry run needs no key
    folder = tmp_path / "clips"
    folder.mkdir()
    assert runner.invoke(app, ["init", str(folder), "--mode", "i2v"]).exit_code == 0
    words = _flat("generate", str(folder), "picture.png", "--resolution", "480P", "--dry-run")
    assert "wan2.5-i2v-preview" in words and "480P" in words and "CNY" in words
    assert VIDEO_PRICES_DATED in words and "nothing was sent" in words.lower()
