"""The clip-quality analysis that `check` (and export's check) needs, under a progress bar.

Only clips without a cached result are analysed; a check of unchanged clips shows no bar.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from annotator.cli.common import progress_bar
from annotator.safetext import strip_controls

if TYPE_CHECKING:
    from rich.progress import TaskID

    from annotator.workspace import Workspace


def analyse_clips(ws: Workspace, *, quiet: bool = False) -> None:
    """Analyse the clips of the samples that count that have no cached quality result, with
    a progress bar on the error console (none when QUIET, e.g. for --json)."""
    from annotator.pipeline.check import counted_samples
    from annotator.pipeline.quality import clip_quality

    samples = counted_samples(ws)
    if quiet:
        clip_quality(ws, samples)
        return
    with progress_bar() as bar:
        task: TaskID | None = None

        def show(done: int, total: int, item: str) -> None:
            nonlocal task
            item = strip_controls(item)  # a file name: its escapes never reach the terminal
            if task is None:
                task = bar.add_task("Analysing clips", total=total, item=item)
            bar.update(task, completed=done, item=item)

        clip_quality(ws, samples, show)
