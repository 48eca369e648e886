"""The workspace: one folder of clips and the SQLite store under its .annotator/ folder."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from annotator.clipfacts import ClipFacts
from annotator.errors import AnnotatorError
from annotator.safetext import outside_text, strip_controls
from annotator.shellcmd import command
from annotator.workspace import claims as claim_rows
from annotator.workspace.claims import Claim, Claimant, ClaimOutcome
from annotator.workspace.db import connect, now_iso
from annotator.workspace.models import (
    Caption,
    ClipEditColumns,
    FileRecord,
    HistoryEntry,
    Problem,
    Sample,
    Status,
    WorkspaceInfo,
)

STORE_DIR = ".annotator"
DB_NAME = "workspace.db"

# What a person edits, per sample; each change is one history entry that undo reverts.
EDITABLE_FIELDS = frozenset(
    {"subject", "background", "pronoun", "prompt_override", "status", "reject_reason"}
)
_PROMPT_FIELDS = frozenset({"subject", "background", "pronoun", "prompt_override"})
# What a person edits for the whole workspace (history entries with no sample).
WORKSPACE_FIELDS = frozenset({"template", "trigger"})
# Text a model, a server, an imported file or a paste can bring in: one line, no control
# characters (a terminal would run them, an export would carry them to the service).
_TEXT_FIELDS = frozenset({"subject", "background", "prompt_override", "reject_reason"})
_INFO_KEYS = ("mode", "base_model", "lang", "trigger")
# The history field of a clip edit: its old and new values are the JSON of every column
# the edit sets (ClipEditColumns), so undo puts the clip, its probe and its frames back whole.
CLIP_EDIT_FIELD = "edit"
# The history field of a rejection: its old and new values are the JSON of the status and
# the reason, so one undo puts both back (a rejection with its reason is one step).
REJECTION_FIELD = "rejection"
_REJECTION_COLUMNS = ("status", "reject_reason")
_EDIT_COLUMNS = tuple(ClipEditColumns.model_fields)


class WorkspaceError(AnnotatorError):
    """A problem with the workspace itself; the message names the folder and the fix."""


class NotAWorkspaceError(WorkspaceError):
    pass


class SampleNotFoundError(WorkspaceError):
    pass


class StoreWriteError(WorkspaceError):
    """The store refused a write: the disk is full, the workspace read-only, the disk failing,
    or another program held the write lock too long. Nothing of that write was kept."""


# SQLite's primary result codes that mean "this write cannot happen here", with the fix.
_WRITE_FAILURES = {
    sqlite3.SQLITE_FULL: "the disk is full; free some space",
    sqlite3.SQLITE_READONLY: "the store is read-only; make {store} and the files in it writable",
    sqlite3.SQLITE_PERM: "the store is read-only; make {store} and the files in it writable",
    sqlite3.SQLITE_CANTOPEN: "the store is read-only; make {store} and the files in it writable",
    sqlite3.SQLITE_IOERR: "the disk reported an error; check the disk and free space",
    sqlite3.SQLITE_BUSY: "another program kept the store locked; close it (another review?)",
    sqlite3.SQLITE_LOCKED: "another program kept the store locked; close it (another review?)",
}

# SQLite's primary result codes of a store file that is no database any more.
_DAMAGED = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})


class Workspace:
    """A folder of clips and its store; every write is its own committed transaction."""

    def __init__(self, root: Path, db: sqlite3.Connection) -> None:
        self.root = root
        self._db = db
        # One connection serves the caption workers' threads too; writes take turns.
        self._lock = threading.RLock()

    # -- opening -------------------------------------------------------------------------

    @staticmethod
    def is_workspace(root: Path) -> bool:
        """True when ROOT holds a store."""
        return (root / STORE_DIR / DB_NAME).is_file()

    @classmethod
    def create(cls, root: Path, info: WorkspaceInfo) -> Workspace:
        """Make ROOT a workspace with INFO, or open it and update its settings if it is one."""
        root = _existing_dir(root)
        store = root / STORE_DIR
        try:
            store.mkdir(exist_ok=True)
        except OSError as exc:
            raise WorkspaceError(
                f"cannot create {store}: {exc.strerror}; make {root} writable "
                "(or copy the clips to a folder you can write to)"
            ) from exc
        ws = cls(root, _connect(store / DB_NAME))
        with ws.transaction():
            for key in _INFO_KEYS:
                value = getattr(info, key)
                if value is not None:
                    ws._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, str(value)))
        return ws

    @classmethod
    def open(cls, root: Path) -> Workspace:
        """Open the workspace at ROOT (migrating its store); the error says how to make one."""
        root = _existing_dir(root)
        if not cls.is_workspace(root):
            raise NotAWorkspaceError(
                f"{root} is not an annotator workspace: run `{command('init', root)} --mode i2v` "
                "(or --mode kf2v) first"
            )
        return cls(root, _connect(root / STORE_DIR / DB_NAME))

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def store_dir(self) -> Path:
        return self.root / STORE_DIR

    @property
    def frames_dir(self) -> Path:
        return self.store_dir / "frames"

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write: committed at the end, rolled back on any error.

        A write the store cannot take (full disk, read-only workspace, I/O error, a lock
        held too long) raises StoreWriteError, which names the store and the fix.
        """
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                    self._db.execute("COMMIT")
                except BaseException:
                    # SQLite rolls back by itself after some errors (SQLITE_FULL): only
                    # roll back what is still open, or the ROLLBACK error hides the cause.
                    if self._db.in_transaction:
                        self._db.execute("ROLLBACK")
                    raise
            except sqlite3.DatabaseError as exc:
                error = self._write_error(exc)
                if error is exc:
                    raise
                raise error from exc

    def _write_error(self, exc: sqlite3.DatabaseError) -> Exception:
        """EXC as StoreWriteError when it is a write the store cannot take, else EXC."""
        path = self.store_dir / DB_NAME
        if _primary_code(exc) in _DAMAGED:
            # Overwritten or cut short under a running command: no write can go there.
            return StoreWriteError(
                f"{path} is damaged ({exc})",
                fix="restore it from a backup, or move it away and start anew with "
                f"`{command('init', self.root, '--mode', 'MODE')}`",
            )
        code = _primary_code(exc)
        fix = _WRITE_FAILURES.get(code)
        if fix is None:
            return exc
        if code == sqlite3.SQLITE_IOERR and not _writable(self.store_dir):
            # A file made read-only under an open store fails its writes as an I/O error:
            # the fix is the file's, not the disk's.
            fix = _WRITE_FAILURES[sqlite3.SQLITE_READONLY]
        return StoreWriteError(
            f"cannot write to {path} ({exc})", fix=fix.format(store=self.store_dir)
        )

    def check_writable(self) -> None:
        """Commit a real write, so a batch learns that the store is full or read-only
        before it sends (and pays for) a request. Raises StoreWriteError."""
        with self.transaction() as db:
            _write_meta(db, "write_checked_at", now_iso())

    def data_version(self) -> int:
        """A number that changes when another connection commits to the store; this
        connection's own writes leave it alone (SQLite's ``PRAGMA data_version``)."""
        return int(self._db.execute("PRAGMA data_version").fetchone()[0])

    def query(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        """Read from the store (the workspace package's other tables use it)."""
        return self._db.execute(sql, params)

    # -- settings ------------------------------------------------------------------------

    @property
    def info(self) -> WorkspaceInfo:
        rows = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
        return WorkspaceInfo.model_validate({k: rows[k] for k in _INFO_KEYS if k in rows})

    def meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def set_meta(self, key: str, value: str | None) -> None:
        """Set a workspace value that is not a person's edit (no history)."""
        with self.transaction() as db:
            _write_meta(db, key, value)

    # -- samples -------------------------------------------------------------------------

    def samples(self, *, include_missing: bool = False) -> list[Sample]:
        """The samples in a stable order (by path); missing clips only when asked."""
        sql = "SELECT * FROM samples"
        if not include_missing:
            sql += " WHERE present = 1"
        return [_sample(row) for row in self._db.execute(sql + " ORDER BY path, id")]

    def sample(self, sample_id: str) -> Sample:
        row = self._db.execute("SELECT * FROM samples WHERE id = ?", (sample_id,)).fetchone()
        if row is None:
            raise SampleNotFoundError(f"no sample {sample_id!r} in {self.root}")
        return _sample(row)

    def resolve(self, ref: str) -> Sample:
        """Find a sample by id, unique id prefix (>= 4 characters), clip path or file name."""
        matches = [
            s
            for s in self.samples(include_missing=True)
            if s.id == ref
            or (len(ref) >= 4 and s.id.startswith(ref))
            or s.path == ref
            or s.name == ref
        ]
        present = [s for s in matches if s.present]
        if len(matches) == 1 or len(present) == 1:
            return present[0] if len(present) == 1 else matches[0]
        if not matches:
            raise SampleNotFoundError(
                f"no sample matches {ref!r} in {self.root}; "
                "give a clip name or an id prefix as `annotator status` lists them"
            )
        names = ", ".join(s.path for s in matches)
        raise SampleNotFoundError(f"{ref!r} matches several samples ({names}); be more precise")

    def upsert_sample(self, sample_id: str, **columns: Any) -> None:
        """Insert or update a sample's scan-owned columns (path, presence, probe, frames).

        ``probe`` is a ``ClipFacts`` (or None); the store keeps it as JSON.
        """
        if "probe" in columns:
            columns["probe"] = _probe_json(columns["probe"])
        if "error" in columns:
            columns["error"] = _clean_error(columns["error"])
        now = now_iso()
        with self.transaction() as db:
            exists = db.execute("SELECT 1 FROM samples WHERE id = ?", (sample_id,)).fetchone()
            if exists is None:
                columns = {"id": sample_id, "added_at": now, "updated_at": now, **columns}
                names = ", ".join(columns)
                marks = ", ".join("?" * len(columns))
                db.execute(
                    f"INSERT INTO samples ({names}) VALUES ({marks})", list(columns.values())
                )
            elif columns:
                sets = ", ".join(f"{name} = ?" for name in columns)
                db.execute(
                    f"UPDATE samples SET {sets} WHERE id = ?", [*columns.values(), sample_id]
                )

    def set_present(self, sample_ids: Sequence[str], present: bool) -> None:
        with self.transaction() as db:
            db.executemany(
                "UPDATE samples SET present = ? WHERE id = ?",
                [(int(present), sid) for sid in sample_ids],
            )

    # -- a person's edits, with history -------------------------------------------------

    def edit(
        self,
        sample_id: str,
        field: str,
        value: str | None,
        *,
        merge_within_s: float = 0.0,
        record_same: bool = False,
    ) -> Sample:
        """Change one field a person edits; the old value goes to the history.

        MERGE_WITHIN_S: when the latest history entry changed the same field of the same
        sample less than this long ago, extend it instead, so one burst of typing is one
        undo step (the change is still committed at once). RECORD_SAME: a history entry
        even when the value stays (a person's decision made again, with its time).
        """
        if field not in EDITABLE_FIELDS:
            raise ValueError(f"{field!r} is not an editable field ({sorted(EDITABLE_FIELDS)})")
        if field == "status":
            Status(value or "")  # a ValueError for anything but a status
        value = _clean(field, value)
        with self.transaction() as db:
            old = self._column(sample_id, field)
            if old == value and record_same:
                _record(db, sample_id, field, old, value)
            elif old != value:
                _set_sample_field(db, sample_id, field, value)
                if not _extend_latest(db, sample_id, field, value, merge_within_s):
                    _record(db, sample_id, field, old, value)
                if field in _PROMPT_FIELDS:
                    # A person has worked on it: reviewed, though not yet accepted.
                    db.execute(
                        "UPDATE samples SET status = ? WHERE id = ? AND status IN (?, ?)",
                        (
                            Status.REVIEWED.value,
                            sample_id,
                            Status.NEW.value,
                            Status.CAPTIONED.value,
                        ),
                    )
        return self.sample(sample_id)

    def set_clip_edit(self, sample_id: str, columns: ClipEditColumns) -> Sample:
        """Give a sample a clip edit, or take it away (COLUMNS of the source as it is), with
        the rendered clip, its probe and its frames, in one commit. The old columns go to
        the history as one entry: undo returns to them whole. Returns the sample."""
        new = _edit_state(columns)
        with self.transaction() as db:
            row = db.execute(
                f"SELECT {', '.join(_EDIT_COLUMNS)} FROM samples WHERE id = ?", (sample_id,)
            ).fetchone()
            if row is None:
                raise SampleNotFoundError(f"no sample {sample_id!r} in {self.root}")
            old = dict(row)
            if old != new:
                _write_edit_state(db, sample_id, new)
                _record(db, sample_id, CLIP_EDIT_FIELD, _state_json(old), _state_json(new))
        return self.sample(sample_id)

    def set_status(self, sample_id: str, status: Status, reason: str | None = None) -> Sample:
        """Accept, reject or otherwise move a sample, with the reason for a rejection.

        Returns the sample as the last write left it (each edit returns its row). Accepting
        an accepted sample records the acceptance again: a person's acceptance after the
        vision model's verdict overrules it (annotator verify, export's gate)."""
        if status is Status.REJECTED:
            return self._reject(sample_id, reason)
        sample = self.edit(sample_id, "status", status.value, record_same=status is Status.ACCEPTED)
        if reason is not None:
            sample = self.edit(sample_id, "reject_reason", reason)
        return sample

    def _reject(self, sample_id: str, reason: str | None) -> Sample:
        """Set the status and the reason in one commit and one history entry."""
        new = {"status": Status.REJECTED.value, "reject_reason": _clean("reject_reason", reason)}
        with self.transaction() as db:
            row = db.execute(
                "SELECT status, reject_reason FROM samples WHERE id = ?", (sample_id,)
            ).fetchone()
            if row is None:
                raise SampleNotFoundError(f"no sample {sample_id!r} in {self.root}")
            old = dict(row)
            if old != new:
                _write_rejection(db, sample_id, new)
                _record(db, sample_id, REJECTION_FIELD, _state_json(old), _state_json(new))
        return self.sample(sample_id)

    def set_status_by_machine(
        self,
        sample_id: str,
        status: Status,
        error: str | None,
        *,
        only_from: Sequence[Status] = (Status.NEW, Status.CAPTIONED, Status.ERROR),
    ) -> bool:
        """Set a status that a tool decided (captioned, error); not an undoable edit.

        Only from a status no person chose (ONLY_FROM), checked in the same statement: a
        person's accept or reject is never overwritten by a caption finishing meanwhile.
        Returns whether the status changed.
        """
        marks = ", ".join("?" * len(only_from))
        error = _clean_error(error)
        with self.transaction() as db:
            cur = db.execute(
                "UPDATE samples SET status = ?, error = ?, updated_at = ?"
                f" WHERE id = ? AND status IN ({marks})",
                (status.value, error, now_iso(), sample_id, *(s.value for s in only_from)),
            )
        return cur.rowcount > 0

    def template(self) -> str | None:
        """The effect's standard motion description, shared by every sample."""
        return self.meta("template")

    def set_workspace_field(self, field: str, value: str | None) -> None:
        """Change the template or the trigger; the old value goes to the history."""
        self.set_workspace_fields({field: value})

    def set_workspace_fields(
        self, fields: Mapping[str, str | None], meta: Mapping[str, str | None] | None = None
    ) -> None:
        """Change several of template and trigger (each in the history) and set META values
        (no history), all in one commit: a crash keeps all of them or none."""
        unknown = set(fields) - WORKSPACE_FIELDS
        if unknown:
            raise ValueError(f"{sorted(unknown)} not workspace fields ({sorted(WORKSPACE_FIELDS)})")
        with self.transaction() as db:
            for field, raw in fields.items():
                value, old = _clean(field, raw), self.meta(field)
                if old != value:
                    _write_meta(db, field, value)
                    _record(db, None, field, old, value)
            for key, value in (meta or {}).items():
                _write_meta(db, key, value)

    def history(self, limit: int = 50) -> list[HistoryEntry]:
        rows = self._db.execute("SELECT * FROM history ORDER BY id DESC LIMIT ?", (limit,))
        return [_history(row) for row in rows]

    def undo(self) -> HistoryEntry | None:
        """Revert the latest edit not yet undone; None when there is nothing to undo."""
        with self.transaction() as db:
            row = db.execute(
                "SELECT * FROM history WHERE undone = 0 ORDER BY id DESC LIMIT 1"
            ).fetchone()
            if row is None:
                return None
            entry = _history(row)
            self._apply(db, entry, entry.old)
            db.execute("UPDATE history SET undone = 1 WHERE id = ?", (entry.id,))
        return entry

    def redo(self) -> HistoryEntry | None:
        """Apply again the edit undone last; None when there is nothing to redo."""
        with self.transaction() as db:
            row = db.execute(
                "SELECT * FROM history WHERE undone = 1 ORDER BY id ASC LIMIT 1"
            ).fetchone()
            if row is None:
                return None
            entry = _history(row)
            self._apply(db, entry, entry.new)
            db.execute("UPDATE history SET undone = 0 WHERE id = ?", (entry.id,))
        return entry

    def _apply(self, db: sqlite3.Connection, entry: HistoryEntry, value: str | None) -> None:
        if entry.sample_id is None:
            _write_meta(db, entry.field, value)
        elif entry.field == CLIP_EDIT_FIELD:
            _write_edit_state(db, entry.sample_id, json.loads(value or "{}"))
        elif entry.field == REJECTION_FIELD:
            _write_rejection(db, entry.sample_id, json.loads(value or "{}"))
        else:
            _set_sample_field(db, entry.sample_id, entry.field, value)

    def _column(self, sample_id: str, field: str) -> Any:
        row = self._db.execute(f"SELECT {field} FROM samples WHERE id = ?", (sample_id,)).fetchone()
        if row is None:
            raise SampleNotFoundError(f"no sample {sample_id!r} in {self.root}")
        return row[0]

    # -- captions ------------------------------------------------------------------------

    def add_caption(
        self,
        sample_id: str,
        *,
        provider: str,
        model: str,
        instruction: str,
        fps: float,
        cache_key: str,
        text: str,
        fields: dict[str, str] | None = None,
        flagged: str | None = None,
        input_tokens: int | None = None,
        output_tokens: int | None = None,
    ) -> Caption:
        """Store one model answer, committed at once, redacted and without control
        characters (the text keeps its paragraphs; the fields, parts of a prompt, are one
        line each).

        One caption per cache key: an answer for a key already stored (a forced re-run)
        replaces the old one, and becomes the sample's newest caption."""
        # A model's answer is outside text: a server may echo the request's key into it.
        text, model = outside_text(text, keep_newlines=True), outside_text(model)
        flagged = None if flagged is None else outside_text(flagged)
        if fields is not None:
            fields = {outside_text(k): outside_text(v) for k, v in fields.items()}
        with self.transaction() as db:
            db.execute("DELETE FROM captions WHERE cache_key = ?", (cache_key,))
            cur = db.execute(
                "INSERT INTO captions (sample_id, provider, model, instruction, fps, cache_key,"
                " text, fields, flagged, input_tokens, output_tokens, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    sample_id,
                    provider,
                    model,
                    instruction,
                    fps,
                    cache_key,
                    text,
                    None if fields is None else json.dumps(fields, ensure_ascii=False),
                    flagged,
                    input_tokens,
                    output_tokens,
                    now_iso(),
                ),
            )
            row = db.execute("SELECT * FROM captions WHERE id = ?", (cur.lastrowid,)).fetchone()
        return _caption(row)

    def captions(self, sample_id: str) -> list[Caption]:
        """Every caption of a sample, oldest first."""
        rows = self._db.execute(
            "SELECT * FROM captions WHERE sample_id = ? ORDER BY id", (sample_id,)
        )
        return [_caption(row) for row in rows]

    def latest_captions(self) -> dict[str, Caption]:
        """The newest caption of each sample that has one."""
        rows = self._db.execute(
            "SELECT * FROM captions WHERE id IN (SELECT MAX(id) FROM captions GROUP BY sample_id)"
        )
        return {row["sample_id"]: _caption(row) for row in rows}

    def cached_keys(self) -> set[str]:
        """The cache keys of every stored caption (a re-run skips these)."""
        return {row[0] for row in self._db.execute("SELECT DISTINCT cache_key FROM captions")}

    # -- claims: which run sends which request (see claims.py) ---------------------------

    def claim(
        self,
        kind: str,
        key: str,
        sample_id: str,
        claimant: Claimant,
        *,
        results_since: str | None = None,
    ) -> ClaimOutcome:
        """Claim the request for KEY of KIND (e.g. "caption"), in one atomic write.

        DONE when its answer is stored (at or after RESULTS_SINCE when given), TAKEN when a
        live run holds it; a dead or lapsed claim is taken over."""
        with self.transaction() as db:
            return claim_rows.try_claim(
                db, kind, key, sample_id, claimant, results_since=results_since
            )

    def release_claim(self, claimant: Claimant, kind: str, key: str) -> None:
        """Drop the claimant's claim on one request (its answer or failure is stored)."""
        with self.transaction() as db:
            claim_rows.release(db, claimant, kind, key)

    def release_claims(self, claimant: Claimant) -> int:
        """Drop every claim the claimant holds (its run ended), and those a killed run
        left; how many of the claimant's there were."""
        with self.transaction() as db:
            claim_rows.drop_lapsed(db, claimant)
            return claim_rows.release(db, claimant)

    def claims(self, kind: str | None = None) -> list[Claim]:
        """The claims in the store, of one kind or all."""
        return claim_rows.list_claims(self._db, kind)

    # -- files as the last scan saw them -------------------------------------------------

    def files(self) -> dict[str, FileRecord]:
        """The files as the last scan saw them, by path."""
        rows = self._db.execute("SELECT * FROM files")
        return {row["path"]: _file_record(row) for row in rows}

    def replace_files(self, records: Sequence[FileRecord]) -> None:
        """Replace the file table with what a scan found."""
        with self.transaction() as db:
            db.execute("DELETE FROM files")
            db.executemany(
                "INSERT INTO files (path, kind, size, mtime_ns, sha256, error, fix, duplicate_of)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [_file_row(r) for r in records],
            )


def _existing_dir(root: Path) -> Path:
    root = Path(root).expanduser()
    if not root.exists():
        raise WorkspaceError(f"{root} does not exist: give the folder that holds your clips")
    if not root.is_dir():
        raise WorkspaceError(
            f"{root} is a file, not a folder: give the folder that holds the clips"
        )
    return root.resolve()


def _connect(path: Path) -> sqlite3.Connection:
    try:
        return connect(path)
    except sqlite3.OperationalError as exc:
        # Opening writes too (the WAL files, a migration): a full disk says so.
        code = _primary_code(exc)
        fix = _WRITE_FAILURES.get(code)
        if fix is None or code == sqlite3.SQLITE_CANTOPEN:
            fix = "check its permissions"
        raise WorkspaceError(
            f"cannot open the store {path}: {exc}", fix=fix.format(store=path.parent)
        ) from exc
    except sqlite3.DatabaseError as exc:
        raise WorkspaceError(
            f"{path} is damaged ({exc}); restore it from a backup or move it away and run init"
        ) from exc


def _writable(store: Path) -> bool:
    """Whether the store's folder and the database's files in it can be written (by this
    user, as the system sees it now: a read-only or immutable file is not)."""
    files = [store / f"{DB_NAME}{suffix}" for suffix in ("", "-wal", "-shm")]
    return all(os.access(p, os.W_OK) for p in [store, *files] if p.exists())


def _primary_code(exc: sqlite3.Error) -> int:
    """SQLite's primary result code of EXC (SQLITE_FULL, ...), 0 when it has none."""
    return int(getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF


def _clean(field: str, value: Any) -> Any:
    """VALUE as the store keeps it: a text field without control characters, on one line."""
    if isinstance(value, str) and (field in _TEXT_FIELDS or field in WORKSPACE_FIELDS):
        return strip_controls(value)
    return value


def _clean_error(error: str | None) -> str | None:
    """A stored error: a server's or a library's words, redacted and stripped."""
    return None if error is None else outside_text(error)


def _write_meta(db: sqlite3.Connection, key: str, value: str | None) -> None:
    value = _clean(key, value)
    if value is None:
        db.execute("DELETE FROM meta WHERE key = ?", (key,))
    else:
        db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))


def _set_sample_field(db: sqlite3.Connection, sample_id: str, field: str, value: Any) -> None:
    db.execute(
        f"UPDATE samples SET {field} = ?, updated_at = ? WHERE id = ?",
        (_clean(field, value), now_iso(), sample_id),
    )


def _edit_state(columns: ClipEditColumns) -> dict[str, Any]:
    """The columns of a clip edit as the samples table holds them."""
    state: dict[str, Any] = columns.model_dump(mode="json")
    state["probe"] = _probe_json(columns.probe)
    return state


def _state_json(state: dict[str, Any]) -> str:
    return json.dumps(state, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _write_edit_state(db: sqlite3.Connection, sample_id: str, state: dict[str, Any]) -> None:
    # Only the edit's own columns, whatever an old history entry holds.
    values = {name: state.get(name) for name in _EDIT_COLUMNS}
    sets = ", ".join(f"{name} = ?" for name in values)
    db.execute(
        f"UPDATE samples SET {sets}, updated_at = ? WHERE id = ?",
        [*values.values(), now_iso(), sample_id],
    )


def _write_rejection(db: sqlite3.Connection, sample_id: str, state: dict[str, Any]) -> None:
    values = [state.get(name) for name in _REJECTION_COLUMNS]
    Status(values[0] or "")  # a ValueError for anything but a status
    db.execute(
        "UPDATE samples SET status = ?, reject_reason = ?, updated_at = ? WHERE id = ?",
        [*values, now_iso(), sample_id],
    )


def _record(db: sqlite3.Connection, sample_id: str | None, field: str, old: Any, new: Any) -> None:
    # A new edit ends the redo chain, as in any editor.
    db.execute("DELETE FROM history WHERE undone = 1")
    db.execute(
        "INSERT INTO history (at, sample_id, field, old, new) VALUES (?, ?, ?, ?, ?)",
        (now_iso(), sample_id, field, old, new),
    )


def _extend_latest(
    db: sqlite3.Connection, sample_id: str, field: str, new: Any, within_s: float
) -> bool:
    """Fold this change into the latest entry if it is the same field, recent, not undone."""
    if within_s <= 0:
        return False
    row = db.execute("SELECT * FROM history ORDER BY id DESC LIMIT 1").fetchone()
    if row is None or row["undone"] or (row["sample_id"], row["field"]) != (sample_id, field):
        return False
    age = datetime.now(UTC) - datetime.fromisoformat(row["at"])
    if age.total_seconds() > within_s:
        return False
    db.execute("UPDATE history SET new = ?, at = ? WHERE id = ?", (new, now_iso(), row["id"]))
    return True


def _sample(row: sqlite3.Row) -> Sample:
    data = dict(row)
    data["present"] = bool(data["present"])
    data["probe"] = _stored_probe(data["probe"])
    return Sample.model_validate(data)


def _probe_json(probe: object) -> str | None:
    if probe is None:
        return None
    if not isinstance(probe, ClipFacts):
        raise TypeError(f"a sample's probe is a ClipFacts, not {type(probe).__name__}")
    return probe.model_dump_json()


def _stored_probe(text: str | None) -> ClipFacts | None:
    """The probe column read back: the JSON of a ``ClipFacts``, in the shape every version
    wrote. One that does not read (cut short, edited by hand) counts as no probe: the next
    scan probes the clip again."""
    if not text:
        return None
    try:
        return ClipFacts.model_validate_json(text)
    except ValidationError:
        return None


def _problem_columns(problem: Problem | None) -> tuple[str | None, str | None]:
    """A file's problem as the error and fix columns, each redacted and stripped."""
    if problem is None:
        return None, None
    return _clean_error(problem.message), _clean_error(problem.fix)


def _file_row(r: FileRecord) -> tuple[object, ...]:
    message, fix = _problem_columns(r.error)
    return (r.path, r.kind, r.size, r.mtime_ns, r.sha256, message, fix, r.duplicate_of)


def _file_record(row: sqlite3.Row) -> FileRecord:
    data = dict(row)
    message, fix = data.pop("error"), data.pop("fix")
    data["error"] = None if message is None else Problem(message=message, fix=fix)
    return FileRecord.model_validate(data)


def _caption(row: sqlite3.Row) -> Caption:
    data = dict(row)
    data["fields"] = json.loads(data["fields"]) if data["fields"] else None
    return Caption.model_validate(data)


def _history(row: sqlite3.Row) -> HistoryEntry:
    data = dict(row)
    data["undone"] = bool(data["undone"])
    return HistoryEntry.model_validate(data)
