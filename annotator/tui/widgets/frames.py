"""The sample's pictures: the first frame (and the last for kf2v) and a filmstrip.

Real pixels where the terminal speaks a graphics protocol (textual-image picks Kitty or
Sixel), coloured half blocks elsewhere. Pictures come from the FrameCache; the filmstrip,
which decodes the clip, is loaded on a worker thread and shown when it arrives.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

# textual-image asks the terminal what it can draw when it is imported: that must happen
# before Textual starts reading the keyboard, or the answers arrive as key presses.
import textual_image.widget as timg
from PIL import Image as PILImage
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.css.scalar import Scalar
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Label, Static
from textual.worker import get_current_worker
from textual_image._terminal import get_cell_size

from annotator.tui.frames import FILMSTRIP_COUNT, FrameCache
from annotator.workspace import Sample

Graphics = Literal["auto", "halfcell", "unicode", "none"]
LOAD_DELAY = 0.12  # seconds on a sample before its clip is decoded


def image_class(graphics: Graphics) -> type[Widget] | None:
    """The textual-image widget for GRAPHICS (None: no pictures, a text placeholder)."""
    if graphics == "none":
        return None
    classes: dict[str, type[Widget]] = {
        "auto": timg.Image,
        "halfcell": timg.HalfcellImage,
        "unicode": timg.UnicodeImage,
    }
    return classes[graphics]


def fit_cells(width: int, height: int, room_w: int, room_h: int) -> tuple[int, int]:
    """The largest cell size of a WIDTHxHEIGHT picture that fits the room, aspect kept."""
    try:
        cell = get_cell_size()
        cell_ratio = cell.height / cell.width
    except Exception:  # no terminal to ask: cells are about twice as tall as wide
        cell_ratio = 2.0
    cells_per_row = width / height * cell_ratio  # cell columns per cell row
    w = min(room_w, max(1, round(room_h * cells_per_row)))
    h = min(room_h, max(1, round(w / cells_per_row)))
    return w, h


class Picture(Vertical):
    """One picture with a caption line under it."""

    def __init__(self, graphics: Graphics, title: str = "", **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._cls = image_class(graphics)
        self._title = title
        self._image: PILImage.Image | None = None
        self._shown = False

    def compose(self) -> ComposeResult:
        if self._cls is not None:
            yield self._cls(classes="pixels")
        else:
            yield Static("", classes="pixels")
        if self._title:
            yield Label(self._title, classes="picture-title")

    @property
    def image(self) -> PILImage.Image | None:
        """The picture shown (None: none)."""
        return self._image

    def set_image(self, image: PILImage.Image | None, missing: str = "no picture") -> None:
        if image is self._image and self._shown:
            return  # the same cached picture: nothing to draw again
        self._image, self._shown = image, True
        pixels = self.query_one(".pixels")
        if isinstance(pixels, Static):
            text = missing if image is None else f"{image.width}x{image.height}"
            pixels.update(text)
        else:
            pixels.image = image  # type: ignore[attr-defined]
        self.set_class(image is None, "-missing")
        self._fit()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        # Size the picture in cells ourselves, keeping its aspect ratio: textual-image's
        # "auto" width is computed from the height of the previous layout.
        pixels = self.query_one(".pixels")
        if self._image is None or isinstance(pixels, Static):
            pixels.styles.width, pixels.styles.height = "1fr", "1fr"
            return
        room_w = self.content_size.width
        room_h = self.content_size.height - (1 if self._title else 0)
        if room_w <= 0 or room_h <= 0:
            return
        w, h = fit_cells(self._image.width, self._image.height, room_w, room_h)
        size = (Scalar.from_number(w), Scalar.from_number(h))
        if (pixels.styles.width, pixels.styles.height) != size:  # no layout pass when equal
            pixels.styles.width, pixels.styles.height = w, h


class FramesPanel(Vertical):
    """First/last frame side by side, the filmstrip under them."""

    @dataclass
    class FilmstripReady(Message):
        """Posted by the filmstrip worker when a clip's frames are decoded."""

        sample_id: str
        frames: list[PILImage.Image]

    def __init__(
        self, cache: FrameCache, root: Path, graphics: Graphics, kf2v: bool, **kwargs: object
    ) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.cache, self.root, self.graphics, self.kf2v = cache, root, graphics, kf2v
        self.sample_id: str | None = None
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="stills"):
            yield Picture(self.graphics, "first frame" if self.kf2v else "", id="first")
            if self.kf2v:
                yield Picture(self.graphics, "last frame", id="last")
        with Horizontal(id="filmstrip"):
            for i in range(FILMSTRIP_COUNT):
                yield Picture(self.graphics, classes="strip", id=f"strip-{i}")

    def show(self, sample: Sample, ahead: list[Sample]) -> None:
        """Show SAMPLE's stills now (from the cache) and its filmstrip once decoded; then
        decode the pictures of the samples AHEAD, so that moving on finds them ready."""
        self.sample_id = sample.id
        self.query_one("#first", Picture).set_image(self._still(sample.first_frame))
        if self.kf2v:
            self.query_one("#last", Picture).set_image(self._still(sample.last_frame))
        strip = self.cache.peek(self._strip_key(sample))
        self._show_strip(strip or [])
        # Decoding waits until the person stops on a sample: holding a key down starts nothing.
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(LOAD_DELAY, lambda: self._load(sample, ahead))

    def clear(self) -> None:
        """No sample on screen: no pictures, no decoding."""
        self.sample_id = None
        if self._timer is not None:
            self._timer.stop()
        for picture in self.query(Picture).results(Picture):
            picture.set_image(None, "")

    def _still(self, rel: str | None) -> PILImage.Image | None:
        return None if rel is None else self.cache.image(self.root / rel)

    def _strip_key(self, sample: Sample) -> str:
        return f"strip:{FILMSTRIP_COUNT}:{self.root / sample.clip}"

    def _show_strip(self, frames: list[PILImage.Image]) -> None:
        for i, picture in enumerate(self.query(".strip").results(Picture)):
            picture.set_image(frames[i] if i < len(frames) else None, "")

    @work(thread=True, exclusive=True, group="frames")
    def _load(self, sample: Sample, ahead: list[Sample]) -> None:
        worker = get_current_worker()
        frames = self.cache.filmstrip(self.root / sample.clip, FILMSTRIP_COUNT)
        self.post_message(self.FilmstripReady(sample.id, frames))
        for other in ahead:
            if worker.is_cancelled:
                return
            for rel in (other.first_frame, other.last_frame if self.kf2v else None):
                if rel is not None:
                    self.cache.image(self.root / rel)
        if ahead and not worker.is_cancelled:
            self.cache.filmstrip(self.root / ahead[0].clip, FILMSTRIP_COUNT)

    @on(FilmstripReady)
    def _strip_ready(self, message: FilmstripReady) -> None:
        message.stop()
        if message.sample_id == self.sample_id:
            self._show_strip(message.frames)
