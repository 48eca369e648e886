"""A small real workspace for the review tests: four clips, two captioned through the
replay provider, a trigger and a template; copied fresh for every test."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.basemodels import Mode
from annotator.pipeline.caption import REPLAY_FILE, caption_samples
from annotator.pipeline.scan import scan
from annotator.workspace import Workspace, WorkspaceInfo
from tests.clips import make_clip

TEMPLATE = "then the {trigger} golden sparkles spiral in around the subject"
CLIPS = {
    "clip_a.mp4": {"width": 320, "height": 240, "seed": 1},
    "clip_b.mp4": {"width": 240, "height": 320, "seed": 2},
    "clip_c.mp4": {"width": 320, "height": 180, "seed": 3},
    "clip_d.mp4": {"width": 320, "height": 240, "seed": 4},
}
SUBJECTS = {
    "clip_a.mp4": ("a woman in a red coat", "a snowy street at dusk"),
    "clip_b.mp4": ("a man with a green umbrella", "a rainy harbour"),
    "clip_c.mp4": ("an orange cat on a sofa", "a sunlit living room"),
    "clip_d.mp4": ("a blue vintage car", "a desert road"),
}


def _replay_line(sample_id: str, name: str) -> str:
    subject, background = SUBJECTS[name]
    fields = {
        "subject": subject,
        "background": background,
        "motion": "golden sparkles spiral in around the subject, then the frame flashes white",
    }
    entry = {
        "sha256": sample_id,
        "file": name,
        "lang": "en",
        "instruction_kind": "structured",
        "text": json.dumps(fields),
        "fields": fields,
    }
    return json.dumps(entry)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # textual-image calls a Pillow method that Pillow 12 deprecates; not ours to fix.
    ignore = pytest.mark.filterwarnings("ignore:Image.Image.getdata:DeprecationWarning")
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(ignore)


@pytest.fixture(autouse=True)
def _home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No user config leaks into the tests."""
    monkeypatch.setenv("ANNOTATOR_HOME", str(tmp_path_factory.mktemp("home")))


@pytest.fixture(scope="session")
def seed_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once: scanned clips, recorded captions for all, stored captions for two."""
    root = tmp_path_factory.mktemp("seed") / "effect"
    root.mkdir()
    for name, options in CLIPS.items():
        make_clip(root / name, seconds=2.5, fps=8, **options)
    info = WorkspaceInfo(mode=Mode.I2V, base_model="wan2.5-i2v-preview", trigger="s86b5p")
    with Workspace.create(root, info) as ws:
        scan(ws)
        samples = ws.samples()
        lines = [_replay_line(s.id, s.name) for s in samples]
        (root / REPLAY_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
        caption_samples(ws, [s.id for s in samples[:2]], provider="replay")
        ws.set_meta("template", TEMPLATE)
    return root


@pytest.fixture
def ws_root(seed_workspace: Path, tmp_path: Path) -> Path:
    """A fresh copy of the seed workspace, always named "effect" (snapshots show it)."""
    root = tmp_path / "effect"
    shutil.copytree(seed_workspace, root)
    return root


@pytest.fixture
def ws(ws_root: Path) -> Iterator[Workspace]:
    with Workspace.open(ws_root) as ws:
        yield ws
