"""Fakes of the HTTP APIs the project talks to, for the real SDKs to call."""

from tests.fakes.dashscope_server import (
    COMPATIBLE,
    NATIVE,
    OSS,
    POLICY,
    FakeDashScope,
    Recorded,
    Reply,
    Seen,
    answer,
    error,
    garbled_body,
    invalid_key,
    moderation,
    rate_limited,
    server_error,
)

__all__ = [
    "COMPATIBLE",
    "NATIVE",
    "OSS",
    "POLICY",
    "FakeDashScope",
    "Recorded",
    "Reply",
    "Seen",
    "answer",
    "error",
    "garbled_body",
    "invalid_key",
    "moderation",
    "rate_limited",
    "server_error",
]
