"""A clip edit: what to do to a source clip to get the clip a sample uses (issue 13).

An edit never touches the source: ``render.py`` writes the edited clip under the
workspace's store, named by the source's hash and the edit's key. The edit is a plain
value: a trim (start and end, in seconds of the source), a crop (a rectangle of the
picture as a player shows it, rotation applied), a scale (the longest side at most N
pixels, or an exact width and height), dropping the audio, and a conversion (an edit
with nothing else still re-encodes the clip as H.264 MP4).

Order of the operations: trim, rotate to the display orientation, crop, scale; the
output is always H.264 yuv420p in MP4 at even dimensions and the source's frame rate.
"""

from __future__ import annotations

import hashlib
import json
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# Bumped when the renderer changes what an edit produces: every key changes with it.
RENDER_VERSION = 1
KEY_LENGTH = 16


class Crop(BaseModel):
    """A rectangle of the displayed picture, in pixels: left, top, width, height."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    x: int = Field(ge=0)
    y: int = Field(ge=0)
    w: int = Field(gt=0)
    h: int = Field(gt=0)

    def describe(self) -> str:
        """``160x90 at 0,15``."""
        return f"{self.w}x{self.h} at {self.x},{self.y}"


class Scale(BaseModel):
    """Scale the picture down so that its longest side is at most ``max_side``, or to
    exactly ``width`` x ``height``. Never up with ``max_side``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_side: int | None = Field(default=None, gt=1)
    width: int | None = Field(default=None, gt=1)
    height: int | None = Field(default=None, gt=1)

    @model_validator(mode="after")
    def _one_way(self) -> Self:
        exact = self.width is not None or self.height is not None
        if exact and (self.width is None or self.height is None):
            raise ValueError("a scale to a size needs both width and height")
        if exact == (self.max_side is not None):
            raise ValueError("a scale has either max_side or width and height")
        return self

    def describe(self) -> str:
        """``max side 4096`` or ``640x360``."""
        if self.max_side is not None:
            return f"max side {self.max_side}"
        return f"{self.width}x{self.height}"


class ClipEdit(BaseModel):
    """What to do to a source clip; an edit with no field set is no edit (``is_empty``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start_s: float | None = Field(default=None, ge=0)
    end_s: float | None = Field(default=None, gt=0)
    crop: Crop | None = None
    scale: Scale | None = None
    drop_audio: bool = False
    convert: bool = False  # re-encode as H.264 MP4 even when nothing else changes

    @field_validator("start_s", "end_s")
    @classmethod
    def _milliseconds(cls, value: float | None) -> float | None:
        # A trim to the millisecond: the key does not change with float noise.
        return None if value is None else round(float(value), 3)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.start_s is not None and self.end_s is not None and self.end_s <= self.start_s:
            raise ValueError(
                f"the trim ends ({self.end_s:g} s) before it starts ({self.start_s:g} s)"
            )
        return self

    @property
    def is_empty(self) -> bool:
        """True when the edit changes nothing: the sample uses its source."""
        return self == ClipEdit()

    @property
    def trimmed(self) -> bool:
        """True when the edit cuts the start or the end."""
        return bool(self.start_s) or self.end_s is not None

    @property
    def key(self) -> str:
        """A stable hash of the edit (and of the renderer's version): the ``edit_key``."""
        payload = json.dumps(
            [RENDER_VERSION, self.model_dump(mode="json", exclude_defaults=True)],
            sort_keys=True,
            separators=(",", ":"),
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:KEY_LENGTH]

    def to_json(self) -> str:
        """The edit as the store keeps it: only the fields that are set."""
        return json.dumps(self.model_dump(mode="json", exclude_defaults=True), sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> ClipEdit:
        """The edit a store column holds; no edit for NULL."""
        return cls() if not text else cls.model_validate_json(text)

    def describe(self) -> str:
        """The edit in a few words: ``trim 0.5-5.5 s, crop 160x90 at 0,15, no audio``."""
        parts = []
        if self.trimmed:
            end = "end" if self.end_s is None else f"{self.end_s:g}"
            parts.append(f"trim {self.start_s or 0:g}-{end} s")
        if self.crop is not None:
            parts.append(f"crop {self.crop.describe()}")
        if self.scale is not None:
            parts.append(f"scale to {self.scale.describe()}")
        if self.drop_audio:
            parts.append("no audio")
        if self.convert and not parts:
            parts.append("convert to MP4")
        return ", ".join(parts) or "no edit"


def even(value: int) -> int:
    """VALUE rounded down to an even number, at least 2 (yuv420p needs even sizes)."""
    return max(2, value - value % 2)


def output_size(edit: ClipEdit, width: int, height: int) -> tuple[int, int]:
    """The size of the edited clip of a source shown at WIDTH x HEIGHT."""
    crop = clamped_crop(edit.crop, width, height)
    w, h = (crop.w, crop.h) if crop is not None else (width, height)
    if edit.scale is not None:
        w, h = scaled_size(edit.scale, w, h)
    return even(w), even(h)


def clamped_crop(crop: Crop | None, width: int, height: int) -> Crop | None:
    """CROP kept inside a WIDTH x HEIGHT picture (None when it covers it all or is None)."""
    if crop is None:
        return None
    x, y = min(crop.x, width - 2), min(crop.y, height - 2)
    w, h = min(crop.w, width - x), min(crop.h, height - y)
    if (x, y, w, h) == (0, 0, width, height):
        return None
    return Crop(x=x, y=y, w=w, h=h)


def scaled_size(scale: Scale, width: int, height: int) -> tuple[int, int]:
    """WIDTH x HEIGHT after SCALE (never up for a max side), before rounding to even."""
    if scale.width is not None and scale.height is not None:
        return scale.width, scale.height
    assert scale.max_side is not None
    longest = max(width, height)
    if longest <= scale.max_side:
        return width, height
    factor = scale.max_side / longest
    return max(2, round(width * factor)), max(2, round(height * factor))


def output_duration(edit: ClipEdit, duration_s: float) -> float:
    """The length of the edited clip of a source lasting DURATION_S (its trim, within it)."""
    start = min(edit.start_s or 0.0, duration_s)
    end = duration_s if edit.end_s is None else min(edit.end_s, duration_s)
    return max(0.0, end - start)
