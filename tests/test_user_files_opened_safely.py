"""Every reader of a user's file opens it as annotator.userfiles allows (issue 10 item 14):
a named pipe named like the file is refused with a clear message, and nothing hangs."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator import userfiles
from annotator.captioning.base import CaptionRequest
from annotator.captioning.errors import ProviderError
from annotator.captioning.instructions import load_instruction_file
from annotator.captioning.providers import openai_compat, replay
from annotator.media import probe
from annotator.media.errors import MediaError
from annotator.tui import frames
from tests.clips import make_clip
from tests.media.helpers import make_fifo, without_blocking

PIPE = "named pipe"


def _request(clip: Path) -> CaptionRequest:
    return CaptionRequest(clip=clip, clip_sha256="0" * 64, instruction="describe", model="m")


def test_a_clip_sent_as_base64_that_is_a_pipe(tmp_path: Path) -> None:
    fifo = make_fifo(tmp_path / "clip.mp4")
    with pytest.raises(ProviderError, match=PIPE):
        without_blocking([fifo], lambda: openai_compat._video_part(_request(fifo)))


def test_a_still_sent_as_base64_that_is_a_pipe(tmp_path: Path) -> None:
    fifo = make_fifo(tmp_path / "first.png")
    request = _request(tmp_path / "clip.mp4")
    with pytest.raises(ProviderError, match=PIPE):
        without_blocking([fifo], lambda: openai_compat._still_part(request, fifo))


def test_a_replay_file_that_is_a_pipe(tmp_path: Path) -> None:
    fifo = make_fifo(tmp_path / "captions.jsonl")
    with pytest.raises(replay.ReplayFileError, match=PIPE):
        without_blocking([fifo], lambda: replay.load_recordings(fifo))


def test_a_recorded_answers_file_that_is_a_pipe(tmp_path: Path) -> None:
    fifo = make_fifo(tmp_path / "distill.jsonl")
    with pytest.raises(replay.ReplayMissError, match=PIPE):
        without_blocking(
            [fifo],
            lambda: replay._recorded_answers(
                tmp_path / "captions.jsonl", "distill", replay.ReplayEntry, "{}"
            ),
        )


def test_an_instruction_file_that_is_a_pipe(tmp_path: Path) -> None:
    fifo = make_fifo(tmp_path / "instruction.txt")
    with pytest.raises(ValueError, match=PIPE):
        without_blocking([fifo], lambda: load_instruction_file(fifo))


def test_a_picture_shown_in_the_tui_that_is_a_pipe(tmp_path: Path) -> None:
    fifo = make_fifo(tmp_path / "first.png")
    with pytest.raises(userfiles.UserFileError, match=PIPE):
        without_blocking([fifo], lambda: frames._load_image(fifo, 64))


def test_a_clip_swapped_for_a_pipe_after_its_first_bytes_were_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """open_video reads the head, then opens the clip again: never by name, blindly."""
    clip = make_clip(tmp_path / "clip.mp4", seconds=0.3, width=32, height=24)
    real_read_head = probe.read_head

    def then_swap(path: Path) -> bytes:
        head = real_read_head(path)
        path.unlink()
        make_fifo(path)  # the swap a racing process could make
        return head

    monkeypatch.setattr(probe, "read_head", then_swap)
    with pytest.raises(MediaError, match=PIPE):
        without_blocking([clip], lambda: probe.probe_clip(clip))
