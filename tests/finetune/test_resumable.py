"""The one find-stored / recover / create routine, with a scripted resource over real SQLite."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from annotator.finetune.client import Answer
from annotator.finetune.errors import BadResponseError, RemoteError
from annotator.finetune.resumable import resume
from annotator.workspace import Workspace
from annotator.workspace.remote import CREATING, JOBS, FinetuneJob

BODY = {"model": "m", "training_file_ids": ["f-1"]}


@dataclass
class Scripted:
    """A resource whose service list and create answer the test chooses; it counts creates."""

    listing: list[dict[str, Any]] = field(default_factory=list)
    answer: Answer | RemoteError = field(
        default_factory=lambda: Answer({"job_id": "ft-new", "status": "PENDING"}, None, "req-1")
    )
    keep: bool = True
    sent: list[dict[str, Any]] = field(default_factory=list)

    def reusable(self, stored: FinetuneJob) -> bool:
        return self.keep

    def listed(self) -> list[dict[str, Any]]:
        return self.listing

    def made_by(self, item: Mapping[str, Any], attempt: FinetuneJob) -> bool:
        return bool(item.get("model") == attempt.request["model"])

    def new_row(self) -> dict[str, Any]:
        return {"request": BODY}

    def create(self, attempt: FinetuneJob) -> Answer:
        self.sent.append(attempt.request)
        if isinstance(self.answer, RemoteError):
            raise self.answer
        return self.answer


def _resume(ws: Workspace, resource: Scripted) -> Any:
    return resume(ws, JOBS, resource, "e", "fp")


def test_a_new_request_writes_its_row_sends_the_stored_body_and_keeps_the_answer(
    ws: Workspace,
) -> None:
    resource = Scripted()
    got = _resume(ws, resource)
    assert (got.created, got.recovered, got.row.job_id, got.row.request_id) == (
        True,
        False,
        "ft-new",
        "req-1",
    )
    assert resource.sent == [BODY]
    again = _resume(ws, resource)  # stored and reusable: not sent again
    assert (again.created, again.row) == (False, got.row) and len(resource.sent) == 1


def test_a_stored_one_that_does_not_serve_is_passed_over(ws: Workspace) -> None:
    _resume(ws, Scripted())
    got = _resume(ws, Scripted(keep=False, answer=Answer({"job_id": "ft-2"})))
    assert got.created and [j.job_id for j in JOBS.select(ws)] == ["ft-2", "ft-new"]


def test_reusable_may_refuse_the_request(ws: Workspace) -> None:
    _resume(ws, Scripted())

    class Refusing(Scripted):
        def reusable(self, stored: FinetuneJob) -> bool:
            raise RemoteError("ended FAILED")

    with pytest.raises(RemoteError, match="ended FAILED"):
        _resume(ws, Refusing())


def test_a_dead_runs_attempt_is_found_in_the_list_and_stored_in_its_row(ws: Workspace) -> None:
    known = JOBS.begin(ws, "e", "other", BODY)
    JOBS.record(ws, known, {"job_id": "ft-known", "status": "RUNNING"})
    attempt = JOBS.begin(ws, "e", "fp", BODY)  # the run died before the answer came
    listing = [
        {"job_id": "ft-known", "model": "m"},  # another row's: not this one
        {"job_id": "ft-else", "model": "other"},  # another request's
        {"job_id": "ft-lost", "model": "m", "status": "RUNNING"},
    ]
    resource = Scripted(listing=listing)
    got = _resume(ws, resource)
    assert (got.created, got.recovered, got.row.id) == (False, True, attempt)
    assert (got.row.job_id, got.row.status) == ("ft-lost", "RUNNING")
    assert resource.sent == []


def test_an_attempt_the_service_does_not_list_is_forgotten_and_made_again(
    ws: Workspace,
) -> None:
    JOBS.begin(ws, "e", "fp", BODY)
    resource = Scripted(listing=[{"job_id": "x", "model": "other"}])
    got = _resume(ws, resource)
    assert got.created and resource.sent == [BODY]
    assert [(j.job_id, j.status) for j in JOBS.select(ws)] == [("ft-new", "PENDING")]


def test_a_refused_create_leaves_no_row_and_a_server_error_leaves_the_attempt(
    ws: Workspace,
) -> None:
    with pytest.raises(RemoteError):
        _resume(ws, Scripted(answer=RemoteError("bad request", status=400)))
    assert JOBS.select(ws) == []
    with pytest.raises(RemoteError):
        _resume(ws, Scripted(answer=RemoteError("bad gateway", status=502)))
    [attempt] = JOBS.select(ws)  # the service may have made it: the next run looks
    assert (attempt.job_id, attempt.status) == (None, CREATING)


@pytest.mark.parametrize("output", [{"status": "PENDING"}, ["not", "a", "dict"], None])
def test_an_answer_without_the_id_is_a_bad_response_and_leaves_no_row(
    ws: Workspace, output: Any
) -> None:
    with pytest.raises(BadResponseError, match="names no job_id"):
        _resume(ws, Scripted(answer=Answer(output)))
    assert JOBS.select(ws) == []
