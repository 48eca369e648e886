"""What both miners ask of a wording: which words may not start or end it, whether it
holds content, and its role from the roles its words have in the captions that hold it.
"""

from __future__ import annotations

from collections.abc import Sequence

from annotator.mining.lexicon import (
    EN_STOPWORDS,
    GENERIC_WORDS,
    ZH_GENERIC,
    ZH_STOPWORDS,
)
from annotator.mining.spans import BACKGROUND, FRAME, FREE, SUBJECT

# Words a wording neither starts with (conjunctions) nor ends with (articles, prepositions).
LEAD_EN = frozenset({"and", "or", "then", "so", "but", "while", "as", "of"})
TAIL_EN = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "this",
        "that",
        "then",
        "so",
        "of",
        "to",
        "with",
        "from",
        "by",
        "into",
        "onto",
        "as",
        "its",
        "their",
    ]
)
LEAD_ZH = frozenset(
    ["的", "了", "着", "和", "并", "而", "与", "及", "然后", "随后", "接着", "同时"]
)
TAIL_ZH = frozenset(["的", "了", "和", "并", "而", "与", "及", "在", "从", "向", "把", "被", "将"])


def edge_words(lang: str) -> tuple[frozenset[str], frozenset[str]]:
    """The words a wording in LANG neither starts with, and those it does not end with."""
    return (LEAD_ZH, TAIL_ZH) if lang == "zh" else (LEAD_EN, TAIL_EN)


def span_role(
    rep_roles: list[str], other_roles: list[list[str | None]], words: list[str], lang: str
) -> str:
    """The role of a wording from the roles of its words in the captions that hold it."""
    if not has_content(words, lang):
        return FRAME
    rows = [rep_roles, *[[r for r in roles if r is not None] for roles in other_roles]]
    rows = [r for r in rows if r]
    if not rows:
        return FREE
    subject = sum(SUBJECT in r for r in rows) / len(rows)
    background = sum(r.count(BACKGROUND) * 2 > len(r) for r in rows) / len(rows)
    if background >= 0.5:
        return BACKGROUND
    if subject >= 0.5:
        return SUBJECT
    return FREE


def has_content(words: Sequence[str], lang: str) -> bool:
    """Does the wording hold a word that is neither filler nor the frame or camera?"""
    if lang == "zh":
        return any(w not in ZH_STOPWORDS and w not in ZH_GENERIC and w != "它" for w in words)
    return any(
        w not in EN_STOPWORDS and w not in GENERIC_WORDS and w != "_" and len(w) > 1 for w in words
    )


def role_name(role: str) -> str:
    """A phrase's role as shown: a span role, the free words being the effect."""
    return "effect" if role == FREE else role
