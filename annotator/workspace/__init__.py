"""The workspace store: samples, captions, the template and the edit history in SQLite."""

from annotator.workspace.claims import Claim, Claimant, ClaimOutcome
from annotator.workspace.models import (
    Caption,
    ClipEditColumns,
    FileRecord,
    FrameSource,
    HistoryEntry,
    Problem,
    Pronoun,
    Sample,
    Status,
    WorkspaceInfo,
)
from annotator.workspace.store import (
    STORE_DIR,
    NotAWorkspaceError,
    SampleNotFoundError,
    StoreWriteError,
    Workspace,
    WorkspaceError,
)

__all__ = [
    "STORE_DIR",
    "Caption",
    "Claim",
    "ClaimOutcome",
    "Claimant",
    "ClipEditColumns",
    "FileRecord",
    "FrameSource",
    "HistoryEntry",
    "NotAWorkspaceError",
    "Problem",
    "Pronoun",
    "Sample",
    "SampleNotFoundError",
    "Status",
    "StoreWriteError",
    "Workspace",
    "WorkspaceError",
    "WorkspaceInfo",
]
