"""The review app and its factory, used alike by ``annotator review`` and the tests."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen

from annotator.tui import domain
from annotator.tui.frames import FrameCache
from annotator.tui.player import Player, system_player
from annotator.tui.screens.review import ReviewScreen
from annotator.tui.state import ReviewState
from annotator.tui.widgets.frames import Graphics
from annotator.workspace import Workspace


class ReviewApp(App[None]):
    """One review session over one workspace."""

    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True, id="app.quit"),
    ]

    def __init__(
        self,
        ws: Workspace,
        *,
        graphics: Graphics = "auto",
        captioner: domain.Captioner | None = None,
        provider: str | None = None,
        player: Player = system_player,
        handle_signals: bool = False,
    ) -> None:
        super().__init__()
        self.ws = ws
        self.state = ReviewState(ws)
        self.cache = FrameCache()
        self.graphics: Graphics = graphics
        self.captioner = captioner if captioner is not None else domain.default_captioner()
        self.provider = provider  # None: the workspace's, else the configured default
        self.player = player
        self.handle_signals = handle_signals
        info = self.state.info
        self.title = f"annotator review · {ws.root.name}"
        trigger = f" · trigger {info.trigger}" if info.trigger else ""
        self.sub_title = f"{info.mode.value} · {info.base_model}{trigger}"

    def get_default_screen(self) -> Screen:
        return ReviewScreen(
            self.state,
            self.cache,
            graphics=self.graphics,
            captioner=self.captioner,
            provider=self.provider,
            player=self.player,
        )

    def on_mount(self) -> None:
        missing = domain.Capabilities.detect().missing()
        if missing:
            self.notify(
                f"Not installed yet: {', '.join(missing)}; the review works without them.",
                severity="warning",
                timeout=6,
            )
        if self.handle_signals:
            # A closed terminal (SIGHUP) or a polite kill (SIGTERM) still writes the editors.
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGHUP, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError, AttributeError, ValueError):
                    loop.add_signal_handler(sig, self._save_and_exit)

    def flush(self) -> None:
        """Write every editor's pending text, on every screen."""
        for screen in self.screen_stack:
            flush = getattr(screen, "flush", None)
            if callable(flush):
                flush()

    async def action_quit(self) -> None:
        self._save_and_exit()

    def _save_and_exit(self) -> None:
        self.flush()
        self.exit()


def make_app(
    ws: Workspace,
    *,
    graphics: Graphics = "auto",
    captioner: domain.Captioner | None = None,
    provider: str | None = None,
    player: Player = system_player,
    handle_signals: bool = False,
) -> ReviewApp:
    """The review app for WS.

    graphics: how frames are drawn ("auto" picks Kitty/Sixel/half blocks; tests pin
    "halfcell"). captioner: the caption batch (default: the domain's caption_samples).
    provider: the caption provider for c/C (default: the workspace's, else the config's).
    player: opens a clip (default: the system's player). handle_signals: write pending edits
    on SIGHUP/SIGTERM (the CLI sets it).
    """
    return ReviewApp(
        ws,
        graphics=graphics,
        captioner=captioner,
        provider=provider,
        player=player,
        handle_signals=handle_signals,
    )
