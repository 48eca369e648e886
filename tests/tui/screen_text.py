"""Reading what the review app draws, as text: whole rows, and the inside of a titled box."""

from __future__ import annotations

import re

from textual.app import App
from textual.strip import Strip


def strips(app: App[None]) -> list[Strip]:
    """Every row of the screen as drawn now, with its styles (the top screen, with what
    shows under it)."""
    return list(app.screen._compositor.render_strips())


def rows(app: App[None]) -> list[str]:
    """Every row of the screen as drawn now, as text."""
    return [strip.text for strip in strips(app)]


def text(app: App[None]) -> str:
    return "\n".join(row.rstrip() for row in rows(app))


def box(app: App[None], title: str) -> str | None:
    """The text inside the box whose top border starts with TITLE, its rows joined by spaces
    (a wrapped paragraph reads as it was written); None when no such box is drawn."""
    drawn = rows(app)
    for top, row in enumerate(drawn):
        at = row.find(f"─ {title}")
        if at < 1 or row[at - 1] not in "╭┌":
            continue
        left = at - 1
        right = row.find("╮", left)
        inside: list[str] = []
        for below in drawn[top + 1 :]:
            if below[left] in "╰└":
                return re.sub(r"\s+", " ", " ".join(inside)).strip()
            inside.append(below[left + 1 : right if right > 0 else None].strip("│ "))
        return None
    return None
