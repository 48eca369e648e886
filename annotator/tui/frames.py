"""Decoded, resized frames kept in a small LRU: a picture is never decoded twice.

Loads may run on worker threads (prefetching the next sample) and on the UI thread at
once; a load in flight is waited for, never repeated.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from PIL import Image

from annotator.tui.domain import filmstrip
from annotator.userfiles import open_file

# Big enough for a terminal graphics protocol on a large pane, small enough to render fast.
MAX_SIDE = 640
FILMSTRIP_SIDE = 200
FILMSTRIP_COUNT = 4

Loader = Callable[[], "list[Image.Image]"]


class FrameCache:
    """An LRU of frame lists keyed by what they show (an image file, a clip's filmstrip)."""

    def __init__(self, capacity: int = 96) -> None:
        self.capacity = capacity
        self._items: OrderedDict[str, list[Image.Image]] = OrderedDict()
        self._loading: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        self.loads = 0  # how many decodes ran; tests and the bench read it

    def peek(self, key: str) -> list[Image.Image] | None:
        """The cached frames for KEY, or None (never loads)."""
        with self._lock:
            frames = self._items.get(key)
            if frames is not None:
                self._items.move_to_end(key)
            return frames

    def get(self, key: str, loader: Loader) -> list[Image.Image]:
        """The frames for KEY, loading them once; a failed load caches an empty list."""
        while True:
            with self._lock:
                if key in self._items:
                    self._items.move_to_end(key)
                    return self._items[key]
                pending = self._loading.get(key)
                if pending is None:
                    event = self._loading[key] = threading.Event()
                    break
            pending.wait()
        frames: list[Image.Image] = []
        try:
            frames = _safe(loader)
        finally:
            with self._lock:
                self.loads += 1
                self._items[key] = frames
                while len(self._items) > self.capacity:
                    self._items.popitem(last=False)
                del self._loading[key]
            event.set()
        return frames

    def image(self, path: Path) -> Image.Image | None:
        """One picture file, resized to fit MAX_SIDE; None when it cannot be read."""
        frames = self.get(f"image:{path}", lambda: [_load_image(path, MAX_SIDE)])
        return frames[0] if frames else None

    def filmstrip(self, clip: Path, count: int = FILMSTRIP_COUNT) -> list[Image.Image]:
        """COUNT small frames spread across CLIP (decodes the clip once)."""
        return self.get(f"strip:{count}:{clip}", lambda: _load_strip(clip, count))


def _safe(loader: Loader) -> list[Image.Image]:
    try:
        return loader()
    except Exception:  # an unreadable file shows as "no picture", never as a crash
        return []


def _load_image(path: Path, side: int) -> Image.Image:
    # Through open_file: a pipe named like a picture would block Image.open for ever.
    with open_file(path) as handle, Image.open(handle) as opened:
        picture = opened.convert("RGB")
    picture.thumbnail((side, side))
    return picture


def _load_strip(clip: Path, count: int) -> list[Image.Image]:
    frames = []
    for frame in filmstrip(clip, count):
        small = frame.convert("RGB")
        small.thumbnail((FILMSTRIP_SIDE, FILMSTRIP_SIDE))
        frames.append(small)
    return frames
