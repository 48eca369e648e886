"""The miner against a corpus of caption sets whose shared effect is known.

Each file in tests/mining/corpus/ is one caption set, written the way Qwen-VL answers:
``kind`` "freeform" (the whole caption is mined) or "motion" (the motion field of a
structured answer is mined; its subject and background fields are not). Every caption
is a list of tagged parts, joined with a space (en) or nothing (zh):

- ``effect``: the effect's wording, the only thing the template may hold;
- ``subject`` / ``background``: this clip's own subject and surroundings;
- ``motion``: what this clip's subject does besides the effect ("she laughs");
- ``distractor``: clauses that recur in a minority of the captions ("the camera
  stays still throughout").

``truth`` lists the effect's phrases in the slot syntax of ``annotator.mining.template``
(empty: a set of unrelated captions with no shared effect); ``pronoun`` is the clip's
she/he/it; ``names`` the words of an effect part that belong to this clip alone (how it
names its own subject, "the cat", or a detail only it has) and must not reach the template.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from rapidfuzz import fuzz

from annotator.mining import (
    Phrase,
    distill_template,
    effect_phrases,
    fill_pronouns,
    has_shared_effect,
    mine_phrases,
    split_clauses,
)
from annotator.mining.lexicon import CLAUSE_CUTOFF, comparison_key

CORPUS = Path(__file__).parent / "corpus"
TRIGGER = "s86b5p"
THRESHOLD = 0.5  # the CLI's default --threshold
RECOVERED = 90  # truth vs template clause, see recovery_score
TAGS = frozenset({"effect", "subject", "background", "motion", "distractor"})
MINED_IN_MOTION = frozenset({"effect", "motion", "distractor"})  # a structured answer's motion
EFFECT = frozenset({"effect"})
_SLOT = re.compile(r"\{[a-z]+\}")
_PRONOUN_WORDS = frozenset(
    ["she", "he", "it", "her", "his", "him", "its", "herself", "himself", "itself"]
)


@dataclass(frozen=True)
class CorpusCaption:
    pronoun: str
    parts: tuple[tuple[str, str], ...]
    names: tuple[str, ...] = ()

    def clauses(self, tags: frozenset[str], lang: str) -> list[str]:
        return [c for tag, text in self.parts if tag in tags for c in split_clauses(text, lang)]


@dataclass(frozen=True)
class CaptionSet:
    name: str
    effect: str
    lang: str
    kind: str
    truth: tuple[str, ...]
    captions: tuple[CorpusCaption, ...]

    def texts(self) -> list[str]:
        """What the miner sees: the whole free-form caption, or the structured motion."""
        joiner = "" if self.lang == "zh" else " "
        tags = TAGS if self.kind == "freeform" else MINED_IN_MOTION
        return [joiner.join(text for tag, text in c.parts if tag in tags) for c in self.captions]

    @property
    def pronoun(self) -> str:
        """The set's majority pronoun (first seen wins a tie)."""
        return Counter(c.pronoun for c in self.captions).most_common(1)[0][0]

    def filled_truth(self) -> list[str]:
        return [fill_pronouns(t, self.pronoun, self.lang) for t in self.truth]


def _load(path: Path) -> CaptionSet:
    data = json.loads(path.read_text(encoding="utf-8"))
    captions = tuple(
        CorpusCaption(
            pronoun=c["pronoun"],
            parts=tuple((tag, text) for tag, text in c["parts"]),
            names=tuple(c.get("names", ())),
        )
        for c in data["captions"]
    )
    return CaptionSet(
        path.name.removesuffix(".json"),
        data["effect"],
        data["lang"],
        data["kind"],
        tuple(data["truth"]),
        captions,
    )


SETS = [_load(p) for p in sorted(CORPUS.glob("*.json"))]
EFFECT_SETS = [s for s in SETS if s.truth]
NO_EFFECT_SETS = [s for s in SETS if not s.truth]


def _ids(sets: list[CaptionSet]) -> list[str]:
    return [s.name for s in sets]


# Known weaknesses of the miner, by (test, set): the reason, for an honest strict xfail.
_PER_CLIP_DETAIL = (
    "each clip re-appears as its own origami figure (crane, teapot, knight ...) inside the "
    "one clause all captions share; the template keeps the medoid's wording, so one clip's "
    "figure and colour; saying 'an origami version of itself' is a rewrite the miner cannot "
    "make: a person edits the template (annotator template DIR --edit)"
)
XFAIL: dict[tuple[str, str], str] = {
    ("names", "origami_fold.en"): _PER_CLIP_DETAIL,
    ("names", "origami_fold.zh"): _PER_CLIP_DETAIL,
    ("only", "origami_fold.zh"): _PER_CLIP_DETAIL,  # "变成了一只扁平的淡粉色折纸鸟"
}


def _params(sets: list[CaptionSet], test: str) -> list[object]:
    params = []
    for s in sets:
        reason = XFAIL.get((test, s.name))
        marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
        params.append(pytest.param(s, id=s.name, marks=marks))
    return params


@cache
def _mined(name: str) -> tuple[list[Phrase], str]:
    s = next(s for s in SETS if s.name == name)
    phrases = mine_phrases(s.texts(), s.lang)
    return phrases, distill_template(phrases, TRIGGER, s.lang, THRESHOLD)


def template_clauses(s: CaptionSet) -> list[str]:
    """The template's clauses after the trigger sentence, pronoun slots filled."""
    filled = fill_pronouns(_mined(s.name)[1], s.pronoun, s.lang)
    return [c for c in split_clauses(filled, s.lang) if TRIGGER not in c]


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def recovery_score(truth: str, clause: str) -> float:
    """How well one template clause says one truth phrase (0..100).

    partial_ratio when the clause is at least as long as the truth, else ratio. The
    template keeps the wording captions use most, and captions sometimes join two of
    the effect's clauses with "and" ("...rain down from above and flutter around her");
    a faithful template clause may then hold the truth plus a few words, which
    partial_ratio scores by the truth's best alignment inside it while ratio punishes
    every extra word. But partial_ratio aligns the SHORTER string inside the longer,
    so a mere fragment of the truth ("the ground") would score 100: a clause shorter
    than the truth gets plain ratio, which a fragment cannot pass.
    """
    truth, clause = _norm(truth), _norm(clause)
    if len(clause) >= len(truth):
        return fuzz.partial_ratio(truth, clause)
    return fuzz.ratio(truth, clause)


def _says(truth: str, clause: str, lang: str) -> bool:
    """Does a caption's clause say the truth, in any word order? For checking the corpus
    itself, so written here rather than taken from the miner (``comparison_key``): words
    (en) or characters (zh) sorted, pronouns and particles ignored, fuzz.ratio >= 75."""
    if lang == "zh":
        a, b = (sorted(re.sub("[她他它的了着地得]", "", t)) for t in (truth, clause))
    else:
        a, b = (sorted(re.findall(r"[a-z0-9]+", t.lower())) for t in (truth, clause))
        a, b = ([w for w in x if w not in _PRONOUN_WORDS] for x in (a, b))
    return fuzz.ratio(" ".join(a), " ".join(b)) >= 75


# --------------------------------------------------------------------------- the corpus


def test_corpus_size() -> None:
    effects = {(s.effect, s.lang) for s in EFFECT_SETS}
    names = {e for e, _ in effects}
    assert len(names) >= 6
    assert all((e, lang) in effects for e in names for lang in ("en", "zh"))
    assert {s.kind for s in EFFECT_SETS if s.lang == "en"} == {"freeform", "motion"}
    assert {s.kind for s in EFFECT_SETS if s.lang == "zh"} == {"freeform", "motion"}
    assert {s.lang for s in NO_EFFECT_SETS} == {"en", "zh"}


@pytest.mark.parametrize("s", SETS, ids=_ids(SETS))
def test_corpus_set_is_well_formed(s: CaptionSet) -> None:
    assert s.kind in ("freeform", "motion") and s.lang in ("en", "zh")
    assert len(s.captions) >= 8
    for c in s.captions:
        assert c.pronoun in ("she", "he", "it")
        assert {tag for tag, _ in c.parts} <= TAGS
        assert {"subject", "background"} <= {tag for tag, _ in c.parts}
    # Varied subjects and backgrounds: no two captions share one.
    for tag in ("subject", "background"):
        texts = [" ".join(t for g, t in c.parts if g == tag) for c in s.captions]
        assert len(set(texts)) == len(texts), tag
    # Distractors recur, in a minority of the captions.
    distractors = Counter(
        clause for c in s.captions for clause in set(c.clauses(frozenset({"distractor"}), s.lang))
    )
    assert distractors, "every set has distractor clauses"
    for clause, count in distractors.items():
        assert 2 <= count < THRESHOLD * len(s.captions), (clause, count)
    # Each truth phrase is one clause, and is said (nearly) that way in most captions.
    for truth in s.filled_truth():
        assert split_clauses(truth, s.lang) == [truth]
        holding = [
            c
            for c in s.captions
            if any(_says(truth, clause, s.lang) for clause in c.clauses(EFFECT, s.lang))
        ]
        assert len(holding) >= THRESHOLD * len(s.captions), truth
        # ... but not word for word in all: wording noise or a missing clause.
        exact = [
            c
            for c in s.captions
            if any(
                _norm(fill_pronouns(truth, c.pronoun, s.lang)) == _norm(clause)
                or _norm(truth) == _norm(clause)
                for clause in c.clauses(EFFECT, s.lang)
            )
        ]
        assert len(exact) < len(s.captions), truth


# --------------------------------------------------------------------------- sets with an effect


@pytest.mark.parametrize("s", _params(EFFECT_SETS, "truth"))
def test_template_recovers_every_truth_phrase(s: CaptionSet) -> None:
    phrases, template = _mined(s.name)
    assert has_shared_effect(phrases, THRESHOLD)
    clauses = template_clauses(s)
    for truth in s.filled_truth():
        best = max(clauses, key=lambda c: recovery_score(truth, c), default="")
        assert recovery_score(truth, best) >= RECOVERED, (truth, best, template)


@pytest.mark.parametrize("s", _params(EFFECT_SETS, "only"))
def test_template_says_nothing_but_the_truth(s: CaptionSet) -> None:
    """Every clause of the template says one truth phrase, and each truth once: nothing
    invented, nothing said twice in other words (a word order the miner did not match)."""
    clauses, truths = template_clauses(s), s.filled_truth()
    for clause in clauses:
        assert max(recovery_score(t, clause) for t in truths) >= RECOVERED, (clause, truths)
    assert len(clauses) == len(truths), clauses


@pytest.mark.parametrize("s", _params(EFFECT_SETS, "slots"))
def test_pronoun_slots_are_where_the_truth_has_them(s: CaptionSet) -> None:
    """As many slots of each kind as the truth: none lost (a clip's subject named in the
    template), none invented (a word that merely varies, such as an adjective, slotted)."""
    template = _mined(s.name)[1]
    found = Counter(_SLOT.findall(template))
    assert found == Counter(slot for t in s.truth for slot in _SLOT.findall(t)), template


@pytest.mark.parametrize("s", _params(EFFECT_SETS, "order"))
def test_truth_phrases_keep_their_order(s: CaptionSet) -> None:
    clauses = template_clauses(s)
    order = [
        max(range(len(clauses)), key=lambda i: recovery_score(t, clauses[i]))
        for t in s.filled_truth()
    ]
    assert order == sorted(order), (order, clauses)


@pytest.mark.parametrize("s", _params(SETS, "leak"))
def test_no_subject_or_background_clause_enters_the_template(s: CaptionSet) -> None:
    """Nor a clip's own action, nor a minority distractor: by the miner's own similarity."""
    cutoff = CLAUSE_CUTOFF[s.lang]
    outsiders = {clause for c in s.captions for clause in c.clauses(TAGS - {"effect"}, s.lang)}
    for clause in template_clauses(s):
        key = comparison_key(clause, s.lang)
        leaked = [o for o in outsiders if fuzz.ratio(key, comparison_key(o, s.lang)) >= cutoff]
        assert not leaked, (clause, leaked)


@pytest.mark.parametrize("s", _params(SETS, "names"))
def test_no_clip_names_its_subject_in_the_template(s: CaptionSet) -> None:
    """An effect clause that names one clip's subject ("around the cat") is slotted."""
    template = _mined(s.name)[1].lower()
    for name in (n for c in s.captions for n in c.names):
        pattern = re.escape(name.lower())
        if s.lang == "en":
            pattern = rf"\b{pattern}\b"
        assert not re.search(pattern, template), (name, template)


# --------------------------------------------------------------------------- sets without


@pytest.mark.parametrize("s", _params(NO_EFFECT_SETS, "none"))
def test_unrelated_captions_have_no_shared_effect(s: CaptionSet) -> None:
    phrases, template = _mined(s.name)
    assert phrases, "the captions were mined"
    assert not has_shared_effect(phrases, THRESHOLD)
    assert effect_phrases(phrases, THRESHOLD) == []
    # Nothing invented: the template is the trigger sentence alone.
    assert template == distill_template([], TRIGGER, s.lang)


def test_a_subject_introduction_is_never_the_effect() -> None:
    """Qwen-VL introduces most subjects alike; however often, that is not the effect."""
    captions = [
        "视频开头展示了一位年轻女性，她站在海边。",
        "视频开头展示了一位年轻男性，他坐在书桌前。",
        "视频开头展示了一位年轻女性，她在厨房里做饭。",
        "视频开头展示了一位中年男性，他在公园里跑步。",
    ]
    phrases = mine_phrases(captions, "zh")
    assert max(p.support for p in phrases) >= THRESHOLD  # the openings do group ...
    assert not has_shared_effect(phrases, THRESHOLD)  # ... but are not an effect
    assert distill_template(phrases, TRIGGER, "zh") == f"然后开始展示{TRIGGER}特效。"


def test_one_caption_shares_nothing() -> None:
    """With two captions any clause reaches 50 % support; shared needs two captions."""
    phrases = mine_phrases(["A dog runs on a beach.", "A chef chops onions."], "en")
    assert all(p.support == 0.5 for p in phrases)
    assert not has_shared_effect(phrases, THRESHOLD)
    both = mine_phrases(
        ["A ring of light rises around him.", "A ring of light rises around her."], "en"
    )
    assert has_shared_effect(both, THRESHOLD)
    # Two captions of one dog share a subject, not an effect.
    dog = mine_phrases(["A dog runs on a beach.", "A dog runs on the beach."], "en")
    assert not has_shared_effect(dog, THRESHOLD)
