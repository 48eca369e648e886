"""Helpers shared by the captioning tests."""

from __future__ import annotations

import hashlib
from pathlib import Path

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
