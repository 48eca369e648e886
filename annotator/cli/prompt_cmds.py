"""prompts, undo, redo: every sample's prompt, and stepping through the edit history."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from annotator.cli.common import DirArgument, console, open_workspace, styled

if TYPE_CHECKING:
    from annotator.prompts.build import Prompt


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
    elif entry.field == "edit":  # a clip edit: its words, not the JSON of its columns
        console.print(f"Undid the clip edit: {_edit_words(entry.new)} -> {_edit_words(entry.old)}")
    elif entry.field == "rejection":  # the status and the reason, one step
        console.print(f"Undid the rejection: {_rejection(entry.new)} -> {_rejection(entry.old)}")
    else:
        console.print(f"Undid the change of {entry.field}: {entry.new!r} -> {entry.old!r}")


def redo(root: Path = DirArgument) -> None:
    """Apply again the edit undone last."""
    with open_workspace(root) as ws:
        entry = ws.redo()
    if entry is None:
        console.print("Nothing to redo.")
    elif entry.field == "edit":
        console.print(f"Redid the clip edit: {_edit_words(entry.old)} -> {_edit_words(entry.new)}")
    elif entry.field == "rejection":
        console.print(f"Redid the rejection: {_rejection(entry.old)} -> {_rejection(entry.new)}")
    else:
        console.print(f"Redid the change of {entry.field}: {entry.old!r} -> {entry.new!r}")


def _rejection(state: str | None) -> str:
    from annotator.pipeline.review import rejection_words

    return rejection_words(state)


def _edit_words(state: str | None) -> str:
    from annotator.pipeline.edits import edit_words

    return edit_words(state)
