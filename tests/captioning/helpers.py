"""Helpers shared by the captioning tests."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from annotator.captioning import CaptionRequest

KEY = "sk-test-0123456789"

VALID_JSON = (
    '{"subject": "The video opens on a red square.", '
    '"background": "A soft gradient.", "motion": "The square slides to the right."}'
)


def request_for(
    clip: Path,
    *,
    model: str = "qwen-vl-max",
    instruction: str = "Describe this video in detail.",
    structured: bool = False,
    fps: float = 2.0,
) -> CaptionRequest:
    """A request for ``clip`` with its real sha256."""
    sha = hashlib.sha256(clip.read_bytes()).hexdigest()
    return CaptionRequest(clip, sha, instruction, model, fps=fps, structured=structured)


# A key that looks like no token and sits in a variable no pattern knows: only the key
# reader remembering it can keep it out of a message.
PLAIN_KEY_VAR = "LOCAL_VLLM_PASS"
PLAIN_KEY = "plain-secret-0123456789"


def error_texts(error: BaseException) -> list[str]:
    """Every text of ERROR a person or the store may see: str, args, message, code."""
    return [
        str(error),
        repr(error.args),
        str(getattr(error, "message", "")),
        str(getattr(error, "code", "")),
    ]


# A documentation address (TEST-NET-3): plain http to a host that is not this machine.
REMOTE_HOST = "203.0.113.7"


def route_through(monkeypatch: pytest.MonkeyPatch, proxy_url: str) -> None:
    """Send every plain-http request through PROXY_URL (a fake server of the tests).

    The fake then sees exactly what a remote plain-http host would receive: the SDKs
    read the proxy from the environment, and the fake routes on the path alone.
    """
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "HTTPS_PROXY", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", proxy_url)
    monkeypatch.setenv("http_proxy", proxy_url)
