"""The fine-tuning domain knows nothing of the CLI or the UI (as the import-linter contract)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import annotator.finetune

FORBIDDEN = ("textual", "typer", "rich", "annotator.cli", "annotator.tui")


def test_no_ui_or_cli_imports_in_the_package() -> None:
    package = Path(annotator.finetune.__file__).parent
    for source in package.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(FORBIDDEN), f"{source.name} imports {name}"


def test_neither_the_sdk_nor_the_ui_is_loaded() -> None:
    # (rich is, by httpx's own command line entry point; the AST test above covers ours.)
    code = (
        "import sys, annotator.finetune.pipeline, annotator.finetune.checkpoints; "
        "print([m for m in ('dashscope', 'openai', 'textual', 'typer') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
