"""Read-only facts of a sample: its probe data and its raw caption."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from annotator.safetext import strip_controls
from annotator.tui.domain import SampleOrigin, edit_summary
from annotator.workspace import Caption, Sample


def probe_text(sample: Sample) -> Text:
    """Duration, size, fps, codec and borders on one or two lines."""
    probe = sample.probe
    text = Text(no_wrap=False)
    if probe is None:
        text.append("not probed: run annotator scan", "yellow")
        return text
    edit = edit_summary(sample)
    if edit is not None:  # first, so a narrow panel still shows it: the facts are the edit's
        text.append(f"edited: {edit}", "cyan")
        text.append(" · ")
    parts = [
        f"{probe.duration_s:.2f} s",
        f"{probe.width}x{probe.height}",
        f"{probe.fps:.3g} fps",
        f"{probe.frame_count} frames",
        probe.codec,
    ]
    text.append(" · ".join(p for p in parts if p))
    if probe.black_borders is not None:
        text.append("  black borders", "yellow")
    return text


class ProbeView(Static):
    """The clip's name and probe data."""

    def show(self, sample: Sample) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(strip_controls(sample.path), "bold")
        text.append("\n")
        text.append_text(probe_text(sample))
        self.update(text, layout=False)  # fixed height: no layout pass needed


def origin_text(origin: SampleOrigin) -> Text:
    """Where a generated sample came from: its picture, prompt, model, seed and task."""
    text = Text()
    pictures = origin.picture + (f" + {origin.last_picture}" if origin.last_picture else "")
    text.append("generated from ", "dim")
    text.append(strip_controls(pictures), "bold")
    text.append(
        f" · candidate {origin.candidate} · {strip_controls(origin.model)} · seed {origin.seed}"
        f" · task {strip_controls(origin.task_id or '-')}\n",
        "dim",
    )
    text.append("prompt: ", "bold")
    text.append(strip_controls(origin.prompt).strip())
    text.append("\n\n")
    return text


def caption_text(
    sample: Sample, caption: Caption | None, origin: SampleOrigin | None = None
) -> Text:
    """The raw caption with where it came from, or why there is none; for a generated
    sample, first its picture and prompt.

    A model's words as plain text: never markup, and without the control characters a
    store written before they were stripped on the way in may still hold.
    """
    text = Text() if origin is None else origin_text(origin)
    if sample.error:
        text.append(f"error: {strip_controls(sample.error)}\n", "bold red")
    if caption is None:
        text.append("no caption yet: c captions this sample, C every missing one", "dim italic")
        return text
    if caption.flagged:
        text.append(f"flagged: {strip_controls(caption.flagged)}\n", "magenta")
    if caption.fields:
        for i, (name, value) in enumerate(caption.fields.items()):
            text.append("\n" if i else "")
            text.append(f"{strip_controls(name)}: ", "bold")
            text.append(strip_controls(str(value)).strip())
    else:
        text.append(strip_controls(caption.text, keep_newlines=True).strip())
    text.append(f"\n— {strip_controls(caption.provider)} · {strip_controls(caption.model)}", "dim")
    return text


class CaptionView(VerticalScroll, can_focus=True):
    """The model's answer, read-only and scrollable."""

    def compose(self) -> ComposeResult:
        yield Static(id="caption-text")

    def show(
        self, sample: Sample, caption: Caption | None, origin: SampleOrigin | None = None
    ) -> None:
        text = caption_text(sample, caption, origin)
        self.query_one("#caption-text", Static).update(text)
        self.scroll_home(animate=False)

    def clear(self) -> None:
        """No sample on screen."""
        self.query_one("#caption-text", Static).update("")
