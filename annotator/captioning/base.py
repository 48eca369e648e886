"""The provider contract: one request in, one result out.

A provider knows how to get one caption for one clip from one kind of server.
It knows nothing of the workspace: the caller stores results, and the batch
runner (``batch.py``) decides about retries and concurrency.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

MIN_FPS = 0.1
MAX_FPS = 10.0


@dataclass(frozen=True)
class CaptionRequest:
    """One clip to caption with one instruction.

    ``structured`` asks for a JSON answer with subject/background/motion;
    ``fps`` is how many frames per second the model should look at. ``clip_key``: what
    the caption is cached under when it is not the clip's sha256 (the sample's source and
    its edit: a new edit of the clip is a new caption).
    """

    clip: Path
    clip_sha256: str
    instruction: str
    model: str
    fps: float = 2.0
    structured: bool = False
    clip_key: str | None = None

    def __post_init__(self) -> None:
        # DashScope's accepted range; a local server sampling outside it is not useful either.
        if not MIN_FPS <= self.fps <= MAX_FPS:
            raise ValueError(f"fps must be between {MIN_FPS} and {MAX_FPS}, not {self.fps}")


@dataclass
class CaptionResult:
    """What came back for one request.

    ``fields`` holds subject/background/motion for a valid structured answer;
    ``flagged`` is set when the answer is kept but needs a person's look
    (e.g. a structured answer that stayed invalid after the retry).
    """

    text: str
    model: str
    input_tokens: int | None = None
    output_tokens: int | None = None
    fields: dict[str, str] | None = None
    flagged: str | None = None


@runtime_checkable
class Provider(Protocol):
    """A captioning backend.

    ``name``: registry name ("dashscope", "openai", "replay").
    ``key_env_var``: the environment variable the key is read from, if any.
    ``needs_key``: whether a call without that key is sure to fail.
    """

    name: str
    key_env_var: str | None
    needs_key: bool

    def caption(self, request: CaptionRequest) -> CaptionResult:
        """Caption one clip; raise a ``ProviderError`` subclass on failure.

        Must be safe to call from several threads at once.
        """
        ...


def cache_key(request: CaptionRequest, provider_name: str) -> str:
    """A stable id for a caption: same clip, provider, model, instruction and fps, same key.

    ``structured`` needs no field of its own: the structured and free-form
    instructions are different texts.
    """
    parts = [
        request.clip_key or request.clip_sha256,
        provider_name,
        request.model,
        request.instruction,
        float(request.fps),
    ]
    payload = json.dumps(parts, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


# Providers that answer more than captions (text questions, questions about a clip).
ABLE_PROVIDERS = "use --provider dashscope, openai (or an endpoint of the config file) or replay"


def provider_name(provider: object) -> str:
    """The registry name of PROVIDER, or its class name for one that has none."""
    return str(getattr(provider, "name", type(provider).__name__))
