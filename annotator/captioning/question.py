"""A question about one clip: the clip (and a few stills) with a text, the raw answer back.

The verify pass (``verification.py``) asks the caption providers whether a sample's final
prompt matches its clip. A provider that answers ``ClipQuestion`` sends the clip the way
it sends it for a caption (same endpoint, key, upload and error rules), any stills
first (a kf2v sample's first and last frame), then the text, and hands back the model's
raw answer: what the answer must be is the asker's business, not the provider's.

The replay provider answers from ``{task}.jsonl`` beside its caption recordings
(``verify.jsonl``), one recorded answer per clip and language.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from annotator.captioning.base import ABLE_PROVIDERS, CaptionRequest, provider_name
from annotator.captioning.errors import InvalidRequestError
from annotator.captioning.structured import RawAnswer


@dataclass(frozen=True)
class ClipQuestion:
    """One clip, the stills sent before it, and the text to ask about them.

    task: what the answer is for ("verify"); the replay provider finds its recordings by
    it. lang: the language of the text ("en"/"zh"), for the replay provider's choice.
    """

    clip: Path
    clip_sha256: str
    text: str
    model: str
    fps: float = 2.0
    stills: tuple[Path, ...] = ()
    task: str = "verify"
    lang: str = "en"

    def as_caption_request(self, text: str | None = None) -> CaptionRequest:
        """The clip part of the question in the caption's shape: the providers send the
        clip, and name it in their errors, the same way for both."""
        return CaptionRequest(self.clip, self.clip_sha256, text or self.text, self.model, self.fps)


@runtime_checkable
class AsksAboutClips(Protocol):
    """A provider that answers a ``ClipQuestion``."""

    name: str

    def ask_clip(self, question: ClipQuestion) -> RawAnswer:
        """The model's raw answer; a ``ProviderError`` subclass on failure. Thread-safe."""
        ...


class NoClipQuestionsError(InvalidRequestError):
    """The provider captions clips but cannot be asked about one."""

    stops_batch = True  # every other request would fail the same way


def clip_questions(provider: object) -> AsksAboutClips:
    """PROVIDER as one that answers clip questions, or NoClipQuestionsError."""
    if isinstance(provider, AsksAboutClips):
        return provider
    raise NoClipQuestionsError(
        f"the {provider_name(provider)} provider cannot be asked about a clip",
        fix=ABLE_PROVIDERS,
    )
