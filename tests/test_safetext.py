"""Redaction and control-character stripping: the one place outside text is made safe."""

from __future__ import annotations

import pytest

from annotator.safetext import (
    REDACTED,
    control_characters,
    outside_text,
    redact,
    strip_controls,
)

KEY = "sk-" + "0123456789abcdefABCDEF"  # a fake key, split for secret scanners


def test_a_key_from_the_environment_is_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DASHSCOPE_API_KEY", "plainsecretvalue42")
    assert "plainsecretvalue42" not in redact("the server said: plainsecretvalue42 is bad")


@pytest.mark.parametrize(
    "echo",
    [
        f"Authorization: Bearer {KEY}",
        f'{{"headers": {{"authorization": "Bearer {KEY}"}}}}',
        f"api_key={KEY}&x=1",
        f"bad key {KEY}.",
        "Authorization: Bearer opaque-token-without-prefix",
    ],
)
def test_tokens_in_a_server_echo_are_redacted(echo: str) -> None:
    cleaned = redact(echo)
    assert KEY not in cleaned and "opaque-token-without-prefix" not in cleaned
    assert REDACTED in cleaned


def test_an_explicit_secret_is_redacted() -> None:
    assert redact("token=abcdefgh12345 x", "abcdefgh12345") == f"token={REDACTED} x"


def test_an_error_code_that_ends_in_apikey_is_not_a_key_field() -> None:
    text = "InvalidApiKey: Invalid API-key provided."
    assert redact(text) == text


def test_ordinary_text_is_left_alone() -> None:
    text = "HTTP 400: the model qwen-vl-max does not take video longer than 10 s"
    assert redact(text) == text


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("a\x1b]0;pwned\x07 cat", "a cat"),  # OSC window title
        ("\x1b[2J\x1b[31mred\x1b[0m", "red"),  # clear screen, colours
        ("bell\x07 and\rcr", "bell and cr"),
        ("tab\there", "tab here"),
        ("right\u202eleft", "rightleft"),  # bidi override
        ("no\x00nul", "nonul"),
    ],
)
def test_control_characters_are_stripped(raw: str, clean: str) -> None:
    assert strip_controls(raw) == clean


def test_newlines_stay_where_allowed() -> None:
    assert strip_controls("one\r\ntwo\nthree", keep_newlines=True) == "one\ntwo\nthree"
    assert strip_controls("one\ntwo") == "one two"


def test_what_is_left_is_named() -> None:
    assert control_characters("ok\x1b[1mx\x07") == ["U+0007", "U+001B"]
    assert control_characters("line\nline 中文 😀") == []


def test_outside_text_does_both() -> None:
    assert outside_text(f"\x1b[31m{KEY}\x1b[0m") == REDACTED


@pytest.mark.parametrize(
    "header",
    [
        "Authorization: Basic dXNlcjpwYXNzd29yZA==",
        "Proxy-Authorization: Basic dXNlcjpwYXNzd29yZA==",
        'Authorization: Digest username="u", response="dXNlcjpwYXNzd29yZA=="',
        '{"authorization": "Basic dXNlcjpwYXNzd29yZA=="}',
    ],
)
def test_an_authorization_value_of_any_scheme_is_redacted_whole(header: str) -> None:
    cleaned = redact(header)
    assert "dXNlcjpwYXNzd29yZA" not in cleaned
    assert REDACTED in cleaned


# Written in two parts, so that nothing in the repository reads as a committed access key.
FAKE_ACCESS_ID = "LTAI" + "5tFakeAccessId"


@pytest.mark.parametrize(
    ("echo", "secret"),
    [
        (
            "<Error><Code>SignatureDoesNotMatch</Code><StringToSign>eyJleHBpcmF0aW9u</StringToSign>"
            "<SignatureProvided>kq2Wv5XbQ0pN+Y1s=</SignatureProvided>"
            f"<OSSAccessKeyId>{FAKE_ACCESS_ID}</OSSAccessKeyId></Error>",
            ("eyJleHBpcmF0aW9u", "kq2Wv5XbQ0pN+Y1s=", FAKE_ACCESS_ID),
        ),
        (
            "GET https://b.oss-cn-beijing.aliyuncs.com/v.mp4?Expires=1&OSSAccessKeyId=LTAI5tFake"
            "&Signature=kq2Wv5Xb%2BQ0 failed",
            ("LTAI5tFake", "kq2Wv5Xb%2BQ0"),
        ),
        ('{"x-oss-signature": "abc123signature", "policy": "eyJwb2xpY3k"}', ("abc123signature",)),
    ],
)
def test_a_storage_servers_echo_of_a_signature_is_redacted(
    echo: str, secret: tuple[str, ...]
) -> None:
    cleaned = redact(echo)
    assert REDACTED in cleaned
    for part in secret:
        assert part not in cleaned, part
