"""Which language a text is in: the one definition of a Chinese character here."""

from __future__ import annotations

import re
from typing import Literal

Lang = Literal["zh", "en"]

# CJK Unified Ideographs (basic block and extension A) and compatibility ideographs.
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")


def has_cjk(text: str) -> bool:
    """True when TEXT holds at least one Chinese character."""
    return CJK.search(text) is not None


def detect_lang(text: str) -> Lang:
    """Return "zh" when CJK characters make up at least a quarter of the letters, else "en".

    Letters means CJK ideographs plus ASCII letters; a Chinese caption keeps a
    few Latin letters (a trigger such as ``s86b5p``) and an English one almost
    never has an ideograph, so a quarter is far from both. Empty text is "en".
    """
    cjk = len(CJK.findall(text))
    latin = len(_LATIN.findall(text))
    if cjk + latin == 0:
        return "en"
    return "zh" if cjk / (cjk + latin) >= 0.25 else "en"
