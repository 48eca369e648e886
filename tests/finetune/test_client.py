"""The HTTP client against the fake server: request shapes, and one error class per refusal."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.finetune import errors
from annotator.finetune.client import DashScopeClient, Service, open_client
from annotator.workspace import Workspace
from tests.fakes.dashscope_server import Reply
from tests.fakes.finetune_server import FakeFinetune
from tests.finetune.helpers import client_for


def _zip(ws: Workspace) -> Path:
    return ws.root / "export" / "money_rain_train.zip"


def test_beijing_upload_sends_files_purpose_and_descriptions(
    ws: Workspace, fake: FakeFinetune, client: DashScopeClient
) -> None:
    seen: list[tuple[int, int]] = []
    sent = client.upload_file(
        _zip(ws), description="a set", progress=lambda a, b: seen.append((a, b))
    )
    rec = fake.requests("files.cn")[0]
    assert rec.headers["authorization"] == "Bearer sk-test"
    assert rec.form == {"purpose": "fine-tune", "descriptions": "a set"}
    assert rec.files["files"] == ("money_rain_train.zip", _zip(ws).read_bytes())
    assert int(rec.headers["content-length"]) == len(rec.body)
    assert sent.file_id in fake.files and sent.name == "money_rain_train.zip"
    size = _zip(ws).stat().st_size
    assert seen[0] == (0, size) and seen[-1] == (size, size)


def test_singapore_upload_is_the_compatible_shape(ws: Workspace, fake: FakeFinetune) -> None:
    with client_for(fake, "intl") as client:
        sent = client.upload_file(_zip(ws), description="ignored there")
    rec = fake.requests("files.intl")[0]
    assert rec.form == {"purpose": "fine-tune"}
    assert "file" in rec.files
    assert sent.file_id.startswith("file-ft-") and sent.status == "processed"


def test_base_url_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANNOTATOR_DASHSCOPE_BASE_URL", "http://127.0.0.1:9/api/v1/")
    assert Service.resolve("intl").base_url == "http://127.0.0.1:9"
    monkeypatch.delenv("ANNOTATOR_DASHSCOPE_BASE_URL")
    assert Service.resolve("intl").base_url == "https://dashscope-intl.aliyuncs.com"
    with pytest.raises(ValueError, match="known regions: cn, intl"):
        Service.resolve("us")


def test_missing_key_names_the_variable_and_the_region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DASHSCOPE_API_KEY", raising=False)
    with pytest.raises(errors.MissingKeyError, match=r"DASHSCOPE_API_KEY is not set.*Singapore"):
        Service.resolve("intl").read_key()


def test_a_key_of_the_other_region_says_so(fake: FakeFinetune) -> None:
    client = client_for(fake, "cn", key="sk-made-in-singapore")
    with client, pytest.raises(errors.KeyRefusedError) as info:
        client.get_job("ft-1")
    message, fix = info.value.message, info.value.fix or ""
    assert "refused the key in DASHSCOPE_API_KEY" in message
    assert "Singapore key is refused in Beijing" in fix and "--region intl" in fix
    assert "sk-made-in-singapore" not in str(info.value)


@pytest.mark.parametrize(
    ("reply", "kind", "words"),
    [
        (Reply(400, code="Arrearage", message="Access denied."), errors.ArrearsError, "overdue"),
        (
            Reply(429, code="Throttling", message="Too many jobs"),
            errors.ResourceLimitError,
            "one job at a time",
        ),
        (Reply(403, code="AccessDenied", message="no"), errors.AccessDeniedError, "activate"),
        (Reply(408, code="RequestTimeOut", message="slow"), errors.ServiceError, "try again"),
        (
            Reply(400, code="DataInspectionFailed", message="Input data may be inappropriate."),
            errors.InvalidRequestError,
            "content moderation",
        ),
        (
            Reply(400, code="InvalidParameter", message="bad n_epochs"),
            errors.InvalidRequestError,
            "bad n_epochs",
        ),
    ],
)
def test_refusals_map_to_one_class_each(
    fake: FakeFinetune, client: DashScopeClient, reply: Reply, kind: type, words: str
) -> None:
    fake.fail("jobs.create", reply)
    with pytest.raises(kind, match=words):
        client.create_job({"model": "wan2.5-i2v-preview", "training_file_ids": []})


def test_unknown_model_lists_the_known_ones(fake: FakeFinetune, client: DashScopeClient) -> None:
    with pytest.raises(errors.UnknownModelError, match=r"wan9-i2v.*wan2.5-i2v-preview"):
        client.create_job({"model": "wan9-i2v", "training_file_ids": []})


def test_a_get_retries_a_5xx_and_a_post_does_not(fake: FakeFinetune) -> None:
    naps: list[float] = []
    client = DashScopeClient(Service.resolve("cn", fake.url), "sk-test", sleep=naps.append)
    fake.fail("jobs.get", Reply(500, code="InternalError", message="boom"))
    with pytest.raises(errors.NotFoundError):  # retried, then the real answer: no such job
        client.get_job("ft-none")
    assert len(fake.requests("jobs.get")) == 2 and naps == [1.0]
    fake.fail("jobs.create", Reply(503, code="ServiceUnavailable", message="busy"))
    with pytest.raises(errors.ServiceError, match="nothing is created twice"):
        client.create_job({"model": "wan2.5-i2v-preview", "training_file_ids": []})
    assert len(fake.requests("jobs.create")) == 1
    client.close()


def test_unreachable_service_is_a_connection_error() -> None:
    client = DashScopeClient(Service.resolve("cn", "http://127.0.0.1:9"), "k", sleep=lambda s: None)
    with pytest.raises(errors.ConnectionFailedError, match="cannot reach DashScope Beijing"):
        client.cancel_job("ft-1")


def test_downloads_never_carry_the_key(
    fake: FakeFinetune, client: DashScopeClient, tmp_path: Path
) -> None:
    dest = client.download(f"{fake.url}/media/tasks/x.mp4?Expires=1", tmp_path / "v.mp4")
    assert dest.read_bytes().startswith(b"\x00\x00\x00\x18ftyp")
    assert "authorization" not in fake.requests("media")[0].headers
    assert not (tmp_path / "v.mp4.part").exists()


PLAIN_KEY = "plain-finetune-secret-0123"  # no token shape, in no variable: only remembered


@pytest.mark.parametrize(
    "reply",
    [
        Reply(400, code="InvalidParameter", message="bad zip"),
        Reply(500, code="InternalError", message="boom"),
        Reply(403, code="AccessDenied", message="no"),
        None,  # the fake's own 401 for a key it does not know
    ],
    ids=["400", "500", "403", "401"],
)
def test_a_key_echoed_by_the_server_never_reaches_the_error(
    ws: Workspace, fake: FakeFinetune, reply: Reply | None
) -> None:
    fake.echo_authorization = True
    if reply is None:
        fake.keys = {"sk-another-key"}
    else:
        fake.keys = {PLAIN_KEY}
        fake.fail("files.cn", reply)
    client = DashScopeClient(Service.resolve("cn", fake.url), PLAIN_KEY, sleep=lambda s: None)
    with client, pytest.raises(errors.RemoteError) as caught:
        client.upload_file(_zip(ws))
    assert fake.requests("files.cn")[0].headers["authorization"] == f"Bearer {PLAIN_KEY}"
    error = caught.value
    assert "echo" in error.message  # the server's own words are kept
    for text in (str(error), repr(error.args), error.message, str(error.code)):
        assert PLAIN_KEY not in text


def test_a_key_from_the_environment_echoed_back_is_hidden(
    fake: FakeFinetune, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DASHSCOPE_API_KEY", PLAIN_KEY)
    fake.keys = {PLAIN_KEY}
    fake.echo_authorization = True
    fake.fail("jobs.create", Reply(400, code="InvalidParameter", message="bad n_epochs"))
    client = open_client(Service.resolve("cn", fake.url))
    with client, pytest.raises(errors.InvalidRequestError) as caught:
        client.create_job({"model": "wan2.5-i2v-preview", "training_file_ids": []})
    assert "echo" in str(caught.value) and PLAIN_KEY not in str(caught.value)


def test_the_key_goes_only_over_https_or_to_this_machine(
    fake: FakeFinetune, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DASHSCOPE_API_KEY", "sk-test")
    monkeypatch.setenv("ANNOTATOR_DASHSCOPE_BASE_URL", "http://203.0.113.7")
    with pytest.raises(errors.MissingKeyError, match="sent only over https or to this machine"):
        open_client(Service.resolve("cn"))
    assert Service.resolve("cn", "https://proxy.example.org").read_key() == "sk-test"
    with open_client(Service.resolve("cn", fake.url)) as client:  # 127.0.0.1
        client.list_jobs()
    assert fake.requests("jobs.list")[0].headers["authorization"] == "Bearer sk-test"
