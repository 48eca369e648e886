"""Draw and encode the bundled sample clips: two small datasets of one effect each.

    .venv/bin/python samples/make_samples.py

i2v (first frame), samples/i2v/clip_01.mp4 ... clip_12.mp4: a still scene; a ring of golden
sparkles appears around the main subject and spirals inward clockwise; the whole frame
flashes white; the subject is left glowing gold. clip_05 also gets clip_05.png, its exact
first decoded frame (the case of a user-supplied first frame).

kf2v (first and last frame), samples/kf2v/clip_01.mp4 ... clip_06.mp4: the subject shrinks,
spinning, into a swirl of blue smoke at the centre and comes back out of it as a flat
paper-origami version of itself in a pastel colour.

Everything is drawn with Pillow and numpy from fixed seeds: no downloads, and running the
script twice writes the same bytes. samples/manifest.json lists every file with its sha256
and a few plain words about its subject and background.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from annotator.media.encode import write_clip
from annotator.media.frames import first_frame, save_png

HERE = Path(__file__).resolve().parent
SUPERSAMPLE = 2  # subjects are drawn at twice the size and scaled down: smooth edges
CRF = 32
MAX_TOTAL_BYTES = 5 * 1024 * 1024

RGB = tuple[int, int, int]
RGBA = tuple[int, int, int, int]


# --------------------------------------------------------------------------------------
# Drawing helpers: coordinates in units of the subject's half-size ``s`` around (cx, cy).
# --------------------------------------------------------------------------------------


class Pen:
    """ImageDraw with subject-relative coordinates: (0, 0) is the centre, 1 is ``s`` pixels."""

    def __init__(self, image: Image.Image, cx: float, cy: float, s: float) -> None:
        self.draw = ImageDraw.Draw(image)
        self.cx, self.cy, self.s = cx, cy, s

    def p(self, x: float, y: float) -> tuple[float, float]:
        return (self.cx + x * self.s, self.cy + y * self.s)

    def w(self, width: float) -> int:
        return max(1, round(width * self.s))

    def box(self, x0: float, y0: float, x1: float, y1: float) -> list[float]:
        (a, b), (c, d) = self.p(x0, y0), self.p(x1, y1)
        return [min(a, c), min(b, d), max(a, c), max(b, d)]

    def ellipse(self, x0, y0, x1, y1, fill=None, outline=None, width=0.0) -> None:
        self.draw.ellipse(self.box(x0, y0, x1, y1), fill=fill, outline=outline, width=self.w(width))

    def circle(self, x, y, r, fill=None, outline=None, width=0.0) -> None:
        self.ellipse(x - r, y - r, x + r, y + r, fill=fill, outline=outline, width=width)

    def rect(self, x0, y0, x1, y1, fill=None, outline=None, width=0.0, radius=0.0) -> None:
        self.draw.rounded_rectangle(
            self.box(x0, y0, x1, y1),
            radius=radius * self.s,
            fill=fill,
            outline=outline,
            width=self.w(width) if outline else 0,
        )

    def polygon(self, points, fill=None, outline=None, width=0.0) -> None:
        self.draw.polygon(
            [self.p(x, y) for x, y in points],
            fill=fill,
            outline=outline,
            width=self.w(width) if outline else 0,
        )

    def line(self, points, fill, width) -> None:
        self.draw.line([self.p(x, y) for x, y in points], fill=fill, width=self.w(width))

    def arc(self, x0, y0, x1, y1, start, end, fill, width) -> None:
        self.draw.arc(self.box(x0, y0, x1, y1), start, end, fill=fill, width=self.w(width))


def shade(colour: RGB, factor: float) -> RGB:
    return tuple(max(0, min(255, round(c * factor))) for c in colour)  # type: ignore[return-value]


def mix(a: RGB, b: RGB, t: float) -> RGB:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def vertical_gradient(w: int, h: int, stops: list[tuple[float, RGB]]) -> np.ndarray:
    """An (h, w, 3) float array going through the colour stops from top (0) to bottom (1)."""
    ys = np.linspace(0.0, 1.0, h)
    positions = [p for p, _ in stops]
    channels = [np.interp(ys, positions, [c[i] for _, c in stops]) for i in range(3)]
    column = np.stack(channels, axis=1)
    return np.repeat(column[:, None, :], w, axis=1)


def to_image(pixels: np.ndarray) -> Image.Image:
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")


def ease(t: float) -> float:
    t = min(1.0, max(0.0, t))
    return t * t * (3 - 2 * t)


def phase(t: float, start: float, end: float) -> float:
    """0 before ``start``, 1 after ``end``, linear between."""
    return min(1.0, max(0.0, (t - start) / (end - start)))


# --------------------------------------------------------------------------------------
# Backgrounds: (w, h, rng) -> RGB image. ``horizon`` (share of the height) where it matters.
# --------------------------------------------------------------------------------------


def bg_blue_sky(w, h, rng) -> Image.Image:
    img = to_image(vertical_gradient(w, h, [(0, (70, 140, 230)), (1, (185, 220, 250))]))
    d = ImageDraw.Draw(img)
    for _ in range(4):
        x, y = rng.uniform(0, w), rng.uniform(0.05 * h, 0.5 * h)
        r = rng.uniform(0.05, 0.09) * min(w, h)
        for dx, dy, k in ((-1.2, 0.2, 0.8), (0, 0, 1.0), (1.1, 0.25, 0.75), (0.5, -0.4, 0.7)):
            rr = r * k
            d.ellipse(
                [x + dx * r - rr, y + dy * r - rr, x + dx * r + rr, y + dy * r + rr],
                fill=(250, 250, 252),
            )
    return img


def bg_grass_field(w, h, rng) -> Image.Image:
    pix = vertical_gradient(
        w,
        h,
        [(0, (110, 170, 235)), (0.5, (200, 225, 245)), (0.5001, (90, 170, 60)), (1, (50, 120, 35))],
    )
    img = to_image(pix)
    d = ImageDraw.Draw(img)
    top = int(0.5 * h)
    for _ in range(int(w * h / 150)):
        x, y = rng.uniform(0, w), rng.uniform(top, h)
        length = 2 + (y - top) / h * 14
        g = int(rng.uniform(90, 160))
        d.line([(x, y), (x + rng.uniform(-2, 2), y - length)], fill=(40, g, 30), width=1)
    return img


def bg_meadow(w, h, rng) -> Image.Image:
    img = bg_grass_field(w, h, rng)
    d = ImageDraw.Draw(img)
    for _ in range(int(w * h / 900)):
        x, y = rng.uniform(0, w), rng.uniform(0.55 * h, h)
        r = 1.5 + (y / h) * 2.5
        c = [(250, 250, 250), (250, 220, 60), (240, 120, 170)][int(rng.integers(0, 3))]
        d.ellipse([x - r, y - r, x + r, y + r], fill=c)
    return img


def bg_night_stars(w, h, rng) -> Image.Image:
    img = to_image(
        vertical_gradient(
            w,
            h,
            [(0, (22, 26, 62)), (0.75, (40, 44, 92)), (0.7501, (28, 48, 40)), (1, (20, 36, 30))],
        )
    )
    d = ImageDraw.Draw(img)
    for _ in range(int(w * h / 700)):
        x, y = rng.uniform(0, w), rng.uniform(0, 0.72 * h)
        b = int(rng.uniform(160, 255))
        r = rng.choice([0.6, 0.9, 1.4])
        d.ellipse([x - r, y - r, x + r, y + r], fill=(b, b, min(255, b + 20)))
    mx, my, mr = 0.82 * w, 0.16 * h, 0.07 * min(w, h)
    d.ellipse([mx - mr, my - mr, mx + mr, my + mr], fill=(245, 240, 200))
    d.ellipse([mx - mr * 0.55, my - mr * 1.1, mx + mr * 1.3, my + mr * 0.75], fill=(30, 34, 74))
    return img


def bg_space(w, h, rng) -> Image.Image:
    img = to_image(vertical_gradient(w, h, [(0, (40, 22, 78)), (1, (72, 40, 110))]))
    d = ImageDraw.Draw(img)
    for _ in range(int(w * h / 500)):
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        r = rng.choice([0.6, 1.0, 1.5])
        d.ellipse([x - r, y - r, x + r, y + r], fill=(255, 250, 230))
    px, py, pr = 0.15 * w, 0.8 * h, 0.16 * min(w, h)
    d.ellipse([px - pr, py - pr, px + pr, py + pr], fill=(220, 140, 90))
    d.ellipse(
        [px - pr * 1.7, py - pr * 0.25, px + pr * 1.7, py + pr * 0.25],
        outline=(240, 200, 160),
        width=2,
    )
    return img


def bg_indoor_wall(w, h, rng, wall=(236, 222, 190), stripe=(222, 204, 168)) -> Image.Image:
    img = Image.new("RGB", (w, h), wall)
    d = ImageDraw.Draw(img)
    floor = int(0.78 * h)
    step = max(8, w // 14)
    for x in range(0, w, step):
        d.rectangle([x, 0, x + step // 3, floor], fill=stripe)
    d.rectangle([0, floor, w, h], fill=(150, 100, 60))
    for y in range(floor, h, max(4, h // 30)):
        d.line([(0, y), (w, y)], fill=(120, 78, 45), width=1)
    d.rectangle([0, floor - 4, w, floor], fill=(245, 245, 240))
    fx, fy = 0.1 * w, 0.12 * h
    d.rectangle([fx, fy, fx + 0.16 * w, fy + 0.2 * h], fill=(120, 80, 50))
    d.rectangle([fx + 3, fy + 3, fx + 0.16 * w - 3, fy + 0.2 * h - 3], fill=(120, 170, 200))
    return img


def bg_bedroom_wall(w, h, rng) -> Image.Image:
    return bg_indoor_wall(w, h, rng, wall=(150, 180, 215), stripe=(138, 168, 205))


def bg_beach(w, h, rng) -> Image.Image:
    pix = vertical_gradient(
        w,
        h,
        [
            (0, (90, 170, 240)),
            (0.42, (190, 225, 250)),
            (0.4201, (30, 120, 190)),
            (0.6, (60, 160, 200)),
            (0.6001, (235, 215, 160)),
            (1, (215, 190, 130)),
        ],
    )
    img = to_image(pix)
    d = ImageDraw.Draw(img)
    for _ in range(18):
        x, y = rng.uniform(0, w), rng.uniform(0.44 * h, 0.58 * h)
        d.line([(x, y), (x + rng.uniform(8, 22), y)], fill=(225, 240, 250), width=1)
    d.ellipse(
        [0.8 * w, 0.06 * h, 0.8 * w + 0.1 * min(w, h), 0.06 * h + 0.1 * min(w, h)],
        fill=(255, 240, 150),
    )
    return img


def bg_ocean(w, h, rng) -> Image.Image:
    pix = vertical_gradient(
        w,
        h,
        [
            (0, (150, 190, 230)),
            (0.45, (220, 230, 240)),
            (0.4501, (40, 100, 160)),
            (1, (20, 60, 120)),
        ],
    )
    img = to_image(pix)
    d = ImageDraw.Draw(img)
    for _ in range(40):
        x, y = rng.uniform(0, w), rng.uniform(0.47 * h, h)
        d.arc([x, y, x + 14, y + 6], 200, 340, fill=(160, 200, 230), width=1)
    return img


def bg_snow(w, h, rng) -> Image.Image:
    pix = vertical_gradient(
        w,
        h,
        [
            (0, (175, 190, 210)),
            (0.6, (215, 222, 232)),
            (0.6001, (245, 247, 250)),
            (1, (220, 228, 240)),
        ],
    )
    img = to_image(pix)
    d = ImageDraw.Draw(img)
    for i in range(6):
        x = (i + 0.5) * w / 6 + rng.uniform(-10, 10)
        base, top = 0.62 * h, 0.62 * h - rng.uniform(0.18, 0.3) * h
        half = 0.05 * w
        d.polygon([(x - half, base), (x, top), (x + half, base)], fill=(60, 90, 80))
    for _ in range(int(w * h / 400)):
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        d.ellipse([x - 1, y - 1, x + 1, y + 1], fill=(255, 255, 255))
    return img


def bg_sunset(w, h, rng) -> Image.Image:
    img = to_image(
        vertical_gradient(
            w,
            h,
            [
                (0, (70, 40, 110)),
                (0.4, (220, 90, 100)),
                (0.7, (250, 170, 80)),
                (1, (250, 200, 120)),
            ],
        )
    )
    d = ImageDraw.Draw(img)
    r = 0.14 * min(w, h)
    d.ellipse([0.3 * w - r, 0.72 * h - r, 0.3 * w + r, 0.72 * h + r], fill=(255, 220, 130))
    pts = [(0, h)]
    for i in range(9):
        pts.append((i * w / 8, 0.78 * h + math.sin(i * 1.3 + rng.uniform(0, 1)) * 0.05 * h))
    pts.append((w, h))
    d.polygon(pts, fill=(80, 40, 70))
    return img


def bg_city_street(w, h, rng) -> Image.Image:
    img = to_image(vertical_gradient(w, h, [(0, (150, 180, 215)), (1, (205, 215, 230))]))
    d = ImageDraw.Draw(img)
    road = int(0.68 * h)
    x = 0.0
    while x < w:
        bw = rng.uniform(0.1, 0.2) * w
        top = rng.uniform(0.12, 0.4) * h
        grey = int(rng.uniform(110, 170))
        d.rectangle([x, top, x + bw, road], fill=(grey, grey - 5, grey + 5))
        for wy in np.arange(top + 6, road - 8, 12):
            for wx in np.arange(x + 4, x + bw - 6, 10):
                d.rectangle([wx, wy, wx + 5, wy + 6], fill=(235, 225, 150))
        x += bw + 2
    d.rectangle([0, road, w, h], fill=(70, 70, 76))
    d.rectangle([0, road, w, road + 4], fill=(180, 180, 180))
    for lx in range(0, w, 40):
        d.rectangle([lx, int(0.88 * h), lx + 20, int(0.88 * h) + 3], fill=(240, 240, 240))
    return img


def bg_kitchen_table(w, h, rng) -> Image.Image:
    img = Image.new("RGB", (w, h), (225, 232, 228))
    d = ImageDraw.Draw(img)
    tile = max(10, min(w, h) // 9)
    table = int(0.66 * h)
    for y in range(0, table, tile):
        d.line([(0, y), (w, y)], fill=(190, 200, 196), width=1)
    for x in range(0, w, tile):
        d.line([(x, 0), (x, table)], fill=(190, 200, 196), width=1)
    d.rectangle([0, table, w, h], fill=(176, 118, 70))
    for _ in range(12):
        y = rng.uniform(table + 3, h)
        d.line([(0, y), (w, y + rng.uniform(-3, 3))], fill=(150, 98, 56), width=1)
    return img


def bg_mountain_lake(w, h, rng) -> Image.Image:
    pix = vertical_gradient(
        w,
        h,
        [
            (0, (120, 170, 225)),
            (0.62, (210, 225, 240)),
            (0.6201, (60, 110, 150)),
            (1, (40, 80, 120)),
        ],
    )
    img = to_image(pix)
    d = ImageDraw.Draw(img)
    for _ in range(30):
        x, y = rng.uniform(0, w), rng.uniform(0.64 * h, h)
        d.line([(x, y), (x + rng.uniform(6, 16), y)], fill=(120, 160, 190), width=1)
    for i in range(8):
        x = i * w / 7
        d.polygon([(x - 12, 0.63 * h), (x, 0.5 * h), (x + 12, 0.63 * h)], fill=(40, 90, 60))
    return img


def bg_underwater(w, h, rng) -> Image.Image:
    img = to_image(vertical_gradient(w, h, [(0, (60, 170, 210)), (1, (15, 70, 120))]))
    d = ImageDraw.Draw(img)
    for _ in range(25):
        x, y, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(1.5, 4)
        d.ellipse([x - r, y - r, x + r, y + r], outline=(190, 235, 250), width=1)
    for i in range(5):
        x = (i + 0.3) * w / 5
        pts = [(x + math.sin(k * 0.9 + i) * 5, h - k * 0.06 * h) for k in range(8)]
        d.line(pts, fill=(40, 140, 70), width=3)
    d.rectangle([0, int(0.93 * h), w, h], fill=(200, 180, 120))
    return img


# --------------------------------------------------------------------------------------
# Subjects: draw(pen) on a transparent layer, centred at (0, 0), about 2 x 2 units big.
# --------------------------------------------------------------------------------------

INK = (35, 30, 30)


def subj_red_ball(p: Pen) -> None:
    p.circle(0, 0.05, 0.8, fill=(215, 30, 35))
    p.ellipse(-0.5, -0.55, -0.05, -0.2, fill=(245, 120, 120))
    p.circle(-0.35, -0.4, 0.1, fill=(255, 220, 220))


def subj_house(p: Pen) -> None:
    p.rect(0.35, -0.75, 0.55, -0.25, fill=(120, 60, 50))
    p.rect(-0.7, -0.1, 0.7, 0.85, fill=(235, 205, 150))
    p.polygon([(-0.9, -0.05), (0, -0.85), (0.9, -0.05)], fill=(175, 50, 40))
    p.rect(-0.15, 0.35, 0.15, 0.85, fill=(110, 70, 40))
    for x in (-0.5, 0.25):
        p.rect(x, 0.1, x + 0.25, 0.35, fill=(170, 215, 240), outline=(90, 60, 40), width=0.04)
        p.line([(x + 0.125, 0.1), (x + 0.125, 0.35)], (90, 60, 40), 0.03)


def subj_tree(p: Pen) -> None:
    p.rect(-0.13, 0.1, 0.13, 0.95, fill=(120, 75, 40))
    for x, y, r, c in (
        (-0.4, -0.15, 0.42, (40, 120, 45)),
        (0.4, -0.15, 0.42, (45, 130, 50)),
        (0, -0.5, 0.5, (55, 145, 55)),
        (0, 0.0, 0.45, (50, 135, 50)),
    ):
        p.circle(x, y, r, fill=c)
    for x, y in ((-0.3, -0.4), (0.25, -0.1), (0.1, -0.6), (-0.1, 0.1)):
        p.circle(x, y, 0.07, fill=(210, 40, 40))


def subj_cat(p: Pen) -> None:
    fur, dark = (235, 145, 60), (190, 100, 35)
    p.arc(0.1, -0.1, 1.0, 0.9, 270, 90, fur, 0.14)
    p.ellipse(-0.5, -0.05, 0.5, 0.9, fill=fur)
    p.polygon([(-0.38, -0.55), (-0.32, -0.95), (-0.1, -0.68)], fill=fur)
    p.polygon([(0.38, -0.55), (0.32, -0.95), (0.1, -0.68)], fill=fur)
    p.polygon([(-0.31, -0.62), (-0.29, -0.82), (-0.18, -0.67)], fill=(245, 170, 170))
    p.polygon([(0.31, -0.62), (0.29, -0.82), (0.18, -0.67)], fill=(245, 170, 170))
    p.circle(0, -0.38, 0.4, fill=fur)
    for x in (-0.3, 0.3):
        p.line([(x - 0.05, 0.2), (x + 0.05, 0.45)], dark, 0.06)
    for x in (-0.16, 0.16):
        p.ellipse(x - 0.08, -0.5, x + 0.08, -0.34, fill=(90, 190, 80))
        p.ellipse(x - 0.025, -0.49, x + 0.025, -0.35, fill=INK)
    p.polygon([(-0.06, -0.26), (0.06, -0.26), (0, -0.2)], fill=(240, 120, 140))
    for dy in (-0.24, -0.18):
        p.line([(-0.1, -0.22), (-0.5, dy)], INK, 0.015)
        p.line([(0.1, -0.22), (0.5, dy)], INK, 0.015)


def subj_person(p: Pen) -> None:
    p.circle(0, -0.68, 0.2, fill=(245, 205, 170), outline=INK, width=0.06)
    p.line([(0, -0.48), (0, 0.25)], INK, 0.08)
    p.line([(-0.5, -0.45), (0, -0.25), (0.5, -0.45)], INK, 0.08)
    p.line([(-0.35, 0.9), (0, 0.25), (0.35, 0.9)], INK, 0.08)
    p.ellipse(-0.09, -0.72, -0.03, -0.66, fill=INK)
    p.ellipse(0.03, -0.72, 0.09, -0.66, fill=INK)
    p.arc(-0.1, -0.68, 0.1, -0.56, 20, 160, INK, 0.03)


def subj_car(p: Pen) -> None:
    body = (40, 95, 205)
    p.polygon([(-0.5, -0.05), (-0.3, -0.45), (0.35, -0.45), (0.58, -0.05)], fill=shade(body, 0.85))
    p.polygon([(-0.4, -0.07), (-0.25, -0.38), (0.0, -0.38), (0.0, -0.07)], fill=(180, 220, 245))
    p.polygon([(0.06, -0.07), (0.06, -0.38), (0.3, -0.38), (0.47, -0.07)], fill=(180, 220, 245))
    p.rect(-0.95, -0.07, 0.95, 0.4, fill=body, radius=0.12)
    p.rect(0.8, 0.02, 0.95, 0.12, fill=(255, 230, 120))
    p.rect(-0.95, 0.02, -0.85, 0.12, fill=(220, 40, 40))
    for x in (-0.55, 0.55):
        p.circle(x, 0.42, 0.22, fill=(30, 30, 35))
        p.circle(x, 0.42, 0.09, fill=(170, 170, 175))


def subj_flower(p: Pen) -> None:
    p.line([(0, -0.2), (0.05, 0.5), (0, 0.98)], (50, 140, 50), 0.08)
    p.polygon([(0.02, 0.55), (0.45, 0.3), (0.5, 0.45), (0.05, 0.65)], fill=(60, 160, 60))
    p.polygon([(0.0, 0.7), (-0.45, 0.45), (-0.5, 0.6), (-0.02, 0.8)], fill=(60, 160, 60))
    for k in range(7):
        a = 2 * math.pi * k / 7
        x, y = 0.32 * math.cos(a), -0.35 + 0.32 * math.sin(a)
        p.circle(x, y, 0.22, fill=(235, 80, 150))
    p.circle(0, -0.35, 0.18, fill=(250, 210, 50))


def subj_robot(p: Pen) -> None:
    metal, dark = (175, 180, 192), (110, 115, 128)
    p.line([(0, -0.85), (0, -1.0)], dark, 0.04)
    p.circle(0, -1.0, 0.07, fill=(230, 40, 40))
    p.rect(-0.35, -0.85, 0.35, -0.38, fill=metal, outline=dark, width=0.03, radius=0.06)
    for x in (-0.15, 0.15):
        p.circle(x, -0.65, 0.08, fill=(60, 220, 240))
    p.rect(-0.15, -0.5, 0.15, -0.45, fill=dark)
    p.rect(-0.5, -0.32, 0.5, 0.45, fill=metal, outline=dark, width=0.03, radius=0.05)
    p.rect(-0.25, -0.15, 0.25, 0.2, fill=(90, 100, 120))
    for i, c in enumerate(((240, 80, 80), (80, 220, 90), (250, 210, 60))):
        p.circle(-0.12 + 0.12 * i, 0.02, 0.04, fill=c)
    p.rect(-0.72, -0.28, -0.55, 0.3, fill=dark, radius=0.05)
    p.rect(0.55, -0.28, 0.72, 0.3, fill=dark, radius=0.05)
    p.rect(-0.35, 0.47, -0.12, 0.95, fill=dark)
    p.rect(0.12, 0.47, 0.35, 0.95, fill=dark)


def subj_cup(p: Pen) -> None:
    p.ellipse(-0.8, 0.55, 0.8, 0.85, fill=(235, 235, 230), outline=(170, 170, 170), width=0.03)
    p.arc(0.25, -0.25, 0.85, 0.35, 270, 90, (220, 220, 215), 0.1)
    p.polygon([(-0.55, -0.35), (0.55, -0.35), (0.42, 0.65), (-0.42, 0.65)], fill=(240, 240, 235))
    p.rect(-0.5, 0.05, 0.5, 0.2, fill=(60, 120, 200))
    p.ellipse(-0.55, -0.45, 0.55, -0.25, fill=(240, 240, 235), outline=(170, 170, 170), width=0.03)
    p.ellipse(-0.47, -0.42, 0.47, -0.28, fill=(110, 65, 35))
    for x in (-0.2, 0.15):
        p.line(
            [(x, -0.55), (x + 0.08, -0.7), (x - 0.04, -0.85), (x + 0.05, -1.0)],
            (210, 210, 215),
            0.04,
        )


def subj_mountain(p: Pen) -> None:
    p.polygon([(0.0, 0.85), (0.65, -0.45), (1.25, 0.85)], fill=(95, 105, 130))
    p.polygon([(-1.2, 0.85), (-0.1, -0.9), (1.0, 0.85)], fill=(120, 128, 150))
    p.polygon(
        [(-0.1, -0.9), (-0.38, -0.45), (-0.22, -0.5), (-0.1, -0.38), (0.05, -0.52), (0.18, -0.45)],
        fill=(250, 250, 252),
    )
    p.polygon([(-0.1, -0.9), (0.18, -0.45), (1.0, 0.85), (0.3, 0.85)], fill=(100, 108, 132))


def subj_boat(p: Pen) -> None:
    p.line([(0, 0.25), (0, -0.95)], (90, 60, 35), 0.05)
    p.polygon([(0.05, -0.9), (0.05, 0.15), (0.75, 0.15)], fill=(250, 250, 245))
    p.polygon([(-0.05, -0.6), (-0.05, 0.15), (-0.55, 0.15)], fill=(240, 235, 225))
    p.polygon([(0, -0.95), (0.3, -0.88), (0, -0.8)], fill=(220, 40, 40))
    p.polygon([(-0.95, 0.2), (0.95, 0.2), (0.65, 0.6), (-0.65, 0.6)], fill=(150, 85, 40))
    p.line([(-0.85, 0.32), (0.85, 0.32)], (250, 250, 250), 0.05)


def subj_lamp(p: Pen) -> None:
    p.ellipse(-0.4, 0.75, 0.4, 0.95, fill=(70, 70, 80))
    p.line([(0, 0.85), (0, -0.1)], (90, 90, 100), 0.08)
    p.circle(0, -0.08, 0.16, fill=(255, 245, 200))
    p.polygon([(-0.6, -0.05), (0.6, -0.05), (0.32, -0.8), (-0.32, -0.8)], fill=(240, 215, 140))
    p.line([(-0.6, -0.05), (0.6, -0.05)], (200, 160, 90), 0.05)


def subj_bird(p: Pen) -> None:
    blue = (60, 125, 210)
    p.polygon([(-0.55, 0.05), (-1.0, -0.15), (-0.95, 0.25)], fill=shade(blue, 0.8))
    p.ellipse(-0.7, -0.35, 0.5, 0.45, fill=blue)
    p.ellipse(-0.35, 0.0, 0.35, 0.42, fill=(245, 200, 160))
    p.ellipse(-0.45, -0.2, 0.15, 0.2, fill=shade(blue, 0.75))
    p.circle(0.45, -0.35, 0.3, fill=blue)
    p.polygon([(0.7, -0.42), (0.98, -0.32), (0.7, -0.25)], fill=(245, 160, 40))
    p.circle(0.52, -0.42, 0.05, fill=INK)
    for x in (-0.15, 0.1):
        p.line([(x, 0.4), (x, 0.7), (x + 0.1, 0.75)], (200, 130, 40), 0.04)


def subj_fish(p: Pen) -> None:
    orange = (250, 135, 40)
    p.polygon([(-0.6, 0.0), (-1.05, -0.45), (-1.05, 0.45)], fill=shade(orange, 0.85))
    p.polygon([(-0.2, -0.35), (0.1, -0.7), (0.25, -0.35)], fill=shade(orange, 0.85))
    p.ellipse(-0.75, -0.42, 0.65, 0.42, fill=orange)
    for x in (-0.3, 0.1):
        p.arc(x - 0.15, -0.42, x + 0.15, 0.42, 300, 60, (255, 250, 245), 0.07)
    p.circle(0.35, -0.1, 0.1, fill=(255, 255, 255))
    p.circle(0.37, -0.1, 0.05, fill=INK)
    p.arc(0.45, 0.0, 0.65, 0.15, 90, 180, INK, 0.03)


def subj_rabbit(p: Pen) -> None:
    fur, pink = (236, 236, 232), (245, 170, 185)
    p.circle(0.48, 0.6, 0.14, fill=(250, 250, 250))
    p.ellipse(-0.45, 0.0, 0.45, 0.9, fill=fur)
    for x in (-0.15, 0.15):
        p.ellipse(x - 0.11, -1.05, x + 0.11, -0.4, fill=fur)
        p.ellipse(x - 0.05, -0.95, x + 0.05, -0.5, fill=pink)
    p.circle(0, -0.3, 0.33, fill=fur)
    for x in (-0.13, 0.13):
        p.circle(x, -0.36, 0.05, fill=INK)
    p.polygon([(-0.05, -0.22), (0.05, -0.22), (0, -0.16)], fill=pink)
    p.ellipse(-0.35, 0.75, -0.05, 0.92, fill=(225, 225, 220))
    p.ellipse(0.05, 0.75, 0.35, 0.92, fill=(225, 225, 220))


def subj_rocket(p: Pen) -> None:
    red, white = (215, 45, 45), (236, 236, 242)
    p.polygon([(-0.18, 0.55), (0.18, 0.55), (0, 0.98)], fill=(255, 170, 40))
    p.polygon([(-0.1, 0.55), (0.1, 0.55), (0, 0.8)], fill=(255, 235, 120))
    p.polygon([(-0.25, 0.15), (-0.55, 0.6), (-0.25, 0.5)], fill=red)
    p.polygon([(0.25, 0.15), (0.55, 0.6), (0.25, 0.5)], fill=red)
    p.rect(-0.25, -0.45, 0.25, 0.55, fill=white)
    p.polygon([(-0.25, -0.45), (0, -1.0), (0.25, -0.45)], fill=red)
    p.circle(0, -0.1, 0.13, fill=(90, 170, 230), outline=(120, 120, 130), width=0.04)


def subj_teapot(p: Pen) -> None:
    teal = (55, 150, 160)
    p.arc(-0.95, -0.3, -0.35, 0.35, 90, 270, shade(teal, 0.8), 0.1)
    p.polygon([(0.45, 0.1), (0.95, -0.35), (1.0, -0.28), (0.55, 0.35)], fill=shade(teal, 0.9))
    p.ellipse(-0.65, -0.4, 0.65, 0.6, fill=teal)
    p.rect(-0.45, 0.5, 0.45, 0.65, fill=shade(teal, 0.8))
    p.ellipse(-0.35, -0.55, 0.35, -0.3, fill=shade(teal, 0.85))
    p.circle(0, -0.6, 0.09, fill=shade(teal, 0.7))
    p.ellipse(-0.45, -0.05, 0.45, 0.15, fill=(245, 240, 225))


def subj_butterfly(p: Pen) -> None:
    wing, spot = (245, 135, 40), (40, 30, 30)
    for sx in (-1, 1):
        p.ellipse(sx * 0.05, -0.8, sx * 0.95, 0.05, fill=wing, outline=spot, width=0.05)
        p.ellipse(sx * 0.05, -0.05, sx * 0.7, 0.7, fill=shade(wing, 0.9), outline=spot, width=0.05)
        p.circle(sx * 0.55, -0.45, 0.12, fill=(255, 250, 240))
        p.circle(sx * 0.35, 0.3, 0.08, fill=(255, 250, 240))
    p.ellipse(-0.08, -0.6, 0.08, 0.6, fill=spot)
    p.line([(0, -0.55), (-0.3, -0.95)], spot, 0.03)
    p.line([(0, -0.55), (0.3, -0.95)], spot, 0.03)


# Origami versions: flat facets in one pastel colour, each facet a little lighter or darker.


def facets(p: Pen, colour: RGB, parts: list[tuple[float, list[tuple[float, float]]]]) -> None:
    fold = shade(colour, 0.72)
    for factor, points in parts:
        p.polygon(points, fill=shade(colour, factor), outline=fold, width=0.025)


def ori_bird(p: Pen, c: RGB) -> None:
    facets(
        p,
        c,
        [
            (0.9, [(-0.55, 0.1), (-1.0, -0.45), (-0.35, 0.2)]),
            (1.0, [(-0.6, 0.1), (0.0, -0.15), (0.55, 0.2), (0.0, 0.4)]),
            (0.82, [(-0.6, 0.1), (0.0, 0.4), (0.55, 0.2)]),
            (1.08, [(-0.15, 0.0), (0.25, -0.95), (0.3, 0.05)]),
            (0.88, [(0.4, 0.2), (0.7, -0.5), (0.55, 0.15)]),
            (1.05, [(0.7, -0.5), (0.95, -0.42), (0.68, -0.4)]),
        ],
    )


def ori_fish(p: Pen, c: RGB) -> None:
    facets(
        p,
        c,
        [
            (1.08, [(-0.6, 0.0), (0.15, -0.5), (0.7, 0.0)]),
            (0.85, [(-0.6, 0.0), (0.7, 0.0), (0.15, 0.5)]),
            (0.95, [(-0.6, 0.0), (-1.05, -0.45), (-0.85, 0.0)]),
            (0.8, [(-0.6, 0.0), (-0.85, 0.0), (-1.05, 0.45)]),
            (0.92, [(-0.1, -0.3), (0.1, -0.75), (0.3, -0.35)]),
        ],
    )
    p.circle(0.35, -0.08, 0.05, fill=shade(c, 0.5))


def ori_rabbit(p: Pen, c: RGB) -> None:
    facets(
        p,
        c,
        [
            (1.05, [(-0.22, -0.45), (-0.3, -1.05), (-0.05, -0.5)]),
            (0.9, [(0.22, -0.45), (0.3, -1.05), (0.05, -0.5)]),
            (1.0, [(-0.35, -0.3), (0.0, -0.6), (0.35, -0.3), (0.0, -0.02)]),
            (1.08, [(-0.5, 0.9), (0.0, 0.0), (0.0, 0.9)]),
            (0.85, [(0.0, 0.0), (0.5, 0.9), (0.0, 0.9)]),
            (0.95, [(0.45, 0.55), (0.65, 0.62), (0.48, 0.75)]),
        ],
    )


def ori_rocket(p: Pen, c: RGB) -> None:
    facets(
        p,
        c,
        [
            (1.08, [(0.0, -1.0), (-0.28, -0.45), (0.0, -0.45)]),
            (0.85, [(0.0, -1.0), (0.0, -0.45), (0.28, -0.45)]),
            (1.0, [(-0.28, -0.45), (0.0, -0.45), (0.0, 0.6), (-0.28, 0.6)]),
            (0.88, [(0.0, -0.45), (0.28, -0.45), (0.28, 0.6), (0.0, 0.6)]),
            (0.95, [(-0.28, 0.15), (-0.6, 0.7), (-0.28, 0.6)]),
            (0.8, [(0.28, 0.15), (0.6, 0.7), (0.28, 0.6)]),
        ],
    )


def ori_teapot(p: Pen, c: RGB) -> None:
    facets(
        p,
        c,
        [
            (0.9, [(-0.55, -0.2), (-0.95, 0.0), (-0.55, 0.3)]),
            (1.0, [(0.5, 0.1), (1.0, -0.4), (0.6, 0.35)]),
            (1.08, [(-0.6, 0.0), (-0.3, -0.4), (0.3, -0.4), (0.0, 0.1)]),
            (0.95, [(0.3, -0.4), (0.6, 0.0), (0.0, 0.1)]),
            (0.85, [(-0.6, 0.0), (0.0, 0.1), (0.6, 0.0), (0.35, 0.6), (-0.35, 0.6)]),
            (1.05, [(-0.25, -0.4), (0.0, -0.7), (0.25, -0.4)]),
        ],
    )


def ori_butterfly(p: Pen, c: RGB) -> None:
    facets(
        p,
        c,
        [
            (1.08, [(0.0, -0.1), (-0.95, -0.8), (-0.6, 0.0)]),
            (0.9, [(0.0, -0.1), (0.95, -0.8), (0.6, 0.0)]),
            (0.85, [(0.0, 0.0), (-0.6, 0.0), (-0.5, 0.7)]),
            (1.0, [(0.0, 0.0), (0.6, 0.0), (0.5, 0.7)]),
            (0.7, [(0.0, -0.6), (0.08, 0.0), (0.0, 0.6), (-0.08, 0.0)]),
        ],
    )


# --------------------------------------------------------------------------------------
# Scenes and the two effects.
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scene:
    subject: str
    background: str
    draw: Callable[[Pen], None]
    backdrop: Callable[..., Image.Image]
    width: int
    height: int
    seconds: float
    fps: int
    origami: Callable[[Pen, RGB], None] | None = None
    pastel: RGB = (245, 185, 200)

    @property
    def n_frames(self) -> int:
        return round(self.seconds * self.fps)


I2V = [
    Scene(
        "a red ball",
        "green grass field under a blue sky",
        subj_red_ball,
        bg_grass_field,
        320,
        240,
        3.0,
        16,
    ),
    Scene(
        "a small house with a red roof",
        "snowy landscape with pine trees",
        subj_house,
        bg_snow,
        426,
        240,
        3.5,
        15,
    ),
    Scene(
        "a tree with red apples",
        "sunset sky over dark hills",
        subj_tree,
        bg_sunset,
        240,
        320,
        2.8,
        12,
    ),
    Scene(
        "an orange cat",
        "room with striped wallpaper and a wooden floor",
        subj_cat,
        bg_indoor_wall,
        360,
        360,
        3.2,
        20,
    ),
    Scene(
        "a stick-figure person",
        "sandy beach with the sea behind",
        subj_person,
        bg_beach,
        384,
        288,
        4.0,
        24,
    ),
    Scene("a blue car", "city street with buildings", subj_car, bg_city_street, 480, 270, 2.5, 24),
    Scene(
        "a pink flower", "blue sky with white clouds", subj_flower, bg_blue_sky, 288, 384, 3.0, 18
    ),
    Scene(
        "a grey robot",
        "night sky full of stars over a dark field",
        subj_robot,
        bg_night_stars,
        400,
        300,
        3.6,
        12,
    ),
    Scene(
        "a coffee cup on a saucer",
        "kitchen table in front of a tiled wall",
        subj_cup,
        bg_kitchen_table,
        240,
        426,
        2.2,
        20,
    ),
    Scene(
        "a snowy mountain peak",
        "lake with a line of pine trees",
        subj_mountain,
        bg_mountain_lake,
        448,
        252,
        3.4,
        16,
    ),
    Scene("a sailboat", "open sea under a pale sky", subj_boat, bg_ocean, 352, 288, 2.6, 14),
    Scene(
        "a table lamp",
        "room with blue striped wallpaper",
        subj_lamp,
        bg_bedroom_wall,
        256,
        320,
        3.8,
        22,
    ),
]

KF2V = [
    Scene(
        "a bluebird",
        "flower meadow under a blue sky",
        subj_bird,
        bg_meadow,
        320,
        240,
        3.0,
        16,
        ori_bird,
        (245, 185, 200),
    ),
    Scene(
        "an orange fish",
        "underwater with bubbles and seaweed",
        subj_fish,
        bg_underwater,
        240,
        320,
        3.5,
        20,
        ori_fish,
        (170, 230, 200),
    ),
    Scene(
        "a white rabbit",
        "green grass field under a blue sky",
        subj_rabbit,
        bg_grass_field,
        384,
        288,
        4.0,
        12,
        ori_rabbit,
        (205, 185, 240),
    ),
    Scene(
        "a red and white rocket",
        "purple starry space with a ringed planet",
        subj_rocket,
        bg_space,
        360,
        360,
        2.6,
        24,
        ori_rocket,
        (255, 210, 175),
    ),
    Scene(
        "a teal teapot",
        "kitchen table in front of a tiled wall",
        subj_teapot,
        bg_kitchen_table,
        426,
        240,
        4.4,
        15,
        ori_teapot,
        (175, 210, 245),
    ),
    Scene(
        "an orange butterfly",
        "sunset sky over dark hills",
        subj_butterfly,
        bg_sunset,
        288,
        384,
        3.2,
        18,
        ori_butterfly,
        (250, 240, 165),
    ),
]

FIRST_FRAME_IMAGE = 5  # i2v clip_05 comes with its first frame as a PNG


def layout(scene: Scene) -> tuple[float, float, float]:
    """Centre and half-size of the subject in the frame."""
    s = 0.3 * min(scene.width, scene.height)
    return scene.width / 2, scene.height * 0.52, s


def render_layer(scene: Scene, painter: Callable[[Pen], None]) -> Image.Image:
    """The painter's drawing on a transparent frame-sized layer, drawn big and scaled down."""
    cx, cy, s = layout(scene)
    k = SUPERSAMPLE
    big = Image.new("RGBA", (scene.width * k, scene.height * k), (0, 0, 0, 0))
    painter(Pen(big, cx * k, cy * k, s * k))
    return big.resize((scene.width, scene.height), Image.Resampling.LANCZOS)


def gold_version(layer: Image.Image) -> Image.Image:
    """The subject recoloured in shades of gold, keeping its light and dark parts."""
    pixels = np.asarray(layer).astype(np.float64)
    rgb, alpha = pixels[..., :3], pixels[..., 3:]
    luma = (rgb @ np.array([0.299, 0.587, 0.114]))[..., None] / 255.0
    inside = alpha[..., 0] > 0
    lo, hi = (luma[inside].min(), luma[inside].max()) if inside.any() else (0.0, 1.0)
    level = (luma - lo) / max(hi - lo, 1e-6)
    dark, light = np.array([115, 68, 0]), np.array([255, 222, 90])
    gold = dark + (light - dark) * level
    return Image.fromarray(np.concatenate([gold, alpha], axis=2).clip(0, 255).astype(np.uint8))


def glow_of(layer: Image.Image, radius: float, colour: RGB, strength: float) -> Image.Image:
    alpha = layer.getchannel("A").filter(ImageFilter.GaussianBlur(radius))
    alpha = alpha.point(lambda a: min(255, int(a * strength)))
    glow = Image.new("RGBA", layer.size, (*colour, 0))
    glow.putalpha(alpha)
    return glow


def star(
    draw: ImageDraw.ImageDraw, x: float, y: float, size: float, turn: float, colour: RGBA
) -> None:
    """A four-pointed sparkle."""
    points = []
    for k in range(8):
        a = turn + k * math.pi / 4
        r = size if k % 2 == 0 else size * 0.28
        points.append((x + r * math.cos(a), y + r * math.sin(a)))
    draw.polygon(points, fill=colour)


def with_alpha(image: Image.Image, factor: float) -> Image.Image:
    if factor >= 1.0:
        return image
    out = image.copy()
    out.putalpha(image.getchannel("A").point(lambda a: int(a * max(0.0, factor))))
    return out


def flash(frame: Image.Image, amount: float) -> Image.Image:
    if amount <= 0:
        return frame
    return Image.blend(frame, Image.new("RGBA", frame.size, (255, 255, 255, 255)), min(1, amount))


def golden_sparkles(scene: Scene, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """The i2v effect, frame by frame."""
    cx, cy, s = layout(scene)
    w, h = scene.width, scene.height
    background = scene.backdrop(w, h, rng).convert("RGBA")
    subject = render_layer(scene, scene.draw)
    gold = gold_version(subject)
    halo = glow_of(subject, s * 0.14, (255, 200, 60), 1.3)
    still = Image.alpha_composite(background, subject)

    count = 18
    angles = np.linspace(0, 2 * math.pi, count, endpoint=False) + rng.uniform(-0.12, 0.12, count)
    twinkle = rng.uniform(0, 2 * math.pi, count)
    radius0 = 1.45 * s
    glints = [
        (rng.uniform(0, 2 * math.pi), rng.uniform(0.6, 1.2) * s, rng.uniform(0, 6))
        for _ in range(10)
    ]

    def ring_at(t: float) -> tuple[float, float]:
        """Radius and clockwise turn of the spiral at time t (0..1 over the spiral phase)."""
        u = ease(t)
        return radius0 * (1 - 0.88 * u), 2.6 * 2 * math.pi * u

    n = scene.n_frames
    for i in range(n):
        t = i / (n - 1)
        appear = phase(t, 0.18, 0.3)
        spiral = phase(t, 0.3, 0.72)
        white = max(0.0, 1 - abs(t - 0.76) / 0.06) * 1.15
        after = t >= 0.76
        if after:
            pulse = 0.85 + 0.15 * math.sin(2 * math.pi * (t - 0.76) * 3)
            frame = Image.alpha_composite(background, with_alpha(halo, pulse))
            frame = Image.alpha_composite(frame, gold)
        else:
            frame = still.copy()

        if appear > 0 and not after:
            layer = Image.new("RGBA", (w, h), (0, 0, 0, 0))
            d = ImageDraw.Draw(layer)
            radius, turn = ring_at(spiral)
            # Angles grow clockwise on screen (y points down).
            for j in range(count):
                for trail in range(4, -1, -1):
                    if trail and spiral <= 0:
                        continue
                    tr, tt = ring_at(max(0.0, spiral - trail * 0.025))
                    a = angles[j] + tt
                    x, y = cx + tr * math.cos(a), cy + tr * math.sin(a)
                    size = s * 0.14 * (0.75 + 0.25 * math.sin(twinkle[j] + 25 * t))
                    if trail:
                        r = size * 0.25 * (1 - trail / 6)
                        alpha = int(200 * appear * (1 - trail / 5))
                        d.ellipse([x - r, y - r, x + r, y + r], fill=(255, 215, 90, alpha))
                    else:
                        size *= appear
                        star(d, x, y, size, twinkle[j] + 6 * t, (255, 205, 60, 255))
                        star(d, x, y, size * 0.55, twinkle[j] + 6 * t, (255, 250, 215, 255))
            del radius, turn
            glow = layer.filter(ImageFilter.GaussianBlur(max(1.0, s * 0.05)))
            frame = Image.alpha_composite(frame, glow)
            frame = Image.alpha_composite(frame, layer)
        elif after:
            layer = Image.new("RGBA", (w, h), (0, 0, 0, 0))
            d = ImageDraw.Draw(layer)
            for a, r, ph in glints:
                shine = 0.5 + 0.5 * math.sin(ph + 14 * t)
                star(
                    d,
                    cx + r * math.cos(a),
                    cy + r * math.sin(a),
                    s * 0.06 * (0.4 + shine),
                    0,
                    (255, 240, 170, int(230 * shine)),
                )
            frame = Image.alpha_composite(frame, layer)

        frame = flash(frame, white)
        yield np.asarray(frame.convert("RGB"))


def smoke_swirl(scene: Scene, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """The kf2v effect, frame by frame."""
    cx, cy, s = layout(scene)
    w, h = scene.width, scene.height
    background = scene.backdrop(w, h, rng).convert("RGBA")
    subject = render_layer(scene, scene.draw)
    assert scene.origami is not None
    paper = render_layer(scene, lambda pen: scene.origami(pen, scene.pastel))  # type: ignore[misc]
    box = (int(cx - 1.2 * s), int(cy - 1.2 * s), int(cx + 1.2 * s) + 1, int(cy + 1.2 * s) + 1)
    subject_crop, paper_crop = subject.crop(box), paper.crop(box)
    arms = 4
    blobs = [(arm, k, rng.uniform(0.8, 1.2)) for arm in range(arms) for k in range(9)]

    def scaled(crop: Image.Image, factor: float, turn: float) -> Image.Image | None:
        size = round(crop.width * factor)
        if size < 2:
            return None
        small = crop.resize((size, size), Image.Resampling.LANCZOS).rotate(turn, expand=True)
        layer = Image.new("RGBA", (w, h), (0, 0, 0, 0))
        layer.paste(small, (round(cx - small.width / 2), round(cy - small.height / 2)), small)
        return layer

    n = scene.n_frames
    for i in range(n):
        t = i / (n - 1)
        frame = background.copy()
        shrink = ease(phase(t, 0.15, 0.45))
        grow = ease(phase(t, 0.6, 0.85))
        swirl_size = ease(phase(t, 0.15, 0.45)) * (1 - ease(phase(t, 0.62, 0.88)))

        if shrink < 1:
            layer = subject if shrink == 0 else scaled(subject_crop, 1 - shrink, 300 * shrink)
            if layer is not None:
                frame = Image.alpha_composite(frame, layer)

        if swirl_size > 0:
            smoke = Image.new("RGBA", (w, h), (0, 0, 0, 0))
            d = ImageDraw.Draw(smoke)
            spin = -2 * math.pi * 1.8 * t * 2  # counter-clockwise on screen
            for arm, k, jitter in blobs:
                u = k / 8
                radius = swirl_size * s * (0.15 + 0.95 * u)
                a = spin + arm * 2 * math.pi / arms - 2.2 * u
                x, y = cx + radius * math.cos(a), cy + radius * math.sin(a)
                r = swirl_size * s * (0.32 - 0.2 * u) * jitter
                colour = mix((70, 110, 225), (170, 200, 255), u)
                d.ellipse([x - r, y - r, x + r, y + r], fill=(*colour, int(170 - 90 * u)))
            core = swirl_size * s * 0.3
            d.ellipse([cx - core, cy - core, cx + core, cy + core], fill=(200, 220, 255, 200))
            smoke = smoke.filter(ImageFilter.GaussianBlur(max(1.0, s * 0.09)))
            frame = Image.alpha_composite(frame, smoke)

        if grow > 0:
            layer = paper if grow == 1 else scaled(paper_crop, grow, -200 * (1 - grow))
            if layer is not None:
                frame = Image.alpha_composite(frame, layer)
        yield np.asarray(frame.convert("RGB"))


# --------------------------------------------------------------------------------------


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build(root: Path = HERE) -> dict:
    entries = []
    made: set[Path] = set()
    for mode, scenes, effect in (("i2v", I2V, golden_sparkles), ("kf2v", KF2V, smoke_swirl)):
        folder = root / mode
        folder.mkdir(parents=True, exist_ok=True)
        for index, scene in enumerate(scenes, start=1):
            seed = (1000 if mode == "i2v" else 2000) + index
            clip = folder / f"clip_{index:02d}.mp4"
            write_clip(clip, effect(scene, np.random.default_rng(seed)), fps=scene.fps, crf=CRF)
            made.add(clip)
            entry = {
                "path": clip.relative_to(root).as_posix(),
                "mode": mode,
                "sha256": sha256(clip),
                "subject": scene.subject,
                "background": scene.background,
                "width": scene.width,
                "height": scene.height,
                "fps": scene.fps,
                "frames": scene.n_frames,
                "seconds": round(scene.n_frames / scene.fps, 3),
            }
            if mode == "i2v" and index == FIRST_FRAME_IMAGE:
                image = save_png(first_frame(clip), clip.with_suffix(".png"))
                made.add(image)
                entry["first_frame"] = image.relative_to(root).as_posix()
                entry["first_frame_sha256"] = sha256(image)
            entries.append(entry)
            print(
                f"{entry['path']}: {scene.width}x{scene.height}, {entry['seconds']} s, "
                f"{clip.stat().st_size // 1024} KiB, {scene.subject}"
            )
        for stale in sorted(folder.glob("clip_*")):
            if stale not in made:
                stale.unlink()
    return {
        "generator": "samples/make_samples.py",
        "effects": {
            "i2v": (
                "From a still scene, a ring of golden sparkles appears around the main "
                "subject and spirals inward clockwise; then the whole frame flashes white "
                "and the subject is left glowing gold."
            ),
            "kf2v": (
                "The subject shrinks, spinning, into a swirl of blue smoke at the centre "
                "and re-appears out of it as a flat paper origami version of itself in a "
                "pastel colour."
            ),
        },
        "clips": entries,
    }


def main() -> None:
    manifest = build()
    path = HERE / "manifest.json"
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    total = sum(p.stat().st_size for p in HERE.rglob("*") if p.is_file())
    print(f"samples/ total: {total / 1024 / 1024:.2f} MB ({total} bytes)")
    if total > MAX_TOTAL_BYTES:
        raise SystemExit(f"samples/ is over {MAX_TOTAL_BYTES} bytes")


if __name__ == "__main__":
    main()
