"""The clip-quality analyses in the store (migration 008_clip_analysis)."""

from __future__ import annotations

from pathlib import Path

from annotator.basemodels import Mode
from annotator.workspace import Workspace, WorkspaceInfo
from annotator.workspace.analyses import analysis_count, store_analyses, stored_analyses
from annotator.workspace.db import MIGRATIONS

INFO = WorkspaceInfo(mode=Mode.I2V, base_model="wan2.5-i2v-preview")


def test_the_migration_is_listed_once() -> None:
    assert [name for name, _ in MIGRATIONS].count("008_clip_analysis") == 1


def test_results_come_back_by_key_and_version(tmp_path: Path) -> None:
    with Workspace.create(tmp_path, INFO) as ws:
        store_analyses(ws, {"a" * 64: '{"x": 1}', "b" * 64 + "+e1": '{"x": 2}'}, version=1)
        store_analyses(ws, {"a" * 64: '{"x": 3}'}, version=2)
        assert stored_analyses(ws, ["a" * 64, "b" * 64 + "+e1", "c" * 64], 1) == {
            "a" * 64: '{"x": 1}',
            "b" * 64 + "+e1": '{"x": 2}',
        }
        assert stored_analyses(ws, ["a" * 64], 2) == {"a" * 64: '{"x": 3}'}
        assert stored_analyses(ws, ["b" * 64], 1) == {}  # the source's key, not the edit's
    with Workspace.open(tmp_path) as ws:  # committed
        assert analysis_count(ws) == 3


def test_a_result_stored_again_replaces_the_old(tmp_path: Path) -> None:
    with Workspace.create(tmp_path, INFO) as ws:
        store_analyses(ws, {"k": "old"}, version=1)
        store_analyses(ws, {"k": "new"}, version=1)
        assert stored_analyses(ws, ["k"], 1) == {"k": "new"}
        assert analysis_count(ws) == 1


def test_many_keys_in_one_lookup(tmp_path: Path) -> None:
    with Workspace.create(tmp_path, INFO) as ws:
        results = {f"{i:064d}": str(i) for i in range(1200)}
        store_analyses(ws, results, version=1)
        assert stored_analyses(ws, list(results), 1) == results
