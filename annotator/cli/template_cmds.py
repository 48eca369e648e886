"""template, trigger: show or change the effect template and the trigger word."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from annotator.cli.common import (
    EXIT_PROBLEMS,
    EXIT_USAGE,
    DirArgument,
    console,
    err_console,
    fail,
    open_workspace,
    styled,
)
from annotator.errors import AnnotatorError
from annotator.shellcmd import command as shell_command

# The template's slot for the trigger word (prompts/assemble.py fills it).
TRIGGER_SLOT = "{trigger}"

if TYPE_CHECKING:
    from annotator.prompts.trigger import TriggerProblem


def template(
    root: Path = DirArgument,
    set_text: str | None = typer.Option(None, "--set", help="Replace the template with TEXT."),
    edit: bool = typer.Option(False, "--edit", help="Edit the template in $EDITOR."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for machines."),
) -> None:
    """Show or change the effect template: the one motion description every prompt shares.

    Pronoun slots, filled per sample: {pronoun} {possessive} {object} {reflexive} (en:
    she/her/her/herself, he/his/him/himself, it/its/it/itself) and {ta} (zh: 她/他/它).
    {trigger}: the trigger word, put there in every prompt (a template with neither the
    word nor the slot gets the word at its start).
    The template is printed on one line, never wrapped: a pipe or a copy-paste gets it
    whole (the terminal folds a long line for the eye only).
    """
    if set_text is not None and edit:
        raise fail("give --set or --edit, not both", EXIT_USAGE)
    if edit:
        with open_workspace(root) as ws:
            current = ws.template()
        # The store stays closed while a person edits, which can take minutes.
        edited = edit_in_editor(current or "", what="the template").strip()
        if not edited or edited == (current or "").strip():
            console.print("Template unchanged.")
            return
        set_text = edited
    with open_workspace(root) as ws:
        current = ws.template()
        if set_text is not None:
            ws.set_workspace_field("template", set_text.strip())
            current = ws.template()
            console.print("Template stored (undo with `annotator undo DIR`).")
        trigger = ws.info.trigger
    if as_json:
        payload = {
            "template": current,
            "trigger": trigger,
            "trigger_in_template": _carries(current, trigger),
        }
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    if not current:
        console.print(
            f"No template yet: run `{shell_command('mine', root)} --apply`, or set one with --set."
        )
        return
    # Not through rich's wrapping: line breaks inside a template would be copied with it.
    console.print(styled(current), soft_wrap=True)
    if trigger and not _carries(current, trigger):
        err_console.print(
            styled(("warning:", "yellow"), f" the trigger {trigger!r} is not in the template")
        )


def trigger(
    root: Path = DirArgument,
    word: str | None = typer.Argument(None, help="The trigger word to set."),
    auto: bool = typer.Option(False, "--auto", help="Make a rare, meaningless one (like s86b5p)."),
    force: bool = typer.Option(False, "--force", help="Set the word even if it has problems."),
) -> None:
    """Show, set or make the trigger word, and say what is wrong with it if anything.

    A word with an error (a real word, one already in a caption, ...) is not set unless
    --force.
    """
    from annotator.pipeline.mine import trigger_problems
    from annotator.prompts.trigger import make_trigger

    with open_workspace(root) as ws:
        captions = [c.text for c in ws.latest_captions().values()]
        candidate = make_trigger() if auto else (word.strip() if word is not None else None)
        checked = candidate if candidate is not None else (ws.info.trigger or "")
        problems = trigger_problems(checked, captions) if checked or candidate is not None else []
        has_error = any(p.severity == "error" for p in problems)
        if candidate is not None and (force or not has_error):
            ws.set_workspace_field("trigger", candidate)
        current = ws.info.trigger
    print_trigger_problems(problems)
    if candidate is not None and has_error and not force:
        raise fail(f"{candidate!r} was not set: pick another word, or --force to set it anyway")
    if not current:
        console.print(f"No trigger yet: `{shell_command('trigger', root)} --auto` makes one.")
        raise typer.Exit(EXIT_PROBLEMS)
    console.print(styled("Trigger: ", (current, "bold")))
    if has_error and candidate is None:
        raise typer.Exit(EXIT_PROBLEMS)


def _carries(template: str | None, trigger: str | None) -> bool:
    """True when TEMPLATE holds the trigger word, or the {trigger} slot that becomes it."""
    return bool(template and trigger and (trigger in template or TRIGGER_SLOT in template))


def edit_in_editor(text: str, *, what: str) -> str:
    """TEXT as $VISUAL (else $EDITOR) left it: run on a temporary file, read back after.

    An editor that cannot start or exits non-zero raises AnnotatorError, and nothing is
    stored; so does no editor set at all (a guess like vi could trap a new user).
    """
    command = _editor_command(what)
    handle, name = tempfile.mkstemp(prefix="annotator-edit-", suffix=".txt")
    path = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        try:
            done = subprocess.run([*command, str(path)], check=False)
        except OSError as exc:
            raise AnnotatorError(
                f"cannot start the editor {command[0]!r} ({exc.strerror or exc}); {what} is "
                "unchanged",
                fix="set $EDITOR to an editor on your PATH",
            ) from None
        if done.returncode != 0:
            raise AnnotatorError(
                f"the editor `{shlex.join(command)}` exited with status {done.returncode}; "
                f"{what} is unchanged"
            )
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise AnnotatorError(
                f"cannot read back what the editor saved ({exc}); {what} is unchanged"
            ) from None
    finally:
        path.unlink(missing_ok=True)


def _editor_command(what: str) -> list[str]:
    """The editor's command line from $VISUAL or $EDITOR, split as a shell would."""
    for variable in ("VISUAL", "EDITOR"):
        value = os.environ.get(variable, "").strip()
        if not value:
            continue
        try:
            command = shlex.split(value)
        except ValueError as exc:
            raise AnnotatorError(f"${variable} ({value!r}) cannot be read: {exc}") from None
        if command:
            return command
    raise AnnotatorError(
        f"no editor to edit {what} with: neither $VISUAL nor $EDITOR is set",
        fix="`export EDITOR=nano` (or vim, `code --wait`, ...), or give the text with --set",
    )


def print_trigger_problems(problems: Sequence[TriggerProblem]) -> None:
    """Print each problem of a trigger word with its fix."""
    for problem in problems:
        colour = "red" if problem.severity == "error" else "yellow"
        err_console.print(
            styled((f"{problem.severity}:", colour), f" {problem.message}; {problem.suggestion}")
        )
