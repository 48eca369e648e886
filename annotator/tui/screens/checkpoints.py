"""Compare checkpoints: every checkpoint's preview of one validation sample, side by side.

The guide asks the person to watch the preview of every checkpoint and pick the one that
shows the effect best without distorted motion (a middle one is often better than the
last). Each column is one checkpoint: its step and a filmstrip of its preview; up and
down go through the validation samples, b marks the focused checkpoint as the best (the
choice is stored), e exports and deploys the best after a confirmation that shows the
cost. The work is the board's (annotator/pipeline/checkpoint_review.py, handed in by the
CLI): this module holds no store and no client.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar, Protocol

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Footer, Label, Static
from textual.worker import Worker, WorkerState

from annotator.safetext import outside_text
from annotator.tui.frames import FILMSTRIP_COUNT, FrameCache
from annotator.tui.player import Player, system_player
from annotator.tui.widgets.frames import Graphics
from annotator.tui.widgets.strips import StripColumn


class PreviewLike(Protocol):
    """One checkpoint's video of one validation sample (the board's Preview)."""

    @property
    def checkpoint(self) -> str: ...
    @property
    def step(self) -> int | None: ...
    @property
    def sample(self) -> int: ...
    @property
    def prompt(self) -> str: ...
    @property
    def path(self) -> Path | None: ...


class Board(Protocol):
    """What the view asks of the workspace and the service (may block: run on a worker)."""

    @property
    def title(self) -> str: ...
    def load(self) -> Sequence[PreviewLike]: ...
    @property
    def problems(self) -> Sequence[str]: ...
    def chosen(self) -> str | None: ...
    def choose(self, checkpoint: str) -> None: ...
    def cost(self, checkpoint: str) -> str: ...
    def export_and_deploy(self, checkpoint: str) -> str: ...


class ConfirmScreen(ModalScreen[bool]):
    """Yes or no, with what it costs; dismisses with the answer."""

    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str, detail: str) -> None:
        super().__init__()
        self.question, self.detail = question, detail

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Label(Text(self.question, style="bold"), classes="dialog-title")
            yield Static(Text(self.detail), id="confirm-detail")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Yes (y)", variant="primary", id="yes")
                yield Button("No (n)", id="no")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    @on(Button.Pressed, "#yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def _no(self) -> None:
        self.dismiss(False)


class CheckpointsScreen(Screen[None]):
    """The board: columns of checkpoints for one validation sample at a time."""

    DEFAULT_CSS = """
    #board-title, #sample-line, #message { height: auto; padding: 0 1; }
    #columns { height: 1fr; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,h", "move(-1)", "Prev checkpoint", id="checkpoints.left"),
        Binding("right,l", "move(1)", "Next checkpoint", id="checkpoints.right"),
        Binding("up,k", "sample(-1)", "Prev sample", id="checkpoints.up"),
        Binding("down,j", "sample(1)", "Next sample", id="checkpoints.down"),
        Binding("b,space", "best", "Mark best", id="checkpoints.best"),
        Binding("v,enter", "play", "Play", id="checkpoints.play"),
        Binding("e", "deploy", "Export+deploy best", id="checkpoints.deploy"),
        Binding("q", "app.quit", "Quit", id="checkpoints.quit"),
    ]

    def __init__(self, board: Board, cache: FrameCache, graphics: Graphics, player: Player) -> None:
        super().__init__()
        self.board, self.cache, self.graphics, self.player = board, cache, graphics, player
        self.previews: list[PreviewLike] = []
        self.checkpoints: list[str] = []
        self.samples: list[int] = []
        self.focus_index = 0
        self.sample_index = 0
        self.best: str | None = None
        self.busy = False

    def compose(self) -> ComposeResult:
        yield Label(Text(outside_text(self.board.title), style="bold"), id="board-title")
        yield Static("loading the checkpoints and their previews…", id="sample-line")
        yield Horizontal(id="columns")
        yield Static("", id="message")
        yield Footer()

    def on_mount(self) -> None:
        self.busy = True
        self._load()

    @work(thread=True, exclusive=True, group="board", exit_on_error=False)
    def _load(self) -> tuple[list[PreviewLike], str | None]:
        previews = list(self.board.load())
        for p in previews:  # decode every filmstrip here, not on the UI thread
            if p.path is not None:
                self.cache.filmstrip(p.path, FILMSTRIP_COUNT)
        return previews, self.board.chosen()

    @on(Worker.StateChanged)
    async def _worker_done(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group != "board" or worker.state not in (
            WorkerState.SUCCESS,
            WorkerState.ERROR,
        ):
            return
        self.busy = False
        if worker.state is WorkerState.ERROR:
            self.say(f"failed: {worker.error}")
            return
        result = worker.result
        if worker.name == "_load":
            previews, best = result  # type: ignore[misc]
            await self._loaded(previews, best)
        elif isinstance(result, str):
            self.say(result)

    async def _loaded(self, previews: list[PreviewLike], best: str | None) -> None:
        self.previews, self.best = previews, best
        self.checkpoints = list(dict.fromkeys(p.checkpoint for p in previews))
        self.samples = sorted({p.sample for p in previews})
        columns = self.query_one("#columns", Horizontal)
        await columns.remove_children()
        await columns.mount_all(
            StripColumn(self.graphics, id=f"ckpt-{n}") for n in range(len(self.checkpoints))
        )
        if not self.checkpoints:
            self.query_one("#sample-line", Static).update(
                "no checkpoint previews yet: the service renders them once the job completes"
            )
            return
        if best in self.checkpoints:
            self.focus_index = self.checkpoints.index(best)
        self.refresh_board()
        if self.board.problems:  # previews that could not be fetched, each with why
            self.say("; ".join(self.board.problems))

    def preview(self, checkpoint: str, sample: int) -> PreviewLike | None:
        for p in self.previews:
            if p.checkpoint == checkpoint and p.sample == sample:
                return p
        return None

    @property
    def focused_checkpoint(self) -> str | None:
        return self.checkpoints[self.focus_index] if self.checkpoints else None

    def refresh_board(self) -> None:
        """Draw the columns for the validation sample on screen."""
        if not self.samples:
            return
        sample = self.samples[self.sample_index]
        first = next((p for p in self.previews if p.sample == sample), None)
        prompt = outside_text(first.prompt) if first else ""
        line = f"validation sample {self.sample_index + 1}/{len(self.samples)}: {prompt}"
        self.query_one("#sample-line", Static).update(Text(line))
        for n, checkpoint in enumerate(self.checkpoints):
            found = self.preview(checkpoint, sample)
            frames = self.cache.filmstrip(found.path) if found and found.path else []
            step = found.step if found else None
            title = Text(outside_text(checkpoint), style="bold" if n == self.focus_index else "")
            if step is not None:
                title.append(f" · step {step}")
            if checkpoint == self.best:
                title.append(" ★ best", style="bold green")
            column = self.query_one(f"#ckpt-{n}", StripColumn)
            column.show(title, frames, n == self.focus_index)

    def say(self, message: str) -> None:
        self.query_one("#message", Static).update(Text(outside_text(message)))

    def action_move(self, delta: int) -> None:
        if self.checkpoints:
            self.focus_index = (self.focus_index + delta) % len(self.checkpoints)
            self.refresh_board()

    def action_sample(self, delta: int) -> None:
        if self.samples:
            self.sample_index = (self.sample_index + delta) % len(self.samples)
            self.refresh_board()

    def action_best(self) -> None:
        checkpoint = self.focused_checkpoint
        if checkpoint is None:
            return
        self.board.choose(checkpoint)
        self.best = checkpoint
        self.refresh_board()
        self.say(f"{checkpoint} marked as the best; e exports and deploys it")

    def action_play(self) -> None:
        if self.focused_checkpoint is None or not self.samples:
            return
        found = self.preview(self.focused_checkpoint, self.samples[self.sample_index])
        if found is None or found.path is None:
            self.say("no preview video for this checkpoint and sample")
            return
        problem = self.player(found.path)
        self.say(problem or f"playing {found.path.name}")

    def action_deploy(self) -> None:
        best = self.best
        if best is None:
            self.say("mark the best checkpoint first (b)")
            return
        if self.busy:
            self.say("busy: wait for the work under way")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.busy = True
                self.say(f"exporting and deploying {best}…")
                self._export_and_deploy(best)

        question = f"Export {best} and deploy it?"
        self.app.push_screen(ConfirmScreen(question, self.board.cost(best)), answered)

    @work(thread=True, exclusive=True, group="board", exit_on_error=False)
    def _export_and_deploy(self, checkpoint: str) -> str:
        return self.board.export_and_deploy(checkpoint)


class CheckpointsApp(App[None]):
    """`annotator checkpoints DIR --review`: the board of one job."""

    CSS_PATH = "../app.tcss"
    ENABLE_COMMAND_PALETTE = False

    def __init__(
        self,
        board: Board,
        *,
        graphics: Graphics = "auto",
        player: Player = system_player,
    ) -> None:
        super().__init__()
        self.board, self.graphics, self.player = board, graphics, player
        self.cache = FrameCache()
        self.title = "annotator checkpoints"

    def get_default_screen(self) -> Screen[None]:
        return CheckpointsScreen(self.board, self.cache, self.graphics, self.player)
