"""What the vision model's verdicts (``annotator verify``) tell a person to look at.

The guide's last step of prompt writing is a person checking each subject and background
against the picture (AI captions hallucinate); its cleaning table asks that every clip show
the effect the same way (一致性) and that the subjects be balanced (均衡性, its example: 90 %
portraits is not). These rules turn the latest verdict of each sample into findings: a
warning per part that does not match, with the model's note (made safe: the model's words
are outside text), one per defect seen, one when the effect is not shown, a note when the
prompt changed since its verdict (stale), and one finding for the set when one kind of
subject holds more than ``BALANCE_SHARE`` of the samples.

Pure: samples and verdicts (plain values) in, findings out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence

from annotator.checks.findings import Finding, Severity
from annotator.safetext import outside_text
from annotator.verdicts import Defect, SampleVerdict
from annotator.workspace import Sample

BALANCE_SHARE = 0.7
# Below this many verdicts the share of one kind of subject says little.
BALANCE_MIN_SAMPLES = 5
LOOK = (
    "look at the clip in review: fix the {part} (then run verify again), or accept the "
    "sample if the model is wrong"
)
_DEFECT_FIX = {
    Defect.WATERMARK: "remove the watermark (crop or clean the clip) or reject the sample",
    Defect.LOGO: "remove the logo (crop or clean the clip) or reject the sample",
    Defect.SUBTITLES: "remove the subtitles (crop or clean the clip) or reject the sample",
    Defect.TEXT: "remove the text (crop or clean the clip) or reject the sample",
    Defect.BLACK_BORDERS: "crop the black borders off the clip",
    Defect.BLURRY: "replace it with a sharper clip, or reject the sample",
    Defect.NOISY: "replace it with a cleaner clip, or reject the sample",
    Defect.SCENE_CUT: "cut the clip at the scene change so it holds one shot",
    Defect.STATIC: "the effect needs motion: replace the clip or reject the sample",
    Defect.OTHER: "look at the clip and decide whether it belongs in the set",
}


def verdict_findings(
    samples: Sequence[Sample], verdicts: Mapping[str, SampleVerdict]
) -> Iterator[Finding]:
    """Every finding of the latest VERDICTS of SAMPLES, then the set's balance."""
    for sample in samples:
        seen = verdicts.get(sample.id)
        if seen is not None:
            yield from _sample_findings(sample, seen)
    yield from balance(samples, verdicts)


def _finding(sample: Sample, code: str, message: str, fix: str, severity: Severity) -> Finding:
    return Finding(
        code=code,
        severity=severity,
        message=outside_text(message),
        fix=fix,
        path=sample.path,
        sample_id=sample.id,
    )


def _sample_findings(sample: Sample, seen: SampleVerdict) -> Iterator[Finding]:
    if seen.stale:
        # The verdict is about a prompt or a clip that is gone: it may no longer hold.
        had = f" (it had: {', '.join(seen.reasons())})" if seen.flagged else ""
        changed = "clip was edited" if seen.clip_changed else "prompt changed"
        yield _finding(
            sample,
            "verify-stale",
            f"the {changed} since the vision model verified it{had}",
            "run `annotator verify` again to check the prompt and clip as they stand",
            Severity.WARNING if seen.flagged else Severity.INFO,
        )
        return
    if seen.verdict is None:
        yield _finding(
            sample,
            "verify-unreadable",
            seen.problem or "verification unreadable",
            "look at the clip yourself, or run `annotator verify` again: it asks again "
            "wherever the answer was unreadable",
            Severity.WARNING,
        )
        return
    verdict = seen.verdict
    if not verdict.subject_matches:
        yield _finding(
            sample,
            "verify-subject",
            f"the vision model says the subject does not match the clip: {verdict.subject_note}",
            LOOK.format(part="subject"),
            Severity.WARNING,
        )
    if not verdict.background_matches:
        yield _finding(
            sample,
            "verify-background",
            "the vision model says the background does not match the clip: "
            + verdict.background_note,
            LOOK.format(part="background"),
            Severity.WARNING,
        )
    if not verdict.effect_shown:
        yield _finding(
            sample,
            "verify-effect",
            "the vision model says the clip does not show the effect as the prompt words it "
            f"(every clip must show it the same way): {verdict.effect_note}",
            "look at the clip: reject it if it shows another effect, or fix the template "
            "if its wording does not fit every clip",
            Severity.WARNING,
        )
    for defect in verdict.defects:
        yield _finding(
            sample,
            "verify-defect",
            f"the vision model saw {defect.value.replace('_', ' ')} in the clip",
            _DEFECT_FIX[defect],
            Severity.WARNING,
        )


def balance(samples: Sequence[Sample], verdicts: Mapping[str, SampleVerdict]) -> Iterator[Finding]:
    """One finding when one kind of subject holds more than BALANCE_SHARE of the samples
    the model has categorised (a stale verdict's category still holds: the clip is the
    same)."""
    kinds = Counter(
        v.verdict.subject_category
        for s in samples
        if (v := verdicts.get(s.id)) is not None and v.verdict is not None
    )
    total = sum(kinds.values())
    if total < BALANCE_MIN_SAMPLES:
        return
    kind, count = kinds.most_common(1)[0]
    if count / total <= BALANCE_SHARE:
        return
    yield Finding(
        code="subject-balance",
        severity=Severity.WARNING,
        message=f"{count} of {total} samples ({count / total:.0%}) have a subject of one kind "
        f"({kind.value}): the guide asks for balanced subjects (its example: 90 % portraits "
        "teaches the effect for portraits only)",
        fix=f"add clips whose subject is not a {kind.value}, or use fewer of these",
    )
