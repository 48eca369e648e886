"""Mining: clause splitting (zh/en), rapidfuzz clustering of captions, template distillation.

Pure domain code: plain data in, plain data out; no UI, CLI, network or database.
"""

from annotator.mining.clauses import detect_lang, split_clauses
from annotator.mining.phrases import Phrase, mine_phrases
from annotator.mining.template import (
    caption_trigger,
    distill_template,
    effect_phrases,
    fill_pronouns,
    has_shared_effect,
    pronoun_for_subject,
    why_not_taken,
)

__all__ = [
    "Phrase",
    "caption_trigger",
    "detect_lang",
    "distill_template",
    "effect_phrases",
    "fill_pronouns",
    "has_shared_effect",
    "mine_phrases",
    "pronoun_for_subject",
    "split_clauses",
    "why_not_taken",
]
