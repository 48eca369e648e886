"""A new clip's first frame is decoded once by a scan (issue 11 item 8).

Every decode of a clip's pictures goes through ``annotator.media.probe.decode_frames``
(a test below holds the code to that); a counting spy wrapped around the real function
counts the first frames it hands out.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import av
import pytest
from av.container import InputContainer
from av.video.stream import VideoStream

import annotator
from annotator.basemodels import Mode
from annotator.media import probe as probe_module
from annotator.pipeline.scan import scan
from annotator.workspace import FrameSource, Workspace, WorkspaceInfo
from tests.clips import make_clip

I2V = WorkspaceInfo(mode=Mode.I2V, base_model="wan2.5-i2v-preview")
KF2V = WorkspaceInfo(mode=Mode.KF2V, base_model="wan2.2-kf2v-flash")


class FirstFrameCounter:
    """Wraps the real ``decode_frames``; counts each clip's first frame as it is decoded."""

    def __init__(self) -> None:
        self.real = probe_module.decode_frames
        self.first_frames = 0
        self.calls = 0

    def __call__(self, container: InputContainer, stream: VideoStream) -> Iterator[av.VideoFrame]:
        self.calls += 1
        start = stream.start_time or 0
        for frame in self.real(container, stream):
            if frame.pts == start:
                self.first_frames += 1
            yield frame

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Put the spy wherever a module of annotator holds the real function."""
        for name, module in list(sys.modules.items()):
            if name.startswith("annotator") and getattr(module, "decode_frames", None) is self.real:
                monkeypatch.setattr(module, "decode_frames", self)


@pytest.fixture
def counter(monkeypatch: pytest.MonkeyPatch) -> FirstFrameCounter:
    spy = FirstFrameCounter()
    spy.install(monkeypatch)
    return spy


@pytest.mark.parametrize("info", [I2V, KF2V], ids=["i2v", "kf2v"])
def test_a_new_clip_has_its_first_frame_decoded_once(
    tmp_path: Path, counter: FirstFrameCounter, info: WorkspaceInfo
) -> None:
    for i in range(3):
        make_clip(tmp_path / f"clip_{i}.mp4", seed=i, width=96, height=64, seconds=1.5)
    ws = Workspace.create(tmp_path, info)
    report = scan(ws)
    assert sorted(report.added) == ["clip_0.mp4", "clip_1.mp4", "clip_2.mp4"]
    assert counter.first_frames == 3
    for sample in ws.samples():
        assert sample.probe is not None
        assert sample.first_frame_source is FrameSource.EXTRACTED
        assert (tmp_path / str(sample.first_frame)).is_file()
        if info.mode is Mode.KF2V:
            assert (tmp_path / str(sample.last_frame)).is_file()


def test_a_known_clip_is_not_decoded_again(tmp_path: Path, counter: FirstFrameCounter) -> None:
    make_clip(tmp_path / "clip.mp4", width=96, height=64, seconds=1.0)
    ws = Workspace.create(tmp_path, I2V)
    scan(ws)
    calls = counter.calls
    scan(ws)
    assert counter.calls == calls


def test_a_deleted_cached_frame_is_decoded_again(
    tmp_path: Path, counter: FirstFrameCounter
) -> None:
    make_clip(tmp_path / "clip.mp4", width=96, height=64, seconds=1.0)
    ws = Workspace.create(tmp_path, I2V)
    scan(ws)
    cached = tmp_path / str(ws.samples()[0].first_frame)
    cached.unlink()
    before = counter.first_frames
    scan(ws)
    assert cached.is_file() and counter.first_frames == before + 1


def test_every_decode_goes_through_decode_frames() -> None:
    """The spy above sees every decode only if no other code calls PyAV's decode."""
    package = Path(annotator.__file__).parent
    calls = re.compile(r"\.decode\(\s*(stream|video\s*=|container\.streams)")
    offenders = [
        path.relative_to(package).as_posix()
        for path in package.rglob("*.py")
        if calls.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == ["media/probe.py"]
