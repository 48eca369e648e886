"""mine, template, trigger, prompts: from captions to one consistent prompt per sample."""

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
from rich.table import Table

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

if TYPE_CHECKING:
    from annotator.prompts.build import Prompt
    from annotator.prompts.trigger import TriggerProblem

ThresholdOption = typer.Option(
    0.5,
    "--threshold",
    min=0.0,
    max=1.0,
    help="Share of captions a phrase needs to join the template.",
)


def mine(
    root: Path = DirArgument,
    as_json: bool = typer.Option(False, "--json", help="Print JSON for machines."),
    min_support: float = typer.Option(
        0.2, "--min-support", min=0.0, max=1.0, help="Hide rarer phrases."
    ),
    threshold: float = ThresholdOption,
    apply: bool = typer.Option(False, "--apply", help="Store the proposed template (undoable)."),
) -> None:
    """Find the effect phrases the captions share, ranked by support, and propose a template."""
    from annotator.mining import has_shared_effect
    from annotator.mining.template import effect_phrases
    from annotator.pipeline.mine import apply_template, mine_workspace, template_from_phrases

    with open_workspace(root) as ws:
        if not ws.latest_captions():
            raise fail(f"no captions in {root} yet: run `annotator caption {root}` first")
        phrases = mine_workspace(ws)  # reads only: without --apply nothing is written
        proposal = template_from_phrases(ws, phrases, threshold)
        shared = has_shared_effect(phrases, threshold)
        if apply and shared:
            apply_template(ws, phrases, proposal)
    shown = [p for p in phrases if p.support >= min_support]
    if as_json:
        payload = {
            "phrases": [p.to_dict() for p in shown],
            "template": proposal,
            "shared_effect": shared,
        }
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    table = Table("support", "phrase (most typical wording)", "where", "terms")
    chosen = {id(p) for p in effect_phrases(phrases, threshold)}
    for p in shown:
        style = "bold green" if id(p) in chosen else ""
        table.add_row(
            f"{p.support:.0%}",
            styled((p.text, style)),
            f"{p.position:.2f}",
            ", ".join(p.terms[:5]),
        )
    console.print(table)
    if not shared:
        console.print(
            styled(
                ("No shared effect:", "bold yellow"),
                f" no phrase that could describe an effect is in {threshold:.0%} or more of "
                "the captions (and in two or more; the opening that introduces the subject "
                "does not count), so the template has nothing to describe. "
                "Check that the clips show one effect, or lower --threshold.",
            )
        )
    console.print(
        styled(("Proposed template", "bold"), f" (phrases at >= {threshold:.0%}):\n", proposal)
    )
    if apply and not shared:
        err_console.print(
            styled(("Not stored:", "red"), " a template needs an effect the captions share.")
        )
        raise typer.Exit(EXIT_PROBLEMS)
    if apply:
        console.print("Stored as the workspace's template (`annotator template DIR` shows it).")
    else:
        console.print(
            "Store it with --apply, or write your own with `annotator template DIR --set`."
        )


def template(
    root: Path = DirArgument,
    set_text: str | None = typer.Option(None, "--set", help="Replace the template with TEXT."),
    edit: bool = typer.Option(False, "--edit", help="Edit the template in $EDITOR."),
) -> None:
    """Show or change the effect template: the one motion description every prompt shares.

    Pronoun slots, filled per sample: {pronoun} {possessive} {object} {reflexive} (en:
    she/her/her/herself, he/his/him/himself, it/its/it/itself) and {ta} (zh: 她/他/它).
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
    if not current:
        console.print(
            f"No template yet: run `annotator mine {root} --apply`, or set one with --set."
        )
        return
    console.print(styled(current))
    if trigger and trigger not in current:
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
    from annotator.prompts.trigger import check_trigger, make_trigger

    with open_workspace(root) as ws:
        captions = [c.text for c in ws.latest_captions().values()]
        candidate = make_trigger() if auto else (word.strip() if word is not None else None)
        checked = candidate if candidate is not None else (ws.info.trigger or "")
        problems = check_trigger(checked, captions) if checked or candidate is not None else []
        has_error = any(p.severity == "error" for p in problems)
        if candidate is not None and (force or not has_error):
            ws.set_workspace_field("trigger", candidate)
        current = ws.info.trigger
    print_trigger_problems(problems)
    if candidate is not None and has_error and not force:
        raise fail(f"{candidate!r} was not set: pick another word, or --force to set it anyway")
    if not current:
        console.print(f"No trigger yet: `annotator trigger {root} --auto` makes one.")
        raise typer.Exit(EXIT_PROBLEMS)
    console.print(styled("Trigger: ", (current, "bold")))
    if has_error and candidate is None:
        raise typer.Exit(EXIT_PROBLEMS)


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


def prompts(
    root: Path = DirArgument,
    as_json: bool = typer.Option(False, "--json", help="Print JSON for machines."),
) -> None:
    """Print every sample's prompt: subject + background + trigger + template."""
    from annotator.pipeline.prompts import load_prompts

    with open_workspace(root) as ws:
        samples = ws.samples()
        built = load_prompts(ws, samples)
    if as_json:
        rows = [
            {"id": s.id, "clip": s.path, "status": s.status.value, **_prompt_json(built[s.id])}
            for s in samples
        ]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for s in samples:
        prompt = built[s.id]
        text = prompt.text or ("(no subject or background yet: caption it first)", "dim")
        console.print(styled((s.path, "bold"), " ", (s.status.value, "dim"), "\n  ", text))


def _prompt_json(prompt: Prompt) -> dict[str, object]:
    parts = ("subject", "background", "trigger", "template")
    return {
        "prompt": prompt.text,
        "subject": prompt.subject,
        "background": prompt.background,
        "pronoun": prompt.pronoun,
        "source": prompt.source.value,
        "spans": {k: list(getattr(prompt.parts, k)) for k in parts} if prompt.complete else {},
        "findings": [f.to_dict() for f in prompt.findings],
    }


def undo(root: Path = DirArgument) -> None:
    """Undo the last edit (of a prompt part, a status, the template or the trigger)."""
    with open_workspace(root) as ws:
        entry = ws.undo()
    if entry is None:
        console.print("Nothing to undo.")
    else:
        console.print(f"Undid the change of {entry.field}: {entry.new!r} -> {entry.old!r}")


def redo(root: Path = DirArgument) -> None:
    """Apply again the edit undone last."""
    with open_workspace(root) as ws:
        entry = ws.redo()
    if entry is None:
        console.print("Nothing to redo.")
    else:
        console.print(f"Redid the change of {entry.field}: {entry.old!r} -> {entry.new!r}")
