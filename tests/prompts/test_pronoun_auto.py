"""Issue 14 item 17: pronoun "auto" reads the caption's own pronouns when the subject's
words do not decide (a stick-figure person the caption calls he/him is "he", not "it")."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from annotator.mining.template import pronoun_for_subject
from annotator.prompts.build import PromptContext, build_prompt
from annotator.workspace import Caption, Sample

NOW = datetime(2026, 1, 1, tzinfo=UTC)
CTX = PromptContext(
    trigger="s86b5p", template="Then the s86b5p sparkles spiral around {object}.", lang="en"
)


def _caption(fields: dict[str, str]) -> Caption:
    return Caption(
        id=1,
        sample_id="a" * 64,
        provider="replay",
        model="replay",
        instruction="structured",
        fps=2.0,
        cache_key="k",
        text=json.dumps(fields),
        fields=fields,
        created_at=NOW,
    )


@pytest.mark.parametrize(
    ("subject", "caption", "expected"),
    [
        ("a stick-figure person", "He raises his arms and the sparkles circle him.", "he"),
        ("a stick-figure person", "She raises her arms; sparkles circle her.", "she"),
        ("a stick-figure person", "Sparkles circle the figure.", "it"),
        ("a woman in a red coat", "He walks past; sparkles circle him.", "she"),  # words win
        ("一个火柴人", "他举起双手，金光环绕着他。", "he"),
    ],
)
def test_the_captions_pronouns_decide_when_the_subject_does_not(
    subject: str, caption: str, expected: str
) -> None:
    lang = "zh" if subject.startswith("一") else "en"
    assert pronoun_for_subject(subject, lang, caption=caption) == expected


def test_an_auto_prompt_uses_the_captions_pronoun() -> None:
    sample = Sample(id="a" * 64, path="clip.mp4", added_at=NOW, updated_at=NOW)
    caption = _caption(
        {
            "subject": "A stick-figure person on a white page",
            "background": "A plain white background",
            "motion": "He lifts his arms and golden sparkles spiral around him.",
        }
    )
    prompt = build_prompt(sample, caption, CTX)
    assert prompt.pronoun == "he"
    assert prompt.text.endswith("spiral around him.")
