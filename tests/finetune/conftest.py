"""Fixtures: a fake DashScope fine-tuning server, the key, a workspace with an export."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.finetune.client import DashScopeClient
from annotator.workspace import Workspace
from tests.fakes.finetune_server import FakeFinetune
from tests.finetune.helpers import KEY, client_for, make_workspace


@pytest.fixture
def fake() -> Iterator[FakeFinetune]:
    with FakeFinetune() as server:
        yield server


@pytest.fixture
def key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DASHSCOPE_API_KEY", KEY)
    return KEY


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    workspace = make_workspace(tmp_path / "money_rain")
    yield workspace
    workspace.close()


@pytest.fixture
def client(fake: FakeFinetune) -> Iterator[DashScopeClient]:
    with client_for(fake) as c:
        yield c
