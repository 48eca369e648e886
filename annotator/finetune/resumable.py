"""Create a remote resource once: the stored one, the one a dead run made, or a new one.

Jobs, deployments and test generations are made the same way. A request is known by its
fingerprint at its endpoint. Its row is written before the create request goes out
(status CREATING, no service id) and the answer fills it in, so a row still without an
id means the process died in between: the service may or may not have made the
resource. `resume` then looks it up in the service's list before making another, and
forgets the attempt when the list has nothing. What differs per resource is a
`Resource`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from annotator.finetune.client import Answer
from annotator.finetune.errors import BadResponseError, RemoteError
from annotator.workspace import Workspace
from annotator.workspace.remote import Requested, RequestTable

R = TypeVar("R", bound=Requested)
R_contra = TypeVar("R_contra", bound=Requested, contravariant=True)


class Resource(Protocol[R_contra]):
    """What one kind of resource says to `resume`."""

    def reusable(self, stored: R_contra) -> bool:
        """Whether a stored resource serves this request; may raise to refuse the request."""
        ...

    def listed(self) -> Iterable[Mapping[str, Any]]:
        """The service's list of such resources, every page (empty: it cannot be listed)."""
        ...

    def made_by(self, item: Mapping[str, Any], attempt: R_contra) -> bool:
        """Whether the listed ITEM is what the unanswered ATTEMPT asked for."""
        ...

    def new_row(self) -> dict[str, Any]:
        """The columns of the row written before the create request: ``request`` (the
        body to send) and any others the resource keeps."""
        ...

    def create(self, attempt: R_contra) -> Answer:
        """Send the create request of ATTEMPT (its ``request``); RemoteError if refused."""
        ...


@dataclass(frozen=True)
class Resumed(Generic[R]):
    row: R
    created: bool  # a create request went out and the service made the resource
    recovered: bool = False  # found at the service after a run died before storing it


def resume(
    ws: Workspace, table: RequestTable[R], resource: Resource[R], endpoint: str, fingerprint: str
) -> Resumed[R]:
    """The resource for this request: the stored one, one found after a crash, or a new one."""
    for stored in table.for_request(ws, endpoint, fingerprint):
        if table.service_id_of(stored) is None:
            found = recover(ws, table, resource, stored)
            if found is not None:
                return Resumed(found, created=False, recovered=True)
            table.forget_attempt(ws, stored.id)
        elif resource.reusable(stored):
            return Resumed(stored, created=False)
    return Resumed(create(ws, table, resource, endpoint, fingerprint), created=True)


def recover(ws: Workspace, table: RequestTable[R], resource: Resource[R], attempt: R) -> R | None:
    """The resource a dead run created but never stored: the first listed one with an id
    no row has, made by ATTEMPT's request; stored in ATTEMPT's row."""
    known = table.service_ids(ws)
    for item in resource.listed():
        name = item.get(table.service_id)
        if name and name not in known and resource.made_by(item, attempt):
            return table.record(ws, attempt.id, item)
    return None


def create(
    ws: Workspace, table: RequestTable[R], resource: Resource[R], endpoint: str, fingerprint: str
) -> R:
    """Write the row, send the create request, store the answer in the row."""
    row_id = table.begin(ws, endpoint, fingerprint, **resource.new_row())
    try:
        answer = resource.create(table.by_row(ws, row_id))
    except RemoteError as exc:
        if exc.status is not None and exc.status < 500:
            table.forget_attempt(ws, row_id)  # refused: nothing was created
        raise  # else the service may have made it: the row stays for the next run to find
    output = answer.output if isinstance(answer.output, dict) else {}
    if not output.get(table.service_id):
        table.forget_attempt(ws, row_id)
        raise BadResponseError(
            f"the service's answer names no {table.service_id} ({answer.body}); try again"
        )
    return table.record(ws, row_id, output, answer.request_id, answer.usage)
