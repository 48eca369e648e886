"""The subject and background editors: each change reaches the store within a moment.

Typing restarts a short timer; when it fires, or when the editor loses focus, or on
Enter, the editor posts ``Edited``. Typing that never pauses is written too, at most
``MAX_WAIT`` after its first unsaved key, so a crash loses about a second of it. The
screen also takes pending text synchronously (``take_pending``) before it moves to
another sample, undoes or quits, so nothing that is on screen is lost. A newer value
from the store (written elsewhere) waits while the person is in the editor (``offer``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from textual import events
from textual.content import Content
from textual.message import Message
from textual.timer import Timer
from textual.widgets import TextArea

SAVE_DELAY = 0.3  # seconds of quiet typing before the text is written
MAX_WAIT = 1.0  # seconds an unsaved key waits at most, however fast the typing goes on


@dataclass(frozen=True)
class PendingEdit:
    sample_id: str
    field: str
    value: str


class FieldEditor(TextArea):
    """A one-paragraph editor bound to one field of one sample."""

    @dataclass
    class Edited(Message):
        """Text to write: the editor's field of the sample it showed when typed."""

        editor: FieldEditor
        edit: PendingEdit

        @property
        def control(self) -> FieldEditor:
            return self.editor

    @dataclass
    class Done(Message):
        """Enter or Escape: the person has finished with this field."""

        editor: FieldEditor

        @property
        def control(self) -> FieldEditor:
            return self.editor

    def __init__(self, field: str, **kwargs: object) -> None:
        super().__init__(soft_wrap=True, tab_behavior="focus", **kwargs)  # type: ignore[arg-type]
        self.field = field
        self.sample_id: str | None = None
        self._baseline = ""  # the value the store holds, as far as this editor knows
        self._timer: Timer | None = None
        self._due: float | None = None  # when the oldest unsaved key must be written by
        self._offered: tuple[str, str] | None = None  # (value, placeholder) shown on leaving

    def load(self, sample_id: str, value: str, placeholder: str = "") -> None:
        """Show SAMPLE_ID's value (anything pending must have been taken first)."""
        self._stop_timer()
        self._offered = None
        self.sample_id = sample_id
        self._baseline = value
        # Literal text: the hint quotes the caption, whose words are never markup.
        self.placeholder = Content(placeholder)
        if self.value != value:
            self.load_text(value)
            # The start in view: a one-line editor (a short terminal) shows the first words.
            self.move_cursor((0, 0))

    def unload(self) -> None:
        """Show nothing and write nothing (no sample on screen)."""
        self._stop_timer()
        self._offered = None
        self.sample_id, self._baseline = None, ""
        self.placeholder = Content("")
        self.load_text("")

    def offer(self, value: str, placeholder: str = "") -> None:
        """Show the store's VALUE for this editor's sample (nothing pending); while the
        person is in the editor, only once they leave it, and only if they typed nothing."""
        if self.has_focus and value != self.value:
            self._offered = (value, placeholder)
        elif self.sample_id is not None:
            self.load(self.sample_id, value, placeholder)

    def take_pending(self) -> PendingEdit | None:
        """The text not yet written, if any; the caller writes it, then calls ``saved``.

        The editor stays dirty until then: a write the store refuses keeps the text here,
        and the next save writes it."""
        self._stop_timer()
        value = self.value
        if value == self._baseline or self.sample_id is None:
            return None
        self._offered = None  # what the person typed wins over a value written elsewhere
        return PendingEdit(self.sample_id, self.field, value)

    def saved(self, edit: PendingEdit) -> None:
        """The store now holds EDIT (this editor's, taken by ``take_pending``)."""
        if edit.sample_id == self.sample_id and edit.field == self.field:
            self._baseline = edit.value

    @property
    def dirty(self) -> bool:
        """True while the editor holds text the store does not have."""
        return self.value != self._baseline

    @property
    def value(self) -> str:
        """The text as it is stored: one line, no outer spaces."""
        return self.text.replace("\n", " ").strip()

    def commit(self) -> None:
        """Post what is pending as an ``Edited`` message."""
        edit = self.take_pending()
        if edit is not None:
            self.post_message(self.Edited(self, edit))

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._due = None

    def _on_text_area_changed(self, event: TextArea.Changed) -> None:
        if self.value == self._baseline:
            return
        # A pause of SAVE_DELAY writes the text; so does MAX_WAIT after the first unsaved
        # key, pause or not. The store folds these writes into one undo step.
        now = time.monotonic()
        due = now + MAX_WAIT if self._due is None else self._due
        if self._timer is not None:
            self._timer.stop()
        if now >= due:
            self.commit()
            return
        self._due = due
        self._timer = self.set_timer(min(SAVE_DELAY, due - now), self.commit)

    def on_focus(self) -> None:
        # Typing goes on from the end of the text.
        self.move_cursor(self.document.end)

    def _on_blur(self, event: events.Blur) -> None:
        self.commit()
        if self._offered is not None and self.sample_id is not None:
            self.load(self.sample_id, *self._offered)

    async def _on_key(self, event: events.Key) -> None:
        # Textual then calls TextArea's own key handler, unless the default is prevented.
        if event.key in ("enter", "escape"):
            event.stop()
            event.prevent_default()
            self.commit()
            self.post_message(self.Done(self))
