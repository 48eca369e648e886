"""annotator source against a broken or hostile server: one bad answer is one clear message
about that candidate, and the rest of the batch goes on."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from annotator.cli import app
from tests.cli.test_source_cli import _creates, _source, pictures, root, runner, videos
from tests.fakes.dashscope_server import Reply
from tests.fakes.finetune_server import FakeFinetune

__all__ = ["pictures", "root", "videos"]  # fixtures used here


class MangledFake(FakeFinetune):
    """The fake, with MANGLE(output) changing the task answers of the tasks in MANGLED
    (by creation order from 1)."""

    def __init__(self) -> None:
        super().__init__()
        self.mangled: set[int] = set()
        self.mangle: dict[str, Any] = {}
        self.forgotten: set[int] = set()  # tasks whose record the service no longer has
        self.moving: Path | None = None
        self.forgotten_as: tuple[int, dict[str, Any]] = (
            404,
            {"request_id": "r-2", "code": "NotFound", "message": "task not found"},
        )

    def _start_task(self, rec: Any, kf2v: bool) -> tuple[int, dict[str, Any]]:
        # As the service does for a picture it cannot read: this request is refused.
        url = str(((rec.json or {}).get("input") or {}).get("img_url", ""))
        if url.startswith("data:") and not base64.b64decode(url.split(",", 1)[1]).startswith(
            b"\x89PNG"
        ):
            return 400, {
                "request_id": "r-1",
                "code": "InvalidParameter",
                "message": "The image format is not supported \x1b[2J",
            }
        return super()._start_task(rec, kf2v)

    def _tasks_get(self, rec: Any, id: str) -> tuple[int, dict[str, Any]]:
        task = self.tasks.get(id)
        if task is not None and task.data["number"] in self.forgotten:
            return self.forgotten_as
        status, body = super()._tasks_get(rec, id)
        if task is not None and task.data["number"] in self.mangled:
            body["output"].update(self.mangle)
        return status, body


@pytest.fixture
def fake(videos: list[bytes]) -> Iterator[MangledFake]:
    with MangledFake() as server:
        server.task_videos = videos
        yield server


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_a_download_refused_is_said_for_its_candidate_and_the_others_are_scanned(
    root: Path, pictures: Path, fake: MangledFake
) -> None:
    fake.fail("media", Reply(status=403, code="AccessDenied", message="Request has expired"))
    result = _source(fake, root, pictures)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "is gone (403)" in _flat(result.output)
    assert len(list((root / "generated").glob("*.mp4"))) == 5
    status = runner.invoke(app, ["status", str(root), "--json"])
    assert status.output.count('"generated/') == 5  # scanned: five new samples
    again = _source(fake, root, pictures)
    assert again.exit_code == 0, again.output
    assert _creates(fake) == 6  # nothing made twice: the video was only fetched again
    assert len(list((root / "generated").glob("*.mp4"))) == 6


def test_a_success_without_a_video_is_that_candidates_failure(
    root: Path, pictures: Path, fake: MangledFake
) -> None:
    fake.mangled, fake.mangle = {3}, {"video_url": None}
    result = _source(fake, root, pictures)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "has no video" in _flat(result.output)
    assert len(list((root / "generated").glob("*.mp4"))) == 5


@pytest.mark.parametrize(
    "mangle",
    [
        {"task_status": 7},
        {"task_status": {"state": "SUCCEEDED"}},
        {"video_url": ["http://x/v.mp4"]},
        {"message": {"nested": True}, "end_time": 1732990000},
    ],
    ids=["status-number", "status-object", "url-list", "message-object"],
)
def test_a_field_of_the_wrong_type_never_crashes_nor_breaks_the_store(
    root: Path, pictures: Path, fake: MangledFake, mangle: dict[str, Any]
) -> None:
    fake.mangled, fake.mangle = {1}, mangle
    result = _source(fake, root, pictures, "--timeout", "2")
    assert "Traceback" not in result.output and "internal error" not in result.output.lower()
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    jobs = runner.invoke(app, ["jobs", str(root)])  # the store still reads
    assert jobs.exit_code == 0, jobs.output


def test_a_picture_the_service_refuses_is_said_and_the_other_pictures_are_made(
    root: Path, pictures: Path, fake: MangledFake
) -> None:
    (pictures / "dog.png").write_bytes(b"not a picture at all")  # between cat and fox
    result = _source(fake, root, pictures)
    assert result.exit_code == 1, result.output
    flat = _flat(result.output)
    assert "Traceback" not in flat and "\x1b" not in result.output
    assert "not started: dog.png #1" in flat and "not started: dog.png #2" in flat
    assert "image format is not supported" in flat
    made = sorted(p.name for p in (root / "generated").glob("*.mp4"))
    assert [n.split("-")[0] for n in made] == ["cat", "cat", "fox", "fox"]
    again = _source(fake, root, pictures)  # the refusal stays; nothing else is made again
    assert again.exit_code == 1 and len(fake.tasks) == 4


@pytest.mark.parametrize(
    "answer",
    [
        (404, {"request_id": "r-2", "code": "NotFound", "message": "task not found"}),
        (400, {"request_id": "r-3", "code": "InvalidParameter", "message": "bad task id"}),
    ],
    ids=["not-found", "refused"],
)
def test_a_task_the_service_no_longer_knows_is_that_candidates_failure(
    root: Path, pictures: Path, fake: MangledFake, answer: tuple[int, dict[str, Any]]
) -> None:
    fake.forgotten, fake.forgotten_as = {4}, answer
    result = _source(fake, root, pictures)
    assert result.exit_code == 1, result.output
    flat = _flat(result.output)
    assert "Traceback" not in flat and "failed: dog.png #2" in flat and "UNKNOWN" in flat
    assert len(list((root / "generated").glob("*.mp4"))) == 5
    fake.forgotten = set()
    again = _source(fake, root, pictures)  # made again, as a failed task is
    assert again.exit_code == 0, again.output
    assert len(list((root / "generated").glob("*.mp4"))) == 6


class _MovesFox(MangledFake):
    """As a person moving fox.png away while the run is starting its tasks."""

    def _start_task(self, rec: Any, kf2v: bool) -> tuple[int, dict[str, Any]]:
        answer = super()._start_task(rec, kf2v)
        if self.moving is not None and self.moving.exists():
            self.moving.rename(self.moving.with_name("moved.bin"))
        return answer


def test_a_picture_moved_during_the_run_is_said_and_the_others_are_made(
    root: Path, pictures: Path, videos: list[bytes]
) -> None:
    with _MovesFox() as fake:
        fake.task_videos = videos
        fake.moving = pictures / "fox.png"
        result = _source(fake, root, pictures)
    assert result.exit_code == 1, result.output
    flat = _flat(result.output)
    assert "unexpected" not in flat and "not started: fox.png #1: fox.png cannot be read" in flat
    assert "not started: fox.png #2" in flat
    assert len(list((root / "generated").glob("*.mp4"))) == 4  # cat and dog, two each
