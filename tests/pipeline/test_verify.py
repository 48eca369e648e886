"""The verify use case (issue 12): the real openai and dashscope SDKs against the fake
DashScope, which plays a vision model that knows what each clip shows (``Seen``).

Flagged samples, stale verdicts after an edit and the re-run that sends only those,
kf2v's two stills, garbage answers, the replay provider, claims."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.basemodels import Mode
from annotator.config import Settings
from annotator.pipeline.prompts import load_prompts
from annotator.pipeline.scan import scan
from annotator.pipeline.verify import (
    load_verdicts,
    plan_verification,
    run_verification,
    totals,
)
from annotator.verdicts import Defect, SubjectCategory
from annotator.workspace import Status, Workspace, WorkspaceInfo
from annotator.workspace.verdicts import latest_verdicts, verdicts_of
from tests.clips import make_clip
from tests.fakes import COMPATIBLE, NATIVE, FakeDashScope, Seen, answer

TEMPLATE = "Then the s86 effect begins, {pronoun} spins."
KEY = "sk-test-verify-0123456789"
SETTINGS = Settings()
# What each clip shows, and what its prompt says: clip_1's prompt names the wrong subject.
TRUTH = {
    "clip_0.mp4": Seen("red square", "grey wall", "spins"),
    "clip_1.mp4": Seen("green square", "grey wall", "spins", defects=("watermark",)),
    "clip_2.mp4": Seen("blue square", "grey wall", "spins", category="vehicle"),
}
SAID = {
    "clip_0.mp4": ("A red square", "A grey wall"),
    "clip_1.mp4": ("A blue circle", "A grey wall"),
    "clip_2.mp4": ("A blue square", "A grey wall"),
}


@pytest.fixture
def fake() -> Iterator[FakeDashScope]:
    with FakeDashScope() as server:
        yield server


@pytest.fixture
def key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DASHSCOPE_API_KEY", KEY)
    return KEY


def make_ws(root: Path, fake: FakeDashScope, mode: Mode = Mode.I2V) -> Workspace:
    """Three clips with prompts (a person's subject and background, the template)."""
    for i, name in enumerate(SAID):
        clip = make_clip(root / name, width=96, height=64, seconds=1.0, seed=i)
        fake.vision[hashlib.sha256(clip.read_bytes()).hexdigest()] = TRUTH[name]
    base = "wan2.5-i2v-preview" if mode is Mode.I2V else "wan2.2-kf2v-flash"
    ws = Workspace.create(root, WorkspaceInfo(mode=mode, base_model=base, trigger="s86"))
    scan(ws)
    ws.set_workspace_field("template", TEMPLATE)
    for sample in ws.samples():
        subject, background = SAID[sample.name]
        ws.edit(sample.id, "subject", subject)
        ws.edit(sample.id, "background", background)
    return ws


def openai_options(fake: FakeDashScope) -> dict[str, object]:
    return {"base_url": fake.compatible_base}


def verify(ws: Workspace, fake: FakeDashScope, **kwargs: object) -> None:
    plan = plan_verification(
        ws, provider="openai", options=openai_options(fake), settings=SETTINGS, **kwargs
    )
    summary = run_verification(ws, plan, concurrency=2)
    assert summary.failed == 0 and summary.stop_reason is None, summary


def by_name(ws: Workspace) -> dict[str, str]:
    return {s.name: s.id for s in ws.samples()}


def test_each_prompt_is_checked_against_its_own_clip_and_mismatches_are_flagged(
    tmp_path: Path, fake: FakeDashScope, key: str
) -> None:
    ws = make_ws(tmp_path, fake)
    verify(ws, fake)
    ids = by_name(ws)
    seen = load_verdicts(ws, load_prompts(ws))
    assert not seen[ids["clip_0.mp4"]].flagged
    flagged = seen[ids["clip_1.mp4"]]
    assert flagged.reasons() == ["subject does not match", "defect: watermark"]
    assert ("subject", "The video shows green square, not that.") in flagged.notes()
    assert seen[ids["clip_2.mp4"]].verdict.subject_category is SubjectCategory.VEHICLE  # type: ignore[union-attr]
    assert seen[ids["clip_1.mp4"]].verdict.defects == (Defect.WATERMARK,)  # type: ignore[union-attr]
    # What was sent: the final prompt's parts, in the instruction, with the clip.
    calls = fake.requests(COMPATIBLE)
    assert len(calls) == 3
    texts = [c.json["messages"][0]["content"][-1]["text"] for c in calls]
    assert any("SUBJECT (what the video opens on): A blue circle" in t for t in texts)
    assert all(
        "EFFECT (what happens over the video): Then the s86 effect begins, it spins" in t
        for t in texts
    )
    assert all(c.json["messages"][0]["content"][0]["type"] == "video_url" for c in calls)
    stored = latest_verdicts(ws)[ids["clip_1.mp4"]]
    assert (stored.provider, stored.model, stored.input_tokens) == ("openai", "qwen-vl-max", 1200)
    assert stored.prompt == load_prompts(ws)[ids["clip_1.mp4"]].text
    counts = totals(ws.samples(), seen)
    assert (counts.verified, counts.flagged, counts.stale, counts.unverified) == (3, 1, 0, 0)


def test_an_edited_prompt_makes_its_verdict_stale_and_only_it_is_sent_again(
    tmp_path: Path, fake: FakeDashScope, key: str
) -> None:
    ws = make_ws(tmp_path, fake)
    verify(ws, fake)
    ids = by_name(ws)
    ws.edit(ids["clip_1.mp4"], "subject", "A green square")
    seen = load_verdicts(ws, load_prompts(ws))
    assert seen[ids["clip_1.mp4"]].stale and not seen[ids["clip_0.mp4"]].stale
    assert totals(ws.samples(), seen).stale == 1
    plan = plan_verification(ws, provider="openai", options=openai_options(fake), settings=SETTINGS)
    assert [r.clip.name for r in plan.requests] == ["clip_1.mp4"] and plan.cached == 2
    verify(ws, fake)
    assert len(fake.requests(COMPATIBLE)) == 4
    now = load_verdicts(ws, load_prompts(ws))[ids["clip_1.mp4"]]
    assert not now.stale and now.reasons() == ["defect: watermark"]
    assert len(verdicts_of(ws, ids["clip_1.mp4"])) == 2  # the old verdict is kept
    # --force sends all again; a rejected sample is not verified.
    ws.set_status(ids["clip_2.mp4"], Status.REJECTED, "blurry")
    plan = plan_verification(
        ws, provider="openai", options=openai_options(fake), settings=SETTINGS, force=True
    )
    assert sorted(r.clip.name for r in plan.requests) == ["clip_0.mp4", "clip_1.mp4"]


def test_kf2v_sends_the_first_and_last_frame_before_the_clip(
    tmp_path: Path, fake: FakeDashScope, key: str
) -> None:
    ws = make_ws(tmp_path, fake, Mode.KF2V)
    verify(ws, fake, sample_ids=[by_name(ws)["clip_0.mp4"]])
    (call,) = fake.requests(COMPATIBLE)
    content = call.json["messages"][0]["content"]
    assert [p["type"] for p in content] == ["image_url", "image_url", "video_url", "text"]
    assert content[0]["image_url"]["url"].startswith("data:image/")
    assert "first frame and its last frame" in content[-1]["text"]


def test_the_native_sdk_uploads_clip_and_stills_and_gets_the_same_verdicts(
    tmp_path: Path, fake: FakeDashScope, key: str
) -> None:
    ws = make_ws(tmp_path, fake, Mode.KF2V)
    plan = plan_verification(
        ws, provider="dashscope", options={"base_url": fake.native_base}, settings=SETTINGS
    )
    summary = run_verification(ws, plan, concurrency=2)
    assert (summary.done, summary.failed) == (3, 0)
    calls = fake.requests(NATIVE)
    content = calls[0].json["input"]["messages"][0]["content"]
    assert [next(iter(p)) for p in content] == ["image", "image", "video", "text"]
    assert all(p.get("image", p.get("video", "oss://")).startswith("oss://") for p in content[:3])
    seen = load_verdicts(ws, load_prompts(ws))
    assert [seen[i].flagged for i in by_name(ws).values()] == [False, True, False]


def test_garbage_is_asked_again_once_then_the_sample_is_flagged_unreadable(
    tmp_path: Path, fake: FakeDashScope, key: str
) -> None:
    ws = make_ws(tmp_path, fake)
    ids = by_name(ws)
    good = json.dumps(
        {
            "subject_matches": True,
            "subject_note": "A red square.",
            "background_matches": True,
            "background_note": "A grey wall.",
            "effect_shown": True,
            "effect_note": "It spins.",
            "defects": [],
            "subject_category": "object",
        }
    )
    fake.queue(COMPATIBLE, answer("Looks right to me!"), answer(good))  # clip_0: retried, fine
    verify(ws, fake, sample_ids=[ids["clip_0.mp4"]])
    _first, second = fake.requests(COMPATIBLE)
    assert "Your previous answer was not valid" in second.json["messages"][0]["content"][-1]["text"]
    assert not load_verdicts(ws, load_prompts(ws))[ids["clip_0.mp4"]].flagged
    stored = latest_verdicts(ws)[ids["clip_0.mp4"]]
    assert stored.input_tokens == 2400  # both asks are paid for
    fake.queue(COMPATIBLE, answer('{"subject_matches": "yes"}'), answer("```json\n{oops"))
    verify(ws, fake, sample_ids=[ids["clip_2.mp4"]])
    seen = load_verdicts(ws, load_prompts(ws))[ids["clip_2.mp4"]]
    assert seen.flagged and seen.verdict is None
    assert seen.reasons() == ["verification unreadable"]
    assert latest_verdicts(ws)[ids["clip_2.mp4"]].answer == "```json\n{oops"


def test_replay_answers_from_verify_jsonl(tmp_path: Path, fake: FakeDashScope) -> None:
    ws = make_ws(tmp_path, fake)
    ids = by_name(ws)
    (tmp_path / "replay.jsonl").write_text("")
    lines = [
        {"sha256": ids["clip_0.mp4"], "file": "clip_0.mp4", "lang": "en", "text": "garbage"},
        {
            "file": "clip_1.mp4",
            "lang": "en",
            "text": json.dumps(
                {
                    "subject_matches": False,
                    "subject_note": "It is a green square.",
                    "background_matches": True,
                    "background_note": "",
                    "effect_shown": True,
                    "effect_note": "",
                    "defects": [],
                    "subject_category": "object",
                }
            ),
        },
    ]
    (tmp_path / "verify.jsonl").write_text("\n".join(json.dumps(line) for line in lines))
    plan = plan_verification(ws, provider="replay", settings=SETTINGS)
    failures: list[str] = []
    summary = run_verification(ws, plan, on_failure=lambda s, e: failures.append(str(e)))
    assert (summary.done, summary.failed) == (2, 1)
    assert "clip_2.mp4: no recorded verify answer" in failures[0]
    seen = load_verdicts(ws, load_prompts(ws))
    assert seen[ids["clip_0.mp4"]].verdict is None  # the recording itself is garbage
    assert seen[ids["clip_1.mp4"]].notes() == [("subject", "It is a green square.")]
    assert fake.requests() == []


def test_a_sample_verified_by_another_run_is_not_sent_again(
    tmp_path: Path, fake: FakeDashScope, key: str
) -> None:
    from annotator.workspace import Claimant

    ws = make_ws(tmp_path, fake)
    plan = plan_verification(ws, provider="openai", options=openai_options(fake), settings=SETTINGS)
    other = Claimant.new()  # a live run of this process holds clip_0's request
    held = plan.requests[0]
    ws.claim("verify", held.key, held.clip_sha256, other)
    summary = run_verification(ws, plan)
    assert (summary.done, summary.taken) == (2, 1)
    assert len(fake.requests(COMPATIBLE)) == 2
    assert [c.kind for c in ws.claims()] == ["verify"]  # only the other run's is left


def test_a_provider_that_cannot_be_asked_about_a_clip_is_refused(
    tmp_path: Path, fake: FakeDashScope
) -> None:
    from annotator.captioning import CaptionRequest, CaptionResult, registry
    from annotator.captioning.question import NoClipQuestionsError

    class CaptionsOnly:
        name, key_env_var, needs_key = "captions-only", None, False

        def caption(self, request: CaptionRequest) -> CaptionResult:
            return CaptionResult("a caption", request.model)

    registry.register_provider("captions-only", CaptionsOnly)
    try:
        ws = make_ws(tmp_path, fake)
        with pytest.raises(NoClipQuestionsError, match="cannot be asked about a clip") as refused:
            plan_verification(ws, provider="captions-only", settings=SETTINGS)
        assert refused.value.fix is not None and "replay" in refused.value.fix
    finally:
        registry._REGISTRY.pop("captions-only")
