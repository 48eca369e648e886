"""The verdicts as check findings (issue 12 item 3): a warning per mismatch with the model's
note made safe, each defect, the effect not shown, stale verdicts, the set's balance."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from annotator.checks import Severity
from annotator.checks.verify_rules import balance, verdict_findings
from annotator.verdicts import SampleVerdict, Verdict
from annotator.workspace import Sample

NOW = datetime.now(UTC)
CLEAN: dict[str, Any] = {
    "subject_matches": True,
    "subject_note": "A red ball.",
    "background_matches": True,
    "background_note": "Grass.",
    "effect_shown": True,
    "effect_note": "Sparkles spiral in.",
    "defects": [],
    "subject_category": "object",
}


def sample(i: int) -> Sample:
    return Sample(id=f"{i:064d}", path=f"clip_{i:02d}.mp4", added_at=NOW, updated_at=NOW)


def seen(i: int, *, stale: bool = False, **changes: Any) -> SampleVerdict:
    verdict = Verdict.model_validate({**CLEAN, **changes})
    return SampleVerdict(sample(i).id, "prompt", "qwen-vl-max", NOW, verdict, stale=stale)


def test_a_clean_verdict_says_nothing() -> None:
    assert list(verdict_findings([sample(1)], {sample(1).id: seen(1)})) == []


def test_each_mismatch_is_a_warning_with_the_models_note_made_safe() -> None:
    note = "It is a \x1b[31mblue\x1b[0m cube; key sk-abcdefghijklmnop"
    verdict = seen(
        1,
        subject_matches=False,
        subject_note=note,
        background_matches=False,
        background_note="A beach, not grass.",
        effect_shown=False,
        effect_note="It becomes a teapot, not the bird the text names.",
        defects=["watermark", "black_borders"],
    )
    found = list(verdict_findings([sample(1)], {sample(1).id: verdict}))
    codes = [f.code for f in found]
    assert codes == [
        "verify-subject",
        "verify-background",
        "verify-effect",
        "verify-defect",
        "verify-defect",
    ]
    assert all(f.severity is Severity.WARNING and f.path == "clip_01.mp4" for f in found)
    assert "It is a blue cube" in found[0].message
    assert "\x1b" not in found[0].message and "sk-abcdefghijklmnop" not in found[0].message
    assert "teapot" in found[2].message and "same way" in found[2].message
    assert "watermark" in found[3].message and "black borders" in found[4].message
    assert "crop" in found[4].fix


def test_a_stale_verdict_is_said_once_and_its_old_mismatches_are_not_repeated() -> None:
    flagged = seen(1, stale=True, subject_matches=False, subject_note="A cube.")
    (finding,) = verdict_findings([sample(1)], {sample(1).id: flagged})
    assert finding.code == "verify-stale" and finding.severity is Severity.WARNING
    assert "subject does not match" in finding.message and "verify" in finding.fix
    (quiet,) = verdict_findings([sample(2)], {sample(2).id: seen(2, stale=True)})
    assert quiet.severity is Severity.INFO


def test_an_unreadable_verdict_is_a_warning() -> None:
    gone = SampleVerdict(sample(1).id, "p", "m", NOW, None, "verification unreadable: no JSON")
    (finding,) = verdict_findings([sample(1)], {sample(1).id: gone})
    assert (finding.code, finding.severity) == ("verify-unreadable", Severity.WARNING)


def test_balance_more_than_70_percent_of_one_kind_of_subject() -> None:
    samples = [sample(i) for i in range(10)]
    people = {s.id: seen(i, subject_category="person") for i, s in enumerate(samples)}
    people[samples[0].id] = seen(0, subject_category="animal")
    people[samples[1].id] = seen(1, subject_category="animal")
    people[samples[2].id] = seen(2, subject_category="vehicle")
    assert list(balance(samples, people)) == []  # 7 of 10: exactly 70 %, allowed
    people[samples[2].id] = seen(2, subject_category="person")
    (finding,) = balance(samples, people)
    assert finding.code == "subject-balance" and finding.sample_id is None
    assert "8 of 10 samples (80%)" in finding.message and "person" in finding.message
    assert list(balance(samples[:4], people)) == []  # too few to judge
