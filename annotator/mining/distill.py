"""提炼特效模板 with a text model: what to ask it, and how far to trust its answer.

When the captions say the effect in different words (auto-captioned prose shares
words, "dissolve", "disintegrate", "dust particles", but no phrase), no wording
reaches the threshold. A text model can then write one standard effect description
from the mined phrases and terms and a sample of the captions, in the guide's form.
This module is the domain half of that step (the model call belongs to the providers):

- ``distill_request``: the user message (the instruction is a text file,
  ``templates/instructions/distill.{en,zh}.txt``, read by the caller);
- ``check_proposal``: every clause of the model's proposal checked against the captions,
  with the share of captions that say it in some words and a few of them as evidence.
  A clause no caption supports is marked; nothing is stored until a person applies it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from annotator.lang import has_cjk
from annotator.mining.clauses import split_clauses
from annotator.mining.lexicon import content_words, frequent_terms
from annotator.mining.phrases import Phrase

# A caption says a clause when one of its clauses holds this share of the clause's
# content words (after folding word endings: "dissolves" / "dissolving").
OVERLAP = 0.6
EVIDENCE = 3  # caption clauses shown per proposed clause
_SLOT = re.compile(r"\{[a-z]+\}")


@dataclass(frozen=True)
class ClauseEvidence:
    """One clause of a proposal and what the captions say to it.

    support: share of captions that say it (0..1); evidence: up to three caption
    clauses that say it best.
    """

    clause: str
    support: float
    evidence: tuple[str, ...]

    def supported(self, threshold: float = 0.5) -> bool:
        """Do at least THRESHOLD of the captions say this clause?"""
        return self.support >= threshold


def distill_request(
    phrases: Sequence[Phrase],
    captions: Sequence[str],
    lang: str,
    *,
    trigger: str = "",
    sample: int = 8,
    floor: float = 0.2,
) -> str:
    """The message for the text model: the mined phrases (support >= FLOOR, effect
    first), the words most captions use, an evenly spread SAMPLE of the captions, and
    the trigger to place."""
    effect = [p for p in phrases if p.support >= floor and p.role == "effect"]
    other = [p for p in phrases if p.support >= floor and p.role not in ("effect", "trigger")]
    terms = frequent_terms(captions, lang, limit=12)
    step = max(1, len(captions) // max(sample, 1))
    chosen = list(captions[::step])[:sample]
    zh = lang == "zh"
    lines = ["挖掘到的共同短语（支持度）：" if zh else "Shared phrases (support):"]
    lines += [f"- {p.support:.0%} {p.text}" for p in effect] or ["-"]
    if other:
        lines.append("不是特效的共同短语（主体、背景等）：" if zh else "Shared but not the effect:")
        lines += [f"- {p.support:.0%} {p.text} ({p.role})" for p in other]
    lines.append(("常见词：" if zh else "Frequent words: ") + ", ".join(terms))
    if trigger:
        lines.append(("触发词：" if zh else "Trigger word: ") + trigger)
    lines.append("字幕样本：" if zh else "Sample captions:")
    lines += [f"{k + 1}. {c}" for k, c in enumerate(chosen)]
    return "\n".join(lines)


def check_proposal(
    proposal: str, captions: Sequence[str], lang: str, *, trigger: str = ""
) -> list[ClauseEvidence]:
    """Every clause of PROPOSAL with the share of CAPTIONS that say it and the evidence.

    A caption says a clause when one of its clauses holds OVERLAP of the proposed
    clause's content words (word endings folded, slots and the trigger left out). The
    lead-in the tool writes itself ("Then the ... effect begins", "然后开始展示...特效")
    is not checked.
    """
    caption_clauses = [
        [(c, _stems(c, lang)) for c in split_clauses(text, lang)] for text in captions
    ]
    out = []
    for clause in split_clauses(proposal, lang):
        if _is_lead_in(clause, trigger):
            continue
        words = _stems(_SLOT.sub(" ", clause.replace(trigger, " ") if trigger else clause), lang)
        if not words:
            continue
        said: list[tuple[float, str]] = []
        for clauses in caption_clauses:
            best = max(
                ((len(words & stems) / len(words), c) for c, stems in clauses), default=(0.0, "")
            )
            if best[0] >= OVERLAP:
                said.append(best)
        said.sort(key=lambda x: -x[0])
        support = len(said) / max(len(captions), 1)
        # Evidence in different words: the same clause from three captions shows nothing more.
        evidence: dict[str, str] = {}
        for _, c in said:
            evidence.setdefault(" ".join(c.split()).casefold(), c)
            if len(evidence) == EVIDENCE:
                break
        out.append(ClauseEvidence(clause, support, tuple(evidence.values())))
    return out


def _is_lead_in(clause: str, trigger: str) -> bool:
    # The guide's "Then the <trigger> <effect name> begins": the trigger and a name of 1-3 words.
    lead = re.compile(r"^(?:then )?the (?:\S+ ){0,4}effect begins$|^(?:然后)?开始展示", re.I)
    return bool(lead.match(clause)) and (not trigger or trigger in clause or "effect" in clause)


def _stems(text: str, lang: str) -> set[str]:
    """Content words with their endings folded ("dissolves", "dissolving" → "dissolv")."""
    words = content_words(text, lang)
    if lang == "zh":
        return set(words)
    return {re.sub(r"(?:ing|ed|es|s)$", "", w) if len(w) > 4 else w for w in words}


_FENCE = re.compile(r"^```[a-z]*\s*|\s*```$", re.I)
_QUOTES = (('"', '"'), ("“", "”"), ("「", "」"), ("'", "'"))


def clean_proposal(answer: str) -> str:
    """The model's answer as one template paragraph: code fences, a wrapping pair of
    quotes and a label such as "Template:" dropped, lines joined with single spaces (a
    template is one line of a prompt)."""
    text = _FENCE.sub("", answer.strip()).strip()
    text = re.sub(r"^(?:template|description|标准描述|模板)\s*[:：]\s*", "", text, flags=re.I)
    if len(text) >= 2 and any(text[0] == a and text[-1] == b for a, b in _QUOTES):
        text = text[1:-1].strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    joiner = "" if lines and has_cjk(lines[0]) else " "
    return joiner.join(lines)
