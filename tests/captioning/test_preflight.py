"""The check before a batch reads the key through the one key reader, before any connection."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from annotator.captioning import CaptionRequest, CaptionResult, MissingKeyError, get_provider
from annotator.captioning.preflight import check_ready
from tests.captioning.helpers import REMOTE_HOST, route_through


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A TCP port on 127.0.0.1 that counts as reached once anything connects to it."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.setblocking(False)
        yield server


def _connected(server: socket.socket) -> bool:
    try:
        server.accept()[0].close()
    except BlockingIOError:
        return False
    return True


def test_dashscopes_key_to_a_remote_plain_http_host_is_refused_before_connecting(
    api_key: str, monkeypatch: pytest.MonkeyPatch, listener: socket.socket
) -> None:
    host, port = listener.getsockname()
    route_through(monkeypatch, f"http://{host}:{port}")  # the remote host, as the proxy sees it
    provider = get_provider("dashscope", base_url=f"http://{REMOTE_HOST}/api/v1")
    with pytest.raises(MissingKeyError) as caught:
        check_ready(provider)
    assert "sent only over https or to this machine" in caught.value.message
    assert caught.value.fix is not None and "--key-env" in caught.value.fix
    assert not _connected(listener)


def test_a_reachable_server_with_a_key_passes(
    api_key: str, monkeypatch: pytest.MonkeyPatch, listener: socket.socket
) -> None:
    host, port = listener.getsockname()
    check_ready(get_provider("dashscope", base_url=f"http://{host}:{port}/api/v1"))
    assert _connected(listener)


def test_a_missing_key_names_the_variable_and_the_fix(no_key: None) -> None:
    with pytest.raises(MissingKeyError) as caught:
        check_ready(get_provider("dashscope", region="intl"))
    assert caught.value.message == "DASHSCOPE_API_KEY is not set"
    assert caught.value.fix is not None
    assert "region intl (Singapore)" in caught.value.fix and "--provider replay" in caught.value.fix


def test_a_local_server_needs_no_key(no_key: None, listener: socket.socket) -> None:
    host, port = listener.getsockname()
    check_ready(get_provider("openai", base_url=f"http://{host}:{port}/v1"))


def test_another_providers_own_variable_is_read_by_the_same_reader(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class OwnKey:
        name = "own"
        key_env_var: str | None = "OWN_CAPTION_KEY"
        needs_key = True

        def caption(self, request: CaptionRequest) -> CaptionResult:
            raise NotImplementedError

    monkeypatch.delenv("OWN_CAPTION_KEY", raising=False)
    with pytest.raises(MissingKeyError) as caught:
        check_ready(OwnKey())
    assert caught.value.message == "OWN_CAPTION_KEY is not set"
    monkeypatch.setenv("OWN_CAPTION_KEY", "own-secret")
    check_ready(OwnKey())
