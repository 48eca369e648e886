"""DashScope's regions and the one key reader every DashScope request goes through.

Keys are per region, and DASHSCOPE_API_KEY is sent only where it cannot be read on the
way: over https, or to this machine. A variable the user names for an endpoint is that
endpoint's own key and is read for any URL.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

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
        """The base URL of the native API."""
        return f"{self.host}/api/v1"

    @property
    def compatible_base(self) -> str:
        """The base URL of the OpenAI-compatible API."""
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
    """Keys are per region: say which one a request goes to."""
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


def key_withheld(url: str) -> str:
    """Why DashScope's key is not sent to URL, for a message."""
    return (
        f"{DEFAULT_KEY_ENV_VAR} is sent only over https or to this machine, and {url} is "
        "plain http to another host"
    )


class MakesKeyError(Protocol):
    """An error class of the caller's own, made from a message and a fix."""

    def __call__(self, message: str, *, fix: str | None = ...) -> Exception: ...


def read_key(
    env_var: str | None,
    region: Region | None,
    *,
    url: str,
    required: bool,
    error: MakesKeyError,
    otherwise: str = "",
    name_a_key: str | None = None,
) -> str | None:
    """The key for a request to URL; ERROR(message, fix=...) when REQUIRED and there is none.

    ENV_VAR None means DashScope's own variable, whose key goes only where
    ``key_may_travel_to`` allows: to another plain-http host it is not read at all
    (an error if REQUIRED; NAME_A_KEY says how to name that endpoint's own variable).
    A variable named explicitly is read for any URL. The key read is remembered by
    ``safetext``, so no later message shows it, whatever its variable is called.
    OTHERWISE ends the fix of a missing key with another way out.
    """
    var = env_var or DEFAULT_KEY_ENV_VAR
    if env_var is None and not key_may_travel_to(url):
        if not required:
            return None
        named = f", or name the variable holding its own key ({name_a_key})" if name_a_key else ""
        raise error(key_withheld(url), fix=f"use an https URL{named}")
    key = os.environ.get(var, "").strip()
    if key:
        remember_secret(key)
        return key
    if not required:
        return None
    where = (
        f"a key for {region_hint(region)} (made in the Model Studio console; "
        if region
        else "your key ("
    )
    fix = f"export {var} with {where}it is read from the environment only, never stored)"
    raise error(f"{var} is not set", fix=fix + otherwise)
