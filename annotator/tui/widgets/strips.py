"""A column of one clip's filmstrip under a title: candidates or checkpoints side by side."""

from __future__ import annotations

from collections.abc import Sequence

from PIL import Image as PILImage
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label

from annotator.tui.frames import FILMSTRIP_COUNT
from annotator.tui.widgets.frames import Graphics, Picture


class StripColumn(Vertical):
    """A title line and FILMSTRIP_COUNT frames stacked; ``-focused`` when it has the cursor."""

    DEFAULT_CSS = """
    StripColumn { width: 1fr; height: 1fr; border: round $panel; }
    StripColumn.-focused { border: round $accent; }
    StripColumn .strip { height: 1fr; }
    StripColumn .strip-title { height: 1; }
    """

    def __init__(self, graphics: Graphics, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.graphics = graphics

    def compose(self) -> ComposeResult:
        yield Label("", classes="strip-title")
        for i in range(FILMSTRIP_COUNT):
            yield Picture(self.graphics, classes="strip", id=f"frame-{i}")

    @property
    def title(self) -> str:
        """The title as shown (for tests and screen readers)."""
        return str(self.query_one(".strip-title", Label).render())

    def show(self, title: Text, frames: Sequence[PILImage.Image], focused: bool) -> None:
        """Show TITLE over FRAMES (fewer: blanks; none: "no video")."""
        self.query_one(".strip-title", Label).update(title)
        self.set_class(focused, "-focused")
        for i, picture in enumerate(self.query(".strip").results(Picture)):
            image = frames[i] if i < len(frames) else None
            picture.set_image(image, "no video" if i == 0 else "")
