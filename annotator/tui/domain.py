"""Every domain call the review UI makes, in one place.

The UI does no domain work: prompt assembly, lint, mining and the caption batch belong to
``annotator.prompts``, ``annotator.mining`` and ``annotator.pipeline``, imported late so
the app starts fast.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from annotator.checks.findings import Finding
from annotator.workspace import Sample, Workspace

if TYPE_CHECKING:
    from annotator.captioning import BatchProgress, BatchSummary
    from annotator.mining.phrases import Phrase


class Captioner(Protocol):
    """The caption batch: ``annotator.pipeline.caption.caption_samples``, or a test's own."""

    def __call__(
        self,
        ws: Workspace,
        sample_ids: Sequence[str] | None = None,
        *,
        provider: str | None = None,
        force: bool = False,
        on_progress: Callable[[BatchProgress], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> BatchSummary: ...


@dataclass(frozen=True)
class AssembledPrompt:
    """A sample's prompt and where each part sits in it (empty for an override)."""

    text: str
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class PhraseView:
    """A mined effect phrase as the template view shows it."""

    text: str
    support: float
    position: float
    source: Phrase  # handed back to template_from_phrases


def assemble(ws: Workspace, sample: Sample) -> AssembledPrompt:
    """The sample's prompt, from the one place that builds prompts (parts coloured when
    the prompt was assembled, none for a person's own text)."""
    from annotator.pipeline.prompts import load_prompt
    from annotator.prompts.build import PromptSource

    built = load_prompt(ws, sample)
    if built.source is not PromptSource.ASSEMBLED:
        return AssembledPrompt(text=built.text)
    names = ("subject", "background", "trigger", "template")
    return AssembledPrompt(text=built.text, spans={n: getattr(built.parts, n) for n in names})


def workspace_findings(ws: Workspace) -> list[Finding]:
    """Every finding of the dataset checks, prompt lint included (slow: run it in a worker)."""
    from annotator.pipeline.check import check_workspace

    return list(check_workspace(ws).findings)


def mine(ws: Workspace) -> list[PhraseView]:
    """The effect phrases mined from the latest captions, as the template view lists them.

    The template screen remembers them (prompts cut them out of free-form captions), as
    it always has; `annotator mine` only does so with --apply.
    """
    from annotator.pipeline.mine import mine_workspace, remember_phrases

    phrases = mine_workspace(ws)
    remember_phrases(ws, phrases)
    return [
        PhraseView(text=p.text, support=p.support, position=p.position, source=p) for p in phrases
    ]


def template_from(ws: Workspace, phrases: Sequence[PhraseView]) -> str:
    """The standard motion description the domain writes from the picked phrases, in order."""
    from annotator.pipeline.mine import template_from_phrases

    picked = [p.source for p in phrases]
    return template_from_phrases(ws, picked, picked=picked)


def default_captioner() -> Captioner:
    """The caption batch runner."""
    from annotator.pipeline.caption import caption_samples

    return caption_samples


@dataclass(frozen=True)
class BatchStep:
    """One progress report of the caption batch, read from the domain's BatchProgress."""

    done: int  # requests with an outcome: captioned, failed or skipped
    total: int
    failed: int
    note: str | None  # what just happened, if notable (a failure, a retry)

    @classmethod
    def read(cls, progress: BatchProgress) -> BatchStep:
        return cls(
            done=progress.finished,
            total=progress.total,
            failed=progress.failed,
            note=progress.message,
        )
