"""Batch throughput: how close a caption or verify batch comes to the ideal set by latency
and concurrency.

A batch of N clips against the fake DashScope (OpenAI-compatible endpoint) on 127.0.0.1,
each answer delayed by LATENCY seconds, CONCURRENCY at once. The server runs in a process
of its own, as a real one would: in ours it would compete with the client for the GIL.
The local work is included: reading and base64-encoding each clip, the SDK's HTTP round
trip, committing each answer; for verify also building every prompt and validating each
verdict.

efficiency = ideal / measured, ideal = N x LATENCY / CONCURRENCY (target >= 0.9).

LATENCY is 1 s by default: a vision model takes seconds to answer about a clip (3-20 s seen
for Qwen-VL), so one second per answer is already a fast server. The one-time costs (the
SDK's import, planning the batch) are in the measured time and printed apart; a shorter
latency (``--latency 0.2``) stresses the per-answer overhead, where those one-time costs
weigh five times as much.

Run from the repository root:
.venv/bin/python bench/bench_batch_throughput.py [caption|verify] [N] [--latency S]
(both passes when none is named).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the fakes live in tests/

from annotator.basemodels import Mode
from annotator.captioning import BatchSummary
from annotator.config import Settings
from annotator.pipeline.caption import plan_captions, run_plan
from annotator.pipeline.scan import scan
from annotator.pipeline.verify import plan_verification, run_verification
from annotator.workspace import Workspace, WorkspaceInfo
from tests.clips import make_clip
from tests.fakes import COMPATIBLE, FakeDashScope, answer

LATENCY_S = 1.0
CONCURRENCY = 8
TARGET = 0.9
CAPTION = '{"subject": "A square", "background": "a wall", "motion": "it spins"}'
VERDICT = json.dumps(
    {
        "subject_matches": True,
        "subject_note": "A red square, as written.",
        "background_matches": True,
        "background_note": "A grey wall.",
        "effect_shown": True,
        "effect_note": "It spins.",
        "defects": [],
        "subject_category": "object",
    }
)


def serve(
    n: int, latency: float, text: str, urls: multiprocessing.Queue, stop: multiprocessing.Event
) -> None:  # type: ignore[type-arg]
    """The fake server, in its own process, answering N requests with TEXT after LATENCY."""
    with FakeDashScope(default_text=text) as fake:
        fake.queue(COMPATIBLE, *[answer(text, delay=latency) for _ in range(n)])
        urls.put(fake.compatible_base)
        stop.wait()


def workspace(n: int) -> Workspace:
    """N distinct clips (one encoded, the rest its bytes plus a counter), with prompts."""
    root = Path(tempfile.mkdtemp())
    first = make_clip(root / "clip_0000.mp4", width=320, height=240, seconds=3, fps=16)
    for i in range(1, n):
        (root / f"clip_{i:04d}.mp4").write_bytes(first.read_bytes() + i.to_bytes(4, "big"))
    info = WorkspaceInfo(mode=Mode.I2V, base_model="wan2.5-i2v-preview", trigger="s86b5p")
    ws = Workspace.create(root, info)
    scan(ws)
    ws.set_workspace_field("template", "Then the s86b5p effect begins, {pronoun} spins.")
    for sample in ws.samples():
        ws.edit(sample.id, "subject", "A red square")
        ws.edit(sample.id, "background", "A grey wall")
    return ws


def caption(ws: Workspace, base_url: str) -> BatchSummary:
    plan = plan_captions(ws, provider="openai", options={"base_url": base_url})
    return run_plan(ws, plan, concurrency=CONCURRENCY)


def verify(ws: Workspace, base_url: str) -> BatchSummary:
    options = {"base_url": base_url}
    plan = plan_verification(ws, provider="openai", options=options, settings=Settings())
    return run_verification(ws, plan, concurrency=CONCURRENCY)


PASSES: dict[str, tuple[str, Callable[[Workspace, str], BatchSummary]]] = {
    "caption": (CAPTION, caption),
    "verify": (VERDICT, verify),
}


def measure(name: str, n: int, latency: float) -> None:
    """Run one pass over N clips against its own server (answering after LATENCY seconds)
    and print its efficiency."""
    text, run = PASSES[name]
    ws = workspace(n)
    urls: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    stop = multiprocessing.Event()
    server = multiprocessing.Process(target=serve, args=(n, latency, text, urls, stop))
    server.start()
    base_url = urls.get(timeout=30)
    try:
        t = time.perf_counter()
        import openai  # noqa: F401  (the SDK's one-time import, reported apart)

        import_s = time.perf_counter() - t
        t = time.perf_counter()
        summary = run(ws, base_url)
        measured = time.perf_counter() - t + import_s
    finally:
        stop.set()
        server.join()
    ideal = n * latency / CONCURRENCY
    print(f"{name}: {summary.done} of {n} done, {summary.failed} failed, {summary.retries} retries")
    print(f"measured {measured:.2f} s, ideal {ideal:.2f} s (latency {latency}s, x{CONCURRENCY})")
    print(f"efficiency ideal/measured = {ideal / measured:.2f} (target >= {TARGET})")
    steady = ideal / (measured - import_s)
    print(f"  without the one-time SDK import ({import_s:.2f} s): {steady:.2f}")
    ws.close()
    shutil.rmtree(ws.root)


def main() -> None:
    args = sys.argv[1:]
    names = [a for a in args if a in PASSES] or list(PASSES)
    n = next((int(a) for a in args if a.isdigit()), 200)
    latency = float(args[args.index("--latency") + 1]) if "--latency" in args else LATENCY_S
    os.environ["DASHSCOPE_API_KEY"] = "sk-bench"
    for name in names:
        measure(name, n, latency)


if __name__ == "__main__":
    main()
