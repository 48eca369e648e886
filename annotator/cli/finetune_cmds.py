"""upload and finetune: the exported dataset to a fine-tune job (guide steps 1 and 2).

Resumable and safe to re-run: the file ids and the job are stored in the workspace first,
and a second run finds them instead of creating them again. The key comes from
DASHSCOPE_API_KEY. What the fine-tuning commands share is in finetune_common.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from annotator.cli.common import EXIT_USAGE, DirArgument, console, err_console, fail, styled
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
from annotator.shellcmd import command

if TYPE_CHECKING:
    from annotator.finetune.client import DashScopeClient
    from annotator.finetune.poll import Poller
    from annotator.workspace import Workspace
    from annotator.workspace.remote import FinetuneJob


# -- upload ---------------------------------------------------------------------------------


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

    with remote(root, region, base_url) as (ws, client):
        export = find_export(ws, source)
        with bytes_bar() as bar:
            make = progress_maker(bar)

            def progress_for(role: str, path: Path) -> Callable[[int, int], None]:
                return make(f"Uploading {path.name}", path.stat().st_size)

            outcomes = upload_export(ws, client, export, force=force, progress_for=progress_for)
    if as_json:
        dump(
            [
                {"role": o.role, "reused": o.reused, **o.file.model_dump(mode="json")}
                for o in outcomes
            ]
        )
        return
    for o in outcomes:
        if o.reused:
            console.print(
                styled(
                    f"{o.path.name}: uploaded before as ",
                    (o.file.file_id, "bold"),
                    f" ({o.file.uploaded_at:%Y-%m-%d %H:%M}); not sent again (--force sends it)",
                )
            )
        else:
            console.print(
                styled(
                    f"{o.path.name}: uploaded as ",
                    (o.file.file_id, "bold"),
                    f" ({o.file.bytes:,} bytes)",
                )
            )
    console.print(styled(f"next: {command('finetune', root)} --wait"))


# -- finetune -------------------------------------------------------------------------------


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

    exclusive("use one at a time", status=status, cancel=cancel, delete=delete)
    acting = status or cancel or delete
    if acting and (training_file_id or validation_file_id or new):
        raise fail("--training-file-id and --new are for creating a job", EXIT_USAGE)
    poller = make_poller(interval, JOB_INTERVAL, timeout)
    with remote(root, region, base_url) as (ws, client):
        if acting:
            job = _act_on_job(ws, client, job_id, status=status, cancel=cancel)
        else:
            job = _create_job(ws, client, source, training_file_id, validation_file_id, new)
        if wait and not delete:
            job = _wait_job(ws, client, job, poller, check=not cancel)
        if as_json:
            dump(job.model_dump(mode="json"))
        else:
            _print_job(job, tail=status)
        if status:
            from annotator.finetune.jobs import check_job

            check_job(ws, job)
        elif not (wait or as_json or cancel or delete):
            console.print(styled(f"next: {command('finetune', root)} --wait"))


def _act_on_job(
    ws: Workspace, client: DashScopeClient, job_id: str | None, *, status: bool, cancel: bool
) -> FinetuneJob:
    from annotator.finetune.jobs import cancel_job, current_job, delete_job, refresh_job

    job = current_job(ws, client.service.endpoint, job_id)
    if status:
        return refresh_job(ws, client, job).job
    if cancel:
        job = cancel_job(ws, client, job)
        err_console.print(styled(f"cancel sent for job {job.job_id}: it is {job.status}"))
        return job
    job = delete_job(ws, client, job)
    err_console.print(
        styled(f"job {job.job_id} deleted at the service (kept in the workspace's records)")
    )
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
    from annotator.finetune.upload import training_file_ids

    export = find_export(ws, source)
    body = job_body(export, *training_file_ids(ws, client.service, export, train_ids, valid_ids))
    if warning := model_warning(body):
        err_console.print(styled(("warning:", "yellow"), f" {warning}"))
    started = start_job(ws, client, body, new=new)
    job = started.row
    if started.created:
        err_console.print(
            styled("created fine-tune job ", (job.job_id, "bold"), f" ({job.status})")
        )
    elif started.recovered:
        err_console.print(styled(f"found job {job.job_id}, created by a run that stopped early"))
    else:
        err_console.print(
            styled(
                f"job {job.job_id} exists for this data and these parameters ({job.status}); "
                "not creating another (--new does)"
            )
        )
    return job


def _wait_job(
    ws: Workspace, client: DashScopeClient, job: FinetuneJob, poller: Poller, *, check: bool
) -> FinetuneJob:
    from annotator.finetune.jobs import JobUpdate, wait_job

    seen = {"status": ""}
    with err_console.status(styled(f"job {job.job_id}")) as spinner:

        def show(update: JobUpdate, _: float) -> None:
            current = update.job
            elapsed = since(current.requested_at)
            if current.status != seen["status"]:
                seen["status"] = current.status
                name = current.job_id
                err_console.print(
                    styled(f"job {name}: ", (current.status, "bold"), f" after {elapsed}")
                )
            for line in update.new_logs:
                err_console.print(styled("  ", (line, "dim")))
            spinner.update(styled(f"job {current.job_id}: {current.status} · {elapsed}"))

        return wait_job(ws, client, job, poller, show, check=check)


def _print_job(job: FinetuneJob, *, tail: bool) -> None:
    console.print(
        styled(
            "job ", (job.job_id, "bold"), f": {job.status} (started {since(job.requested_at)} ago)"
        )
    )
    if job.finetuned_output:
        console.print(styled(f"  model: {job.finetuned_output}"))
    if job.usage is not None:
        console.print(styled(f"  training tokens: {job.usage:,}"))
    if tail:
        for line in job.log_tail[-10:]:
            console.print(styled("  ", (line, "dim")))
