"""Turn the words that name one clip's own subject into pronoun slots.

Captions name their subject ("a ring of sparkles appears around the cat"), so the
wording a phrase group picks as typical names one clip's subject. Aligned word by word
with the group's other wordings, those words are the ones most members say differently
("the ball", "the house", "her"); where they stand in a subject or object position they
become ``{pronoun}`` / ``{object}`` (en) or ``{ta}`` (zh), which every sample fills
with its own pronoun. Words that vary inside an indefinite noun phrase ("a bright /
brilliant burst of light", "一道耀眼/炫目的红光") are the effect's wording noise and stay.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from rapidfuzz.distance import Levenshtein

from annotator.lang import CJK
from annotator.mining.lexicon import EN_PRONOUNS, ZH_PRONOUNS

# A word counts as shared when at least this share of the other wordings has it there.
STABLE_SHARE = 0.5
MAX_RUN_WORDS = 4  # "the old red car": longer runs are not a name of the subject
MAX_RUN_CHARS_ZH = 5
# Each clip names its own subject, so a subject's name is in fewer than half of the
# wordings (two cats among six clips are still two clips' own names); a word most of
# them use ("ring", "smoke") belongs to the effect and is never slotted.
MAX_NAME_SHARE = 0.5

_EN_WORD = re.compile(r"[A-Za-z]+(?:['-][A-Za-z]+)*")
_DETERMINERS = frozenset({"the", "a", "an", "this", "that"})
# A motion text mentions the clip's subject as something known: "the cat", "it", "小狗".
# An indefinite noun phrase ("a bright burst of light", "一道耀眼的红光": 一 and a measure
# word) brings in something new, the effect's; the word that varies in it from caption to
# caption (bright / brilliant / sudden ...) is wording noise, not the subject's name.
_INDEFINITE = frozenset({"a", "an"})
_PREPOSITIONS = frozenset(
    [
        "around",
        "round",
        "about",
        "on",
        "onto",
        "over",
        "toward",
        "towards",
        "at",
        "to",
        "from",
        "of",
        "with",
        "into",
        "behind",
        "above",
        "below",
        "under",
        "beside",
        "near",
        "surrounding",
        "encircling",
        "covering",
        "enveloping",
    ]
)
_ZH_BEFORE_OBJECT = "在把向将对给从让使绕围"
_ZH_AFTER_SUBJECT = ("周围", "身上", "身边", "四周", "的", "通体", "全身", "整个")


def slot_subjects(
    text: str, others: Sequence[str], lang: str, common: frozenset[str] = frozenset()
) -> str:
    """TEXT with the subject's name turned into slots where OTHERS name their own subject.

    COMMON: words most captions of the set use (the effect's own words), never slotted.
    """
    return _slot_zh(text, others, common) if lang == "zh" else _slot_en(text, others, common)


def common_words(members: Iterable[tuple[int, str]], n_captions: int) -> frozenset[str]:
    """The English words used by at least MAX_NAME_SHARE of the captions."""
    seen: dict[str, set[int]] = {}
    for index, clause in members:
        for word in _EN_WORD.findall(clause.lower()):
            seen.setdefault(word, set()).add(index)
    limit = MAX_NAME_SHARE * max(n_captions, 1)
    return frozenset(w for w, captions in seen.items() if len(captions) >= limit)


def _shared(tokens: Sequence[str], others: Sequence[Sequence[str]]) -> list[bool]:
    """Per token: do most other wordings have the same token in the same place?"""
    votes = [0] * len(tokens)
    for other in others:
        for op in Levenshtein.opcodes(tokens, other):
            if op.tag == "equal":
                for i in range(op.src_start, op.src_end):
                    votes[i] += 1
    need = STABLE_SHARE * max(len(others), 1)
    return [v >= need for v in votes]


def _share(token: str, others: Sequence[Sequence[str]]) -> float:
    """The share of the other wordings that use TOKEN anywhere."""
    return sum(token in o for o in others) / max(len(others), 1)


def _runs(shared: Sequence[bool]) -> list[tuple[int, int]]:
    runs, start = [], None
    for i, ok in enumerate([*shared, True]):
        if not ok and start is None:
            start = i
        elif ok and start is not None:
            runs.append((start, i))
            start = None
    return runs


# Words after which a name is the one doing something: "until the man is no longer ...".
_FINITE = frozenset(
    [
        "is",
        "are",
        "was",
        "were",
        "has",
        "have",
        "begins",
        "starts",
        "appears",
        "gets",
        "becomes",
        "remains",
        "stays",
        "keeps",
    ]
)


def _slot_en(text: str, others: Sequence[str], common: frozenset[str]) -> str:
    matches = list(_EN_WORD.finditer(text))
    tokens = [m.group(0).lower() for m in matches]
    other_tokens = [[w.lower() for w in _EN_WORD.findall(o)] for o in others]
    out, last = [], 0
    for a, b in _runs(_shared(tokens, other_tokens)):
        if b - a > MAX_RUN_WORDS or all(t in EN_PRONOUNS for t in tokens[a:b]):
            continue
        names = [t for t in tokens[a:b] if t not in _DETERMINERS]
        if any(t in common or _share(t, other_tokens) >= MAX_NAME_SHARE for t in names):
            continue
        if a > 0 and tokens[a - 1] in _DETERMINERS:
            a -= 1
        after = tokens[b] if b < len(tokens) else ""
        ends_phrase = (
            not after
            or after in _FINITE
            or after in _PREPOSITIONS
            or (len(after) > 4 and after.endswith(("ing", "ed")))
        )
        if tokens[a] in _INDEFINITE and not ends_phrase:
            continue  # "a bright burst": wording noise inside something new, not a name
        if tokens[a] not in _DETERMINERS and a > 0:
            continue  # a bare word mid-phrase ("origami teapot"): a detail, not the subject
        before = text[matches[a - 1].end() : matches[a].start()] if a > 0 else ""
        if a == 0 or "," in before or after in _FINITE:
            slot = "pronoun"
        elif tokens[a - 1] in _PREPOSITIONS or not after or not ends_phrase:
            slot = "object"
        else:
            slot = "object"
        out.append(text[last : matches[a].start()] + "{" + slot + "}")
        last = matches[b - 1].end()
    out.append(text[last:])
    return "".join(out)


def _slot_zh(text: str, others: Sequence[str], common: frozenset[str]) -> str:
    chars = list(text)
    out, last = [], 0
    for a, b in _runs(_shared(chars, [list(o) for o in others])):
        run = text[a:b]
        if b - a > MAX_RUN_CHARS_ZH or not CJK.fullmatch(run[0]) or set(run) <= set(ZH_PRONOUNS):
            continue
        if sum(run in o for o in others) > MAX_NAME_SHARE * max(len(others), 1):
            continue
        if "一" in text[max(0, a - 2) : a]:
            continue  # "一道耀眼的红光": something new, not the subject
        after = text[b:]
        if not (a == 0 or text[a - 1] in _ZH_BEFORE_OBJECT or after.startswith(_ZH_AFTER_SUBJECT)):
            continue
        out.append(text[last:a] + "{ta}")
        last = b
    out.append(text[last:])
    return "".join(out)
