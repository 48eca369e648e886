"""What `annotator mine` prints: the phrases and why each was or was not taken, the
trigger the captions carry, the proposed template (or the text model's, clause by
clause), and what was stored; or all of it as JSON."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.table import Table

from annotator.cli.common import console, err_console, styled

if TYPE_CHECKING:
    from annotator.mining import Phrase
    from annotator.pipeline.mine import Distilled, Proposal


@dataclass(frozen=True)
class Mined:
    """What one run of `mine` found and did.

    distilled: the text model's description (--distill), else None; storable: there is a
    template to store (the mined one needs a shared effect, the model's a non-empty
    answer); stored_trigger: --apply stored the trigger the captions carry.
    """

    proposal: Proposal
    distilled: Distilled | None
    storable: bool
    stored_trigger: bool


def print_report(mined: Mined, min_support: float, threshold: float) -> None:
    """The phrases table, the trigger, and the template proposed (mined or distilled)."""
    proposal, distilled = mined.proposal, mined.distilled
    _print_phrases(proposal, min_support)
    _print_trigger(proposal, mined.stored_trigger)
    if not proposal.shared:
        _print_no_shared_effect(threshold, distilled is not None)
    if distilled is None:
        console.print(styled(("Proposed template", "bold"), f" (phrases at >= {threshold:.0%}):"))
        console.print(styled(proposal.template), soft_wrap=True)
    else:
        _print_distilled(distilled, threshold)


def print_outcome(mined: Mined, apply: bool) -> None:
    """Say what became of the proposal: stored, not storable, or how to store it."""
    if apply and not mined.storable:
        why = (
            "the text model's answer is empty"
            if mined.distilled
            else "a template needs an effect the captions share"
        )
        err_console.print(styled(("Not stored:", "red"), f" {why}."))
    elif apply:
        console.print("Stored as the workspace's template (`annotator template DIR` shows it).")
    elif mined.distilled is not None:
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


def mine_json(mined: Mined, min_support: float, threshold: float) -> dict[str, object]:
    """The report as JSON-ready data (for --json)."""
    proposal, distilled = mined.proposal, mined.distilled
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


def _print_no_shared_effect(threshold: float, distilled: bool) -> None:
    """Why the mined template describes no effect, and what to do (unless DISTILLED)."""
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
