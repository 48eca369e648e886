"""Qwen-VL through the native ``dashscope`` SDK, sending the clip file itself.

The SDK uploads a local file to DashScope's temporary storage (GET
``{base}/uploads?action=getPolicy``, then a multipart POST to the OSS host it
names) and sends ``oss://...`` with the ``X-DashScope-OssResourceResolve``
header. We call that same SDK upload code (``OssUtils``) ourselves instead of
passing ``file://`` because, in dashscope 2.0.2, ``MultiModalConversation``
does not forward ``base_address`` to the getPolicy request: a ``file://``
message always uploads through the global ``dashscope.base_http_api_url``.
Uploading first lets every call carry its own base URL, so two providers with
different regions (or a test's fake server) work side by side with no global
state. The request on the wire is the same as for ``file://``.
"""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path
from typing import Any

from annotator.captioning.base import CaptionRequest, CaptionResult
from annotator.captioning.chat import ChatAnswer, ChatRequest
from annotator.captioning.errors import (
    REPLAY_INSTEAD,
    BadAnswerError,
    InvalidRequestError,
    MissingKeyError,
    ProviderError,
    TransientError,
    UnreachableError,
    connection_reason,
    provider_error,
)
from annotator.captioning.question import ClipQuestion
from annotator.captioning.structured import RawAnswer, complete
from annotator.dashscope_api import DEFAULT_KEY_ENV_VAR, get_region, read_failure, read_key

MAX_UPLOAD_BYTES = 100 * 1024 * 1024  # the SDK local-path limit (dashscope-api.md section 1)


class DashScopeProvider:
    """``dashscope.MultiModalConversation.call`` with the clip uploaded and ``fps`` set."""

    name = "dashscope"
    needs_key = True

    def __init__(
        self,
        *,
        region: str = "cn",
        base_url: str | None = None,
        key_env_var: str | None = None,
        timeout: float = 300.0,
    ) -> None:
        """``base_url`` overrides the region's ``.../api/v1`` base (a proxy, a test server).

        ``key_env_var`` None reads DASHSCOPE_API_KEY, which goes only over https or to this
        machine; a variable named here is read whatever the base URL.
        """
        self.region = get_region(region)
        self.base_url = (base_url or self.region.native_base).rstrip("/")
        self._named_key_var = key_env_var
        self.key_env_var = key_env_var or DEFAULT_KEY_ENV_VAR
        self.timeout = timeout

    def api_key(self) -> str:
        """The key for this provider's base URL (MissingKeyError when there is none)."""
        key = read_key(
            self._named_key_var,
            self.region,
            url=self.base_url,
            required=True,
            error=MissingKeyError,
            otherwise=REPLAY_INSTEAD,
            name_a_key="--key-env VAR",
        )
        assert key is not None  # required: an error otherwise
        return key

    def caption(self, request: CaptionRequest) -> CaptionResult:
        """Upload the clip once, then ask (twice at most, for a bad structured answer)."""
        key = self.api_key()
        oss_url = self._upload(request, key)
        return complete(request, lambda text: self._ask(request, key, oss_url, text))

    def ask_clip(self, question: ClipQuestion) -> RawAnswer:
        """A question about a clip (verify): the stills and the clip uploaded, then sent with
        the text in one message; the raw answer (what it must be is the asker's)."""
        import dashscope

        key = self.api_key()
        request = question.as_caption_request()
        stills = [{"image": self._upload(request, key, still)} for still in question.stills]
        video = {"video": self._upload(request, key), "fps": request.fps}
        messages = [{"role": "user", "content": [*stills, video, {"text": question.text}]}]
        return self._call(dashscope.MultiModalConversation, request, key, messages)

    def _fail(self, request: CaptionRequest, response: Any) -> ProviderError:
        """The error for a refused SDK response (the SDK's own fields, as the body has them)."""
        body = {
            "code": response.code,
            "message": response.message,
            "request_id": response.request_id,
        }
        failure = read_failure(int(response.status_code), body, response.headers)
        clip = request.clip.name
        return provider_error(failure, clip=clip, key_env_var=self.key_env_var, region=self.region)

    def _upload(self, request: CaptionRequest, key: str, path: Path | None = None) -> str:
        """Upload PATH (default: the request's clip) to DashScope's temporary storage."""
        import requests
        from dashscope.common.error import UploadFileException
        from dashscope.utils.oss_utils import OssUtils

        clip = path or request.clip
        if not clip.is_file():
            raise InvalidRequestError(f"{clip}: file not found")
        size = clip.stat().st_size
        if size > MAX_UPLOAD_BYTES:
            raise InvalidRequestError(
                f"{clip.name}: {size / 2**20:.0f} MB is over the 100 MB the SDK can upload"
            )
        try:
            policy = OssUtils.get_upload_certificate(
                model=request.model,
                api_key=key,
                base_address=self.base_url,
                request_timeout=self.timeout,
            )
            if policy.status_code != 200:
                raise self._fail(request, policy)
            url, _ = OssUtils.upload(
                model=request.model,
                file_path=str(clip),
                api_key=key,
                upload_certificate=policy.output,
            )
        except requests.ConnectionError as exc:  # refused, no route, dropped: not a slow answer
            raise UnreachableError(
                f"{clip.name}: upload to DashScope failed, no connection ({connection_reason(exc)})"
            ) from exc
        except (requests.RequestException, UploadFileException) as exc:
            raise TransientError(f"{clip.name}: upload to DashScope failed: {exc}") from exc
        return str(url)

    def _ask(self, request: CaptionRequest, key: str, oss_url: str, text: str) -> RawAnswer:
        import dashscope

        messages = [
            {
                "role": "user",
                "content": [{"video": oss_url, "fps": request.fps}, {"text": text}],
            }
        ]
        return self._call(dashscope.MultiModalConversation, request, key, messages)

    def chat(self, request: ChatRequest) -> ChatAnswer:
        """A text-only question (no clip), same base URL and key: a vision model's through
        ``MultiModalConversation``, a text model's (qwen-plus, ...) through ``Generation``."""
        import dashscope

        asked, key = request.as_caption_request(), self.api_key()
        if _multimodal(request.model):
            parts = [{**m, "content": [{"text": m["content"]}]} for m in request.messages()]
            raw = self._call(dashscope.MultiModalConversation, asked, key, parts)
        else:  # the answer in the chat shape, as MultiModalConversation's always is
            raw = self._call(
                dashscope.Generation, asked, key, request.messages(), result_format="message"
            )
        return ChatAnswer(raw.text, self.name, request.model, raw.input_tokens, raw.output_tokens)

    def _call(
        self,
        api: Any,
        request: CaptionRequest,
        key: str,
        messages: list[dict[str, Any]],
        **extra: Any,
    ) -> RawAnswer:
        import requests

        try:
            response = api.call(
                model=request.model,
                messages=messages,
                api_key=key,
                base_address=self.base_url,
                request_timeout=self.timeout,
                **extra,
            )
        except requests.exceptions.JSONDecodeError as exc:
            raise BadAnswerError(f"{request.clip.name}: the server sent no JSON: {exc}") from exc
        except requests.ConnectionError as exc:
            raise UnreachableError(
                f"{request.clip.name}: cannot reach {self.base_url} ({connection_reason(exc)})"
            ) from exc
        except requests.RequestException as exc:
            raise TransientError(f"{request.clip.name}: {type(exc).__name__}: {exc}") from exc
        except (ValueError, TypeError, KeyError) as exc:
            # A 200 whose body is not the JSON the SDK expects ends up here.
            raise BadAnswerError(
                f"{request.clip.name}: unreadable answer from the server: {exc}"
            ) from exc
        if isinstance(response, Generator):  # a stream: only when asked for, never here
            raise BadAnswerError(f"{request.clip.name}: the SDK answered with a stream")
        if response.status_code != 200:
            raise self._fail(request, response)
        return RawAnswer(_answer_text(request, response), *_usage(response))


def _multimodal(model: str) -> bool:
    """Is MODEL a vision (or omni) model, served by ``MultiModalConversation``?"""
    name = model.lower()
    return any(mark in name for mark in ("-vl", "vl-", "omni", "qvq"))


def _answer_text(request: CaptionRequest, response: Any) -> str:
    try:
        content = response.output.choices[0].message.content
    except (AttributeError, IndexError, KeyError, TypeError) as exc:
        raise BadAnswerError(f"{request.clip.name}: the answer has no message: {exc}") from None
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content or [] if isinstance(part, dict))


def _usage(response: Any) -> tuple[int | None, int | None]:
    usage = response.usage or {}
    return usage.get("input_tokens"), usage.get("output_tokens")
