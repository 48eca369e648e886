"""Distil mined phrases into ONE standard motion description, with pronoun slots.

Slot syntax (the only one in the project): a slot name in braces.

=================  =====================  ================================
slot               filled with            used for
=================  =====================  ================================
``{pronoun}``      she / he / it          subject pronoun (en)
``{possessive}``   her / his / its        possessive determiner (en)
``{object}``       her / him / it         object pronoun (en)
``{reflexive}``    herself / himself /    reflexive pronoun (en)
                   itself
``{ta}``           她 / 他 / 它           the pronoun (zh: one form serves all)
``{trigger}``      the trigger word       optional; ``assemble_prompt`` fills it
=================  =====================  ================================

A filled pronoun at the start of a sentence is capitalised. The template
mirrors the vendor guide's examples: en "Then the s86b5p <effect> begins,
...", zh "然后开始展示s86b5p<effect>，...".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Literal

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from annotator.mining.lexicon import EN_PRONOUNS, ZH_PRONOUNS, introduces_subject
from annotator.mining.phrases import Phrase
from annotator.mining.subject_slots import common_words, slot_subjects

Pronoun = Literal["she", "he", "it"]

EN_SLOTS: dict[str, dict[str, str]] = {
    "pronoun": {"she": "she", "he": "he", "it": "it"},
    "possessive": {"she": "her", "he": "his", "it": "its"},
    "object": {"she": "her", "he": "him", "it": "it"},
    "reflexive": {"she": "herself", "he": "himself", "it": "itself"},
}
ZH_SLOTS: dict[str, dict[str, str]] = {"ta": {"she": "她", "he": "他", "it": "它"}}

# Which slot each English pronoun form fills; "her" and "it" are ambiguous and
# resolved from what the other captions say in the same place.
_EN_FORM_SLOT = {
    "she": "pronoun",
    "he": "pronoun",
    "him": "object",
    "his": "possessive",
    "its": "possessive",
    "herself": "reflexive",
    "himself": "reflexive",
    "itself": "reflexive",
}
# Words after which "her" is an object ("around her and ...", "leaving her glowing").
_AFTER_OBJECT_WORDS = (
    "and or as with while in on at to from into up down out off again then until so but "
    "before after over around"
)
_AFTER_OBJECT = frozenset(_AFTER_OBJECT_WORDS.split())
_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
_SLOT = re.compile(r"\{([a-z]+)\}")
_GUIDE_ZH_PAIR = re.compile(r"[她他]\s*[(（]\s*[她他]\s*[)）]")  # the guide's "她(他)"


def effect_phrases(phrases: Sequence[Phrase], threshold: float = 0.5) -> list[Phrase]:
    """The effect's parts: one wording each, in the order captions say them.

    A phrase qualifies with support >= threshold in two or more captions (three for a
    word sequence inside clauses) and the role
    "effect" (a subject, a background, the words that introduce a subject, or a
    trigger alone are never the effect, whatever their support). Of wordings that say
    the same part (one inside the other, or the same words of the same captions) one
    is kept: of nested wordings the longest, of competing ones the best supported.
    """
    chosen = [
        p
        for p in phrases
        if p.support >= threshold
        and p.role == "effect"
        and len(p.caption_indices) >= _min_captions(p)
        and not introduces_subject(p.text)
    ]
    # Longest first, so a wording inside a longer chosen one is seen as its part.
    chosen.sort(key=lambda p: (-len(_fold(p.wording)), -p.support, p.position, p.text))
    keep: list[Phrase] = []
    for p in chosen:
        if any(_inside(p, k) for k in keep):
            continue
        rivals = [k for k in keep if _same_part(p, k)]
        if rivals and all(k.support >= p.support for k in rivals):
            continue
        if rivals and any(_nested(k, p) for k in rivals):
            continue
        keep = [k for k in keep if k not in rivals]
        keep.append(p)
    return sorted(keep, key=lambda p: (p.position, p.text))


def _min_captions(p: Phrase) -> int:
    """Captions a phrase needs to be shared: two for a clause, three for a word sequence
    inside clauses (two long captions share a few words such as "towering trees" by
    chance)."""
    return 2 if p.kind == "clause" else 3


def _nested(outer: Phrase, inner: Phrase) -> bool:
    a, b = _fold(outer.wording), _fold(inner.wording)
    return len(a) > len(b) and fuzz.partial_ratio(b, a) >= 90


def _inside(p: Phrase, longer: Phrase) -> bool:
    """Is P's wording said inside LONGER's (nearly word for word)?"""
    return _nested(longer, p)


def _same_part(p: Phrase, q: Phrase) -> bool:
    """Do P and Q word the same words of most captions both are in (overlapping spans)?"""
    common = p.caption_indices & q.caption_indices
    if not common:
        return False
    p_of = _member_map(p)
    q_of = _member_map(q)
    overlap = 0
    for i in common:
        for clause in p_of[i] & q_of[i]:
            low = clause.lower()
            a, b = low.find(_plain(p.wording)), low.find(_plain(q.wording))
            if a < 0 or b < 0:
                overlap += 1
                break
            if a < b + len(_plain(q.wording)) and b < a + len(_plain(p.wording)):
                overlap += 1
                break
    return overlap * 2 > len(common)


def _member_map(p: Phrase) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for i, clause in p.members:
        out.setdefault(i, set()).add(clause)
    return out


def _plain(text: str) -> str:
    return text.lower()


# Why a phrase is not in the template, by reason code (see ``why_not_taken``).
REASONS = {
    "subject": "names the clip's subject",
    "background": "describes the setting",
    "frame": "introduces the subject, or says nothing but the camera",
    "filler": "a word or two among wordings that vary",
    "trigger": "the trigger word the captions carry",
    "one clip": "too few captions say it",
    "below threshold": "below the threshold",
    "another wording": "another wording of a part the template has",
}


def why_not_taken(phrases: Sequence[Phrase], threshold: float = 0.5) -> list[tuple[Phrase, str]]:
    """Every phrase ``effect_phrases`` did not take, with the reason code (``REASONS``),
    so a person can overrule the miner in the template view."""
    taken = {id(p) for p in effect_phrases(phrases, threshold)}
    out = []
    for p in phrases:
        if id(p) in taken:
            continue
        if p.role != "effect":
            reason = p.role
        elif introduces_subject(p.text):
            reason = "frame"
        elif len(p.caption_indices) < _min_captions(p):
            reason = "one clip"
        elif p.support < threshold:
            reason = "below threshold"
        else:
            reason = "another wording"
        out.append((p, reason))
    return out


def has_shared_effect(phrases: Sequence[Phrase], threshold: float = 0.5) -> bool:
    """Do the captions share an effect: is any of ``effect_phrases`` held by two or more?

    False is the miner's way of saying "there is none": the captions describe unrelated
    things (or share only a subject, a setting, or the words that introduce a subject),
    and ``distill_template`` would give only the trigger sentence. A phrase held by a
    single caption is never shared, whatever its support (a set of one or two).
    """
    return bool(effect_phrases(phrases, threshold))


def caption_trigger(phrases: Sequence[Phrase], threshold: float = 0.5) -> str | None:
    """The trigger token most captions already carry ("s86b5p", "PIKA_CRUSH"), or None.

    The miner lists it as a phrase of kind "trigger" (see ``phrases.mine_phrases``);
    a workspace whose captions carry one can take it as its trigger.
    """
    for p in phrases:
        if p.kind == "trigger" and p.support >= threshold:
            return p.text
    return None


def distill_template(
    phrases: Sequence[Phrase],
    trigger: str,
    lang: str,
    threshold: float = 0.5,
    *,
    effect: str = "",
    picked: Sequence[Phrase] | None = None,
) -> str:
    """Build the one motion description every prompt of the effect shares.

    Takes the effect's parts (``effect_phrases``) in their usual order and turns the
    words that name each clip's subject into slots (see the module docstring). The
    trigger goes where the captions put it: when most captions already carry a trigger
    token inside the effect's wording, it stays there (TRIGGER, when given and
    different, takes its place); when they carry it on its own, it leads the template;
    otherwise the guide's sentence leads (en "Then the <trigger> <effect> begins, ...";
    zh "然后开始展示<trigger><effect>，..."). effect names the effect ("golden sparkle
    effect", "金色光环特效"); it defaults to "effect" / "特效" and, when given, the
    guide's sentence always leads. With no part above the threshold, only the lead-in
    is returned. picked: a person's choice of phrases, used as given and in that order.
    """
    n_captions = len({i for p in phrases for i, _ in p.members})
    common = common_words((m for p in phrases for m in p.members), n_captions)
    chosen = list(effect_phrases(phrases, threshold) if picked is None else picked)
    carried = caption_trigger(phrases, threshold)
    if effect and trigger:
        # The caller names the effect and puts the trigger in the guide's sentence.
        chosen = [p for p in chosen if trigger.lower() not in p.wording.lower()]
    clauses = [_slotted(p, lang, common) for p in chosen]
    own = bool(carried) and not effect
    inside = own and any(carried.lower() in c.lower() for c in clauses)  # type: ignore[union-attr]
    if inside and trigger and carried and trigger != carried:
        clauses = [re.sub(re.escape(carried), trigger, c, flags=re.IGNORECASE) for c in clauses]
    if lang == "zh":
        if inside:
            return "，".join(clauses) + "。"
        head = (trigger or carried or "") if own else f"然后开始展示{trigger}{effect or '特效'}"
        return "，".join([head, *clauses]) + "。"
    if inside:
        return ", ".join([clauses[0], *(_lower_first(c) for c in clauses[1:])]) + "."
    if own:
        head = trigger or carried or ""
    else:
        head = " ".join(w for w in ("Then the", trigger, effect or "effect", "begins") if w)
    clauses = [_lower_first(c) for c in clauses]
    return ", ".join([head, *clauses]) + "."


def fill_pronouns(template: str, pronoun: str, lang: str) -> str:
    """Replace the pronoun slots with the forms for pronoun ("she", "he" or "it").

    Unknown slots (such as ``{trigger}``) are left for the caller. A filled
    pronoun that starts the text or a sentence is capitalised.
    """
    if pronoun not in ("she", "he", "it"):
        raise ValueError(f"pronoun must be 'she', 'he' or 'it', not {pronoun!r}")
    slots = ZH_SLOTS if lang == "zh" else EN_SLOTS

    def fill(m: re.Match[str]) -> str:
        forms = slots.get(m.group(1))
        if forms is None:
            return m.group(0)
        word = forms[pronoun]
        before = template[: m.start()].rstrip()
        if lang != "zh" and (not before or before[-1] in ".!?"):
            word = word.capitalize()
        return word

    return _SLOT.sub(fill, template)


_FEMALE_EN = (
    "woman women girl girls lady ladies female she her herself mother mom grandmother "
    "grandma daughter sister wife bride queen princess actress ballerina waitress aunt niece"
)
_MALE_EN = (
    "man men boy boys gentleman gentlemen male he him his himself father dad grandfather "
    "grandpa son brother husband groom king prince actor waiter uncle nephew guy"
)
_FEMALE_EN_RE = re.compile(r"\b(?:" + "|".join(_FEMALE_EN.split()) + r")\b", re.IGNORECASE)
_MALE_EN_RE = re.compile(r"\b(?:" + "|".join(_MALE_EN.split()) + r")\b", re.IGNORECASE)
_FEMALE_ZH_RE = re.compile("她|女|姑娘|妈妈|母亲|奶奶|姥姥|外婆|姐|妹|妻|新娘|公主|小姐|阿姨")
_MALE_ZH_RE = re.compile("他|男|先生|爸爸|父亲|爷爷|姥爷|外公|哥|弟|丈夫|新郎|王子|小伙|叔叔")


def pronoun_for_subject(subject_text: str, lang: str, *, caption: str = "") -> Pronoun:
    """Guess she / he / it from a subject description: the first gendered word decides.

    en: woman, girl, lady, she, ... → "she"; man, boy, he, ... → "he".
    zh: 她, 女, 姑娘, ... → "she"; 他, 男, 先生, ... → "he" (其他 "other" is ignored).
    When the subject's words do not decide ("a stick-figure person"), the CAPTION's own
    pronouns do (``pronoun_in_caption``); else ("a brown dog", "一辆老爷车") → "it".
    """
    if lang == "zh":
        text = subject_text.replace("其他", "")
        female, male = _FEMALE_ZH_RE.search(text), _MALE_ZH_RE.search(text)
    else:
        female, male = _FEMALE_EN_RE.search(subject_text), _MALE_EN_RE.search(subject_text)
    if female and (not male or female.start() < male.start()):
        return "she"
    if male:
        return "he"
    return pronoun_in_caption(caption, lang) or "it"


_SHE_EN_RE = re.compile(r"\b(?:she|her|hers|herself)\b", re.IGNORECASE)
_HE_EN_RE = re.compile(r"\b(?:he|him|his|himself)\b", re.IGNORECASE)


def pronoun_in_caption(caption: str, lang: str) -> Pronoun | None:
    """ "she" or "he" when the caption's personal pronouns say so (more of one than of the
    other: she/her/hers/herself against he/him/his/himself, 她 against 他), else None."""
    if lang == "zh":
        she, he = caption.count("她"), caption.replace("其他", "").count("他")
    else:
        she, he = len(_SHE_EN_RE.findall(caption)), len(_HE_EN_RE.findall(caption))
    if she > he:
        return "she"
    if he > she:
        return "he"
    return None


def _slotted(phrase: Phrase, lang: str, common: frozenset[str] = frozenset()) -> str:
    """The phrase's wording with the subject's pronouns turned into slots."""
    others = [c for _, c in phrase.members[:200]]
    # Slots the miner already made (a core's subject name) are kept out of the aligning.
    held = {"{pronoun}": "\ue000", "{object}": "\ue001", "{ta}": "\ue002"}
    wording = phrase.wording
    for slot, mark in held.items():
        wording = wording.replace(slot, mark)
    text = slot_subjects(wording, others, lang, common)
    for slot, mark in held.items():
        text = text.replace(mark, slot)
    return _slot_zh(text, others) if lang == "zh" else _slot_en(text, others)


def _aligned_alternatives(
    tokens: Sequence[str], others: Sequence[Sequence[str]], index: int
) -> Counter[str]:
    """What the other wordings have at tokens[index] where they line up with tokens."""
    seen: Counter[str] = Counter()
    for other in others:
        for op in Levenshtein.opcodes(tokens, other):
            if op.tag in ("equal", "replace") and op.src_start <= index < op.src_end:
                if op.src_end - op.src_start == op.dest_end - op.dest_start:
                    seen[other[op.dest_start + index - op.src_start]] += 1
                break
    return seen


def _slot_en(text: str, others: Sequence[str]) -> str:
    matches = list(_WORD.finditer(text))
    tokens = [m.group(0).lower() for m in matches]
    if not any(t in EN_PRONOUNS for t in tokens):
        return text
    other_tokens = [[w.lower() for w in _WORD.findall(o)] for o in others]
    out, last = [], 0
    for i, m in enumerate(matches):
        word = tokens[i]
        if word not in EN_PRONOUNS:
            continue
        slot = _EN_FORM_SLOT.get(word)
        if word in ("her", "it", "its", "itself", "hers"):
            alt = _aligned_alternatives(tokens, other_tokens, i)
            if word == "her":
                slot = _her_slot(alt, tokens[i + 1] if i + 1 < len(tokens) else "")
            elif word == "it":
                # "it" may be the effect itself; slot it only where others say she/he.
                slot = "pronoun" if alt["she"] + alt["he"] else None
                if slot is None and alt["her"] + alt["him"]:
                    slot = "object"
            elif word == "hers":
                slot = None
            elif not (alt["her"] + alt["his"] + alt["herself"] + alt["himself"]):
                slot = None  # "its" / "itself" with no personal form beside it
        if slot is not None:
            out.append(text[last : m.start()] + "{" + slot + "}")
            last = m.end()
    out.append(text[last:])
    return "".join(out)


def _her_slot(alt: Counter[str], next_word: str) -> str:
    """ "her" is possessive or object: the other captions' his/him decide, else the next word."""
    if alt["his"] + alt["its"] > alt["him"]:
        return "possessive"
    if alt["him"] > 0:
        return "object"
    return "object" if not next_word or next_word in _AFTER_OBJECT else "possessive"


def _slot_zh(text: str, others: Sequence[str]) -> str:
    text = _GUIDE_ZH_PAIR.sub("{ta}", text)
    out = []
    for i, ch in enumerate(text):
        if ch in "她他" or (ch == "它" and _personal_beside(text, others, i)):
            out.append("{ta}")
        else:
            out.append(ch)
    return "".join(out)


def _personal_beside(text: str, others: Sequence[str], index: int) -> bool:
    alt = _aligned_alternatives(list(text), [list(o) for o in others], index)
    return alt["她"] + alt["他"] > 0


def _fold(text: str) -> str:
    """Lowercase, pronouns folded: for spotting one chosen phrase inside another."""
    text = re.sub(f"[{ZH_PRONOUNS}]", "它", text.lower())
    return re.sub(r"\b(?:" + "|".join(EN_PRONOUNS) + r")\b", "_", text)


def _lower_first(clause: str) -> str:
    """Lowercase a clause's first word when it is only capitalised ("A bright" → "a bright").

    Words in capitals ("LED") and the pronoun "I" keep their case.
    """
    m = _WORD.match(clause)
    word = m.group(0) if m else ""
    if word and word != "I" and word[0].isupper() and (len(word) == 1 or word[1:].islower()):
        return clause[0].lower() + clause[1:]
    return clause
