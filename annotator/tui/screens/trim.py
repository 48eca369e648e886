"""The trim view (review key T, issue 13): pictures across the sample's source clip, a cursor
to walk them, the first and the last frame to keep, the new length against the base model's
limit; saving renders the trimmed clip (undoable, the source untouched)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, Static

from annotator.errors import AnnotatorError
from annotator.safetext import strip_controls
from annotator.tui.domain import Domain, TrimView
from annotator.tui.widgets.frames import Graphics, Picture
from annotator.workspace import Sample

STRIP = 8  # pictures across the clip


class TrimScreen(ModalScreen[Sample | None]):
    """Dismisses with the sample as the saved trim left it, or None when nothing changed."""

    DEFAULT_CSS = """
    TrimScreen { align: center middle; }
    #trim-box { width: 95%; height: 80%; border: round $accent; padding: 0 1; }
    #trim-strip { height: 1fr; }
    #trim-strip Picture { width: 1fr; border: blank; }
    #trim-strip Picture.-cursor { border: heavy $accent; }
    #trim-strip Picture.-kept { background: $success 20%; }
    #trim-status { height: 2; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,h", "move(-1)", "◀ Frame", id="trim.left"),
        Binding("right,l", "move(1)", "Frame ▶", id="trim.right"),
        Binding("comma", "nudge(-1)", "-1 frame", show=False, id="trim.back"),
        Binding("full_stop", "nudge(1)", "+1 frame", show=False, id="trim.forward"),
        Binding("s,left_square_bracket", "mark('start')", "Start here", id="trim.start"),
        Binding("e,right_square_bracket", "mark('end')", "End here", id="trim.end"),
        Binding("r", "reset", "Whole clip", id="trim.reset"),
        Binding("enter,w", "save", "Save", id="trim.save"),
        Binding("escape", "cancel", "Cancel", id="trim.cancel"),
    ]

    class Loaded(Message):
        """Posted by the worker that decoded the source's pictures."""

        def __init__(self, view: TrimView | None, error: str | None) -> None:
            super().__init__()
            self.view, self.error = view, error

    class Saved(Message):
        """Posted by the worker that rendered the trim."""

        def __init__(self, sample: Sample | None, error: str | None) -> None:
            super().__init__()
            self.sample, self.error = sample, error

    def __init__(self, domain: Domain, sample: Sample, graphics: Graphics) -> None:
        super().__init__()
        self.domain, self.sample, self.graphics = domain, sample, graphics
        self.view: TrimView | None = None
        self.cursor = 0.0
        self.start = 0.0
        self.end = 0.0  # exclusive: the end of the last frame kept
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical(id="trim-box"):
            title = Text.assemble("Trim ", (strip_controls(self.sample.path), "bold"))
            title.append(": the first and the last frame to keep (the source stays)", "dim")
            yield Label(title, id="trim-title")
            with Horizontal(id="trim-strip"):
                for i in range(STRIP):
                    yield Picture(self.graphics, " ", id=f"trim-{i}")
            yield Static("reading the clip…", id="trim-status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="trim")
    def _load(self) -> None:
        try:
            self.post_message(self.Loaded(self.domain.trim_view(self.sample, STRIP), None))
        except Exception as exc:  # a worker's error would end the review: said here instead
            self.post_message(self.Loaded(None, _reason(exc)))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        if message.view is None:
            self._status(Text(f"cannot read the clip: {message.error}", "red"))
            return
        view = self.view = message.view
        self.start, self.end, self.cursor = view.start_s, view.end_s, view.start_s
        for i, picture in enumerate(self.query("#trim-strip Picture").results(Picture)):
            picture.set_image(view.pictures[i] if i < len(view.pictures) else None, "")
        self._redraw()

    # -- choosing ------------------------------------------------------------------------

    @property
    def frame_s(self) -> float:
        """One frame's length, in seconds."""
        return 1.0 / self.view.fps if self.view is not None and self.view.fps > 0 else 0.04

    def action_move(self, step: int) -> None:
        """The cursor to the next picture of the strip (STEP: -1 back, 1 on)."""
        if self.view is None:
            return
        times = self.view.times
        if step > 0:
            later = [t for t in times if t > self.cursor + 1e-6]
            self.cursor = later[0] if later else times[-1]
        else:
            earlier = [t for t in times if t < self.cursor - 1e-6]
            self.cursor = earlier[-1] if earlier else times[0]
        self._redraw()

    def action_nudge(self, step: int) -> None:
        """The cursor one frame back or on."""
        if self.view is None:
            return
        last = max(0.0, self.view.duration_s - self.frame_s)
        self.cursor = min(last, max(0.0, self.cursor + step * self.frame_s))
        self._redraw()

    def action_mark(self, which: str) -> None:
        """The cursor's frame is the first (start) or the last (end) frame kept."""
        if self.view is None:
            return
        if which == "start":
            self.start = self.cursor
            self.end = max(self.end, self.start + self.frame_s)
        else:
            self.end = min(self.view.duration_s, self.cursor + self.frame_s)
            self.start = min(self.start, self.cursor)
        self._redraw()

    def action_reset(self) -> None:
        """Keep the whole clip."""
        if self.view is not None:
            self.start, self.end = 0.0, self.view.duration_s
            self._redraw()

    def _redraw(self) -> None:
        view = self.view
        if view is None:
            return
        nearest = min(range(len(view.times)), key=lambda i: abs(view.times[i] - self.cursor))
        kept = [self.start - 1e-6 <= t < self.end - 1e-6 for t in view.times]
        for i, picture in enumerate(self.query("#trim-strip Picture").results(Picture)):
            if i >= len(view.times):
                continue
            picture.set_class(i == nearest, "-cursor")
            picture.set_class(kept[i], "-kept")
            # Brackets around the kept pictures' times: readable without colours too.
            first = kept[i] and (i == 0 or not kept[i - 1])
            last = kept[i] and (i == len(kept) - 1 or not kept[i + 1])
            label = f"{'[' if first else ''}{view.times[i]:.2f} s{']' if last else ''}"
            picture.query_one(".picture-title", Label).update(label)
        self._status(self.status_text())

    def status_text(self) -> Text:
        """The trim and its length against the model's limits."""
        assert self.view is not None
        view, length = self.view, self.end - self.start
        fits = view.min_s <= length + 1e-6 and length <= view.max_s + 1e-6
        text = Text(f"start {self.start:.2f} s · end {self.end:.2f} s · ")
        text.append(f"{length:.2f} s", "bold green" if fits else "bold red")
        text.append(f" ({view.model} takes {view.min_s:g}-{view.max_s:g} s)", "dim")
        text.append(f"\ncursor {self.cursor:.2f} s of {view.duration_s:.2f} s", "dim")
        return text

    def _status(self, text: Text) -> None:
        self.query_one("#trim-status", Static).update(text)

    # -- saving --------------------------------------------------------------------------

    def action_save(self) -> None:
        if self.view is None or self.saving:
            return
        self.saving = True
        self._status(Text("rendering the trimmed clip…", "bold"))
        whole = self.end >= self.view.duration_s - self.frame_s / 2
        self._save(round(self.start, 3) or None, None if whole else round(self.end, 3))

    @work(thread=True, exclusive=True, group="trim")
    def _save(self, start: float | None, end: float | None) -> None:
        try:
            self.post_message(self.Saved(self.domain.trim(self.sample, start, end), None))
        except Exception as exc:  # a full disk, a refusing store: said, the review goes on
            self.post_message(self.Saved(None, _reason(exc)))

    @on(Saved)
    def _saved(self, message: Saved) -> None:
        self.saving = False
        if message.sample is None:
            self.notify(f"not trimmed: {message.error}", severity="error", markup=False)
            self._redraw()
            return
        self.dismiss(message.sample)

    def action_cancel(self) -> None:
        if not self.saving:
            self.dismiss(None)


def _reason(exc: Exception) -> str:
    """What went wrong, in one line a person can read (our errors say it themselves)."""
    return (
        str(exc) if isinstance(exc, AnnotatorError | ValueError) else f"{type(exc).__name__}: {exc}"
    )
