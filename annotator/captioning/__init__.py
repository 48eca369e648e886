"""Captioning: providers that turn a clip into a caption, and a batch runner.

Knows nothing of the workspace, the CLI or the TUI: the caller passes
requests in and stores results through callbacks. SDKs (dashscope, openai)
and PyAV are imported only when a provider actually calls them.
"""

from annotator.captioning.base import CaptionRequest, CaptionResult, Provider, cache_key
from annotator.captioning.batch import BatchProgress, BatchSummary, StopBatch, run_requests
from annotator.captioning.errors import (
    AuthError,
    BadAnswerError,
    ContentRejectedError,
    InvalidRequestError,
    MissingKeyError,
    ModelNotFoundError,
    ProviderError,
    RateLimitedError,
    TransientError,
    UnreachableError,
)
from annotator.captioning.estimate import estimate_tokens
from annotator.captioning.instructions import load_instruction, load_instruction_file
from annotator.captioning.registry import (
    ProviderOptionError,
    UnknownProviderError,
    available_providers,
    get_provider,
    register_provider,
)

__all__ = [
    "AuthError",
    "BadAnswerError",
    "BatchProgress",
    "BatchSummary",
    "CaptionRequest",
    "CaptionResult",
    "ContentRejectedError",
    "InvalidRequestError",
    "MissingKeyError",
    "ModelNotFoundError",
    "Provider",
    "ProviderError",
    "ProviderOptionError",
    "RateLimitedError",
    "StopBatch",
    "TransientError",
    "UnknownProviderError",
    "UnreachableError",
    "available_providers",
    "cache_key",
    "estimate_tokens",
    "get_provider",
    "load_instruction",
    "load_instruction_file",
    "register_provider",
    "run_requests",
]
