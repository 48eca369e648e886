"""Every domain call the review UI makes, in one place.

The UI does no domain work: prompt assembly, lint, mining and the caption batch belong to
``annotator.prompts``, ``annotator.mining`` and ``annotator.pipeline``, imported late so
the app starts fast.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from annotator.checks.findings import Finding
from annotator.workspace import Sample, Workspace

# The caption batch: caption_samples(ws, ids, *, provider, force, on_progress, cancel, ...).
Captioner = Callable[..., Any]


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
    position: float | None
    source: Any  # the domain's Phrase, handed back to template_from_phrases


def assemble(ws: Workspace, sample: Sample) -> AssembledPrompt:
    """The sample's prompt, from the one place that assembles prompts."""
    from annotator.prompts.sample_prompts import sample_prompt

    built = sample_prompt(ws, sample)
    return AssembledPrompt(text=built.text, spans=dict(built.spans))


def workspace_findings(ws: Workspace) -> list[Finding]:
    """Every finding of the dataset checks, prompt lint included (slow: run it in a worker)."""
    from annotator.checks import check_workspace

    return list(check_workspace(ws).findings)


def mine(ws: Workspace) -> list[PhraseView]:
    """The effect phrases mined from the latest captions, as the template view lists them."""
    from annotator.pipeline.mine import mine_workspace

    return [
        PhraseView(
            text=str(p.text),
            support=float(getattr(p, "support", 0.0)),
            position=_float_or_none(getattr(p, "position", None)),
            source=p,
        )
        for p in mine_workspace(ws)
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


def _float_or_none(value: object) -> float | None:
    try:
        return None if value is None else float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class BatchStep:
    """One progress report of the caption batch, read from the domain's BatchProgress."""

    done: int  # requests with an outcome: captioned, failed or skipped
    total: int
    failed: int
    note: str | None  # what just happened, if notable (a failure, a retry)

    @classmethod
    def read(cls, progress: Any) -> BatchStep:
        finished = getattr(progress, "finished", None)
        return cls(
            done=int(finished if finished is not None else getattr(progress, "done", 0)),
            total=int(getattr(progress, "total", 0) or 0),
            failed=int(getattr(progress, "failed", 0) or 0),
            note=getattr(progress, "message", None),
        )
