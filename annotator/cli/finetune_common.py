"""What the fine-tuning commands share: their options, the client, waiting, bars and output.

The commands (finetune_cmds, finetune_deploy_cmds, generate_cmd, jobs_cmd) are the steps
of the vendor guide (wan-finetune-guide steps 1-4), each resumable and safe to re-run:
what the service returns is stored in the workspace first, and a second run finds it
instead of creating it again. The key comes from DASHSCOPE_API_KEY.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from annotator.cli.common import EXIT_USAGE, err_console, fail, open_workspace, styled
from annotator.safetext import outside_text

if TYPE_CHECKING:
    from annotator.finetune.client import DashScopeClient, Service
    from annotator.finetune.poll import Poller
    from annotator.workspace import Workspace

RegionOption = typer.Option(
    None,
    "--region",
    help="cn (Beijing) or intl (Singapore). Default: caption.region of the config file, "
    "else cn. A key works in its own region only.",
)
BaseUrlOption = typer.Option(
    None,
    "--base-url",
    help="Another address for the DashScope API (a proxy, a test server); "
    "also $ANNOTATOR_DASHSCOPE_BASE_URL.",
)
FromOption = typer.Option(
    None,
    "--from",
    help="The export folder (or its training zip). Default: DIR/export/.",
)
IntervalOption = typer.Option(
    None,
    "--poll-interval",
    min=0.0,
    help="Seconds between status checks (default 30 for jobs, 15 for deployments, 5 for videos).",
)
TimeoutOption = typer.Option(
    None,
    "--timeout",
    min=0.0,
    help="Stop waiting after this many seconds; the work goes on at the service.",
)
JsonOption = typer.Option(False, "--json", help="Print JSON for machines.")


@contextmanager
def remote(
    root: Path, region: str | None, base_url: str | None
) -> Iterator[tuple[Workspace, DashScopeClient]]:
    """The workspace and a client; a refusal or a missing key ends the command with its message."""
    from annotator.finetune.client import open_client
    from annotator.finetune.errors import RemoteError

    with open_workspace(root) as ws:
        try:
            with open_client(_service(region, base_url)) as client:
                yield ws, client
        except RemoteError as exc:
            raise fail(str(exc)) from None
        except KeyboardInterrupt:
            raise fail(
                "stopped waiting; what was started goes on at the service and is stored in the "
                "workspace: run the same command again to follow it"
            ) from None


def _service(region: str | None, base_url: str | None) -> Service:
    from annotator.finetune.client import service_for

    try:
        return service_for(region, base_url)
    except ValueError as exc:  # an unknown region, or a config file that cannot be read
        raise fail(str(exc), EXIT_USAGE) from None


def make_poller(interval: float | None, default: float, timeout: float | None) -> Poller:
    """The waiting of --wait: every INTERVAL (else DEFAULT) seconds, retries shown on stderr."""
    from annotator.finetune.poll import Poller

    def on_error(exc: Exception) -> None:
        err_console.print(styled(("retrying:", "yellow"), " ", outside_text(str(exc))))

    return Poller(interval if interval is not None else default, timeout=timeout, on_error=on_error)


def bytes_bar() -> Progress:
    """The progress bar of uploads and downloads: bytes, speed, time left."""
    return Progress(
        TextColumn("{task.description}", style="bold", markup=False),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    )


def progress_maker(bar: Progress) -> Callable[[str, int], Callable[[int, int], None]]:
    """Make (label, total bytes) a task of BAR and return the callback that advances it."""

    def make(label: str, total: int) -> Callable[[int, int], None]:
        task = bar.add_task(label, total=total or None)
        return lambda done, all_: bar.update(task, completed=done, total=all_ or None)

    return make


def since(stamp: datetime) -> str:
    """The time from STAMP to now: 4m 05s, or 2h 03m 04s."""
    seconds = int((datetime.now(UTC) - stamp).total_seconds())
    hours, rest = divmod(max(seconds, 0), 3600)
    return (
        f"{hours}h {rest // 60:02d}m {rest % 60:02d}s"
        if hours
        else f"{rest // 60}m {rest % 60:02d}s"
    )


def dump(data: Any) -> None:
    """Print DATA as the JSON of --json."""
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def exclusive(usage: str, **flags: bool) -> None:
    """Exit 2 when more than one of FLAGS is on."""
    given = [f"--{name.replace('_', '-')}" for name, on in flags.items() if on]
    if len(given) > 1:
        raise fail(f"{' and '.join(given)} do not go together; {usage}", EXIT_USAGE)
