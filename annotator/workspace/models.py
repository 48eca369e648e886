"""Pydantic models of what the workspace stores: the edges between the store and the rest."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from annotator.basemodels import Mode
from annotator.clipfacts import ClipFacts


class Status(StrEnum):
    """Where a sample stands in review."""

    NEW = "new"
    CAPTIONED = "captioned"
    REVIEWED = "reviewed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    ERROR = "error"


class Pronoun(StrEnum):
    SHE = "she"
    HE = "he"
    IT = "it"


class WorkspaceInfo(BaseModel):
    """The settings of one workspace, fixed at init and changeable later."""

    model_config = ConfigDict(frozen=True)

    mode: Mode
    base_model: str
    lang: str = "en"
    trigger: str | None = None


class FrameSource(StrEnum):
    SIDECAR = "sidecar"  # an image the user put next to the clip
    EXTRACTED = "extracted"  # decoded from the clip and cached under .annotator/


class Sample(BaseModel):
    """One clip, identified by the sha256 of its bytes, with its annotation."""

    model_config = ConfigDict(frozen=True)

    id: str
    path: str  # relative to the workspace root, POSIX separators
    present: bool = True
    status: Status = Status.NEW
    subject: str = ""
    background: str = ""
    pronoun: Pronoun | None = None
    prompt_override: str | None = None
    reject_reason: str | None = None
    error: str | None = None
    probe: ClipFacts | None = None  # None until a scan has read the clip
    first_frame: str | None = None  # relative path of the image used as first frame
    first_frame_source: FrameSource | None = None
    last_frame: str | None = None
    last_frame_source: FrameSource | None = None
    edit: str | None = None  # the clip edit's JSON (annotator.media.edits.ClipEdit), if any
    edited_clip: str | None = None  # the rendered edit under .annotator/media/, when there is one
    edit_key: str | None = None  # the hash of that edit; None while the source is used as it is
    added_at: datetime
    updated_at: datetime

    @property
    def name(self) -> str:
        """The clip's file name."""
        return self.path.rsplit("/", 1)[-1]

    @property
    def clip(self) -> str:
        """The clip everything uses (frames, checks, models, review, export), relative to the
        root: the rendered edit when the sample has one, else the source."""
        return self.edited_clip or self.path

    @property
    def clip_key(self) -> str:
        """What a result computed from ``clip`` is cached under: the source's hash, plus the
        edit's when there is one."""
        return self.id if self.edit_key is None else f"{self.id}+{self.edit_key}"

    @property
    def counts(self) -> bool:
        """True when the sample belongs in the dataset: its clip is present, a person kept it."""
        return self.present and self.status is not Status.REJECTED


class ClipEditColumns(BaseModel):
    """What one clip edit sets on a sample, kept whole in one history entry: the edit, the
    rendered clip, that clip's facts and its frame images. All None but the probe and the
    frames: the source as it is (the state an undo of the first edit returns to)."""

    model_config = ConfigDict(frozen=True)

    edit: str | None = None
    edit_key: str | None = None
    edited_clip: str | None = None
    probe: ClipFacts | None = None
    first_frame: str | None = None
    first_frame_source: FrameSource | None = None
    last_frame: str | None = None
    last_frame_source: FrameSource | None = None


class Caption(BaseModel):
    """One answer of a vision-language model for one sample."""

    model_config = ConfigDict(frozen=True)

    id: int
    sample_id: str
    provider: str
    model: str
    instruction: str
    fps: float
    cache_key: str
    text: str
    fields: dict[str, str] | None = None
    flagged: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    created_at: datetime


class Problem(BaseModel):
    """Why a file cannot be used, in plain words, and what to do about it (None: no fix
    beyond replacing or removing the file)."""

    model_config = ConfigDict(frozen=True)

    message: str
    fix: str | None = None

    def __str__(self) -> str:
        """The problem on one line, the fix after a semicolon: for a terminal, not storage."""
        return self.message if self.fix is None else f"{self.message}; {self.fix}"


class FileRecord(BaseModel):
    """A file in the workspace folder as the last scan saw it."""

    model_config = ConfigDict(frozen=True)

    path: str
    kind: str  # clip, image, other
    size: int
    mtime_ns: int
    sha256: str | None = None
    error: Problem | None = None
    duplicate_of: str | None = None  # the path of the clip with the same content, if any


class HistoryEntry(BaseModel):
    """One change of a person's work, kept so it can be undone."""

    model_config = ConfigDict(frozen=True)

    id: int
    at: datetime
    sample_id: str | None  # None for workspace-level changes (the template, the trigger)
    field: str
    old: str | None
    new: str | None
    undone: bool = False
