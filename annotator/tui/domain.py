"""The one way from the review UI to the workspace and the domain.

Screens and widgets never hold the store and never import ``annotator.pipeline``,
``prompts``, ``checks``, ``mining``, ``captioning`` or ``media``: they ask the ``Domain``
here, and take the values it returns (the workspace's models, the findings, the views
below). The domain packages are imported late, so the app starts fast.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from annotator.checks.findings import SEVERITY_ORDER, Finding, Severity
from annotator.verdicts import SampleVerdict
from annotator.workspace import Caption, HistoryEntry, Sample, Status, Workspace, WorkspaceInfo

if TYPE_CHECKING:
    from PIL import Image

    from annotator.captioning import BatchProgress, BatchSummary
    from annotator.mining.phrases import Phrase
    from annotator.workspace.remote import SourceTask

__all__ = [
    "SEVERITY_ORDER",
    "AssembledPrompt",
    "BatchStep",
    "CandidateGroup",
    "Captioner",
    "Domain",
    "Finding",
    "PhraseView",
    "Playback",
    "SampleOrigin",
    "SampleVerdict",
    "Severity",
    "TrimView",
    "edit_summary",
    "filmstrip",
    "playback",
]

CURRENT_KEY = "review.current"  # the sample on screen, so that reopening returns to it


class Captioner(Protocol):
    """The caption batch: ``annotator.pipeline.caption.caption_samples``, or a test's own."""

    def __call__(
        self,
        ws: Workspace,
        sample_ids: Sequence[str] | None = None,
        *,
        provider: str | None = None,
        force: bool = False,
        on_progress: Callable[[BatchProgress], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> BatchSummary: ...


@dataclass(frozen=True)
class AssembledPrompt:
    """A sample's prompt and where each part sits in it (empty for an override)."""

    text: str
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class PhraseView:
    """A mined effect phrase as the template view shows it."""

    text: str
    support: float
    position: float
    source: Phrase  # handed back to template_from_phrases


@dataclass(frozen=True)
class BatchStep:
    """One progress report of the caption batch, read from the domain's BatchProgress."""

    done: int  # requests with an outcome: captioned, failed or skipped
    total: int
    failed: int
    note: str | None  # what just happened, if notable (a failure, a retry)

    @classmethod
    def read(cls, progress: BatchProgress) -> BatchStep:
        return cls(
            done=progress.finished,
            total=progress.total,
            failed=progress.failed,
            note=progress.message,
        )


@dataclass(frozen=True)
class SampleOrigin:
    """Where a generated sample came from (`annotator source`): its picture and prompt."""

    picture: str  # the picture's file name (kf2v: the first picture's)
    last_picture: str | None
    prompt: str
    model: str
    seed: int
    task_id: str | None
    candidate: int  # its number among the candidates of its picture


@dataclass(frozen=True)
class CandidateGroup:
    """The candidates made from one picture and prompt, to pick the best of."""

    picture: str
    prompt: str
    samples: list[Sample]
    origins: list[SampleOrigin]


@dataclass(frozen=True)
class TrimView:
    """What the trim view shows of a sample's source clip: pictures across it with their
    times, the trim it has now, and the base model's limits."""

    duration_s: float
    fps: float
    times: list[float]
    pictures: list[Image.Image]
    start_s: float  # the trim now: 0 and the clip's end when it has none
    end_s: float
    model: str
    min_s: float
    max_s: float


class Domain:
    """What the review session reads, writes and asks of one workspace.

    Each write returns what the store wrote, so the session shows it without reading
    the row again.
    """

    def __init__(self, ws: Workspace, captioner: Captioner | None = None) -> None:
        self._ws = ws
        self._captioner = captioner
        # The phrases of the template view's last mining run: every template is built
        # from all of them (as the CLI does), and they are stored with the template.
        self._mined: list[Phrase] | None = None

    # -- reading -----------------------------------------------------------------------

    @property
    def root(self) -> Path:
        return self._ws.root

    @property
    def info(self) -> WorkspaceInfo:
        return self._ws.info

    def samples(self) -> list[Sample]:
        """The present samples, in workspace order."""
        return self._ws.samples()

    def sample(self, sample_id: str) -> Sample:
        return self._ws.sample(sample_id)

    def latest_captions(self) -> dict[str, Caption]:
        return self._ws.latest_captions()

    def template(self) -> str | None:
        return self._ws.template()

    def data_version(self) -> int:
        """A number that changes when another connection (the CLI) commits to the store;
        the session's own writes, its caption batch's included, leave it alone."""
        return self._ws.data_version()

    def origin(self, sample_id: str) -> SampleOrigin | None:
        """Where SAMPLE_ID came from, when `annotator source` made it."""
        from annotator.workspace.remote import SOURCES

        row = SOURCES.first(self._ws, sample_id=sample_id)
        return None if row is None else _origin(row)

    def candidate_groups(self) -> list[CandidateGroup]:
        """The present generated samples, grouped by picture and prompt, in picture order."""
        from annotator.workspace.remote import SOURCES

        present = {s.id: s for s in self._ws.samples()}
        groups: dict[tuple[str, str | None, str], CandidateGroup] = {}
        rows = sorted(SOURCES.select(self._ws), key=lambda r: (r.picture, r.candidate, r.id))
        for row in rows:
            sample = present.get(row.sample_id or "")
            if sample is None or any(sample in g.samples for g in groups.values()):
                continue
            key = (row.picture, row.last_picture, row.prompt)
            origin = _origin(row)
            group = groups.setdefault(key, CandidateGroup(origin.picture, row.prompt, [], []))
            group.samples.append(sample)
            group.origins.append(origin)
        return list(groups.values())

    def remembered(self) -> str | None:
        """The sample on screen when the last session ended."""
        return self._ws.meta(CURRENT_KEY)

    def remember(self, sample_id: str) -> None:
        if self._ws.meta(CURRENT_KEY) != sample_id:
            self._ws.set_meta(CURRENT_KEY, sample_id)

    # -- a person's edits --------------------------------------------------------------

    def edit(self, sample_id: str, field: str, value: str | None, *, merge_s: float = 0) -> Sample:
        """Write one field (MERGE_S: one undo step with the same field's edit that recent)."""
        return self._ws.edit(sample_id, field, value, merge_within_s=merge_s)

    def decide(self, sample_id: str, status: Status, reason: str | None = None) -> Sample:
        """Accept or reject, with the reason for a rejection."""
        return self._ws.set_status(sample_id, status, reason)

    def undo(self) -> HistoryEntry | None:
        return self._ws.undo()

    def redo(self) -> HistoryEntry | None:
        return self._ws.redo()

    def set_template(self, text: str) -> None:
        """Write the effect template (kept in the history; empty removes it), with the
        mined phrases when the template view mined them, as `annotator mine --apply` does:
        prompts cut those wordings out of free-form captions."""
        if not text or self._mined is None:
            self._ws.set_workspace_field("template", text or None)
            return
        from annotator.pipeline.mine import apply_template

        apply_template(self._ws, self._mined, text)

    # -- clip edits (issue 13) ----------------------------------------------------------

    def trim_view(self, sample: Sample, count: int) -> TrimView:
        """COUNT pictures across SAMPLE's source with their times, its trim now and the
        model's limits (slow: decodes the source; a worker's)."""
        from annotator.basemodels import get_base_model
        from annotator.media.timeline import timeline
        from annotator.pipeline.edits import sample_edit

        line = timeline(self._ws.root / sample.path, count)
        edit = sample_edit(sample)
        model = get_base_model(self._ws.info.base_model)
        end = line.duration_s if edit.end_s is None else min(edit.end_s, line.duration_s)
        return TrimView(
            duration_s=line.duration_s,
            fps=line.fps,
            times=line.times,
            pictures=line.pictures,
            start_s=edit.start_s or 0.0,
            end_s=end,
            model=model.name,
            min_s=model.min_duration_s,
            max_s=model.max_duration_s,
        )

    def trim(self, sample: Sample, start_s: float | None, end_s: float | None) -> Sample:
        """Trim SAMPLE's clip to START_S-END_S of its source (None: its start, its end),
        keeping the rest of its edit; undoable (slow: renders; a worker's)."""
        from annotator.pipeline.fix import trim_sample

        return trim_sample(self._ws, sample, start_s, end_s)

    # -- the domain's work -------------------------------------------------------------

    def assemble(self, sample: Sample) -> AssembledPrompt:
        """The sample's prompt, from the one place that builds prompts (parts coloured when
        the prompt was assembled, none for a person's own text)."""
        from annotator.pipeline.prompts import load_prompt
        from annotator.prompts.build import PromptSource

        built = load_prompt(self._ws, sample)
        if built.source is not PromptSource.ASSEMBLED:
            return AssembledPrompt(text=built.text)
        names = ("subject", "background", "trigger", "template")
        return AssembledPrompt(text=built.text, spans={n: getattr(built.parts, n) for n in names})

    def findings(self) -> list[Finding]:
        """Every finding of the dataset checks, prompt lint included (slow: a worker's)."""
        from annotator.pipeline.check import check_workspace

        return list(check_workspace(self._ws).findings)

    def own_findings(self, samples: Sequence[Sample]) -> dict[str, list[Finding]]:
        """Each sample's findings from its own rules alone (its clip, its prompt's lint, its
        verdict), by the checks that `check` runs, over that sample as if it were the set:
        quick enough for each saved edit. The set's rules (count, one motion text, outlier
        lengths) come with ``findings``. A sample out of the dataset (rejected) has none."""
        from annotator.checks import run_checks
        from annotator.pipeline.prompts import prompt_context
        from annotator.prompts.build import PromptSet, build_prompt
        from annotator.workspace.verdicts import latest_verdicts, verdicts_of

        ws = self._ws
        context = prompt_context(ws)
        if len(samples) == 1:  # a saved edit: read that sample's rows alone
            sid = samples[0].id
            its_captions, its_verdicts = ws.captions(sid), verdicts_of(ws, sid)
            captions = {sid: its_captions[-1]} if its_captions else {}
            latest = {sid: its_verdicts[-1]} if its_verdicts else {}
        else:
            captions, latest = ws.latest_captions(), latest_verdicts(ws)
        found: dict[str, list[Finding]] = {}
        for sample in samples:
            if not sample.counts:
                found[sample.id] = []
                continue
            prompt = build_prompt(sample, captions.get(sample.id), context)
            verdict = latest.get(sample.id)
            report = run_checks(
                [sample],
                [],
                PromptSet(context, {sample.id: prompt}),
                root=ws.root,
                base_model=ws.info.base_model,
                verdicts=(
                    {sample.id: verdict.seen_against(prompt.text, sample.clip_key)}
                    if verdict
                    else {}
                ),
            )
            found[sample.id] = [f for f in report.findings if f.sample_id == sample.id]
        return found

    def verdicts(self) -> dict[str, SampleVerdict]:
        """The vision model's latest verdict on each verified sample, stale where the prompt
        changed since (slow: a worker's; it builds every prompt)."""
        from annotator.pipeline.prompts import load_prompts
        from annotator.pipeline.verify import load_verdicts

        return load_verdicts(self._ws, load_prompts(self._ws))

    def verdict(self, sample: Sample, prompt: str) -> SampleVerdict | None:
        """One sample's latest verdict, stale when PROMPT (as shown) is not what was verified
        or the clip was edited since."""
        from annotator.workspace.verdicts import verdicts_of

        stored = verdicts_of(self._ws, sample.id)
        return stored[-1].seen_against(prompt, sample.clip_key) if stored else None

    def mine(self) -> list[PhraseView]:
        """The effect phrases mined from the latest captions, as the template view lists them.

        Reads only: the phrases are stored when a template is written (``set_template``),
        never by looking at them.
        """
        from annotator.mining.phrases import one_per_wording
        from annotator.pipeline.mine import mine_workspace

        phrases = mine_workspace(self._ws)
        self._mined = phrases
        return [
            PhraseView(text=p.text, support=p.support, position=p.position, source=p)
            for p in one_per_wording(phrases)
        ]

    def template_from(self, phrases: Sequence[PhraseView]) -> str:
        """The standard motion description written from the picked phrases, in order; the
        trigger the captions carry and their common words come from every mined phrase, as
        in `annotator mine`."""
        from annotator.pipeline.mine import template_from_phrases

        picked = [p.source for p in phrases]
        return template_from_phrases(self._ws, self._mined or picked, picked=picked)

    def caption(
        self,
        sample_ids: Sequence[str] | None,
        *,
        provider: str | None,
        force: bool,
        on_step: Callable[[BatchStep], None],
        cancel: threading.Event,
    ) -> str | None:
        """Run the caption batch (blocking: a worker's); why it stopped early, if it did."""
        captioner = self._captioner or _default_captioner()
        summary = captioner(
            self._ws,
            None if sample_ids is None else list(sample_ids),
            provider=provider,
            force=force,
            on_progress=lambda progress: on_step(BatchStep.read(progress)),
            cancel=cancel,
        )
        return summary.stop_reason


def edit_summary(sample: Sample) -> str | None:
    """SAMPLE's clip edit in a few words ("trim 0.5-5.5 s, crop 160x88 at 0,16"), or None
    when it uses its source as it is."""
    if not sample.edit:
        return None
    from annotator.media.edits import ClipEdit

    return ClipEdit.from_json(sample.edit).describe()


def filmstrip(clip: Path, count: int) -> list[Image.Image]:
    """COUNT frames spread across CLIP (decodes the clip)."""
    from annotator.media import sample_frames

    return list(sample_frames(clip, count))


@dataclass(frozen=True)
class Playback:
    """A clip's frames to show one after the other, FPS a second: the clip's real time."""

    frames: list[Image.Image]
    fps: float


def playback(root: Path, sample: Sample, *, max_fps: float, max_frames: int, side: int) -> Playback:
    """SAMPLE's clip as frames to play, each at most SIDE pixels: every frame at the clip's
    own rate when that is at most MAX_FPS, else every k-th frame at the rate over k (a
    readable fraction, in the clip's own time); the first MAX_FRAMES of them (decodes the
    clip, keeping only the small frames it plays)."""
    import math

    from annotator.media.frames import to_display_image
    from annotator.media.probe import decode_frames, open_video

    facts = sample.probe
    fps = facts.fps if facts is not None and facts.fps > 0 else max_fps
    step = max(1, math.ceil(fps / max_fps))
    frames: list[Image.Image] = []
    with open_video(root / sample.clip) as (container, stream):
        for index, frame in enumerate(decode_frames(container, stream)):
            if index % step:
                continue
            picture = to_display_image(frame)
            picture.thumbnail((side, side))
            frames.append(picture)
            if len(frames) >= max_frames:
                break
    return Playback(frames, fps / step)


def _origin(row: SourceTask) -> SampleOrigin:
    return SampleOrigin(
        picture=Path(row.picture).name,
        last_picture=Path(row.last_picture).name if row.last_picture else None,
        prompt=row.prompt,
        model=row.model,
        seed=row.seed,
        task_id=row.task_id,
        candidate=row.candidate,
    )


def _default_captioner() -> Captioner:
    from annotator.pipeline.caption import caption_samples

    return caption_samples
