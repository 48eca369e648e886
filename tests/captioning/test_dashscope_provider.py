"""The native dashscope provider, end to end through the real SDK and the fake server."""

from __future__ import annotations

from pathlib import Path

import pytest

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
from tests.fakes import (
    NATIVE,
    OSS,
    POLICY,
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


def provider(fake: FakeDashScope):
    return get_provider("dashscope", base_url=fake.native_base)


def test_uploads_the_clip_and_sends_the_oss_url_with_fps(
    fake: FakeDashScope, api_key: str, small_clip: Path
) -> None:
    fake.queue(NATIVE, answer("A red square slides right.", input_tokens=900, output_tokens=12))
    result = provider(fake).caption(request_for(small_clip, fps=3.0))

    assert (result.text, result.model) == (
        "A red square slides right.",
        "qwen-vl-max",
    )
    assert (result.input_tokens, result.output_tokens) == (900, 12)
    policy, upload, call = fake.requests()
    assert [r.endpoint for r in (policy, upload, call)] == [POLICY, OSS, NATIVE]
    assert policy.query == {"action": ["getPolicy"], "model": ["qwen-vl-max"]}
    assert policy.headers["authorization"] == f"Bearer {KEY}"
    # The OSS form POST carries the policy fields and the file's bytes.
    key = upload.form["key"]
    assert key.endswith("/small.mp4")
    assert upload.form["OSSAccessKeyId"] == "fake-access-key-id"
    assert upload.files["file"][1] == small_clip.read_bytes()
    # The call names the uploaded object and asks the server to resolve it.
    assert call.headers["authorization"] == f"Bearer {KEY}"
    assert call.headers["x-dashscope-ossresourceresolve"] == "enable"
    assert call.json["model"] == "qwen-vl-max"
    video, text = call.json["input"]["messages"][0]["content"]
    assert video == {"video": f"oss://{key}", "fps": 3.0}
    assert text == {"text": "Describe this video in detail."}


def test_two_providers_with_different_base_urls_do_not_interfere(
    api_key: str, small_clip: Path
) -> None:
    with FakeDashScope("from one") as one, FakeDashScope("from two") as two:
        first, second = provider(one), provider(two)
        assert first.caption(request_for(small_clip)).text == "from one"
        assert second.caption(request_for(small_clip)).text == "from two"
        assert len(one.requests()) == len(two.requests()) == 3


def test_structured_answer_is_parsed(fake: FakeDashScope, api_key: str, small_clip: Path) -> None:
    fake.queue(NATIVE, answer(f"```json\n{VALID_JSON}\n```"))
    result = provider(fake).caption(request_for(small_clip, structured=True))
    assert result.fields == {
        "subject": "The video opens on a red square.",
        "background": "A soft gradient.",
        "motion": "The square slides to the right.",
    }
    assert result.flagged is None


def test_structured_retry_reuses_the_upload(
    fake: FakeDashScope, api_key: str, small_clip: Path
) -> None:
    fake.queue(NATIVE, answer('{"subject": "a square"'), answer(VALID_JSON, input_tokens=5))
    result = provider(fake).caption(request_for(small_clip, structured=True))
    assert result.fields is not None and result.flagged is None
    assert result.input_tokens == 1200 + 5
    assert len(fake.requests(POLICY)) == 1 and len(fake.requests(OSS)) == 1
    _first, second = fake.requests(NATIVE)
    retry_text = second.json["input"]["messages"][0]["content"][1]["text"]
    assert retry_text.startswith("Describe this video in detail.")
    assert "not valid: the JSON does not parse" in retry_text


def test_structured_still_bad_after_retry_is_kept_and_flagged(
    fake: FakeDashScope, api_key: str, small_clip: Path
) -> None:
    fake.queue(NATIVE, answer("no json here"), answer('{"subject": "only this"}'))
    result = provider(fake).caption(request_for(small_clip, structured=True))
    assert result.text == '{"subject": "only this"}'
    assert result.fields is None
    assert result.flagged is not None
    assert result.flagged.startswith("structured answer invalid after retry:")
    assert "background" in result.flagged


ERRORS: list[tuple[Reply, type[Exception]]] = [
    (invalid_key(), AuthError),
    (error(403, "AccessDenied.Unpurchased", "Access denied."), AuthError),
    (
        error(
            400, "Arrearage", "Access denied, please make sure your account is in good standing."
        ),
        AuthError,
    ),
    (moderation(), ContentRejectedError),
    (rate_limited(), RateLimitedError),
    (server_error(500), TransientError),
    (server_error(503), TransientError),
    (error(400, "InvalidParameter", "The video is too short."), InvalidRequestError),
    (error(404, "Model.NotExist", "Model not exist."), ModelNotFoundError),
    # What DashScope answers for a model name it does not know: every clip would fail.
    (error(400, "InvalidParameter", "Model not exist."), ModelNotFoundError),
    (garbled_body(), BadAnswerError),
    (answer("   "), BadAnswerError),
]


@pytest.mark.parametrize(("reply", "expected"), ERRORS, ids=lambda v: getattr(v, "code", None))
def test_error_mapping(
    fake: FakeDashScope,
    api_key: str,
    small_clip: Path,
    reply: Reply,
    expected: type[Exception],
) -> None:
    fake.queue(NATIVE, reply)
    with pytest.raises(expected):
        provider(fake).caption(request_for(small_clip))
    assert len(fake.requests(NATIVE)) == 1  # the provider itself never retries


def test_auth_error_names_the_key_variable_and_region(
    fake: FakeDashScope, api_key: str, small_clip: Path
) -> None:
    fake.queue(NATIVE, invalid_key())
    with pytest.raises(AuthError) as caught:
        provider(fake).caption(request_for(small_clip))
    assert caught.value.stops_batch
    assert "DASHSCOPE_API_KEY" in caught.value.message
    assert caught.value.fix is not None and "region cn (Beijing)" in caught.value.fix


def test_retry_after_header_is_read(fake: FakeDashScope, api_key: str, small_clip: Path) -> None:
    fake.queue(NATIVE, rate_limited(retry_after=12))
    with pytest.raises(RateLimitedError) as caught:
        provider(fake).caption(request_for(small_clip))
    assert caught.value.retry_after == 12.0
    assert caught.value.retryable


def test_moderation_names_the_clip(fake: FakeDashScope, api_key: str, small_clip: Path) -> None:
    fake.queue(NATIVE, moderation())
    with pytest.raises(ContentRejectedError) as caught:
        provider(fake).caption(request_for(small_clip))
    assert "small.mp4" in str(caught.value)
    assert not caught.value.retryable


def test_refused_upload_policy_is_an_auth_error(
    fake: FakeDashScope, api_key: str, small_clip: Path
) -> None:
    fake.queue(POLICY, invalid_key())
    with pytest.raises(AuthError):
        provider(fake).caption(request_for(small_clip))
    assert fake.requests(NATIVE) == []


def test_failed_oss_upload_is_transient(
    fake: FakeDashScope, api_key: str, small_clip: Path
) -> None:
    fake.queue(OSS, Reply(403))
    with pytest.raises(TransientError, match="upload"):
        provider(fake).caption(request_for(small_clip))


def test_missing_key_says_what_to_do(fake: FakeDashScope, no_key: None, small_clip: Path) -> None:
    with pytest.raises(MissingKeyError) as caught:
        provider(fake).caption(request_for(small_clip))
    assert caught.value.message == "DASHSCOPE_API_KEY is not set"
    assert caught.value.fix == (
        "export DASHSCOPE_API_KEY with a key for region cn (Beijing) (made in the Model Studio "
        "console; it is read from the environment only, never stored), or use --provider "
        "replay for the offline demo"
    )
    assert fake.requests() == []


def test_intl_region_missing_key_names_singapore(no_key: None, small_clip: Path) -> None:
    with pytest.raises(MissingKeyError, match=r"region intl \(Singapore\)"):
        get_provider("dashscope", region="intl").caption(request_for(small_clip))


def test_connection_refused_is_transient(api_key: str, small_clip: Path) -> None:
    with FakeDashScope() as gone:
        base = gone.native_base
    with pytest.raises(TransientError):
        get_provider("dashscope", base_url=base, timeout=5).caption(request_for(small_clip))


def test_missing_clip_is_a_per_sample_error(
    fake: FakeDashScope, api_key: str, tmp_path: Path
) -> None:
    missing = tmp_path / "gone.mp4"
    missing.write_bytes(b"x")
    request = request_for(missing)
    missing.unlink()
    with pytest.raises(InvalidRequestError, match=r"gone\.mp4"):
        provider(fake).caption(request)


def test_default_base_urls_follow_the_region() -> None:
    assert get_provider("dashscope").base_url == "https://dashscope.aliyuncs.com/api/v1"
    intl = get_provider("dashscope", region="intl")
    assert intl.base_url == "https://dashscope-intl.aliyuncs.com/api/v1"


ECHOED: list[tuple[str, Reply]] = [
    (NATIVE, error(400, "InvalidParameter", "The video is too short.")),
    (NATIVE, server_error(500)),
    (NATIVE, invalid_key()),
    (NATIVE, error(403, "AccessDenied", "Access denied.")),
    (POLICY, invalid_key()),
    (POLICY, server_error(500)),
]


@pytest.mark.parametrize(("endpoint", "reply"), ECHOED, ids=lambda v: str(getattr(v, "status", v)))
@pytest.mark.parametrize("key_var", ["DASHSCOPE_API_KEY", PLAIN_KEY_VAR])
def test_a_key_echoed_by_the_server_never_reaches_the_error(
    fake: FakeDashScope,
    monkeypatch: pytest.MonkeyPatch,
    small_clip: Path,
    endpoint: str,
    reply: Reply,
    key_var: str,
) -> None:
    monkeypatch.setenv(key_var, PLAIN_KEY)
    fake.echo_authorization = True
    fake.queue(endpoint, reply)
    named = get_provider("dashscope", base_url=fake.native_base, key_env_var=key_var)
    with pytest.raises(ProviderError) as caught:
        named.caption(request_for(small_clip))
    assert fake.requests(endpoint)[0].headers["authorization"] == f"Bearer {PLAIN_KEY}"
    assert "echo" in str(caught.value)  # the server's own words are kept
    for text in error_texts(caught.value):
        assert PLAIN_KEY not in text


REMOTE_BASE = f"http://{REMOTE_HOST}/api/v1"


def test_the_dashscope_key_is_not_sent_over_plain_http_to_another_host(
    fake: FakeDashScope, api_key: str, monkeypatch: pytest.MonkeyPatch, small_clip: Path
) -> None:
    route_through(monkeypatch, fake.url)
    with pytest.raises(MissingKeyError) as caught:
        get_provider("dashscope", base_url=REMOTE_BASE, timeout=10).caption(request_for(small_clip))
    assert "sent only over https or to this machine" in str(caught.value)
    assert "--key-env" in str(caught.value)
    assert caught.value.stops_batch
    assert fake.requests() == []


def test_a_key_variable_named_for_a_plain_http_host_is_sent(
    fake: FakeDashScope, api_key: str, monkeypatch: pytest.MonkeyPatch, small_clip: Path
) -> None:
    route_through(monkeypatch, fake.url)
    monkeypatch.setenv(PLAIN_KEY_VAR, PLAIN_KEY)
    named = get_provider("dashscope", base_url=REMOTE_BASE, key_env_var=PLAIN_KEY_VAR, timeout=10)
    named.caption(request_for(small_clip))
    policy, _upload, call = fake.requests()
    assert policy.headers["host"] == REMOTE_HOST
    assert policy.headers["authorization"] == call.headers["authorization"] == f"Bearer {PLAIN_KEY}"
