"""Mine the captions of a workspace for the effect's shared phrases and propose the template.

Mining only reads: a run that proposes a template (or a trigger, or a text model's
distilled description) writes nothing. The phrases are stored (with the template) when
a person applies the proposal, because prompt building cuts the effect's wordings out of
free-form captions with them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from annotator.captioning.chat import ChatRequest, TextChat, text_chat
from annotator.captioning.instructions import load_instruction_file, templates_dir
from annotator.config import Settings
from annotator.mining.distill import ClauseEvidence, check_proposal, clean_proposal, distill_request
from annotator.mining.phrases import TRIGGER_SHARE, Phrase, mine_phrases
from annotator.mining.spans import detect_trigger
from annotator.mining.template import (
    caption_trigger,
    distill_template,
    effect_phrases,
    why_not_taken,
)
from annotator.prompts.trigger import TriggerProblem, check_trigger
from annotator.workspace import Caption, Workspace

PHRASES_KEY = "mining.phrases"
DEFAULT_THRESHOLD = 0.5
DISTILL_TASK = "distill"


def mining_text(caption: Caption) -> str:
    """The part of a caption that describes the effect: the motion of a structured one."""
    if is_structured(caption):
        return (caption.fields or {})["motion"]
    return caption.text


def is_structured(caption: Caption) -> bool:
    """Does the caption say which field each text came from (subject/background/motion)?"""
    return bool(caption.fields and caption.fields.get("motion"))


@dataclass(frozen=True)
class MiningInput:
    """What the miner reads: one text per caption, whether it is free-form, the language."""

    texts: list[str]
    freeform: list[bool]
    lang: str


def mining_input(ws: Workspace) -> MiningInput:
    """The latest caption of every present, not rejected sample, as the miner reads it."""
    captions = ws.latest_captions()
    chosen = [captions[s.id] for s in ws.samples() if s.id in captions and s.counts]
    texts = [mining_text(c) for c in chosen]
    # A structured caption's motion field names no subject: its first clause is never
    # read as the subject's introduction (issue 16 item 2).
    freeform = [not is_structured(c) for c in chosen]
    return MiningInput(texts, freeform, ws.info.lang)


def mine_workspace(ws: Workspace) -> list[Phrase]:
    """Mine the latest caption of every present, not rejected sample (reads only)."""
    got = mining_input(ws)
    return mine_phrases(got.texts, got.lang, freeform=got.freeform) if got.texts else []


@dataclass(frozen=True)
class Proposal:
    """What a mining run proposes; nothing of it is stored until a person applies it.

    template: the standard motion description; shared: whether the captions share an
    effect at all (a template without one describes nothing); trigger: the trigger token
    most captions carry, proposed because the workspace has none (None otherwise);
    carried: that token whatever the workspace has; taken: the phrases the template is
    made of; not_taken: every other phrase with the reason code (``REASONS``).
    """

    phrases: list[Phrase]
    template: str
    shared: bool
    trigger: str | None
    carried: str | None
    taken: list[Phrase]
    not_taken: list[tuple[Phrase, str]]


def propose(ws: Workspace, threshold: float = DEFAULT_THRESHOLD) -> Proposal:
    """Mine the workspace and propose its template and, when it has none, its trigger."""
    phrases = mine_workspace(ws)
    taken = effect_phrases(phrases, threshold)
    carried = caption_trigger(phrases, threshold)
    return Proposal(
        phrases=phrases,
        template=template_from_phrases(ws, phrases, threshold),
        shared=bool(taken),
        trigger=None if ws.info.trigger else carried,
        carried=carried,
        taken=taken,
        not_taken=why_not_taken(phrases, threshold),
    )


def trigger_problems(word: str, captions: Sequence[str]) -> list[TriggerProblem]:
    """What is wrong with WORD as the trigger of a workspace with these CAPTIONS.

    A trigger must appear in no caption, except the trigger most captions already carry
    (issue 16 item 6): the captions put it there to mean the effect, and it stays there.
    """
    problems = check_trigger(word, captions)
    carried = detect_trigger(captions, TRIGGER_SHARE)
    if carried and carried.lower() == word.strip().lower():
        problems = [p for p in problems if p.code != "in-caption"]
    return problems


def remember_phrases(ws: Workspace, phrases: Sequence[Phrase]) -> None:
    """Store PHRASES as the effect's wordings that prompts cut out of free-form captions."""
    ws.set_meta(PHRASES_KEY, _phrases_json(phrases))


def _phrases_json(phrases: Sequence[Phrase]) -> str:
    return json.dumps([p.to_dict() for p in phrases], ensure_ascii=False)


def apply_template(
    ws: Workspace, phrases: Sequence[Phrase], template: str, *, trigger: str | None = None
) -> bool:
    """Store the proposed TEMPLATE (undoable, in the history) and the PHRASES it came from,
    and the proposed TRIGGER only when the workspace has none (undoable too).

    Returns whether the trigger was stored.
    """
    stored_trigger = bool(trigger) and not ws.info.trigger
    fields = {"trigger": trigger, "template": template} if stored_trigger else {}
    fields["template"] = template
    # One commit: a crash never leaves a template without the phrases it was made from.
    ws.set_workspace_fields(fields, {PHRASES_KEY: _phrases_json(phrases)})
    return stored_trigger


def stored_phrases(ws: Workspace) -> list[dict[str, object]]:
    """The phrases of the last mining run, as plain data (text, support, position, terms)."""
    raw = ws.meta(PHRASES_KEY)
    return json.loads(raw) if raw else []


def phrase_from_dict(data: Mapping[str, Any]) -> Phrase:
    """A phrase from ``Phrase.to_dict`` data; data stored before roles existed is "effect"."""
    return Phrase(
        text=str(data["text"]),
        support=float(data["support"]),
        position=float(data.get("position", 0.0)),
        members=tuple((int(i), str(c)) for i, c in data.get("members", [])),
        terms=tuple(str(t) for t in data.get("terms", [])),
        role=str(data.get("role", "effect")),
        kind=str(data.get("kind", "clause")),
        core=str(data.get("core", "")),
    )


def effect_phrase_texts(ws: Workspace, threshold: float = DEFAULT_THRESHOLD) -> list[str]:
    """The wordings of the effect from the last run: what the template is made of.

    One rule with the miner (``mining.template.effect_phrases``): never a subject, a
    background, the words that introduce a subject, or a competing wording of a part.
    """
    phrases = [phrase_from_dict(p) for p in stored_phrases(ws)]
    return [p.text for p in effect_phrases(phrases, threshold)]


def template_from_phrases(
    ws: Workspace,
    phrases: Sequence[Phrase],
    threshold: float = DEFAULT_THRESHOLD,
    picked: Sequence[Phrase] | None = None,
) -> str:
    """The standard motion description: from the phrases at or above the threshold, or
    from the PICKED ones in the order a person put them.

    The trigger goes where the captions put it when they carry one (no lead-in is added
    then); the workspace's trigger, when set, takes its place.
    """
    trigger = ws.info.trigger or ""
    return distill_template(phrases, trigger, ws.info.lang, threshold, picked=picked)


# --------------------------------------------------------------------------- distil


@dataclass(frozen=True)
class Distilled:
    """A text model's standard effect description and how far the captions bear it out.

    proposal: the description as a template; clauses: each of its clauses with its
    support and evidence; unsupported: the clauses no caption says.
    """

    proposal: str
    clauses: list[ClauseEvidence]
    provider: str
    model: str
    trigger: str

    @property
    def unsupported(self) -> list[ClauseEvidence]:
        """The clauses no caption supports: the model wrote them, the captions do not."""
        return [c for c in self.clauses if c.support == 0]


def distill_instruction(lang: str) -> str:
    """The instruction for the text model: ``templates/instructions/distill.{lang}.txt``."""
    name = f"distill.{'zh' if lang == 'zh' else 'en'}.txt"
    return load_instruction_file(templates_dir() / "instructions" / name)


def make_chat(
    ws: Workspace,
    name: str | None,
    options: dict[str, Any],
    settings: Settings,
    model: str | None = None,
) -> tuple[TextChat, str]:
    """The text chat of the provider called NAME (as ``caption`` picks one) and the model
    to ask: MODEL, else the endpoint's, else the workspace's or the config's caption model.
    """
    from annotator.pipeline.caption import choose_model, make_provider

    name, provider = make_provider(ws, name, options, settings)
    return text_chat(provider), choose_model(model, name, settings)


def distill(
    ws: Workspace,
    chat: TextChat,
    model: str,
    phrases: Sequence[Phrase],
    *,
    sample: int = 8,
) -> Distilled:
    """Ask CHAT's model for one standard effect description (issue 16 item 10) from the
    mined PHRASES, the frequent words and a SAMPLE of the captions, then check every
    clause of its answer against all the captions. Reads only: nothing is stored."""
    got = mining_input(ws)
    trigger = ws.info.trigger or caption_trigger(phrases) or ""
    request = ChatRequest(
        system=distill_instruction(got.lang),
        text=distill_request(phrases, got.texts, got.lang, trigger=trigger, sample=sample),
        model=model,
        task=DISTILL_TASK,
        lang=got.lang,
    )
    answer = chat.chat(request)
    proposal = clean_proposal(answer.text)
    if trigger:  # a {trigger} slot is the trigger's place: the template says it as it is
        proposal = proposal.replace("{trigger}", trigger)
    clauses = check_proposal(proposal, got.texts, got.lang, trigger=trigger)
    return Distilled(proposal, clauses, answer.provider, answer.model, trigger)


__all__ = [
    "DEFAULT_THRESHOLD",
    "Distilled",
    "MiningInput",
    "Phrase",
    "Proposal",
    "apply_template",
    "distill",
    "effect_phrase_texts",
    "effect_phrases",
    "make_chat",
    "mine_workspace",
    "mining_input",
    "phrase_from_dict",
    "propose",
    "remember_phrases",
    "stored_phrases",
    "template_from_phrases",
    "trigger_problems",
]
