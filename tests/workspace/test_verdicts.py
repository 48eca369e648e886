"""Verdicts in the store (issue 12 item 2): migration 006, provenance, one per cache key,
the latest per sample, stale against the current prompt, claims of kind "verify", and
when a person last accepted a sample. Real SQLite."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from annotator.basemodels import Mode
from annotator.verdicts import Verdict
from annotator.workspace import Claimant, ClaimOutcome, Status, Workspace, WorkspaceInfo
from annotator.workspace.db import MIGRATIONS, connect, now_iso
from annotator.workspace.verdicts import (
    accepted_at,
    add_verdict,
    latest_verdicts,
    verdict_keys,
    verdicts_of,
)

INFO = WorkspaceInfo(mode=Mode.I2V, base_model="wan2.5-i2v-preview", lang="en")
SID = "a" * 64
CLEAN = Verdict.model_validate(
    {
        "subject_matches": True,
        "subject_note": "A red ball.\x1b[31m",
        "background_matches": True,
        "background_note": "Grass.",
        "effect_shown": True,
        "effect_note": "Sparkles.",
        "defects": [],
        "subject_category": "object",
    }
)


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    ws = Workspace.create(tmp_path, INFO)
    ws.upsert_sample(SID, path="clip_a.mp4")
    return ws


def _add(ws: Workspace, key: str, prompt: str, verdict: Verdict | None = CLEAN) -> None:
    add_verdict(
        ws,
        SID,
        provider="openai",
        model="qwen-vl-max",
        instruction_hash="h" * 64,
        prompt=prompt,
        cache_key=key,
        verdict=verdict,
        unreadable=None if verdict else "verification unreadable after a retry: no JSON",
        answer=None if verdict else "I think so.",
        input_tokens=1200,
        output_tokens=80,
    )


def test_migration_006_adds_the_verdicts_table_to_an_older_store(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    for name, migration in MIGRATIONS[:5]:  # as annotator left it before issue 12
        migration(db)
        db.execute("INSERT INTO _migrations VALUES (?, ?)", (name, now_iso()))
    db.close()
    db = connect(path)
    columns = [row[1] for row in db.execute("PRAGMA table_info(verdicts)")]
    assert columns == [
        "id",
        "sample_id",
        "provider",
        "model",
        "instruction_hash",
        "prompt",
        "cache_key",
        "verdict",
        "unreadable",
        "answer",
        "input_tokens",
        "output_tokens",
        "created_at",
        "clip_key",  # 010_verdict_clip
    ]
    assert not [c for c in columns if "api" in c or c == "key"]  # never the key
    unique = [row[1] for row in db.execute("PRAGMA index_list(verdicts)") if row[2]]
    assert unique == ["verdicts_key"]
    assert "006_verdicts" in [r[0] for r in db.execute("SELECT name FROM _migrations")]


def test_a_verdict_keeps_its_provenance_and_the_notes_lose_control_characters(
    ws: Workspace,
) -> None:
    _add(ws, "k1", "A red ball. Grass.")
    (stored,) = verdicts_of(ws, SID)
    assert (stored.provider, stored.model, stored.instruction_hash) == (
        "openai",
        "qwen-vl-max",
        "h" * 64,
    )
    assert (stored.prompt, stored.input_tokens, stored.output_tokens) == (
        "A red ball. Grass.",
        1200,
        80,
    )
    assert stored.verdict is not None and stored.verdict.subject_note == "A red ball."
    assert verdict_keys(ws) == {"k1"}


def test_the_latest_verdict_is_stale_once_the_prompt_changes(ws: Workspace) -> None:
    _add(ws, "k1", "old prompt")
    _add(ws, "k2", "new prompt", verdict=None)
    _add(ws, "k1", "old prompt")  # a forced re-run of the first: replaces it, newest now
    assert [v.cache_key for v in verdicts_of(ws, SID)] == ["k2", "k1"]
    latest = latest_verdicts(ws)[SID]
    assert latest.cache_key == "k1"
    assert not latest.seen_against("old prompt", SID).stale
    seen = latest.seen_against("old prompt, edited", SID)
    assert seen.stale and not seen.flagged
    unreadable = verdicts_of(ws, SID)[0].seen_against("new prompt", SID)
    assert unreadable.flagged and unreadable.problem is not None


def test_a_damaged_stored_verdict_counts_as_unreadable(ws: Workspace) -> None:
    _add(ws, "k1", "p")
    with ws.transaction() as db:
        db.execute("UPDATE verdicts SET verdict = '{\"subject_matches\": tru'")
    seen = latest_verdicts(ws)[SID].seen_against("p", SID)
    assert seen.verdict is None and seen.flagged


def test_claims_of_kind_verify_look_in_the_verdicts(ws: Workspace) -> None:
    ours, theirs = Claimant.new(), Claimant.new()
    assert ws.claim("verify", "k1", SID, ours) is ClaimOutcome.CLAIMED
    assert ws.claim("verify", "k1", SID, theirs) is ClaimOutcome.TAKEN
    _add(ws, "k1", "p")
    ws.release_claim(ours, "verify", "k1")
    assert ws.claim("verify", "k1", SID, theirs) is ClaimOutcome.DONE
    # A caption with the same key is another pass's answer.
    assert ws.claim("caption", "k1", SID, theirs) is ClaimOutcome.CLAIMED


def test_accepted_at_is_the_last_acceptance_not_undone(ws: Workspace) -> None:
    assert accepted_at(ws) == {}
    ws.set_status(SID, Status.ACCEPTED)
    first = accepted_at(ws)[SID]
    ws.set_status(SID, Status.REVIEWED)
    ws.set_status(SID, Status.ACCEPTED)
    second = accepted_at(ws)[SID]
    assert second >= first
    ws.undo()  # the second acceptance
    assert accepted_at(ws)[SID] == first
    # Accepting an accepted sample records the decision again, with its time (timestamps
    # have millisecond resolution: equal on a fast machine, never earlier).
    ws.set_status(SID, Status.ACCEPTED)
    assert ws.sample(SID).status is Status.ACCEPTED
    assert accepted_at(ws)[SID] >= first
    ws.set_status(SID, Status.REVIEWED)
    history = len(ws.history())
    ws.set_status(SID, Status.REVIEWED)  # any other status made again is no new entry
    assert len(ws.history()) == history
