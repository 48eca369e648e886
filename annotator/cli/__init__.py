"""The command line: one function per command, no logic of its own."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import typer
from typer.core import TyperGroup

from annotator import __version__
from annotator.errors import EXIT_PROBLEMS

# Exits, aborts and usage errors that typer (its own click since 0.29) or click print.
_COMMAND_LINE_FLOW = (
    typer.Exit,
    typer.Abort,
    typer.TyperException,
    click.exceptions.Exit,
    click.ClickException,
    click.exceptions.Abort,
)


class CommandGroup(TyperGroup):
    """The group of every command (--help lists them in the order they were registered)."""

    # ctx is typer's own click Context since 0.29 and click's before: typed loosely for both.
    def invoke(self, ctx: Any) -> Any:
        """Run the command: a user's error ends in its message and exit code, a bug in one line.

        Every command passes here, so no command catches ``AnnotatorError`` itself.
        """
        from annotator.cli.common import print_error
        from annotator.errors import AnnotatorError

        try:
            return super().invoke(ctx)
        except _COMMAND_LINE_FLOW:
            raise
        except AnnotatorError as exc:
            print_error(str(exc))
            raise typer.Exit(exc.exit_code) from None
        except Exception as exc:
            report = _write_traceback()
            print_error(f"unexpected {type(exc).__name__}; the full traceback is in {report}")
            raise typer.Exit(EXIT_PROBLEMS) from None


app = typer.Typer(
    cls=CommandGroup,
    name="annotator",
    help=(
        "Turn a folder of effect clips into a Wan i2v/kf2v LoRA fine-tuning dataset.\n\n"
        "Typical flow: init -> check -> caption -> mine/template -> review -> export. "
        "Exit codes: 0 ok, 1 problems found, 2 usage error."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,  # click's plain help and errors (cli/plain_help.py)
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"annotator {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Turn a folder of effect clips into a Wan LoRA fine-tuning dataset."""


def _register() -> None:
    """Put every command on `app`, in the order of the workflow (--help lists them so);
    each one a PlainCommand (plain metavars and usage errors)."""
    from annotator.cli import (
        caption_cmd,
        check_cmd,
        export_cmds,
        finetune_cmds,
        finetune_deploy_cmds,
        fix_cmd,
        generate_cmd,
        jobs_cmd,
        mine_cmd,
        prompt_cmds,
        review_cmd,
        source_cmd,
        template_cmds,
        verify_cmd,
        workspace_cmds,
    )
    from annotator.cli.plain_help import PlainCommand

    workflow: list[tuple[str, Callable[..., None]]] = [
        ("init", workspace_cmds.init),
        ("scan", workspace_cmds.scan),
        ("status", workspace_cmds.status),
        ("source", source_cmd.source),
        ("check", check_cmd.check),
        ("fix", fix_cmd.fix),
        ("trim", fix_cmd.trim),
        ("caption", caption_cmd.caption),
        ("mine", mine_cmd.mine),
        ("template", template_cmds.template),
        ("trigger", template_cmds.trigger),
        ("prompts", prompt_cmds.prompts),
        ("verify", verify_cmd.verify),
        ("review", review_cmd.review),
        ("accept", export_cmds.accept),
        ("reject", export_cmds.reject),
        ("undo", prompt_cmds.undo),
        ("redo", prompt_cmds.redo),
        ("export", export_cmds.export),
        ("import", export_cmds.import_),
        ("upload", finetune_cmds.upload),
        ("finetune", finetune_cmds.finetune),
        ("checkpoints", finetune_deploy_cmds.checkpoints),
        ("deploy", finetune_deploy_cmds.deploy),
        ("generate", generate_cmd.generate),
        ("jobs", jobs_cmd.jobs_command),
    ]
    for name, command in workflow:
        app.command(name, cls=PlainCommand)(command)


_register()


def main() -> None:
    """Entry point of the `annotator` console script."""
    app()


def _write_traceback() -> Path:
    """Write the current exception's traceback, redacted, to a file and return its path."""
    import tempfile
    import traceback

    from annotator.safetext import redact

    fd, name = tempfile.mkstemp(prefix="annotator-crash-", suffix=".txt")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(redact(traceback.format_exc()))
    return Path(name)
