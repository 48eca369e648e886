"""The media layer: probing clips and images, pulling frames, finding black borders, encoding.

Domain code only (PyAV, Pillow, numpy). Every failure to read a file is a ``MediaError``
whose message says what is wrong without naming the file.
"""

from annotator.clipfacts import Borders, ClipFacts, ClipProbe
from annotator.media.analyse import ClipAnalysis, analyse_clip
from annotator.media.borders import detect_black_borders
from annotator.media.encode import write_clip
from annotator.media.errors import MediaError
from annotator.media.frames import first_frame, last_frame, sample_frames, save_png
from annotator.media.images import ImageProbe, probe_image
from annotator.media.probe import clockwise_rotation, display_matrix_rotation, probe_clip

__all__ = [
    "Borders",
    "ClipAnalysis",
    "ClipFacts",
    "ClipProbe",
    "ImageProbe",
    "MediaError",
    "analyse_clip",
    "clockwise_rotation",
    "detect_black_borders",
    "display_matrix_rotation",
    "first_frame",
    "last_frame",
    "probe_clip",
    "probe_image",
    "sample_frames",
    "save_png",
    "write_clip",
]
