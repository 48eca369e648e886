"""What the commands that send a batch to a vision model (caption, verify) share: their
options, choosing what to send, and the run under a progress bar.

A provider error (a missing key, a server out of reach, a model that does not exist) is
left to the CLI group's one catch, which prints it with its fix and exits with its code.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import typer

from annotator.cli.common import EXIT_USAGE, err_console, fail, progress_bar, styled

if TYPE_CHECKING:
    from annotator.captioning import BatchProgress, BatchSummary, ProviderError
    from annotator.pipeline.claimed import Plan
    from annotator.workspace import Sample, Workspace

P = TypeVar("P")

ModelOption: Any = typer.Option(
    None, "--model", "-m", help="VL model, e.g. qwen-vl-max, qwen3-vl-plus."
)
RegionOption: Any = typer.Option(
    None, "--region", help="DashScope region: cn (Beijing) or intl (Singapore)."
)
BaseUrlOption: Any = typer.Option(
    None, "--base-url", help="OpenAI-compatible server, e.g. http://localhost:8000/v1 (vLLM)."
)
KeyEnvOption: Any = typer.Option(
    None,
    "--key-env",
    metavar="VAR",
    help="The environment variable holding the server's key. Default: DASHSCOPE_API_KEY, "
    "which is sent only over https or to this machine.",
)
ConcurrencyOption: Any = typer.Option(
    None, "--concurrency", "-j", min=1, max=64, help="Requests at once (default 4)."
)
OnlyOption: Any = typer.Option(
    [], "--only", help="Only these samples (clip name or id prefix); repeatable."
)


def provider_option(recorded: str) -> Any:
    """--provider; RECORDED says what the replay provider answers with ("captions")."""
    return typer.Option(
        None,
        "--provider",
        "-p",
        help=f"replay (recorded {recorded}, offline), dashscope, openai, or an endpoint named "
        "in the config file. Default: the config file's, else replay.",
    )


def status_option(example: str) -> Any:
    """--status, with EXAMPLE a status worth choosing for this command."""
    return typer.Option(None, "--status", help=f"Only samples with this status, e.g. {example}.")


def provider_options(
    base_url: str | None, key_env: str | None, region: str | None, replay_file: Path | None
) -> dict[str, Any]:
    """The provider's options from the command line; the ones not given are left out later
    (``make_provider``), and the replay file only when given (else DIR/replay.jsonl)."""
    options: dict[str, Any] = {"base_url": base_url, "key_env_var": key_env, "region": region}
    if replay_file is not None:
        options["path"] = replay_file
    return options


def make_plan(
    ws: Workspace, only: list[str], status: str | None, plan: Callable[..., P], **kwargs: Any
) -> P:
    """PLAN (``plan_captions``, ``plan_verification``) for the samples chosen by --only and
    --status; a bad choice is a usage error (2), a file that cannot be read a problem (1)."""
    from annotator.workspace import SampleNotFoundError, Status

    if status is not None and status not in {s.value for s in Status}:
        names = ", ".join(s.value for s in Status)
        raise fail(f"--status {status!r} is not a status; use one of: {names}", EXIT_USAGE)
    try:
        ids = [ws.resolve(ref).id for ref in only] or None
        wanted = Status(status) if status else None
        return plan(ws, ids, status=wanted, **kwargs)
    except SampleNotFoundError as exc:
        raise fail(str(exc), EXIT_USAGE) from None
    except OSError as exc:  # an --instruction FILE or a built-in one that cannot be read
        raise fail(str(exc)) from None


def run_with_bar(
    ws: Workspace, plan: Plan[Any, Any], concurrency: int, doing: str, *, quiet: bool = False
) -> tuple[BatchSummary, list[str]]:
    """Run the batch under a progress bar saying DOING ("Captioning"), none when QUIET
    (--json); the failures, one line each. Ctrl-C ends it with exit 130, saying how many
    were done and that a re-run resumes."""
    from annotator.pipeline.claimed import BatchInterruptedError

    try:
        return _run_with_bar(ws, plan, concurrency, doing, quiet=quiet)
    except BatchInterruptedError as stop:
        err_console.print(styled(("interrupted:", "bold yellow"), str(stop).split(":", 1)[1]))
        raise typer.Exit(stop.exit_code) from None


def _run_with_bar(
    ws: Workspace, plan: Plan[Any, Any], concurrency: int, doing: str, *, quiet: bool
) -> tuple[BatchSummary, list[str]]:
    from annotator.captioning import BatchSummary
    from annotator.pipeline.claimed import check_before_sending, run_claimed

    failures: list[str] = []
    if not plan.requests:
        return BatchSummary(0, 0, 0, 0, 0, 0, 0), failures
    # Before the bar: a store that takes no write, a missing key or a server out of reach
    # is one line (the CLI group prints the error), with nothing sent.
    check_before_sending(ws, plan)

    def failed(sample: Sample, error: ProviderError) -> None:
        failures.append(failure_line(sample, error))

    if quiet:
        summary = run_claimed(ws, plan, concurrency=concurrency, on_failure=failed, checked=True)
        return summary, failures
    # Recorded answers come back in microseconds: a rate of them says nothing.
    replayed = plan.provider.name == "replay"
    with progress_bar(transient=False, rate=not replayed) as bar:
        task = bar.add_task(f"{doing} ({plan.provider_name})", total=len(plan.requests), item="")

        def show(p: BatchProgress) -> None:
            item = f"{p.failed} failed, {p.retries} retries, {p.limit} at once"
            bar.update(task, completed=p.finished, item=item)

        summary = run_claimed(
            ws, plan, concurrency=concurrency, on_progress=show, on_failure=failed, checked=True
        )
    return summary, failures


def failure_line(sample: Sample, error: ProviderError) -> str:
    """One line per failed clip; provider messages often name the clip already."""
    said = str(error)  # the message, and its fix when there is one
    if said.startswith(sample.name):
        return f"{sample.path}{said[len(sample.name) :]}"
    return f"{sample.path}: {said}"
