"""Candidate clips from pictures: N generations of a Wan base model per picture (AI 生成筛选).

The guide's most common way to get training clips: generate many videos with the base
model, then keep by hand the ones that show the effect best. Each picture (kf2v: a pair
``STEM_first.*`` + ``STEM_last.*``) gets N candidates, each its own asynchronous video
synthesis task with its own seed. Every task gets its row before its create request
(`resume`, the sources table), so a re-run or a kill -9 never starts one twice: a row
left without a task id is looked up in the service's task list first. The request,
picture, polling and download helpers are generate.py's.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from annotator.basemodels import BASE_MODELS, DEFAULT_MODEL, Mode
from annotator.counting import counted
from annotator.export.naming import sanitize_stem
from annotator.finetune.client import Answer, DashScopeClient
from annotator.finetune.errors import InvalidRequestError, NotFoundError, PipelineError
from annotator.finetune.generate import (
    TASK_UNHAPPY,
    Picture,
    Settings,
    needs_oss,
    picture_url,
    refresh_task,
    synthesis_body,
)
from annotator.finetune.multipart import Progress
from annotator.finetune.poll import Poller
from annotator.finetune.resumable import Resumed, resume
from annotator.finetune.status import TASK_FINAL, TASK_SUCCEEDED
from annotator.userfiles import file_sha256
from annotator.workspace import Workspace
from annotator.workspace.remote import SOURCES, SourceTask

PICTURE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".bmp"})
GENERATED_FOLDER = "generated"  # under DIR: the next scan takes the videos as samples
RESOLUTIONS = ("480P", "720P", "1080P")
# Models that take fewer (the image-to-video API reference); the others take all three.
_MODEL_RESOLUTIONS = {"wan2.6": ("720P", "1080P"), "wan2.7": ("720P", "1080P")}
MAX_SEED = 2**31 - 1  # the API takes seeds in [0, 2147483647]
# A task listed at the service counts as a dead run's if made this long before its row.
_CLOCK_SLACK = timedelta(minutes=2)
TASK_UNKNOWN = "UNKNOWN"  # the service's status for a task it has no record of
# The task query API takes 20 requests a second per account: stay under it.
TASK_READS_PER_SECOND = 15


@dataclass(frozen=True)
class SourcePicture:
    """One input: a picture (i2v) or a first and last picture (kf2v), and its name."""

    stem: str
    pictures: tuple[Picture, ...]

    @property
    def identity(self) -> str:
        return "+".join(p.identity for p in self.pictures)


@dataclass(frozen=True)
class SourceOptions:
    """What shapes every candidate besides its picture and seed."""

    model: str
    mode: Mode
    prompt: str
    per_image: int = 2
    resolution: str = "720P"
    duration: int | None = None
    seed: int | None = None  # the first candidate's; the others count up from it


@dataclass(frozen=True)
class Candidate:
    """One video to make: candidate NUMBER (1..N) of SOURCE, with its seed."""

    source: SourcePicture
    number: int
    seed: int
    fingerprint: str


def default_model(mode: Mode, workspace_model: str | None) -> str:
    """The workspace's base model when it can make this mode's videos, else the mode's default."""
    if workspace_model and _fits(workspace_model, mode):
        return workspace_model
    return DEFAULT_MODEL[mode]


def _fits(model: str, mode: Mode) -> bool:
    # kf2v: the kf2v models (image2video path) and wan2.7-i2v (media: first and last frame).
    if mode is Mode.KF2V:
        return "kf2v" in model or uses_media(model)
    return "i2v" in model


def uses_media(model: str) -> bool:
    """Whether MODEL takes its pictures as ``input.media`` (wan2.7) rather than *_url keys."""
    return model.startswith("wan2.7")


def resolutions(model: str) -> tuple[str, ...]:
    """The resolutions MODEL makes."""
    family = next((f for f in _MODEL_RESOLUTIONS if model.startswith(f)), None)
    return _MODEL_RESOLUTIONS[family] if family else RESOLUTIONS


def check_options(options: SourceOptions) -> None:
    """PipelineError for a model, resolution, count or duration the service would refuse."""
    if not _fits(options.model, options.mode):
        fits = ", ".join(n for n in BASE_MODELS if _fits(n, options.mode))
        raise PipelineError(
            f"{options.model} does not make {options.mode.value} videos here; use one of {fits}"
        )
    allowed = resolutions(options.model)
    if options.resolution not in allowed:
        raise PipelineError(
            f"{options.model} makes {' or '.join(allowed)} videos, not {options.resolution!r}"
        )
    if options.per_image < 1:
        raise PipelineError("--per-image must be at least 1")
    if options.duration is not None and "wan2.2" in options.model and options.duration != 5:
        raise PipelineError(f"{options.model} makes 5 s videos only (--duration 5 or none)")
    if not options.prompt.strip():
        raise PipelineError("the prompt is empty: give --prompt TEXT or --prompt-file FILE")


def find_pictures(folder: Path, mode: Mode) -> tuple[list[SourcePicture], list[str]]:
    """The inputs in FOLDER, by name, and a problem line per picture left out.

    i2v: every picture. kf2v: each ``STEM_first.*`` with its ``STEM_last.*``. A picture
    (or pair) with the same content as one before it is left out: its candidates would be
    the same tasks.
    """
    if not folder.is_dir():
        raise PipelineError(f"{folder} is not a folder of pictures")
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in PICTURE_SUFFIXES)
    files = [p for p in files if p.is_file() and not p.name.startswith(".")]
    if mode is Mode.I2V:
        found = [SourcePicture(sanitize_stem(p.stem), (Picture.of(str(p)),)) for p in files]
        return _distinct(found, [])
    firsts = {p.stem[: -len("_first")]: p for p in files if p.stem.endswith("_first")}
    lasts = {p.stem[: -len("_last")]: p for p in files if p.stem.endswith("_last")}
    found, problems = [], []
    for stem in sorted(firsts):
        if stem not in lasts:
            problems.append(f"{firsts[stem].name}: no {stem}_last.* beside it; left out")
            continue
        pair = (Picture.of(str(firsts[stem])), Picture.of(str(lasts[stem])))
        found.append(SourcePicture(sanitize_stem(stem), pair))
    problems += [
        f"{p.name}: no {s}_first.* beside it; left out" for s, p in lasts.items() if s not in firsts
    ]
    others = [p.name for p in files if not p.stem.endswith(("_first", "_last"))]
    problems += [
        f"{n}: kf2v takes pairs named STEM_first.* and STEM_last.*; left out" for n in others
    ]
    return _distinct(found, problems)


def _distinct(
    found: list[SourcePicture], problems: list[str]
) -> tuple[list[SourcePicture], list[str]]:
    seen: dict[str, str] = {}
    kept = []
    for source in found:
        name = Path(source.pictures[0].text).name
        if source.identity in seen:
            problems.append(f"{name}: the same picture as {seen[source.identity]}; left out")
            continue
        seen[source.identity] = name
        kept.append(source)
    return kept, problems


def plan(endpoint: str, pictures: list[SourcePicture], options: SourceOptions) -> list[Candidate]:
    """Every candidate of every picture, each with its seed and fingerprint."""
    found = []
    for source in pictures:
        for number in range(1, options.per_image + 1):
            seed = _seed(source, options, number)
            data = {
                "endpoint": endpoint,
                "model": options.model,
                "mode": options.mode.value,
                "pictures": source.identity,
                "prompt": options.prompt,
                "resolution": options.resolution,
                "duration": options.duration,
                "seed": seed,
                "number": number,
            }
            text = json.dumps(data, sort_keys=True, ensure_ascii=False)
            fingerprint = hashlib.sha256(text.encode("utf-8")).hexdigest()
            found.append(Candidate(source, number, seed, fingerprint))
    return found


def _seed(source: SourcePicture, options: SourceOptions, number: int) -> int:
    """--seed K counts up from K; without it, a seed drawn from the picture, the prompt and
    the number: different for each candidate, the same on a re-run."""
    if options.seed is not None:
        return (options.seed + number - 1) % (MAX_SEED + 1)
    text = f"{source.identity}\n{options.prompt}\n{number}"
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:8], 16) % (MAX_SEED + 1)


def stored(ws: Workspace, endpoint: str, candidate: Candidate) -> SourceTask | None:
    """The stored task that serves CANDIDATE (answered, and not failed), if any."""
    for row in SOURCES.for_request(ws, endpoint, candidate.fingerprint):
        if row.task_id is not None and row.status not in TASK_UNHAPPY:
            return row
    return None


def forget_unanswered(ws: Workspace, endpoint: str, candidates: list[Candidate]) -> int:
    """Drop the rows of CANDIDATES whose create request was never answered (a dead run's),
    so they are started anew without looking for them at the service; how many."""
    dropped = 0
    for candidate in candidates:
        for row in SOURCES.for_request(ws, endpoint, candidate.fingerprint):
            if row.task_id is None:
                SOURCES.forget_attempt(ws, row.id)
                dropped += 1
    return dropped


def start_candidate(
    ws: Workspace, client: DashScopeClient, candidate: Candidate, options: SourceOptions
) -> Resumed[SourceTask]:
    """The task of CANDIDATE: the stored one, one a dead run started, or a new one."""
    request = _SourceRequest(client, candidate, options)
    return resume(ws, SOURCES, request, client.service.endpoint, candidate.fingerprint)


@dataclass(frozen=True)
class _SourceRequest:
    """A base-model video synthesis task as `resume` makes it (a Resource)."""

    client: DashScopeClient
    candidate: Candidate
    options: SourceOptions

    def _body(self, urls: list[str]) -> dict[str, Any]:
        o = self.options
        settings = Settings(
            prompt=o.prompt, resolution=o.resolution, duration=o.duration, seed=self.candidate.seed
        )
        return synthesis_body(o.model, o.mode, urls, settings, media=uses_media(o.model))

    def reusable(self, stored: SourceTask) -> bool:
        return stored.status not in TASK_UNHAPPY  # a failed one is made again

    def listed(self) -> Iterator[dict[str, Any]]:
        return self.client.iter_tasks(self.options.model)

    def made_by(self, item: Mapping[str, Any], attempt: SourceTask) -> bool:
        if item.get("model_name") not in (None, attempt.model):
            return False
        created = _when(item.get("gmt_create"))
        return created is None or created >= attempt.requested_at - _CLOCK_SLACK

    def new_row(self) -> dict[str, Any]:
        """The body as stored names the pictures by their paths; `create` sends them.
        PictureChangedError (before any row or request) for a picture gone or changed."""
        for pic in self.candidate.source.pictures:
            _still_there(pic)
        pictures = [p.text for p in self.candidate.source.pictures]
        first = self.candidate.source.pictures[0]
        return {
            "request": self._body(pictures),
            "model": self.options.model,
            "kind": self.options.mode.value,
            "picture": pictures[0],
            "last_picture": pictures[1] if len(pictures) > 1 else None,
            "picture_sha256": first.identity,
            "prompt": self.options.prompt,
            "seed": self.candidate.seed,
            "resolution": self.options.resolution,
            "duration": self.options.duration,
            "candidate": self.candidate.number,
        }

    def create(self, attempt: SourceTask) -> Answer:
        model = self.options.model
        try:
            urls = [
                picture_url(self.client, pic, model, inline=True)
                for pic in self.candidate.source.pictures
            ]
        except OSError as exc:  # gone since new_row looked: nothing was sent
            raise PictureChangedError(f"a picture cannot be read any more ({exc})") from None
        body = self._body(urls)
        # wan2.7 makes both on the video-generation path; the kf2v models on image2video.
        kf2v = self.options.mode is Mode.KF2V and not uses_media(model)
        return self.client.synthesize(body, kf2v=kf2v, oss=needs_oss(body))


class PictureChangedError(PipelineError):
    """A picture moved, changed or became unreadable after the run found it: its candidates
    are left out (the others go on)."""


def _still_there(pic: Picture) -> None:
    """PictureChangedError unless the local picture PIC still has the content it was
    planned with (its candidates' fingerprints and seeds were drawn from it)."""
    if pic.path is None:
        return
    try:
        same = file_sha256(pic.path) == pic.sha256
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise PictureChangedError(f"{pic.path.name} cannot be read any more ({reason})") from None
    if not same:
        raise PictureChangedError(f"{pic.path.name} changed since the run found it; run again")


def _when(value: Any) -> datetime | None:
    """A listed task's creation time (milliseconds since the epoch), if it says one."""
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.isdigit()):
        from datetime import UTC

        try:
            return datetime.fromtimestamp(float(value) / 1000, UTC)
        except (OverflowError, ValueError, OSError):  # a time no clock has: none said
            return None
    return None


def follow(
    ws: Workspace,
    client: DashScopeClient,
    rows: list[SourceTask],
    poller: Poller,
    on_update: Callable[[list[SourceTask], float], None] | None = None,
) -> list[SourceTask]:
    """Poll every task of ROWS not yet final until all are; the rows as they end.

    Reads are paced to TASK_READS_PER_SECOND (the account's limit is 20 a second).
    """
    clock = poller.clock
    sent: list[float] = []  # when the reads of the last second went out

    def paced(row: SourceTask) -> SourceTask:
        now = clock.now()
        sent[:] = [t for t in sent if now - t < 1.0]
        if len(sent) >= TASK_READS_PER_SECOND:
            clock.sleep(1.0 - (now - sent[0]))
        sent.append(clock.now())
        try:
            return refresh_task(ws, client, SOURCES, row)
        except (NotFoundError, InvalidRequestError) as exc:
            # The service no longer has the task (its records last 24 h), or refuses its id:
            # it ends UNKNOWN, as the service itself says of such a task, and the others
            # are still followed.
            gone = {"status": TASK_UNKNOWN, "code": "NotFound", "message": exc.message}
            return SOURCES.update(ws, row.id, gone)

    def fetch() -> list[SourceTask]:
        current = [SOURCES.by_row(ws, row.id) for row in rows]
        return [paced(row) if row.status not in TASK_FINAL else row for row in current]

    return poller.wait(
        fetch,
        lambda found: all(r.status in TASK_FINAL for r in found),
        on_update,
        what=f"{counted(len(rows), 'video task')}",
    )


def video_name(row: SourceTask) -> str:
    """The downloaded clip's name: the picture's stem, the candidate number, the task."""
    assert row.task_id is not None
    stem = Path(row.picture).stem
    if row.kind == Mode.KF2V.value:
        stem = stem.removesuffix("_first")
    # The task id is the server's word: only its letters and digits go into the name, so
    # that a "/" or ".." in it never puts the video outside the folder.
    task = sanitize_stem(row.task_id, "task")[:8]
    return f"{sanitize_stem(stem, 'picture')}-{row.candidate:02d}-{task}.mp4"


def download_candidate(
    ws: Workspace,
    client: DashScopeClient,
    row: SourceTask,
    folder: Path,
    progress: Progress | None = None,
) -> SourceTask:
    """Save a SUCCEEDED task's video into FOLDER (once); its path and sample id are stored."""
    if row.status != TASK_SUCCEEDED or not row.video_url:
        raise PipelineError(f"task {row.task_id} has no video ({row.status})")
    if row.video_path and Path(row.video_path).is_file() and row.sample_id:
        return row
    dest = folder / video_name(row)
    client.download(row.video_url, dest, progress)
    return SOURCES.update(ws, row.id, {"video_path": str(dest), "sample_id": file_sha256(dest)})


def source_of(ws: Workspace, sample_id: str) -> SourceTask | None:
    """Where a sample came from, when `annotator source` made it."""
    return SOURCES.first(ws, sample_id=sample_id)
