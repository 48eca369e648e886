"""The verify pass's answers in the store (the table of migration 006_verdicts).

A verdict goes in with its provenance (provider, model, instruction hash, the prompt text
it verified, tokens, time) and comes out as a ``StoredVerdict``; the JSON of the
``Verdict`` is encoded and decoded here only. Each write is its own committed transaction,
so a kill -9 loses at most the answers still on the way. One verdict per cache key: a
forced re-run replaces it and it becomes the sample's newest. The key of the provider is
never stored (nothing here sees it).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from pydantic import BaseModel, ConfigDict, ValidationError

from annotator.safetext import outside_text, strip_controls
from annotator.verdicts import SampleVerdict, Verdict
from annotator.workspace.db import now_iso
from annotator.workspace.models import Status
from annotator.workspace.store import Workspace

_NOTES = ("subject_note", "background_note", "effect_note")


class StoredVerdict(BaseModel):
    """One verdict as stored, with where it came from."""

    model_config = ConfigDict(frozen=True)

    id: int
    sample_id: str
    provider: str
    model: str
    instruction_hash: str
    prompt: str  # the prompt text that was verified
    cache_key: str
    clip_key: str | None = None  # the clip verified (None: the source, as stored before 010)
    verdict: Verdict | None  # None: the answer stayed unreadable
    unreadable: str | None = None
    answer: str | None = None  # what the model wrote, kept when it could not be read
    input_tokens: int | None = None
    output_tokens: int | None = None
    created_at: datetime

    def seen_against(self, prompt: str, clip_key: str) -> SampleVerdict:
        """This verdict as the checks and the review read it, for the sample's current
        PROMPT text and clip (CLIP_KEY, ``Sample.clip_key``): stale when the prompt is no
        longer the text that was verified, or the clip was edited since."""
        clip_changed = (self.clip_key or self.sample_id) != clip_key
        return SampleVerdict(
            sample_id=self.sample_id,
            prompt=self.prompt,
            model=self.model,
            verified_at=self.created_at,
            verdict=self.verdict,
            problem=self.unreadable,
            stale=prompt != self.prompt or clip_changed,
            clip_changed=clip_changed,
        )


def add_verdict(
    ws: Workspace,
    sample_id: str,
    *,
    provider: str,
    model: str,
    instruction_hash: str,
    prompt: str,
    cache_key: str,
    verdict: Verdict | None,
    clip_key: str | None = None,
    unreadable: str | None = None,
    answer: str | None = None,
    input_tokens: int | None = None,
    output_tokens: int | None = None,
) -> StoredVerdict:
    """Store one verdict, committed at once; the model's words without control characters
    (a note is one line) and with any key redacted. Replaces a verdict stored under the
    same key."""
    if verdict is not None:
        verdict = verdict.model_copy(
            update={name: outside_text(getattr(verdict, name)) for name in _NOTES}
        )
    with ws.transaction() as db:
        db.execute("DELETE FROM verdicts WHERE cache_key = ?", (cache_key,))
        cur = db.execute(
            "INSERT INTO verdicts (sample_id, provider, model, instruction_hash, prompt,"
            " cache_key, clip_key, verdict, unreadable, answer, input_tokens, output_tokens,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                sample_id,
                strip_controls(provider),
                strip_controls(model),
                instruction_hash,
                prompt,
                cache_key,
                clip_key,
                None if verdict is None else verdict.model_dump_json(),
                None if unreadable is None else outside_text(unreadable),
                None if answer is None else outside_text(answer, keep_newlines=True),
                input_tokens,
                output_tokens,
                now_iso(),
            ),
        )
        row = db.execute("SELECT * FROM verdicts WHERE id = ?", (cur.lastrowid,)).fetchone()
    return _stored(row)


def verdicts_of(ws: Workspace, sample_id: str) -> list[StoredVerdict]:
    """Every verdict of a sample, oldest first."""
    rows = ws.query("SELECT * FROM verdicts WHERE sample_id = ? ORDER BY id", (sample_id,))
    return [_stored(row) for row in rows]


def latest_verdicts(ws: Workspace) -> dict[str, StoredVerdict]:
    """The newest verdict of each sample that has one."""
    rows = ws.query(
        "SELECT * FROM verdicts WHERE id IN (SELECT MAX(id) FROM verdicts GROUP BY sample_id)"
    )
    return {row["sample_id"]: _stored(row) for row in rows}


def verdict_keys(ws: Workspace) -> set[str]:
    """The cache keys of every stored verdict (a re-run skips these)."""
    return {row[0] for row in ws.query("SELECT cache_key FROM verdicts")}


def unreadable_keys(ws: Workspace) -> set[str]:
    """The cache keys whose stored verdict is "verification unreadable": a plain re-run
    asks again for these (as for a failed request), the record kept until then."""
    return {row[0] for row in ws.query("SELECT cache_key FROM verdicts WHERE verdict IS NULL")}


def accepted_at(ws: Workspace) -> dict[str, datetime]:
    """When a person last accepted each sample (an acceptance undone does not count): the
    export lets a person's acceptance after a verdict overrule the model."""
    rows = ws.query(
        "SELECT sample_id, MAX(at) FROM history WHERE field = 'status' AND new = ?"
        " AND undone = 0 AND sample_id IS NOT NULL GROUP BY sample_id",
        (Status.ACCEPTED.value,),
    )
    return {row[0]: datetime.fromisoformat(row[1]) for row in rows}


def _stored(row: sqlite3.Row) -> StoredVerdict:
    data = dict(row)
    text = data.pop("verdict")
    verdict = None
    if text:
        try:
            verdict = Verdict.model_validate_json(text)
        except ValidationError:
            # Edited by hand or cut short: it counts as unreadable, never as a clean verdict.
            data["unreadable"] = data["unreadable"] or "the stored verdict does not read"
    return StoredVerdict.model_validate({**data, "verdict": verdict})
