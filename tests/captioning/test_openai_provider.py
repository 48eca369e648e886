"""The OpenAI-compatible provider, end to end through the real openai SDK and the fake."""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from annotator.captioning import (
    AuthError,
    BadAnswerError,
    ContentRejectedError,
    InvalidRequestError,
    MissingKeyError,
    ModelNotFoundError,
    ProviderError,
    RateLimitedError,
    TransientError,
    get_provider,
)
from annotator.dashscope_api import key_may_travel_to
from tests.captioning.helpers import (
    KEY,
    PLAIN_KEY,
    PLAIN_KEY_VAR,
    REMOTE_HOST,
    VALID_JSON,
    error_texts,
    request_for,
    route_through,
)
from tests.clips import make_corrupt_clip, make_numbered_clip, which_frame
from tests.fakes import (
    COMPATIBLE,
    FakeDashScope,
    Reply,
    answer,
    error,
    garbled_body,
    invalid_key,
    moderation,
    rate_limited,
    server_error,
)


def provider(fake: FakeDashScope, **options: Any):
    return get_provider("openai", base_url=fake.compatible_base, **options)


def sent_content(fake: FakeDashScope) -> list[dict[str, Any]]:
    (call,) = fake.requests(COMPATIBLE)
    (message,) = call.json["messages"]
    assert message["role"] == "user"
    return message["content"]


def decode_jpeg(url: str) -> Image.Image:
    prefix = "data:image/jpeg;base64,"
    assert url.startswith(prefix)
    return Image.open(io.BytesIO(base64.b64decode(url[len(prefix) :])))


def test_video_as_video_sends_a_base64_data_url_with_fps(
    fake: FakeDashScope, api_key: str, small_clip: Path
) -> None:
    fake.queue(COMPATIBLE, answer("A square moves.", input_tokens=321, output_tokens=9))
    result = provider(fake).caption(request_for(small_clip, fps=4.0))

    assert result.text == "A square moves."
    assert (result.input_tokens, result.output_tokens) == (321, 9)
    (call,) = fake.requests(COMPATIBLE)
    assert call.headers["authorization"] == f"Bearer {KEY}"
    assert call.json["model"] == "qwen-vl-max"
    video, text = sent_content(fake)
    expected_url = "data:video/mp4;base64," + base64.b64encode(small_clip.read_bytes()).decode()
    assert video == {"type": "video_url", "video_url": {"url": expected_url}, "fps": 4.0}
    assert text == {"type": "text", "text": "Describe this video in detail."}


def test_video_over_7_mb_is_refused_before_sending(
    fake: FakeDashScope, api_key: str, tmp_path: Path
) -> None:
    big = tmp_path / "big.mp4"
    big.write_bytes(b"\0" * (7 * 1024 * 1024 + 1))
    with pytest.raises(InvalidRequestError, match="video_as=frames") as caught:
        provider(fake).caption(request_for(big))
    assert "big.mp4" in str(caught.value)
    assert fake.requests() == []


def test_frames_as_a_video_list_with_qwen25_sizes(
    fake: FakeDashScope, api_key: str, wide_clip: Path
) -> None:
    provider(fake, video_as="frames").caption(request_for(wide_clip))
    video, _text = sent_content(fake)
    assert video["type"] == "video"
    # 3 s at 10 fps sampled at 2 fps: 6 frames, so the sample rate is exactly 2.
    assert len(video["video"]) == 6
    assert video["fps"] == 2.0
    # 640x360 on a 28 px grid inside the budget: 644x364.
    assert {decode_jpeg(url).size for url in video["video"]} == {(644, 364)}


def test_frames_for_qwen3_use_a_32_px_grid(
    fake: FakeDashScope, api_key: str, wide_clip: Path
) -> None:
    provider(fake, video_as="frames").caption(request_for(wide_clip, model="qwen3-vl-plus"))
    video, _text = sent_content(fake)
    assert {decode_jpeg(url).size for url in video["video"]} == {(640, 352)}


def test_small_frames_are_scaled_up_to_the_minimum(
    fake: FakeDashScope, api_key: str, small_clip: Path
) -> None:
    provider(fake, video_as="frames").caption(request_for(small_clip))
    video, _text = sent_content(fake)
    # 20 frames at 8 fps, 2 fps asked: 5, floored to an even 4; 160x120 grows to >= 128*28*28 px.
    assert len(video["video"]) == 4
    assert video["fps"] == 1.6  # 4 frames over 2.5 s
    assert {decode_jpeg(url).size for url in video["video"]} == {(392, 280)}


def test_frames_are_the_ones_qwen_vl_utils_picks(
    fake: FakeDashScope, api_key: str, tmp_path: Path
) -> None:
    clip = make_numbered_clip(tmp_path / "numbered.mp4", 24, fps=8)
    provider(fake, video_as="frames").caption(request_for(clip))
    video, _text = sent_content(fake)
    picked = [which_frame(decode_jpeg(url), 24) for url in video["video"]]
    # 3 s at 2 fps: 6 frames at linspace(0, 23, 6).round().
    assert picked == [0, 5, 9, 14, 18, 23]


def test_undecodable_clip_is_a_per_sample_error(
    fake: FakeDashScope, api_key: str, tmp_path: Path
) -> None:
    broken = make_corrupt_clip(tmp_path / "broken.mp4")
    with pytest.raises(InvalidRequestError, match=r"broken\.mp4: cannot sample frames"):
        provider(fake, video_as="frames").caption(request_for(broken))
    assert fake.requests() == []


def test_frames_as_images_for_image_only_servers(
    fake: FakeDashScope, api_key: str, small_clip: Path
) -> None:
    provider(fake, video_as="frames", frames_as="images").caption(request_for(small_clip))
    *images, text = sent_content(fake)
    assert len(images) == 4
    assert all(part["type"] == "image_url" for part in images)
    assert all(part["image_url"]["url"].startswith("data:image/jpeg;base64,") for part in images)
    assert text["type"] == "text"


def test_local_server_needs_no_key(fake: FakeDashScope, no_key: None, small_clip: Path) -> None:
    local = provider(fake)
    assert not local.needs_key
    local.caption(request_for(small_clip))
    (call,) = fake.requests(COMPATIBLE)
    assert call.headers["authorization"] == "Bearer EMPTY"


def test_key_env_var_is_configurable(
    fake: FakeDashScope, monkeypatch: pytest.MonkeyPatch, small_clip: Path
) -> None:
    monkeypatch.setenv("MY_VLLM_KEY", "local-secret")
    provider(fake, key_env_var="MY_VLLM_KEY").caption(request_for(small_clip))
    assert fake.requests(COMPATIBLE)[0].headers["authorization"] == "Bearer local-secret"


def test_dashscope_compatible_mode_needs_the_key(no_key: None, small_clip: Path) -> None:
    dashscope = get_provider("openai", region="intl")
    assert dashscope.needs_key
    assert dashscope.base_url == "https://dashscope-intl.aliyuncs.com/compatible-mode/v1"
    with pytest.raises(MissingKeyError, match="DASHSCOPE_API_KEY is not set"):
        dashscope.caption(request_for(small_clip))


def test_structured_retry_then_valid(fake: FakeDashScope, api_key: str, small_clip: Path) -> None:
    fake.queue(COMPATIBLE, answer("Sure! {subject: oops}"), answer("Here you go: " + VALID_JSON))
    result = provider(fake).caption(request_for(small_clip, structured=True))
    assert result.fields is not None
    assert result.fields["motion"] == "The square slides to the right."
    _first, second = fake.requests(COMPATIBLE)
    assert "not valid" in second.json["messages"][0]["content"][-1]["text"]


ERRORS: list[tuple[Reply, type[Exception]]] = [
    (invalid_key(), AuthError),
    (error(403, "AccessDenied", "Access denied."), AuthError),
    (moderation(), ContentRejectedError),
    (
        error(400, "data_inspection_failed", "Input data may contain inappropriate content."),
        ContentRejectedError,
    ),
    (rate_limited(), RateLimitedError),
    (server_error(500), TransientError),
    (server_error(502), TransientError),
    (error(400, "invalid_parameter_error", "The video is too short."), InvalidRequestError),
    (error(404, "model_not_found", "The model does not exist."), ModelNotFoundError),
    (garbled_body(), BadAnswerError),
    (answer(""), BadAnswerError),
]


@pytest.mark.parametrize(("reply", "expected"), ERRORS, ids=lambda v: getattr(v, "code", None))
def test_error_mapping(
    fake: FakeDashScope,
    api_key: str,
    small_clip: Path,
    reply: Reply,
    expected: type[Exception],
) -> None:
    fake.queue(COMPATIBLE, reply)
    with pytest.raises(expected):
        provider(fake).caption(request_for(small_clip))
    assert len(fake.requests(COMPATIBLE)) == 1  # max_retries=0: the SDK does not retry


def test_retry_after_is_read(fake: FakeDashScope, api_key: str, small_clip: Path) -> None:
    fake.queue(COMPATIBLE, rate_limited(retry_after=2.5))
    with pytest.raises(RateLimitedError) as caught:
        provider(fake).caption(request_for(small_clip))
    assert caught.value.retry_after == 2.5


def test_timeout_is_transient(fake: FakeDashScope, api_key: str, small_clip: Path) -> None:
    fake.queue(COMPATIBLE, answer("late", delay=1.0))
    with pytest.raises(TransientError, match="timed out"):
        provider(fake, timeout=0.2).caption(request_for(small_clip))


def test_connection_refused_is_transient(api_key: str, small_clip: Path) -> None:
    with FakeDashScope() as gone:
        base = gone.compatible_base
    with pytest.raises(TransientError, match="Connection error"):
        get_provider("openai", base_url=base).caption(request_for(small_clip))


def test_bad_options_are_refused() -> None:
    with pytest.raises(ValueError, match="video_as must be one of video, frames"):
        get_provider("openai", video_as="gif")
    with pytest.raises(ValueError, match="frames_as"):
        get_provider("openai", frames_as="tiles")


ECHOED: list[Reply] = [
    error(400, "invalid_parameter_error", "The video is too short."),
    server_error(500),
    invalid_key(),
    error(403, "AccessDenied", "Access denied."),
    Reply(502, raw=b"<html><body>502 Bad Gateway</body></html>"),
]


@pytest.mark.parametrize("reply", ECHOED, ids=lambda r: str(r.status))
@pytest.mark.parametrize("key_var", ["DASHSCOPE_API_KEY", PLAIN_KEY_VAR])
def test_a_key_echoed_by_the_server_never_reaches_the_error(
    fake: FakeDashScope,
    monkeypatch: pytest.MonkeyPatch,
    small_clip: Path,
    reply: Reply,
    key_var: str,
) -> None:
    monkeypatch.setenv(key_var, PLAIN_KEY)
    fake.echo_authorization = True
    fake.queue(COMPATIBLE, reply)
    with pytest.raises(ProviderError) as caught:
        provider(fake, key_env_var=key_var).caption(request_for(small_clip))
    assert fake.requests(COMPATIBLE)[0].headers["authorization"] == f"Bearer {PLAIN_KEY}"
    assert "echo" in str(caught.value)  # the server's own words are kept
    for text in error_texts(caught.value):
        assert PLAIN_KEY not in text


REMOTE_BASE = f"http://{REMOTE_HOST}/compatible-mode/v1"


@pytest.mark.parametrize(
    ("url", "may"),
    [
        ("https://dashscope.aliyuncs.com/compatible-mode/v1", True),
        ("https://vllm.example.org/v1", True),
        ("http://127.0.0.1:8000/v1", True),
        ("http://127.8.9.10/v1", True),
        ("http://localhost:8000/v1", True),
        ("http://[::1]:8000/v1", True),
        ("http://192.168.1.20:8000/v1", False),
        ("http://vllm.example.org/v1", False),
        ("http://localhost.example.org/v1", False),
        ("ftp://127.0.0.1/v1", False),
        ("127.0.0.1:8000/v1", False),
    ],
)
def test_where_a_key_may_travel(url: str, may: bool) -> None:
    assert key_may_travel_to(url) is may


def test_the_dashscope_key_never_goes_over_plain_http_to_another_host(
    fake: FakeDashScope, api_key: str, monkeypatch: pytest.MonkeyPatch, small_clip: Path
) -> None:
    route_through(monkeypatch, fake.url)
    get_provider("openai", base_url=REMOTE_BASE, timeout=10).caption(request_for(small_clip))
    (call,) = fake.requests(COMPATIBLE)
    assert call.headers["host"] == REMOTE_HOST  # the request went to the remote host
    assert call.headers["authorization"] == "Bearer EMPTY"


def test_a_key_variable_named_for_the_endpoint_is_sent_to_it(
    fake: FakeDashScope, api_key: str, monkeypatch: pytest.MonkeyPatch, small_clip: Path
) -> None:
    route_through(monkeypatch, fake.url)
    monkeypatch.setenv(PLAIN_KEY_VAR, PLAIN_KEY)
    named = get_provider("openai", base_url=REMOTE_BASE, key_env_var=PLAIN_KEY_VAR, timeout=10)
    named.caption(request_for(small_clip))
    assert fake.requests(COMPATIBLE)[0].headers["authorization"] == f"Bearer {PLAIN_KEY}"


def test_a_refusal_from_a_plain_http_host_says_why_no_key_was_sent(
    fake: FakeDashScope, api_key: str, monkeypatch: pytest.MonkeyPatch, small_clip: Path
) -> None:
    route_through(monkeypatch, fake.url)
    fake.queue(COMPATIBLE, invalid_key())
    with pytest.raises(AuthError) as caught:
        get_provider("openai", base_url=REMOTE_BASE, timeout=10).caption(request_for(small_clip))
    message = str(caught.value)
    assert "DASHSCOPE_API_KEY is sent only over https or to this machine" in message
    assert "--key-env" in message and "key_env_var" in message
    assert caught.value.stops_batch
