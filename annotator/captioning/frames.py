"""Client-side frame sampling that mirrors qwen-vl-utils 0.0.14 (without torch).

Used when a server cannot take a video file (OpenAI-compatible mode with
``video_as="frames"``, Ollama): we pick the frames the Qwen processor would
pick and resize them to the sizes it would use, so the model sees what it was
trained on. The rules are written out in dashscope-api.md section 4.

A small PyAV decoder lives here rather than in ``annotator.media`` because it
needs exact frame indices (``linspace`` over the decoded frames), not just a count.
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


def frame_indices(total_frames: int, nframes: int) -> list[int]:
    """``linspace(0, total-1, n).round()`` without numpy's import cost."""
    if nframes == 1:
        return [0]
    step = (total_frames - 1) / (nframes - 1)
    return [round(i * step) for i in range(nframes)]


@dataclass
class SampledFrames:
    """Frames ready to send: resized images and the rate they were taken at."""

    images: list[Image.Image]
    sample_fps: float
    size: tuple[int, int]  # (width, height) of every image


def sample_frames(path: Path, fps: float, factor: int) -> SampledFrames:
    """Decode ``path`` and return the frames qwen-vl-utils would give the model."""
    import av
    from PIL import Image

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        video_fps = float(stream.average_rate or stream.guessed_rate or 25)
        # Counting packets is exact for our clips and much cheaper than decoding.
        total = sum(1 for packet in container.demux(stream) if packet.size)
    nframes = smart_nframes(total, video_fps, fps)
    wanted = frame_indices(total, nframes)
    wanted_set = set(wanted)
    picked: dict[int, Image.Image] = {}
    with av.open(str(path)) as container:
        for index, frame in enumerate(container.decode(video=0)):
            if index in wanted_set:
                picked[index] = frame.to_image()
            if index >= wanted[-1]:
                break
    if not picked:
        raise ValueError("no frame could be decoded")
    last = picked[max(picked)]
    images = [picked.get(i, last) for i in wanted]
    min_pixels, max_pixels = frame_pixel_budget(nframes, factor)
    width, height = images[0].size
    new_h, new_w = smart_resize(height, width, factor, min_pixels, max_pixels)
    resized = [img.resize((new_w, new_h), Image.Resampling.BICUBIC) for img in images]
    sample_fps = nframes / total * video_fps
    return SampledFrames(resized, sample_fps, (new_w, new_h))


def jpeg_data_url(image: Image.Image, quality: int = 90) -> str:
    """A ``data:image/jpeg;base64,...`` URL for one frame."""
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=quality)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
