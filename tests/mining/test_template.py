"""Template distillation, pronoun slots and filling."""

from __future__ import annotations

import re

import pytest

from annotator.mining.phrases import Phrase, mine_phrases
from annotator.mining.template import (
    distill_template,
    effect_phrases,
    fill_pronouns,
    pronoun_for_subject,
)
from tests.mining.captions import EN_CAPTIONS, ZH_CAPTIONS

TRIGGER = "s86b5p"


@pytest.fixture(scope="module")
def en_template() -> str:
    return distill_template(mine_phrases(EN_CAPTIONS, "en"), TRIGGER, "en")


@pytest.fixture(scope="module")
def zh_template() -> str:
    return distill_template(mine_phrases(ZH_CAPTIONS, "zh"), TRIGGER, "zh")


def test_en_template_mirrors_the_guide(en_template: str) -> None:
    assert en_template.startswith(f"Then the {TRIGGER} effect begins, ")
    assert en_template.count(TRIGGER) == 1
    assert en_template.endswith(".")
    for words in ("ring of golden sparkles", "white flash fills the frame", "glowing gold"):
        assert words in en_template
    # The effect's parts in the order they happen.
    assert en_template.index("sparkles") < en_template.index("flash") < en_template.index("glowing")
    # Pronouns became slots: "at {possessive} feet", "{pronoun} is left glowing".
    assert "{possessive} feet" in en_template
    assert "{pronoun} is left glowing gold" in en_template
    assert not re.search(r"\b(she|he|her|his|him)\b", en_template, re.IGNORECASE)


def test_zh_template_mirrors_the_guide(zh_template: str) -> None:
    assert zh_template.startswith(f"然后开始展示{TRIGGER}特效，")
    assert zh_template.count(TRIGGER) == 1
    assert zh_template.endswith("。")
    assert "从{ta}脚下升起" in zh_template
    assert "白光过后{ta}全身散发着金色的光芒" in zh_template
    assert not re.search("[她他]", zh_template)
    assert zh_template.index("粒子") < zh_template.index("耀眼") < zh_template.index("光芒")


def test_effect_name_and_threshold() -> None:
    phrases = mine_phrases(ZH_CAPTIONS, "zh")
    named = distill_template(phrases, "m01aa", "zh", effect="金色光环特效")
    assert named.startswith("然后开始展示m01aa金色光环特效，")
    assert distill_template(phrases, "m01aa", "zh", threshold=1.01) == "然后开始展示m01aa特效。"
    en = distill_template(mine_phrases(EN_CAPTIONS, "en"), "m01aa", "en", effect="sparkle effect")
    assert en.startswith("Then the m01aa sparkle effect begins, ")


def test_effect_phrases_keeps_order_and_drops_contained_ones() -> None:
    def phrase(text: str, position: float) -> Phrase:
        return Phrase(text, 1.0, position, ((0, text), (1, text)), ())

    chosen = effect_phrases(
        [
            phrase("she is left glowing gold", 0.9),
            phrase("a white flash fills the frame and she is left glowing gold", 0.8),
            phrase("a ring of sparkles rises", 0.2),
            Phrase("a dog barks", 0.1, 0.5, ((0, "a dog barks"),), ()),
        ]
    )
    lone = Phrase("a tree sways", 1.0, 0.3, ((0, "a tree sways"),), ())
    assert effect_phrases([lone]) == []  # one caption's clause is shared by no one
    assert [p.text for p in chosen] == [
        "a ring of sparkles rises",
        "a white flash fills the frame and she is left glowing gold",
    ]


def test_her_is_object_or_possessive_from_what_others_say() -> None:
    captions = [
        "A ring of light circles her and lifts her arms.",
        "A ring of light circles him and lifts his arms.",
        "A ring of light circles her and lifts her arms.",
    ]
    template = distill_template(mine_phrases(captions, "en"), TRIGGER, "en")
    assert "circles {object}" in template
    assert "lifts {possessive} arms" in template


def test_it_is_a_slot_only_where_others_say_she_or_he() -> None:
    captions = [
        "A spark appears and it bursts into light around it.",
        "A spark appears and it bursts into light around her.",
        "A spark appears and it bursts into light around it.",
    ]
    template = distill_template(mine_phrases(captions, "en"), TRIGGER, "en")
    # "it bursts" is the spark (every caption says "it"); "around it" is the subject.
    assert "it bursts into light around {object}" in template


def test_guide_style_pair_becomes_one_slot() -> None:
    wording = "密集地砸向并环绕她(他)"
    phrases = [Phrase(wording, 1.0, 0.5, ((0, wording), (1, wording)), ())]
    assert (
        distill_template(phrases, TRIGGER, "zh")
        == f"然后开始展示{TRIGGER}特效，密集地砸向并环绕{{ta}}。"
    )


@pytest.mark.parametrize(
    ("pronoun", "expected"),
    [
        ("she", "She raises her arms, the light lifts her and wraps herself"),
        ("he", "He raises his arms, the light lifts him and wraps himself"),
        ("it", "It raises its arms, the light lifts it and wraps itself"),
    ],
)
def test_fill_pronouns_en(pronoun: str, expected: str) -> None:
    template = "{pronoun} raises {possessive} arms, the light lifts {object} and wraps {reflexive}"
    assert fill_pronouns(template, pronoun, "en") == expected


def test_fill_pronouns_capitalises_only_at_sentence_start() -> None:
    template = "The ring rises. {pronoun} glows and {pronoun} smiles. Then {pronoun} turns."
    assert (
        fill_pronouns(template, "he", "en")
        == "The ring rises. He glows and he smiles. Then he turns."
    )


def test_fill_pronouns_zh_and_unknown_slots(zh_template: str) -> None:
    filled = fill_pronouns(zh_template, "it", "zh")
    assert "{ta}" not in filled and "从它脚下升起" in filled
    assert fill_pronouns("{trigger}环绕{ta}", "she", "zh") == "{trigger}环绕她"
    with pytest.raises(ValueError, match="pronoun"):
        fill_pronouns("{ta}", "they", "zh")


@pytest.mark.parametrize(
    ("subject", "lang", "expected"),
    [
        ("The video opens on a young woman with long red hair", "en", "she"),
        ("A little girl in a yellow raincoat", "en", "she"),
        ("an elderly lady knitting", "en", "she"),
        ("A bearded man chopping wood, his daughter watching", "en", "he"),
        ("A teenage boy on a skateboard", "en", "he"),
        ("A small brown dog on the grass", "en", "it"),
        ("A vintage red car; the manager is not in view", "en", "it"),
        ("视频开头展示了一位年轻女性站在砖墙前", "zh", "she"),
        ("她有着一头红棕色长发", "zh", "she"),
        ("一位穿着灰色西装的中年男性", "zh", "he"),
        ("他身后是书架", "zh", "he"),
        ("一只橘猫蜷缩在窗台上，其他东西很模糊", "zh", "it"),
        ("一辆停在海边的红色老爷车", "zh", "it"),
    ],
)
def test_pronoun_for_subject(subject: str, lang: str, expected: str) -> None:
    assert pronoun_for_subject(subject, lang) == expected
