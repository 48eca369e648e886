"""A hostile or broken server's words never become a path out of the download folder, a
crash, or a signature on the terminal (theme: trust nothing you are given)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from annotator.basemodels import Mode
from annotator.finetune.checkpoints import download_previews
from annotator.finetune.client import DashScopeClient
from annotator.finetune.errors import RemoteError
from annotator.finetune.sourcing import (
    SourceOptions,
    download_candidate,
    find_pictures,
    plan,
    start_candidate,
)
from annotator.workspace import Workspace
from annotator.workspace.remote import SOURCES, Checkpoint
from tests.clips import make_image
from tests.fakes.dashscope_server import Reply
from tests.fakes.finetune_server import FakeFinetune

PROMPT = "A cat. Then the s86b5p money rain begins."


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def _candidate_row(ws: Workspace, client: DashScopeClient, tmp_path: Path, answer: dict) -> int:  # type: ignore[type-arg]
    """A started candidate whose task the service then described with ANSWER."""
    make_image(tmp_path / "pics" / "cat.png", 64, 48)
    pictures, _ = find_pictures(tmp_path / "pics", Mode.I2V)
    options = SourceOptions(model="wan2.5-i2v-preview", mode=Mode.I2V, prompt=PROMPT, per_image=1)
    [candidate] = plan("e", pictures, options)
    row = start_candidate(ws, client, candidate, options).row
    SOURCES.record(ws, row.id, answer)
    return row.id


def test_a_task_id_with_slashes_names_a_file_inside_generated(
    ws: Workspace, fake: FakeFinetune, client: DashScopeClient, tmp_path: Path
) -> None:
    answer = {
        "task_id": "/../../escaped",
        "task_status": "SUCCEEDED",
        "video_url": f"{fake.url}/media/tasks/x.mp4",
    }
    row_id = _candidate_row(ws, client, tmp_path, answer)
    folder = ws.root / "generated"
    done = download_candidate(ws, client, SOURCES.by_row(ws, row_id), folder)
    assert done.video_path is not None
    assert Path(done.video_path).parent == folder
    assert not list(ws.root.glob("*.mp4")) and not list(tmp_path.glob("*.mp4"))


def test_a_checkpoint_name_climbing_out_stays_in_the_previews_folder(
    ws: Workspace, fake: FakeFinetune, client: DashScopeClient, tmp_path: Path
) -> None:
    folder = tmp_path / "previews" / "job-1"
    previews = [{"video_path": f"{fake.url}/media/j/c/1.mp4", "prompt": "p"}]
    for name in ("../../../escaped", "/tmp/abs-escaped", ".."):
        ckpt = Checkpoint(
            job_id="job-1", checkpoint=name, previews=previews, updated_at=datetime.now(UTC)
        )
        paths = download_previews(ws, client, "job-1", ckpt, folder)
        assert paths and all(_inside(p, folder) and p.parent != folder for p in paths)
    assert {p.name for p in tmp_path.iterdir()} == {"money_rain", "previews"}
    assert not (tmp_path.parent / "escaped").exists()


def test_a_failed_download_does_not_print_the_urls_signature(
    fake: FakeFinetune, client: DashScopeClient, tmp_path: Path
) -> None:
    url = f"{fake.url}/media/tasks/x.mp4?Expires=1&OSSAccessKeyId=LTAIabcdefgh&Signature=s3cr3tSig"
    for status in (403, 500):
        fake.fail("media", Reply(status=status, code="AccessDenied", message="expired"))
        with pytest.raises(RemoteError) as caught:
            client.download(url, tmp_path / "v.mp4")
        said = str(caught.value) + str(caught.value.fix or "")
        assert "s3cr3tSig" not in said and "LTAIabcdefgh" not in said
        assert "/media/tasks/x.mp4" in said  # which download failed is still said


@pytest.mark.parametrize("created", [10**20, "99999999999999999999", 10**17, -(10**20)])
def test_a_listed_task_with_an_impossible_creation_time_is_no_crash(
    ws: Workspace, fake: FakeFinetune, client: DashScopeClient, tmp_path: Path, created: object
) -> None:
    make_image(tmp_path / "pics" / "cat.png", 64, 48)
    pictures, _ = find_pictures(tmp_path / "pics", Mode.I2V)
    options = SourceOptions(model="wan2.5-i2v-preview", mode=Mode.I2V, prompt=PROMPT, per_image=1)
    [candidate] = plan(client.service.endpoint, pictures, options)
    row = start_candidate(ws, client, candidate, options).row
    # As a run killed between its create request and the answer leaves it: no task id.
    SOURCES.update(ws, row.id, {"task_id": None, "status": "CREATING"})
    [task] = fake.tasks.values()
    task.data["gmt_create"] = created
    again = start_candidate(ws, client, candidate, options)  # looks the task up in the list
    assert again.row.task_id is not None


def test_a_download_larger_than_any_video_is_stopped_and_leaves_nothing(
    fake: FakeFinetune, client: DashScopeClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import annotator.finetune.client as client_module

    monkeypatch.setattr(client_module, "MAX_DOWNLOAD_BYTES", 100)  # the fake's video is bigger
    with pytest.raises(RemoteError, match="larger than"):
        client.download(f"{fake.url}/media/tasks/x.mp4?Signature=s3cr3t", tmp_path / "v.mp4")
    assert list(tmp_path.iterdir()) == []  # neither the video nor its .part
