"""mine, template, trigger, prompts: from captions to one consistent prompt per sample."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
    from annotator.mining import Phrase
    from annotator.pipeline.mine import Distilled, Proposal
    from annotator.prompts.build import Prompt
    from annotator.prompts.trigger import TriggerProblem
    from annotator.workspace import Workspace

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
    apply: bool = typer.Option(
        False, "--apply", help="Store the proposed template (and trigger) (undoable)."
    ),
    distill: bool = typer.Option(
        False,
        "--distill",
        help="Ask a text model to write the effect's standard description from the mined "
        "phrases and a sample of the captions; every clause is checked against the captions.",
    ),
    provider: str | None = typer.Option(
        None,
        "--provider",
        "-p",
        help="--distill: replay (recorded answers, offline), dashscope, openai, or an endpoint "
        "of the config file. Default: as for caption.",
    ),
    model: str | None = typer.Option(
        None,
        "--model",
        "-m",
        help="--distill: the model, e.g. qwen-plus. Default: the endpoint's or caption model.",
    ),
    region: str | None = typer.Option(None, "--region", help="--distill: DashScope region."),
    base_url: str | None = typer.Option(
        None, "--base-url", help="--distill: an OpenAI-compatible server."
    ),
    key_env: str | None = typer.Option(
        None, "--key-env", metavar="VAR", help="--distill: the variable holding the key."
    ),
    sample: int = typer.Option(
        8, "--sample", min=1, max=50, help="--distill: captions shown to the model."
    ),
) -> None:
    """Find the effect phrases the captions share, ranked by support, and propose a template.

    Every phrase shown says whether the template took it and, if not, why (subject,
    background, one clip, below the threshold, another wording, ...). Nothing is stored
    without --apply.
    """
    from annotator.pipeline.mine import apply_template, propose

    distilled: Distilled | None = None
    stored_trigger = False
    with open_workspace(root) as ws:
        if not ws.latest_captions():
            raise fail(f"no captions in {root} yet: run `annotator caption {root}` first")
        proposal = propose(ws, threshold)  # reads only: without --apply nothing is written
        if distill:
            options = {"base_url": base_url, "key_env_var": key_env, "region": region}
            distilled = _distill(ws, proposal.phrases, provider, options, model, sample)
        template_text = distilled.proposal if distilled else proposal.template
        storable = bool(template_text) if distilled else proposal.shared
        if apply and storable:
            stored_trigger = apply_template(
                ws, proposal.phrases, template_text, trigger=proposal.trigger
            )
    if as_json:
        payload = _mine_json(proposal, min_support, threshold, distilled)
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        if apply and not storable:
            raise typer.Exit(EXIT_PROBLEMS)
        return
    _print_phrases(proposal, min_support)
    _print_trigger(proposal, stored_trigger)
    if not proposal.shared:
        console.print(
            styled(
                ("No shared effect:", "bold yellow"),
                f" no phrase that could describe an effect is in {threshold:.0%} or more of "
                "the captions (and in two or more; the opening that introduces the subject "
                "does not count), so the mined template has nothing to describe. "
                + (
                    "The text model's description below is checked against the captions."
                    if distilled
                    else "Check that the clips show one effect, lower --threshold, or let a "
                    "text model word what the captions say in different words: --distill."
                ),
            ),
            soft_wrap=True,
        )
    if distilled is None:
        console.print(styled(("Proposed template", "bold"), f" (phrases at >= {threshold:.0%}):"))
        console.print(styled(proposal.template), soft_wrap=True)
    else:
        _print_distilled(distilled, threshold)
    if apply and not storable:
        why = (
            "the text model's answer is empty"
            if distilled
            else "a template needs an effect the captions share"
        )
        err_console.print(styled(("Not stored:", "red"), f" {why}."))
        raise typer.Exit(EXIT_PROBLEMS)
    if apply:
        console.print("Stored as the workspace's template (`annotator template DIR` shows it).")
    elif distilled is not None:
        console.print(
            styled(
                ("Not stored.", "bold"),
                " Store exactly this text with `annotator template DIR --set TEXT` (or edit "
                "it with --edit after), or ask again and store the answer with --distill "
                "--apply.",
            ),
            soft_wrap=True,
        )
    else:
        console.print(
            "Store it with --apply, or write your own with `annotator template DIR --set`."
        )


def _distill(
    ws: Workspace,
    phrases: Sequence[Phrase],
    provider: str | None,
    options: dict[str, Any],
    model: str | None,
    sample: int,
) -> Distilled:
    """Ask the text model; a bad provider choice is a usage error (2), a missing
    recording or file a problem (1)."""
    from annotator.captioning import ProviderOptionError, UnknownProviderError
    from annotator.cli.caption_cmd import load_settings_or_exit
    from annotator.config import load_settings
    from annotator.pipeline.mine import distill, make_chat

    settings = load_settings_or_exit(load_settings)
    try:
        chat, chosen = make_chat(ws, provider, options, settings, model)
    except (UnknownProviderError, ProviderOptionError) as exc:
        raise fail(str(exc), EXIT_USAGE) from None
    except (OSError, ValueError) as exc:
        raise fail(str(exc)) from None
    with err_console.status(f"Asking {chosen} ({chat.name}) for the effect's description..."):
        return distill(ws, chat, chosen, phrases, sample=sample)


def _shown(proposal: Proposal, min_support: float) -> list[tuple[Phrase, str | None]]:
    """The phrases to show (support >= MIN_SUPPORT), each once, with why it was not taken
    (None: it is in the template). A clause group and a shared wording with the same text
    are one row: the one the template took, else the first (the best supported)."""
    reasons = {id(p): r for p, r in proposal.not_taken}
    rows: dict[str, tuple[Phrase, str | None]] = {}
    for p in proposal.phrases:
        if p.support < min_support:
            continue
        key = " ".join(p.text.casefold().split())
        reason = reasons.get(id(p))
        if key not in rows or (rows[key][1] is not None and reason is None):
            rows[key] = (p, reason)
    return list(rows.values())


def _why(reason: str | None) -> str:
    from annotator.mining.template import REASONS

    if reason is None:
        return "in the template"
    return REASONS.get(reason, reason)


def _print_phrases(proposal: Proposal, min_support: float) -> None:
    table = Table("support", "role", "phrase (most typical wording)", "where", "taken / why not")
    for p, reason in _shown(proposal, min_support):
        style = "bold green" if reason is None else ""
        table.add_row(
            f"{p.support:.0%}",
            p.role,
            styled((p.text, style)),
            f"{p.position:.2f}",
            styled((_why(reason), "green" if reason is None else "dim")),
        )
    console.print(table)


def _print_trigger(proposal: Proposal, stored: bool) -> None:
    """Say which trigger the captions carry and what becomes of it."""
    carried = proposal.carried
    if not carried:
        return
    if stored:
        console.print(
            styled(
                "The captions carry the trigger ",
                (carried, "bold"),
                ": stored as the workspace's trigger (undo with `annotator undo DIR`).",
            )
        )
    elif proposal.trigger:
        console.print(
            styled(
                "The captions carry the trigger ",
                (carried, "bold"),
                ": proposed as the workspace's trigger, kept where the captions put it "
                "(--apply stores it).",
            )
        )
    else:
        console.print(
            styled(
                "The captions carry the trigger ",
                (carried, "bold"),
                "; the workspace's own trigger takes its place in the template.",
            )
        )


def _print_distilled(distilled: Distilled, threshold: float) -> None:
    """The proposal, then each clause with its support, its evidence and its mark."""
    console.print(
        styled(
            ("Proposed by the text model", "bold"), f" ({distilled.model}, {distilled.provider}):"
        )
    )
    console.print(styled(distilled.proposal or ("(an empty answer)", "red")), soft_wrap=True)
    if not distilled.clauses:
        return
    console.print(styled(("Clause by clause", "bold"), " (share of captions that say it):"))
    for c in distilled.clauses:
        mark: tuple[str, str] = ("", "")
        if c.support == 0:
            mark = ("  unsupported: no caption says it", "bold red")
        elif not c.supported(threshold):
            mark = (f"  weak: under {threshold:.0%} of the captions say it", "yellow")
        console.print(styled(f"{c.support:>5.0%}  ", (c.clause, "bold"), mark), soft_wrap=True)
        for said in c.evidence:
            console.print(styled(("       evidence: ", "dim"), said), soft_wrap=True)
    if distilled.unsupported:
        console.print(
            styled(
                ("Check the unsupported clauses:", "yellow"),
                " the model wrote them but no caption says them; remove them or rewrite them "
                "before storing.",
            ),
            soft_wrap=True,
        )


def _mine_json(
    proposal: Proposal, min_support: float, threshold: float, distilled: Distilled | None
) -> dict[str, object]:
    payload: dict[str, object] = {
        "phrases": [
            {**p.to_dict(), "taken": reason is None, "why_not": reason}
            for p, reason in _shown(proposal, min_support)
        ],
        "template": proposal.template,
        "shared_effect": proposal.shared,
        "carried_trigger": proposal.carried,
        "proposed_trigger": proposal.trigger,
    }
    if distilled is not None:
        payload["distilled"] = {
            "proposal": distilled.proposal,
            "provider": distilled.provider,
            "model": distilled.model,
            "clauses": [
                {
                    "clause": c.clause,
                    "support": round(c.support, 4),
                    "supported": c.supported(threshold),
                    "unsupported": c.support == 0,
                    "evidence": list(c.evidence),
                }
                for c in distilled.clauses
            ],
        }
    return payload


def template(
    root: Path = DirArgument,
    set_text: str | None = typer.Option(None, "--set", help="Replace the template with TEXT."),
    edit: bool = typer.Option(False, "--edit", help="Edit the template in $EDITOR."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for machines."),
) -> None:
    """Show or change the effect template: the one motion description every prompt shares.

    Pronoun slots, filled per sample: {pronoun} {possessive} {object} {reflexive} (en:
    she/her/her/herself, he/his/him/himself, it/its/it/itself) and {ta} (zh: 她/他/它).
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
            "trigger_in_template": bool(current and trigger and trigger in current),
        }
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    if not current:
        console.print(
            f"No template yet: run `annotator mine {root} --apply`, or set one with --set."
        )
        return
    # Not through rich's wrapping: line breaks inside a template would be copied with it.
    console.print(styled(current), soft_wrap=True)
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
