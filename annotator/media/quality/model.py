"""What the quality analysis of one clip found: a pydantic model, so the store can keep it.

Facts about the clip alone live here (its sampled frames' hashes and looks, text read on
them, static overlays, sharpness, noise). Judging a clip against the rest of the set
(duplicates, blur and noise outliers) and against the base model is the checks' work.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

# Raise when what is measured or how changes: every cached result of another version is
# analysed again on the next check.
ANALYSIS_VERSION = 5  # 4: small subtitles on the lower band; 5: touching text lines merged

Box = tuple[float, float, float, float]
"""A rectangle as shares of the picture: left, top, right, bottom (0..1)."""


class FrameLook(StrEnum):
    """What a conditioning frame (first, or last for kf2v) shows when it carries nothing."""

    BLACK = "black"  # dark and uniform
    FLAT = "flat"  # uniform, of any colour (a slate, a fade)
    TITLE_CARD = "title card"  # mostly one plain colour, unlike the rest of the clip


class TextKind(StrEnum):
    SUBTITLES = "subtitles"  # lines in the lower band whose words change across frames
    CAPTION = "caption"  # the same line in the lower band while the picture changes
    LOGO = "logo text"  # text that stays in one place elsewhere (channel logo, watermark)


class FrameStats(BaseModel):
    """One sampled frame, measured on its grey picture at the analysis size."""

    model_config = ConfigDict(frozen=True)

    time_s: float
    mean: float  # 0..255
    std: float
    edges: float  # mean absolute gradient
    dominant: float  # share of pixels within a few levels of the median grey


class TextFound(BaseModel):
    """Burned-in text seen on several sampled frames."""

    model_config = ConfigDict(frozen=True)

    kind: TextKind
    box: Box  # the union of its boxes
    text: str  # what was read (one sample of it), "" when unreadable
    frames: int  # on how many of the frames read it was seen
    of_frames: int


class Overlay(BaseModel):
    """A static picture in a corner (a logo without text) over a changing picture."""

    model_config = ConfigDict(frozen=True)

    corner: str  # "top-left", "top-right", "bottom-left", "bottom-right"
    box: Box


class ClipQuality(BaseModel):
    """The quality analysis of one clip (the effective clip: its edit when it has one)."""

    model_config = ConfigDict(frozen=True)

    version: int = ANALYSIS_VERSION
    width: int  # as displayed
    height: int
    duration_s: float
    frames: list[FrameStats]  # the sampled frames in time order, first and last included
    phashes: list[str]  # perceptual (DCT) hash of each sampled frame, hex
    dhashes: list[str]  # difference hash of each sampled frame, hex
    first_look: FrameLook | None = None
    last_look: FrameLook | None = None
    content_start_s: float | None = None  # first frame with content, when the first is flat
    sharpness: float  # median variance of the Laplacian (higher: sharper)
    noise: float  # median estimated noise sigma, grey levels
    text: list[TextFound] = []
    overlays: list[Overlay] = []
