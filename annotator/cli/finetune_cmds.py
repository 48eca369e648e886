"""upload, finetune, checkpoints, deploy, generate and jobs: the dataset to a working LoRA.

Each command is one step of the vendor guide (wan-finetune-guide steps 1-4), resumable
and safe to re-run: what the service returns is stored in the workspace first, and a
second run finds it instead of creating it again. The key comes from DASHSCOPE_API_KEY.
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
from rich.table import Table

from annotator.cli import app
from annotator.cli.common import EXIT_USAGE, DirArgument, console, err_console, fail, open_workspace

if TYPE_CHECKING:
    from annotator.finetune.client import DashScopeClient, Service
    from annotator.finetune.poll import Poller
    from annotator.workspace import Workspace
    from annotator.workspace.remote import Deployment, FinetuneJob, Generation

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


# -- what every remote command shares -----------------------------------------------------


@contextmanager
def _remote(
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
            raise fail(exc.message) from None
        except KeyboardInterrupt:
            raise fail(
                "stopped waiting; what was started goes on at the service and is stored in the "
                "workspace: run the same command again to follow it"
            ) from None


def _service(region: str | None, base_url: str | None) -> Service:
    from annotator.config import ConfigError, load_settings
    from annotator.finetune.client import Service

    try:
        region = region or load_settings().caption.region
    except ConfigError as exc:
        raise fail(str(exc), EXIT_USAGE) from None
    try:
        return Service.resolve(region, base_url)
    except ValueError as exc:
        raise fail(str(exc), EXIT_USAGE) from None


def _poller(interval: float | None, default: float, timeout: float | None) -> Poller:
    from annotator.finetune.poll import Poller

    def on_error(exc: Exception) -> None:
        err_console.print(f"[yellow]retrying:[/] {exc}")

    return Poller(interval if interval is not None else default, timeout=timeout, on_error=on_error)


def _bytes_bar() -> Progress:
    """The progress bar of uploads and downloads: bytes, speed, time left."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    )


def _progress_for(bar: Progress) -> Callable[[str, int], Callable[[int, int], None]]:
    def make(label: str, total: int) -> Callable[[int, int], None]:
        task = bar.add_task(label, total=total or None)
        return lambda done, all_: bar.update(task, completed=done, total=all_ or None)

    return make


def _since(stamp: datetime) -> str:
    seconds = int((datetime.now(UTC) - stamp).total_seconds())
    hours, rest = divmod(max(seconds, 0), 3600)
    return (
        f"{hours}h {rest // 60:02d}m {rest % 60:02d}s"
        if hours
        else f"{rest // 60}m {rest % 60:02d}s"
    )


def _dump(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _exclusive(usage: str, **flags: bool) -> None:
    given = [f"--{name.replace('_', '-')}" for name, on in flags.items() if on]
    if len(given) > 1:
        raise fail(f"{' and '.join(given)} do not go together; {usage}", EXIT_USAGE)


# -- upload ---------------------------------------------------------------------------------


@app.command()
def upload(
    root: Path = DirArgument,
    source: Path | None = FromOption,
    force: bool = typer.Option(
        False, "--force", help="Send the zips again even if the same bytes went up before."
    ),
    region: str | None = RegionOption,
    base_url: str | None = BaseUrlOption,
    as_json: bool = JsonOption,
) -> None:
    """Upload the exported training zip (and validation zip) for fine-tuning: step 1.

    Sends each zip with purpose fine-tune, in the region's upload shape, with a progress
    bar; stores the file ids in the workspace. A zip whose bytes went to the same region
    before is not sent again. Needs DASHSCOPE_API_KEY. Next: `annotator finetune DIR`.
    """
    from annotator.finetune.exported import find_export
    from annotator.finetune.upload import upload_export

    with _remote(root, region, base_url) as (ws, client):
        export = find_export(ws, source)
        with _bytes_bar() as bar:
            make = _progress_for(bar)

            def progress_for(role: str, path: Path) -> Callable[[int, int], None]:
                return make(f"Uploading {path.name}", path.stat().st_size)

            outcomes = upload_export(ws, client, export, force=force, progress_for=progress_for)
    if as_json:
        _dump(
            [
                {"role": o.role, "reused": o.reused, **o.file.model_dump(mode="json")}
                for o in outcomes
            ]
        )
        return
    for o in outcomes:
        if o.reused:
            console.print(
                f"{o.path.name}: uploaded before as [bold]{o.file.file_id}[/] "
                f"({o.file.uploaded_at:%Y-%m-%d %H:%M}); not sent again (--force sends it)"
            )
        else:
            console.print(
                f"{o.path.name}: uploaded as [bold]{o.file.file_id}[/] ({o.file.bytes:,} bytes)"
            )
    console.print(f"next: annotator finetune {root} --wait")


# -- finetune -------------------------------------------------------------------------------


@app.command()
def finetune(
    root: Path = DirArgument,
    source: Path | None = FromOption,
    training_file_id: list[str] | None = typer.Option(
        None, "--training-file-id", help="Train on this uploaded file id instead (repeatable)."
    ),
    validation_file_id: list[str] | None = typer.Option(
        None, "--validation-file-id", help="Validate on this uploaded file id (repeatable)."
    ),
    wait: bool = typer.Option(False, "--wait", help="Follow the job until it ends."),
    status: bool = typer.Option(False, "--status", help="Ask the service once how the job is."),
    cancel: bool = typer.Option(False, "--cancel", help="Stop the job."),
    delete: bool = typer.Option(False, "--delete", help="Delete the ended job at the service."),
    new: bool = typer.Option(
        False, "--new", help="Create another job even if one exists for this data and body."
    ),
    job_id: str | None = typer.Option(None, "--job", help="Act on this job id (default: newest)."),
    interval: float | None = IntervalOption,
    timeout: float | None = TimeoutOption,
    region: str | None = RegionOption,
    base_url: str | None = BaseUrlOption,
    as_json: bool = JsonOption,
) -> None:
    """Create the fine-tune job from the export's finetune.json: step 2; or follow it.

    The job trains on the uploaded zips' file ids (or --training-file-id). It is created
    once: the same zips and parameters find the stored job, also after a crash. --wait
    shows the status, the time since it started and the new log lines until it ends (a
    closed terminal loses nothing: --wait again picks it up). Exit 1 when it FAILED.
    """
    from annotator.finetune.poll import JOB_INTERVAL

    _exclusive("use one at a time", status=status, cancel=cancel, delete=delete)
    acting = status or cancel or delete
    if acting and (training_file_id or validation_file_id or new):
        raise fail("--training-file-id and --new are for creating a job", EXIT_USAGE)
    poller = _poller(interval, JOB_INTERVAL, timeout)
    with _remote(root, region, base_url) as (ws, client):
        if acting:
            job = _act_on_job(ws, client, job_id, status=status, cancel=cancel)
        else:
            job = _create_job(ws, client, source, training_file_id, validation_file_id, new)
        if wait and not delete:
            job = _wait_job(ws, client, job, poller, check=not cancel)
        if as_json:
            _dump(job.model_dump(mode="json"))
        else:
            _print_job(job, tail=status)
        if status:
            from annotator.finetune.jobs import check_job

            check_job(ws, job)
        elif not (wait or as_json or cancel or delete):
            console.print(f"next: annotator finetune {root} --wait")


def _act_on_job(
    ws: Workspace, client: DashScopeClient, job_id: str | None, *, status: bool, cancel: bool
) -> FinetuneJob:
    from annotator.finetune.jobs import cancel_job, current_job, delete_job, refresh_job

    job = current_job(ws, client.service.endpoint, job_id)
    if status:
        return refresh_job(ws, client, job).job
    if cancel:
        job = cancel_job(ws, client, job)
        err_console.print(f"cancel sent for job {job.job_id}: it is {job.status}")
        return job
    job = delete_job(ws, client, job)
    err_console.print(f"job {job.job_id} deleted at the service (kept in the workspace's records)")
    return job


def _create_job(
    ws: Workspace,
    client: DashScopeClient,
    source: Path | None,
    train_ids: list[str] | None,
    valid_ids: list[str] | None,
    new: bool,
) -> FinetuneJob:
    from annotator.finetune.exported import find_export
    from annotator.finetune.jobs import job_body, model_warning, start_job
    from annotator.finetune.upload import stored_file_ids

    export = find_export(ws, source)
    if train_ids:
        ids = (list(train_ids), list(valid_ids or []))
    else:
        ids = stored_file_ids(ws, client.service, export)
    body = job_body(export, *ids)
    if warning := model_warning(body):
        err_console.print(f"[yellow]warning:[/] {warning}")
    started = start_job(ws, client, body, new=new)
    job = started.job
    if started.created:
        err_console.print(f"created fine-tune job [bold]{job.job_id}[/] ({job.status})")
    elif started.recovered:
        err_console.print(f"found job {job.job_id}, created by a run that stopped early")
    else:
        err_console.print(
            f"job {job.job_id} exists for this data and these parameters ({job.status}); "
            "not creating another (--new does)"
        )
    return job


def _wait_job(
    ws: Workspace, client: DashScopeClient, job: FinetuneJob, poller: Poller, *, check: bool
) -> FinetuneJob:
    from annotator.finetune.jobs import JobUpdate, wait_job

    seen = {"status": ""}
    with err_console.status(f"job {job.job_id}") as spinner:

        def show(update: JobUpdate, _: float) -> None:
            current = update.job
            elapsed = _since(current.requested_at)
            if current.status != seen["status"]:
                seen["status"] = current.status
                name = current.job_id
                err_console.print(f"job {name}: [bold]{current.status}[/] after {elapsed}")
            for line in update.new_logs:
                err_console.print(f"  [dim]{line}[/]")
            spinner.update(f"job {current.job_id}: {current.status} · {elapsed}")

        return wait_job(ws, client, job, poller, show, check=check)


def _print_job(job: FinetuneJob, *, tail: bool) -> None:
    console.print(
        f"job [bold]{job.job_id}[/]: {job.status} (started {_since(job.requested_at)} ago)"
    )
    if job.finetuned_output:
        console.print(f"  model: {job.finetuned_output}")
    if job.usage is not None:
        console.print(f"  training tokens: {job.usage:,}")
    if tail:
        for line in job.log_tail[-10:]:
            console.print(f"  [dim]{line}[/]")


# -- checkpoints ----------------------------------------------------------------------------


@app.command()
def checkpoints(
    root: Path = DirArgument,
    download: bool = typer.Option(
        False, "--download", help="Save the preview videos (their URLs last 24 h)."
    ),
    output: Path | None = typer.Option(
        None, "-o", "--output", help="Where --download saves. Default: DIR-checkpoints/ beside DIR."
    ),
    export_ckpt: str | None = typer.Option(
        None, "--export", metavar="CKPT", help="Export this checkpoint as a deployable model."
    ),
    model_name: str | None = typer.Option(
        None, "--model-name", help="The name --export gives the model (unique per account)."
    ),
    wait: bool = typer.Option(False, "--wait", help="With --export: wait until it is done."),
    job_id: str | None = typer.Option(None, "--job", help="Another job than the newest."),
    interval: float | None = IntervalOption,
    timeout: float | None = TimeoutOption,
    region: str | None = RegionOption,
    base_url: str | None = BaseUrlOption,
    as_json: bool = JsonOption,
) -> None:
    """List the job's checkpoints with their preview videos; download them; export one.

    The service renders the validation set at every checkpoint. A middle checkpoint is
    often better than the last: watch the previews, then `--export CKPT --wait` and
    `annotator deploy DIR --checkpoint CKPT`.
    """
    from annotator.finetune.poll import EXPORT_INTERVAL

    poller = _poller(interval, EXPORT_INTERVAL, timeout)
    with _remote(root, region, base_url) as (ws, client):
        from annotator.finetune.jobs import current_job

        job = current_job(ws, client.service.endpoint, job_id)
        if export_ckpt:
            _export_checkpoint(ws, client, job, export_ckpt, model_name, poller if wait else None)
            return
        found = _list_checkpoints(ws, client, job, output if download else None, download)
    if as_json:
        _dump([c.model_dump(mode="json") for c in found])
        return
    _print_checkpoints(job, found)


def _list_checkpoints(
    ws: Workspace, client: DashScopeClient, job: FinetuneJob, output: Path | None, download: bool
) -> list:
    from annotator.finetune.checkpoints import download_previews, refresh_checkpoints
    from annotator.workspace.remote import checkpoints as stored_checkpoints

    found = refresh_checkpoints(ws, client, job)
    if not download:
        return found
    assert job.job_id is not None
    folder = (output or ws.root.parent / f"{ws.root.name}-checkpoints") / job.job_id
    with _bytes_bar() as bar:
        make = _progress_for(bar)
        for ckpt in found:
            paths = download_previews(
                ws, client, job.job_id, ckpt, folder, lambda name: make(name, 0)
            )
            where = folder / ckpt.checkpoint
            err_console.print(
                f"{ckpt.checkpoint}: {len(paths)} preview(s) in {where}", soft_wrap=True
            )
    return stored_checkpoints(ws, job.job_id)


def _export_checkpoint(
    ws: Workspace,
    client: DashScopeClient,
    job: FinetuneJob,
    ckpt: str,
    model_name: str | None,
    poller: Poller | None,
) -> None:
    from annotator.finetune.checkpoints import export_checkpoint, wait_export

    done = export_checkpoint(ws, client, job, ckpt, model_name)
    console.print(f"{ckpt} exported as [bold]{done.model_name}[/] ({done.export_status})")
    if poller is not None:
        with err_console.status(f"exporting {ckpt}"):
            done = wait_export(ws, client, job, ckpt, poller)
        console.print(f"{ckpt}: export {done.export_status}")
    console.print(f"next: annotator deploy {ws.root} --checkpoint {ckpt} --wait")


def _print_checkpoints(job: FinetuneJob, found: list) -> None:
    if not found:
        console.print(f"job {job.job_id} ({job.status}) has no checkpoints yet")
        return
    table = Table("checkpoint", "previews", "exported as", "export", "downloaded")
    for c in found:
        table.add_row(
            c.checkpoint,
            str(len(c.previews or [])),
            c.model_name or "-",
            c.export_status or "-",
            str(len(c.downloads or [])) if c.downloads else "-",
        )
    console.print(table)
    for c in found:
        for item in c.previews or []:
            console.print(f"{c.checkpoint}  {item.get('video_path')}", soft_wrap=True)
    console.print("preview URLs last 24 h; --download keeps them")


# -- deploy ---------------------------------------------------------------------------------


@app.command()
def deploy(
    root: Path = DirArgument,
    checkpoint: str | None = typer.Option(
        None, "--checkpoint", help="Deploy this exported checkpoint instead of the final model."
    ),
    model_name: str | None = typer.Option(
        None, "--model-name", help="Deploy a model by name (e.g. one exported elsewhere)."
    ),
    suffix: str | None = typer.Option(
        None, "--suffix", help="Added to the deployment's name (when the name is taken)."
    ),
    capacity: int | None = typer.Option(None, "--capacity", min=1, help="Instances (default 1)."),
    wait: bool = typer.Option(False, "--wait", help="Follow until RUNNING (5-10 minutes)."),
    status: bool = typer.Option(False, "--status", help="Ask the service once how it is."),
    delete: bool = typer.Option(False, "--delete", help="Remove the deployment (stops billing)."),
    deployed_model: str | None = typer.Option(
        None, "--deployed-model", help="With --status/--delete: this deployment (default newest)."
    ),
    source: Path | None = FromOption,
    interval: float | None = IntervalOption,
    timeout: float | None = TimeoutOption,
    region: str | None = RegionOption,
    base_url: str | None = BaseUrlOption,
    as_json: bool = JsonOption,
) -> None:
    """Deploy the fine-tuned model with plan lora and the export's aigc_config: step 3.

    Deploys the job's final model, or --checkpoint CKPT once exported. Created once: a
    re-run finds the stored deployment. --wait follows it to RUNNING and names FAILED and
    arrears states with their fix; --delete removes it (a deployment is billed while it runs).
    """
    from annotator.finetune.poll import DEPLOYMENT_INTERVAL

    _exclusive("use one at a time", status=status, delete=delete)
    poller = _poller(interval, DEPLOYMENT_INTERVAL, timeout)
    with _remote(root, region, base_url) as (ws, client):
        from annotator.finetune.deploy import check_deployment, current_deployment

        endpoint = client.service.endpoint
        if delete or status:
            found = current_deployment(ws, endpoint, deployed_model)
            found = _act_on_deployment(
                ws, client, found, delete=delete, poller=poller if wait else None
            )
        else:
            found = _create_deployment(ws, client, source, checkpoint, model_name, suffix, capacity)
        if wait and not delete:
            found = _wait_deployment(ws, client, found, poller)
        if as_json:
            _dump(found.model_dump(mode="json"))
        elif not delete:
            _print_deployment(ws, found)
        if not delete:
            check_deployment(ws, found)


def _act_on_deployment(
    ws: Workspace,
    client: DashScopeClient,
    found: Deployment,
    *,
    delete: bool,
    poller: Poller | None,
) -> Deployment:
    from annotator.finetune.deploy import delete_deployment, refresh_deployment

    if not delete:
        return refresh_deployment(ws, client, found)
    found = delete_deployment(ws, client, found, poller)
    console.print(f"deployment {found.deployed_model}: {found.status}")
    return found


def _create_deployment(
    ws: Workspace,
    client: DashScopeClient,
    source: Path | None,
    checkpoint: str | None,
    model_name: str | None,
    suffix: str | None,
    capacity: int | None,
) -> Deployment:
    from annotator.finetune.deploy import deploy_target, deployment_body, start_deployment
    from annotator.finetune.exported import find_export

    target = deploy_target(
        ws, client.service.endpoint, checkpoint=checkpoint, model_name=model_name
    )
    body = deployment_body(find_export(ws, source), target, suffix=suffix, capacity=capacity)
    started = start_deployment(ws, client, body, target)
    found = started.deployment
    if started.created:
        err_console.print(f"deploying {target.model_name} as [bold]{found.deployed_model}[/]")
    elif started.recovered:
        err_console.print(
            f"found deployment {found.deployed_model}, made by a run that stopped early"
        )
    else:
        err_console.print(f"deployment {found.deployed_model} exists already; not deploying again")
    return found


def _wait_deployment(
    ws: Workspace, client: DashScopeClient, found: Deployment, poller: Poller
) -> Deployment:
    from annotator.finetune.deploy import wait_deployment

    seen = {"status": ""}
    with err_console.status(f"deployment {found.deployed_model}") as spinner:

        def show(current: Deployment, _: float) -> None:
            elapsed = _since(current.requested_at)
            if current.status != seen["status"]:
                seen["status"] = current.status
                name = current.deployed_model
                err_console.print(f"deployment {name}: [bold]{current.status}[/] after {elapsed}")
            spinner.update(f"deployment {current.deployed_model}: {current.status} · {elapsed}")

        return wait_deployment(ws, client, found, poller, show)


def _print_deployment(ws: Workspace, found: Deployment) -> None:
    console.print(f"deployment [bold]{found.deployed_model}[/]: {found.status}")
    if found.status == "RUNNING":
        console.print(
            f"next: annotator generate {ws.root} IMAGE   (a deployment is billed while it runs)"
        )


# -- generate -------------------------------------------------------------------------------


@app.command()
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
) -> None:
    """Make a video with the deployed LoRA from a new picture, to see the effect: step 4.

    i2v takes IMAGE; kf2v takes IMAGE and optionally LAST_IMAGE. A local picture goes to
    DashScope's temporary storage first. The task is polled and its video downloaded
    beside the workspace (a folder inside it would be scanned as clips).
    """
    from annotator.finetune.poll import TASK_INTERVAL

    if resolution not in ("720P", "480P"):
        raise fail(f"--resolution must be 720P or 480P, not {resolution!r}", EXIT_USAGE)
    poller = _poller(interval, TASK_INTERVAL, timeout)
    with _remote(root, region, base_url) as (ws, client):
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
        _dump(found.model_dump(mode="json"))
    elif found.video_path:
        console.print(f"video: [bold]{found.video_path}[/]", soft_wrap=True)
    else:
        console.print(f"task [bold]{found.task_id}[/]: {found.status}")


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
    from annotator.finetune.deploy import current_deployment, refresh_deployment
    from annotator.finetune.generate import Picture, Settings, start_generation

    if images[1] is not None and ws.info.mode is Mode.I2V:
        raise fail("LAST_IMAGE is for kf2v workspaces; this one is i2v", EXIT_USAGE)
    pictures = [Picture.of(text) for text in images if text is not None]
    found = current_deployment(ws, client.service.endpoint, deployed_model)
    if found.status != "RUNNING":
        found = refresh_deployment(ws, client, found)
    settings = Settings(prompt=prompt, resolution=resolution, prompt_extend=prompt_extend)
    started = start_generation(ws, client, found, pictures, settings, again=again)
    task = started.generation
    if started.created:
        err_console.print(f"started task [bold]{task.task_id}[/] on {found.deployed_model}")
    else:
        err_console.print(
            f"task {task.task_id} exists for this input ({task.status}); --again makes another"
        )
    return task


def _finish_generation(
    ws: Workspace, client: DashScopeClient, found: Generation, poller: Poller, output: Path | None
) -> Generation:
    from annotator.finetune.generate import download_video, output_folder, wait_generation

    with err_console.status(f"task {found.task_id}") as spinner:

        def show(current: Generation, elapsed: float) -> None:
            spinner.update(f"task {current.task_id}: {current.status} · {elapsed:.0f} s")

        found = wait_generation(ws, client, found, poller, show)
    with _bytes_bar() as bar:
        progress = _progress_for(bar)("Downloading the video", 0)
        return download_video(ws, client, found, output_folder(ws, output), progress)


# -- jobs: the whole pipeline ---------------------------------------------------------------


@app.command("jobs")
def jobs_command(
    root: Path = DirArgument,
    refresh: bool = typer.Option(
        False, "--refresh", help="Ask the service about everything not finished first."
    ),
    region: str | None = RegionOption,
    base_url: str | None = BaseUrlOption,
    as_json: bool = JsonOption,
) -> None:
    """Where the fine-tuning pipeline stands: uploads, jobs, checkpoints, deployments, videos.

    Reads the workspace only (no key needed), unless --refresh.
    """
    from annotator.finetune.pipeline import overview, refresh_all

    if refresh:
        with _remote(root, region, base_url) as (ws, client):
            for problem in refresh_all(ws, client):
                err_console.print(f"[yellow]could not refresh:[/] {problem}")
    with open_workspace(root) as ws:
        view = overview(ws)
    if as_json:
        _dump(
            {
                "uploads": [u.model_dump(mode="json") for u in view.uploads],
                "jobs": [j.model_dump(mode="json") for j in view.jobs],
                "checkpoints": {
                    k: [c.model_dump(mode="json") for c in v] for k, v in view.checkpoints.items()
                },
                "deployments": [d.model_dump(mode="json") for d in view.deployments],
                "generations": [g.model_dump(mode="json") for g in view.generations],
                "next": view.next_step,
            }
        )
        return
    _print_overview(view)


def _print_overview(view: Any) -> None:
    if view.uploads:
        table = Table("zip", "file id", "bytes", "uploaded", title="Uploads", title_justify="left")
        for u in view.uploads:
            table.add_row(u.name, u.file_id, f"{u.bytes:,}", f"{u.uploaded_at:%Y-%m-%d %H:%M}")
        console.print(table)
    if view.jobs:
        table = Table(
            "job",
            "status",
            "model",
            "tokens",
            "started",
            title="Fine-tune jobs",
            title_justify="left",
        )
        for j in view.jobs:
            tokens = f"{j.usage:,}" if j.usage is not None else "-"
            table.add_row(
                j.job_id or "(no answer)",
                j.status,
                j.finetuned_output or "-",
                tokens,
                f"{_since(j.requested_at)} ago",
            )
        console.print(table)
    for job_id, marks in view.checkpoints.items():
        exported = [
            f"{c.checkpoint} -> {c.model_name} ({c.export_status})" for c in marks if c.model_name
        ]
        console.print(
            f"{job_id}: {len(marks)} checkpoint(s)"
            + (f"; exported: {', '.join(exported)}" if exported else "")
        )
    if view.deployments:
        table = Table(
            "deployment", "status", "model", "checkpoint", title="Deployments", title_justify="left"
        )
        for d in view.deployments:
            table.add_row(
                d.deployed_model or "(no answer)", d.status, d.model_name, d.checkpoint or "final"
            )
        console.print(table)
    if view.generations:
        table = Table("task", "status", "picture", "video", title="Videos", title_justify="left")
        table.columns[3].overflow = "fold"
        for g in view.generations:
            table.add_row(
                g.task_id or "(no answer)", g.status, Path(g.image).name, g.video_path or "-"
            )
        console.print(table)
    if not (view.uploads or view.jobs):
        console.print("nothing sent to DashScope from this workspace yet")
    console.print(f"next: {view.next_step}")
