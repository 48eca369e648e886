"""Measures of one small picture: its look (uniform, dark, plain), sharpness and noise."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from annotator.media.quality.model import FrameLook, FrameStats
from annotator.media.quality.sampling import FLAT_STD

_BLACK_MEAN = 28.0  # grey levels: a uniform frame this dark is black
_NEAR = 6.0  # grey levels around the median that count as the plain background
_PLAIN = 0.8  # a title card: at least this share of the picture is its background...
_PLAIN_REST = 0.45  # ...when the rest of the clip's frames are at most this plain...
_EDGES_SHARE = 0.5  # ...and it has at most this share of their edges
_MIN_GRADIENT = 0.5  # grey levels per pixel: a picture without edges has no sharpness


def grey(rgb: np.ndarray) -> np.ndarray:
    """The picture's luma (BT.601) as float32."""
    weights = np.array([0.299, 0.587, 0.114], dtype=np.float32)
    result: np.ndarray = rgb.astype(np.float32) @ weights
    return result


def frame_stats(picture: np.ndarray, time_s: float) -> FrameStats:
    """The mean, spread, edge content and plainness of one grey picture."""
    edges = np.abs(np.diff(picture, axis=0)).mean() + np.abs(np.diff(picture, axis=1)).mean()
    median = float(np.median(picture[::3, ::3]))  # a ninth of the pixels tell it
    return FrameStats(
        time_s=round(time_s, 3),
        mean=round(float(picture.mean()), 2),
        std=round(float(picture.std()), 2),
        edges=round(float(edges) / 2, 3),
        dominant=round(float((np.abs(picture - median) <= _NEAR).mean()), 3),
    )


def frame_look(frame: FrameStats, others: Sequence[FrameStats]) -> FrameLook | None:
    """Whether a conditioning frame carries nothing: black, uniform, or a title card (a
    plain picture with little edge content, unlike the rest of the clip)."""
    if frame.std < FLAT_STD:
        return FrameLook.BLACK if frame.mean < _BLACK_MEAN else FrameLook.FLAT
    if not others or frame.dominant < _PLAIN:
        return None
    rest_plain = float(np.median([f.dominant for f in others]))
    rest_edges = float(np.median([f.edges for f in others]))
    if rest_plain <= _PLAIN_REST and frame.edges <= _EDGES_SHARE * rest_edges:
        return FrameLook.TITLE_CARD
    return None


def sharpness(picture: np.ndarray) -> float:
    """The spread (standard deviation) of the 4-neighbour Laplacian per unit of edge
    content (mean absolute gradient): low on a blurred picture. Blur lowers the second
    derivative faster than the first, while how much of the picture is edges or flat (a
    studio wall, a sky) cancels out. 0.0 for a picture without edges."""
    if picture.shape[0] < 3 or picture.shape[1] < 3:  # a sliver: no Laplacian, never NaN
        return 0.0
    lap = (
        picture[1:-1, :-2]
        + picture[1:-1, 2:]
        + picture[:-2, 1:-1]
        + picture[2:, 1:-1]
        - 4.0 * picture[1:-1, 1:-1]
    )
    gradient = float(
        np.abs(picture[1:-1, 2:] - picture[1:-1, :-2]).mean()
        + np.abs(picture[2:, 1:-1] - picture[:-2, 1:-1]).mean()
    )
    if gradient < _MIN_GRADIENT:
        return 0.0
    return float(lap.std()) / gradient


def noise_sigma(picture: np.ndarray) -> float:
    """Immerkaer's fast estimate of the noise's standard deviation, in grey levels: the
    picture filtered by a kernel that cancels smooth shading and straight edges, averaged
    over its smoother half only (by gradient), so texture is not taken for noise."""
    p = picture
    h, w = p.shape
    if h < 3 or w < 3:
        return 0.0
    conv = (
        p[:-2, :-2]
        - 2 * p[:-2, 1:-1]
        + p[:-2, 2:]
        - 2 * p[1:-1, :-2]
        + 4 * p[1:-1, 1:-1]
        - 2 * p[1:-1, 2:]
        + p[2:, :-2]
        - 2 * p[2:, 1:-1]
        + p[2:, 2:]
    )
    gradient = np.abs(p[1:-1, 2:] - p[1:-1, :-2]) + np.abs(p[2:, 1:-1] - p[:-2, 1:-1])
    smooth = gradient <= np.median(gradient[::3, ::3])  # a ninth of the pixels tell it
    if not smooth.any():
        return 0.0
    return float(np.abs(conv[smooth]).mean() * math.sqrt(math.pi / 2) / 6.0)
