"""The shape of the review UI: one facade to the domain, screens that share no constants."""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path

from textual.screen import Screen

import annotator.tui

TUI = Path(annotator.tui.__file__).parent
FACADE = "annotator.tui.domain"
# What any module of the UI may import from the rest of annotator: itself, the shared
# layer, and the workspace's data models (values, never the store). The shared layer is
# not the domain: small modules every layer uses (the error base, plain text rules, user
# files, pid liveness, languages, clip facts, verdicts, config, the base models, counting
# words, shell commands), which
# import no domain package themselves (lint-imports keeps them so).
SHARED = (
    "annotator.tui",
    "annotator.errors",
    "annotator.safetext",
    "annotator.userfiles",
    "annotator.procs",
    "annotator.lang",
    "annotator.clipfacts",
    "annotator.verdicts",
    "annotator.config",
    "annotator.basemodels",
    "annotator.counting",
    "annotator.shellcmd",
)
MODELS = {"Caption", "HistoryEntry", "Pronoun", "Sample", "Status", "WorkspaceInfo"}
# The modules that receive the workspace to hand it to the facade.
ENTRY = {"annotator.tui", "annotator.tui.app"}


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(TUI.rglob("*.py")):
        parts = path.relative_to(TUI.parent.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        yield name, ast.parse(path.read_text(encoding="utf-8"))


def _imports(tree: ast.Module) -> Iterator[tuple[str, str]]:
    """(module, name) for every import of annotator, at any depth (late, TYPE_CHECKING)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("annotator"):
            for alias in node.names:
                yield node.module or "", alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("annotator"):
                    yield alias.name, ""


def test_only_the_facade_reaches_the_domain() -> None:
    """Pipeline, prompts, checks, mining, captioning, media: through tui.domain only; the
    workspace store only where the app receives it and in the facade."""
    outside = []
    for module, tree in _modules():
        if module == FACADE:
            continue
        for source, name in _imports(tree):
            if source.startswith(SHARED):
                continue
            if source == "annotator.workspace" and (
                name in MODELS or (name == "Workspace" and module in ENTRY)
            ):
                continue
            outside.append(f"{module}: {source}.{name}")
    assert outside == []


def test_a_screen_imports_other_screens_only_to_show_them() -> None:
    """No screen module reaches into another for a constant or a helper: what it takes
    from a screens module is a screen to push or to extend."""
    taken = []
    for module, tree in _modules():
        for source, name in _imports(tree):
            if source.startswith("annotator.tui.screens.") and source != module:
                value = getattr(importlib.import_module(source), name)
                if not (isinstance(value, type) and issubclass(value, Screen)):
                    taken.append(f"{module}: {source}.{name}")
    assert taken == []
