"""Errors of the fine-tuning pipeline, each with one message that says what happened and the fix.

``error_for`` turns a refused request into the right class (dashscope-api.md sections 3
and 5: 401 key, Arrearage, 403, 404, 409, 429, 5xx); the rest are the pipeline's own
(nothing exported, a job that FAILED, a deployment in arrears). Every message is
redacted as the error is made, so a key echoed by a server or a proxy is never
printed, stored or shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from annotator.errors import AnnotatorError
from annotator.safetext import redact


class RemoteError(AnnotatorError):
    """Base class; ``transient`` says whether the same request may work later."""

    transient = False

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
    ) -> None:
        message = redact(message)
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = None if code is None else redact(code)
        self.request_id = request_id


class MissingKeyError(RemoteError):
    """No key in the environment."""


class KeyRefusedError(RemoteError):
    """401: a wrong key, or a key of the other region."""


class AccessDeniedError(RemoteError):
    """403: the account may not use the model or the API."""


class ArrearsError(RemoteError):
    """The account is overdue (Arrearage, or a deployment in ARREARS_DOWN)."""


class UnknownModelError(RemoteError):
    """The service does not know the model named in the request."""


class NotFoundError(RemoteError):
    """404 for a job, deployment or task that is gone (or another region's)."""


class ConflictError(RemoteError):
    """409: a deployment of that name exists already."""


class ResourceLimitError(RemoteError):
    """429: too many jobs or deployments at once, or too many requests."""

    transient = True


class InvalidRequestError(RemoteError):
    """400 for anything else the service refused."""


class ServiceError(RemoteError):
    """5xx: the service failed; the same request may work later."""

    transient = True


class ConnectionFailedError(RemoteError):
    """The service could not be reached, or the connection dropped."""

    transient = True


class BadResponseError(RemoteError):
    """An answer without the fields the API reference promises."""


class PipelineError(RemoteError):
    """A step cannot run yet: nothing exported, nothing uploaded, the job not done..."""


class JobFailedError(RemoteError):
    """The fine-tune job ended FAILED or CANCELED."""


class DeploymentFailedError(RemoteError):
    """The deployment ended FAILED or UPDATING_FAILED."""


class TaskFailedError(RemoteError):
    """The video synthesis task ended FAILED, CANCELED or UNKNOWN."""


@dataclass(frozen=True)
class Where:
    """Which service a request went to, for messages: region, its label, the key variable."""

    base_url: str
    region: str
    label: str
    other_region: str
    other_label: str
    key_env_var: str


_MODEL_WORDS = re.compile(r"model", re.IGNORECASE)
_MISSING_WORDS = re.compile(r"not ?exist|not ?found|unknown|not support|invalid", re.IGNORECASE)


def _said(code: str | None, message: str) -> str:
    return f"{code}: {message}" if code else message or "no message"


def error_for(
    status: int,
    code: str | None,
    message: str,
    *,
    what: str,
    where: Where,
    model: str | None = None,
    request_id: str | None = None,
) -> RemoteError:
    """The error for a refused request; WHAT names it ("creating the fine-tune job")."""
    said = _said(code, message)
    norm = (code or "").lower()
    service = f"DashScope {where.label}"
    kw: dict[str, Any] = {"status": status, "code": code, "request_id": request_id}
    if status == 401 or norm == "invalidapikey":
        return KeyRefusedError(
            f"{service} ({where.base_url}) refused the key in {where.key_env_var} ({said}). "
            f"Keys belong to one region: a {where.other_label} key is refused in {where.label}. "
            f"Use a key made for {where.label}, or run with --region {where.other_region} "
            f"if yours is a {where.other_label} key.",
            **kw,
        )
    if norm.startswith("arrearage") or "arrear" in message.lower():
        return ArrearsError(
            f"{service} refused {what}: the account is overdue ({said}). Top up in the "
            "Alibaba Cloud billing console, then run the same command again.",
            **kw,
        )
    if status == 403 or norm.startswith("accessdenied"):
        return AccessDeniedError(
            f"{service} refused {what}: no permission ({said}). Activate Wan fine-tuning "
            f"for {where.label} in the Model Studio console, or use a key of an account "
            "that has it.",
            **kw,
        )
    if model and _is_model_problem(status, norm, message):
        from annotator.basemodels import BASE_MODELS

        return UnknownModelError(
            f"{service} does not know the model {model!r} ({said}). Set `model` in "
            f"finetune.json to one of {', '.join(BASE_MODELS)} (or re-run `annotator init "
            f"DIR --model ...` and export again); each region offers its own models.",
            **kw,
        )
    if status == 404:
        return NotFoundError(
            f"{service} has no such thing for {what} ({said}): it was deleted, or it "
            f"belongs to another region or account than the key in {where.key_env_var}.",
            **kw,
        )
    if status == 409:
        return ConflictError(f"{service} refused {what}: it exists already ({said}).", **kw)
    if status == 429 or norm.startswith("throttling"):
        return _throttled(service, what, said, norm, kw)
    if status >= 500:
        return ServiceError(
            f"{service} failed {what} ({status} {said}). Try again in a few minutes: "
            "running the command again is safe, nothing is created twice.",
            **kw,
        )
    return InvalidRequestError(f"{service} refused {what} as invalid ({said}).", **kw)


def _is_model_problem(status: int, norm: str, message: str) -> bool:
    if norm in ("model.notexist", "modelnotexist", "model.notfound", "modelnotfound"):
        return True
    if status in (400, 404) and _MODEL_WORDS.search(message):
        return bool(_MISSING_WORDS.search(message))
    return False


def _throttled(service: str, what: str, said: str, norm: str, kw: dict[str, Any]) -> RemoteError:
    if norm in ("throttling.ratequota", "throttling.burstrate"):
        return ResourceLimitError(
            f"{service} refused {what}: too many requests ({said}). Wait a minute and run "
            "the command again.",
            **kw,
        )
    return ResourceLimitError(
        f"{service} refused {what}: a resource limit is reached ({said}). An account trains "
        "one job at a time and keeps a limited number of deployments: wait for the running "
        "job to end (`annotator jobs DIR`), or delete a deployment you no longer use "
        "(`annotator deploy DIR --delete`), then run the command again.",
        **kw,
    )
