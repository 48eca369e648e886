"""What a terminal smaller than the review needs shows instead of a broken screen."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static


def too_small_text(needed: tuple[int, int], size: tuple[int, int]) -> str:
    """The one notice: the size needed, then the size there is."""
    return (
        f"terminal too small: {needed[0]} x {needed[1]} needed (this one is "
        f"{size[0]} x {size[1]}); make the window bigger, or press Ctrl+Q to quit"
    )


class TooSmallScreen(Screen[None]):
    """Covers every screen while the terminal is smaller than NEEDED; the app takes it away
    once the terminal is big enough again. The keys of the screens under it do nothing."""

    def __init__(self, needed: tuple[int, int], size: tuple[int, int]) -> None:
        super().__init__()
        self.needed = needed
        self._terminal = size

    def compose(self) -> ComposeResult:
        yield Static(too_small_text(self.needed, self._terminal), id="too-small", markup=False)

    def resized(self, size: tuple[int, int]) -> None:
        """Say the new size."""
        self._terminal = size
        self.query_one("#too-small", Static).update(too_small_text(self.needed, size))
