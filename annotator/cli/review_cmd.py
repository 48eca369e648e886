"""review: the interactive review session (a Textual app) over a workspace."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path

import typer

from annotator.basemodels import Mode
from annotator.cli.common import EXIT_PROBLEMS, EXIT_USAGE, DirArgument, fail, open_workspace


class GraphicsChoice(StrEnum):
    """--graphics: the values of ``annotator.tui.widgets.frames.Graphics``."""

    AUTO = "auto"
    HALFCELL = "halfcell"
    UNICODE = "unicode"
    NONE = "none"


def review(
    root: Path = DirArgument,
    provider: str | None = typer.Option(
        None,
        "--provider",
        help="Caption provider for c and C (default: the config file's, else replay).",
    ),
    graphics: GraphicsChoice = typer.Option(
        GraphicsChoice.AUTO,
        "--graphics",
        help="How frames are drawn: auto uses Kitty/Sixel when the terminal has them, else "
        "half blocks (halfcell).",
    ),
    pick: bool = typer.Option(
        False,
        "--pick",
        help="Pick the best candidates `annotator source` made: each picture's candidates side "
        "by side, one key keeps or rejects each.",
    ),
) -> None:
    """Review every sample: frames, caption, subject, background and the assembled prompt.

    Every edit is saved as it is typed; reopening returns to the same sample.

    One session per workspace at a time. A plain folder of clips can be made a workspace here.
    """
    from annotator.tui.lock import SessionLock, SessionLockedError
    from annotator.workspace import Workspace

    if not Workspace.is_workspace(root):
        _offer_init(root)
    lock = SessionLock(root / ".annotator")
    try:
        lock.acquire()
    except SessionLockedError as exc:
        raise fail(str(exc)) from None
    try:
        if not _has_terminal():
            raise fail(
                "review is an interactive session and needs a terminal; in a script use "
                f"`annotator status {root}`, `annotator accept` and `annotator reject`",
                EXIT_USAGE,
            )
        with open_workspace(root) as ws:
            if pick:  # the pick pass over the candidates of each picture (issue 15)
                from typing import cast

                from annotator.tui.domain import Domain
                from annotator.tui.screens.pick import PickApp
                from annotator.tui.widgets.frames import Graphics

                PickApp(Domain(ws), graphics=cast(Graphics, graphics.value)).run()
                return
            from annotator.tui import make_app

            make_app(
                ws,
                provider=provider,
                graphics=graphics.value,
                handle_signals=True,
                tune_gc=True,
            ).run()
    finally:
        lock.release()


def _has_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def _offer_init(root: Path) -> None:
    """Ask to make ROOT a workspace; with no terminal to ask on, say how and exit 1."""
    command = f"annotator init {root} --mode i2v"
    if not _has_terminal():
        raise fail(
            f"{root} is not an annotator workspace: run `{command}` (or --mode kf2v) first, "
            f"then `annotator review {root}`"
        )
    typer.echo(f"{root} is not an annotator workspace yet.")
    if not typer.confirm("Make it one now?", default=True):
        raise typer.Exit(EXIT_PROBLEMS)
    modes = [m.value for m in Mode]
    mode = ""
    while mode not in modes:
        mode = typer.prompt(
            "Mode: i2v (first frame) or kf2v (first and last frame)", default=Mode.I2V.value
        ).strip()
    from annotator.cli.workspace_cmds import init

    init(root=root, mode=Mode(mode), model=None, lang=None, trigger=None)
