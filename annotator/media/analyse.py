"""A new clip read once: its probe, its black borders, its first and last pictures."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from annotator.clipfacts import ClipFacts
from annotator.media.borders import detect_black_borders
from annotator.media.errors import MediaError
from annotator.media.frames import decode_spaced
from annotator.media.probe import describe_clip, open_video

# Frames spread over the clip that black bars must be on to count as borders.
BORDER_SAMPLE_FRAMES = 5


@dataclass(frozen=True)
class ClipAnalysis:
    """What a scan learns from a new clip: the facts it stores and the pictures it caches."""

    facts: ClipFacts
    first_frame: Image.Image
    last_frame: Image.Image


def analyse_clip(path: Path, border_frames: int = BORDER_SAMPLE_FRAMES) -> ClipAnalysis:
    """Probe a clip and look for black borders on ``border_frames`` frames across it.

    The clip is decoded once, from its first frame to its last: the probe reads the first
    frame of that pass, the border search the frames picked on the way, and the first and
    last pictures come with it. Raises ``MediaError`` when it is not a usable video.
    """
    with open_video(Path(path)) as (container, stream):
        run = decode_spaced(container, stream, border_frames)
        probe = describe_clip(container, stream, run.first)
    sizes = list(dict.fromkeys(f"{image.width}x{image.height}" for image in run.picked))
    if len(sizes) > 1:  # two recordings joined, a stream that switched resolution
        raise MediaError(
            f"its picture changes size within the clip ({', then '.join(sizes)})",
            fix="re-encode it at one size, or cut it where the size changes",
        )
    facts = ClipFacts(**probe.model_dump(), black_borders=detect_black_borders(run.picked))
    return ClipAnalysis(facts=facts, first_frame=run.picked[0], last_frame=run.last_image)
