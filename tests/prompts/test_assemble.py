"""Prompt assembly: the formula, the spans, and splitting free-form captions."""

from __future__ import annotations

import pytest

from annotator.mining.phrases import mine_phrases
from annotator.mining.template import distill_template, effect_phrases
from annotator.prompts.assemble import AssembledPrompt, assemble_prompt, split_freeform_caption
from tests.mining.captions import EN_CAPTIONS, ZH_CAPTIONS

TRIGGER = "s86b5p"
ZH_TEMPLATE = (
    f"然后开始展示{TRIGGER}金钱雨特效，无数美元钞票如暴雨般倾泻而下，密集地砸向并环绕{{ta}}。"
)
EN_TEMPLATE = f"Then the {TRIGGER} money rain begins, banknotes pour down around {{object}}."


def assert_spans(prompt: AssembledPrompt, **parts: str) -> None:
    for name, text in parts.items():
        start, end = getattr(prompt, name)
        assert prompt.text[start:end] == text, name
        assert prompt.part(name) == text


def test_zh_formula_and_spans() -> None:
    prompt = assemble_prompt(
        "视频开头展示了一位年轻女性站在砖墙前。",
        "背景是被绿色藤蔓覆盖的砖墙",
        ZH_TEMPLATE,
        TRIGGER,
        "she",
        "zh",
    )
    motion = f"然后开始展示{TRIGGER}金钱雨特效，无数美元钞票如暴雨般倾泻而下，密集地砸向并环绕她"
    assert prompt.text == (
        "视频开头展示了一位年轻女性站在砖墙前。背景是被绿色藤蔓覆盖的砖墙。" + motion + "。"
    )
    assert_spans(
        prompt,
        subject="视频开头展示了一位年轻女性站在砖墙前",
        background="背景是被绿色藤蔓覆盖的砖墙",
        template=motion,
        trigger=TRIGGER,
    )
    assert prompt.subject[1] <= prompt.background[0] <= prompt.template[0] <= prompt.trigger[0]
    assert "。。" not in prompt.text and " " not in prompt.text


def test_en_formula_spans_and_punctuation() -> None:
    prompt = assemble_prompt(
        "the video opens on a man in a grey suit.  ",
        "Behind him is a bookshelf..",
        EN_TEMPLATE,
        TRIGGER,
        "he",
        "en",
    )
    assert prompt.text == (
        "The video opens on a man in a grey suit. Behind him is a bookshelf. "
        f"Then the {TRIGGER} money rain begins, banknotes pour down around him."
    )
    assert_spans(
        prompt,
        subject="The video opens on a man in a grey suit",
        background="Behind him is a bookshelf",
        trigger=TRIGGER,
        template=f"Then the {TRIGGER} money rain begins, banknotes pour down around him",
    )
    assert ".." not in prompt.text and ". ." not in prompt.text


def test_template_without_the_trigger_gets_it_at_its_start() -> None:
    en = assemble_prompt("A dog", "A park", "a ring circles {object}", TRIGGER, "it", "en")
    assert en.part("template") == f"{TRIGGER} a ring circles it"  # the trigger keeps its case
    assert en.trigger == (en.template[0], en.template[0] + len(TRIGGER))
    zh = assemble_prompt("一只小狗", "公园里", "金色光环环绕{ta}。", TRIGGER, "it", "zh")
    assert zh.text == f"一只小狗。公园里。{TRIGGER}金色光环环绕它。"
    assert_spans(zh, trigger=TRIGGER, template=f"{TRIGGER}金色光环环绕它")


def test_trigger_slot_is_filled() -> None:
    prompt = assemble_prompt("一只猫", "窗台上", "然后开始展示{trigger}特效", "m01aa", "it", "zh")
    assert prompt.text == "一只猫。窗台上。然后开始展示m01aa特效。"
    assert_spans(prompt, trigger="m01aa")


def test_trigger_also_in_subject_spans_the_template_one() -> None:
    prompt = assemble_prompt(f"A {TRIGGER} statue", "A hall", EN_TEMPLATE, TRIGGER, "it", "en")
    assert prompt.template[0] <= prompt.trigger[0] < prompt.template[1]


def test_empty_parts_have_empty_spans() -> None:
    prompt = assemble_prompt("一只猫", "  ", ZH_TEMPLATE, TRIGGER, "it", "zh")
    assert prompt.text.startswith("一只猫。然后开始展示")
    assert prompt.background == (prompt.subject[1], prompt.subject[1])
    assert prompt.part("background") == ""
    assert prompt.to_dict()["spans"]["template"] == list(prompt.template)


@pytest.mark.parametrize(("lang", "captions"), [("en", EN_CAPTIONS), ("zh", ZH_CAPTIONS)])
def test_assembled_from_real_captions(lang: str, captions: list[str]) -> None:
    phrases = mine_phrases(captions, lang)
    template = distill_template(phrases, TRIGGER, lang)
    texts = [p.text for p in effect_phrases(phrases)]
    for caption in captions:
        subject, background = split_freeform_caption(caption, texts, lang)
        assert subject and background
        prompt = assemble_prompt(subject, background, template, TRIGGER, "she", lang)
        assert prompt.text.count(TRIGGER) == 1
        assert_spans(prompt, trigger=TRIGGER)
        assert "{" not in prompt.text


def test_split_freeform_caption_en() -> None:
    texts = [
        "a ring of golden sparkles appears at her feet",
        "a bright white flash fills the frame",
    ]
    subject, background = split_freeform_caption(EN_CAPTIONS[1], texts, "en")
    assert (
        subject == "The video begins with a middle-aged man in a grey suit sitting at a wooden desk"
    )
    assert background == "Behind him is a bookshelf full of old books"
    # No background marker: the first clause is the subject, the rest the background.
    subject, background = split_freeform_caption(EN_CAPTIONS[0], texts, "en")
    assert subject.startswith("The video opens on a young woman")
    assert background == "She wears a white sleeveless dress and smiles at the camera"


def test_split_freeform_caption_zh_stops_at_the_effect() -> None:
    texts = ["一圈金色的闪光粒子从她脚下升起", "画面中出现一道耀眼的白光"]
    caption = (
        "视频开头展示了一位穿着皮夹克的年轻男性倚靠在摩托车旁，他面带微笑。背景是夜晚的街道。"
        "随后，一圈金色闪光粒子从他脚下升起。他的笑容更灿烂了。"
    )
    subject, background = split_freeform_caption(caption, texts, "zh")
    assert subject == "视频开头展示了一位穿着皮夹克的年轻男性倚靠在摩托车旁，他面带微笑"
    assert background == "背景是夜晚的街道"
    assert split_freeform_caption("一圈金色的闪光粒子从它脚下升起。", texts, "zh") == ("", "")


def test_split_freeform_finds_the_effect_said_apart_from_a_joined_phrase() -> None:
    caption = (
        "The video opens on a grey robot with cyan eyes, standing upright. "
        "The background is a night sky full of stars. "
        "A ring of golden sparkles appears around the robot, "
        "spiralling inward clockwise to its chest."
    )
    joined = ["A ring of golden sparkles appears around the cat and spirals inward clockwise"]
    subject, background = split_freeform_caption(caption, joined, "en")
    assert "robot with cyan eyes" in subject
    assert background == "The background is a night sky full of stars"
