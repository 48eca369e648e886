"""What the native and the OpenAI-compatible DashScope providers share.

The region table, the one DashScope key reader (the fine-tune client uses it too),
and one mapping from (HTTP status, error code) to our error classes, so both
providers treat a throttle or a moderation refusal the same way
(dashscope-api.md section 3).
"""

from __future__ import annotations

import email.utils
import ipaddress
import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from annotator.captioning.errors import (
    AuthError,
    ContentRejectedError,
    InvalidRequestError,
    MissingKeyError,
    ModelNotFoundError,
    ProviderError,
    RateLimitedError,
    TransientError,
)
from annotator.safetext import remember_secret

DEFAULT_KEY_ENV_VAR = "DASHSCOPE_API_KEY"


@dataclass(frozen=True)
class Region:
    """One DashScope region: its host and how to describe it to a person."""

    name: str
    host: str
    label: str

    @property
    def native_base(self) -> str:
        return f"{self.host}/api/v1"

    @property
    def compatible_base(self) -> str:
        return f"{self.host}/compatible-mode/v1"


REGIONS: dict[str, Region] = {
    "cn": Region("cn", "https://dashscope.aliyuncs.com", "Beijing"),
    "intl": Region("intl", "https://dashscope-intl.aliyuncs.com", "Singapore"),
}


def get_region(name: str) -> Region:
    """The region called ``name``; the error lists the known ones."""
    try:
        return REGIONS[name]
    except KeyError:
        raise ValueError(f"unknown region {name!r}; known regions: {', '.join(REGIONS)}") from None


def region_hint(region: Region) -> str:
    """Keys are per region: say which one this provider talks to."""
    return f"region {region.name} ({region.label})"


def key_may_travel_to(url: str) -> bool:
    """Whether a key may be sent to URL: over https, or over http to this machine only."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return True
    host = (parts.hostname or "").lower()
    if parts.scheme != "http" or not host:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: it may resolve anywhere
        return False


def read_key(
    env_var: str | None,
    region: Region,
    *,
    url: str,
    required: bool,
    error: Callable[[str], Exception] = MissingKeyError,
    otherwise: str = ", or use --provider replay for the offline demo",
    name_a_key: str | None = None,
) -> str | None:
    """The key for a request to URL; ERROR (MissingKeyError) when REQUIRED and there is none.

    ENV_VAR None means DashScope's own variable, whose key goes only where
    ``key_may_travel_to`` allows: to another plain-http host it is not read at all
    (an error if REQUIRED; NAME_A_KEY says how to name that endpoint's own variable).
    A variable named explicitly is read for any URL. The key read is remembered by
    ``safetext``, so no later message shows it, whatever its variable is called.
    OTHERWISE ends the message of a missing key with the way out.
    """
    var = env_var or DEFAULT_KEY_ENV_VAR
    if env_var is None and not key_may_travel_to(url):
        if not required:
            return None
        named = f", or name the variable holding its own key ({name_a_key})" if name_a_key else ""
        raise error(
            f"{var} is sent only over https or to this machine, and {url} is plain http to "
            f"another host: use an https URL{named}"
        )
    key = os.environ.get(var, "").strip()
    if key:
        remember_secret(key)
        return key
    if required:
        raise error(
            f"{var} is not set: export {var} with a key for {region_hint(region)} (made in "
            f"the Model Studio console; it is read from the environment only, never "
            f"stored){otherwise}"
        )
    return None


def _norm(code: str | None) -> str:
    return re.sub(r"[^a-z0-9]", "", (code or "").lower())


def parse_retry_after(headers: Mapping[str, str] | None) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``Retry-After`` (seconds or HTTP date)."""
    if not headers:
        return None
    lowered = {k.lower(): v for k, v in headers.items()}
    if "retry-after-ms" in lowered:
        try:
            return max(0.0, float(lowered["retry-after-ms"]) / 1000)
        except ValueError:
            pass
    value = lowered.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        return None if parsed is None else max(0.0, parsed.timestamp() - time.time())


def error_from_status(
    status: int,
    code: str | None,
    message: str,
    *,
    clip: str,
    key_env_var: str | None,
    region: Region | None,
    headers: Mapping[str, str] | None = None,
) -> ProviderError:
    """The error for one failed DashScope (or OpenAI-compatible) response."""
    norm = _norm(code)
    said = f"{code}: {message}" if code else message
    where = f" for {region_hint(region)}" if region else ""
    if status == 401 or norm == "invalidapikey":
        return AuthError(
            f"the server refused the key in {key_env_var or 'the request'} ({said}): "
            f"keys are per region, and this provider needs one{where}",
            code=code,
        )
    if status == 403 or norm.startswith("accessdenied") or norm == "arrearage":
        return AuthError(
            f"the account cannot use this model ({said}): activate the model or settle the "
            "account in the Model Studio console",
            code=code,
        )
    if norm in ("datainspectionfailed", "datainspection") or "datainspectionfailed" in norm:
        return ContentRejectedError(
            f"{clip}: refused by content moderation ({said}); not retried", code=code
        )
    if status == 429 or norm.startswith("throttling"):
        return RateLimitedError(
            f"{clip}: rate limited ({said})", retry_after=parse_retry_after(headers), code=code
        )
    if status == 404 or norm in ("modelnotexist", "modelnotfound", "notfound"):
        return ModelNotFoundError(
            f"model or endpoint not found ({said}): check the model name (models differ "
            f"by region{where}) and the base URL",
            code=code,
        )
    if status in (408, 409) or status >= 500:
        return TransientError(f"{clip}: server error {status} ({said})", code=code)
    if status == 400:
        return InvalidRequestError(f"{clip}: request refused as invalid ({said})", code=code)
    return ProviderError(f"{clip}: unexpected answer {status} ({said})", code=code)
