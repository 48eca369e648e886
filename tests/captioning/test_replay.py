"""The replay provider: recorded captions, no key, no network."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.captioning import ProviderOptionError, get_provider
from annotator.captioning.providers.replay import ReplayFileError, ReplayMissError
from tests.captioning.helpers import VALID_JSON, request_for

FIELDS = json.loads(VALID_JSON)


def write_recordings(path: Path, *records: dict) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n")
    return path


@pytest.fixture
def recordings(tmp_path: Path, small_clip: Path) -> Path:
    sha = request_for(small_clip).clip_sha256
    return write_recordings(
        tmp_path / "captions.jsonl",
        {"sha256": sha, "file": "small.mp4", "lang": "en", "instruction_kind": "freeform",
         "text": "English free-form."},
        {"sha256": sha, "file": "small.mp4", "lang": "zh", "instruction_kind": "freeform",
         "text": "中文描述。"},
        {"sha256": sha, "file": "small.mp4", "lang": "en", "instruction_kind": "structured",
         "text": VALID_JSON, "fields": FIELDS},
        {"sha256": "0" * 64, "file": "clips/other.mp4", "lang": "en",
         "instruction_kind": "freeform", "text": "Found by name."},
    )  # fmt: skip


def test_hit_by_sha256(recordings: Path, small_clip: Path) -> None:
    replay = get_provider("replay", path=recordings)
    result = replay.caption(request_for(small_clip))
    assert (result.text, result.flagged) == ("English free-form.", None)
    assert result.fields is None
    assert (result.input_tokens, result.output_tokens) == (None, None)
    assert not replay.needs_key and replay.key_env_var is None


def test_language_follows_the_instruction(recordings: Path, small_clip: Path) -> None:
    replay = get_provider("replay", path=recordings)
    assert (
        replay.caption(request_for(small_clip, instruction="详细描述视频内容。")).text
        == "中文描述。"
    )
    forced = get_provider("replay", path=recordings, lang="zh")
    assert forced.caption(request_for(small_clip)).text == "中文描述。"


def test_structured_request_gets_the_fields(recordings: Path, small_clip: Path) -> None:
    result = get_provider("replay", path=recordings).caption(
        request_for(small_clip, structured=True)
    )
    assert result.fields == FIELDS


def test_fallback_on_file_name(recordings: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.mp4"
    other.write_bytes(b"re-encoded, so another sha256")
    assert get_provider("replay", path=recordings).caption(request_for(other)).text == (
        "Found by name."
    )


def test_miss_names_the_clip_and_the_file(recordings: Path, tmp_path: Path) -> None:
    stranger = tmp_path / "stranger.mp4"
    stranger.write_bytes(b"never recorded")
    with pytest.raises(ReplayMissError) as caught:
        get_provider("replay", path=recordings).caption(request_for(stranger))
    assert "stranger.mp4" in str(caught.value)
    assert str(recordings) in str(caught.value)
    assert not caught.value.retryable and not caught.value.stops_batch


def test_miss_of_the_kind_says_what_there_is(recordings: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.mp4"
    other.write_bytes(b"x")
    with pytest.raises(ReplayMissError, match=r"only freeform captions .* no structured one"):
        get_provider("replay", path=recordings).caption(request_for(other, structured=True))


def test_path_is_required() -> None:
    with pytest.raises(ProviderOptionError, match="needs the option path"):
        get_provider("replay")


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ReplayFileError, match=r"nothing\.jsonl"):
        get_provider("replay", path=tmp_path / "nothing.jsonl")


def test_bad_line_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    good = '{"sha256": "a", "file": "a.mp4", "instruction_kind": "freeform", "text": "ok"}'
    bad.write_text(good + '\n{"sha256": "b"}\n')
    with pytest.raises(ReplayFileError, match=r"bad.jsonl:2: not a replay record"):
        get_provider("replay", path=bad)
