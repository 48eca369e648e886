"""The review app in a browser tab (``annotator review --web``, served by textual-serve).

Each browser tab runs its own ``annotator review`` process under Textual's web driver:
there is no terminal and no desktop player there, so a clip is sent to the browser,
and a session that cannot start shows why in the tab instead of a blank page.
"""

from __future__ import annotations

import base64
import html
import io
import mimetypes
import os
import re
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from annotator.safetext import outside_text

WEB_DRIVER = "textual.drivers.web_driver:WebDriver"  # what textual-serve sets TEXTUAL_DRIVER to


def served_by_textual() -> bool:
    """True in a process that textual-serve started for a browser tab."""
    return os.environ.get("TEXTUAL_DRIVER") == WEB_DRIVER


# The type the page gives the browser for a clip's container; Chrome and Firefox play
# H.264 in QuickTime files when they are told it is MP4, and Matroska as WebM.
VIDEO_TYPES = {".mp4": "video/mp4", ".m4v": "video/mp4", ".mov": "video/mp4", ".mkv": "video/webm"}

PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{name}</title>
<style>
body {{ margin: 0; height: 100vh; background: #111; color: #ccc; font: 14px sans-serif;
       display: flex; flex-direction: column; align-items: center; justify-content: center; }}
video {{ max-width: 100%; max-height: 90vh; }}
</style></head>
<body><video controls autoplay muted loop playsinline src="data:{type};base64,{data}"></video>
<p>{name}</p></body></html>
"""


def clip_page(path: Path) -> bytes:
    """A page that plays the clip at PATH in a loop, the clip inside it.

    textual-serve hands a delivered file to the browser once; a video the browser plays
    straight from that address is fetched a second time (to seek) and finds nothing.
    A page with the clip inside needs no second request.
    """
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    kind = VIDEO_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]
    return PAGE.format(name=html.escape(path.name), type=kind or "video/mp4", data=data).encode(
        "utf-8"
    )


def deliver_clip(app: App[object], path: Path) -> str:
    """Send the clip at PATH to the browser, which opens it in a new tab and plays it.

    Returns the message for the person (the clip is on its way, or why it is not).
    """
    if not path.is_file():
        return f"{path.name} is gone: run annotator scan"
    try:
        page = clip_page(path)
    except OSError as exc:
        return f"cannot read {path.name}: {exc.strerror or exc}"
    # textual-serve writes the name into a Content-Disposition header unquoted: keep it
    # to characters a header and every browser take as they are.
    safe_name = re.sub(r"[^A-Za-z0-9._-]", "_", path.stem) + ".html"
    app.deliver_binary(
        io.BytesIO(page), save_filename=safe_name, open_method="browser", mime_type="text/html"
    )
    return f"{path.name} opens in a new browser tab (allow pop-ups for this page if none opens)"


class NoticeApp(App[None]):
    """One message and a key to close it: what a browser tab shows when review cannot start
    (another session holds the workspace, or the workspace is gone)."""

    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q,escape,enter", "quit", "Close"),
    ]
    CSS = """
    Screen { align: center middle; }
    #notice { width: 80%; height: auto; border: round $error; padding: 1 2; }
    """

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message
        self.title = "annotator review"

    def compose(self) -> ComposeResult:
        text = Text(outside_text(self.message))
        text.append("\n\nPress q to close this session.", style="dim")
        yield Static(text, id="notice")
