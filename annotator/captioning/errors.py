"""Errors a provider raises, sorted by what the batch runner should do with them.

``provider_error`` turns a refused DashScope (or OpenAI-compatible) request into one of
them, from the kind ``annotator.dashscope_api`` reads it as.

Every error carries a message written for the person at the terminal: it names
the clip or the setting at fault and, where there is one, the fix. The message is
redacted as the error is made: a server that echoes the request's Authorization
header puts the key in its error text, and every error passes through here before
it is printed, stored or shown by the review UI.
"""

from __future__ import annotations

from typing import ClassVar

from annotator.dashscope_api import Failure, Kind, Region, classify, region_hint
from annotator.errors import AnnotatorError
from annotator.safetext import redact


class ProviderError(AnnotatorError):
    """Base class: something went wrong captioning one clip.

    ``retryable`` says whether the same request may succeed later;
    ``stops_batch`` says whether every other request would fail the same way,
    so the runner should start nothing new.
    """

    retryable: ClassVar[bool] = False
    stops_batch: ClassVar[bool] = False

    def __init__(self, message: str, *, fix: str | None = None, code: str | None = None) -> None:
        super().__init__(redact(message), fix=None if fix is None else redact(fix))
        # The server's error code when there is one, e.g. "Throttling"; server text too.
        self.code = None if code is None else redact(code)


class AuthError(ProviderError):
    """The key was refused (401), the account or model is not usable (403, Arrearage)."""

    stops_batch = True


class MissingKeyError(AuthError):
    """No key in the environment variable the provider reads."""


# How a missing key's fix ends for captioning: the bundled samples work without one.
REPLAY_INSTEAD = ", or use --provider replay for the offline demo"


class ModelNotFoundError(ProviderError):
    """The model name does not exist on this endpoint: every request would fail."""

    stops_batch = True


class ContentRejectedError(ProviderError):
    """Content moderation refused the clip or the answer (DataInspectionFailed)."""


class InvalidRequestError(ProviderError):
    """The request for this clip cannot be sent or was refused as invalid (400).

    Also raised before sending, e.g. for a clip too large for base64 or one
    that cannot be decoded.
    """


class RateLimitedError(ProviderError):
    """429: too many requests or tokens; wait ``retry_after`` seconds when given."""

    retryable = True

    def __init__(
        self, message: str, *, retry_after: float | None = None, code: str | None = None
    ) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after


class TransientError(ProviderError):
    """5xx, a timeout or a dropped connection: the same request may work later."""

    retryable = True


class UnreachableError(TransientError):
    """The server could not be reached (refused, no route, a connection dropped): no fault
    of the clip. A few in a row stop the batch, since every other request would fail too."""


def connection_reason(exc: BaseException) -> str:
    """The first cause of a connection failure, on one short line: HTTP libraries wrap
    "[Errno 111] Connection refused" in several layers of their own text."""
    root, seen = exc, {id(exc)}
    while (cause := root.__cause__ or root.__context__) is not None and id(cause) not in seen:
        root = cause
        seen.add(id(root))
    # Redacted before it is cut: a key cut in two would no longer be recognised.
    text = redact(" ".join(str(root).split())) or type(root).__name__
    return text if len(text) <= 160 else text[:159] + "…"


class BadAnswerError(ProviderError):
    """The server answered 200 but with nothing usable (empty or garbled)."""


def provider_error(
    failure: Failure, *, clip: str, key_env_var: str | None, region: Region | None
) -> ProviderError:
    """The error for one refused request about CLIP; REGION None: not a DashScope region."""
    said, code = failure.said, failure.code
    where = f" for {region_hint(region)}" if region else ""
    match classify(failure):
        case Kind.KEY_REFUSED:
            return AuthError(
                f"the server refused the key in {key_env_var or 'the request'} ({said})",
                fix=f"use a key made{where or ' for this server'}: keys are per region",
                code=code,
            )
        case Kind.ARREARS:
            return AuthError(
                f"the account is overdue ({said})",
                fix="top up in the Alibaba Cloud billing console, then caption again",
                code=code,
            )
        case Kind.ACCESS_DENIED:
            return AuthError(
                f"the account cannot use this model ({said})",
                fix="activate the model in the Model Studio console, or use a key that may",
                code=code,
            )
        case Kind.CONTENT_REJECTED:
            return ContentRejectedError(
                f"{clip}: refused by content moderation ({said}); not retried", code=code
            )
        case Kind.TOO_MANY_REQUESTS | Kind.QUOTA_REACHED:
            return RateLimitedError(
                f"{clip}: rate limited ({said})", retry_after=failure.retry_after, code=code
            )
        case Kind.MODEL_UNKNOWN | Kind.NOT_FOUND:
            return ModelNotFoundError(
                f"model or endpoint not found ({said})",
                fix=f"check the model name (models differ by region{where}) and the base URL",
                code=code,
            )
        case Kind.CONFLICT | Kind.SERVER_FAILED:
            return TransientError(f"{clip}: server error {failure.status} ({said})", code=code)
        case Kind.INVALID:
            return InvalidRequestError(f"{clip}: request refused as invalid ({said})", code=code)
        case Kind.UNEXPECTED:
            return ProviderError(f"{clip}: unexpected answer {failure.status} ({said})", code=code)
