"""What every command shares: the consoles, opening a workspace, turning errors into exits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Column
from rich.text import Text

from annotator.errors import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE
from annotator.safetext import outside_text

if TYPE_CHECKING:
    from annotator.workspace import Workspace

__all__ = ["EXIT_OK", "EXIT_PROBLEMS", "EXIT_USAGE"]

# Neither console reads markup or emoji codes in what it prints: captions, prompts, file
# names and servers' words are shown as they are (a "[/]" in them once crashed a command).
# A style is given as a rich Text, e.g. styled(("failed", "red"), " ", line).
# soft_wrap: a line is never broken by us (a path or a command stays whole for a copy);
# the terminal folds what is too long. Tables and progress bars still fit the width.
console = Console(highlight=False, markup=False, emoji=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, markup=False, emoji=False, soft_wrap=True)


DirArgument = typer.Argument(
    ...,
    exists=True,
    file_okay=False,
    dir_okay=True,
    resolve_path=True,
    help="The folder that holds the clips (the workspace).",
)


def styled(*parts: str | tuple[object, str]) -> Text:
    """One line of plain strings and (value, style) pairs, every part made safe as outside
    text (redacted, control characters stripped, newlines kept), never read as markup.

    The one helper for printing a server's values (statuses, names, messages, log lines)."""
    return Text.assemble(
        *(
            outside_text(p, keep_newlines=True)
            if isinstance(p, str)
            else (outside_text(str(p[0]), keep_newlines=True), p[1])
            for p in parts
        )
    )


def print_error(message: str) -> None:
    """Print ``error: message`` on stderr: redacted, as plain text, never wrapped inside a word.

    The message may hold a server's words or a path: it is never read as markup, and
    soft wrapping leaves a long path or command whole for the terminal to fold.
    """
    line = Text("error: ", style="bold red")
    line.append(outside_text(message))
    err_console.print(line, soft_wrap=True)


def fail(message: str, code: int = EXIT_PROBLEMS) -> typer.Exit:
    """Print an error on stderr and return the exit to raise."""
    print_error(message)
    return typer.Exit(code)


@contextmanager
def open_workspace(root: Path) -> Iterator[Workspace]:
    """Open the workspace at ROOT, turning store problems into a clear message and exit 1."""
    from annotator.workspace import Workspace, WorkspaceError

    try:
        ws = Workspace.open(root)
    except WorkspaceError as exc:
        raise fail(str(exc)) from None
    with ws:
        yield ws


# From this width on, the bar also shows the elapsed time and a full-length bar.
WIDE_PROGRESS = 100


class RateColumn(ProgressColumn):
    """Items per minute, once there is a rate to show."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed * 60:.0f}/min", style="cyan")


def progress_bar(
    transient: bool = True, *, rate: bool = True, console: Console | None = None
) -> Progress:
    """The progress bar of long work: what, bar, count, rate, elapsed, ETA, the item at hand.

    The columns fit the console's width: under 100 columns the elapsed time goes and the
    bar is shorter, so the description, the count, the rate and the ETA stay whole and only
    the item at hand is shortened. RATE False drops the rate where it means nothing
    (recorded answers replayed in microseconds).
    """
    out = console or err_console
    wide = out.width >= WIDE_PROGRESS

    def whole() -> Column:
        return Column(no_wrap=True)

    columns: list[ProgressColumn] = [
        TextColumn("{task.description}", style="bold", markup=False, table_column=whole()),
        BarColumn(bar_width=40 if wide else max(8, out.width // 8)),
        MofNCompleteColumn(table_column=whole()),
    ]
    if rate:
        columns.append(RateColumn(table_column=whole()))
    if wide:
        columns.append(TimeElapsedColumn(table_column=whole()))
    columns.append(TimeRemainingColumn(table_column=whole()))
    # The item is often a file name: shown as it is, and the one column that gives way.
    item = Column(no_wrap=True, overflow="ellipsis", ratio=1)
    columns.append(TextColumn("{task.fields[item]}", style="dim", markup=False, table_column=item))
    return Progress(*columns, console=out, transient=transient, expand=True)
