"""Issue 16's failure modes, one small made-up caption set each (in the shapes seen in
real captions): the miner takes the effect, never a subject or a background, keeps the
trigger the captions carry, and says "no shared effect" for a shared subject."""

from __future__ import annotations

from annotator.mining import (
    caption_trigger,
    distill_template,
    effect_phrases,
    has_shared_effect,
    mine_phrases,
    why_not_taken,
)
from annotator.mining.phrases import Phrase

TRIGGER = "s86b5p"
OBJECTS = ["blue vase", "red teapot", "wooden duck", "glass jar", "rubber ball", "tin robot"]


def _template(captions: list[str], lang: str = "en", trigger: str = TRIGGER) -> str:
    return distill_template(mine_phrases(captions, lang), trigger, lang)


def test_1_an_effect_in_the_subjects_clause_is_taken_without_the_subject() -> None:
    captions = [
        f"The video shows a {o} being squeezed flat as if under a press. The light is soft and {c}."
        for o, c in zip(OBJECTS, ["warm", "cold", "dim", "bright", "even", "pale"], strict=True)
    ]
    template = _template(captions)
    assert "being squeezed flat as if under a press" in template, template
    for name in ("vase", "teapot", "duck", "jar", "ball", "robot", "video shows"):
        assert name not in template, template


def test_2_a_background_every_clip_shares_is_never_the_effect() -> None:
    captions = [
        f"The video opens on a {o} on a table. The background features a grey wall with a "
        "yellow sign. Then the object melts into a puddle of silver liquid."
        for o in OBJECTS
    ]
    phrases = mine_phrases(captions, "en")
    wall = [p for p in phrases if "grey wall" in p.text]
    assert wall and all(p.role == "background" for p in wall)
    template = distill_template(phrases, TRIGGER, "en")
    assert "puddle of silver liquid" in template
    assert "wall" not in template and "background" not in template


def test_3_one_clips_words_do_not_stay_in_the_template() -> None:
    """A name two clips of six share is still a per-clip name; so is the head of "a pile
    of ..." when it varies."""
    stuff = ["red beads", "blue marbles", "green sand", "white rice", "black pepper", "gold coins"]
    names = ["vase", "teapot", "duck", "jar", "cat", "cat"]
    captions = [
        f"The {n} is held in a person's hands, then it is pressed into a pile of {s}."
        for n, s in zip(names, stuff, strict=True)
    ]
    template = _template(captions)
    assert "{pronoun} is held in a person's hands" in template, template
    assert "pressed into a pile" in template, template
    for word in ("vase", "teapot", "cat", "beads", "marbles", "coins"):
        assert word not in template, template


def test_4_a_phrase_inside_varied_sentences_is_found() -> None:
    captions = [
        "A dancer spins on the stage, then she bursts into a shower of blue petals.",
        "The statue stands in the square, dissolving into a shower of blue petals as it turns.",
        "A small bird lands on a branch and, with a flutter, becomes a shower of blue petals.",
        "In a quiet kitchen the teapot trembles before it explodes into a shower of blue petals.",
    ]
    phrases = mine_phrases(captions, "en")
    petals = [p for p in phrases if p.text.lower() == "a shower of blue petals"]
    assert petals and petals[0].support == 1.0
    assert "a shower of blue petals" in distill_template(phrases, TRIGGER, "en")


def test_5_support_is_the_share_of_captions_holding_the_wording() -> None:
    """Half the captions say the phrase as a clause of its own, half inside a longer one:
    two groups of 50 %, yet the wording is in every caption."""
    captions = [
        "A woman smiles. Golden sparks spiral around her body.",
        "A man waves. Golden sparks spiral around his body.",
        "As the music plays loudly in the old hall golden sparks spiral around his body slowly.",
        "In the corner the lamp flickers twice as golden sparks spiral around its body again.",
    ]
    phrases = mine_phrases(captions, "en")
    best = max(
        (p for p in phrases if "golden sparks spiral around" in p.text.lower()),
        key=lambda p: p.support,
    )
    assert best.support == 1.0


def test_6_the_trigger_the_captions_carry_is_kept_where_they_put_it() -> None:
    captions = [
        f"视频开头展示了一位{who}站在{where}。然后开始展示s86b5p金钱雨特效，无数钞票如暴雨般倾泻而下。"
        for who, where in [("女性", "海边"), ("男性", "街头"), ("小孩", "公园里"), ("老人", "门口")]
    ]
    phrases = mine_phrases(captions, "zh")
    assert caption_trigger(phrases) == "s86b5p"
    template = distill_template(phrases, "s86b5p", "zh")
    assert template.count("s86b5p") == 1, template
    assert template.startswith("开始展示s86b5p金钱雨特效"), template
    assert "然后开始展示s86b5p特效" not in template


def test_6_an_upper_snake_tag_stays_in_the_lead() -> None:
    captions = [
        f"DIFF_crush A {o} sits on a table, flattened as if under a hydraulic press."
        for o in OBJECTS
    ]
    phrases = mine_phrases(captions, "en")
    assert caption_trigger(phrases) == "DIFF_crush"
    template = distill_template(phrases, "", "en")
    assert template.startswith("DIFF_crush"), template
    assert "as if under a hydraulic press" in template and "begins" not in template
    for name in ("vase", "teapot", "robot"):
        assert name not in template, template


def test_7_one_wording_per_part_the_best_supported() -> None:
    def phrase(text: str, support: float, members: list[tuple[int, str]]) -> Phrase:
        return Phrase(text, support, 0.5, tuple(members), ())

    clauses = [(i, "a bright flash fills the frame") for i in range(6)]
    strong = phrase("a bright flash fills the frame", 1.0, clauses)
    rival = phrase("a flash floods the screen", 0.6, clauses[:4])
    chosen = effect_phrases([rival, strong])
    assert [p.text for p in chosen] == ["a bright flash fills the frame"]


def test_8_a_shared_subject_is_no_effect() -> None:
    moves = ["pan left", "pan right", "zoom in", "zoom out", "tilt up", "tilt down"]
    captions = [f"A panda drinking coffee in a cafe in Paris, {m}" for m in moves]
    phrases = mine_phrases(captions, "en")
    assert not has_shared_effect(phrases)
    assert distill_template(phrases, TRIGGER, "en") == f"Then the {TRIGGER} effect begins."
    zh = [f"上海外滩，{m}" for m in ["推镜头", "拉镜头", "向左移镜头", "向右移镜头", "慢速播放"]]
    assert not has_shared_effect(mine_phrases(zh, "zh"))


def test_9_an_effect_said_first_is_the_effect() -> None:
    scenes = ["a snowy ridge under a pale sky", "a red barn in a field", "an old lighthouse"]
    scenes += ["a busy market street", "a quiet lake at dawn", "a city rooftop at night"]
    template = _template([f"Camera orbit left. {s.capitalize()}." for s in scenes])
    assert "Camera orbit left" in template or "camera orbit left" in template, template
    lapse = _template([f"Time-lapse of {s}, the light changing slowly." for s in scenes])
    assert "time-lapse of" in lapse.lower(), lapse
    for s in scenes:
        assert s not in lapse


def test_every_strong_phrase_not_taken_says_why() -> None:
    captions = [
        f"The video opens on a {o} on a table. The background features a grey wall with a "
        "yellow sign. Then the object melts into a puddle of silver liquid."
        for o in OBJECTS
    ]
    phrases = mine_phrases([*captions, "A lone kite drifts over the sea."], "en")
    reasons = {p.text: why for p, why in why_not_taken(phrases)}
    assert reasons["The background features a grey wall with a yellow sign"] == "background"
    openings = [why for text, why in reasons.items() if text.startswith("The video opens on")]
    assert openings and set(openings) == {"frame"}
    assert reasons["A lone kite drifts over the sea"] in ("one clip", "below threshold")
    taken = {id(p) for p in effect_phrases(phrases)}
    assert not taken & {id(p) for p, _ in why_not_taken(phrases)}
    assert len(taken) + len(why_not_taken(phrases)) == len(phrases)


def test_a_motion_field_names_no_subject() -> None:
    """Structured captions' motion fields that all open on the same person: with
    freeform=False the opening is the motion, not a subject's introduction."""
    captions = [
        f"The woman raises both arms as golden light spirals around her, {x}."
        for x in ["slowly", "smiling", "eyes closed", "laughing", "turning", "still"]
    ]
    motion = mine_phrases(captions, "en", freeform=False)
    assert has_shared_effect(motion)
    assert "raises both arms" in distill_template(motion, TRIGGER, "en")
