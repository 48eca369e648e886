"""Whether the terminal draws 24-bit colour: frames in half blocks are then the clip's own
colours, not the 256-colour palette's nearest (a real clip is unrecognisable in those).

Rich (and so Textual) believes only COLORTERM; many terminals that draw 24-bit colour do not
set it, and tmux never passes it on: tmux is asked what its client's terminal can do.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Mapping

# Terminals known to draw 24-bit colour, by what they put in the environment.
_TRUECOLOR_PROGRAMS = frozenset(
    {"iTerm.app", "WezTerm", "vscode", "ghostty", "Hyper", "Tabby", "rio", "WarpTerminal"}
)
_TRUECOLOR_TERMS = ("xterm-kitty", "xterm-ghostty", "alacritty", "foot", "wezterm", "contour")
_TRUECOLOR_MARKS = ("KITTY_WINDOW_ID", "WT_SESSION", "KONSOLE_VERSION", "ALACRITTY_WINDOW_ID")
_VTE_TRUECOLOR = 3600  # VTE (GNOME Terminal, Tilix...) draws 24-bit colour since 0.36
TMUX_TIMEOUT_S = 0.5


def tmux_client_features() -> str | None:
    """The features tmux found in the terminal it runs in ("256,RGB,title,..."), if any."""
    tmux = shutil.which("tmux")
    if tmux is None:
        return None
    try:
        done = subprocess.run(
            [tmux, "display-message", "-p", "#{client_termfeatures}"],
            capture_output=True,
            text=True,
            timeout=TMUX_TIMEOUT_S,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def truecolor(
    environ: Mapping[str, str],
    tmux_features: Callable[[], str | None] = tmux_client_features,
) -> bool:
    """True when the terminal described by ENVIRON draws 24-bit colour (never with NO_COLOR)."""
    if environ.get("NO_COLOR"):
        return False
    if environ.get("COLORTERM", "").strip().lower() in ("truecolor", "24bit"):
        return True
    term = environ.get("TERM", "")
    if term.endswith("-direct") or term.startswith(_TRUECOLOR_TERMS):
        return True
    if environ.get("TERM_PROGRAM") in _TRUECOLOR_PROGRAMS:
        return True
    if any(environ.get(mark) for mark in _TRUECOLOR_MARKS):
        return True
    vte = environ.get("VTE_VERSION", "")
    if vte.isdigit() and int(vte) >= _VTE_TRUECOLOR:
        return True
    if environ.get("TMUX"):
        features = tmux_features() or ""
        return "RGB" in features.split(",")
    return False
