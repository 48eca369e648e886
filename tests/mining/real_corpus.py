"""The real-caption corpus (tests/mining/real/): loading it and judging the miner on it.

Each JSON file is one caption set copied verbatim from a public source (see
real/README.md). ``split`` says which half it belongs to: "dev" (the sets the miner
was tuned on) or "heldout" (never looked at while tuning; split by source, so no
source has sets in both halves). ``truth`` is the effect phrase written down from
the source; an empty truth marks a set with no shared effect.

Run ``.venv/bin/python -m tests.mining.real_corpus`` for the per-set table and the
recovery figures of both halves.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rapidfuzz import fuzz

from annotator.mining import (
    caption_trigger,
    detect_lang,
    distill_template,
    fill_pronouns,
    has_shared_effect,
    mine_phrases,
    split_clauses,
)

REAL = Path(__file__).parent / "real"
TRIGGER = "s86b5p"
THRESHOLD = 0.5  # the CLI's default --threshold
RECOVERED = 90  # partial ratio, truth vs template clause
PRESENT = 90  # partial ratio, a template clause's wording vs a caption
_SLOT = re.compile(r"\{[a-z]+\}")
_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class RealSet:
    """One caption set of the real corpus."""

    name: str
    split: str
    lang: str
    source: str
    shared_effect: bool
    hard: str
    truth: tuple[str, ...]
    trigger: str | None
    captions: tuple[str, ...]
    not_effect: tuple[str, ...] = ()


def _load(path: Path) -> RealSet:
    data = json.loads(path.read_text(encoding="utf-8"))
    return RealSet(
        name=data["name"],
        split=data["split"],
        lang=data["lang"],
        source=data["source"],
        shared_effect=data["shared_effect"],
        hard=data.get("hard", ""),
        truth=tuple(data["truth"]),
        trigger=data.get("trigger"),
        captions=tuple(c["text"] for c in data["captions"]),
        not_effect=tuple(data.get("not_effect", ())),
    )


SETS: list[RealSet] = [_load(p) for p in sorted(REAL.glob("*/*.json"))]


def norm(text: str) -> str:
    """Lowercase, one space, ASCII/full-width punctuation alike: for fuzzy comparison."""
    text = text.lower().translate(str.maketrans("，。；：（）！？、", ",.;:()!?,"))
    return " ".join(text.split())


def recovery(truth: str, clause: str) -> float:
    """How well one template clause says one truth phrase (0..100): partial ratio when the
    clause is at least as long as the truth, else plain ratio (a fragment cannot pass)."""
    t, c = norm(truth), norm(_SLOT.sub("", clause))
    if len(c) >= len(t):
        return fuzz.partial_ratio(t, c)
    return fuzz.ratio(t, c)


def template_clauses(template: str, lang: str) -> list[str]:
    """The template's clauses, the trigger sentence ("Then the s86b5p effect begins",
    "然后开始展示s86b5p特效") excepted when it is only the tool's own lead-in."""
    clauses = split_clauses(template, lang)
    lead_en = re.compile(r"^(?:then )?the (?:\S+ )?effect begins$", re.IGNORECASE)
    lead_zh = re.compile(r"^(?:然后)?开始展示(?:[A-Za-z0-9_]+)?特效$")
    return [c for c in clauses if not (lead_en.match(c) or lead_zh.match(c))]


_EN_WORD = re.compile(r"[a-z0-9]+(?:['’-][a-z0-9]+)*")
_EN_PRONOUNS = frozenset(
    ["she", "he", "it", "her", "his", "him", "its", "herself", "himself", "itself", "they", "them"]
)
_EN_FUNCTION = _EN_PRONOUNS | frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "of",
        "in",
        "on",
        "at",
        "to",
        "from",
        "by",
        "with",
        "into",
        "onto",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "it",
        "its",
    ]
)


def _fold_zh(text: str) -> str:
    """Chinese pronouns alike (a filled {ta} slot says 它 where a caption says 她)."""
    return re.sub("[她他它]", "它", text)


def clause_presence(clause: str, captions: tuple[str, ...]) -> float:
    """Share of the captions that say the clause's wording, the trigger word and slots aside.

    en: every word of the clause (function words aside) is a word of the caption, so a
    clause that names one clip's subject ("the dog") is absent from the other captions.
    zh: each piece between slots is in the caption (partial ratio >= 90).
    """
    text = _fold_zh(norm(clause))
    caps = [_fold_zh(norm(c)) for c in captions]
    if not _CJK.search(text):
        words = {w for w in _EN_WORD.findall(_SLOT.sub(" ", text)) if w not in _EN_FUNCTION}
        if not words:
            return 1.0
        held = sum(words <= set(_EN_WORD.findall(c)) for c in caps)
        return held / len(caps)
    pieces = [p.strip(" ,.;") for p in _SLOT.split(text)]
    pieces = [p for p in pieces if len(p) >= 2]
    if not pieces:
        return 1.0
    held = sum(all(fuzz.partial_ratio(p, c) >= PRESENT for p in pieces) for c in caps)
    return held / len(caps)


@dataclass(frozen=True)
class Verdict:
    """What the miner made of one set."""

    shared: bool
    template: str
    clauses: tuple[str, ...]

    def recovers(self, s: RealSet) -> bool:
        """Every truth phrase said by some template clause (partial ratio >= 90)."""
        return self.shared and all(
            max((recovery(t, c) for c in self.clauses), default=0) >= RECOVERED for t in s.truth
        )

    def unsupported(self, s: RealSet) -> list[str]:
        """Template clauses that most captions do not contain."""
        return [c for c in self.clauses if clause_presence(c, s.captions) < THRESHOLD]

    def correct(self, s: RealSet) -> bool:
        """The set's verdict: recovered for an effect set, "no shared effect" for a negative."""
        return self.recovers(s) if s.shared_effect else not self.shared

    def clean(self, s: RealSet) -> bool:
        """Correct, and every template clause is in most captions (no one clip's words,
        no minority wording) and none is a known subject or background phrase."""
        if not self.correct(s):
            return False
        leaked = [c for c in self.clauses for n in s.not_effect if recovery(n, c) >= RECOVERED]
        return not self.unsupported(s) and not leaked


def mine(captions: tuple[str, ...] | list[str], lang: str | None = None) -> Verdict:
    """Mine CAPTIONS as the CLI does (default threshold) and distil the template."""
    lang = lang or detect_lang("".join(captions))
    phrases = mine_phrases(list(captions), lang)
    # A trigger the captions carry is proposed as the workspace's: take it.
    trigger = caption_trigger(phrases, THRESHOLD) or TRIGGER
    template = distill_template(phrases, trigger, lang, THRESHOLD)
    shared = has_shared_effect(phrases, THRESHOLD)
    filled = fill_pronouns(template, "it", lang)
    return Verdict(shared, template, tuple(template_clauses(filled, lang)))


@cache
def verdict(name: str) -> Verdict:
    """The miner's verdict on the named set (cached: several tests read it)."""
    s = next(s for s in SETS if s.name == name)
    return mine(s.captions, s.lang)


def report(out=sys.stdout) -> dict[str, tuple[int, int]]:  # type: ignore[no-untyped-def]
    """Print one line per set and the figures per half; return them.

    "ok" a clean recovery, "ok*" recovered but with a clause most captions lack,
    "FAIL" not recovered (or, for a negative, an effect claimed)."""
    figures: dict[str, tuple[int, int]] = {}
    for split in ("dev", "heldout"):
        ok_effect = n_effect = ok_none = n_none = clean = 0
        for s in (s for s in SETS if s.split == split):
            v = verdict(s.name)
            good = v.correct(s)
            if s.shared_effect:
                n_effect += 1
                ok_effect += good
                clean += v.clean(s)
            else:
                n_none += 1
                ok_none += good
            mark = ("ok  " if v.clean(s) else "ok* ") if good else "FAIL"
            print(f"{mark} {split:7s} {s.name:28s} {len(s.captions):3d}  {v.template}", file=out)
        figures[f"{split} effect"] = (ok_effect, n_effect)
        figures[f"{split} none"] = (ok_none, n_none)
        figures[f"{split} clean"] = (clean, n_effect)
    for key, (ok, n) in figures.items():
        print(f"{key:16s} {ok}/{n}", file=out)
    return figures


if __name__ == "__main__":
    report()
