"""annotator source: candidate clips from pictures with a base model, against the fake DashScope."""

from __future__ import annotations

import base64
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annotator.basemodels import Mode
from annotator.cli import app
from annotator.workspace import Workspace
from annotator.workspace.remote import SOURCES
from tests.clips import make_clip, make_image
from tests.fakes.dashscope_server import server_error
from tests.fakes.finetune_server import FakeFinetune
from tests.finetune.helpers import KEY, make_workspace

runner = CliRunner()
PROMPT = "A cat sits on a sofa. Then the s86b5p money rain begins."


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> list[bytes]:
    """Seven different real clips: what the fake hands out for successful tasks."""
    folder = tmp_path_factory.mktemp("videos")
    return [
        make_clip(folder / f"v{n}.mp4", 64, 48, seconds=2.0, fps=4, seed=n).read_bytes()
        for n in range(7)
    ]


@pytest.fixture
def fake(videos: list[bytes]) -> Iterator[FakeFinetune]:
    with FakeFinetune() as server:
        server.task_videos = videos
        yield server


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DASHSCOPE_API_KEY", KEY)
    monkeypatch.setenv("ANNOTATOR_CONFIG", str(tmp_path / "no-config.toml"))
    make_workspace(tmp_path / "money_rain").close()
    return tmp_path / "money_rain"


@pytest.fixture
def pictures(tmp_path: Path) -> Path:
    folder = tmp_path / "pictures"
    for n, name in enumerate(("cat", "dog", "fox")):
        make_image(folder / f"{name}.png", 64 + 8 * n, 48)
    return folder


def _source(fake: FakeFinetune, root: Path, pictures: Path, *extra: str):  # type: ignore[no-untyped-def]
    argv = ["source", str(root), "--images", str(pictures), "--prompt", PROMPT]
    argv += ["--per-image", "2", "--base-url", fake.url, "--poll-interval", "0", *extra]
    return runner.invoke(app, argv)


def _creates(fake: FakeFinetune) -> int:
    return len(fake.requests("tasks.i2v")) + len(fake.requests("tasks.kf2v"))


def test_three_pictures_two_each_make_six_new_samples_and_a_rerun_creates_nothing(
    root: Path, pictures: Path, fake: FakeFinetune
) -> None:
    result = _source(fake, root, pictures)
    assert result.exit_code == 0, result.output
    assert _creates(fake) == 6
    made = sorted(p.name for p in (root / "generated").iterdir())
    assert len(made) == 6 and all(name.endswith(".mp4") for name in made)
    status = runner.invoke(app, ["status", str(root), "--json"])
    rows = json.loads(status.output)
    assert sorted(r["path"] for r in rows) == [f"generated/{name}" for name in made]
    assert {r["status"] for r in rows} == {"new"}

    # Every request was async, named the workspace's base model, sent the picture inline
    # with the prompt, and each candidate of a picture had its own seed.
    sent = [r for r in fake.requests("tasks.i2v")]
    assert all(r.headers.get("x-dashscope-async") == "enable" for r in sent)
    bodies = [r.json for r in sent]
    assert {b["model"] for b in bodies} == {"wan2.5-i2v-preview"}
    assert all(b["input"]["img_url"].startswith("data:image/png;base64,") for b in bodies)
    assert all(b["input"]["prompt"] == PROMPT for b in bodies)
    by_picture: dict[str, set[int]] = {}
    for b in bodies:
        by_picture.setdefault(b["input"]["img_url"], set()).add(b["parameters"]["seed"])
    assert sorted(len(seeds) for seeds in by_picture.values()) == [2, 2, 2]
    picture = next(iter(by_picture))
    assert base64.b64decode(picture.split(",", 1)[1])[:4] == b"\x89PNG"

    # Each sample remembers where it came from.
    with Workspace.open(root) as ws:
        ids = {r["id"] for r in rows}
        origins = [SOURCES.first(ws, sample_id=sid) for sid in ids]
    assert all(o is not None for o in origins)
    assert {Path(o.picture).name for o in origins if o} == {"cat.png", "dog.png", "fox.png"}
    assert {(o.prompt, o.model) for o in origins if o} == {(PROMPT, "wan2.5-i2v-preview")}
    assert all(o and o.task_id and o.seed >= 0 for o in origins)

    again = _source(fake, root, pictures)
    assert again.exit_code == 0, again.output
    assert _creates(fake) == 6
    assert "0 started, 6 found from before" in " ".join(again.output.split())
    jobs = runner.invoke(app, ["jobs", str(root)])
    assert "candidates (annotator source): 6 from 3 pictures: 6 SUCCEEDED; 6 downloaded" in (
        " ".join(jobs.output.split())
    )


def test_a_failed_task_is_reported_the_others_downloaded_and_a_rerun_retries_it_alone(
    root: Path, pictures: Path, fake: FakeFinetune
) -> None:
    fake.fail_tasks = {2}
    result = _source(fake, root, pictures)
    assert result.exit_code == 1, result.output
    flat = " ".join(result.output.split())
    assert "DataInspectionFailed" in flat and "1 failed" in flat
    assert len(list((root / "generated").iterdir())) == 5
    again = _source(fake, root, pictures)
    assert again.exit_code == 0, again.output
    assert _creates(fake) == 7
    assert len(list((root / "generated").iterdir())) == 6


def test_dry_run_counts_the_videos_to_make_and_their_price(
    root: Path, pictures: Path, fake: FakeFinetune, tmp_path: Path
) -> None:
    result = _source(fake, root, pictures, "--dry-run", "--resolution", "480P")
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    assert "6 to make" in flat
    assert "6 videos x 5 s of wan2.5-i2v-preview at 480P = 9.00 CNY" in flat
    assert fake.requests() == []
    config = tmp_path / "config.toml"
    config.write_text('[video_prices."wan2.5-i2v-preview"]\n480P = 0.5\n', encoding="utf-8")
    os.environ["ANNOTATOR_CONFIG"] = str(config)  # restored by monkeypatch's teardown
    result = _source(fake, root, pictures, "--dry-run", "--resolution", "480P", "--json")
    assert json.loads(result.output)["total"] == pytest.approx(15.0)


def test_kf2v_pairs_first_and_last_pictures(
    tmp_path: Path, fake: FakeFinetune, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DASHSCOPE_API_KEY", KEY)
    monkeypatch.setenv("ANNOTATOR_CONFIG", str(tmp_path / "no-config.toml"))
    root = tmp_path / "magazine"
    make_workspace(root, Mode.KF2V).close()
    folder = tmp_path / "pairs"
    make_image(folder / "a_first.png", 64, 48)
    make_image(folder / "a_last.jpg", 64, 48, "JPEG")
    make_image(folder / "b_first.png", 64, 48)  # no last: left out
    result = runner.invoke(
        app,
        [
            *("source", str(root), "--images", str(folder), "--prompt", PROMPT),
            *("--per-image", "1", "--base-url", fake.url, "--poll-interval", "0"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "b_first.png: no b_last.* beside it" in " ".join(result.output.split())
    [sent] = fake.requests("tasks.kf2v")
    assert sent.json["model"] == "wan2.2-kf2v-flash"
    assert sent.json["input"]["first_frame_url"].startswith("data:image/png;base64,")
    assert sent.json["input"]["last_frame_url"].startswith("data:image/jpeg;base64,")


def test_kill_9_after_the_first_create_then_a_rerun_creates_nothing_twice(
    root: Path, pictures: Path, fake: FakeFinetune
) -> None:
    """Killed while the first create's answer is on its way: the row has no task id yet."""
    fake.stall = threading.Event()
    env = {**os.environ, "DASHSCOPE_API_KEY": KEY}
    cmd = [sys.executable, "-m", "annotator", "source", str(root), "--images", str(pictures)]
    cmd += ["--prompt", PROMPT, "--per-image", "2", "--base-url", fake.url]
    cmd += ["--poll-interval", "0"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not fake.tasks and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    fake.stall.set()
    fake.stall = None
    assert _creates(fake) == 1
    with sqlite3.connect(root / ".annotator" / "workspace.db") as conn:
        rows = conn.execute("SELECT task_id, status FROM sources").fetchall()
    assert rows == [(None, "CREATING")]  # the row went in before the request

    result = _source(fake, root, pictures)
    assert result.exit_code == 0, result.output
    assert _creates(fake) == 6  # the first one found in the task list, not made again
    assert "started by a run that stopped" in " ".join(result.output.split())
    with Workspace.open(root) as ws:
        tasks = [row.task_id for row in SOURCES.select(ws)]
    assert sorted(tasks) == sorted(fake.tasks)  # type: ignore[type-var]
    assert len(list((root / "generated").iterdir())) == 6


def test_ctrl_c_leaves_the_running_tasks_recorded_and_a_rerun_picks_them_up(
    root: Path, pictures: Path, fake: FakeFinetune
) -> None:
    fake.task_steps = ["PENDING", "RUNNING"]  # running until the test says otherwise
    env = {**os.environ, "DASHSCOPE_API_KEY": KEY}
    cmd = [sys.executable, "-m", "annotator", "source", str(root), "--images", str(pictures)]
    cmd += ["--prompt", PROMPT, "--per-image", "2", "--base-url", fake.url]
    cmd += ["--poll-interval", "0.05"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    # The 7th read goes out once the 6 answers of the first round are stored.
    while len(fake.requests("tasks.get")) < 7 and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    output, _ = proc.communicate(timeout=30)
    assert proc.returncode == 1
    assert "run the same command again" in " ".join(output.decode().split())
    with Workspace.open(root) as ws:
        rows = SOURCES.select(ws)
    assert len(rows) == 6 and all(r.task_id and r.status == "RUNNING" for r in rows)

    for task in fake.tasks.values():
        task.steps.append("SUCCEEDED")
    result = _source(fake, root, pictures)
    assert result.exit_code == 0, result.output
    assert _creates(fake) == 6
    assert len(list((root / "generated").iterdir())) == 6


def test_an_unanswered_create_is_looked_up_first_and_a_broken_list_stops_the_run(
    root: Path, pictures: Path, fake: FakeFinetune
) -> None:
    """A 5xx on a create may hide a task the service made: its row stays (no task id);
    the next run looks in the task list before starting it again, and one that cannot read
    the list starts nothing unless told to (--retry-unanswered)."""
    fake.fail("tasks.i2v", server_error())
    first = _source(fake, root, pictures)
    assert first.exit_code == 1, first.output
    with Workspace.open(root) as ws:
        assert [(r.task_id, r.status) for r in SOURCES.select(ws)] == [(None, "CREATING")]

    fake.task_list_broken = True
    second = _source(fake, root, pictures)
    assert second.exit_code == 1, second.output
    assert "--retry-unanswered" in " ".join(second.output.split())
    assert _creates(fake) == 1  # only the refused one

    third = _source(fake, root, pictures, "--retry-unanswered")
    assert third.exit_code == 0, third.output
    assert _creates(fake) == 7  # the refused one, then six
    assert len(list((root / "generated").iterdir())) == 6


def test_after_an_unanswered_create_a_readable_empty_list_means_start_it(
    root: Path, pictures: Path, fake: FakeFinetune
) -> None:
    fake.fail("tasks.i2v", server_error())
    assert _source(fake, root, pictures).exit_code == 1
    result = _source(fake, root, pictures)
    assert result.exit_code == 0, result.output
    assert len(fake.requests("tasks.list")) == 1
    assert _creates(fake) == 7
    assert len(list((root / "generated").iterdir())) == 6


def test_wan27_sends_its_pictures_as_media_and_refuses_480p(
    tmp_path: Path, fake: FakeFinetune, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DASHSCOPE_API_KEY", KEY)
    monkeypatch.setenv("ANNOTATOR_CONFIG", str(tmp_path / "no-config.toml"))
    root = tmp_path / "magazine"
    make_workspace(root, Mode.KF2V, model="wan2.7-i2v").close()
    folder = tmp_path / "pairs"
    make_image(folder / "a_first.png", 64, 48)
    make_image(folder / "a_last.png", 64, 48)
    argv = ["source", str(root), "--images", str(folder), "--prompt", PROMPT, "--per-image", "1"]
    argv += ["--model", "wan2.7-i2v", "--base-url", fake.url, "--poll-interval", "0"]
    refused = runner.invoke(app, [*argv, "--resolution", "480P"])
    assert refused.exit_code == 2
    assert "wan2.7-i2v makes 720P or 1080P videos" in " ".join(refused.output.split())
    result = runner.invoke(app, argv)
    assert result.exit_code == 0, result.output
    [sent] = fake.requests("tasks.i2v")  # both frames, on the video-generation path
    assert [m["type"] for m in sent.json["input"]["media"]] == ["first_frame", "last_frame"]
    assert all(m["url"].startswith("data:image/png;base64,") for m in sent.json["input"]["media"])


def test_the_prompt_comes_from_one_of_prompt_and_prompt_file(
    root: Path, pictures: Path, fake: FakeFinetune, tmp_path: Path
) -> None:
    text = tmp_path / "effect.txt"
    text.write_text(PROMPT + "\n", encoding="utf-8")
    base = ["source", str(root), "--images", str(pictures), "--base-url", fake.url]
    both = runner.invoke(app, [*base, "--prompt", "x", "--prompt-file", str(text)])
    assert both.exit_code == 2 and "one" in both.output
    neither = runner.invoke(app, base)
    assert neither.exit_code == 2
    result = runner.invoke(app, [*base, "--prompt-file", str(text), "--per-image", "1"])
    assert result.exit_code == 0, result.output
    assert {r.json["input"]["prompt"] for r in fake.requests("tasks.i2v")} == {PROMPT}
