"""Trigger words: make a rare one, and say what is wrong with a chosen one.

The guide: a trigger must be meaningless letters and digits ("s86b5p",
"m01aa", "sksstyle", "a8z2_bbb"), never a common word ("beautiful", "fire",
"dance", "running"): a real word changes what the model already means by it.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any, Literal

from rapidfuzz import fuzz, process

from annotator.lang import has_cjk
from annotator.mining.lexicon import jieba_module

Severity = Literal["error", "warning"]

# Letters and digits that cannot be misread for each other in a prompt or a
# file name: no l/1/i, no o/0.
_LETTERS = "abcdefghjkmnpqrstuvwxyz"
_DIGITS = "23456789"
_ALLOWED = re.compile(r"[a-z0-9_]+")

REAL_WORD_ZIPF = 1.0  # wordfreq's Zipf scale: 1.0 = once per 100 million words
NEAR_WORD_RATIO = 85.0  # fuzz.ratio against a common English word
_NEAR_WORD_LIST_SIZE = 30_000
_CONTAINED_WORD_ZIPF = 4.0  # "fire", "style", "dance": about once per 100k words


@dataclass(frozen=True)
class TriggerProblem:
    """One thing wrong with a trigger word: why, and what to do about it."""

    code: str
    severity: Severity
    message: str
    suggestion: str

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return asdict(self)


def make_trigger(rng: random.Random | None = None) -> str:
    """A fresh trigger in the guide's style, such as ``s86b5p``.

    5–8 lowercase letters and digits, at least two of each, starting with a
    letter; drawn again until ``check_trigger`` finds nothing wrong with it.
    Pass a seeded ``random.Random`` for a reproducible word.
    """
    rng = rng or random.Random()
    while True:
        length = rng.randint(5, 8)
        n_digits = rng.randint(2, length - 2)
        chars = [rng.choice(_DIGITS) for _ in range(n_digits)]
        chars += [rng.choice(_LETTERS) for _ in range(length - n_digits)]
        rng.shuffle(chars)
        if chars[0].isdigit():  # swap the first letter to the front
            k = next(i for i, c in enumerate(chars) if c.isalpha())
            chars[0], chars[k] = chars[k], chars[0]
        word = "".join(chars)
        if not _problems(word, (), suggest=False):
            return word


def check_trigger(word: str, captions: Sequence[str] = ()) -> list[TriggerProblem]:
    """Everything wrong with a trigger word, errors first; an empty list means it is fine.

    Errors: empty; contains spaces; a real English or Chinese word (wordfreq
    Zipf frequency >= 1.0); a near-spelling of a common English word
    (``beautifull``); already used in one of the captions. Warnings: contains
    a common English word of 4+ letters (the guide's own ``sksstyle`` does, so
    it is allowed); no digit; characters other than a-z, 0-9 and "_"; shorter
    than 5 characters.
    """
    return _problems(word, captions, suggest=True)


def _problems(word: str, captions: Sequence[str], *, suggest: bool) -> list[TriggerProblem]:
    fresh = make_trigger(random.Random(word)) if suggest else "s86b5p"
    pick = f"pick a meaningless mix of letters and digits such as {fresh!r}"
    found: list[TriggerProblem] = []

    def add(code: str, severity: Severity, message: str, suggestion: str) -> None:
        found.append(TriggerProblem(code, severity, message, suggestion))

    stripped = word.strip()
    if not stripped:
        add("empty", "error", "the trigger word is empty", pick)
        return found
    if re.search(r"\s", stripped) or stripped != word:
        add(
            "spaces",
            "error",
            f"{word!r} contains spaces: a trigger must be one token",
            "remove the spaces, or " + pick,
        )
    lowered = stripped.lower()

    real = _real_word_frequency(lowered)
    if real is not None:
        lang, zipf = real
        add(
            "real-word",
            "error",
            f"{stripped!r} is a real {lang} word (Zipf frequency {zipf:.1f}): training would "
            "change what the model already means by it",
            pick,
        )
    near = _near_common_word(lowered)
    if near is not None:
        add(
            "near-word",
            "error",
            f"{stripped!r} is a near-spelling of the common word {near!r}: the model reads it "
            "as that word",
            pick,
        )
    for i, caption in enumerate(captions):
        if lowered in caption.lower():
            add(
                "in-caption",
                "error",
                f"{stripped!r} already appears in caption {i}: it must mean nothing but the effect",
                pick,
            )
            break
    inner = _contained_common_word(lowered)
    if inner is not None and near is None and real is None:
        add(
            "contains-word",
            "warning",
            f"{stripped!r} contains the common word {inner!r}; allowed (the guide's own "
            "'sksstyle' does) but a trigger with no word inside binds more cleanly",
            "mix digits into it, e.g. " + repr(_digitise(lowered, inner)),
        )
    if not re.search(r"\d", stripped):
        add(
            "no-digit",
            "warning",
            f"{stripped!r} has no digit: digits make it rarer",
            "add two digits, e.g. " + repr(_digitise(lowered, lowered)),
        )
    if not _ALLOWED.fullmatch(stripped):
        add(
            "characters",
            "warning",
            f"{stripped!r} has characters other than a-z, 0-9 and '_' (capitals, punctuation "
            "or non-Latin letters), which split into common sub-tokens and clash with file "
            "names",
            "use lowercase letters, digits and '_' only, or " + pick,
        )
    if len(stripped) < 5:
        add(
            "short",
            "warning",
            f"{stripped!r} is shorter than 5 characters: short tokens collide with common ones",
            "make it 5–8 characters, or " + pick,
        )
    found.sort(key=lambda p: p.severity != "error")  # stable: errors first
    return found


def _real_word_frequency(word: str) -> tuple[str, float] | None:
    """("English"|"Chinese", zipf) when wordfreq knows the word, else None."""
    from wordfreq import zipf_frequency

    # Words with Chinese characters are looked up in Chinese only, others in English only:
    # wordfreq's Chinese tokenizer cuts Latin letters into pieces and scores the pieces
    # (the guide's own "sksstyle" scores 1.1 there), and its English list holds some
    # Chinese words too, which would be misnamed as English.
    lang, name = ("zh", "Chinese") if has_cjk(word) else ("en", "English")
    if lang == "zh":
        jieba_module()  # wordfreq cuts Chinese with jieba: set up once, quietly
    zipf = zipf_frequency(word, lang)
    return (name, zipf) if zipf >= REAL_WORD_ZIPF else None


@lru_cache(maxsize=1)
def _common_english() -> tuple[list[str], frozenset[str]]:
    """wordfreq's top English words: (words of 4+ letters for near-spelling, frequent set)."""
    from wordfreq import top_n_list, zipf_frequency

    words = [w for w in top_n_list("en", _NEAR_WORD_LIST_SIZE) if w.isascii() and w.isalpha()]
    near = [w for w in words if len(w) >= 4]
    frequent = frozenset(w for w in near[:8000] if zipf_frequency(w, "en") >= _CONTAINED_WORD_ZIPF)
    return near, frequent


def _near_common_word(word: str) -> str | None:
    # Below 5 letters a single changed letter is already under the cutoff, and
    # short random strings would match short words by chance.
    letters = re.sub(r"[^a-z]", "", word)
    if len(letters) < 5 or len(word) < 5:
        return None
    near, _ = _common_english()
    hits = process.extract(word, near, scorer=fuzz.ratio, score_cutoff=NEAR_WORD_RATIO, limit=5)
    hits = [h for h in hits if h[0] != word]
    if not hits:
        return None
    # Of the close words, name the most common one (the list is by frequency):
    # "beautifull" is nearest "beautifully" but is read as "beautiful".
    return min(hits, key=lambda h: h[2])[0]


def _contained_common_word(word: str) -> str | None:
    """The longest frequent English word of 4+ letters inside the trigger's letters."""
    _, frequent = _common_english()
    best = None
    for run in re.findall(r"[a-z]{4,}", word):
        for size in range(len(run), 3, -1):
            for start in range(len(run) - size + 1):
                piece = run[start : start + size]
                if piece in frequent and piece != word and (best is None or size > len(best)):
                    best = piece
    return best


def _digitise(word: str, part: str) -> str:
    """The word with two digits mixed into part ("sksstyle" → "sks5sty8le")."""
    at = word.find(part)
    if at < 0 or not part:
        return word + "58"
    mid = at + len(part) // 2
    return word[: at + 1] + "5" + word[at + 1 : mid] + "8" + word[mid:]
