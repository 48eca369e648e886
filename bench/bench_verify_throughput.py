"""Verify throughput: how close a verify batch comes to the ideal set by latency and concurrency.

The caption bench's set-up (bench_caption_throughput.py) for ``annotator verify``: N clips
with prompts, the fake DashScope (OpenAI-compatible endpoint) in a process of its own
answering each verification after LATENCY seconds, CONCURRENCY at once. The local work is
included: building the prompts, reading and base64-encoding each clip, the SDK's round
trip, validating each verdict and committing it.
efficiency = ideal / measured, ideal = N x LATENCY / CONCURRENCY (target >= 0.9).
Run from the repository root: .venv/bin/python bench/bench_verify_throughput.py [N]
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the fakes live in tests/

from annotator.basemodels import Mode
from annotator.config import Settings
from annotator.pipeline.scan import scan
from annotator.pipeline.verify import plan_verification, run_verification
from annotator.workspace import Workspace, WorkspaceInfo
from tests.clips import make_clip
from tests.fakes import COMPATIBLE, FakeDashScope, answer

LATENCY_S = 0.2
CONCURRENCY = 8
TARGET = 0.9
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


def serve(n: int, urls: multiprocessing.Queue, stop: multiprocessing.Event) -> None:  # type: ignore[type-arg]
    """The fake server, in its own process, answering N verifications after LATENCY each."""
    with FakeDashScope(default_text=VERDICT) as fake:
        fake.queue(COMPATIBLE, *[answer(VERDICT, delay=LATENCY_S) for _ in range(n)])
        urls.put(fake.compatible_base)
        stop.wait()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    root = Path(tempfile.mkdtemp())
    first = make_clip(root / "clip_0000.mp4", width=320, height=240, seconds=3, fps=16)
    for i in range(1, n):  # distinct bytes, so distinct samples, without encoding n clips
        data = first.read_bytes() + i.to_bytes(4, "big")
        (root / f"clip_{i:04d}.mp4").write_bytes(data)
    info = WorkspaceInfo(mode=Mode.I2V, base_model="wan2.5-i2v-preview", trigger="s86b5p")
    ws = Workspace.create(root, info)
    scan(ws)
    ws.set_workspace_field("template", "Then the s86b5p effect begins, {pronoun} spins.")
    for sample in ws.samples():
        ws.edit(sample.id, "subject", "A red square")
        ws.edit(sample.id, "background", "A grey wall")
    os.environ["DASHSCOPE_API_KEY"] = "sk-bench"
    urls: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    stop = multiprocessing.Event()
    server = multiprocessing.Process(target=serve, args=(n, urls, stop))
    server.start()
    base_url = urls.get(timeout=30)
    try:
        t = time.perf_counter()
        import openai  # noqa: F401  (the SDK's one-time import, reported apart)

        import_s = time.perf_counter() - t
        t = time.perf_counter()
        plan = plan_verification(
            ws, provider="openai", options={"base_url": base_url}, settings=Settings()
        )
        plan_s = time.perf_counter() - t
        summary = run_verification(ws, plan, concurrency=CONCURRENCY)
        measured = time.perf_counter() - t + import_s
    finally:
        stop.set()
        server.join()
    ideal = n * LATENCY_S / CONCURRENCY
    print(f"{summary.done} of {n} verified, {summary.failed} failed, {summary.retries} retries")
    print(f"measured {measured:.2f} s, ideal {ideal:.2f} s (latency {LATENCY_S}s, x{CONCURRENCY})")
    print(f"efficiency ideal/measured = {ideal / measured:.2f} (target >= {TARGET})")
    steady = ideal / (measured - import_s)
    print(f"  without the one-time SDK import ({import_s:.2f} s): {steady:.2f}")
    print(f"  (planning: building {n} prompts and requests took {plan_s:.2f} s)")
    ws.close()
    shutil.rmtree(root)


if __name__ == "__main__":
    main()
