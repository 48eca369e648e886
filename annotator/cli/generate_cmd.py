"""generate: a test video from the deployed LoRA on a new picture (guide step 4).

Resumable and safe to re-run: the task is stored in the workspace first, and the same
input finds it instead of paying for another. What the fine-tuning commands share is in
finetune_common.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from annotator.cli.common import (
    EXIT_USAGE,
    DirArgument,
    console,
    err_console,
    fail,
    open_workspace,
    styled,
)
from annotator.cli.finetune_common import (
    BaseUrlOption,
    IntervalOption,
    JsonOption,
    RegionOption,
    TimeoutOption,
    bytes_bar,
    dump,
    make_poller,
    progress_maker,
    remote,
)

if TYPE_CHECKING:
    from annotator.finetune.client import DashScopeClient
    from annotator.finetune.poll import Poller
    from annotator.workspace import Workspace
    from annotator.workspace.remote import Generation


def generate(
    root: Path = DirArgument,
    image: str = typer.Argument(..., help="The first frame: an image file or an https:// URL."),
    last_image: str | None = typer.Argument(None, help="kf2v only: the last frame."),
    prompt: str | None = typer.Option(
        None, "--prompt", help="A prompt; default none: the deployment writes it from the image."
    ),
    resolution: str = typer.Option("720P", "--resolution", help="720P or 480P."),
    prompt_extend: bool = typer.Option(False, "--prompt-extend", help="Let the service extend it."),
    again: bool = typer.Option(False, "--again", help="A new video even for the same input."),
    wait: bool = typer.Option(True, "--wait/--no-wait", help="Wait and download the video."),
    output: Path | None = typer.Option(
        None, "-o", "--output", help="Folder for the video. Default: DIR-generated/ beside DIR."
    ),
    deployed_model: str | None = typer.Option(
        None, "--deployed-model", help="Use this deployment (default: the newest)."
    ),
    interval: float | None = IntervalOption,
    timeout: float | None = TimeoutOption,
    region: str | None = RegionOption,
    base_url: str | None = BaseUrlOption,
    as_json: bool = JsonOption,
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Say what the video would cost; send nothing."
    ),
) -> None:
    """Make a video with the deployed LoRA from a new picture, to see the effect: step 4.

    i2v takes IMAGE; kf2v takes IMAGE and optionally LAST_IMAGE. A local picture goes to
    DashScope's temporary storage first. The task is polled and its video downloaded
    beside the workspace (a folder inside it would be scanned as clips).
    """
    from annotator.finetune.poll import TASK_INTERVAL

    if resolution not in ("720P", "480P"):
        raise fail(f"--resolution must be 720P or 480P, not {resolution!r}", EXIT_USAGE)
    if dry_run:
        _print_cost(root, resolution)
        return
    poller = make_poller(interval, TASK_INTERVAL, timeout)
    with remote(root, region, base_url) as (ws, client):
        found = _start_generation(
            ws,
            client,
            [image, last_image],
            prompt,
            resolution,
            prompt_extend,
            again,
            deployed_model,
        )
        if wait:
            found = _finish_generation(ws, client, found, poller, output)
    if as_json:
        dump(found.model_dump(mode="json"))
    elif found.video_path:
        console.print(styled("video: ", (found.video_path, "bold")), soft_wrap=True)
    else:
        console.print(styled("task ", (found.task_id, "bold"), f": {found.status}"))


def _print_cost(root: Path, resolution: str) -> None:
    """What one video costs at the base model's dated list price (or config.toml's)."""
    from annotator.cli.caption_cmd import load_settings_or_exit
    from annotator.config import load_settings
    from annotator.finetune.prices import video_cost

    settings = load_settings_or_exit(load_settings)
    with open_workspace(root) as ws:
        model = ws.info.base_model
    cost = video_cost(model, resolution, 1, overrides=settings.video_prices)
    console.print(
        styled(
            f"{cost.describe(model, resolution)}, the LoRA's base model. "
            "Nothing was sent (--dry-run)."
        )
    )


def _start_generation(
    ws: Workspace,
    client: DashScopeClient,
    images: list[str | None],
    prompt: str | None,
    resolution: str,
    prompt_extend: bool,
    again: bool,
    deployed_model: str | None,
) -> Generation:
    from annotator.basemodels import Mode
    from annotator.finetune.deploy import fresh_deployment
    from annotator.finetune.generate import Picture, Settings, start_generation

    if images[1] is not None and ws.info.mode is Mode.I2V:
        raise fail("LAST_IMAGE is for kf2v workspaces; this one is i2v", EXIT_USAGE)
    pictures = [Picture.of(text) for text in images if text is not None]
    found = fresh_deployment(ws, client, deployed_model)
    settings = Settings(prompt=prompt, resolution=resolution, prompt_extend=prompt_extend)
    started = start_generation(ws, client, found, pictures, settings, again=again)
    task = started.row
    if started.created:
        err_console.print(
            styled("started task ", (task.task_id, "bold"), f" on {found.deployed_model}")
        )
    else:
        err_console.print(
            f"task {task.task_id} exists for this input ({task.status}); --again makes another"
        )
    return task


def _finish_generation(
    ws: Workspace, client: DashScopeClient, found: Generation, poller: Poller, output: Path | None
) -> Generation:
    from annotator.finetune.generate import download_video, output_folder, wait_generation

    with err_console.status(styled(f"task {found.task_id}")) as spinner:

        def show(current: Generation, elapsed: float) -> None:
            spinner.update(styled(f"task {current.task_id}: {current.status} · {elapsed:.0f} s"))

        found = wait_generation(ws, client, found, poller, show)
    with bytes_bar() as bar:
        progress = progress_maker(bar)("Downloading the video", 0)
        return download_video(ws, client, found, output_folder(ws, output), progress)
