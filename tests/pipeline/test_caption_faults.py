"""Caption runs under faults (issue 10, items 8-10): two runs at once, no network, a store
that refuses writes. Real openai SDK against the fake server on 127.0.0.1, real SQLite."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.basemodels import Mode
from annotator.captioning import BatchSummary, MissingKeyError, UnreachableError, cache_key
from annotator.pipeline.caption import caption_samples, plan_captions, run_plan
from annotator.pipeline.scan import scan
from annotator.workspace import Claimant, Status, StoreWriteError, Workspace, WorkspaceInfo
from tests.clips import make_clip
from tests.fakes import COMPATIBLE, FakeDashScope, answer

ANSWER = json.dumps({"subject": "A square", "background": "a grey wall", "motion": "it spins"})
INFO = WorkspaceInfo(mode=Mode.I2V, base_model="wan2.5-i2v-preview")


def make_workspace(root: Path, clips: int) -> Workspace:
    """CLIPS small distinct clips, scanned."""
    for i in range(clips):
        make_clip(root / f"clip_{i:02d}.mp4", width=64, height=48, seconds=0.5, seed=i)
    ws = Workspace.create(root, INFO)
    scan(ws)
    return ws


@pytest.fixture
def fake() -> Iterator[FakeDashScope]:
    with FakeDashScope(default_text=ANSWER) as server:
        yield server


def closed_port_url() -> str:
    """The URL of a port nothing listens on: bound for a moment, then closed."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def caption(ws: Workspace, base_url: str, **options: object) -> BatchSummary:
    plan = plan_captions(
        ws,
        provider="openai",
        options={"base_url": base_url},
        **options,  # type: ignore[arg-type]
    )
    return run_plan(ws, plan, concurrency=4)


def statuses(ws: Workspace) -> set[Status]:
    return {s.status for s in ws.samples()}


# -- item 8: two runs at once -------------------------------------------------------------


def test_two_runs_at_once_send_each_request_once(tmp_path: Path, fake: FakeDashScope) -> None:
    ws = make_workspace(tmp_path, 60)
    # A little time per answer, so the two runs overlap the whole way.
    fake.queue(COMPATIBLE, *[answer(ANSWER, delay=0.02) for _ in range(120)])
    summaries: list[BatchSummary] = []
    start = threading.Barrier(2)

    def run() -> None:
        with Workspace.open(tmp_path) as own:  # each run its own connection, as a process
            plan = plan_captions(own, provider="openai", options={"base_url": fake.compatible_base})
            assert len(plan.requests) == 60  # both planned everything: neither saw a caption
            start.wait()
            summaries.append(run_plan(own, plan, concurrency=4))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(fake.requests(COMPATIBLE)) == 60
    assert sum(s.done for s in summaries) == 60
    assert sum(s.taken for s in summaries) == 60  # what one sent, the other left alone
    assert all(s.failed == 0 and not s.stopped for s in summaries)
    keys = [row[0] for row in ws.query("SELECT cache_key FROM captions")]
    assert len(keys) == len(set(keys)) == 60
    assert statuses(ws) == {Status.CAPTIONED}
    assert ws.claims() == []  # every claim released


def test_a_forced_run_beside_another_forced_run_sends_each_request_once(
    tmp_path: Path, fake: FakeDashScope
) -> None:
    ws = make_workspace(tmp_path, 8)
    caption(ws, fake.compatible_base)
    sent_before = len(fake.requests(COMPATIBLE))
    fake.queue(COMPATIBLE, *[answer(ANSWER, delay=0.02) for _ in range(16)])
    start = threading.Barrier(2)

    def run() -> None:
        with Workspace.open(tmp_path) as own:
            plan = plan_captions(
                own, provider="openai", options={"base_url": fake.compatible_base}, force=True
            )
            start.wait()
            run_plan(own, plan, concurrency=2)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(fake.requests(COMPATIBLE)) - sent_before == 8
    assert ws.query("SELECT COUNT(*) FROM captions").fetchone()[0] == 8


def test_the_review_batch_skips_what_a_running_command_holds(
    tmp_path: Path, fake: FakeDashScope
) -> None:
    """The review UI's C runs caption_samples: it leaves alone what a CLI run has claimed."""
    ws = make_workspace(tmp_path, 6)
    options = {"base_url": fake.compatible_base}
    plan = plan_captions(ws, provider="openai", options=options)
    command = Claimant.new()  # the `caption` command, still running in this (live) process
    held = plan.requests[:2]
    with Workspace.open(tmp_path) as other:
        for request in held:
            key = cache_key(request, plan.provider_name)
            other.claim("caption", key, request.clip_sha256, command)
    summary = caption_samples(ws, provider="openai", options=options)
    assert (summary.done, summary.taken) == (4, 2)
    sent = {r.json["messages"][0]["content"][0]["video_url"]["url"] for r in fake.requests()}
    assert len(sent) == 4
    assert {s.status for s in ws.samples() if s.id in {r.clip_sha256 for r in held}} == {Status.NEW}
    assert [c.token for c in ws.claims()] == [command.token] * 2  # its claims are its own


# -- item 9: no network -------------------------------------------------------------------


def test_a_closed_port_stops_before_any_request_and_leaves_statuses(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, 3)
    url = closed_port_url()
    with pytest.raises(UnreachableError) as caught:
        caption(ws, url)
    message = str(caught.value)
    assert url.removesuffix("/v1") in message and "refused" in message
    assert "--base-url" in message and "\n" not in message
    assert statuses(ws) == {Status.NEW}
    assert ws.claims() == []


def test_a_missing_key_stops_before_any_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DASHSCOPE_API_KEY", raising=False)
    ws = make_workspace(tmp_path, 2)
    plan = plan_captions(ws, provider="dashscope")
    with pytest.raises(MissingKeyError, match="DASHSCOPE_API_KEY"):
        run_plan(ws, plan)
    assert statuses(ws) == {Status.NEW}


class DroppingServer:
    """Accepts each connection and closes it at once: reachable, never answering (a dying
    proxy). Counts the connections."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/v1"
        self.accepted = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            conn.close()

    def __enter__(self) -> DroppingServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.sock.shutdown(socket.SHUT_RDWR)  # wakes the accept() under way
        self.sock.close()
        self.thread.join()


def test_connection_failures_in_a_row_stop_the_batch_with_one_reason(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, 12)
    with DroppingServer() as server:
        summary = caption(ws, server.url)
    assert summary.stopped
    reason = summary.stop_reason or ""
    assert "connection failures in a row" in reason and server.url in reason
    assert "\n" not in reason
    assert summary.done == 0 and summary.failed == 0  # no clip is blamed
    assert statuses(ws) == {Status.NEW}
    assert all(s.error is None for s in ws.samples())
    # The reach check, then a few attempts (4 at once at most): never one per clip and retry.
    assert server.accepted <= 1 + 4 + 4
    assert ws.claims() == []


# -- item 10: a store that refuses writes -------------------------------------------------


def test_a_read_only_store_sends_nothing(tmp_path: Path, fake: FakeDashScope) -> None:
    ws = make_workspace(tmp_path, 3)
    ws.query("PRAGMA query_only = ON")  # writes fail as on a read-only file (SQLITE_READONLY)
    with pytest.raises(StoreWriteError, match="read-only"):
        caption(ws, fake.compatible_base)
    assert fake.requests() == []


def test_a_disk_filling_up_stops_the_batch_and_counts_the_lost_answers(
    tmp_path: Path, fake: FakeDashScope
) -> None:
    ws = make_workspace(tmp_path, 24)
    # Answers too large for the pages the store has, and no page more (SQLITE_FULL): the
    # write check and the first claims fit, no answer does.
    text = "A long free description. " * 2000
    fake.queue(COMPATIBLE, *[answer(text, delay=0.15) for _ in range(24)])
    pages = ws.query("PRAGMA page_count").fetchone()[0]
    ws.query(f"PRAGMA max_page_count = {pages}")
    summary = caption(ws, fake.compatible_base, instruction_kind="freeform")
    sent = len(fake.requests(COMPATIBLE))
    assert summary.stopped and summary.done == 0
    # Every request sent came back and was counted lost; the batch stopped well short of
    # all 24 (what was in flight when the first write failed still came back).
    assert 1 <= summary.lost == sent < 24
    reason = summary.stop_reason or ""
    assert "disk is full" in reason and f"{sent} answer" in reason and "lost" in reason
    assert ws.query("SELECT COUNT(*) FROM captions").fetchone()[0] == 0
    assert statuses(ws) == {Status.NEW}
