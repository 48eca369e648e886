"""Where the whole pipeline stands, from the store alone (or refreshed from the service)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from annotator.finetune.client import DashScopeClient
from annotator.finetune.deploy import refresh_deployment
from annotator.finetune.errors import RemoteError
from annotator.finetune.generate import refresh_generation, refresh_task
from annotator.finetune.jobs import refresh_job
from annotator.finetune.status import (
    CREATING,
    DEPLOYMENT_GONE,
    DEPLOYMENT_RUNNING,
    JOB_FINAL,
    JOB_SUCCEEDED,
    JOB_UNHAPPY,
    TASK_FINAL,
)
from annotator.shellcmd import command
from annotator.workspace import Workspace
from annotator.workspace.remote import (
    CHECKPOINTS,
    DEPLOYMENTS,
    GENERATIONS,
    JOBS,
    SOURCES,
    UPLOADS,
    Checkpoint,
    Deployment,
    FinetuneJob,
    Generation,
    RemoteFile,
    SourceTask,
)


@dataclass(frozen=True)
class Overview:
    uploads: list[RemoteFile]
    jobs: list[FinetuneJob]
    checkpoints: dict[str, list[Checkpoint]]
    deployments: list[Deployment]
    generations: list[Generation]
    next_step: str
    sources: list[SourceTask] = field(default_factory=list)  # `annotator source`'s candidates


def overview(ws: Workspace) -> Overview:
    """Everything stored about the remote steps, newest first, and what to run next."""
    all_jobs = JOBS.select(ws)
    marks = {
        j.job_id: CHECKPOINTS.select(ws, job_id=j.job_id) for j in all_jobs if j.job_id is not None
    }
    found = Overview(
        uploads=UPLOADS.select(ws),
        jobs=all_jobs,
        checkpoints={k: v for k, v in marks.items() if v},
        deployments=DEPLOYMENTS.select(ws),
        generations=GENERATIONS.select(ws),
        next_step="",
        sources=SOURCES.select(ws),
    )
    return Overview(**{**found.__dict__, "next_step": next_step(ws, found)})


def next_step(ws: Workspace, o: Overview) -> str:
    root = ws.root
    if not o.uploads:
        return f"{command('upload', root)}   (after `{command('export', root)}`)"
    job = next((j for j in o.jobs if j.job_id is not None), None)
    if job is None:
        return f"{command('finetune', root)} --wait"
    if job.status in JOB_UNHAPPY:
        return (
            f"job {job.job_id} ended {job.status}: `{command('finetune', root)} --status` "
            "shows its log"
        )
    if job.status not in JOB_FINAL:
        return f"{command('finetune', root)} --wait   (training takes hours)"
    live = [d for d in o.deployments if d.status not in (DEPLOYMENT_GONE, CREATING)]
    if job.status == JOB_SUCCEEDED and not live:
        return (
            f"{command('checkpoints', root)}   (compare the previews), then "
            f"{command('deploy', root)} [--checkpoint CKPT] --wait"
        )
    if live and live[0].status != DEPLOYMENT_RUNNING:
        return f"{command('deploy', root)} --wait   (deployment is {live[0].status})"
    if not o.generations:
        return f"{command('generate', root)} IMAGE"
    return (
        f"{command('generate', root)} IMAGE for another picture; "
        f"{command('deploy', root)} --delete when done (a deployment is billed while it runs)"
    )


def refresh_all(ws: Workspace, client: DashScopeClient) -> list[str]:
    """Ask the service about everything not final at the client's endpoint; the problems."""
    endpoint = client.service.endpoint
    problems: list[str] = []
    for job in JOBS.select(ws):
        if job.endpoint == endpoint and job.job_id and job.status not in JOB_FINAL:
            _try(partial(refresh_job, ws, client, job), problems)
    for found in DEPLOYMENTS.select(ws):
        if found.endpoint == endpoint and found.deployed_model and found.status != CREATING:
            _try(partial(refresh_deployment, ws, client, found), problems)
    for gen in GENERATIONS.select(ws):
        if gen.endpoint == endpoint and gen.task_id and gen.status not in TASK_FINAL:
            _try(partial(refresh_generation, ws, client, gen), problems)
    for src in SOURCES.select(ws):
        if src.endpoint == endpoint and src.task_id and src.status not in TASK_FINAL:
            _try(partial(refresh_task, ws, client, SOURCES, src), problems)
    return problems


def _try(call: Callable[[], object], problems: list[str]) -> None:
    try:
        call()
    except RemoteError as exc:
        problems.append(str(exc))
