"""Open a clip in the system's default video player, without waiting for it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

# Takes the clip; returns an error message for the person, or None when the player started.
Player = Callable[[Path], "str | None"]


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
