"""What a clip will cost in input tokens, before sending it (for ``--dry-run``).

DashScope samples and resizes the video on its side; this follows the
reference code of its vision guide ("for estimation only", dashscope-api.md
section 1). The instruction's own text tokens are not counted: a few hundred
against thousands for the video.
"""

from __future__ import annotations

import math

from annotator.captioning.frames import FPS_MIN_FRAMES, FRAME_FACTOR, smart_resize
from annotator.lang import CJK

# Models whose server-side grid is 32 px although they are of the Qwen2.5-VL line.
_QWEN25_ON_32 = (
    "qwen-vl-max",
    "qwen-vl-max-latest",
    "qwen-vl-max-2025-08-13",
    "qwen-vl-plus",
    "qwen-vl-plus-latest",
    "qwen-vl-plus-2025-08-15",
)


def server_patch(model: str) -> int:
    """Server grid: 32 for Qwen3.5, Qwen3-VL, current qwen-vl-max/plus; 28 for QVQ, other 2.5-VL."""
    name = model.lower()
    if name.startswith("qwen3") or name in _QWEN25_ON_32:
        return 32
    return 28


def _max_frames(model: str) -> int:
    name = model.lower()
    if name.startswith("qwen3-vl-plus"):
        return 2000
    if name.startswith(("qwen3-vl-flash", "qwen2.5-vl", "qwen-vl-max", "qwen-vl-plus")):
        return 512
    return 80


def estimate_nframes(duration_s: float, fps: float, model: str) -> int:
    """Frames the server takes: duration*fps clamped to [4, the model's cap], even."""
    n = min(max(duration_s * fps, FPS_MIN_FRAMES), _max_frames(model))
    return max(FRAME_FACTOR, math.floor(n / FRAME_FACTOR) * FRAME_FACTOR)


def estimate_tokens(duration_s: float, width: int, height: int, fps: float, model: str) -> int:
    """Estimated video input tokens for one clip sent with ``fps`` to ``model``."""
    patch = server_patch(model)
    plus = model.lower().startswith("qwen3-vl-plus")
    min_pixels = 4 * patch * patch
    max_pixels = (640 if plus else 768) * patch * patch
    total_pixels = (131072 if plus else 65536) * patch * patch
    nframes = estimate_nframes(duration_s, fps, model)
    per_frame_max = max(min(max_pixels, total_pixels / nframes * FRAME_FACTOR), 1.05 * min_pixels)
    h, w = smart_resize(height, width, patch, min_pixels, per_frame_max)
    return math.ceil(nframes / FRAME_FACTOR) * (h // patch) * (w // patch) + 2


# An image's default pixel cap, as tokens' worth of patches: 1280 for the Qwen2.5-VL line,
# 2560 for Qwen3-VL (the defaults of DashScope's vision guide; an estimate, like the rest).
def estimate_image_tokens(width: int, height: int, model: str) -> int:
    """Estimated input tokens for one image (a kf2v still) sent to ``model``."""
    patch = server_patch(model)
    cap = (2560 if model.lower().startswith("qwen3") else 1280) * patch * patch
    h, w = smart_resize(max(height, patch), max(width, patch), patch, 4 * patch * patch, cap)
    return (h // patch) * (w // patch) + 2


def estimate_text_tokens(text: str) -> int:
    """Estimated tokens of a text: about one per Chinese character, one per four other
    characters (Qwen's tokenizer, roughly; enough for a cost estimate)."""
    cjk = len(CJK.findall(text))
    return cjk + (len(text) - cjk + 3) // 4
