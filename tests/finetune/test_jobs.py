"""Steps 1 and 2 in the domain: uploads once per content, jobs once per body, resumable."""

from __future__ import annotations

import pytest

from annotator.finetune.client import DashScopeClient
from annotator.finetune.errors import (
    JobFailedError,
    PipelineError,
    RemoteError,
    ResourceLimitError,
)
from annotator.finetune.exported import find_export
from annotator.finetune.jobs import (
    JobUpdate,
    cancel_job,
    delete_job,
    job_body,
    model_warning,
    refresh_job,
    start_job,
    wait_job,
)
from annotator.finetune.poll import Poller
from annotator.finetune.upload import stored_file_ids, upload_export
from annotator.workspace import Workspace
from annotator.workspace.remote import JOBS
from tests.fakes.dashscope_server import Reply
from tests.fakes.finetune_server import FakeFinetune
from tests.finetune.helpers import FakeClock, client_for, write_export


def _body(ws: Workspace, client: DashScopeClient) -> dict:
    export = find_export(ws)
    upload_export(ws, client, export)
    return job_body(export, *stored_file_ids(ws, client.service, export))


def test_upload_sends_each_zip_once(
    ws: Workspace, fake: FakeFinetune, client: DashScopeClient
) -> None:
    first = upload_export(ws, client, find_export(ws))
    assert [(o.role, o.reused) for o in first] == [("train", False), ("valid", False)]
    again = upload_export(ws, client, find_export(ws))
    assert [o.reused for o in again] == [True, True]
    assert len(fake.requests("files.cn")) == 2
    assert {o.file.file_id for o in again} == {o.file.file_id for o in first}
    forced = upload_export(ws, client, find_export(ws), force=True)
    assert not any(o.reused for o in forced) and len(fake.requests("files.cn")) == 4


def test_other_region_needs_its_own_upload(
    ws: Workspace, fake: FakeFinetune, client: DashScopeClient
) -> None:
    upload_export(ws, client, find_export(ws))
    with (
        client_for(fake, "intl") as intl,
        pytest.raises(PipelineError, match="not uploaded to Singapore"),
    ):
        stored_file_ids(ws, intl.service, find_export(ws))


def test_the_body_is_finetune_json_with_real_ids(ws: Workspace, client: DashScopeClient) -> None:
    body = _body(ws, client)
    assert body["model"] == "wan2.5-i2v-preview" and body["training_type"] == "efficient_sft"
    assert not any(
        i.startswith("<") for i in body["training_file_ids"] + body["validation_file_ids"]
    )
    assert body["hyper_parameters"]["n_epochs"] == 400
    assert model_warning(body) is None
    assert "sending it anyway" in (model_warning({"model": "wan3-i2v"}) or "")


def test_a_job_is_created_once_per_body(
    ws: Workspace, fake: FakeFinetune, client: DashScopeClient
) -> None:
    body = _body(ws, client)
    first = start_job(ws, client, body)
    again = start_job(ws, client, body)
    assert first.created and not again.created
    assert again.row.job_id == first.row.job_id
    assert len(fake.requests("jobs.create")) == 1
    sent = fake.requests("jobs.create")[0]
    assert sent.json == body and sent.headers["authorization"] == "Bearer sk-test"
    changed = {**body, "hyper_parameters": {**body["hyper_parameters"], "n_epochs": 500}}
    assert start_job(ws, client, changed).created  # other parameters: another job


def test_a_refused_create_leaves_no_row(
    ws: Workspace, fake: FakeFinetune, client: DashScopeClient
) -> None:
    body = _body(ws, client)
    fake.fail("jobs.create", Reply(429, code="Throttling", message="one job at a time"))
    with pytest.raises(ResourceLimitError):
        start_job(ws, client, body)
    assert JOBS.select(ws) == []
    assert start_job(ws, client, body).created


def test_a_job_created_by_a_run_that_died_is_found_not_made_again(
    ws: Workspace, fake: FakeFinetune, client: DashScopeClient
) -> None:
    from annotator.finetune.jobs import fingerprint

    body = _body(ws, client)
    made = client.create_job(body).output  # the request went out ...
    JOBS.begin(ws, client.service.endpoint, fingerprint(client.service.endpoint, body), body)
    started = start_job(ws, client, body)  # ... and the process died before storing the answer
    assert started.recovered and started.row.job_id == made["job_id"]
    assert len(fake.requests("jobs.create")) == 1


def test_wait_follows_status_and_logs_to_the_end(ws: Workspace, client: DashScopeClient) -> None:
    job = start_job(ws, client, _body(ws, client)).row
    clock = FakeClock()
    seen = []
    done = wait_job(ws, client, job, Poller(30, clock), lambda u, t: seen.append(u))
    assert done.status == "SUCCEEDED" and done.usage == 432000 and done.end_time
    assert [u.job.status for u in seen] == ["RUNNING", "RUNNING", "SUCCEEDED"]
    assert clock.naps == [30, 30]
    assert done.log_tail[-1] == "##FT_COMPLETE##"
    assert sum(len(u.new_logs) for u in seen) == done.log_total == len(done.log_tail)


def test_a_job_a_dead_run_made_is_found_on_a_later_page(
    ws: Workspace, fake: FakeFinetune, client: DashScopeClient
) -> None:
    from annotator.finetune.jobs import fingerprint

    body = _body(ws, client)
    made = client.create_job(body).output  # the request went out, the answer was lost ...
    for n in range(60):  # ... and 60 newer jobs push it past the first page of the list
        other = {**body, "hyper_parameters": {**body["hyper_parameters"], "n_epochs": 1 + n}}
        client.create_job(other)
    JOBS.begin(ws, client.service.endpoint, fingerprint(client.service.endpoint, body), body)
    started = start_job(ws, client, body)
    assert started.recovered and started.row.job_id == made["job_id"]
    assert len(fake.requests("jobs.create")) == 61
    pages = [r.query["page_no"][0] for r in fake.requests("jobs.list")]
    assert pages[0] == "1" and len(pages) > 1


def test_every_log_line_arrives_once_and_in_order(
    ws: Workspace, fake: FakeFinetune, client: DashScopeClient
) -> None:
    fake.log_lines_per_read = 1250  # 2,500 lines over two polls, more than a page each
    job = start_job(ws, client, _body(ws, client)).row
    seen: list[JobUpdate] = []
    done = wait_job(ws, client, job, Poller(30, FakeClock()), lambda u, t: seen.append(u))
    assert done.job_id is not None
    served = fake.jobs[done.job_id].logs
    assert len(served) == 2502 and len(seen) == 3
    assert [line for u in seen for line in u.new_logs] == served
    assert done.log_total == len(served) and done.log_tail == served[-len(done.log_tail) :]
    asked = fake.requests("jobs.logs")
    assert all(1 <= int(r.query["line"][0]) <= 1000 for r in asked)
    assert int(asked[0].query["offset"][0]) == 0


def test_the_fake_reads_logs_as_documented(
    ws: Workspace, fake: FakeFinetune, client: DashScopeClient
) -> None:
    fake.hold_jobs, fake.job_steps, fake.log_lines_per_read = True, ["RUNNING"], 150
    job_id = start_job(ws, client, _body(ws, client)).row.job_id
    assert job_id is not None
    client.get_job(job_id)  # the job logs 150 lines
    first = client.job_logs(job_id).output  # offset 0 and line 100 by default
    assert first["total"] == 150 and len(first["logs"]) == 100
    assert first["logs"][0].startswith("epoch 1:")
    end = client.job_logs(job_id, offset=148, line=1000).output["logs"]
    assert [line.split(":")[0] for line in end] == ["epoch 149", "epoch 150"]
    assert client.job_logs(job_id, offset=150).output == {"total": 150, "logs": []}
    with pytest.raises(RemoteError):
        client.job_logs(job_id, line=1001)


def test_no_new_log_lines_asks_from_the_end(
    ws: Workspace, fake: FakeFinetune, client: DashScopeClient
) -> None:
    fake.hold_jobs = True
    fake.job_steps = ["RUNNING"]
    job = start_job(ws, client, _body(ws, client)).row
    first = refresh_job(ws, client, job)
    again = refresh_job(ws, client, first.job)
    assert first.new_logs == ["epoch 1: loss=0.500000"] and again.new_logs == [
        "epoch 2: loss=0.333333"
    ]
    assert [r.query["offset"][0] for r in fake.requests("jobs.logs")] == ["0", "1"]


def test_a_failed_job_shows_the_end_of_its_log(
    ws: Workspace, fake: FakeFinetune, client: DashScopeClient
) -> None:
    fake.job_steps = ["PENDING", "RUNNING", "FAILED"]
    job = start_job(ws, client, _body(ws, client)).row
    with pytest.raises(JobFailedError, match=r"ended FAILED(.|\n)*lasts 12.0 s(.|\n)*--new"):
        wait_job(ws, client, job, Poller(1, FakeClock()))
    with pytest.raises(PipelineError, match="pass --new"):
        start_job(ws, client, job.request)
    assert start_job(ws, client, job.request, new=True).created


def test_cancel_then_delete(ws: Workspace, fake: FakeFinetune, client: DashScopeClient) -> None:
    job = start_job(ws, client, _body(ws, client)).row
    with pytest.raises(PipelineError, match="cancel it first"):
        delete_job(ws, client, job)
    job = cancel_job(ws, client, job)
    assert fake.requests("jobs.cancel")[0].path.endswith(f"/{job.job_id}/cancel")
    job = refresh_job(ws, client, job).job
    assert job.status == "CANCELED"
    gone = delete_job(ws, client, job)
    assert gone.deleted_at is not None and JOBS.select(ws) == []


def test_a_validation_zip_is_optional(tmp_path, fake: FakeFinetune) -> None:  # type: ignore[no-untyped-def]
    from tests.finetune.helpers import make_workspace

    with make_workspace(tmp_path / "w", valid=False) as ws, client_for(fake) as client:
        body = _body(ws, client)
        assert "validation_file_ids" not in body
        assert len(fake.requests("files.cn")) == 1
        write_export(ws.root, valid=False, n_epochs=500)
        assert _body(ws, client)["hyper_parameters"]["n_epochs"] == 500
