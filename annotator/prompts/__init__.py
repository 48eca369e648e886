"""Prompts: trigger words, THE prompt assembly, and prompt lint.

Pure domain code: plain data in, plain data out; no UI, CLI, network or database.
"""

from annotator.prompts.assemble import AssembledPrompt, assemble_prompt, split_freeform_caption
from annotator.prompts.lint import LintFinding, lint_prompt, lint_prompt_set
from annotator.prompts.trigger import TriggerProblem, check_trigger, make_trigger

__all__ = [
    "AssembledPrompt",
    "LintFinding",
    "TriggerProblem",
    "assemble_prompt",
    "check_trigger",
    "lint_prompt",
    "lint_prompt_set",
    "make_trigger",
    "split_freeform_caption",
]
