"""Mine the captions of a workspace for the effect's shared phrases and propose the template.

Mining only reads: a run that proposes a template writes nothing. The phrases are stored
(with the template) when a person applies the proposal, because prompt building cuts the
effect's wordings out of free-form captions with them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from annotator.mining.clauses import detect_lang
from annotator.mining.lexicon import introduces_subject
from annotator.mining.phrases import Phrase, mine_phrases
from annotator.mining.template import distill_template, effect_phrases
from annotator.workspace import Caption, Workspace

PHRASES_KEY = "mining.phrases"
DEFAULT_THRESHOLD = 0.5


def mining_text(caption: Caption) -> str:
    """The part of a caption that describes the effect: the motion of a structured one."""
    if caption.fields and caption.fields.get("motion"):
        return caption.fields["motion"]
    return caption.text


def mine_workspace(ws: Workspace) -> list[Phrase]:
    """Mine the latest caption of every present, not rejected sample (reads only)."""
    captions = ws.latest_captions()
    texts = [
        mining_text(captions[s.id])
        for s in ws.samples()
        if s.id in captions and s.status.value != "rejected"
    ]
    return mine_phrases(texts, ws.info.lang or detect_lang("".join(texts))) if texts else []


def remember_phrases(ws: Workspace, phrases: Sequence[Phrase]) -> None:
    """Store PHRASES as the effect's wordings that prompts cut out of free-form captions."""
    ws.set_meta(PHRASES_KEY, json.dumps([p.to_dict() for p in phrases], ensure_ascii=False))


def apply_template(ws: Workspace, phrases: Sequence[Phrase], template: str) -> None:
    """Store the proposed TEMPLATE (undoable, in the history) and the PHRASES it came from."""
    ws.set_workspace_field("template", template)
    remember_phrases(ws, phrases)


def stored_phrases(ws: Workspace) -> list[dict[str, object]]:
    """The phrases of the last mining run, as plain data (text, support, position, terms)."""
    raw = ws.meta(PHRASES_KEY)
    return json.loads(raw) if raw else []


def effect_phrase_texts(ws: Workspace, threshold: float = DEFAULT_THRESHOLD) -> list[str]:
    """The wordings of the effect (phrases at or above the threshold) from the last run."""
    return [
        str(p["text"])
        for p in stored_phrases(ws)
        if float(str(p["support"])) >= threshold and not introduces_subject(str(p["text"]))
    ]


def template_from_phrases(
    ws: Workspace,
    phrases: Sequence[Phrase],
    threshold: float = DEFAULT_THRESHOLD,
    picked: Sequence[Phrase] | None = None,
) -> str:
    """The standard motion description: from the phrases at or above the threshold, or
    from the PICKED ones in the order a person put them."""
    trigger = ws.info.trigger or ""
    return distill_template(phrases, trigger, ws.info.lang, threshold, picked=picked)


__all__ = [
    "Phrase",
    "apply_template",
    "effect_phrase_texts",
    "effect_phrases",
    "mine_workspace",
    "remember_phrases",
    "stored_phrases",
    "template_from_phrases",
]
