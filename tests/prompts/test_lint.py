"""Prompt lint: nothing on a clean set, each problem on a crafted one."""

from __future__ import annotations

import pytest

from annotator.mining.phrases import mine_phrases
from annotator.mining.template import distill_template, effect_phrases, pronoun_for_subject
from annotator.prompts.assemble import AssembledPrompt, assemble_prompt, split_freeform_caption
from annotator.prompts.lint import LintFinding, lint_prompt, lint_prompt_set
from tests.mining.captions import EN_CAPTIONS, ZH_CAPTIONS

TRIGGER = "s86b5p"


def clean_set(captions: list[str], lang: str) -> tuple[dict[str, AssembledPrompt], list[str], str]:
    """Prompts the way the tool builds them, from the test captions."""
    phrases = mine_phrases(captions, lang)
    template = distill_template(phrases, TRIGGER, lang)
    texts = [p.text for p in effect_phrases(phrases)]
    prompts = {}
    for i, caption in enumerate(captions):
        subject, background = split_freeform_caption(caption, texts, lang)
        pronoun = pronoun_for_subject(subject, lang)
        prompts[f"clip{i:02d}"] = assemble_prompt(
            subject, background, template, TRIGGER, pronoun, lang
        )
    return prompts, texts, template


def by_code(findings: list[LintFinding]) -> dict[str, set[str | None]]:
    out: dict[str, set[str | None]] = {}
    for f in findings:
        out.setdefault(f.code, set()).add(f.sample_id)
    return out


@pytest.mark.parametrize(("lang", "captions"), [("en", EN_CAPTIONS), ("zh", ZH_CAPTIONS)])
def test_clean_set_has_no_findings(lang: str, captions: list[str]) -> None:
    prompts, texts, _ = clean_set(captions, lang)
    assert lint_prompt_set(prompts, trigger=TRIGGER, lang=lang, effect_phrases=texts) == []
    # The set's language is found when not given.
    assert lint_prompt_set(prompts, trigger=TRIGGER, effect_phrases=texts) == []


def test_crafted_set_has_every_problem() -> None:
    prompts, texts, template = clean_set(EN_CAPTIONS, "en")
    subject, background = "A young woman in a red dress", "A quiet beach at sunset"

    def make(s: str = subject, b: str = background, t: str = template) -> AssembledPrompt:
        return assemble_prompt(s, b, t, TRIGGER, "she", "en")

    prompts["no-trigger"] = assemble_prompt(subject, background, "", "", "she", "en")
    prompts["twice"] = make(s=f"A {TRIGGER} statue of a woman")
    text = f"A {TRIGGER} woman. A beach. The ring rises around her and she glows gold."
    prompts["misplaced"] = AssembledPrompt(text, (0, 15), (17, 24), (2, 8), (26, len(text) - 1))
    prompts["slot"] = make(t=template.replace("{pronoun}", "{pronun}"))
    prompts["no-subject"] = make(s="")
    prompts["no-background"] = make(b=" 。")
    prompts["chinese"] = assemble_prompt(
        "视频开头展示了一位年轻女性", "背景是海滩", "然后开始展示s86b5p特效，金色光环环绕{ta}。",
        TRIGGER, "she", "zh",
    )  # fmt: skip
    prompts["leak"] = make(s="A young woman, a ring of golden sparkles appears at her feet")
    prompts["motion"] = make(t=template.replace("bright white flash", "soft blue flash"))
    prompts["long"] = make(b="A quiet beach at sunset with " + "gentle waves, " * 60)

    found = by_code(lint_prompt_set(prompts, trigger=TRIGGER, lang="en", effect_phrases=texts))
    assert found["trigger-missing"] == {"no-trigger"}
    assert found["trigger-repeated"] == {"twice"}
    assert found["trigger-misplaced"] == {"misplaced"}
    assert found["unfilled-slot"] == {"slot"}
    assert found["subject-empty"] == {"no-subject"}
    assert found["background-empty"] == {"no-background"}
    assert found["language"] == {"chinese"}
    assert found["effect-leak"] == {"leak"}
    assert found["too-long"] == {"long"}
    # Every sample whose motion text is not the shared one, and only those.
    assert found["motion-differs"] == {"no-trigger", "misplaced", "slot", "chinese", "motion"}
    assert "long" in found["length-outlier"]
    assert not found["length-outlier"] & set(clean_set(EN_CAPTIONS, "en")[0])


def test_length_outlier_in_an_otherwise_clean_set() -> None:
    prompts, texts, template = clean_set(EN_CAPTIONS, "en")
    long_background = "A quiet beach at sunset, " + "tall palm trees sway in the wind, " * 5
    prompts["longish"] = assemble_prompt(
        "A young woman in a red dress", long_background, template, TRIGGER, "she", "en"
    )
    findings = lint_prompt_set(prompts, trigger=TRIGGER, lang="en", effect_phrases=texts)
    assert [(f.code, f.severity, f.sample_id) for f in findings] == [
        ("length-outlier", "warning", "longish")
    ]
    assert "longer than the set" in findings[0].message


def test_findings_say_what_to_do() -> None:
    prompts, texts, template = clean_set(ZH_CAPTIONS, "zh")
    prompts["bad"] = assemble_prompt("", "背景是海滩", template, TRIGGER, "she", "zh")
    findings = lint_prompt_set(prompts, trigger=TRIGGER, lang="zh", effect_phrases=texts)
    (finding,) = [f for f in findings if f.severity == "error"]
    assert finding == LintFinding(finding.code, "error", finding.message, finding.fix, "bad")
    assert finding.code == "subject-empty" and finding.message == "the subject is empty"
    assert finding.fix.startswith("describe the subject")
    assert finding.to_dict()["sample_id"] == "bad"


def test_motion_difference_is_shown_and_pronouns_do_not_count() -> None:
    template = "然后开始展示s86b5p特效，金色光环环绕{ta}旋转。"
    prompts = {
        "a": assemble_prompt(
            "一位穿着红裙的年轻女性", "阳光明媚的海滩上", template, TRIGGER, "she", "zh"
        ),
        "b": assemble_prompt(
            "一位穿着西装的中年男性", "繁忙的城市街道上", template, TRIGGER, "he", "zh"
        ),
        "c": assemble_prompt("一只棕色的小狗", "公园的绿色草地上", template, TRIGGER, "it", "zh"),
        "d": assemble_prompt(
            "一只蜷缩着的橘猫",
            "下着雨的窗台上",
            template.replace("金色", "银色"),
            TRIGGER,
            "it",
            "zh",
        ),
    }
    (finding,) = lint_prompt_set(prompts, trigger=TRIGGER, lang="zh")
    assert (finding.code, finding.sample_id) == ("motion-differs", "d")
    assert "银色" in finding.message and "金色" in finding.message and "3 of 4" in finding.message


def test_short_prompt_and_no_leak_from_unrelated_words() -> None:
    short = assemble_prompt("一只猫", "窗台", "s86b5p发光", TRIGGER, "it", "zh")
    codes = {f.code for f in lint_prompt(short, trigger=TRIGGER, lang="zh")}
    assert codes == {"too-short"}
    # A golden dress is not the golden sparkle ring.
    prompt = assemble_prompt(
        "A young woman in a golden dress with white shoes", "A bright studio", "Then the "
        "s86b5p effect begins, a ring of golden sparkles appears at {possessive} feet.",
        TRIGGER, "she", "en",
    )  # fmt: skip
    phrases = ["a ring of golden sparkles appears at her feet", "she is left glowing gold"]
    assert lint_prompt(prompt, trigger=TRIGGER, lang="en", effect_phrases=phrases) == []


def test_empty_set() -> None:
    assert lint_prompt_set({}, trigger=TRIGGER) == []
