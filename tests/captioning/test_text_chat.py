"""Text chat (issue 16 item 10): a text-only question through the caption providers.

The real openai and dashscope SDKs against the fake server on 127.0.0.1, and the replay
provider's recorded answers.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.captioning import (
    AuthError,
    MissingKeyError,
    RateLimitedError,
    UnreachableError,
    get_provider,
)
from annotator.captioning.chat import ChatRequest, NoTextChatError, TextChat, text_chat
from annotator.captioning.providers.replay import ReplayMissError
from tests.captioning.helpers import KEY, REMOTE_HOST, route_through
from tests.fakes import COMPATIBLE, NATIVE, FakeDashScope, answer, invalid_key, rate_limited

QUESTION = ChatRequest(
    system="Write one standard description.",
    text="Shared phrases (support):\n- 100% golden sparkles",
    model="qwen-plus",
    task="distill",
)


def test_openai_compatible_sends_text_only_with_the_key(fake: FakeDashScope, api_key: str) -> None:
    fake.queue(COMPATIBLE, answer("Then the effect begins.", input_tokens=50, output_tokens=7))
    chat = text_chat(get_provider("openai", base_url=fake.compatible_base))
    got = chat.chat(QUESTION)
    assert (got.text, got.provider, got.model) == ("Then the effect begins.", "openai", "qwen-plus")
    assert (got.input_tokens, got.output_tokens) == (50, 7)
    (call,) = fake.requests(COMPATIBLE)
    assert call.headers["authorization"] == f"Bearer {KEY}"
    assert call.json["model"] == "qwen-plus"
    assert call.json["messages"] == [
        {"role": "system", "content": QUESTION.system},
        {"role": "user", "content": QUESTION.text},
    ]


def test_openai_compatible_errors_name_the_task_and_map_as_captions_do(
    fake: FakeDashScope, api_key: str
) -> None:
    chat = text_chat(get_provider("openai", base_url=fake.compatible_base))
    fake.queue(COMPATIBLE, invalid_key())
    with pytest.raises(AuthError) as refused:
        chat.chat(QUESTION)
    assert "DASHSCOPE_API_KEY" in str(refused.value) and KEY not in str(refused.value)
    fake.queue(COMPATIBLE, rate_limited(3))
    with pytest.raises(RateLimitedError) as throttled:
        chat.chat(QUESTION)
    assert throttled.value.retry_after == 3
    assert str(throttled.value).startswith("distill: ")


def test_openai_compatible_keeps_the_dashscope_key_off_plain_http(
    fake: FakeDashScope, api_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    route_through(monkeypatch, fake.url)
    remote = f"http://{REMOTE_HOST}/compatible-mode/v1"  # the fake routes on the path
    text_chat(get_provider("openai", base_url=remote, timeout=10)).chat(QUESTION)
    (call,) = fake.requests(COMPATIBLE)
    assert call.headers["authorization"] == "Bearer EMPTY"


def test_openai_compatible_mode_needs_the_key(no_key: None) -> None:
    with pytest.raises(MissingKeyError):
        text_chat(get_provider("openai")).chat(QUESTION)


def test_an_unreachable_server_is_one_error(api_key: str) -> None:
    with FakeDashScope() as gone:
        base = gone.compatible_base
    with pytest.raises(UnreachableError, match=r"^distill: "):
        text_chat(get_provider("openai", base_url=base, timeout=10)).chat(QUESTION)


def test_native_text_model_goes_through_generation(fake: FakeDashScope, api_key: str) -> None:
    fake.queue(NATIVE, answer("Then the effect begins.", input_tokens=40, output_tokens=6))
    chat = text_chat(get_provider("dashscope", base_url=fake.native_base))
    got = chat.chat(QUESTION)
    assert (got.text, got.provider) == ("Then the effect begins.", "dashscope")
    assert (got.input_tokens, got.output_tokens) == (40, 6)
    (call,) = fake.requests(NATIVE)
    assert call.path.endswith("/services/aigc/text-generation/generation")
    assert call.headers["authorization"] == f"Bearer {KEY}"
    assert call.json["input"]["messages"] == [
        {"role": "system", "content": QUESTION.system},
        {"role": "user", "content": QUESTION.text},
    ]
    assert call.json["parameters"]["result_format"] == "message"
    assert not fake.requests("policy")  # nothing uploaded: no clip


def test_native_vision_model_takes_text_parts(fake: FakeDashScope, api_key: str) -> None:
    chat = text_chat(get_provider("dashscope", base_url=fake.native_base))
    vl = ChatRequest("Be brief.", "Describe it.", "qwen-vl-max", task="distill")
    assert chat.chat(vl).text == fake.default_text
    (call,) = fake.requests(NATIVE)
    assert call.path.endswith("/services/aigc/multimodal-generation/generation")
    assert call.json["input"]["messages"] == [
        {"role": "system", "content": [{"text": "Be brief."}]},
        {"role": "user", "content": [{"text": "Describe it."}]},
    ]


def test_native_refusals_map_as_captions_do(fake: FakeDashScope, api_key: str) -> None:
    chat = text_chat(get_provider("dashscope", base_url=fake.native_base))
    fake.queue(NATIVE, invalid_key())
    with pytest.raises(AuthError, match="DASHSCOPE_API_KEY"):
        chat.chat(QUESTION)
    fake.queue(NATIVE, rate_limited())
    with pytest.raises(RateLimitedError, match=r"^distill: "):
        chat.chat(QUESTION)


def _replay(tmp_path: Path) -> TextChat:
    (tmp_path / "replay.jsonl").write_text("")
    return text_chat(get_provider("replay", path=tmp_path / "replay.jsonl"))


def test_replay_answers_from_the_task_file_in_the_question_language(tmp_path: Path) -> None:
    lines = [{"lang": "en", "text": "Then it glows."}, {"lang": "zh", "text": "然后它发光。"}]
    (tmp_path / "distill.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    chat = _replay(tmp_path)
    assert chat.chat(QUESTION).text == "Then it glows."
    zh = ChatRequest("", "问题", "qwen-plus", task="distill", lang="zh")
    assert chat.chat(zh).text == "然后它发光。"
    assert chat.chat(zh).provider == "replay"


def test_replay_without_recordings_says_where_it_looked(tmp_path: Path) -> None:
    with pytest.raises(ReplayMissError) as caught:
        _replay(tmp_path).chat(QUESTION)
    assert "distill.jsonl" in str(caught.value) and caught.value.fix


def test_replay_names_a_broken_line(tmp_path: Path) -> None:
    (tmp_path / "distill.jsonl").write_text('{"lang": "en"}\n')
    with pytest.raises(ReplayMissError, match=r"distill\.jsonl:1"):
        _replay(tmp_path).chat(QUESTION)


def test_a_provider_without_text_chat_is_refused() -> None:
    class Captioner:
        name = "frames-only"

    with pytest.raises(NoTextChatError, match="frames-only"):
        text_chat(Captioner())
