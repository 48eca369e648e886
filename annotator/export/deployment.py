"""deployment.json: the aigc_config that lets the deployed LoRA write its own prompt.

Mirrors the guide's step 3.1: ``prompt`` tells the service's prompt writer to describe
the image, that the description must contain the motion text (pronouns written
"她(他)", as the guide does), gives the output template and one worked example;
``lora_prompt_default`` is the motion text alone with a neutral subject ("主角", as
the guide's money-rain example; "the subject" in English).

Pronoun slots are the miner's business: the one prompt assembly fills the template twice
(she, he) and the two texts are merged where they differ, so this module needs no
knowledge of how a slot is written.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from annotator.export.models import AigcConfig, DeploymentBody
from annotator.prompts.build import PromptContext, build_prompt
from annotator.workspace import Pronoun, Sample

MODEL_PLACEHOLDER = "<finetuned_output of the fine-tune job>"
_PLACEHOLDERS = {
    "zh": ("[主体描述]", "[环境描述]"),
    "en": ("[subject description]", "[background description]"),
}
# English pronoun pairs (she-form, he-form) and their neutral replacement.
_EN_NEUTRAL = {
    ("she", "he"): "the subject",
    ("her", "his"): "the subject's",
    ("hers", "his"): "the subject's",
    ("her", "him"): "the subject",
    ("herself", "himself"): "itself",
}
_EN_TOKENS = re.compile(r"\w+|\W")


def _tokens(text: str, lang: str) -> list[str]:
    return list(text) if lang == "zh" else _EN_TOKENS.findall(text)


def merge_variants(she: str, he: str, lang: str, *, neutral: bool = False) -> str:
    """One text from the she- and he-versions: "她(他)" / "she/he", or a neutral word."""
    a, b = _tokens(she, lang), _tokens(he, lang)
    out: list[str] = []
    matcher = SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        x, y = "".join(a[i1:i2]), "".join(b[j1:j2])
        if op == "equal":
            out.append(x)
        elif neutral:
            out.append(_neutral(x, y, lang))
        else:
            out.append(f"{x}({y})" if lang == "zh" else f"{x}/{y}")
    return "".join(out)


def _neutral(she: str, he: str, lang: str) -> str:
    if lang == "zh":
        return "主角"
    word = _EN_NEUTRAL.get((she.lower(), he.lower()))
    if word is None:
        return f"{she}/{he}"
    return word[0].upper() + word[1:] if she[:1].isupper() else word


def _formula(ctx: PromptContext, like: Sample, pronoun: Pronoun) -> tuple[str, str] | None:
    """(the prompt formula with placeholders, its motion part) for one pronoun."""
    if not ctx.template:
        return None
    lang = ctx.lang if ctx.lang in _PLACEHOLDERS else "en"
    subject, background = _PLACEHOLDERS[lang]
    # The one prompt assembly lays the formula out, on a sample made of placeholders.
    placeholder = like.model_copy(
        update={
            "subject": subject,
            "background": background,
            "pronoun": pronoun,
            "prompt_override": None,
        }
    )
    built = build_prompt(placeholder, None, ctx)
    motion = built.parts.part("template")
    return (built.text, motion) if motion else None


def _end(text: str, lang: str) -> str:
    mark = "。" if lang == "zh" else "."
    return text if text.endswith(("。", ".", "!", "！")) else text + mark


def instruction(lang: str, motion: str, template: str, example: str) -> str:
    """The prompt writer's instruction, worded as the guide words it."""
    if lang == "zh":
        return (
            f"根据图像内容提供视频描述,描述必须包含“{motion}”。"
            f"\n输出模板:\n{template}\n示例:\n{example}"
        )
    return (
        "Describe the video from the content of the image; "
        f'the description must contain "{motion}".'
        f"\nOutput template:\n{template}\nExample:\n{example}"
    )


def deployment_body(
    ctx: PromptContext, example: Sample, example_prompt: str
) -> DeploymentBody | None:
    """The body of POST /api/v1/deployments; None when the workspace has no template."""
    she, he = _formula(ctx, example, Pronoun.SHE), _formula(ctx, example, Pronoun.HE)
    if she is None or he is None:
        return None
    lang = "zh" if ctx.lang == "zh" else "en"
    motion = merge_variants(she[1], he[1], lang).rstrip("。.")
    template = merge_variants(she[0], he[0], lang)
    default = merge_variants(she[1], he[1], lang, neutral=True)
    return DeploymentBody(
        model_name=MODEL_PLACEHOLDER,
        aigc_config=AigcConfig(
            use_input_prompt=False,
            prompt=instruction(lang, motion, template, example_prompt),
            lora_prompt_default=_end(default, lang),
        ),
    )
