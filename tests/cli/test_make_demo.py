"""Issue 14 item 18 (and 7): `make demo` runs to the end and says what to run next.

The demo's recipe runs for real on a copy of the bundled samples, with the venv target
marked old (``make -o``) so make never rebuilds the environment; stdin is not a terminal,
so the recipe takes its no-review branch.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("make") is None, reason="no make on this machine")
def test_make_demo_passes_and_ends_with_the_next_commands(tmp_path: Path) -> None:
    demo = tmp_path / "demo dir"
    env = {**os.environ, "COLUMNS": "80"}
    done = subprocess.run(
        ["make", "-s", "-o", ".venv/bin/annotator", "demo", f"DEMO_DIR={demo}"],
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    tail = done.stdout.strip().splitlines()[-6:]
    text = "\n".join(tail)
    assert "Next" in text, text
    # The commands, in the order of the work, pasteable (the folder has a space).
    order = [text.find(f"annotator {step} '{demo}'") for step in ("export", "upload", "finetune")]
    assert -1 not in order and order == sorted(order), text
