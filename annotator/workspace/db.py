"""The SQLite file under DIR/.annotator/: connection settings and ordered, named migrations."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from annotator.errors import AnnotatorError

Migration = Callable[[sqlite3.Connection], None]


def _run_script(db: sqlite3.Connection, script: str) -> None:
    # executescript() would COMMIT the migration's open transaction first, so run one by one.
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


def _m001_initial(db: sqlite3.Connection) -> None:
    _run_script(
        db,
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
        CREATE TABLE samples (
            id TEXT PRIMARY KEY,
            path TEXT NOT NULL,
            present INTEGER NOT NULL DEFAULT 1,
            status TEXT NOT NULL DEFAULT 'new',
            subject TEXT NOT NULL DEFAULT '',
            background TEXT NOT NULL DEFAULT '',
            pronoun TEXT,
            prompt_override TEXT,
            reject_reason TEXT,
            error TEXT,
            probe TEXT,
            first_frame TEXT,
            first_frame_source TEXT,
            last_frame TEXT,
            last_frame_source TEXT,
            added_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX samples_path ON samples(path);
        CREATE TABLE files (
            path TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            size INTEGER NOT NULL,
            mtime_ns INTEGER NOT NULL,
            sha256 TEXT,
            error TEXT
        );
        CREATE TABLE captions (
            id INTEGER PRIMARY KEY,
            sample_id TEXT NOT NULL REFERENCES samples(id),
            provider TEXT NOT NULL,
            model TEXT NOT NULL,
            instruction TEXT NOT NULL,
            fps REAL NOT NULL,
            cache_key TEXT NOT NULL,
            text TEXT NOT NULL,
            fields TEXT,
            flagged TEXT,
            input_tokens INTEGER,
            output_tokens INTEGER,
            created_at TEXT NOT NULL
        );
        CREATE INDEX captions_sample ON captions(sample_id);
        CREATE INDEX captions_key ON captions(cache_key);
        CREATE TABLE history (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            sample_id TEXT,
            field TEXT NOT NULL,
            old TEXT,
            new TEXT,
            undone INTEGER NOT NULL DEFAULT 0
        );
        """,
    )


def _m002_remote(db: sqlite3.Connection) -> None:
    # What DashScope returned for the fine-tuning pipeline (annotator/workspace/remote.py).
    # A row is written before each create request (id NULL, status CREATING), so a crash
    # between the request and its answer leaves a trace a re-run can recover from.
    _run_script(
        db,
        """
        CREATE TABLE remote_files (
            id INTEGER PRIMARY KEY,
            endpoint TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            role TEXT NOT NULL,
            path TEXT NOT NULL,
            name TEXT NOT NULL,
            bytes INTEGER NOT NULL,
            purpose TEXT NOT NULL,
            file_id TEXT NOT NULL,
            status TEXT,
            created_at TEXT,
            request_id TEXT,
            response TEXT,
            uploaded_at TEXT NOT NULL,
            UNIQUE (endpoint, sha256)
        );
        CREATE TABLE ft_jobs (
            id INTEGER PRIMARY KEY,
            endpoint TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            request TEXT NOT NULL,
            job_id TEXT UNIQUE,
            status TEXT NOT NULL,
            model TEXT,
            base_model TEXT,
            job_name TEXT,
            training_type TEXT,
            training_file_ids TEXT,
            validation_file_ids TEXT,
            hyper_parameters TEXT,
            finetuned_output TEXT,
            create_time TEXT,
            end_time TEXT,
            usage INTEGER,
            output_cnt INTEGER,
            max_output_cnt INTEGER,
            workspace_id TEXT,
            user_identity TEXT,
            creator TEXT,
            request_id TEXT,
            log_total INTEGER NOT NULL DEFAULT 0,
            log_tail TEXT,
            response TEXT,
            error TEXT,
            requested_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            deleted_at TEXT
        );
        CREATE INDEX ft_jobs_fingerprint ON ft_jobs(endpoint, fingerprint);
        CREATE TABLE ft_checkpoints (
            job_id TEXT NOT NULL,
            checkpoint TEXT NOT NULL,
            previews TEXT,
            previews_at TEXT,
            downloads TEXT,
            model_name TEXT,
            full_name TEXT,
            model_display_name TEXT,
            export_status TEXT,
            create_time TEXT,
            response TEXT,
            export_requested_at TEXT,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (job_id, checkpoint)
        );
        CREATE TABLE deployments (
            id INTEGER PRIMARY KEY,
            endpoint TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            request TEXT NOT NULL,
            deployed_model TEXT,
            model_name TEXT NOT NULL,
            job_id TEXT,
            checkpoint TEXT,
            status TEXT NOT NULL,
            base_model TEXT,
            plan TEXT,
            capacity INTEGER,
            charge_type TEXT,
            gmt_create TEXT,
            gmt_modified TEXT,
            workspace_id TEXT,
            creator TEXT,
            modifier TEXT,
            request_id TEXT,
            response TEXT,
            error TEXT,
            requested_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            deleted_at TEXT
        );
        CREATE INDEX deployments_fingerprint ON deployments(endpoint, fingerprint);
        CREATE TABLE generations (
            id INTEGER PRIMARY KEY,
            endpoint TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            request TEXT NOT NULL,
            task_id TEXT UNIQUE,
            deployed_model TEXT NOT NULL,
            kind TEXT NOT NULL,
            image TEXT NOT NULL,
            last_image TEXT,
            prompt TEXT,
            status TEXT NOT NULL,
            submit_time TEXT,
            scheduled_time TEXT,
            end_time TEXT,
            orig_prompt TEXT,
            actual_prompt TEXT,
            video_url TEXT,
            video_path TEXT,
            usage TEXT,
            code TEXT,
            message TEXT,
            request_id TEXT,
            response TEXT,
            requested_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX generations_fingerprint ON generations(endpoint, fingerprint);
        """,
    )


def _m003_caption_key_unique(db: sqlite3.Connection) -> None:
    # One caption per cache key. Two caption runs at once used to store the same answer
    # twice; of such twins only the newest is kept (the one every view already showed).
    _run_script(
        db,
        """
        DELETE FROM captions
            WHERE id NOT IN (SELECT MAX(id) FROM captions GROUP BY cache_key);
        DROP INDEX captions_key;
        CREATE UNIQUE INDEX captions_key ON captions(cache_key);
        """,
    )


def _m004_claims(db: sqlite3.Connection) -> None:
    # Who is working on what (annotator/workspace/claims.py): one row per request in flight,
    # so a second run skips it. KIND is the pass ("caption"; "verify" later), KEY the
    # cache key of the answer the request will store.
    _run_script(
        db,
        """
        CREATE TABLE claims (
            kind TEXT NOT NULL,
            key TEXT NOT NULL,
            sample_id TEXT NOT NULL,
            token TEXT NOT NULL,
            pid INTEGER NOT NULL,
            host TEXT NOT NULL,
            claimed_at TEXT NOT NULL,
            PRIMARY KEY (kind, key)
        );
        CREATE INDEX claims_token ON claims(token);
        """,
    )


# What scans before 005 wrote for a duplicate clip, and after a file they could not open.
_LEGACY_DUPLICATE = "duplicate: same content as "
_LEGACY_SKIPPED = "skipped"


def _m005_file_problems(db: sqlite3.Connection) -> None:
    # A file's problem was one "problem; fix" string that `check` split again at the first
    # semicolon. Now the fix has its own column and a duplicate names the clip it repeats;
    # the rows a scan left are split here once, as `check` read them.
    _run_script(
        db,
        """
        ALTER TABLE files ADD COLUMN fix TEXT;
        ALTER TABLE files ADD COLUMN duplicate_of TEXT
        """,
    )
    rows = db.execute("SELECT path, error FROM files WHERE error IS NOT NULL").fetchall()
    for path, error in rows:
        message, _, fix = str(error).partition(";")
        fix = fix.strip()
        duplicate_of = message.removeprefix(_LEGACY_DUPLICATE).strip()
        db.execute(
            "UPDATE files SET error = ?, fix = ?, duplicate_of = ? WHERE path = ?",
            (
                message.strip(),
                fix if fix and fix != _LEGACY_SKIPPED else None,
                duplicate_of if message.startswith(_LEGACY_DUPLICATE) else None,
                path,
            ),
        )


def _m006_verdicts(db: sqlite3.Connection) -> None:
    # What the vision model said of each sample's final prompt (annotator verify, issue 12),
    # with its provenance: the provider, the model, the hash of the instruction file, the
    # prompt text it verified and the tokens. One verdict per cache key (clip, model,
    # instruction, prompt text), as for captions. VERDICT is the Verdict's JSON, NULL when
    # the answer stayed unreadable (UNREADABLE says why, ANSWER keeps what the model wrote).
    _run_script(
        db,
        """
        CREATE TABLE verdicts (
            id INTEGER PRIMARY KEY,
            sample_id TEXT NOT NULL REFERENCES samples(id),
            provider TEXT NOT NULL,
            model TEXT NOT NULL,
            instruction_hash TEXT NOT NULL,
            prompt TEXT NOT NULL,
            cache_key TEXT NOT NULL,
            verdict TEXT,
            unreadable TEXT,
            answer TEXT,
            input_tokens INTEGER,
            output_tokens INTEGER,
            created_at TEXT NOT NULL
        );
        CREATE INDEX verdicts_sample ON verdicts(sample_id);
        CREATE UNIQUE INDEX verdicts_key ON verdicts(cache_key)
        """,
    )


def _m007_clip_edits(db: sqlite3.Connection) -> None:
    # Non-destructive clip edits (issue 13): EDIT is the ClipEdit's JSON (trim, crop, scale,
    # drop audio, convert), EDITED_CLIP the rendered file under .annotator/media/ (relative to
    # the root), EDIT_KEY the edit's hash. All NULL: the sample uses its source as it is.
    _run_script(
        db,
        """
        ALTER TABLE samples ADD COLUMN edit TEXT;
        ALTER TABLE samples ADD COLUMN edited_clip TEXT;
        ALTER TABLE samples ADD COLUMN edit_key TEXT
        """,
    )


def _m010_verdict_clip(db: sqlite3.Connection) -> None:
    # The clip a verdict was about (Sample.clip_key: the source, plus its edit's hash): a
    # verdict on the source says nothing sure of a trimmed or cropped clip. NULL (verdicts
    # stored before) means the source.
    _run_script(db, "ALTER TABLE verdicts ADD COLUMN clip_key TEXT")


def _m009_sources(db: sqlite3.Connection) -> None:
    # Candidate clips made with a Wan base model from the user's pictures (annotator source,
    # issue 15): one row per generation, written before its create request (task_id NULL,
    # status CREATING) like the other remote tables, so a re-run or a kill -9 never starts
    # it twice. SAMPLE_ID links the downloaded clip (its sha256) to where it came from.
    # ft_checkpoints.chosen_at records the checkpoint a person picked as the best.
    _run_script(
        db,
        """
        CREATE TABLE sources (
            id INTEGER PRIMARY KEY,
            endpoint TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            request TEXT NOT NULL,
            task_id TEXT UNIQUE,
            model TEXT NOT NULL,
            kind TEXT NOT NULL,
            picture TEXT NOT NULL,
            last_picture TEXT,
            picture_sha256 TEXT NOT NULL,
            prompt TEXT NOT NULL,
            seed INTEGER NOT NULL,
            resolution TEXT NOT NULL,
            duration INTEGER,
            candidate INTEGER NOT NULL,
            status TEXT NOT NULL,
            submit_time TEXT,
            scheduled_time TEXT,
            end_time TEXT,
            orig_prompt TEXT,
            actual_prompt TEXT,
            video_url TEXT,
            video_path TEXT,
            sample_id TEXT,
            usage TEXT,
            code TEXT,
            message TEXT,
            request_id TEXT,
            response TEXT,
            requested_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX sources_fingerprint ON sources(endpoint, fingerprint);
        CREATE INDEX sources_sample ON sources(sample_id);
        ALTER TABLE ft_checkpoints ADD COLUMN chosen_at TEXT
        """,
    )


def _m008_clip_analysis(db: sqlite3.Connection) -> None:
    # The clip-quality analysis of each effective clip (issue 13): keyed by the clip key
    # (the source's hash, plus the edit's) and the analysis version, so a second check of
    # unchanged clips is a lookup and a new version of the analysis runs again. RESULT is
    # the ClipQuality's JSON.
    _run_script(
        db,
        """
        CREATE TABLE clip_analysis (
            clip_key TEXT NOT NULL,
            version INTEGER NOT NULL,
            result TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (clip_key, version)
        )
        """,
    )


# Append only: a migration that has shipped is never edited or reordered.
MIGRATIONS: list[tuple[str, Migration]] = [
    ("001_initial", _m001_initial),
    ("002_remote", _m002_remote),
    ("003_caption_key_unique", _m003_caption_key_unique),
    ("004_claims", _m004_claims),
    ("005_file_problems", _m005_file_problems),
    ("006_verdicts", _m006_verdicts),
    ("007_clip_edits", _m007_clip_edits),
    ("008_clip_analysis", _m008_clip_analysis),
    ("009_sources", _m009_sources),
    ("010_verdict_clip", _m010_verdict_clip),
]


class NewerSchemaError(AnnotatorError):
    """The store has migrations this version does not know."""


def now_iso() -> str:
    """The current time, UTC, as stored in every timestamp column."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def connect(path: Path) -> sqlite3.Connection:
    """Open the store with the settings every writer relies on, migrated to the latest schema."""
    db = sqlite3.connect(path, timeout=10.0, isolation_level=None, check_same_thread=False)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA journal_mode=WAL")
    # NORMAL in WAL mode survives a crash of the process (kill -9); only a power loss can
    # lose the last commits, and it costs a tenth of FULL.
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=ON")
    migrate(db)
    return db


def migrate(db: sqlite3.Connection) -> list[str]:
    """Apply the migrations not yet recorded, each in its own transaction; return their names."""
    db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    done = {row[0] for row in db.execute("SELECT name FROM _migrations")}
    unknown = done - {name for name, _ in MIGRATIONS}
    if unknown:
        raise NewerSchemaError(
            f"this workspace was written by a newer annotator (schema steps {sorted(unknown)}); "
            "upgrade annotator to open it"
        )
    applied: list[str] = []
    for name, migration in MIGRATIONS:
        if name in done:
            continue
        db.execute("BEGIN IMMEDIATE")
        try:
            migration(db)
            db.execute("INSERT INTO _migrations VALUES (?, ?)", (name, now_iso()))
            db.execute(f"PRAGMA user_version={len(done) + len(applied) + 1}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        applied.append(name)
    return applied
