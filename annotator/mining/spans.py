"""Captions parsed for mining: clauses, their words with offsets, and what each word is.

A free-form caption introduces its subject first ("The video opens on a young woman
...", "视频开头展示了一位年轻女性...", or just "A panda drinking coffee in a cafe, pan
left"), describes the setting in "the background ..." / "背景..." clauses, and says the
effect somewhere. Every word gets a role:

- ``frame``: the words that introduce the subject ("The video shows", "In the video",
  "is presented", "视频开头展示了"), never an effect whatever their support;
- ``subject``: the noun phrase that names the clip's subject ("a blue vase", "上海外滩");
- ``background``: every word of a clause about the setting;
- ``trigger``: a trigger token the captions already carry (see ``detect_trigger``);
- ``free``: anything else, where the effect is said.

A wording is judged by where its words stand in the captions that hold it, not by the
clause it happens to sit in: an effect said in the subject's clause ("a vase being
squeezed flat") keeps its role, a shared subject ("a panda drinking coffee in a cafe")
is still a subject.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from annotator.mining.clauses import _EN_LEAD, _EN_SPLIT, _STRIP, _ZH_LEAD, _ZH_SPLIT
from annotator.mining.lexicon import (
    CAMERA_WORDS,
    EN_DETERMINERS,
    EN_FRAME,
    EN_NP_STOP,
    EN_PRONOUNS,
    PHENOMENON_NOUNS,
    ZH_ENTITY_CLASSIFIER,
    ZH_FRAME,
    ZH_NP_END,
    ZH_PRONOUNS,
    jieba_module,
)

FREE, FRAME, SUBJECT, BACKGROUND, TRIGGER = "free", "frame", "subject", "background", "trigger"

_EN_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['’_-][A-Za-z0-9]+)*")
_WORDLIKE = re.compile(r"[^\W_]")

# What follows the subject's name when it is only presented: "a dog is presented".
_EN_FRAME_TAIL = re.compile(
    r"^(?:is|are) (?:presented|shown|seen|visible|displayed|featured|depicted|revealed)\b",
    re.IGNORECASE,
)
_EN_BACKGROUND = re.compile(r"\b(?:background|backdrop)\b|^behind (?:her|him|it|them|the)\b", re.I)
_ZH_BACKGROUND = re.compile(r"背景")

# A trigger is no word: wordfreq's Zipf frequency below this in English and Chinese
# (0 for most; a few letter-digit strings get a trace from Chinese web text).
_RARE_ZIPF = 1.0
# Trigger-like tokens inside a caption: letters and digits ("s86b5p", "a8z2_bbb"), a tag
# with an upper-case head joined by an underscore ("PIKA_CRUSH", "DIFF_xyz"), or all caps.
_TRIGGER_FIND = re.compile(
    r"(?<![A-Za-z0-9_])(?:(?=[A-Za-z0-9_]*\d)(?=[A-Za-z0-9_]*[A-Za-z])[A-Za-z0-9_]{4,}"
    r"|[A-Z0-9]{2,}(?:_[A-Za-z0-9]+)+|[A-Z]{5,})(?![A-Za-z0-9_])"
)


@dataclass(slots=True)
class Token:
    """One word of a caption: its text, folded form, offsets and role."""

    text: str
    key: str  # lowercased, pronouns folded to "_" (en) / "它" (zh)
    start: int
    end: int
    role: str = FREE


@dataclass(eq=False)
class Clause:
    """One clause of a caption; its words are split on first use (``tokens``)."""

    text: str
    start: int
    end: int
    background: bool = False
    owner: Caption | None = field(default=None, repr=False)
    _tokens: list[Token] | None = field(default=None, repr=False)

    @property
    def tokens(self) -> list[Token]:
        """The clause's words with their roles, split on first use. The subject is
        introduced in a caption's first two clauses: theirs are split together."""
        if self._tokens is None:
            assert self.owner is not None
            self.owner.split_words(self)
        assert self._tokens is not None
        return self._tokens


@dataclass(eq=False)
class Caption:
    """One caption split into clauses, every word with its role."""

    text: str
    clauses: list[Clause]
    lang: str = "en"
    trigger: str | None = None
    freeform: bool = True  # False: a structured caption's motion field, no subject in it

    def tokens(self) -> list[Token]:
        """Every word, in order."""
        return [t for c in self.clauses for t in c.tokens]

    def tokenize(self) -> None:
        """Split every clause into words and give every word its role."""
        for clause in self.clauses:
            self.split_words(clause)

    def split_words(self, clause: Clause) -> None:
        """Split CLAUSE into words with their roles (and the first two clauses, where the
        subject is introduced, with the subject's roles)."""
        if clause._tokens is not None:
            return
        head = self.clauses[:2]
        in_head = any(c is clause for c in head)
        for c in head if in_head else [clause]:
            if c._tokens is None:
                c._tokens = self._words(c)
        if in_head and self.freeform:
            if self.lang == "zh":
                _mark_subject_zh(self)
            else:
                _mark_subject_en(self)

    def _words(self, clause: Clause) -> list[Token]:
        piece, start = clause.text, clause.start
        tokens = _zh_tokens(piece, start) if self.lang == "zh" else _en_tokens(piece, start)
        low = self.trigger.lower() if self.trigger else None
        for t in tokens:
            if clause.background:
                t.role = BACKGROUND
            elif t.key == low:
                t.role = TRIGGER
        return tokens


def clause_spans(text: str, lang: str) -> list[tuple[int, int]]:
    """Character spans of the clauses ``clauses.split_clauses`` returns, in order."""
    splitter, lead = (_ZH_SPLIT, _ZH_LEAD) if lang == "zh" else (_EN_SPLIT, _EN_LEAD)
    spans: list[tuple[int, int]] = []
    last = 0
    for m in [*splitter.finditer(text), None]:
        end = m.start() if m else len(text)
        start = last
        last = m.end() if m else len(text)
        piece = text[start:end]
        # The same stripping as split_clauses: marks, then leading connectives, then marks.
        a, b = _strip_span(piece, 0, len(piece))
        lead_m = lead.match(piece[a:b])
        if lead_m:
            a += lead_m.end()
        a, b = _strip_span(piece, a, b)
        if a < b and _WORDLIKE.search(piece[a:b]):
            spans.append((start + a, start + b))
    return spans


def _strip_span(piece: str, a: int, b: int) -> tuple[int, int]:
    while a < b and piece[a] in _STRIP:
        a += 1
    while b > a and piece[b - 1] in _STRIP:
        b -= 1
    return a, b


def _en_tokens(text: str, offset: int) -> list[Token]:
    out = []
    for m in _EN_TOKEN.finditer(text):
        low = m.group(0).lower().replace("’", "'")
        out.append(
            Token(
                m.group(0), "_" if low in EN_PRONOUNS else low, offset + m.start(), offset + m.end()
            )
        )
    return out


# zh words are compared character by character (a run of Latin letters and digits, such
# as a trigger, is one token): jieba's segmentation varies with the context of a word, a
# character does not, and it costs nothing.
_ZH_UNIT = re.compile(r"[A-Za-z0-9_]+|[^\W_]")


def _zh_tokens(text: str, offset: int) -> list[Token]:
    out = []
    for m in _ZH_UNIT.finditer(text):
        unit = m.group(0)
        key = "它" if unit in ZH_PRONOUNS else unit.lower()
        out.append(Token(unit, key, offset + m.start(), offset + m.end()))
    return out


def parse_caption(
    text: str, lang: str, trigger: str | None = None, *, freeform: bool = True
) -> Caption:
    """Split one caption into clauses; words and their roles come on first use.

    TRIGGER: the trigger token the captions carry (``detect_trigger``), if any.
    FREEFORM: False for the motion field of a structured caption, whose first clause
    is the motion, never the subject's introduction."""
    background = _ZH_BACKGROUND if lang == "zh" else _EN_BACKGROUND
    caption = Caption(text, [], lang, trigger, freeform)
    for start, end in clause_spans(text, lang):
        piece = text[start:end]
        caption.clauses.append(
            Clause(piece, start, end, bool(background.search(piece)), owner=caption)
        )
    return caption


def _after_trigger(clause: Clause) -> str:
    """The clause's text after a trigger token that opens it (padded to keep offsets)."""
    lead = [t for t in clause.tokens if t.role == TRIGGER]
    if lead and lead[0] is clause.tokens[0]:
        cut = lead[0].end - clause.start
        rest = clause.text[cut:]
        return " " * (cut + len(rest) - len(rest.lstrip(" ,，:："))) + rest.lstrip(" ,，:：")
    return clause.text


def _mark_frame(tokens: list[Token], clause: Clause, match_end: int) -> int:
    """Mark the tokens inside a frame match; return how many."""
    n = 0
    for t in tokens:
        if t.end - clause.start <= match_end:
            t.role = FRAME
            n += 1
    return n


def _mark_subject_en(caption: Caption) -> None:
    """Frame words and the subject's noun phrase, in the caption's first sentence."""
    for ci, clause in enumerate(caption.clauses[:2]):
        if clause.background:
            return
        toks = [t for t in clause.tokens if t.role == FREE]
        if ci == 0 or _only_frame(caption.clauses[0]):
            m = EN_FRAME.match(_after_trigger(clause))
            skip = _mark_frame(toks, clause, m.end()) if m else 0
        else:
            return
        rest = toks[skip:]
        if not rest:
            continue  # "In the video," alone: the subject is in the next clause
        if _mark_np_en(rest, clause):
            return
        if ci == 0:
            return


def _only_frame(clause: Clause) -> bool:
    return all(t.role in (FRAME, TRIGGER) for t in clause.tokens)


def _mark_np_en(tokens: list[Token], clause: Clause) -> bool:
    """Find the subject's noun phrase among TOKENS (a clause's words after any frame)."""
    words = [t.key for t in tokens]
    # A proper name first ("Gwen Stacy reading a book"): two capitalised words.
    capitalised = len(tokens) >= 2 and all(t.text[:1].isupper() for t in tokens[:2])
    if capitalised and words[0] not in EN_DETERMINERS:
        run = 0
        while run < len(tokens) and tokens[run].text[:1].isupper() and run < 4:
            run += 1
        _set_subject(tokens[:run], clause)
        return True
    for i, w in enumerate(words):
        if w not in EN_DETERMINERS:
            continue
        j = i + 1
        while j < len(words) and j - i <= 6 and not _np_stop(words[j]):
            j += 1
        head = words[i + 1 : j]
        if not head:
            continue
        if any(w in CAMERA_WORDS for w in head):
            continue  # "the camera remains still": no subject here
        if head[-1] in PHENOMENON_NOUNS:
            return False  # "a ring of sparkles", "a spark": the effect, the subject is elsewhere
        _set_subject(tokens[i + 1 : j], clause)
        _mark_frame_tail(tokens[j:], clause)
        return True
    return False


def _np_stop(word: str) -> bool:
    if word in EN_NP_STOP or word == "_":
        return True
    # A verb or participle ends the noun phrase ("a panda drinking", "a man dressed");
    # a hyphenated adjective does not ("a red-haired woman").
    return "-" not in word and len(word) > 4 and word.endswith(("ing", "ed"))


def _set_subject(tokens: Sequence[Token], clause: Clause) -> None:
    for t in tokens:
        if t.role == FREE:
            t.role = SUBJECT


def _mark_frame_tail(tokens: Sequence[Token], clause: Clause) -> None:
    if not tokens:
        return
    m = _EN_FRAME_TAIL.match(clause.text[tokens[0].start - clause.start :])
    if m:
        end = tokens[0].start - clause.start + m.end()
        for t in tokens:
            if t.end - clause.start <= end:
                t.role = FRAME


def _mark_subject_zh(caption: Caption) -> None:
    for ci, clause in enumerate(caption.clauses[:2]):
        if clause.background:
            return
        if ci > 0 and not _only_frame(caption.clauses[0]):
            return
        m = ZH_FRAME.match(_after_trigger(clause))
        toks = [t for t in clause.tokens if t.role == FREE]
        skip = _mark_frame(toks, clause, m.end()) if m else 0
        rest = toks[skip:]
        if not rest:
            continue
        text = clause.text[rest[0].start - clause.start :]
        if m or ZH_ENTITY_CLASSIFIER.match(text):
            # The noun phrase runs to the first verb or preposition mark.
            end = ZH_NP_END.search(text)
            stop = rest[0].start + (end.start() if end else len(text))
            _set_subject([t for t in rest if t.end <= stop], clause)
            return
        if ci == 0 and _verbless(clause.text):
            _set_subject(rest, clause)  # a scene's name: "上海外滩", "春天的美丽海滨"
        return


@lru_cache(maxsize=65536)
def _verbless(text: str) -> bool:
    import jieba.posseg as posseg

    jieba_module()
    return not any(w.flag.startswith(("v", "i", "l", "p")) for w in posseg.lcut(text))


def detect_trigger(captions: Sequence[str], threshold: float) -> str | None:
    """A rare trigger-like token that most captions already carry, or None.

    Trigger-like: letters and digits ("s86b5p", "sq41sh", "a8z2_bbb"), an UPPER_SNAKE
    tag ("PIKA_CRUSH", "3DGS_DISSOLVE") or a run of five or more capitals ("HUPONNL"),
    and no word of English or Chinese (wordfreq knows it not). Most: in at least
    THRESHOLD of the captions, and in two or more.
    """
    from wordfreq import zipf_frequency

    seen: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {}
    for cap in captions:
        found = set()
        for word in _TRIGGER_FIND.findall(cap):
            found.add(word.lower())
            forms.setdefault(word.lower(), Counter())[word] += 1
        seen.update(found)
    need = max(2.0, threshold * len(captions))
    for word, count in seen.most_common():
        if count < need:
            break
        if max(zipf_frequency(word, "en"), zipf_frequency(word, "zh")) < _RARE_ZIPF:
            return forms[word].most_common(1)[0][0]
    return None
