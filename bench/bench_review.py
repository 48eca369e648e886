"""Benchmark: the review app on a 1,000-sample workspace, driven by Pilot.

Builds the workspace through the store: a few real clips are scanned for their frames
and probe, then 1,000 sample rows reuse those frame images (each sample also gets a
structured caption, so every prompt is assembled). Measures

- open: from make_app() to the first sample on screen (target 1 s);
- next: from a `j` key press to the end of the first repaint that shows the next sample,
  frames included, median and 95th percentile (target 50 ms). Pilot's own waiting for
  idle is not counted: the time stops when the screen has been drawn.

Prints measured / target ratios (< 1.0 passes). Run: .venv/bin/python bench/bench_review.py
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from annotator.basemodels import Mode
from annotator.pipeline.scan import scan
from annotator.tui import make_app
from annotator.tui.screens.review import ReviewScreen
from annotator.workspace import Status, Workspace, WorkspaceInfo
from tests.clips import make_clip

N_SAMPLES = 1000
N_REAL = 6  # real clips whose frames and probe the fake rows reuse
N_PRESSES = 200
OPEN_TARGET_S = 1.0
NEXT_TARGET_S = 0.050
SUBJECTS = ["a woman in a red coat", "a man with an umbrella", "an orange cat", "a blue car"]
PLACES = ["a snowy street", "a rainy harbour", "a sunlit room", "a desert road"]


def build(root: Path) -> Workspace:
    for i in range(N_REAL):
        make_clip(root / f"real_{i}.mp4", width=640, height=360, seconds=2.5, seed=i)
    info = WorkspaceInfo(mode=Mode.I2V, base_model="wan2.5-i2v-preview", trigger="s86b5p")
    ws = Workspace.create(root, info)
    scan(ws)
    real = ws.samples()
    for n in range(N_SAMPLES - len(real)):
        model = real[n % len(real)]
        sample_id = f"{n:064x}"
        ws.upsert_sample(
            sample_id,
            path=f"clips/clip_{n:04d}.mp4",  # absent files: frames come from the real ones
            present=1,
            probe=model.probe,
            first_frame=model.first_frame,
            first_frame_source=model.first_frame_source,
        )
    for i, sample in enumerate(ws.samples()):
        fields = {
            "subject": SUBJECTS[i % 4],
            "background": PLACES[i // 4 % 4],
            "motion": "golden sparkles spiral in around the subject, then a white flash",
        }
        ws.add_caption(
            sample.id,
            provider="bench",
            model="bench",
            instruction="structured",
            fps=2.0,
            cache_key=f"bench-{sample.id}",
            text=json.dumps(fields),
            fields=fields,
        )
        ws.set_status_by_machine(sample.id, Status.CAPTIONED, None)
    ws.set_meta("template", "then the {trigger} golden sparkles spiral in around the subject")
    return ws


class RepaintClock:
    """Notes when the screen finishes a repaint that shows a given sample."""

    def __init__(self, screen: ReviewScreen) -> None:
        self.screen, self.target, self.at = screen, "", 0.0
        self._refresh = screen._compositor_refresh
        screen._compositor_refresh = self._timed  # type: ignore[method-assign]

    def _timed(self) -> None:
        self._refresh()
        if self.target and self.screen.current == self.target and not self.at:
            self.at = time.perf_counter()

    def expect(self, sample_id: str) -> None:
        self.target, self.at = sample_id, 0.0


async def measure(ws: Workspace) -> tuple[float, list[float]]:
    start = time.perf_counter()
    app = make_app(ws, graphics="halfcell", tune_gc=True)  # as `annotator review` runs it
    async with app.run_test(size=(120, 40)) as pilot:
        while not (isinstance(app.screen, ReviewScreen) and app.screen.sample is not None):
            if time.perf_counter() - start > 30:
                raise RuntimeError("the app did not show a sample within 30 s")
            await asyncio.sleep(0.001)
        opened = time.perf_counter() - start
        screen = app.screen
        await pilot.pause(0.5)
        clock = RepaintClock(screen)
        ids = [s.id for s in ws.samples()]
        times = []
        for _ in range(N_PRESSES):
            assert screen.current is not None
            clock.expect(ids[ids.index(screen.current) + 1])
            t0 = time.perf_counter()
            await pilot.press("j")
            while not clock.at:
                await asyncio.sleep(0.001)
            times.append(clock.at - t0)
        await app.workers.wait_for_complete()
    return opened, times


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        ws = build(Path(tmp))
        print(f"built {len(ws.samples())} samples in {time.perf_counter() - t0:.1f} s")
        opened, times = asyncio.run(measure(ws))
        times.sort()
        median, p95 = statistics.median(times), times[int(len(times) * 0.95)]
        print(f"open      {opened * 1000:7.1f} ms   ratio {opened / OPEN_TARGET_S:.2f}")
        print(f"next p50  {median * 1000:7.1f} ms   ratio {median / NEXT_TARGET_S:.2f}")
        print(f"next p95  {p95 * 1000:7.1f} ms   ratio {p95 / NEXT_TARGET_S:.2f}")
        ws.close()


if __name__ == "__main__":
    main()
