"""Every domain call the review UI makes, in one place.

The UI does no domain work: prompt assembly, lint, mining and the caption batch belong to
``annotator.prompts``, ``annotator.mining`` and ``annotator.pipeline``. They are imported
late; while a part is not installed yet, a plain stand-in keeps the UI usable and says so
(``Capabilities``), so the session degrades instead of failing.
"""

from __future__ import annotations

import dataclasses
import importlib
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


def _optional(module: str, name: str) -> Any | None:
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


@dataclass(frozen=True)
class Capabilities:
    """Which domain parts are installed; the UI names the missing ones."""

    prompts: bool
    mining: bool
    captioning: bool

    @classmethod
    def detect(cls) -> Capabilities:
        return cls(
            prompts=_optional("annotator.prompts.sample_prompts", "sample_prompt") is not None,
            mining=_optional("annotator.pipeline.mine", "mine_workspace") is not None,
            captioning=default_captioner() is not None,
        )

    def missing(self) -> list[str]:
        names = {
            "prompts": "prompt assembly",
            "mining": "phrase mining",
            "captioning": "captioning",
        }
        return [label for key, label in names.items() if not getattr(self, key)]


def assemble(ws: Workspace, sample: Sample) -> AssembledPrompt:
    """The sample's prompt, from the one place that assembles prompts."""
    sample_prompt = _optional("annotator.prompts.sample_prompts", "sample_prompt")
    if sample_prompt is not None:
        built = sample_prompt(ws, sample)
        spans = {k: (int(a), int(b)) for k, (a, b) in (getattr(built, "spans", None) or {}).items()}
        return AssembledPrompt(text=built.text, spans=spans)
    return _plain_prompt(ws, sample)


def _plain_prompt(ws: Workspace, sample: Sample) -> AssembledPrompt:
    # Stand-in until annotator.prompts lands: the formula's parts joined, nothing filled in.
    if sample.prompt_override:
        return AssembledPrompt(sample.prompt_override)
    parts = [
        ("subject", sample.subject.strip()),
        ("background", sample.background.strip()),
        ("trigger", (ws.info.trigger or "").strip()),
        ("template", (ws.template() or "").strip()),
    ]
    text, spans = "", {}
    for name, part in parts:
        if not part:
            continue
        if text:
            text += " "
        spans[name] = (len(text), len(text) + len(part))
        text += part
    return AssembledPrompt(text, spans)


def workspace_findings(ws: Workspace) -> list[Finding]:
    """Every finding of the dataset checks, prompt lint included (slow: run it in a worker)."""
    from annotator.checks import check_workspace

    return list(check_workspace(ws).findings)


def mine(ws: Workspace) -> list[PhraseView]:
    """The effect phrases mined from the latest captions, as the template view lists them."""
    mine_workspace = _optional("annotator.pipeline.mine", "mine_workspace")
    if mine_workspace is None:
        raise DomainMissingError("phrase mining (annotator.pipeline.mine) is not installed yet")
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
    """The standard motion description the domain writes from the picked phrases, in order.

    The person's picks and order decide: every picked phrase is passed (threshold 0) with
    its place in the list as its position, since the domain orders phrases by position."""
    build = _optional("annotator.pipeline.mine", "template_from_phrases")
    if build is None:
        return " ".join(p.text for p in phrases)
    placed = [
        dataclasses.replace(p.source, position=i / max(1, len(phrases) - 1))
        if dataclasses.is_dataclass(p.source)
        else p.source
        for i, p in enumerate(phrases)
    ]
    return str(build(ws, placed, threshold=0.0))


def default_captioner() -> Captioner | None:
    """The caption batch runner, or None while it is not installed."""
    return _optional("annotator.pipeline.caption", "caption_samples")


class DomainMissingError(RuntimeError):
    """A domain part the UI needs is not installed; the message names it."""


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
