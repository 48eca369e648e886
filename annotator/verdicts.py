"""What the vision model said about one sample's final prompt (issue 12, ``annotator verify``).

Plain values every layer shares: the verify pass parses the model's answer into a
``Verdict``, the store keeps it (JSON at its edge only), and the checks, the export gate
and the review UI read a ``SampleVerdict``: the latest verdict of a sample, whether its
prompt has changed since (stale), and why it flags the sample.

The JSON the model is asked for has exactly the keys of ``Verdict``; anything else (a
missing or an extra key, a string where a boolean belongs, a defect or a category not in
the lists) is a validation error that the verify pass sends back to the model once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, StrictBool, field_validator


class Defect(StrEnum):
    """What the guide's cleaning table asks to be removed from a training clip."""

    WATERMARK = "watermark"
    LOGO = "logo"
    SUBTITLES = "subtitles"
    TEXT = "text"
    BLACK_BORDERS = "black_borders"
    BLURRY = "blurry"
    NOISY = "noisy"
    SCENE_CUT = "scene_cut"
    STATIC = "static"
    OTHER = "other"


class SubjectCategory(StrEnum):
    """What kind of thing the subject is: the set's balance is judged on it (均衡性)."""

    PERSON = "person"
    ANIMAL = "animal"
    OBJECT = "object"
    VEHICLE = "vehicle"
    BUILDING = "building"
    LANDSCAPE = "landscape"
    OTHER = "other"


class Verdict(BaseModel):
    """The model's answer, exactly as asked: three checks with their notes, the defects it
    saw and the subject's category."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    subject_matches: StrictBool
    subject_note: str
    background_matches: StrictBool
    background_note: str
    effect_shown: StrictBool
    effect_note: str
    defects: tuple[Defect, ...]
    subject_category: SubjectCategory

    @field_validator("defects", mode="before")
    @classmethod
    def _defect_names(cls, value: object) -> object:
        # A list of names; "Watermark " is the name "watermark". A lone string is refused
        # (the model must answer a list), as is any name not in the list.
        if isinstance(value, list):
            return tuple(v.strip().lower() if isinstance(v, str) else v for v in value)
        return value

    @field_validator("subject_category", mode="before")
    @classmethod
    def _category_name(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @property
    def flagged(self) -> bool:
        """True when a person should look: a part does not match, the effect is not shown,
        or the clip has a defect."""
        return not (self.subject_matches and self.background_matches and self.effect_shown) or bool(
            self.defects
        )


UNREADABLE = "verification unreadable"


@dataclass(frozen=True)
class SampleVerdict:
    """A sample's latest verdict as the checks, the export and the review read it.

    ``verdict`` None: the model's answer stayed unreadable after the retry (``problem``
    says why). ``stale``: the sample's prompt is no longer the text that was verified, or
    its clip was edited since (``clip_changed``).
    """

    sample_id: str
    prompt: str  # the prompt text that was verified
    model: str
    verified_at: datetime
    verdict: Verdict | None
    problem: str | None = None
    stale: bool = False
    clip_changed: bool = False

    @property
    def flagged(self) -> bool:
        """True when the verdict asks for a person's look (an unreadable one does)."""
        return self.verdict is None or self.verdict.flagged

    def reasons(self) -> list[str]:
        """Why it is flagged, one short phrase each (empty when it is not)."""
        if self.verdict is None:
            return [UNREADABLE]
        v, out = self.verdict, []
        if not v.subject_matches:
            out.append("subject does not match")
        if not v.background_matches:
            out.append("background does not match")
        if not v.effect_shown:
            out.append("effect not shown")
        out.extend(f"defect: {d.value}" for d in v.defects)
        return out

    def notes(self) -> list[tuple[str, str]]:
        """What a person should look at: (the part, the model's note) for each part that
        does not match, and the defects seen. The notes are the model's words: pass them
        through ``safetext.outside_text`` before showing them."""
        if self.verdict is None:
            return [("answer", self.problem or UNREADABLE)]
        v, out = self.verdict, []
        if not v.subject_matches:
            out.append(("subject", v.subject_note))
        if not v.background_matches:
            out.append(("background", v.background_note))
        if not v.effect_shown:
            out.append(("effect", v.effect_note))
        if v.defects:
            out.append(("defects", ", ".join(d.value for d in v.defects)))
        return out
