"""Qwen-VL through any OpenAI-compatible chat endpoint.

DashScope's compatible mode by default; a local vLLM, LM Studio or Ollama
with ``base_url``. The clip goes one of three ways (section 2 of
dashscope-api.md):

- ``video_as="video"``: the whole file as a base64 ``video_url`` part with an
  ``fps`` sibling key (DashScope and vLLM decode it themselves). Base64 must
  stay under 10 MB, so files over 7 MB are refused before sending.
- ``video_as="frames"``: frames sampled and resized here the way
  qwen-vl-utils does, sent as one DashScope ``{"type": "video", "video": [...]}``
  part, or with ``frames_as="images"`` as several ``image_url`` parts for
  servers that take only images (Ollama).

The SDK's own retries are off (``max_retries=0``): the batch runner retries.
"""

from __future__ import annotations

import base64
import mimetypes
import threading
from pathlib import Path
from typing import Any

from annotator.captioning.base import (
    CaptionRequest,
    CaptionResult,
)
from annotator.captioning.chat import ChatAnswer, ChatRequest
from annotator.captioning.errors import (
    REPLAY_INSTEAD,
    AuthError,
    BadAnswerError,
    InvalidRequestError,
    MissingKeyError,
    ProviderError,
    TransientError,
    UnreachableError,
    connection_reason,
    provider_error,
)
from annotator.captioning.frames import jpeg_data_url, patch_factor, sample_frames
from annotator.captioning.question import ClipQuestion
from annotator.captioning.structured import RawAnswer, complete
from annotator.dashscope_api import (
    DEFAULT_KEY_ENV_VAR,
    get_region,
    key_may_travel_to,
    key_withheld,
    read_failure,
    read_key,
)
from annotator.userfiles import UserFileError, check_file, read_bytes

MAX_BASE64_VIDEO_BYTES = 7 * 1024 * 1024  # raw size whose base64 stays under 10 MB
VIDEO_AS = ("video", "frames")
FRAMES_AS = ("video", "images")
# Local servers accept any key but the SDK insists on one.
NO_KEY = "EMPTY"
NAME_A_KEY = "key_env_var in its [endpoints.NAME] section of the config file, or --key-env VAR"


class OpenAICompatProvider:
    """``chat.completions.create`` with the clip as a base64 video or as sampled frames."""

    name = "openai"

    def __init__(
        self,
        *,
        region: str = "cn",
        base_url: str | None = None,
        key_env_var: str | None = None,
        video_as: str = "video",
        frames_as: str = "video",
        frame_factor: int | None = None,
        timeout: float = 300.0,
    ) -> None:
        """With no ``base_url`` this is DashScope's compatible mode for ``region``, and the
        key is required; with one (a local server) a missing key is sent as "EMPTY".

        ``key_env_var`` None reads DASHSCOPE_API_KEY, which goes only over https or to this
        machine: another plain-http server gets "EMPTY" unless its own variable is named.
        """
        if video_as not in VIDEO_AS:
            raise ValueError(f"video_as must be one of {', '.join(VIDEO_AS)}, not {video_as!r}")
        if frames_as not in FRAMES_AS:
            raise ValueError(f"frames_as must be one of {', '.join(FRAMES_AS)}, not {frames_as!r}")
        self.region = get_region(region)
        self.base_url = (base_url or self.region.compatible_base).rstrip("/")
        self.needs_key = base_url is None
        self._named_key_var = key_env_var
        self.key_env_var = key_env_var or DEFAULT_KEY_ENV_VAR
        # DashScope's key withheld from a plain-http host: a 401 from it says why.
        self._key_withheld = key_env_var is None and not key_may_travel_to(self.base_url)
        self.video_as = video_as
        self.frames_as = frames_as
        self.frame_factor = frame_factor
        self.timeout = timeout
        self._client: Any = None
        self._client_key: str | None = None
        self._lock = threading.Lock()

    def caption(self, request: CaptionRequest) -> CaptionResult:
        """Build the clip's content parts once, then ask (twice at most)."""
        client = self._get_client()
        parts = self._clip_parts(request)
        return complete(request, lambda text: self._ask(client, request, parts, text))

    def chat(self, request: ChatRequest) -> ChatAnswer:
        """A text-only question (no clip) to the same endpoint, with the same key and client."""
        raw = self._send(self._get_client(), request.as_caption_request(), request.messages())
        return ChatAnswer(raw.text, self.name, request.model, raw.input_tokens, raw.output_tokens)

    def ask_clip(self, question: ClipQuestion) -> RawAnswer:
        """A question about a clip (verify): its stills as images, the clip as for a caption,
        then the text, in one message; the raw answer (what it must be is the asker's)."""
        client = self._get_client()
        request = question.as_caption_request()
        parts = [_still_part(request, still) for still in question.stills]
        return self._ask(client, request, [*parts, *self._clip_parts(request)], question.text)

    def api_key(self) -> str | None:
        """The key for this provider's base URL: None for a local server without one,
        MissingKeyError when DashScope's compatible mode has none."""
        return read_key(
            self._named_key_var,
            self.region,
            url=self.base_url,
            required=self.needs_key,
            error=MissingKeyError,
            otherwise=REPLAY_INSTEAD,
            name_a_key=NAME_A_KEY,
        )

    def _get_client(self) -> Any:
        key = self.api_key() or NO_KEY
        with self._lock:
            # One client for all threads (it pools connections); a new one if the key changed.
            if self._client is None or key != self._client_key:
                import openai

                self._client = openai.OpenAI(
                    base_url=self.base_url, api_key=key, max_retries=0, timeout=self.timeout
                )
                self._client_key = key
            return self._client

    def _clip_parts(self, request: CaptionRequest) -> list[dict[str, Any]]:
        clip = request.clip
        if not clip.is_file():
            raise InvalidRequestError(f"{clip}: file not found")
        if self.video_as == "video":
            return [_video_part(request)]
        factor = self.frame_factor or patch_factor(request.model)
        try:
            sampled = sample_frames(clip, request.fps, factor)
        except Exception as exc:  # PyAV raises many kinds; all mean "cannot read this clip"
            raise InvalidRequestError(f"{clip.name}: cannot sample frames: {exc}") from exc
        urls = [jpeg_data_url(image) for image in sampled.images]
        if self.frames_as == "images":
            return [{"type": "image_url", "image_url": {"url": url}} for url in urls]
        # fps here tells the model the rate the frames were taken at.
        return [{"type": "video", "video": urls, "fps": round(sampled.sample_fps, 3)}]

    def _ask(
        self, client: Any, request: CaptionRequest, parts: list[dict[str, Any]], text: str
    ) -> RawAnswer:
        content = [*parts, {"type": "text", "text": text}]
        return self._send(client, request, [{"role": "user", "content": content}])

    def _send(
        self, client: Any, request: CaptionRequest, messages: list[dict[str, Any]]
    ) -> RawAnswer:
        import openai

        try:
            completion = client.chat.completions.create(model=request.model, messages=messages)
        except openai.APIError as exc:
            raise self._map_error(request, exc) from exc
        if not hasattr(completion, "choices"):  # the SDK hands back a str for a non-JSON body
            raise BadAnswerError(f"{request.clip.name}: the server did not send a chat completion")
        try:
            answer = completion.choices[0].message.content
        except (AttributeError, IndexError, TypeError) as exc:
            raise BadAnswerError(f"{request.clip.name}: the answer has no message") from exc
        usage = getattr(completion, "usage", None)
        return RawAnswer(
            answer or "",
            getattr(usage, "prompt_tokens", None),
            getattr(usage, "completion_tokens", None),
        )

    def _map_error(self, request: CaptionRequest, exc: Exception) -> ProviderError:
        import openai

        clip = request.clip.name
        if isinstance(exc, openai.APIConnectionError):  # includes APITimeoutError
            if _no_connection(exc):
                reason = connection_reason(exc)
                return UnreachableError(f"{clip}: {exc.message} ({self.base_url}: {reason})")
            return TransientError(f"{clip}: {exc.message} ({self.base_url})")
        if isinstance(exc, openai.APIResponseValidationError):
            return BadAnswerError(f"{clip}: unreadable answer from the server: {exc.message}")
        if isinstance(exc, openai.APIStatusError):
            return self._refused(clip, exc)
        return ProviderError(f"{clip}: {type(exc).__name__}: {exc}")

    def _refused(self, clip: str, exc: Any) -> ProviderError:
        """The error for an ``openai.APIStatusError``: the SDK keeps the body's inner error."""
        failure = read_failure(
            exc.status_code, exc.body, exc.response.headers, fallback=exc.message
        )
        if self._key_withheld and failure.status in (401, 403):
            return AuthError(
                f"{self.base_url} refused a request without a key ({failure.status}: "
                f"{failure.message}): {key_withheld(self.base_url)}",
                fix=f"name the variable holding this server's key ({NAME_A_KEY})",
            )
        region = self.region if self.needs_key else None
        return provider_error(failure, clip=clip, key_env_var=self.key_env_var, region=region)


def _no_connection(exc: Any) -> bool:
    """Whether the server was never reached or dropped the connection, rather than slow to
    answer: a timeout counts only while connecting."""
    import openai

    if isinstance(exc, openai.APITimeoutError):
        # By name: the SDK's HTTP library (httpx, or httpx2 in newer SDKs) is its own
        # business, and importing the other one here would race the SDK's own imports.
        return type(exc.__cause__).__name__ == "ConnectTimeout"
    return True


def _still_part(request: CaptionRequest, still: Path) -> dict[str, Any]:
    """One still image (a kf2v sample's first or last frame) as a base64 ``image_url`` part."""
    try:
        raw = read_bytes(still)
    except UserFileError as exc:  # a pipe would block the read for ever
        raise InvalidRequestError(f"{request.clip.name}: the frame image {still}: {exc}") from None
    except OSError:
        raise InvalidRequestError(f"{request.clip.name}: the frame image {still} is gone") from None
    mime = mimetypes.guess_type(still.name)[0] or "image/png"
    data = base64.b64encode(raw).decode("ascii")
    return {"type": "image_url", "image_url": {"url": f"data:{mime};base64,{data}"}}


def _video_part(request: CaptionRequest) -> dict[str, Any]:
    clip = request.clip
    try:
        size = check_file(clip).st_size  # a pipe would block the read below for ever
    except UserFileError as exc:
        raise InvalidRequestError(f"{clip.name}: {exc}") from None
    if size > MAX_BASE64_VIDEO_BYTES:
        raise InvalidRequestError(
            f"{clip.name}: {size / 2**20:.1f} MB is too large to send as base64 (limit 7 MB)",
            fix="use video_as=frames, or the dashscope provider, which uploads files up to 100 MB",
        )
    mime = mimetypes.guess_type(clip.name)[0] or "video/mp4"
    try:
        data = base64.b64encode(read_bytes(clip)).decode("ascii")
    except UserFileError as exc:
        raise InvalidRequestError(f"{clip.name}: {exc}") from None
    return {
        "type": "video_url",
        "video_url": {"url": f"data:{mime};base64,{data}"},
        "fps": request.fps,
    }
