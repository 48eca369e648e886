"""The review session: a Textual app over the workspace (``annotator review DIR``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from annotator.tui.app import ReviewApp
    from annotator.workspace import Workspace


def make_app(ws: Workspace, **options: Any) -> ReviewApp:
    """Build the review app for WS (see ``annotator.tui.app.make_app`` for the options)."""
    from annotator.tui.app import make_app as _make_app

    return _make_app(ws, **options)


__all__ = ["make_app"]
