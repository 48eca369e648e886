"""Pick the best candidates: the clips generated from one picture, side by side.

`annotator source` makes N candidates per picture; the guide's way is to keep by hand the
ones that show the effect best. This screen shows one picture's candidates at a time,
each a column with its filmstrip, and takes one key per decision: a keeps the focused
candidate (accepted), x rejects it, K keeps it and rejects the picture's other candidates.
Every decision goes through the review's facade (the same writes, the same history).
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Static

from annotator.safetext import outside_text
from annotator.tui.domain import CandidateGroup, Domain
from annotator.tui.frames import FILMSTRIP_COUNT, FrameCache
from annotator.tui.player import Player, system_player
from annotator.tui.widgets.frames import Graphics
from annotator.tui.widgets.strips import StripColumn
from annotator.workspace import Sample, Status

NOT_PICKED = "not picked among its picture's candidates"
_MARKS = {Status.ACCEPTED: ("kept", "bold green"), Status.REJECTED: ("rejected", "red")}


class PickScreen(Screen[None]):
    """One picture's candidates at a time; up and down go through the pictures."""

    DEFAULT_CSS = """
    #pick-title, #pick-prompt, #pick-message { height: auto; padding: 0 1; }
    #candidates { height: 1fr; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,h", "move(-1)", "Prev candidate", id="pick.left"),
        Binding("right,l", "move(1)", "Next candidate", id="pick.right"),
        Binding("up,k", "picture(-1)", "Prev picture", id="pick.up"),
        Binding("down,j", "picture(1)", "Next picture", id="pick.down"),
        Binding("a,space", "decide('accepted')", "Keep", id="pick.keep"),
        Binding("x", "decide('rejected')", "Reject", id="pick.reject"),
        Binding("K", "keep_only", "Keep, reject the rest", id="pick.keep_only"),
        Binding("v,enter", "play", "Play", id="pick.play"),
        Binding("q", "app.quit", "Quit", id="pick.quit"),
    ]

    def __init__(self, domain: Domain, cache: FrameCache, graphics: Graphics, player: Player):
        super().__init__()
        self.domain, self.cache, self.graphics, self.player = domain, cache, graphics, player
        self.groups: list[CandidateGroup] = domain.candidate_groups()
        self.group_index = 0
        self.focus_index = 0

    def compose(self) -> ComposeResult:
        yield Static("", id="pick-title")
        yield Static("", id="pick-prompt")
        yield Horizontal(id="candidates")
        yield Static("", id="pick-message")
        yield Footer()

    async def on_mount(self) -> None:
        if not self.groups:
            self.query_one("#pick-title", Static).update(
                "no generated candidates in this workspace: make some with `annotator source`"
            )
            return
        await self._show_group()

    @property
    def group(self) -> CandidateGroup | None:
        return self.groups[self.group_index] if self.groups else None

    @property
    def candidate(self) -> Sample | None:
        group = self.group
        return group.samples[self.focus_index] if group and group.samples else None

    async def _show_group(self) -> None:
        group = self.group
        assert group is not None
        columns = self.query_one("#candidates", Horizontal)
        await columns.remove_children()
        await columns.mount_all(
            StripColumn(self.graphics, id=f"candidate-{n}") for n in range(len(group.samples))
        )
        self.focus_index = min(self.focus_index, len(group.samples) - 1)
        self.refresh_group()
        self._decode(group)

    @work(thread=True, exclusive=True, group="pick")
    def _decode(self, group: CandidateGroup) -> None:
        for sample in group.samples:
            self.cache.filmstrip(self.domain.root / sample.clip, FILMSTRIP_COUNT)
        self.app.call_from_thread(self.refresh_group)

    def refresh_group(self) -> None:
        """Draw the picture's line and every candidate's column."""
        group = self.group
        if group is None:
            return
        line = f"picture {self.group_index + 1}/{len(self.groups)}: {group.picture}"
        self.query_one("#pick-title", Static).update(Text(outside_text(line), style="bold"))
        prompt = Text(f"prompt: {outside_text(group.prompt)}")
        self.query_one("#pick-prompt", Static).update(prompt)
        for n, (sample, origin) in enumerate(zip(group.samples, group.origins, strict=True)):
            sample = self.domain.sample(sample.id)
            group.samples[n] = sample
            key = f"strip:{FILMSTRIP_COUNT}:{self.domain.root / sample.clip}"
            frames = self.cache.peek(key) or []
            title = Text(f"#{origin.candidate} · seed {origin.seed}")
            mark = _MARKS.get(sample.status)
            if mark:
                title.append(f" · {mark[0]}", mark[1])
            if n == self.focus_index:
                title.stylize("bold")
            column = self.query_one(f"#candidate-{n}", StripColumn)
            column.show(title, frames, n == self.focus_index)

    def say(self, message: str) -> None:
        self.query_one("#pick-message", Static).update(Text(outside_text(message)))

    def action_move(self, delta: int) -> None:
        group = self.group
        if group and group.samples:
            self.focus_index = (self.focus_index + delta) % len(group.samples)
            self.refresh_group()

    async def action_picture(self, delta: int) -> None:
        if self.groups:
            self.group_index = (self.group_index + delta) % len(self.groups)
            self.focus_index = 0
            await self._show_group()

    def _write(self, sample: Sample, status: Status) -> bool:
        reason = NOT_PICKED if status is Status.REJECTED else None
        try:
            self.domain.decide(sample.id, status, reason)
        except Exception as exc:  # a refused write is said, the session goes on
            self.say(f"could not save {sample.name}: {exc}")
            return False
        return True

    def action_decide(self, status: str) -> None:
        sample = self.candidate
        if sample is None:
            return
        if self._write(sample, Status(status)):
            self.refresh_group()
            self.say(f"{sample.name}: {_MARKS[Status(status)][0]}")

    def action_keep_only(self) -> None:
        group, sample = self.group, self.candidate
        if group is None or sample is None:
            return
        done = self._write(sample, Status.ACCEPTED)
        for other in group.samples:
            if done and other.id != sample.id:
                done = self._write(other, Status.REJECTED)
        self.refresh_group()
        if done:
            self.say(f"kept {sample.name}, rejected the other {len(group.samples) - 1}")

    def action_play(self) -> None:
        sample = self.candidate
        if sample is not None:
            problem = self.player(self.domain.root / sample.clip)
            self.say(problem or f"playing {sample.name}")


class PickApp(App[None]):
    """`annotator review DIR --pick`: the candidates of each picture, to keep the best."""

    CSS_PATH = "../app.tcss"
    ENABLE_COMMAND_PALETTE = False

    def __init__(
        self, domain: Domain, *, graphics: Graphics = "auto", player: Player = system_player
    ) -> None:
        super().__init__()
        self.domain, self.graphics, self.player = domain, graphics, player
        self.cache = FrameCache()
        self.title = f"annotator review --pick · {domain.root.name}"

    def get_default_screen(self) -> Screen[None]:
        return PickScreen(self.domain, self.cache, self.graphics, self.player)
