"""The vision model's verdict (annotator verify) as a badge beside a part of the prompt."""

from __future__ import annotations

from annotator.tui.domain import SampleVerdict

# Which answer of the verdict speaks of which part of the prompt.
_PARTS = {
    "subject": "subject_matches",
    "background": "background_matches",
    "effect": "effect_shown",
}


def badge(verdict: SampleVerdict | None, part: str) -> str:
    """A short mark for PART ("subject", "background", "effect"): empty when the sample was
    never verified; "stale" when its prompt changed since. Plain words and marks only: the
    border titles it goes into read markup."""
    if verdict is None:
        return ""
    if verdict.stale:
        return "verify: stale"
    if verdict.verdict is None:
        return "verify: unreadable"
    return "verify ✓" if getattr(verdict.verdict, _PARTS[part]) else "verify ✗ (see findings)"


def titled(title: str, verdict: SampleVerdict | None, part: str, label: str = "") -> str:
    """TITLE with the part's badge (after LABEL) when there is one."""
    mark = badge(verdict, part)
    return f"{title} · {label}{mark}" if mark else title
