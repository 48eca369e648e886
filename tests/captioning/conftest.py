"""Fixtures for the captioning tests: a fake DashScope, small real clips, a key."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.captioning.helpers import KEY
from tests.clips import make_clip
from tests.fakes import FakeDashScope


@pytest.fixture
def fake() -> Iterator[FakeDashScope]:
    """A fresh fake DashScope server on 127.0.0.1."""
    with FakeDashScope() as server:
        yield server


@pytest.fixture
def api_key(monkeypatch: pytest.MonkeyPatch) -> str:
    """DASHSCOPE_API_KEY set for the test."""
    monkeypatch.setenv("DASHSCOPE_API_KEY", KEY)
    return KEY


@pytest.fixture
def no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """DASHSCOPE_API_KEY removed for the test."""
    monkeypatch.delenv("DASHSCOPE_API_KEY", raising=False)


@pytest.fixture(scope="session")
def clips_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("captioning-clips")


@pytest.fixture(scope="session")
def small_clip(clips_dir: Path) -> Path:
    """160x120, 2.5 s at 8 fps: a few kilobytes."""
    return make_clip(clips_dir / "small.mp4", 160, 120, 2.5, 8)


@pytest.fixture(scope="session")
def wide_clip(clips_dir: Path) -> Path:
    """640x360, 3 s at 10 fps: for frame sizes."""
    return make_clip(clips_dir / "wide.mp4", 640, 360, 3.0, 10)
