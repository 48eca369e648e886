"""review: the interactive review session (a Textual app) over a workspace."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path

import typer

from annotator.basemodels import Mode
from annotator.cli.common import EXIT_PROBLEMS, EXIT_USAGE, DirArgument, fail, open_workspace
from annotator.shellcmd import command as shell_command


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
    web: bool = typer.Option(
        False,
        "--web",
        help="Serve the review to a browser instead (a remote machine: reach it through an "
        "SSH port forward). Each browser tab is its own session; v plays a clip in the browser.",
    ),
    host: str = typer.Option(
        "127.0.0.1",
        "--host",
        metavar="HOST",
        help="With --web: the address to listen on (default: this machine only).",
    ),
    port: int = typer.Option(
        8000, "--port", metavar="PORT", min=1, max=65535, help="With --web: the port."
    ),
    allow_remote: bool = typer.Option(
        False,
        "--allow-remote",
        help="With --web: allow a --host other computers can reach. There is no password: "
        "anyone who can reach the port can change this workspace.",
    ),
) -> None:
    """Review every sample: frames, caption, subject, background and the assembled prompt.

    Every edit is saved as it is typed; reopening returns to the same sample.

    One session per workspace at a time. A plain folder of clips can be made a workspace here.
    """
    from annotator.tui.lock import SessionLock, SessionLockedError
    from annotator.tui.web import served_by_textual
    from annotator.workspace import Workspace

    served = served_by_textual()  # this process is one browser tab of `review --web`
    if served and not Workspace.is_workspace(root):
        _notice_in_browser(f"{root} is not an annotator workspace any more")
    if not Workspace.is_workspace(root):
        _offer_init(root)
    if web:
        # A browser's terminal (xterm.js) has no Kitty/Sixel but true colour: half blocks.
        shown = GraphicsChoice.HALFCELL if graphics is GraphicsChoice.AUTO else graphics
        extra = ["--graphics", shown.value] + (["--provider", provider] if provider else [])
        extra += ["--pick"] if pick else []
        _serve_web(root, host=host, port=port, allow_remote=allow_remote, extra=extra)
        return
    lock = SessionLock(root / ".annotator")
    try:
        lock.acquire()
    except SessionLockedError as exc:
        if served:
            _notice_in_browser(str(exc))
        raise fail(str(exc)) from None
    try:
        if not (served or _has_terminal()):
            raise fail(
                "review is an interactive session and needs a terminal; in a script use "
                f"`{shell_command('status', root)}`, `annotator accept` and `annotator reject`",
                EXIT_USAGE,
            )
        with open_workspace(root) as ws:
            if pick:  # the pick pass over the candidates of each picture (issue 15)
                from annotator.tui.domain import Domain
                from annotator.tui.screens.pick import PickApp

                PickApp(Domain(ws), graphics=graphics.value).run()
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


def _serve_web(root: Path, *, host: str, port: int, allow_remote: bool, extra: list[str]) -> None:
    """Serve `annotator review ROOT` to browsers until Ctrl+C (`review --web`)."""
    from annotator.cli.common import console, err_console, styled
    from annotator.cli.review_web import (
        ReviewServer,
        bind_error,
        is_loopback,
        served_command,
        ssh_hint,
        url_for,
    )
    from annotator.tui.lock import SessionLock, SessionLockedError

    local = is_loopback(host)
    if not (local or allow_remote):
        raise fail(
            f"--host {host} lets other computers open the review, and there is no password: "
            "anyone who reaches the port can change this workspace. Keep the default "
            "(127.0.0.1) and use an SSH port forward, or add --allow-remote to accept that",
            EXIT_USAGE,
        )
    if (problem := bind_error(host, port)) is not None:
        raise fail(f"cannot serve on {host}:{port}: {problem}; try another --port")
    try:  # each tab takes the lock itself; a session open now would refuse every tab
        with SessionLock(root / ".annotator"):
            pass
    except SessionLockedError as exc:
        raise fail(str(exc)) from None
    command = served_command(root, extra)
    # The folder's name is outside text: its control characters are never printed.
    console.print(styled(f"Serving the review of {root} on {url_for(host, port)}"))
    if local:
        for line in ssh_hint(port):
            console.print(line)
    else:
        err_console.print(
            f"warning: listening on {host}: anyone who can reach port {port} can review and "
            "change this workspace (no password)."
        )
    console.print(styled(f"Each browser tab runs: {command}"))
    console.print("Press Ctrl+C to stop.")
    server = ReviewServer(
        command, host=host, port=port, title=f"annotator review · {root.name}", any_host=not local
    )
    try:
        server.serve()
    except OSError as exc:  # the port is taken, or the address is not this machine's
        raise fail(
            f"cannot serve on {host}:{port}: {exc.strerror or exc}; try another --port"
        ) from None


def _notice_in_browser(message: str) -> None:
    """Show MESSAGE in the browser tab this process serves, then exit 1."""
    from annotator.tui.web import NoticeApp

    NoticeApp(message).run()
    raise typer.Exit(EXIT_PROBLEMS)


def _has_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def _offer_init(root: Path) -> None:
    """Ask to make ROOT a workspace; with no terminal to ask on, say how and exit 1."""
    command = f"{shell_command('init', root)} --mode i2v"
    if not _has_terminal():
        raise fail(
            f"{root} is not an annotator workspace: run `{command}` (or --mode kf2v) first, "
            f"then `{shell_command('review', root)}`"
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
