"""Client-side frame sampling that mirrors qwen-vl-utils 0.0.14 (without torch).

Used when a server cannot take a video file (OpenAI-compatible mode with
``video_as="frames"``, Ollama): we pick the frames the Qwen processor would
pick and resize them to the sizes it would use, so the model sees what it was
trained on. The rules are written out in dashscope-api.md section 4.

Decoding is left to ``annotator.media``; this module holds the arithmetic.
"""

from __future__ import annotations

import base64
import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Pillow and PyAV load only when frames are sampled
    from PIL import Image

MAX_RATIO = 200
FRAME_FACTOR = 2
FPS_MIN_FRAMES = 4
FPS_MAX_FRAMES = 768
IMAGE_MIN_TOKEN_NUM = 4
IMAGE_MAX_TOKEN_NUM = 16384
VIDEO_MIN_TOKEN_NUM = 128
VIDEO_MAX_TOKEN_NUM = 768
MODEL_SEQ_LEN = 128000


def patch_factor(model: str) -> int:
    """28 for Qwen2/2.5-VL (14 px patches, 2x2 merge); 32 for Qwen3-VL and Qwen3.5 (16 px)."""
    return 32 if model.lower().startswith("qwen3") else 28


def _round(n: float, f: int) -> int:
    return round(n / f) * f


def _ceil(n: float, f: int) -> int:
    return math.ceil(n / f) * f


def _floor(n: float, f: int) -> int:
    return math.floor(n / f) * f


def smart_resize(
    height: int,
    width: int,
    factor: int = 28,
    min_pixels: float | None = None,
    max_pixels: float | None = None,
) -> tuple[int, int]:
    """(height, width) rounded to multiples of ``factor`` and kept inside the pixel budget."""
    max_pixels = IMAGE_MAX_TOKEN_NUM * factor**2 if max_pixels is None else max_pixels
    min_pixels = IMAGE_MIN_TOKEN_NUM * factor**2 if min_pixels is None else min_pixels
    if max(height, width) / min(height, width) > MAX_RATIO:
        raise ValueError(f"aspect ratio of {width}x{height} is over {MAX_RATIO}:1")
    h_bar = max(factor, _round(height, factor))
    w_bar = max(factor, _round(width, factor))
    if h_bar * w_bar > max_pixels:
        beta = math.sqrt(height * width / max_pixels)
        h_bar = max(factor, _floor(height / beta, factor))
        w_bar = max(factor, _floor(width / beta, factor))
    elif h_bar * w_bar < min_pixels:
        beta = math.sqrt(min_pixels / (height * width))
        h_bar = _ceil(height * beta, factor)
        w_bar = _ceil(width * beta, factor)
    return h_bar, w_bar


def smart_nframes(total_frames: int, video_fps: float, fps: float = 2.0) -> int:
    """How many frames to sample: duration*fps, clamped to [4, min(768, total)], even."""
    min_frames = _ceil(FPS_MIN_FRAMES, FRAME_FACTOR)
    max_frames = _floor(min(FPS_MAX_FRAMES, total_frames), FRAME_FACTOR)
    n = total_frames / video_fps * fps
    n = min(min(max(n, min_frames), max_frames), total_frames)
    n = _floor(n, FRAME_FACTOR)
    if not FRAME_FACTOR <= n <= total_frames:
        raise ValueError(f"cannot sample {n} frames from a clip of {total_frames}")
    return n


def frame_pixel_budget(nframes: int, factor: int) -> tuple[int, float]:
    """(min_pixels, max_pixels) per frame, as fetch_video computes them."""
    min_pixels = VIDEO_MIN_TOKEN_NUM * factor**2
    total_pixels = MODEL_SEQ_LEN * factor**2 * 0.9
    max_pixels = max(
        min(VIDEO_MAX_TOKEN_NUM * factor**2, total_pixels / nframes * FRAME_FACTOR),
        int(min_pixels * 1.05),
    )
    return min_pixels, max_pixels


@dataclass
class SampledFrames:
    """Frames ready to send: resized images and the rate they were taken at."""

    images: list[Image.Image]
    sample_fps: float
    size: tuple[int, int]  # (width, height) of every image


def sample_frames(path: Path, fps: float, factor: int) -> SampledFrames:
    """Decode ``path`` and return the frames qwen-vl-utils would give the model.

    Frame picking and decoding are ``annotator.media``'s (its even spacing is
    ``linspace(...).round()``, and it turns frames by the clip's display rotation).
    """
    from PIL import Image

    from annotator.media import probe_clip
    from annotator.media import sample_frames as media_sample_frames

    probe = probe_clip(path)
    nframes = smart_nframes(probe.frame_count, probe.fps, fps)
    images = media_sample_frames(path, nframes)
    if len(images) % FRAME_FACTOR:  # qwen-vl-utils pads a frame list to even length
        images.append(images[-1])
    min_pixels, max_pixels = frame_pixel_budget(len(images), factor)
    width, height = images[0].size
    new_h, new_w = smart_resize(height, width, factor, min_pixels, max_pixels)
    resized = [img.resize((new_w, new_h), Image.Resampling.BICUBIC) for img in images]
    sample_fps = nframes / probe.frame_count * probe.fps
    return SampledFrames(resized, sample_fps, (new_w, new_h))


def jpeg_data_url(image: Image.Image, quality: int = 90) -> str:
    """A ``data:image/jpeg;base64,...`` URL for one frame."""
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=quality)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
