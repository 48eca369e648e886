import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annotator.basemodels import Mode
from annotator.cli import app
from annotator.pipeline.caption import caption_samples, plan_captions
from annotator.pipeline.scan import scan
from annotator.workspace import Status, Workspace, WorkspaceInfo
from tests.clips import make_clip

FIELDS = {"subject": "a red ball", "background": "on a lawn", "motion": "golden sparks spiral"}


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    for i in range(3):
        make_clip(tmp_path / f"clip_{i}.mp4", width=96, height=64, seed=i)
    ws = Workspace.create(tmp_path, WorkspaceInfo(mode=Mode.I2V, base_model="wan2.5-i2v-preview"))
    scan(ws)
    records = [
        {
            "sha256": s.id,
            "file": s.name,
            "lang": "en",
            "instruction_kind": "structured",
            "text": json.dumps(FIELDS),
            "fields": FIELDS,
        }
        for s in ws.samples()
        if s.name != "clip_2.mp4"  # one clip has no recording: a per-sample failure
    ]
    (tmp_path / "replay.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n")
    return ws


def test_replay_batch_commits_each_caption_and_marks_the_miss(ws: Workspace) -> None:
    summary = caption_samples(ws, provider="replay")
    assert (summary.done, summary.failed) == (2, 1)
    by_name = {s.name: s for s in ws.samples()}
    assert by_name["clip_0.mp4"].status is Status.CAPTIONED
    assert ws.latest_captions()[by_name["clip_0.mp4"].id].fields == FIELDS
    assert by_name["clip_2.mp4"].status is Status.ERROR
    assert "clip_2.mp4" in (by_name["clip_2.mp4"].error or "")


def test_rerun_sends_only_what_is_missing(ws: Workspace) -> None:
    caption_samples(ws, provider="replay")
    plan = plan_captions(ws, provider="replay")
    assert plan.cached == 2
    assert [r.clip.name for r in plan.requests] == ["clip_2.mp4"]
    assert len(plan_captions(ws, provider="replay", force=True).requests) == 3


def test_caption_command_dry_run_and_run(ws: Workspace) -> None:
    runner = CliRunner()
    dry = runner.invoke(app, ["caption", str(ws.root), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "3 requests to replay" in dry.output
    assert ws.latest_captions() == {}
    result = runner.invoke(app, ["caption", str(ws.root)])
    assert result.exit_code == 1  # one clip has no recording
    assert "Captioned 2 of 3" in result.output
    assert "clip_2.mp4" in result.output
    again = runner.invoke(app, ["caption", str(ws.root), "--status", "error"])
    assert "Captioned 0 of 1" in again.output


def test_unknown_provider_is_a_usage_error(ws: Workspace) -> None:
    result = CliRunner().invoke(app, ["caption", str(ws.root), "--provider", "nope"])
    assert result.exit_code == 2
    assert "replay" in result.output  # the error lists the known providers


def test_override_prompts_lint_clean_when_they_keep_the_formula(ws: Workspace) -> None:
    from annotator.pipeline.prompts import load_prompts

    ws.set_workspace_field("trigger", "s86b5p")
    ws.set_workspace_field("template", "Then the s86b5p effect begins, {pronoun} glows.")
    for s in ws.samples():
        ws.edit(
            s.id,
            "prompt_override",
            f"A cube named {s.name[:6]}. A grey room. Then the s86b5p effect begins, it glows.",
        )
    errors = [f for f in load_prompts(ws).findings() if f.severity == "error"]
    assert errors == []


def test_a_caption_arriving_never_overwrites_a_persons_decision(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from annotator.captioning import CaptionResult, registry

    class AcceptsWhileAsked:
        """Stands for a person who accepts the clip while its caption is on the way."""

        name, key_env_var, needs_key = "person-race", None, False

        def caption(self, request):  # type: ignore[no-untyped-def]
            with Workspace.open(ws.root) as other:  # the review UI's own connection
                other.set_status(request.clip_sha256, Status.ACCEPTED)
            return CaptionResult(text="late caption", model="m")

    # Registered for this test only: the registry is global, and a name left behind
    # would show in every later test's list of known providers.
    monkeypatch.setitem(registry._REGISTRY, "person-race", lambda: AcceptsWhileAsked())
    summary = caption_samples(ws, provider="person-race")
    assert summary.done == 3
    assert {s.status for s in ws.samples()} == {Status.ACCEPTED}
    assert all(c.text == "late caption" for c in ws.latest_captions().values())
