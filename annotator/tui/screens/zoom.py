"""The frames on the whole screen: the first frame (and the last for kf2v) as big as the
terminal allows, a filmstrip of more frames under them, and the clip played in place.

Pictures come from the FrameCache, drawn by the same widgets as the review's frames (Kitty or
Sixel where the terminal has them, else half blocks, in truecolor where it has that).
Decoding runs on worker threads; playing shows the decoded frames on a timer, looping, until
any key.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from PIL import Image
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Static

from annotator.safetext import strip_controls
from annotator.tui.domain import Playback, playback
from annotator.tui.frames import FrameCache
from annotator.tui.keys import Group, bindings
from annotator.tui.widgets.details import probe_text
from annotator.tui.widgets.frames import Graphics, Picture
from annotator.workspace import Sample

ZOOM_STRIP = 8  # frames in the zoom's filmstrip
PLAY_MAX_FPS = 12.0  # faster clips play every k-th frame: a terminal redraws about this often
PLAY_MAX_FRAMES = 180  # 15 s at 12 frames a second (Wan's clips are 10 s at most)
PLAY_SIDE = 320  # pixels: plenty for half blocks on a large terminal, quick to draw, small


class ZoomScreen(Screen[None]):
    """One sample's frames, big. PLAY: start playing at once, and close when it stops (`v`
    in the review when there is no video player)."""

    BINDINGS: ClassVar[list[BindingType]] = bindings(Group.ZOOM)
    VERTICAL_BREAKPOINTS = [(0, "-short"), (34, "-tall")]  # noqa: RUF012 (see SampleView)

    @dataclass
    class StripReady(Message):
        frames: list[Image.Image]

    @dataclass
    class PlaybackReady(Message):
        playback: Playback | None
        error: str | None

    def __init__(
        self,
        sample: Sample,
        *,
        root: Path,
        cache: FrameCache,
        graphics: Graphics,
        kf2v: bool,
        play: bool = False,
    ) -> None:
        super().__init__()
        self.sample, self.root, self.cache = sample, root, cache
        self.graphics, self.kf2v = graphics, kf2v
        self.close_after_play = play
        self._playback: Playback | None = None
        self._timer: Timer | None = None
        self._index = 0
        self._loading = False

    def compose(self) -> ComposeResult:
        with Vertical(id="zoom"):
            with Horizontal(id="zoom-stills"):
                yield Picture(self.graphics, "first frame" if self.kf2v else "", id="zoom-first")
                if self.kf2v:
                    yield Picture(self.graphics, "last frame", id="zoom-last")
            with Horizontal(id="zoom-filmstrip"):
                for i in range(ZOOM_STRIP):
                    yield Picture(self.graphics, classes="zoom-strip", id=f"zoom-strip-{i}")
            yield Static(id="zoom-line")

    def on_mount(self) -> None:
        self._show_stills()
        self._say()
        self._load_strip()
        if self.close_after_play:
            self.action_play()

    # -- what is shown ---------------------------------------------------------------------

    @property
    def playing(self) -> bool:
        return self._timer is not None or self._loading

    def _still(self, rel: str | None) -> Image.Image | None:
        return None if rel is None else self.cache.image(self.root / rel)

    def _show_stills(self) -> None:
        self.query_one("#zoom-first", Picture).set_image(self._still(self.sample.first_frame))
        if self.kf2v:
            self.query_one("#zoom-last", Picture).set_image(self._still(self.sample.last_frame))

    def _say(self, doing: str = "") -> None:
        # What the keys do first: a narrow terminal cuts the line at the right.
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(doing or "Esc closes · v plays", "bold")
        line.append("   ")
        line.append(strip_controls(self.sample.name), "bold")
        line.append("  ")
        line.append_text(probe_text(self.sample))
        self.query_one("#zoom-line", Static).update(line)

    @work(thread=True, exclusive=True, group="zoom-strip")
    def _load_strip(self) -> None:
        frames = self.cache.filmstrip(self.root / self.sample.clip, ZOOM_STRIP)
        self.post_message(self.StripReady(frames))

    @on(StripReady)
    def _strip_ready(self, message: StripReady) -> None:
        pictures = list(self.query(".zoom-strip").results(Picture))
        for i, picture in enumerate(pictures):
            picture.set_image(message.frames[i] if i < len(message.frames) else None, "")

    # -- playing ---------------------------------------------------------------------------

    def action_play(self) -> None:
        """Decode the clip (a worker), then show its frames in the big picture, looping."""
        if self.playing:
            return
        self._loading = True
        self._say("decoding the clip…")
        self._decode()

    @work(thread=True, exclusive=True, group="zoom-play", exit_on_error=False)
    def _decode(self) -> None:
        try:
            played = playback(
                self.root,
                self.sample,
                max_fps=PLAY_MAX_FPS,
                max_frames=PLAY_MAX_FRAMES,
                side=PLAY_SIDE,
            )
            self.post_message(self.PlaybackReady(played, None))
        except Exception as exc:  # an unreadable clip is said, never a crash
            self.post_message(self.PlaybackReady(None, str(exc) or type(exc).__name__))

    @on(PlaybackReady)
    def _playback_ready(self, message: PlaybackReady) -> None:
        if not self._loading:
            return  # stopped while decoding
        self._loading = False
        if message.playback is None or not message.playback.frames:
            self.notify(
                f"cannot play the clip: {strip_controls(message.error or 'no frames')}",
                severity="warning",
                markup=False,
            )
            self._stopped()
            return
        self._playback, self._index = message.playback, 0
        fps = message.playback.fps
        self._say(f"playing at {fps:.3g} frames a second, looping · any key stops")
        self.advance()
        self._timer = self.set_interval(1 / fps, self.advance, name="play the clip")

    def advance(self) -> None:
        """Show the next frame of the clip (the first after the last)."""
        if self._playback is None:
            return
        frames = self._playback.frames
        self.query_one("#zoom-first", Picture).set_image(frames[self._index % len(frames)])
        self._index = (self._index + 1) % len(frames)

    def stop(self) -> None:
        """Stop playing; the stills come back."""
        if self._timer is not None:
            self._timer.stop()
        self._timer, self._playback, self._loading = None, None, False
        self._stopped()

    def _stopped(self) -> None:
        if self.close_after_play:
            self.dismiss(None)
            return
        self._show_stills()
        self._say()

    async def on_key(self, event: events.Key) -> None:
        # While playing, any key stops it, and does nothing else.
        if self.playing:
            event.stop()
            event.prevent_default()
            self.stop()

    def action_close(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self.dismiss(None)
