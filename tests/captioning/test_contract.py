"""The contract around the providers: cache keys, the registry, instructions, imports."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import annotator.captioning as captioning
from annotator.captioning import (
    CaptionRequest,
    Provider,
    ProviderOptionError,
    UnknownProviderError,
    available_providers,
    cache_key,
    get_provider,
    load_instruction,
    load_instruction_file,
    register_provider,
)
from annotator.captioning.instructions import TEMPLATES_ENV_VAR, InstructionNotFoundError

REQUEST = CaptionRequest(Path("a.mp4"), "f" * 64, "Describe.", "qwen-vl-max", fps=2.0)


def test_cache_key_is_stable_and_covers_every_input() -> None:
    key = cache_key(REQUEST, "dashscope")
    assert len(key) == 64
    assert key == cache_key(REQUEST, "dashscope")
    # fps 2 and 2.0 are the same request.
    assert key == cache_key(
        CaptionRequest(Path("b.mp4"), "f" * 64, "Describe.", "qwen-vl-max", 2), "dashscope"
    )
    variants = [
        cache_key(REQUEST, "openai"),
        cache_key(CaptionRequest(REQUEST.clip, "e" * 64, "Describe.", "qwen-vl-max"), "dashscope"),
        cache_key(CaptionRequest(REQUEST.clip, "f" * 64, "Describe!", "qwen-vl-max"), "dashscope"),
        cache_key(CaptionRequest(REQUEST.clip, "f" * 64, "Describe.", "qwen-vl-plus"), "dashscope"),
        cache_key(
            CaptionRequest(REQUEST.clip, "f" * 64, "Describe.", "qwen-vl-max", 1.0), "dashscope"
        ),
    ]
    assert len({key, *variants}) == 6


def test_fps_outside_the_dashscope_range_is_refused() -> None:
    with pytest.raises(ValueError, match=r"fps must be between 0\.1 and 10\.0"):
        CaptionRequest(Path("a.mp4"), "f" * 64, "Describe.", "qwen-vl-max", fps=30)


def test_available_providers() -> None:
    assert {"dashscope", "openai", "replay"} <= set(available_providers())


def test_unknown_provider_lists_the_known_ones() -> None:
    with pytest.raises(
        UnknownProviderError,
        match=r"unknown provider 'dashscop'; known providers: .*dashscope, openai, replay",
    ):
        get_provider("dashscop")


def test_unknown_option_lists_the_options() -> None:
    with pytest.raises(
        ProviderOptionError, match="has no option colour; its options are: region, base_url"
    ):
        get_provider("dashscope", colour="red")


def test_providers_meet_the_protocol(tmp_path: Path) -> None:
    replay_file = tmp_path / "r.jsonl"
    replay_file.write_text("")
    for provider in (
        get_provider("dashscope"),
        get_provider("openai"),
        get_provider("replay", path=replay_file),
    ):
        assert isinstance(provider, Provider)
    assert get_provider("dashscope").key_env_var == "DASHSCOPE_API_KEY"


def test_outside_providers_register_the_same_way() -> None:
    class Echo:
        name = "echo"
        key_env_var = None
        needs_key = False

        def __init__(self, *, prefix: str = "") -> None:
            self.prefix = prefix

        def caption(self, request: CaptionRequest) -> captioning.CaptionResult:
            return captioning.CaptionResult(self.prefix + request.instruction, request.model)

    register_provider("echo-test", Echo)
    try:
        assert get_provider("echo-test", prefix="> ").caption(REQUEST).text == "> Describe."
    finally:
        from annotator.captioning import registry

        registry._REGISTRY.pop("echo-test")


@pytest.mark.parametrize("kind", ["freeform", "structured"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_builtin_instructions(kind: str, lang: str) -> None:
    text = load_instruction(kind, lang)
    assert text == text.strip() and len(text) > 100
    if kind == "structured":
        assert '{"subject": "...", "background": "...", "motion": "..."}' in text
    opening = {"en": "The video opens on", "zh": "视频开头展示了"}[lang]
    assert (opening in text) == (kind == "structured")


def test_unknown_kind_or_language() -> None:
    with pytest.raises(ValueError, match="known kinds: freeform, structured"):
        load_instruction("poem", "en")
    with pytest.raises(ValueError, match="known: en, zh"):
        load_instruction("freeform", "fr")


def test_templates_env_var_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "instructions").mkdir()
    (tmp_path / "instructions" / "freeform.en.txt").write_text("  My own words.\n\n")
    monkeypatch.setenv(TEMPLATES_ENV_VAR, str(tmp_path))
    assert load_instruction("freeform", "en") == "My own words."


def test_instruction_file(tmp_path: Path) -> None:
    mine = tmp_path / "mine.txt"
    mine.write_text("Describe the sparks.\n", encoding="utf-8")
    assert load_instruction_file(mine) == "Describe the sparks."
    with pytest.raises(InstructionNotFoundError, match=r"nope\.txt"):
        load_instruction_file(tmp_path / "nope.txt")
    (tmp_path / "empty.txt").write_text("\n")
    with pytest.raises(ValueError, match="is empty"):
        load_instruction_file(tmp_path / "empty.txt")


def test_import_is_light() -> None:
    code = (
        "import sys, annotator.captioning as c; c.available_providers(); "
        "heavy = ['dashscope', 'openai', 'av', 'PIL', 'numpy', 'requests', 'textual', 'typer', "
        "'annotator.workspace']; print([m for m in heavy if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_no_ui_cli_or_store_imports_anywhere_in_the_package() -> None:
    forbidden = ("textual", "typer", "annotator.workspace", "annotator.cli", "annotator.tui")
    package = Path(captioning.__file__).parent
    for source in package.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(forbidden), f"{source.name} imports {name}"
