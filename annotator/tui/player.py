"""Open a clip in the system's default video player, without waiting for it; or say that
this machine has none a person can see (the review then plays the clip itself)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

# Takes the clip; returns an error message for the person, or None when the player started.
Player = Callable[[Path], "str | None"]


def find_system_player(environ: Mapping[str, str] = os.environ) -> Player | None:
    """The system's video player when there is one a person would see: Windows' and macOS'
    always, xdg-open only with a display (none over SSH, in a bare console or a container)."""
    if os.name == "nt":  # pragma: no cover - Windows
        return system_player
    if sys.platform == "darwin":  # pragma: no cover - macOS
        return system_player if shutil.which("open") else None
    if shutil.which("xdg-open", path=environ.get("PATH")) is None:
        return None
    if not (environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY")):
        return None
    return system_player


def system_player(path: Path) -> str | None:
    """Start the desktop's handler for PATH (xdg-open, open, or the Windows association)."""
    if not path.is_file():
        return f"{path} is gone: run annotator scan"
    if os.name == "nt":  # pragma: no cover - Windows
        os.startfile(path)  # type: ignore[attr-defined]
        return None
    opener = "open" if sys.platform == "darwin" else "xdg-open"
    if shutil.which(opener) is None:
        return f"no {opener} here: open {path} in your video player"
    try:
        subprocess.Popen(
            [opener, str(path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as exc:
        return f"cannot start {opener}: {exc.strerror}; open {path} in your video player"
    return None
