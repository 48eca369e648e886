"""Steps 3 and 4 in the domain: checkpoints, deployments and test videos."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from annotator.basemodels import Mode
from annotator.finetune import errors
from annotator.finetune.checkpoints import (
    download_previews,
    export_checkpoint,
    refresh_checkpoints,
    wait_export,
)
from annotator.finetune.client import DashScopeClient
from annotator.finetune.deploy import (
    delete_deployment,
    deploy_target,
    deployment_body,
    start_deployment,
    wait_deployment,
)
from annotator.finetune.exported import find_export
from annotator.finetune.generate import (
    Picture,
    Settings,
    download_video,
    start_generation,
    wait_generation,
)
from annotator.finetune.jobs import fingerprint, job_body, start_job, wait_job
from annotator.finetune.poll import Poller
from annotator.finetune.upload import stored_file_ids, upload_export
from annotator.workspace import Workspace
from annotator.workspace.remote import DEPLOYMENTS, FinetuneJob
from tests.fakes.dashscope_server import Reply
from tests.fakes.finetune_server import AIGC_KEYS, FakeFinetune
from tests.finetune.helpers import FakeClock, client_for, make_workspace


def _trained(ws: Workspace, client: DashScopeClient) -> FinetuneJob:
    export = find_export(ws)
    upload_export(ws, client, export)
    body = job_body(export, *stored_file_ids(ws, client.service, export))
    job = start_job(ws, client, body).row
    return wait_job(ws, client, job, Poller(1, FakeClock()))


def _deployed(ws: Workspace, client: DashScopeClient, checkpoint: str | None = None):  # type: ignore[no-untyped-def]
    target = deploy_target(ws, client.service.endpoint, checkpoint=checkpoint)
    body = deployment_body(find_export(ws), target)
    started = start_deployment(ws, client, body, target)
    return wait_deployment(ws, client, started.row, Poller(1, FakeClock()))


def _picture(path: Path) -> Path:
    Image.new("RGB", (32, 24), (200, 30, 30)).save(path)
    return path


def test_checkpoints_previews_download_and_export(
    ws: Workspace, fake: FakeFinetune, client: DashScopeClient, tmp_path: Path
) -> None:
    job = _trained(ws, client)
    found = refresh_checkpoints(ws, client, job)
    assert [c.checkpoint for c in found] == ["checkpoint-20", "checkpoint-40", "checkpoint-60"]
    assert all(len(c.previews or []) == 2 for c in found)
    paths = download_previews(ws, client, job.job_id or "", found[1], tmp_path / "p")
    assert [p.name for p in paths] == ["preview_01.mp4", "preview_02.mp4"]
    assert (tmp_path / "p" / "checkpoint-40" / "previews.json").is_file()
    exported = export_checkpoint(ws, client, job, "checkpoint-40")
    assert exported.model_name == f"{job.job_id}-checkpoint-40"
    assert fake.requests("jobs.export")[0].query["model_name"] == [exported.model_name]
    export_checkpoint(ws, client, job, "checkpoint-40")  # asked before: not again
    assert len(fake.requests("jobs.export")) == 1
    done = wait_export(ws, client, job, "checkpoint-40", Poller(1, FakeClock()))
    assert done.export_status == "SUCCEEDED"
    with pytest.raises(errors.PipelineError, match="no checkpoint 'checkpoint-99'"):
        export_checkpoint(ws, client, job, "checkpoint-99")
    deployed = _deployed(ws, client, checkpoint="checkpoint-40")
    assert deployed.model_name == exported.model_name and deployed.checkpoint == "checkpoint-40"


def test_deploy_sends_aigc_config_once_and_waits_for_running(
    ws: Workspace, fake: FakeFinetune, client: DashScopeClient
) -> None:
    with pytest.raises(errors.PipelineError, match="no fine-tune job"):
        deploy_target(ws, client.service.endpoint)
    job = _trained(ws, client)
    found = _deployed(ws, client)
    assert found.status == "RUNNING" and found.charge_type == "post_paid"
    sent = fake.requests("deployments.create")[0].json
    assert sent["model_name"] == job.finetuned_output
    assert (sent["plan"], sent["capacity"]) == ("lora", 1)
    assert set(sent["aigc_config"]) == AIGC_KEYS
    again = _deployed(ws, client)
    assert again.deployed_model == found.deployed_model
    assert len(fake.requests("deployments.create")) == 1
    gone = delete_deployment(ws, client, again, Poller(1, FakeClock()))
    assert gone.status == "DELETED" and DEPLOYMENTS.select(ws) == []


def test_a_deployment_a_dead_run_made_is_found_on_page_3(
    ws: Workspace, fake: FakeFinetune, client: DashScopeClient
) -> None:
    _trained(ws, client)
    target = deploy_target(ws, client.service.endpoint)
    body = deployment_body(find_export(ws), target)
    for n in range(119):  # other projects on the account: the list runs to 3 pages of 50
        fake.add_deployment(f"other-{n:03d}", f"other-model-{n:03d}")
    endpoint = client.service.endpoint
    DEPLOYMENTS.begin(
        ws,
        endpoint,
        fingerprint(endpoint, body),
        body,
        model_name=body["model_name"],
        job_id=target.job_id,
        checkpoint=None,
    )
    made = client.create_deployment(body).output  # sent; the run died before storing it
    started = start_deployment(ws, client, body, target)
    assert started.recovered and started.row.deployed_model == made["deployed_model"]
    assert len(fake.requests("deployments.create")) == 1
    listed = fake.requests("deployments.list")
    assert [r.query["page_no"][0] for r in listed] == ["1", "2", "3"]


def test_deploy_before_the_job_succeeded_says_wait(
    ws: Workspace, fake: FakeFinetune, client: DashScopeClient
) -> None:
    fake.hold_jobs = True
    export = find_export(ws)
    upload_export(ws, client, export)
    start_job(ws, client, job_body(export, *stored_file_ids(ws, client.service, export)))
    with pytest.raises(errors.PipelineError, match=r"is PENDING.*--wait"):
        deploy_target(ws, client.service.endpoint)


def test_deploy_refusals(ws: Workspace, fake: FakeFinetune, client: DashScopeClient) -> None:
    job = _trained(ws, client)
    target = deploy_target(ws, client.service.endpoint)
    body = deployment_body(find_export(ws), target)
    fake.fail("deployments.create", Reply(409, code="Conflict", message="exists"))
    with pytest.raises(errors.ConflictError, match="--suffix"):
        start_deployment(ws, client, body, target)
    fake.max_deployments = 0
    with pytest.raises(errors.ResourceLimitError, match="delete a deployment"):
        start_deployment(ws, client, body, target)
    assert DEPLOYMENTS.select(ws) == []
    fake.max_deployments = None
    fake.deploy_steps = ["PENDING", "ARREARS_DOWN"]
    started = start_deployment(ws, client, body, target)
    with pytest.raises(errors.ArrearsError, match="Top up"):
        wait_deployment(ws, client, started.row, Poller(1, FakeClock()))
    assert job.job_id


def test_a_failed_deployment_says_delete_and_retry(
    ws: Workspace, fake: FakeFinetune, client: DashScopeClient
) -> None:
    _trained(ws, client)
    fake.deploy_steps = ["PENDING", "FAILED"]
    with pytest.raises(errors.DeploymentFailedError, match="--delete"):
        _deployed(ws, client)


def test_no_deployment_json_says_how_to_get_one(tmp_path: Path, fake: FakeFinetune) -> None:
    with make_workspace(tmp_path / "w", deployment=False) as ws, client_for(fake) as client:
        _trained(ws, client)
        with pytest.raises(errors.PipelineError, match="annotator template"):
            _deployed(ws, client)


def test_generate_i2v_uploads_the_picture_and_downloads_the_video(
    ws: Workspace, fake: FakeFinetune, client: DashScopeClient, tmp_path: Path
) -> None:
    _trained(ws, client)
    found = _deployed(ws, client)
    picture = Picture.of(str(_picture(tmp_path / "cat.png")))
    started = start_generation(ws, client, found, [picture], Settings())
    sent = fake.requests("tasks.i2v")[0]
    assert sent.headers["x-dashscope-async"] == "enable"
    assert sent.headers["x-dashscope-ossresourceresolve"] == "enable"
    assert sent.json["input"]["img_url"].startswith("oss://dashscope-instant/")
    assert sent.json["parameters"] == {"resolution": "720P", "prompt_extend": False}
    assert fake.requests("policy")[0].query["model"] == [found.deployed_model]
    assert "authorization" not in fake.requests("oss")[0].headers
    done = wait_generation(ws, client, started.row, Poller(1, FakeClock()))
    assert done.usage == {"duration": 5, "video_count": 1, "SR": 720}
    saved = download_video(ws, client, done, tmp_path / "out")
    assert saved.video_path and Path(saved.video_path).name.startswith("cat-")
    again = start_generation(ws, client, found, [picture], Settings())
    assert not again.created and len(fake.requests("tasks.i2v")) == 1


def test_generate_kf2v_takes_first_and_last_frame_urls(tmp_path: Path, fake: FakeFinetune) -> None:
    with make_workspace(tmp_path / "kf", Mode.KF2V) as ws, client_for(fake) as client:
        _trained(ws, client)
        found = _deployed(ws, client)
        pics = [Picture.of("https://example.com/a.png"), Picture.of("https://example.com/b.png")]
        start_generation(ws, client, found, pics, Settings(prompt="a cat", resolution="480P"))
    sent = fake.requests("tasks.kf2v")[0]
    assert sent.json["input"] == {
        "first_frame_url": "https://example.com/a.png",
        "last_frame_url": "https://example.com/b.png",
        "prompt": "a cat",
    }
    assert "x-dashscope-ossresourceresolve" not in sent.headers


def test_a_failed_task_gives_its_reason(
    ws: Workspace, fake: FakeFinetune, client: DashScopeClient
) -> None:
    _trained(ws, client)
    found = _deployed(ws, client)
    fake.task_steps = ["PENDING", "FAILED"]
    started = start_generation(ws, client, found, [Picture.of("https://x/a.png")], Settings())
    with pytest.raises(errors.TaskFailedError, match="DataInspectionFailed"):
        wait_generation(ws, client, started.row, Poller(1, FakeClock()))
    assert start_generation(ws, client, found, [Picture.of("https://x/a.png")], Settings()).created
