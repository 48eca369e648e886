"""checkpoints and deploy: choose the fine-tuned model and serve it (guide step 3).

Resumable and safe to re-run: exports and deployments are stored in the workspace first,
and a second run finds them instead of asking again. What the fine-tuning commands share
is in finetune_common.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from annotator.cli.common import DirArgument, console, err_console, styled
from annotator.cli.finetune_common import (
    BaseUrlOption,
    FromOption,
    IntervalOption,
    JsonOption,
    RegionOption,
    TimeoutOption,
    bytes_bar,
    dump,
    exclusive,
    make_poller,
    progress_maker,
    remote,
    since,
)
from annotator.counting import counted
from annotator.shellcmd import command

if TYPE_CHECKING:
    from annotator.finetune.client import DashScopeClient
    from annotator.finetune.poll import Poller
    from annotator.workspace import Workspace
    from annotator.workspace.remote import Checkpoint, Deployment, FinetuneJob


# -- checkpoints ----------------------------------------------------------------------------


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
    review: bool = typer.Option(
        False,
        "--review",
        help="Compare the previews of every checkpoint side by side, mark the best, export "
        "and deploy it (an interactive view).",
    ),
    graphics: str = typer.Option(
        "auto", "--graphics", help="With --review: auto, halfcell, unicode or none."
    ),
    job_id: str | None = typer.Option(None, "--job", help="Another job than the newest."),
    interval: float | None = IntervalOption,
    timeout: float | None = TimeoutOption,
    region: str | None = RegionOption,
    base_url: str | None = BaseUrlOption,
    as_json: bool = JsonOption,
) -> None:
    """List the job's checkpoints with their preview videos; download them; export one.

    The service renders the validation set at every checkpoint. A middle checkpoint is
    often better than the last: watch the previews (--review shows them side by side and
    records the best), then `--export CKPT --wait` and `annotator deploy DIR --checkpoint CKPT`.
    """
    from annotator.finetune.poll import EXPORT_INTERVAL

    if review:
        _check_review(graphics)
    poller = make_poller(interval, EXPORT_INTERVAL, timeout)
    with remote(root, region, base_url) as (ws, client):
        from annotator.finetune.jobs import current_job

        job = current_job(ws, client.service.endpoint, job_id)
        if review:
            _review_checkpoints(ws, client, job, poller, output, graphics)
            return
        if export_ckpt:
            _export_checkpoint(ws, client, job, export_ckpt, model_name, poller if wait else None)
            return
        found = _list_checkpoints(ws, client, job, output if download else None, download)
    if as_json:
        dump([c.model_dump(mode="json") for c in found])
        return
    _print_checkpoints(job, found)


def _check_review(graphics: str) -> None:
    import sys

    from annotator.cli.common import EXIT_USAGE, fail

    if graphics not in ("auto", "halfcell", "unicode", "none"):
        raise fail(
            f"--graphics must be auto, halfcell, unicode or none, not {graphics}", EXIT_USAGE
        )
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise fail(
            "--review is an interactive view and needs a terminal; in a script use "
            "`annotator checkpoints DIR --download` and `--export CKPT`",
            EXIT_USAGE,
        )


def _review_checkpoints(
    ws: Workspace,
    client: DashScopeClient,
    job: FinetuneJob,
    poller: Poller,
    output: Path | None,
    graphics: str,
) -> None:
    from typing import cast

    from annotator.pipeline.checkpoint_review import CheckpointBoard
    from annotator.tui.screens.checkpoints import CheckpointsApp
    from annotator.tui.widgets.frames import Graphics

    board = CheckpointBoard(ws, client, job, poller, output)
    CheckpointsApp(board, graphics=cast(Graphics, graphics)).run()


def _list_checkpoints(
    ws: Workspace, client: DashScopeClient, job: FinetuneJob, output: Path | None, download: bool
) -> list[Checkpoint]:
    from annotator.finetune.checkpoints import (
        download_previews,
        previews_folder,
        refresh_checkpoints,
    )
    from annotator.workspace.remote import CHECKPOINTS

    found = refresh_checkpoints(ws, client, job)
    if not download:
        return found
    assert job.job_id is not None
    folder = previews_folder(ws, job.job_id, output)
    with bytes_bar() as bar:
        make = progress_maker(bar)
        for ckpt in found:
            paths = download_previews(
                ws, client, job.job_id, ckpt, folder, lambda name: make(name, 0)
            )
            where = paths[0].parent if paths else folder  # the folder download_previews used
            err_console.print(
                styled(f"{ckpt.checkpoint}: {counted(len(paths), 'preview')} in {where}"),
                soft_wrap=True,
            )
    return CHECKPOINTS.select(ws, job_id=job.job_id)


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
    console.print(
        styled(f"{ckpt} exported as ", (done.model_name, "bold"), f" ({done.export_status})")
    )
    if poller is not None:
        with err_console.status(styled(f"exporting {ckpt}")):
            done = wait_export(ws, client, job, ckpt, poller)
        console.print(styled(f"{ckpt}: export {done.export_status}"))
    console.print(styled(f"next: {command('deploy', ws.root)} --checkpoint {ckpt} --wait"))


def _print_checkpoints(job: FinetuneJob, found: list[Checkpoint]) -> None:
    if not found:
        console.print(styled(f"job {job.job_id} ({job.status}) has no checkpoints yet"))
        return
    table = Table("checkpoint", "previews", "exported as", "export", "downloaded")
    for c in found:
        table.add_row(
            styled(c.checkpoint),
            str(len(c.previews or [])),
            styled(c.model_name or "-"),
            styled(c.export_status or "-"),
            str(len(c.downloads or [])) if c.downloads else "-",
        )
    console.print(table)
    for c in found:
        for item in c.previews or []:
            console.print(styled(f"{c.checkpoint}  {item.get('video_path')}"), soft_wrap=True)
    console.print(styled("preview URLs last 24 h; --download keeps them"))


# -- deploy ---------------------------------------------------------------------------------


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

    exclusive("use one at a time", status=status, delete=delete)
    poller = make_poller(interval, DEPLOYMENT_INTERVAL, timeout)
    with remote(root, region, base_url) as (ws, client):
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
            dump(found.model_dump(mode="json"))
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
    console.print(styled(f"deployment {found.deployed_model}: {found.status}"))
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
    found = started.row
    if started.created:
        err_console.print(
            styled(f"deploying {target.model_name} as ", (found.deployed_model, "bold"))
        )
    elif started.recovered:
        err_console.print(
            styled(f"found deployment {found.deployed_model}, made by a run that stopped early")
        )
    else:
        err_console.print(
            styled(f"deployment {found.deployed_model} exists already; not deploying again")
        )
    return found


def _wait_deployment(
    ws: Workspace, client: DashScopeClient, found: Deployment, poller: Poller
) -> Deployment:
    from annotator.finetune.deploy import wait_deployment

    seen = {"status": ""}
    with err_console.status(styled(f"deployment {found.deployed_model}")) as spinner:

        def show(current: Deployment, _: float) -> None:
            elapsed = since(current.requested_at)
            if current.status != seen["status"]:
                seen["status"] = current.status
                name = current.deployed_model
                err_console.print(
                    styled(f"deployment {name}: ", (current.status, "bold"), f" after {elapsed}")
                )
            spinner.update(
                styled(f"deployment {current.deployed_model}: {current.status} · {elapsed}")
            )

        return wait_deployment(ws, client, found, poller, show)


def _print_deployment(ws: Workspace, found: Deployment) -> None:
    console.print(styled("deployment ", (found.deployed_model, "bold"), f": {found.status}"))
    if found.status == "RUNNING":
        console.print(
            styled(
                f"next: {command('generate', ws.root)} IMAGE   "
                "(a deployment is billed while it runs)"
            )
        )
