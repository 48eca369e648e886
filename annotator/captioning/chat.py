"""Text chat: one text-only question to the caption provider's model, no clip.

``annotator mine --distill`` asks a text model to write the effect's standard
description (issue 16 item 10). The same providers answer it, with the same endpoint,
key and error rules as for captions: the OpenAI-compatible provider sends a
``chat.completions`` request with text only, the native DashScope provider a text call
of its SDK, and the replay provider answers from recordings (``{task}.jsonl`` beside
its caption recordings, e.g. ``distill.jsonl``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from annotator.captioning.base import ABLE_PROVIDERS, CaptionRequest, provider_name
from annotator.captioning.errors import InvalidRequestError


@dataclass(frozen=True)
class ChatRequest:
    """One text-only question.

    system: the instruction; text: the question; task: what the answer is for
    ("distill"): errors name it, and the replay provider finds recordings by it;
    lang: the language of the question ("en"/"zh"), for the replay provider's choice.
    """

    system: str
    text: str
    model: str
    task: str = "chat"
    lang: str = "en"

    def messages(self) -> list[dict[str, Any]]:
        """The chat messages: the instruction as the system message, then the question."""
        out: list[dict[str, Any]] = []
        if self.system:
            out.append({"role": "system", "content": self.system})
        out.append({"role": "user", "content": self.text})
        return out

    def as_caption_request(self) -> CaptionRequest:
        """This question in the shape the providers' error mapping reads: its errors then
        name the task ("distill: ...") the way a caption's name the clip."""
        return CaptionRequest(Path(self.task), "", self.text, self.model)


@dataclass(frozen=True)
class ChatAnswer:
    """The model's answer to a ``ChatRequest``."""

    text: str
    provider: str
    model: str
    input_tokens: int | None = None
    output_tokens: int | None = None


@runtime_checkable
class TextChat(Protocol):
    """A provider that also answers text-only questions."""

    name: str

    def chat(self, request: ChatRequest) -> ChatAnswer:
        """Answer one text question; raise a ``ProviderError`` subclass on failure."""
        ...


class NoTextChatError(InvalidRequestError):
    """The provider captions clips but cannot answer a text question."""


def text_chat(provider: object) -> TextChat:
    """PROVIDER as a text chat, or NoTextChatError naming the providers that have one."""
    if isinstance(provider, TextChat):
        return provider
    raise NoTextChatError(
        f"the {provider_name(provider)} provider cannot answer a text question",
        fix=ABLE_PROVIDERS,
    )
