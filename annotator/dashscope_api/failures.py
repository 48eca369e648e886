"""One reading of a refused DashScope request, and one decision of what it means.

Every answer shape is read here once: the native ``{"code", "message", "request_id"}``,
the OpenAI-compatible ``{"error": {"code", "type", "message"}}`` (or the inner object
the openai SDK keeps), a 2xx whose body is an error, a proxy's HTML page, no body at all.
``classify`` then sorts the ``Failure`` into a ``Kind`` (dashscope-api.md sections 3
and 5); captioning and fine-tuning map each kind to their own error class and words.
"""

from __future__ import annotations

import email.utils
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from annotator.safetext import redact

_REQUEST_ID_HEADERS = ("x-request-id", "x-dashscope-request-id")
_MODEL_CODES = frozenset({"modelnotexist", "modelnotfound"})
_RATE_CODES = frozenset({"throttlingratequota", "throttlingburstrate"})
_MODEL_WORDS = re.compile(r"model", re.IGNORECASE)
_MISSING_WORDS = re.compile(r"not ?exist|not ?found|unknown|not support|invalid model", re.I)
_TEXT_BODY_CHARS = 200


class Kind(StrEnum):
    """What a refusal means, whoever made the request."""

    KEY_REFUSED = "key refused"  # 401, InvalidApiKey: a wrong key or another region's
    ARREARS = "arrears"  # Arrearage: the account is overdue
    ACCESS_DENIED = "access denied"  # 403, AccessDenied*: the account may not use this
    CONTENT_REJECTED = "content rejected"  # DataInspectionFailed: moderation
    TOO_MANY_REQUESTS = "too many requests"  # Throttling.RateQuota / BurstRate
    QUOTA_REACHED = "quota reached"  # any other 429 or Throttling*: jobs, deployments...
    MODEL_UNKNOWN = "model unknown"  # Model.NotExist, or a 400/404 naming the model
    NOT_FOUND = "not found"  # 404, NotFound: the thing asked for is not there
    CONFLICT = "conflict"  # 409: it exists already
    SERVER_FAILED = "server failed"  # 408, 5xx: the same request may work later
    INVALID = "invalid"  # 400 for anything else
    UNEXPECTED = "unexpected"  # any other status


@dataclass(frozen=True)
class Failure:
    """A refused request as the server put it: nothing redacted yet, nothing decided."""

    status: int
    code: str | None
    message: str
    request_id: str | None = None
    retry_after: float | None = None  # seconds, from retry-after-ms or Retry-After

    @property
    def said(self) -> str:
        """The server's words for a message: ``code: message``."""
        if self.code:
            return f"{self.code}: {self.message}" if self.message else self.code
        return self.message or "no message"


def read_failure(
    status: int,
    body: object,
    headers: Mapping[str, str] | None = None,
    *,
    fallback: str = "",
) -> Failure:
    """The failure in an answer of STATUS whose parsed BODY is a JSON object, a text or None.

    A 2xx whose body names an error code (``{"code": "NotFound"}`` after a delete) counts
    as 404 for NotFound and 400 otherwise. FALLBACK (an SDK's own summary) stands in for a
    body that says nothing, and heads a text body.
    """
    outer: Mapping[str, object] = body if isinstance(body, Mapping) else {}
    inner = outer.get("error")
    said: Mapping[str, object] = inner if isinstance(inner, Mapping) else outer
    code = _text(said.get("code")) or _text(said.get("type"))
    message = _text(said.get("message")) or _text_body(body, fallback) or fallback
    if status < 400:
        status = 404 if _norm(code) == "notfound" else 400
    return Failure(
        status=status,
        code=code,
        message=message,
        request_id=_text(outer.get("request_id")) or _header(headers, *_REQUEST_ID_HEADERS),
        retry_after=parse_retry_after(headers),
    )


def classify(failure: Failure, *, names_model: bool = True) -> Kind:
    """The kind of FAILURE. NAMES_MODEL False: the request named no model, so no refusal
    of it can be about one (a job or deployment id is looked up, not a model)."""
    status, norm = failure.status, _norm(failure.code)
    if status == 401 or norm == "invalidapikey":
        return Kind.KEY_REFUSED
    if norm.startswith("arrearage") or "arrear" in failure.message.lower():
        return Kind.ARREARS
    if status == 403 or norm.startswith("accessdenied"):
        return Kind.ACCESS_DENIED
    if "datainspection" in norm:
        return Kind.CONTENT_REJECTED
    if status == 429 or norm.startswith("throttling"):
        return Kind.TOO_MANY_REQUESTS if norm in _RATE_CODES else Kind.QUOTA_REACHED
    if names_model and _about_the_model(status, norm, failure.message):
        return Kind.MODEL_UNKNOWN
    return _by_status(status, norm)


def _by_status(status: int, norm: str) -> Kind:
    if status == 404 or norm == "notfound":
        return Kind.NOT_FOUND
    if status == 409:
        return Kind.CONFLICT
    if status == 408 or status >= 500:
        return Kind.SERVER_FAILED
    return Kind.INVALID if status == 400 else Kind.UNEXPECTED


def _about_the_model(status: int, norm: str, message: str) -> bool:
    """A code that says so, or a 400/404 whose words say the model does not exist
    (DashScope answers an unknown model with 400 InvalidParameter "Model not exist")."""
    if norm in _MODEL_CODES:
        return True
    return status in (400, 404) and bool(
        _MODEL_WORDS.search(message) and _MISSING_WORDS.search(message)
    )


def parse_retry_after(headers: Mapping[str, str] | None) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``Retry-After`` (seconds or HTTP date)."""
    ms = _header(headers, "retry-after-ms")
    if ms is not None:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    value = _header(headers, "retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, when.timestamp() - time.time())


def _norm(code: str | None) -> str:
    """A code compared by its letters and digits: Model.NotExist, model_not_exist alike."""
    return re.sub(r"[^a-z0-9]", "", (code or "").lower())


def _text(value: object) -> str | None:
    return None if value is None or value == "" else str(value)


def _text_body(body: object, fallback: str) -> str | None:
    """The start of a body that is not JSON (a proxy's page), on one line.

    Redacted before it is cut: a key cut in two would no longer be recognised.
    """
    if not isinstance(body, str) or not body.strip():
        return None
    start = redact(" ".join(body.split()))[:_TEXT_BODY_CHARS]
    return f"{fallback}: {start}" if fallback else start


def _header(headers: Mapping[str, str] | None, *names: str) -> str | None:
    if not headers:
        return None
    lowered = {k.lower(): v for k, v in headers.items()}
    return next((lowered[name] for name in names if name in lowered), None)
