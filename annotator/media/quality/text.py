"""Burned-in text on a few sampled frames, read with RapidOCR (its ONNX models ship in its
wheel: nothing is downloaded at run time).

Detection runs on small pictures (``OCR_SIDE``); recognition only on the few lines that
look burned in, to confirm them and to quote them. Text that stays in one place while the
picture changes is a logo, a watermark or a caption; lines in the lower band whose words
change from frame to frame are subtitles. Text that moves with the scene (a sign the
camera passes) is neither.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

import numpy as np
from PIL import Image

from annotator.media.quality.model import Box, TextFound, TextKind
from annotator.media.quality.sampling import Band
from annotator.safetext import strip_controls

OCR_SIDE = 384  # longest side of a picture handed to text detection
_MIN_HEIGHT = 0.025  # a line of text is at least this share of the picture's height
# Two boxes are in the same place when their overlap covers this share of the smaller one:
# detection cuts a line differently from frame to frame over a changing background.
_SAME_PLACE = 0.6
_LOWER_BAND = 0.68  # a subtitle's centre is below this share of the height...
_CENTRE = (0.25, 0.75)  # ...and its centre across between these shares
_EDGE_BAND = 0.22  # a logo's centre is this close (share of the side) to an edge
_CHANGE = 4.0  # grey levels: the picture outside the text changes between frames
_READ_SCORE = 0.6  # recognition's confidence in what it read
_SAME_WORDS = 0.7  # two readings this alike (0..1) say the same words
# The lower band read at a higher resolution (see ``band_subtitles``): a line's centre
# this close to the frame's middle (subtitles are centred), at the same height (within a
# line's height) on every frame.
_BAND_CENTRED = 0.1
_BAND_SIDE_PX = 1024  # detection runs on the band at its own size, up to this

_engine: Any = None
_engine_lock = threading.Lock()
_run_lock = threading.Lock()


def _ocr() -> Any:
    """The one RapidOCR engine of the process, loaded on first use (about a second)."""
    global _engine
    with _engine_lock:
        if _engine is None:
            from rapidocr_onnxruntime import RapidOCR

            _engine = RapidOCR(
                det_limit_side_len=OCR_SIDE, det_limit_type="max", print_verbose=False
            )
        return _engine


def _run(picture: np.ndarray, **steps: bool) -> Any:
    """One call of the engine. One at a time: its detector keeps the last picture's resize
    step on itself, so two threads would mix them (the clips' decoding runs alongside)."""
    engine = _ocr()
    with _run_lock:
        return engine(picture, **steps)


@dataclass(frozen=True)
class _Line:
    frame: int
    box: Box


def _overlap(a: Box, b: Box) -> float:
    """The share of the smaller box that the other covers."""
    x0, y0, x1, y1 = max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])
    inter = max(0.0, x1 - x0) * max(0.0, y1 - y0)
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return inter / smaller if smaller > 0 else 0.0


def _union(boxes: Sequence[Box]) -> Box:
    return (
        round(min(b[0] for b in boxes), 4),
        round(min(b[1] for b in boxes), 4),
        round(max(b[2] for b in boxes), 4),
        round(max(b[3] for b in boxes), 4),
    )


def _detect(
    picture: np.ndarray, side: int = OCR_SIDE, min_height: float = _MIN_HEIGHT
) -> list[Box]:
    """The text lines detected on one picture (made to fit SIDE first), as shares of its
    size, at least MIN_HEIGHT of its height and wider than tall."""
    height, width = picture.shape[:2]
    scale = min(1.0, side / max(width, height))
    small = picture
    if scale < 1.0:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        small = np.asarray(Image.fromarray(picture).resize(size, Image.Resampling.BOX))
    found, _ = _run(np.ascontiguousarray(small[:, :, ::-1]), use_cls=False, use_rec=False)
    sh, sw = small.shape[:2]
    boxes: list[Box] = []
    for quad in found or []:
        xs, ys = [p[0] for p in quad], [p[1] for p in quad]
        box = (min(xs) / sw, min(ys) / sh, max(xs) / sw, max(ys) / sh)
        if box[3] - box[1] >= min_height and (box[2] - box[0]) * sw >= (box[3] - box[1]) * sh:
            boxes.append(box)
    return boxes


def _read(picture: np.ndarray, box: Box) -> str:
    """What recognition reads in BOX of the picture ("" when unsure)."""
    height, width = picture.shape[:2]
    pad_x, pad_y = 0.01, 0.3 * (box[3] - box[1])
    left, right = max(0, int((box[0] - pad_x) * width)), min(width, int((box[2] + pad_x) * width))
    top = max(0, int((box[1] - pad_y) * height))
    bottom = min(height, int((box[3] + pad_y) * height) + 1)
    crop = picture[top:bottom, left:right]
    if crop.size == 0:
        return ""
    result, _ = _run(np.ascontiguousarray(crop[:, :, ::-1]), use_det=False, use_cls=False)
    if not result:
        return ""
    text, score = str(result[0][0]), float(result[0][1])
    if score < _READ_SCORE or len(re.findall(r"\w", text)) < 2:
        return ""
    return strip_controls(text).strip()  # read off a user's file: shown, so made safe


def _changes(pictures: Sequence[np.ndarray]) -> bool:
    """Whether the picture changes from frame to frame (median grey difference)."""
    greys = [p.mean(axis=2) for p in pictures]
    diffs = [float(np.abs(a - b).mean()) for a, b in itertools.pairwise(greys)]
    return bool(diffs) and float(np.median(diffs)) >= _CHANGE


def _near_edge(box: Box) -> bool:
    """Where channel logos and watermarks sit: a box whose centre is in the outer band."""
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return not (_EDGE_BAND < cx < 1 - _EDGE_BAND and _EDGE_BAND < cy < 1 - _EDGE_BAND)


def _lower_centre(box: Box) -> bool:
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return cy >= _LOWER_BAND and _CENTRE[0] <= cx <= _CENTRE[1]


def find_text(pictures: Sequence[np.ndarray], bands: Sequence[Band] = ()) -> list[TextFound]:
    """Burned-in text on PICTURES (a few frames spread over the clip, analysis size); BANDS,
    the same frames' lower bands at a higher resolution (when the clip is larger than the
    analysis size), are read for small subtitles the pictures are too small to show."""
    found = _text_on_pictures(pictures)
    if len(bands) >= 2 and not any(f.kind is not TextKind.LOGO for f in found):
        lower = band_subtitles(bands)
        if lower is not None:
            found.append(lower)
    return found


def _text_on_pictures(pictures: Sequence[np.ndarray]) -> list[TextFound]:
    if len(pictures) < 2:
        return []
    # Every kind of burned-in text is seen on two frames at least: when all frames but one
    # have no line of text (most clips), that settles it and the last is never read.
    order = sorted(range(len(pictures)), key=lambda i: (i not in (0, len(pictures) - 1), i))
    detected = {i: _detect(pictures[i]) for i in order[:-1]}
    if not any(detected.values()):
        return []
    detected.update({i: _detect(pictures[i]) for i in order[-1:]})
    lines = [_Line(i, box) for i in range(len(pictures)) for box in detected[i]]
    found: list[TextFound] = []
    used: set[int] = set()
    if _changes(pictures):
        found.extend(_static_text(pictures, lines, used))
    subtitles = _subtitles(pictures, [ln for k, ln in enumerate(lines) if k not in used])
    if subtitles is not None:
        found.append(subtitles)
    return found


def _static_text(
    pictures: Sequence[np.ndarray], lines: list[_Line], used: set[int]
) -> list[TextFound]:
    """Lines in the same place on most frames while the picture changes: a logo or a
    watermark, or in the lower band a caption (subtitles, when their words change)."""
    # Two frames in three: detection misses a line now and then over a busy background.
    need = max(2, -(-2 * len(pictures) // 3))
    found: list[TextFound] = []
    for k, line in enumerate(lines):
        if k in used:
            continue
        group = [
            j
            for j, other in enumerate(lines)
            if j not in used and _overlap(line.box, other.box) >= _SAME_PLACE
        ]
        frames = {lines[j].frame for j in group}
        if len(frames) < need:
            continue
        used.update(group)
        box = _union([lines[j].box for j in group])
        if _lower_centre(line.box):
            texts = [_read(pictures[lines[j].frame], lines[j].box) for j in group[:4]]
            texts = [t for t in texts if t]
            kind = TextKind.SUBTITLES if _words_change(texts) else TextKind.CAPTION
        elif _near_edge(box):
            texts = [_read(pictures[line.frame], line.box)]
            kind = TextKind.LOGO
        else:
            continue  # text held still in the middle of the picture: a sign in a fixed shot
        if texts and texts[0]:
            found.append(
                TextFound(
                    kind=kind, box=box, text=texts[0], frames=len(frames), of_frames=len(pictures)
                )
            )
    return _merge_touching(found)


def _merge_touching(found: list[TextFound]) -> list[TextFound]:
    """One finding per area: held-still lines of one kind whose boxes overlap or touch
    (the lines of one score box or a two-line logo) become one, their texts joined top to
    bottom."""
    merged: list[TextFound] = []
    for item in sorted(found, key=lambda f: (f.box[1], f.box[0])):
        for k, other in enumerate(merged):
            if other.kind is item.kind and _touch(other.box, item.box):
                merged[k] = TextFound(
                    kind=item.kind,
                    box=_union([other.box, item.box]),
                    text=f"{other.text} {item.text}",
                    frames=max(other.frames, item.frames),
                    of_frames=item.of_frames,
                )
                break
        else:
            merged.append(item)
    return merged


def _touch(a: Box, b: Box) -> bool:
    """Whether two boxes overlap across and lie within half a line's height of each other
    up and down."""
    slack = 0.5 * min(a[3] - a[1], b[3] - b[1])
    across = min(a[2], b[2]) > max(a[0], b[0])
    return across and a[1] - slack <= b[3] and b[1] - slack <= a[3]


def _words_change(texts: Sequence[str]) -> bool:
    """Whether TEXTS (read on different frames) say different things, beyond misreadings."""
    plain = [re.sub(r"\W", "", t).lower() for t in texts if t]
    return any(
        SequenceMatcher(None, a, b).ratio() < _SAME_WORDS
        for a, b in itertools.combinations(plain, 2)
    )


def _subtitles(pictures: Sequence[np.ndarray], lines: list[_Line]) -> TextFound | None:
    """Readable lines in the lower band on two frames or more: subtitles when their words
    change, a caption when they stay."""
    lower = [ln for ln in lines if _lower_centre(ln.box)]
    if len({ln.frame for ln in lower}) < 2:
        return None
    read = [(ln, _read(pictures[ln.frame], ln.box)) for ln in lower[:6]]
    readable = [(ln, text) for ln, text in read if text]
    frames = {ln.frame for ln, _ in readable}
    if len(frames) < 2:
        return None
    changing = _words_change([text for _, text in readable])
    kind = TextKind.SUBTITLES if changing else TextKind.CAPTION
    return TextFound(
        kind=kind,
        box=_union([ln.box for ln, _ in readable]),
        text=readable[0][1],
        frames=len(frames),
        of_frames=len(pictures),
    )


def band_subtitles(bands: Sequence[Band]) -> TextFound | None:
    """Subtitles (words that change) or a caption (the same words while the band changes)
    centred in BANDS, the lower band of a few frames spread over the clip, at a resolution
    where a line 3% of the height is still read. The box is in shares of the whole frame.
    The middle frame is read first: without a centred line there (most clips), the others
    are not read."""
    middle = len(bands) // 2
    order = [middle, *(i for i in range(len(bands)) if i != middle)]
    lines: list[tuple[int, Box, str]] = []
    for n, i in enumerate(order):
        band = bands[i]
        crop, top, left, right = band.rgb, band.top, band.left, band.right
        depth = 1.0 - top
        centred = [
            box
            for box in _detect(crop, _BAND_SIDE_PX, _MIN_HEIGHT / depth)
            if abs(left + (box[0] + box[2]) / 2 * (right - left) - 0.5) <= _BAND_CENTRED
        ]
        if n == 0 and not centred:
            return None
        for box in centred[:2]:
            text = _read(crop, box)
            if text:
                frame_box = (
                    left + box[0] * (right - left),
                    top + box[1] * depth,
                    left + box[2] * (right - left),
                    top + box[3] * depth,
                )
                lines.append((i, frame_box, text))
    lines = _same_height(lines)
    frames = {i for i, _, _ in lines}
    if len(frames) < 2:
        return None
    changing = _words_change([text for _, _, text in lines])
    if not changing and not _changes([b.rgb for b in bands]):
        return None  # the same words over a still band: a sign in a fixed shot
    return TextFound(
        kind=TextKind.SUBTITLES if changing else TextKind.CAPTION,
        box=_union([box for _, box, _ in lines]),
        text=lines[0][2],
        frames=len(frames),
        of_frames=len(bands),
    )


def _same_height(lines: list[tuple[int, Box, str]]) -> list[tuple[int, Box, str]]:
    """The lines at the height most of them share (within a line's height): subtitles stay
    on one line of the screen, text in the scene moves with it."""
    if not lines:
        return lines
    centres = [(box[1] + box[3]) / 2 for _, box, _ in lines]
    height = float(np.median([box[3] - box[1] for _, box, _ in lines]))
    middle = float(np.median(centres))
    return [ln for ln, c in zip(lines, centres, strict=True) if abs(c - middle) <= height]
