"""The domain half of `mine --distill` (issue 16 item 10): the request and the check."""

from __future__ import annotations

from annotator.mining import mine_phrases
from annotator.mining.distill import check_proposal, distill_request

# Auto-captioned prose in the shape of the dissolve sets: shared words, no shared phrase.
CAPTIONS = [
    "A ceramic vase sits on a pedestal. It begins to dissolve from the base, turning into "
    "fine dust particles that drift upward.",
    "A sloth rests on a branch while its body slowly disintegrates into sparkling dust "
    "particles carried away by the breeze.",
    "An orange car parked in a garage breaks apart into a dense cloud of dust particles "
    "that swirl outward.",
    "A paper crane dissolves from the head down, its fibres becoming a fine powder of dust "
    "particles scattering across the table.",
]


def test_the_request_holds_phrases_terms_and_a_sample() -> None:
    phrases = mine_phrases(CAPTIONS, "en")
    request = distill_request(phrases, CAPTIONS, "en", trigger="s86b5p", sample=2)
    assert "Shared phrases (support):" in request
    assert "dust particles" in request
    assert "Trigger word: s86b5p" in request
    assert request.count("\n1. ") == 1 and "\n2. " in request and "\n3. " not in request


def test_every_proposed_clause_gets_its_support_and_evidence() -> None:
    proposal = (
        "Then the s86b5p effect begins, {pronoun} dissolves into fine dust particles, "
        "the dust particles drift away, a rainbow portal opens above."
    )
    checked = check_proposal(proposal, CAPTIONS, "en", trigger="s86b5p")
    by_clause = {c.clause: c for c in checked}
    assert "Then the s86b5p effect begins" not in by_clause  # the tool's own lead-in
    said = by_clause["{pronoun} dissolves into fine dust particles"]
    assert said.supported() and said.evidence
    invented = by_clause["a rainbow portal opens above"]
    assert invented.support == 0 and not invented.supported() and invented.evidence == ()


def test_zh_proposal_is_checked_by_words() -> None:
    captions = [
        "一个花瓶放在台子上，它从底部开始化为细小的尘埃粒子。",
        "一只树懒趴在树枝上，身体慢慢分解成闪光的尘埃粒子。",
        "一辆汽车在车库里碎裂成一团尘埃粒子向外飘散。",
    ]
    checked = check_proposal(
        "然后开始展示s86b5p特效，{ta}化为尘埃粒子，天空下起彩虹雨", captions, "zh"
    )
    assert [c.supported() for c in checked] == [True, False]
