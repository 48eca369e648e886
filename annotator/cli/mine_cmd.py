"""mine: find the phrases the captions share and propose the effect template."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from annotator.cli.common import (
    EXIT_PROBLEMS,
    EXIT_USAGE,
    DirArgument,
    err_console,
    fail,
    open_workspace,
    styled,
)
from annotator.cli.mine_report import Mined, mine_json, print_outcome, print_report
from annotator.shellcmd import command

if TYPE_CHECKING:
    from annotator.mining import Phrase
    from annotator.pipeline.mine import Distilled
    from annotator.workspace import Workspace

ThresholdOption = typer.Option(
    0.5,
    "--threshold",
    min=0.0,
    max=1.0,
    help="Share of captions a phrase needs to join the template.",
)


@dataclass(frozen=True)
class _DistillRequest:
    """--distill: which text model to ask, and how many captions to show it."""

    provider: str | None
    options: dict[str, Any]
    model: str | None
    sample: int


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
    request = None
    if distill:
        options = {"base_url": base_url, "key_env_var": key_env, "region": region}
        request = _DistillRequest(provider, options, model, sample)
    mined = _run(root, threshold, request, apply)
    if as_json:
        payload = mine_json(mined, min_support, threshold)
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        print_report(mined, min_support, threshold)
        print_outcome(mined, apply)
    if apply and not mined.storable:
        raise typer.Exit(EXIT_PROBLEMS)


def _run(root: Path, threshold: float, request: _DistillRequest | None, apply: bool) -> Mined:
    """Propose a template (the text model's with REQUEST); store it when APPLY and there
    is one. The store is only read without APPLY."""
    from annotator.pipeline.mine import apply_template, propose

    stored_trigger = False
    with open_workspace(root) as ws:
        if not ws.latest_captions():
            raise fail(f"no captions in {root} yet: run `{command('caption', root)}` first")
        proposal = propose(ws, threshold)
        distilled = _distill(ws, proposal.phrases, request) if request is not None else None
        template_text = distilled.proposal if distilled else proposal.template
        storable = bool(template_text) if distilled else proposal.shared
        if apply and storable:
            stored_trigger = apply_template(
                ws, proposal.phrases, template_text, trigger=proposal.trigger
            )
    return Mined(proposal, distilled, storable, stored_trigger)


def _distill(ws: Workspace, phrases: Sequence[Phrase], request: _DistillRequest) -> Distilled:
    """Ask the text model; a bad provider choice is a usage error (2), a missing
    recording or file a problem (1)."""
    from annotator.captioning import ProviderOptionError, UnknownProviderError
    from annotator.cli.caption_cmd import load_settings_or_exit
    from annotator.config import load_settings
    from annotator.pipeline.mine import distill, make_chat

    settings = load_settings_or_exit(load_settings)
    try:
        chat, chosen = make_chat(ws, request.provider, request.options, settings, request.model)
    except (UnknownProviderError, ProviderOptionError) as exc:
        raise fail(str(exc), EXIT_USAGE) from None
    except (OSError, ValueError) as exc:
        raise fail(str(exc)) from None
    # A Text, not a str: the spinner reads a str as markup whatever the console says.
    asking = styled(f"Asking {chosen} ({chat.name}) for the effect's description...")
    with err_console.status(asking):
        return distill(ws, chat, chosen, phrases, sample=request.sample)
