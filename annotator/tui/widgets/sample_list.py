"""The list of samples: status, clip name and flags, one line each."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from annotator.safetext import strip_controls
from annotator.tui.domain import Severity
from annotator.tui.state import ReviewState
from annotator.workspace import Status

STATUS_MARK: dict[Status, tuple[str, str]] = {
    Status.NEW: ("○", "dim"),
    Status.CAPTIONED: ("◐", "cyan"),
    Status.REVIEWED: ("◑", "blue"),
    Status.ACCEPTED: ("✓", "bold green"),
    Status.REJECTED: ("✗", "red"),
    Status.ERROR: ("!", "bold red"),
}
FLAG_MARK: dict[Severity, tuple[str, str]] = {
    Severity.ERROR: ("●", "red"),
    Severity.WARNING: ("▲", "yellow"),
    Severity.INFO: ("·", "dim"),
}


FLAG_WORDS = (
    (FLAG_MARK[Severity.ERROR], "a check's error"),
    (FLAG_MARK[Severity.WARNING], "a warning"),
    (("?", "magenta"), "the caption model was unsure"),
    (("⚑", "bold magenta"), "verify asks a person to look (dim: the prompt changed since)"),
)


def legend() -> Text:
    """What the marks of the list mean: the status of each sample, then its flags."""
    text = Text()
    text.append("status  ", "bold")
    for i, (status, (mark, style)) in enumerate(STATUS_MARK.items()):
        text.append("   " if i else "")
        text.append(mark, style)
        text.append(f" {status.value}")
    text.append("\nflags   ", "bold")
    for i, ((mark, style), word) in enumerate(FLAG_WORDS):
        text.append("   " if i else "")
        text.append(mark, style)
        text.append(f" {word}")
    return text


def sample_line(state: ReviewState, sample_id: str) -> Text:
    """One list line: status mark, clip name, then flags (worst finding, flagged caption,
    flagged by verify)."""
    sample = state.samples[sample_id]
    mark, style = STATUS_MARK[sample.status]
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append(mark, style)
    line.append(" ")
    # A file name as plain text: never markup, no control characters.
    line.append(
        strip_controls(sample.name), "strike dim" if sample.status is Status.REJECTED else ""
    )
    flags = Text()
    worst = state.worst(sample_id)
    if worst is not None:
        flags.append(*FLAG_MARK[worst])
    caption = state.captions.get(sample_id)
    if caption is not None and caption.flagged:
        flags.append("?", "magenta")
    if state.flagged(sample_id):  # the vision model asks a person to look (annotator verify)
        flags.append("⚑", "dim" if state.verdicts[sample_id].stale else "bold magenta")
    if flags:
        line.append(" ")
        line.append_text(flags)
    return line


class SampleList(OptionList):
    """Samples in workspace order; highlighting one shows it (OptionList.OptionHighlighted)."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._prompts: dict[str, Text] = {}  # what each option shows, to redraw only changes

    def show(self, state: ReviewState, current: str | None) -> str | None:
        """Fill the list with the visible samples; keep CURRENT highlighted when it is there.

        Returns the id now highlighted (None for an empty list)."""
        ids = state.visible()
        self._prompts = {sid: sample_line(state, sid) for sid in ids}
        with self.prevent(OptionList.OptionHighlighted):
            self.set_options(Option(self._prompts[sid], id=sid) for sid in ids)
            if not ids:
                return None
            index = ids.index(current) if current in ids else 0
            self.highlighted = index
        return ids[index]

    def update_sample(self, state: ReviewState, sample_id: str) -> None:
        """Redraw one sample's line, if the list shows it and it changed (a redraw makes
        the list measure every option again)."""
        line = sample_line(state, sample_id)
        if sample_id in self._prompts and line != self._prompts[sample_id]:
            self._prompts[sample_id] = line
            self.replace_option_prompt(sample_id, line)

    def shows(self, sample_id: str) -> bool:
        return sample_id in self._prompts

    def ids(self) -> list[str]:
        return list(self._prompts)  # in list order

    @property
    def current(self) -> str | None:
        if self.highlighted is None:
            return None
        return self.get_option_at_index(self.highlighted).id

    def select_id(self, sample_id: str) -> bool:
        """Highlight SAMPLE_ID (posting OptionHighlighted); False when it is filtered out."""
        if not self.shows(sample_id):
            return False
        self.highlighted = self.get_option_index(sample_id)
        return True
