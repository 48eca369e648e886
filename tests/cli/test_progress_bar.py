"""Issue 14 item 14: the progress bar fits 80 columns (nothing cut to "…" but the item at
hand) and shows no rate where it means nothing (recorded answers, replayed)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

from rich.console import Console

from annotator.cli.common import progress_bar

ITEM = "0 failed, 0 retries, 4 at once"
SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "i2v"


def _render(width: int, *, rate: bool = True) -> str:
    out = Console(file=StringIO(), width=width, record=True, color_system=None)
    with progress_bar(transient=False, rate=rate, console=out) as bar:
        task = bar.add_task("Captioning (openai)", total=8, item=ITEM)
        for done in range(1, 9):
            bar.update(task, completed=done)
    return out.export_text()


def test_at_80_columns_every_column_is_whole() -> None:
    text = _render(80)
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines, text
    line = lines[-1]
    assert len(line) <= 80, line
    assert "Captioning (openai)" in line and "8/8" in line, line
    # Only the item at hand may be shortened; a number or a time never is.
    assert "…" not in line.replace(line[line.find("0 failed") :], ""), line
    assert "/min" in line


def test_wide_the_bar_shows_the_times_and_the_whole_item() -> None:
    line = [x for x in _render(200).splitlines() if x.strip()][-1]
    assert ITEM in line and "0:00:0" in line and "…" not in line, line


def test_no_rate_when_it_means_nothing() -> None:
    line = [x for x in _render(80, rate=False).splitlines() if x.strip()][-1]
    assert "/min" not in line and "8/8" in line, line


def test_a_replayed_caption_run_shows_no_rate(tmp_path: Path) -> None:
    """The caption command's own bar, on recorded answers, in a real process at 80 columns."""
    root = tmp_path / "i2v"
    shutil.copytree(SAMPLES, root)
    env = {**os.environ, "COLUMNS": "80"}
    run = [sys.executable, "-m", "annotator"]
    init = subprocess.run([*run, "init", str(root), "--mode", "i2v"], env=env, timeout=120)
    assert init.returncode == 0
    done = subprocess.run(
        [*run, "caption", str(root), "--provider", "replay"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    bar = [line for line in done.stderr.splitlines() if "Captioning" in line]
    assert bar, done.stderr
    assert all("/min" not in line and len(line) <= 80 for line in bar), bar
