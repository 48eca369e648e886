"""`review --web` on a workspace whose folder name holds escape sequences: what it prints
(the address, the command each tab runs) shows them as nothing, never runs them."""

from __future__ import annotations

from pathlib import Path

from annotator.basemodels import Mode
from annotator.workspace import Workspace, WorkspaceInfo
from tests.tui.test_review_web import _serving

INJECTED = "\x1b]0;pwned\x07\x1b[2J"  # a window title, then a cleared screen


def test_the_printed_lines_carry_no_escape_from_the_folder_name(tmp_path: Path) -> None:
    root = tmp_path / f"clips{INJECTED}"
    root.mkdir()
    Workspace.create(root, WorkspaceInfo(mode=Mode.I2V, base_model="wan2.5-i2v-preview")).close()
    with _serving(root) as server:
        printed = server.printed()
    assert "Serving the review of" in printed and "Each browser tab runs" in printed
    assert "\x1b" not in printed and "\x07" not in printed, repr(printed)
