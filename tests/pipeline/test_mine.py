"""The mining use case (issue 16): what a workspace's captions give the miner, the trigger
they carry, the one "effect phrases" rule, and the distilled description."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from annotator.basemodels import Mode
from annotator.captioning import get_provider
from annotator.captioning.chat import ChatAnswer, ChatRequest, text_chat
from annotator.mining import effect_phrases
from annotator.pipeline.mine import (
    apply_template,
    distill,
    effect_phrase_texts,
    mine_workspace,
    phrase_from_dict,
    propose,
    remember_phrases,
)
from annotator.workspace import Workspace, WorkspaceInfo

TRIGGER = "s86b5p"


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    info = WorkspaceInfo(mode=Mode.I2V, base_model="wan2.5-i2v-preview", lang="en")
    with Workspace.create(tmp_path, info) as ws:
        yield ws


def _caption(ws: Workspace, texts: Sequence[str], *, structured: bool = False) -> None:
    """One sample per text; structured: the text is the motion field of a JSON answer."""
    for i, text in enumerate(texts):
        sid = f"{i:064x}"
        ws.upsert_sample(sid, path=f"clip_{i}.mp4")
        fields = None
        if structured:
            fields = {"subject": f"Subject {i}.", "background": f"Place {i}.", "motion": text}
        ws.add_caption(
            sid,
            provider="replay",
            model="qwen-vl-max",
            instruction="describe",
            fps=2.0,
            cache_key=f"key-{i}",
            text=json.dumps(fields) if fields else text,
            fields=fields,
        )


def test_a_structured_motion_field_is_mined_as_no_subject_opening(ws: Workspace) -> None:
    """Every motion field opens on the same person: in a motion field that opening is the
    motion (issue 16 item 2), not a subject's introduction to be cut away."""
    _caption(
        ws,
        [
            f"The woman raises both arms as golden light spirals around her, {x}."
            for x in ["slowly", "smiling", "eyes closed", "laughing", "turning", "still"]
        ],
        structured=True,
    )
    proposal = propose(ws)
    assert proposal.shared
    assert "raises both arms" in proposal.template


BACKGROUND = "The background features a grey wall with a yellow sign"
FREEFORM = [
    f"A {thing} sits on a table. {BACKGROUND}. Then a ring of golden sparkles spirals "
    f"around it, and it is left glowing gold."
    for thing in ("red ball", "blue vase", "small clock", "green cup")
]


def test_effect_phrase_texts_follow_the_miners_one_rule(ws: Workspace) -> None:
    """The stored wordings prompts cut out are the template's own parts (issue 11 item 7):
    a background clause all captions share is never one."""
    _caption(ws, FREEFORM)
    phrases = mine_workspace(ws)
    assert any(p.text.startswith(BACKGROUND) and p.role == "background" for p in phrases)
    apply_template(ws, phrases, propose(ws).template)
    texts = effect_phrase_texts(ws)
    assert texts == [p.text for p in effect_phrases(phrases)]
    assert any("golden sparkles" in t for t in texts)
    assert not any("background" in t.lower() for t in texts)


def test_phrases_stored_before_roles_read_back_as_effect(ws: Workspace) -> None:
    old = {"text": "a ring of golden sparkles", "support": 1.0, "position": 0.5}
    old["members"] = [[0, "a ring of golden sparkles"], [1, "a ring of golden sparkles"]]
    phrase = phrase_from_dict(old)
    assert (phrase.role, phrase.kind, phrase.core) == ("effect", "clause", "")
    ws.set_meta("mining.phrases", json.dumps([old]))
    assert effect_phrase_texts(ws) == ["a ring of golden sparkles"]


CARRIED = [
    f"A {thing} on a shelf, then {TRIGGER} golden sparkles spiral around it and it glows."
    for thing in ("red ball", "blue vase", "small clock", "green cup", "white mug")
]


def test_the_trigger_the_captions_carry_is_proposed_and_kept_in_place(ws: Workspace) -> None:
    _caption(ws, CARRIED)
    proposal = propose(ws)
    assert proposal.trigger == TRIGGER
    # The captions place the trigger: the template keeps it there, with no lead-in.
    assert proposal.template.count(TRIGGER) == 1
    assert "effect begins" not in proposal.template and "Then the" not in proposal.template
    assert f"{TRIGGER} golden sparkles" in proposal.template
    assert ws.info.trigger is None  # proposing stores nothing


def test_apply_stores_the_carried_trigger_only_when_there_is_none(ws: Workspace) -> None:
    _caption(ws, CARRIED)
    proposal = propose(ws)
    assert apply_template(ws, proposal.phrases, proposal.template, trigger=proposal.trigger)
    assert ws.info.trigger == TRIGGER
    assert ws.template() == proposal.template
    assert [h.field for h in ws.history()][:2] == ["template", "trigger"]
    ws.undo()
    ws.undo()  # both are undoable
    assert ws.info.trigger is None and ws.template() is None
    ws.set_workspace_field("trigger", "k3x9q2")
    again = propose(ws)
    assert again.trigger is None and again.carried == TRIGGER  # a set trigger is kept
    assert not apply_template(ws, again.phrases, again.template, trigger=TRIGGER)
    assert ws.info.trigger == "k3x9q2"
    # The workspace's trigger takes the carried one's place in the template.
    assert "k3x9q2 golden sparkles" in (ws.template() or "")


def test_every_phrase_is_taken_or_says_why(ws: Workspace) -> None:
    _caption(ws, FREEFORM)
    proposal = propose(ws)
    reasons = dict((p.text, r) for p, r in proposal.not_taken)
    assert reasons[next(p.text for p in proposal.phrases if p.role == "background")] == (
        "background"
    )
    assert len(proposal.taken) + len(proposal.not_taken) == len(proposal.phrases)


DISSOLVE = [
    "A ceramic vase sits on a pedestal. It begins to dissolve from the base, turning into "
    "fine dust particles that drift upward.",
    "A sloth rests on a branch while its body slowly disintegrates into sparkling dust "
    "particles carried away by the breeze.",
    "An orange car parked in a garage breaks apart into a dense cloud of dust particles "
    "that swirl outward.",
    "A paper crane dissolves from the head down, its fibres becoming a fine powder of dust "
    "particles scattering across the table.",
]
ANSWER = (
    "Then the effect begins, {pronoun} dissolves into fine dust particles, "
    "a rainbow portal opens above."
)


class Recorder:
    """A text chat that records the question and gives one answer."""

    name = "recorder"

    def __init__(self, answer: str) -> None:
        self.answer = answer
        self.asked: list[ChatRequest] = []

    def chat(self, request: ChatRequest) -> ChatAnswer:
        self.asked.append(request)
        return ChatAnswer(self.answer, self.name, request.model)


def test_distill_asks_with_the_instruction_and_checks_every_clause(ws: Workspace) -> None:
    _caption(ws, DISSOLVE)
    chat = Recorder(f"```\n{ANSWER}\n```")
    got = distill(ws, text_chat(chat), "qwen-plus", mine_workspace(ws))
    (asked,) = chat.asked
    assert asked.task == "distill" and asked.model == "qwen-plus" and asked.lang == "en"
    assert "ONE standard description" in asked.system  # templates/instructions/distill.en.txt
    assert "dust particles" in asked.text and "Sample captions:" in asked.text
    assert got.proposal == ANSWER  # the fence is gone
    by_clause = {c.clause: c for c in got.clauses}
    said = by_clause["{pronoun} dissolves into fine dust particles"]
    assert said.support > 0 and said.evidence
    assert [c.clause for c in got.unsupported] == ["a rainbow portal opens above"]


def test_distill_with_replay_reads_only(ws: Workspace) -> None:
    _caption(ws, DISSOLVE)
    (ws.root / "replay.jsonl").write_text("")
    (ws.root / "distill.jsonl").write_text(json.dumps({"lang": "en", "text": ANSWER}) + "\n")
    chat = text_chat(get_provider("replay", path=ws.root / "replay.jsonl"))
    watcher = sqlite3.connect(ws.root / ".annotator" / "workspace.db")
    try:
        version = watcher.execute("PRAGMA data_version").fetchone()[0]
        got = distill(ws, chat, "qwen-vl-max", mine_workspace(ws))
        assert watcher.execute("PRAGMA data_version").fetchone()[0] == version
    finally:
        watcher.close()
    assert got.provider == "replay" and got.proposal == ANSWER
    assert ws.template() is None and ws.history() == []


def test_remembered_phrases_round_trip(ws: Workspace) -> None:
    _caption(ws, FREEFORM)
    phrases = mine_workspace(ws)
    remember_phrases(ws, phrases)
    stored = json.loads(ws.meta("mining.phrases") or "[]")
    assert [phrase_from_dict(p) for p in stored] == [phrase_from_dict(p.to_dict()) for p in phrases]


def test_a_template_is_never_stored_without_its_phrases(ws: Workspace) -> None:
    """apply_template is one commit: a failure storing the phrases keeps the template out."""
    _caption(ws, CARRIED)
    proposal = propose(ws)
    ws._db.execute(  # a real refusal, on the app's own connection
        "CREATE TEMP TRIGGER refuse_phrases BEFORE INSERT ON meta "
        "WHEN NEW.key = 'mining.phrases' BEGIN SELECT RAISE(ABORT, 'no room'); END"
    )
    with pytest.raises(sqlite3.Error):
        apply_template(ws, proposal.phrases, proposal.template, trigger=proposal.trigger)
    assert ws.template() is None and ws.info.trigger is None and ws.history() == []
