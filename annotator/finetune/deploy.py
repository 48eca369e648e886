"""Step 3: deploy the fine-tuned model (plan lora, the exported aigc_config), follow, delete."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from annotator.finetune.client import Answer, DashScopeClient
from annotator.finetune.errors import (
    ArrearsError,
    ConflictError,
    DeploymentFailedError,
    NotFoundError,
    PipelineError,
)
from annotator.finetune.exported import ExportedDataset
from annotator.finetune.jobs import current_job, fingerprint
from annotator.finetune.poll import Poller
from annotator.finetune.resumable import Resumed, resume
from annotator.finetune.status import (
    DEPLOYMENT_ARREARS,
    DEPLOYMENT_DELETING,
    DEPLOYMENT_FAILED,
    DEPLOYMENT_GONE,
    DEPLOYMENT_RUNNING,
    EXPORT_SUCCEEDED,
    JOB_SUCCEEDED,
)
from annotator.shellcmd import command
from annotator.workspace import Workspace
from annotator.workspace.db import now_iso
from annotator.workspace.remote import CHECKPOINTS, DEPLOYMENTS, Deployment


@dataclass(frozen=True)
class Target:
    """What to deploy: a model name, and the job and checkpoint it came from."""

    model_name: str
    job_id: str | None = None
    checkpoint: str | None = None


def deploy_target(
    ws: Workspace,
    endpoint: str,
    *,
    checkpoint: str | None = None,
    model_name: str | None = None,
    job_id: str | None = None,
) -> Target:
    """The job's final model, an exported checkpoint's model, or a name given as is."""
    if model_name:
        return Target(model_name, job_id, checkpoint)
    job = current_job(ws, endpoint, job_id)
    assert job.job_id is not None
    if checkpoint:
        found = CHECKPOINTS.first(ws, job_id=job.job_id, checkpoint=checkpoint)
        export = f"`{command('checkpoints', ws.root)} --export {checkpoint} --wait`"
        if found is None or not found.model_name:
            raise PipelineError(f"{checkpoint} of job {job.job_id} is not exported: run {export}")
        if found.export_status != EXPORT_SUCCEEDED:
            raise PipelineError(
                f"the export of {checkpoint} is {found.export_status or 'not done'}: run {export}"
            )
        return Target(found.model_name, job.job_id, checkpoint)
    if job.status != JOB_SUCCEEDED or not job.finetuned_output:
        raise PipelineError(
            f"job {job.job_id} is {job.status}: a model can be deployed once it SUCCEEDED "
            f"(`{command('finetune', ws.root)} --wait`)"
        )
    return Target(job.finetuned_output, job.job_id, None)


def deployment_body(
    export: ExportedDataset,
    target: Target,
    *,
    suffix: str | None = None,
    capacity: int | None = None,
) -> dict[str, Any]:
    """deployment.json with the model name filled in."""
    if export.deployment is None:
        raise PipelineError(
            f"no deployment.json in {export.folder}: the export writes it once the workspace "
            "has an effect template (`annotator mine DIR`, `annotator template DIR`), then "
            "`annotator export DIR`"
        )
    body = copy.deepcopy(export.deployment)
    body["model_name"] = target.model_name
    body.setdefault("capacity", 1)
    body.setdefault("plan", "lora")
    if capacity is not None:
        body["capacity"] = capacity
    if suffix:
        body["suffix"] = suffix
    return body


def start_deployment(
    ws: Workspace, client: DashScopeClient, body: dict[str, Any], target: Target
) -> Resumed[Deployment]:
    """The deployment of BODY: the stored one, one found after a crash, or a new one."""
    endpoint = client.service.endpoint
    request = _DeploymentRequest(client, body, target)
    return resume(ws, DEPLOYMENTS, request, endpoint, fingerprint(endpoint, body))


@dataclass(frozen=True)
class _DeploymentRequest:
    """A deployment as `resume` makes it (a Resource); a dead run's is found by model name."""

    client: DashScopeClient
    body: dict[str, Any]
    target: Target

    def reusable(self, stored: Deployment) -> bool:
        return stored.status not in DEPLOYMENT_FAILED and stored.status != DEPLOYMENT_GONE

    def listed(self) -> Iterator[dict[str, Any]]:
        return self.client.iter_deployments()  # every page: the account may have hundreds

    def made_by(self, item: Mapping[str, Any], attempt: Deployment) -> bool:
        return item.get("model_name") == attempt.model_name

    def new_row(self) -> dict[str, Any]:
        return {
            "request": self.body,
            "model_name": self.body["model_name"],
            "job_id": self.target.job_id,
            "checkpoint": self.target.checkpoint,
        }

    def create(self, attempt: Deployment) -> Answer:
        try:
            return self.client.create_deployment(attempt.request)
        except ConflictError as exc:
            raise ConflictError(
                f"{exc.message} A deployment of {self.target.model_name} exists already, made "
                "outside this workspace's records. Deploy under another name with --suffix "
                "NAME, or delete the other one (Model Studio console, or `annotator deploy DIR "
                "--delete --deployed-model NAME`).",
                status=exc.status,
                code=exc.code,
            ) from None


def current_deployment(
    ws: Workspace, endpoint: str, deployed_model: str | None = None
) -> Deployment:
    """The deployment named, or the newest one at ENDPOINT that is not deleted."""
    for found in DEPLOYMENTS.select(ws):
        if found.endpoint != endpoint or found.deployed_model is None:
            continue
        if deployed_model is None or found.deployed_model == deployed_model:
            return found
    if deployed_model:
        raise PipelineError(
            f"no deployment {deployed_model} in this workspace; `{command('jobs', ws.root)}` "
            "lists them"
        )
    raise PipelineError(
        f"nothing deployed from this workspace yet: run `{command('deploy', ws.root)}`"
    )


def refresh_deployment(ws: Workspace, client: DashScopeClient, found: Deployment) -> Deployment:
    """Ask for the deployment's status; NotFound after a delete means it is gone."""
    assert found.deployed_model is not None
    try:
        answer = client.get_deployment(found.deployed_model)
    except NotFoundError:
        if found.status != DEPLOYMENT_DELETING:
            raise
        return DEPLOYMENTS.update(
            ws, found.id, {"status": DEPLOYMENT_GONE, "deleted_at": now_iso()}
        )
    return DEPLOYMENTS.record(ws, found.id, answer.output, answer.request_id)


def fresh_deployment(
    ws: Workspace, client: DashScopeClient, deployed_model: str | None = None
) -> Deployment:
    """The deployment named (or the newest), asked for its status unless stored as RUNNING."""
    found = current_deployment(ws, client.service.endpoint, deployed_model)
    if found.status != DEPLOYMENT_RUNNING:
        found = refresh_deployment(ws, client, found)
    return found


def _ready_or_stuck(found: Deployment) -> bool:
    return (
        found.status == DEPLOYMENT_RUNNING
        or found.status in DEPLOYMENT_FAILED
        or found.status in DEPLOYMENT_ARREARS
    )


def wait_deployment(
    ws: Workspace,
    client: DashScopeClient,
    found: Deployment,
    poller: Poller,
    on_update: Callable[[Deployment, float], None] | None = None,
) -> Deployment:
    """Poll until RUNNING; DeploymentFailedError or ArrearsError when it cannot get there."""
    last = poller.wait(
        lambda: refresh_deployment(ws, client, DEPLOYMENTS.by_row(ws, found.id)),
        _ready_or_stuck,
        on_update,
        what=f"deployment {found.deployed_model}",
    )
    check_deployment(ws, last)
    return last


def check_deployment(ws: Workspace, found: Deployment) -> None:
    """The error for a deployment that failed or is down for arrears."""
    name = found.deployed_model
    if found.status in DEPLOYMENT_FAILED:
        raise DeploymentFailedError(
            f"deployment {name} is {found.status}. Delete it (`{command('deploy', ws.root)} "
            f"--delete`) and deploy again; if it fails again, deploy another checkpoint",
            code=found.status,
        )
    if found.status in DEPLOYMENT_ARREARS:
        raise ArrearsError(
            f"deployment {name} is {found.status}: the account is overdue and the service is "
            "stopped. Top up in the Alibaba Cloud billing console; it recovers by itself "
            "(ARREARS_RECOVERING, then RUNNING): follow it with "
            f"`{command('deploy', ws.root)} --wait`",
            code=found.status,
        )


def delete_deployment(
    ws: Workspace, client: DashScopeClient, found: Deployment, poller: Poller | None = None
) -> Deployment:
    """Delete the deployment (it stops costing); with POLLER, wait until it is gone."""
    assert found.deployed_model is not None
    try:
        answer = client.delete_deployment(found.deployed_model)
    except NotFoundError:
        return DEPLOYMENTS.update(
            ws, found.id, {"status": DEPLOYMENT_GONE, "deleted_at": now_iso()}
        )
    output = answer.output if isinstance(answer.output, dict) else {}
    found = DEPLOYMENTS.record(ws, found.id, {**output, "status": DEPLOYMENT_DELETING})
    if poller is None:
        return found
    return poller.wait(
        lambda: refresh_deployment(ws, client, DEPLOYMENTS.by_row(ws, found.id)),
        lambda d: d.status == DEPLOYMENT_GONE,
        what=f"the deletion of {found.deployed_model}",
    )
