"""Split captions into clauses and tell Chinese from English.

A clause is the unit the miner compares across captions: Qwen-VL words one
effect slightly differently each time, but clause by clause the wording
repeats, so near-duplicate clauses across captions are the effect's phrases.
"""

from __future__ import annotations

import re

from annotator.lang import Lang, detect_lang

__all__ = ["Lang", "detect_lang", "split_clauses"]
_WORDLIKE = re.compile(r"[^\W_]")

# Chinese: full-width sentence and clause marks, the enumeration comma, and the
# ASCII ones Qwen-VL often mixes in (the vendor guide's own examples use ","). An
# ASCII "." splits only when it is not between digits ("2.5秒").
_ZH_SPLIT = re.compile(r"[。，；！？、,;!?\n]+|(?<!\d)\.|\.(?!\d)|…+")

# English: sentence ends (a ".!?" followed by a space or the end, so "2.5" and
# "e.g.x" stay whole), commas not inside numbers ("1,000"), semicolons, new lines,
# and the connectives that join two clauses of a motion ("then", "while").
_EN_SPLIT = re.compile(
    r"[.!?]+(?=\s|$)|,(?!\d)|;|\n|\s+and then\s+|\s+then\s+|\s+while\s+",
    re.IGNORECASE,
)

# Connectives at the start of a clause carry no content and vary freely from
# caption to caption ("随后" / "接着" / "然后"); they are stripped so that they do
# not become "phrases" of their own or lower the similarity of real ones. Longest
# first so "紧接着" wins over "接着".
_ZH_CONNECTIVES = sorted(
    [
        "然后",
        "随后",
        "接着",
        "紧接着",
        "之后",
        "随即",
        "最后",
        "最终",
        "同时",
        "与此同时",
        "此时",
        "这时",
        "紧随其后",
        "而后",
        "并且",
        "而且",
    ],
    key=len,
    reverse=True,
)
_ZH_LEAD = re.compile("^(?:" + "|".join(map(re.escape, _ZH_CONNECTIVES)) + ")+[\\s:：]*")
_EN_LEAD = re.compile(
    r"^(?:(?:and then|then|and|after that|afterwards|finally|next|meanwhile|"
    r"at the same time|soon after|moments later)\b[\s:]*)+",
    re.IGNORECASE,
)
# What may be left at either end of a clause after splitting: spaces, stray marks.
_STRIP = " \t\r\n\"'“”‘’「」『』:：-—"


def split_clauses(text: str, lang: str) -> list[str]:
    """Split one caption into clauses, in order, without their separating punctuation.

    Chinese splits on 。，；！？、 and on ASCII , ; ! ? . ; English on sentence
    ends, commas, semicolons and the joining words " and then ", " then ",
    " while " (", and " falls out of the comma rule). Leading connectives
    ("then", "随后", ...) are dropped, as are clauses with no letter or digit.
    """
    if lang == "zh":
        pieces = _ZH_SPLIT.split(text)
        lead = _ZH_LEAD
    elif lang == "en":
        pieces = _EN_SPLIT.split(text)
        lead = _EN_LEAD
    else:
        raise ValueError(f"unknown language {lang!r}; expected 'zh' or 'en'")
    clauses: list[str] = []
    for piece in pieces:
        clause = lead.sub("", piece.strip(_STRIP)).strip(_STRIP)
        if _WORDLIKE.search(clause):  # not empty, not only stray marks
            clauses.append(clause)
    return clauses


def clause_joiner(lang: str) -> str:
    """The separator that joins clauses back into one sentence: "，" for zh, ", " for en."""
    return "，" if lang == "zh" else ", "
