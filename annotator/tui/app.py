"""The review app and its factory, used alike by ``annotator review`` and the tests."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import signal
import time
from typing import ClassVar, Literal

from rich.color import ColorSystem
from textual import constants, events
from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Input, TextArea

from annotator.tui.colors import truecolor as terminal_truecolor
from annotator.tui.domain import Captioner, Domain
from annotator.tui.frames import FrameCache
from annotator.tui.player import Player, find_system_player
from annotator.tui.screens.review import ReviewScreen
from annotator.tui.screens.too_small import TooSmallScreen
from annotator.tui.state import ReviewState
from annotator.tui.threads import StoreThreads
from annotator.tui.widgets.frames import Graphics
from annotator.workspace import Workspace

STOP_TIMEOUT = 30.0  # seconds to let a caption batch finish its requests in flight at exit
WATCH_INTERVAL = 0.5  # seconds between two looks at the store for what the CLI wrote
# The smallest terminal (columns, rows) that shows the prompt and the keys that matter.
MIN_SIZE = (60, 15)
SECOND_CTRL_C_S = 5.0  # a second Ctrl+C this soon after the first quits


class ReviewApp(App[None]):
    """One review session over one workspace."""

    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True, id="app.quit"),
        # Over Textual's own Ctrl+C (a hint only): a second press quits, after saving.
        Binding("ctrl+c", "interrupt", "Quit", show=False, priority=True, id="app.interrupt"),
    ]

    def __init__(
        self,
        ws: Workspace,
        *,
        graphics: Graphics = "auto",
        captioner: Captioner | None = None,
        provider: str | None = None,
        player: Player | Literal["auto"] | None = "auto",
        handle_signals: bool = False,
        tune_gc: bool = False,
        watch_interval: float = WATCH_INTERVAL,
        truecolor: bool | None = None,
    ) -> None:
        super().__init__()
        if truecolor is None:  # asked of the terminal, unless TEXTUAL_COLOR_SYSTEM says
            truecolor = constants.COLOR_SYSTEM == "auto" and terminal_truecolor(os.environ)
        if truecolor:
            # Rich reads only COLORTERM; Textual draws in the colours its console has.
            self.console._color_system = ColorSystem.TRUECOLOR
        self.state = ReviewState(Domain(ws, captioner))
        self.cache = FrameCache()
        self.graphics: Graphics = graphics
        self.provider = provider  # None: the configured default
        self.player = find_system_player() if player == "auto" else player
        self.handle_signals = handle_signals
        self.tune_gc = tune_gc
        self.watch_interval = watch_interval
        self.threads = StoreThreads()
        self._interrupted_at: float | None = None
        info = self.state.info
        self.title = f"annotator review · {ws.root.name}"
        trigger = f" · trigger {info.trigger}" if info.trigger else ""
        self.sub_title = f"{info.mode.value} · {info.base_model}{trigger}"

    def get_default_screen(self) -> Screen[None]:
        return ReviewScreen(
            self.state,
            self.cache,
            graphics=self.graphics,
            provider=self.provider,
            player=self.player,
            threads=self.threads,
            watch_interval=self.watch_interval,
        )

    def on_mount(self) -> None:
        self._fit(self.size.width, self.size.height)
        if self.tune_gc:
            # The samples, captions and widgets loaded so far live as long as the session:
            # keep the collector from scanning them again and again (a full pass over a
            # 1,000-sample session costs ~80 ms, a dropped frame on a key press).
            gc.collect()
            gc.freeze()
        if self.handle_signals:
            # A closed terminal (SIGHUP) or a polite kill (SIGTERM) still writes the editors.
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGHUP, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError, AttributeError, ValueError):
                    loop.add_signal_handler(sig, self._save_and_exit)

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.width, event.size.height)

    def _fit(self, width: int, height: int) -> None:
        """Below MIN_SIZE one notice covers every screen; at or above it, the screens."""
        small = width < MIN_SIZE[0] or height < MIN_SIZE[1]
        notice = self.screen if isinstance(self.screen, TooSmallScreen) else None
        if small and notice is None:
            self.push_screen(TooSmallScreen(MIN_SIZE, (width, height)))
        elif small and notice is not None:
            notice.resized((width, height))
        elif notice is not None:
            self.pop_screen()

    async def action_interrupt(self) -> None:
        """Ctrl+C: copy the selected text of an editor; else warn once, and quit (after
        saving) when pressed again within SECOND_CTRL_C_S."""
        focused = self.focused
        if isinstance(focused, TextArea | Input) and focused.selected_text:
            focused.action_copy()
            return
        now = time.monotonic()
        if self._interrupted_at is not None and now - self._interrupted_at <= SECOND_CTRL_C_S:
            self._save_and_exit()
            return
        self._interrupted_at = now
        self.notify("Press Ctrl+C again to quit (every edit is saved), or q.", timeout=4)

    def flush(self) -> None:
        """Write every editor's pending text, on every screen."""
        for screen in self.screen_stack:
            flush = getattr(screen, "flush", None)
            if callable(flush):
                flush()

    async def action_quit(self) -> None:
        """Ctrl+Q anywhere, q on the review screen: write every pending edit, then exit."""
        self._save_and_exit()

    def _save_and_exit(self) -> None:
        """The one way out (quit keys and SIGHUP/SIGTERM): flush the editors, then exit."""
        self.flush()
        self.exit()

    def on_unmount(self) -> None:
        # The caller closes the workspace once the app returns: no thread may use it then.
        if not self.threads.stop_and_wait(timeout=STOP_TIMEOUT):
            self.log.warning("worker threads still use the store after", STOP_TIMEOUT, "s")


def make_app(
    ws: Workspace,
    *,
    graphics: Graphics = "auto",
    captioner: Captioner | None = None,
    provider: str | None = None,
    player: Player | Literal["auto"] | None = "auto",
    handle_signals: bool = False,
    tune_gc: bool = False,
    watch_interval: float = WATCH_INTERVAL,
    truecolor: bool | None = None,
) -> ReviewApp:
    """The review app for WS.

    graphics: how frames are drawn ("auto" picks Kitty/Sixel/half blocks; tests pin
    "halfcell"). captioner: the caption batch (default: the domain's caption_samples).
    provider: the caption provider for c/C (default: the config file's, else replay).
    player: opens a clip (default: the system's player when there is one a person sees;
    None: the review plays it in the terminal). truecolor: draw in 24-bit colour (default:
    when the terminal has it, asking tmux inside tmux). handle_signals: write pending edits
    on SIGHUP/SIGTERM; tune_gc: exempt what the session loaded at start from garbage
    collection (the CLI sets both: they act on the whole process). watch_interval: seconds
    between two looks at the store for what another program (the CLI) wrote meanwhile.
    """
    return ReviewApp(
        ws,
        graphics=graphics,
        captioner=captioner,
        provider=provider,
        player=player,
        handle_signals=handle_signals,
        tune_gc=tune_gc,
        watch_interval=watch_interval,
        truecolor=truecolor,
    )
