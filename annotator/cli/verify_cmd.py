"""verify: the vision model checks every final prompt against its own clip (issue 12)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.table import Table

from annotator.cli.batch_options import (
    BaseUrlOption,
    ConcurrencyOption,
    KeyEnvOption,
    ModelOption,
    OnlyOption,
    RegionOption,
    make_plan,
    provider_option,
    provider_options,
    run_with_bar,
    status_option,
)
from annotator.cli.caption_cmd import load_settings_or_exit
from annotator.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    DirArgument,
    console,
    err_console,
    open_workspace,
    styled,
)
from annotator.counting import counted
from annotator.safetext import outside_text

if TYPE_CHECKING:
    from annotator.captioning import BatchSummary
    from annotator.config import Settings
    from annotator.pipeline.verify import VerifyPlan
    from annotator.verdicts import SampleVerdict, Verdict
    from annotator.workspace import Sample, Workspace


def verify(
    root: Path = DirArgument,
    provider: str | None = provider_option("verdicts"),
    model: str | None = ModelOption,
    region: str | None = RegionOption,
    base_url: str | None = BaseUrlOption,
    key_env: str | None = KeyEnvOption,
    replay_file: Path | None = typer.Option(
        None,
        "--replay-file",
        help="replay provider: the caption recordings; verdicts are read from verify.jsonl "
        "beside them (default DIR/replay.jsonl).",
    ),
    concurrency: int | None = ConcurrencyOption,
    force: bool = typer.Option(
        False, "--force", help="Verify again even where the prompt as it stands has a verdict."
    ),
    only: list[str] = OnlyOption,
    status: str | None = status_option("reviewed"),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="List what would be sent, with tokens and cost; send nothing."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for machines."),
) -> None:
    """Ask the vision model whether each final prompt matches its own clip.

    Every sample with a prompt that is not rejected is sent with its subject, background
    and effect text (kf2v: also its first and last frame); the model says what does not
    match, which defects it sees and what kind of subject it is. Each verdict is stored
    as it arrives; a changed prompt makes its verdict stale, and the next run verifies
    only those. `check` reports what the verdicts found; export refuses a flagged sample
    until a person accepts it after its verdict.
    """
    from annotator.config import load_settings
    from annotator.pipeline.verify import plan_verification

    settings = load_settings_or_exit(load_settings)
    options = provider_options(base_url, key_env, region, replay_file)
    with open_workspace(root) as ws:
        plan = make_plan(
            ws,
            only,
            status,
            plan_verification,
            provider=provider,
            options=options,
            model=model,
            force=force,
            settings=settings,
        )
        if dry_run:
            _print_dry_run(ws, plan, as_json, settings)
            return
        jobs = concurrency or settings.caption.concurrency
        summary, failures = run_with_bar(ws, plan, jobs, "Verifying", quiet=as_json)
        _report(ws, plan, summary, failures, as_json, settings)
    raise typer.Exit(EXIT_PROBLEMS if summary.failed or summary.stopped else EXIT_OK)


_COUNTS = ("verified", "flagged", "stale", "unverified")


def _scope(
    ws: Workspace, plan: VerifyPlan, summary: BatchSummary
) -> tuple[list[Sample], dict[str, SampleVerdict]] | None:
    """The samples this run looked at and their latest verdicts, as the store has them now;
    None when the store stopped the batch and no longer reads (damaged under the run):
    the stop reason names it and its fix, and no sample is to blame."""
    from annotator.pipeline.verify import load_verdicts

    assert plan.prompts is not None
    try:
        samples = [ws.sample(sid) for sid in plan.prompts.prompts]
        return samples, load_verdicts(ws, plan.prompts)
    except sqlite3.DatabaseError:
        if not summary.stopped:
            raise
        return None


def _report(
    ws: Workspace,
    plan: VerifyPlan,
    summary: BatchSummary,
    failures: list[str],
    as_json: bool,
    settings: Settings,
) -> None:
    from annotator.captioning.pricing import PRICES_DATED
    from annotator.pipeline.verify import money, totals

    scope = _scope(ws, plan, summary)
    samples, verdicts = scope or ([], {})
    counts = totals(samples, verdicts) if scope else None
    spent = money(plan, summary.input_tokens, summary.output_tokens, settings)
    if as_json:
        data = {
            "provider": plan.provider_name,
            "model": plan.model,
            "summary": {
                "sent": summary.total,
                "verified_now": summary.done,
                "failed": summary.failed,
                "already_verified": plan.cached,
                "unreadable_again": len(plan.unreadable_again),
                "no_prompt": len(plan.no_prompt),
                # None each: the store no longer reads (see stop_reason).
                **{k: None if counts is None else getattr(counts, k) for k in _COUNTS},
                "input_tokens": summary.input_tokens,
                "output_tokens": summary.output_tokens,
                "cost": None if spent.amount is None else round(spent.amount, 4),
                "currency": spent.currency,
                "prices_dated": PRICES_DATED,
                "stop_reason": summary.stop_reason,
            },
            "samples": [_sample_json(s, verdicts.get(s.id)) for s in samples],
            "failures": [outside_text(line) for line in failures],
        }
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    for line in failures:
        err_console.print(styled(("failed", "red"), " ", outside_text(line)))
    _print_flagged(samples, verdicts)
    cost_words = spent.words()
    taken = f", {summary.taken} left to another verify run" if summary.taken else ""
    lost = f", {summary.lost} answered but not stored" if summary.lost else ""
    now = (
        "The store no longer reads, so nothing is counted"
        if counts is None
        else f"Now {counts.verified} verified, {counts.flagged} flagged, {counts.stale} stale, "
        f"{counts.unverified} not verified"
    )
    console.print(
        f"Verified {summary.done} of {summary.total} with {plan.provider_name} ({plan.model}); "
        f"{summary.failed} failed, {plan.cached} already verified{_again(plan)}{taken}{lost}. "
        f"{now}; tokens: {summary.input_tokens} in + {summary.output_tokens} out, {cost_words}."
    )
    if plan.no_prompt:
        console.print(
            f"No prompt yet on {counted(len(plan.no_prompt), 'sample')}: nothing to verify there."
        )
    if summary.stop_reason:
        err_console.print(styled(("stopped:", "bold red"), " ", outside_text(summary.stop_reason)))


def _again(plan: VerifyPlan) -> str:
    """ ", N asked again (...)": the samples sent again because their answer was unreadable."""
    n = len(plan.unreadable_again)
    if n == 0:
        return ""
    return f", {n} asked again ({'its answer was' if n == 1 else 'their answers were'} unreadable)"


def _print_flagged(samples: list[Sample], verdicts: dict[str, SampleVerdict]) -> None:
    flagged = [(s, verdicts[s.id]) for s in samples if s.id in verdicts and verdicts[s.id].flagged]
    if not flagged:
        return
    table = Table(title=f"flagged ({len(flagged)})", title_justify="left", expand=True)
    table.add_column("clip", style="bold", overflow="fold")
    table.add_column("what", overflow="fold")
    table.add_column("the model's note", overflow="fold")
    for sample, seen in flagged:
        first = True
        for part, note in seen.notes():
            clip = sample.path + (" (stale)" if seen.stale else "") if first else ""
            table.add_row(styled(clip), styled((part, "yellow")), styled(outside_text(note)))
            first = False
    console.print(table)


def _sample_json(sample: Sample, seen: SampleVerdict | None) -> dict[str, Any]:
    if seen is None:
        return {"sample_id": sample.id, "path": sample.path, "verdict": None}
    return {
        "sample_id": sample.id,
        "path": sample.path,
        "flagged": seen.flagged,
        "stale": seen.stale,
        "reasons": seen.reasons(),
        "notes": [{"part": p, "note": outside_text(n)} for p, n in seen.notes()],
        "verdict": None if seen.verdict is None else _verdict_json(seen.verdict),
        "problem": None if seen.problem is None else outside_text(seen.problem),
        "model": seen.model,
        "verified_at": seen.verified_at.isoformat(),
    }


def _verdict_json(verdict: Verdict) -> dict[str, Any]:
    """The verdict as JSON, its notes (the model's words) made safe."""
    data = verdict.model_dump(mode="json")
    return {k: outside_text(v) if k.endswith("_note") else v for k, v in data.items()}


def _print_dry_run(ws: Workspace, plan: VerifyPlan, as_json: bool, settings: Settings) -> None:
    from annotator.captioning.pricing import PRICES_DATED
    from annotator.pipeline.verify import estimate_request, money

    rows = []
    for request in plan.requests:
        sample = plan.sample_by_request[request]
        tokens_in, tokens_out = estimate_request(request, sample)
        rows.append((sample.path, tokens_in, tokens_out))
    total_in, total_out = sum(r[1] for r in rows), sum(r[2] for r in rows)
    spent = money(plan, total_in, total_out, settings)
    if as_json:
        data = {
            "dry_run": True,
            "provider": plan.provider_name,
            "model": plan.model,
            "requests": [{"path": p, "input_tokens": i, "output_tokens": o} for p, i, o in rows],
            "input_tokens": total_in,
            "output_tokens": total_out,
            "cost": None if spent.amount is None else round(spent.amount, 4),
            "currency": spent.currency,
            "prices_dated": PRICES_DATED,
            "already_verified": plan.cached,
            "unreadable_again": len(plan.unreadable_again),
            "no_prompt": len(plan.no_prompt),
        }
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    table = Table("clip", "model", "est. input tokens", "est. output tokens")
    for path, tokens_in, tokens_out in rows:
        table.add_row(styled(path), plan.model, str(tokens_in), str(tokens_out))
    console.print(table)
    cost_words = spent.words()
    console.print(
        f"{counted(len(rows), 'request')} to {plan.provider_name}, about {total_in} input and "
        f"{total_out} output tokens, {cost_words}{_again(plan)}; "
        f"{counted(plan.cached, 'sample')} already verified. "
        "Nothing was sent (--dry-run)."
    )
