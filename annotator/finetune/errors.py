"""Errors of the fine-tuning pipeline, each with a message that says what happened and a fix.

``error_for`` turns a refused request into the right class, from the kind
``annotator.dashscope_api`` reads it as (401 key, Arrearage, 403, 404, 409, 429, 5xx);
the rest are the pipeline's own (nothing exported, a job that FAILED, a deployment in
arrears). Every message is redacted as the error is made, so a key echoed by a server
or a proxy is never printed, stored or shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from annotator.dashscope_api import Failure, Kind, classify
from annotator.errors import AnnotatorError
from annotator.safetext import redact


class RemoteError(AnnotatorError):
    """Base class; ``transient`` says whether the same request may work later."""

    transient = False

    def __init__(
        self,
        message: str,
        *,
        fix: str | None = None,
        status: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(redact(message), fix=None if fix is None else redact(fix))
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


def error_for(
    failure: Failure, *, what: str, where: Where, model: str | None = None
) -> RemoteError:
    """The error for a refused request; WHAT names it ("creating the fine-tune job"),
    MODEL the model it named, if any."""
    said, service = failure.said, f"DashScope {where.label}"
    kw: dict[str, Any] = {
        "status": failure.status,
        "code": failure.code,
        "request_id": failure.request_id,
    }
    match classify(failure, names_model=model is not None):
        case Kind.KEY_REFUSED:
            return KeyRefusedError(
                f"{service} ({where.base_url}) refused the key in {where.key_env_var} ({said})",
                fix=f"keys belong to one region, and a {where.other_label} key is refused in "
                f"{where.label}: use a key made for {where.label}, or run with --region "
                f"{where.other_region} if yours is a {where.other_label} key",
                **kw,
            )
        case Kind.ARREARS:
            return ArrearsError(
                f"{service} refused {what}: the account is overdue ({said})",
                fix="top up in the Alibaba Cloud billing console, then run the same command again",
                **kw,
            )
        case Kind.ACCESS_DENIED:
            return AccessDeniedError(
                f"{service} refused {what}: no permission ({said})",
                fix=f"activate Wan fine-tuning for {where.label} in the Model Studio console, "
                "or use a key of an account that has it",
                **kw,
            )
        case Kind.MODEL_UNKNOWN:
            return _unknown_model(service, model, said, kw)
        case Kind.NOT_FOUND:
            return NotFoundError(
                f"{service} has no such thing for {what} ({said}): it was deleted, or it "
                f"belongs to another region or account than the key in {where.key_env_var}",
                **kw,
            )
        case Kind.CONFLICT:
            return ConflictError(f"{service} refused {what}: it exists already ({said})", **kw)
        case Kind.TOO_MANY_REQUESTS | Kind.QUOTA_REACHED as kind:
            return _throttled(service, what, said, kind, kw)
        case Kind.SERVER_FAILED:
            return ServiceError(
                f"{service} failed {what} ({failure.status} {said})",
                fix="try again in a few minutes: running the command again is safe, nothing "
                "is created twice",
                **kw,
            )
        case Kind.CONTENT_REJECTED:
            return InvalidRequestError(
                f"{service} refused {what}: content moderation flagged it ({said})", **kw
            )
        case Kind.INVALID | Kind.UNEXPECTED:
            return InvalidRequestError(f"{service} refused {what} as invalid ({said})", **kw)


def _unknown_model(service: str, model: str | None, said: str, kw: dict[str, Any]) -> RemoteError:
    from annotator.basemodels import BASE_MODELS

    return UnknownModelError(
        f"{service} does not know the model {model!r} ({said})",
        fix=f"set `model` in finetune.json to one of {', '.join(BASE_MODELS)} (or re-run "
        "`annotator init DIR --model ...` and export again); each region offers its own models",
        **kw,
    )


def _throttled(service: str, what: str, said: str, kind: Kind, kw: dict[str, Any]) -> RemoteError:
    if kind is Kind.TOO_MANY_REQUESTS:
        return ResourceLimitError(
            f"{service} refused {what}: too many requests ({said})",
            fix="wait a minute and run the command again",
            **kw,
        )
    return ResourceLimitError(
        f"{service} refused {what}: a resource limit is reached ({said})",
        fix="an account trains one job at a time and keeps a limited number of deployments: "
        "wait for the running job to end (`annotator jobs DIR`), or delete a deployment you "
        "no longer use (`annotator deploy DIR --delete`), then run the command again",
        **kw,
    )
