"""The sourcing domain: pictures and pairs, candidates and seeds, paced task reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.basemodels import Mode
from annotator.finetune.client import DashScopeClient
from annotator.finetune.poll import Poller
from annotator.finetune.prices import video_cost
from annotator.finetune.sourcing import (
    TASK_READS_PER_SECOND,
    SourceOptions,
    find_pictures,
    follow,
    plan,
    start_candidate,
)
from annotator.workspace import Workspace
from tests.clips import make_image
from tests.fakes.finetune_server import FakeFinetune
from tests.finetune.helpers import FakeClock

PROMPT = "A cat. Then the s86b5p money rain begins."


def _options(**kw: object) -> SourceOptions:
    values: dict[str, object] = {"model": "wan2.5-i2v-preview", "mode": Mode.I2V, "prompt": PROMPT}
    values.update(kw)
    return SourceOptions(**values)  # type: ignore[arg-type]


def test_kf2v_pictures_are_paired_by_stem_and_strays_are_named(tmp_path: Path) -> None:
    for n, name in enumerate(("a_first.png", "a_last.jpg", "b_first.png", "c_last.png", "d.png")):
        make_image(tmp_path / name, 64 + 2 * n, 48)
    found, problems = find_pictures(tmp_path, Mode.KF2V)
    assert [(s.stem, [p.path.name for p in s.pictures if p.path]) for s in found] == [
        ("a", ["a_first.png", "a_last.jpg"])
    ]
    assert len(problems) == 3 and all("left out" in p for p in problems)


def test_each_candidate_has_its_own_seed_the_same_on_a_rerun(tmp_path: Path) -> None:
    make_image(tmp_path / "cat.png", 64, 48)
    make_image(tmp_path / "dog.png", 72, 48)
    make_image(tmp_path / "dog_copy.png", 72, 48)  # the same picture again: left out
    pictures, problems = find_pictures(tmp_path, Mode.I2V)
    assert problems == ["dog_copy.png: the same picture as dog.png; left out"]
    first = plan("cn:x", pictures, _options(per_image=3))
    again = plan("cn:x", pictures, _options(per_image=3))
    assert [c.seed for c in first] == [c.seed for c in again]
    assert len({c.seed for c in first}) == 6 and len({c.fingerprint for c in first}) == 6
    counted = plan("cn:x", pictures, _options(per_image=3, seed=100))
    assert [c.seed for c in counted] == [100, 101, 102, 100, 101, 102]


def test_the_cost_is_per_second_of_video_and_unknown_without_a_price() -> None:
    assert video_cost("wan2.2-i2v-flash", "720P", 6).total == 6 * 5 * 0.20
    assert video_cost("wan2.5-i2v-preview", "480P", 2, 10).total == 2 * 10 * 0.30
    override = {"wan2.7-i2v": {"720P": 0.5}}
    assert video_cost("wan2.7-i2v", "720P", 1, overrides=override).total == 2.5
    assert video_cost("wan2.7-i2v", "720P", 1).total is None


def test_task_reads_stay_under_the_accounts_rate(
    ws: Workspace, fake: FakeFinetune, client: DashScopeClient, tmp_path: Path
) -> None:
    for n in range(10):
        make_image(tmp_path / "pics" / f"p{n:02d}.png", 64 + 2 * n, 48)
    pictures, _ = find_pictures(tmp_path / "pics", Mode.I2V)
    options = _options(per_image=2)
    rows = [start_candidate(ws, client, c, options).row for c in plan("e", pictures, options)]
    clock = FakeClock()
    reads: list[float] = []
    fake_get = client.get_task

    def counted(task_id: str):  # type: ignore[no-untyped-def]
        reads.append(clock.t)
        return fake_get(task_id)

    client.get_task = counted  # type: ignore[method-assign]
    done = follow(ws, client, rows, Poller(0.0, clock))
    assert {r.status for r in done} == {"SUCCEEDED"}
    assert len(reads) == 20 * 2  # each task read until it ended (PENDING -> RUNNING -> done)
    for t in reads:
        assert sum(1 for u in reads if t <= u < t + 1.0) <= TASK_READS_PER_SECOND


def test_a_picture_too_big_to_send_inline_goes_through_the_temporary_storage(
    ws: Workspace,
    fake: FakeFinetune,
    client: DashScopeClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import annotator.finetune.generate as generate

    monkeypatch.setattr(generate, "INLINE_LIMIT", 16)  # every picture is "too big"
    make_image(tmp_path / "pics" / "cat.png", 64, 48)
    pictures, _ = find_pictures(tmp_path / "pics", Mode.I2V)
    [candidate] = plan("e", pictures, _options(per_image=1))
    started = start_candidate(ws, client, candidate, _options(per_image=1))
    assert started.created and started.row.task_id
    [sent] = fake.requests("tasks.i2v")
    assert sent.json["input"]["img_url"].startswith("oss://dashscope-instant/")
    assert sent.headers.get("x-dashscope-ossresourceresolve") == "enable"
    assert len(fake.temporary) == 1
    # The stored request names the picture by its path, never by its bytes.
    assert started.row.request["input"]["img_url"] == str(tmp_path / "pics" / "cat.png")
