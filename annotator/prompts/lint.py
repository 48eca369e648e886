"""Prompt lint: what is wrong with one assembled prompt, and with a whole set.

Each finding names the problem, says how to fix it, and (for per-sample
problems) which sample. Errors break the formula (missing trigger, motion
text that differs between samples, empty parts, wrong language, a prompt
too short to hold it or longer than the video API takes) or make it
unsafe (a control character a terminal would run); warnings
are worth a look (an effect phrase in a subject, a length unusual for the set).
The severity set here is the one review, `check` and `export` all show.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from annotator.mining.clauses import detect_lang, split_clauses
from annotator.mining.lexicon import CLAUSE_CUTOFF, EN_PRONOUNS, comparison_key
from annotator.prompts.assemble import AssembledPrompt
from annotator.safetext import control_characters

Severity = Literal["error", "warning"]

# Absolute length bounds, in characters. Below 40 there is no room for a
# subject, a background, the trigger and a motion description (the guide's
# shortest motion text, "然后她开始了s86b5p变身。", already takes 14 with no
# subject or background). Above 800 the Wan video API truncates prompts (its
# documented limit for the 2.x i2v models), so training text would not match
# what generation can take.
MIN_CHARS = 40
MAX_CHARS = 800
# Tukey's fences (1.5 × IQR past the quartiles) flag lengths unusual for this
# set. The IQR is floored at 10 % of the median: with one shared template,
# lengths bunch up and a raw IQR would flag ordinary subject variation.
IQR_FACTOR = 1.5
IQR_FLOOR = 0.10
# partial_ratio at which an effect phrase counts as written inside a subject
# or background clause; phrases shorter than this many characters are not
# checked (too short to mean the effect and not something in the frame).
LEAK_PARTIAL = 90.0
LEAK_MIN_CHARS = {"zh": 5, "en": 12}

_SLOT = re.compile(r"\{[a-z]+\}")
_EN_PRONOUN = re.compile(r"\b(?:" + "|".join(EN_PRONOUNS) + r")\b", re.IGNORECASE)


@dataclass(frozen=True)
class LintFinding:
    """One problem: a code, how bad it is, what is wrong, what to do, and which sample
    (None: the set)."""

    code: str
    severity: Severity
    message: str
    fix: str
    sample_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return asdict(self)


def lint_prompt(
    prompt: AssembledPrompt,
    *,
    trigger: str,
    lang: str,
    effect_phrases: Sequence[str] = (),
    sample_id: str | None = None,
) -> list[LintFinding]:
    """Check one prompt on its own.

    effect_phrases: the effect's mined wording, e.g. the texts of
    ``mining.template.effect_phrases(phrases, threshold)``; none of it may
    appear in the subject or background.
    """
    found: list[LintFinding] = []

    def add(code: str, severity: Severity, message: str, fix: str) -> None:
        found.append(LintFinding(code, severity, message, fix, sample_id))

    text = prompt.text
    controls = control_characters(text)
    if controls:
        # The store strips them on the way in; one left came from a store written before.
        add(
            "control-characters",
            "error",
            f"the prompt holds control characters ({', '.join(controls)}), which a terminal "
            "runs and the service would train on",
            "retype the subject and background (or the prompt) in `annotator review`",
        )
    if trigger:
        count = text.count(trigger)
        t0, t1 = prompt.template
        if count == 0:
            add(
                "trigger-missing",
                "error",
                f"the trigger {trigger!r} is not in the prompt",
                "rebuild it from the template",
            )
        elif count > 1:
            add(
                "trigger-repeated",
                "error",
                f"the trigger {trigger!r} appears {count} times",
                "keep only the one in the motion description",
            )
        elif not t0 <= text.find(trigger) < t1:
            add(
                "trigger-misplaced",
                "error",
                f"the trigger {trigger!r} is in the subject or background",
                "move it into the motion description",
            )
    slot = _SLOT.search(text)
    if slot is not None:
        add(
            "unfilled-slot",
            "error",
            f"the prompt still has a slot ({slot.group(0)})",
            "fill the pronouns with assemble_prompt",
        )
    for part in ("subject", "background"):
        if not prompt.part(part).strip():
            add(
                f"{part}-empty",
                "error",
                f"the {part} is empty",
                f"describe the {part} "
                f"{'(who or what is in the first frame)' if part == 'subject' else '(where)'}",
            )
    found_lang = detect_lang(text)
    if text and found_lang != lang:
        add(
            "language",
            "error",
            f"the prompt reads as {found_lang} in a {lang} set",
            f"write every prompt in {lang}",
        )
    for part in ("subject", "background"):
        leak = _leaked_phrase(prompt.part(part), effect_phrases, lang)
        if leak is not None:
            add(
                "effect-leak",
                "warning",
                f"the {part} describes the effect ({leak!r})",
                "remove it there, the motion description already says it once for every sample",
            )
    if text and len(text) < MIN_CHARS:
        add(
            "too-short",
            "error",
            f"the prompt has {len(text)} characters (< {MIN_CHARS})",
            "describe the subject and background",
        )
    elif len(text) > MAX_CHARS:
        add(
            "too-long",
            "error",
            f"the prompt has {len(text)} characters (> {MAX_CHARS}, the video API's limit)",
            "shorten the subject or background",
        )
    return found


def lint_prompt_set(
    prompts: Mapping[str, AssembledPrompt],
    *,
    trigger: str,
    lang: str | None = None,
    effect_phrases: Sequence[str] = (),
) -> list[LintFinding]:
    """Check every prompt (``lint_prompt``) and the set as a whole.

    Set rules: the motion description is the same text in every sample once
    pronouns are folded (she/he/it, 她/他/它); lengths outside Tukey's fences.
    lang None: the language most prompts are in.
    """
    if not prompts:
        return []
    if lang is None:
        lang = Counter(detect_lang(p.text) for p in prompts.values()).most_common(1)[0][0]
    found: list[LintFinding] = []
    for sid, prompt in prompts.items():
        found += lint_prompt(
            prompt, trigger=trigger, lang=lang, effect_phrases=effect_phrases, sample_id=sid
        )
    return found + lint_set(prompts, lang=lang)


def lint_set(prompts: Mapping[str, AssembledPrompt], *, lang: str) -> list[LintFinding]:
    """The set rules alone: one motion text in every prompt, no outlier lengths."""
    if not prompts:
        return []
    return _motion_mismatches(prompts, lang) + _length_outliers(prompts)


def _motion_mismatches(prompts: Mapping[str, AssembledPrompt], lang: str) -> list[LintFinding]:
    folded = {sid: _fold_pronouns(p.part("template"), lang) for sid, p in prompts.items()}
    reference, count = Counter(folded.values()).most_common(1)[0]
    found = []
    for sid, motion in folded.items():
        if motion == reference:
            continue
        mine, theirs = _first_difference(motion, reference)
        found.append(
            LintFinding(
                "motion-differs",
                "error",
                f"the motion description differs from the one most samples use ({count} of "
                f"{len(folded)}), at “{mine}” (they have “{theirs}”)",
                "paste the one template into every prompt",
                sid,
            )
        )
    return found


def _length_outliers(prompts: Mapping[str, AssembledPrompt]) -> list[LintFinding]:
    if len(prompts) < 5:  # quartiles of fewer samples say nothing
        return []
    lengths = np.array([len(p.text) for p in prompts.values()], dtype=float)
    q1, median, q3 = np.percentile(lengths, [25, 50, 75])
    iqr = max(q3 - q1, IQR_FLOOR * median)
    low, high = q1 - IQR_FACTOR * iqr, q3 + IQR_FACTOR * iqr
    found = []
    for sid, prompt in prompts.items():
        n = len(prompt.text)
        if n < low or n > high:
            side = "shorter" if n < low else "longer"
            found.append(
                LintFinding(
                    "length-outlier",
                    "warning",
                    f"the prompt has {n} characters, much {side} than the set (median "
                    f"{median:.0f}, expected {max(low, 0):.0f}–{high:.0f})",
                    "check its subject and background",
                    sid,
                )
            )
    return found


def _leaked_phrase(part: str, phrases: Sequence[str], lang: str) -> str | None:
    """The first effect phrase written inside part, fuzzily, or None."""
    if not part.strip():
        return None
    clauses = split_clauses(part, lang)
    clause_keys = [comparison_key(c, lang) for c in clauses]
    folded_part = _fold_pronouns(part.lower(), lang)
    cutoff = CLAUSE_CUTOFF.get(lang, 70.0)
    for phrase in phrases:
        if len(phrase) < LEAK_MIN_CHARS.get(lang, 12):
            continue
        key = comparison_key(phrase, lang)
        if any(fuzz.ratio(key, k, score_cutoff=cutoff) for k in clause_keys):
            return phrase
        folded = _fold_pronouns(phrase.lower(), lang)
        if len(folded) <= len(folded_part) and fuzz.partial_ratio(
            folded, folded_part, score_cutoff=LEAK_PARTIAL
        ):
            return phrase
    return None


def _fold_pronouns(text: str, lang: str) -> str:
    if lang == "zh":
        return re.sub("[她他它]", "它", text)
    return _EN_PRONOUN.sub("_", text)


def _first_difference(a: str, b: str, context: int = 12) -> tuple[str, str]:
    """Short excerpts of a and b around their first difference."""
    for op in Indel.opcodes(a, b):
        if op.tag != "equal":
            start_a = max(op.src_start - context, 0)
            start_b = max(op.dest_start - context, 0)
            # At most 20 characters of the differing run itself, plus context.
            end_a = min(op.src_end, op.src_start + 20) + context
            end_b = min(op.dest_end, op.dest_start + 20) + context
            return a[start_a:end_a], b[start_b:end_b]
    return a[:context], b[:context]
