"""The export package is domain code: it never imports the CLI or the TUI (STYLE.md)."""

from __future__ import annotations

import subprocess
import sys


def test_export_imports_neither_typer_nor_textual() -> None:
    code = (
        "import sys, annotator.export as e\n"
        "for name in e.__all__: getattr(e, name)\n"
        "ui = ('typer', 'textual', 'annotator.cli', 'annotator.tui')\n"
        "bad = [m for m in ui if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
