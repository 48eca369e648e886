"""Clip quality: what a person sees at once on real footage and the plain rules miss.

Pure analysis of one clip (a few sampled frames decoded once): perceptual hashes for
duplicates, a flat or black first (and last) frame, burned-in text read by OCR, static
overlays, sharpness and noise. The checks compare clips with each other and with the
base model; the pipeline caches each result under the clip's key.
"""

from annotator.media.quality.analyse import analyse_quality
from annotator.media.quality.hashing import Likeness, likeness
from annotator.media.quality.model import (
    ANALYSIS_VERSION,
    ClipQuality,
    FrameLook,
    FrameStats,
    Overlay,
    TextFound,
    TextKind,
)

__all__ = [
    "ANALYSIS_VERSION",
    "ClipQuality",
    "FrameLook",
    "FrameStats",
    "Likeness",
    "Overlay",
    "TextFound",
    "TextKind",
    "analyse_quality",
    "likeness",
]
