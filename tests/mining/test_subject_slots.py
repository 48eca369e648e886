from annotator.mining.phrases import mine_phrases
from annotator.mining.subject_slots import common_words, slot_subjects
from annotator.mining.template import distill_template, fill_pronouns

RING = [
    "A ring of golden sparkles appears around the cat",
    "A ring of golden sparkles appears around the red ball",
    "A ring of golden sparkles appears around the house",
    "A ring of golden sparkles appears around her",
    "A ring of golden sparkles appears around the car",
]
LEFT = [  # the same subjects as RING, caption by caption
    "the cat is left glowing gold",
    "the ball is left glowing gold",
    "the house is left glowing gold",
    "she is left glowing gold",
    "the car is left glowing gold",
]


def test_object_after_a_preposition_becomes_a_slot() -> None:
    assert slot_subjects(RING[0], RING, "en") == (
        "A ring of golden sparkles appears around {object}"
    )


def test_subject_at_the_start_becomes_a_slot() -> None:
    assert slot_subjects(LEFT[0], LEFT, "en") == "{pronoun} is left glowing gold"


def test_effect_words_are_never_slotted() -> None:
    others = ["the ring spirals inward", "it spirals inward", "spirals inward", "the ring spirals"]
    common = common_words(enumerate(others * 3), 4)
    assert "ring" in common
    assert slot_subjects("the ring spirals inward", others, "en", common) == (
        "the ring spirals inward"
    )


def test_a_shared_phrase_is_left_alone() -> None:
    same = ["the whole frame flashes white"] * 4 + ["the frame flashes white"]
    assert slot_subjects(same[0], same, "en") == same[0]


def test_zh_name_before_a_place_word_becomes_ta() -> None:
    others = [
        "一圈金色的闪光粒子出现在小球周围",
        "一圈金色的闪光粒子出现在橘猫周围",
        "一圈金色的闪光粒子出现在花朵周围",
        "一圈金色的闪光粒子出现在她周围",
    ]
    assert slot_subjects(others[0], others, "zh") == "一圈金色的闪光粒子出现在{ta}周围"


def test_template_from_captions_that_name_their_subjects() -> None:
    captions = [f"{ring}, {left}." for ring, left in zip(RING, LEFT, strict=True)]
    template = distill_template(mine_phrases(captions, "en"), "s86b5p", "en")
    assert "cat" not in template and "car" not in template
    assert fill_pronouns(template, "she", "en") == (
        "Then the s86b5p effect begins, a ring of golden sparkles appears around her, "
        "she is left glowing gold."
    )
