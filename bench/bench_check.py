"""Check speed with the clip-quality analysis: first run against a second (cached) run.

Makes N clips of 5 s at 720p (16 fps, x264 veryfast with its default GOP: one keyframe per
clip, the worst case for seeking), each a different textured scene panned across, every tenth with
subtitles and every tenth with a corner logo; then runs what `annotator check` runs
(rescan, analyse the clips without a cached result, every rule) twice.
Prints seconds per clip of the first run (target: under 0.5) and of the second, and the
ratio of the second to the first (target: under 0.05 s per clip for the second).
The clips are kept in CLIPS_DIR between runs (made once: a few minutes).
Run: .venv/bin/python bench/bench_check.py [N_CLIPS] [CLIPS_DIR]
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.quality_clips

from annotator.basemodels import Mode
from annotator.pipeline.check import check_workspace
from annotator.pipeline.scan import scan
from annotator.workspace import Workspace, WorkspaceInfo
from tests.quality_clips import SUBTITLE_LINES, footage_pictures

TARGET_FIRST_S = 0.5
TARGET_SECOND_S = 0.05
INFO = WorkspaceInfo(mode=Mode.I2V, base_model="wan2.5-i2v-preview")


def make_clips(folder: Path, n: int) -> None:
    """N 720p clips of 5 s, made once and kept."""
    folder.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    made = 0
    for i in range(n):
        path = folder / f"clip_{i:03d}.mp4"
        if path.exists():
            continue
        pictures = footage_pictures(
            1280,
            720,
            seconds=5.0,
            fps=16,
            seed=100 + i,
            subtitles=SUBTITLE_LINES if i % 10 == 3 else (),
            corner_text="NEWS 24" if i % 10 == 7 else None,
        )
        _encode(path, pictures, fps=16)
        made += 1
    if made:
        print(f"made {made} clips in {time.perf_counter() - t:.0f} s")


def _encode(path: Path, pictures: Iterator[np.ndarray], fps: int) -> None:
    """H.264 as a camera or an editor writes it (B-frames, FFmpeg's own colour conversion
    and threads): quicker to make than the tests' byte-exact ``write_clip``."""
    tmp = path.with_suffix(".part.mp4")
    with av.open(str(tmp), mode="w") as out:
        stream = out.add_stream("libx264", rate=fps, options={"crf": "23", "preset": "veryfast"})
        stream.width, stream.height, stream.pix_fmt = 1280, 720, "yuv420p"
        stream.codec_context.thread_type = "AUTO"
        for picture in pictures:
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(picture), format="rgb24")
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    tmp.replace(path)


def timed_check(ws: Workspace) -> float:
    """What `annotator check` does, timed: rescan, analyse, every rule."""
    t = time.perf_counter()
    scan(ws)
    check_workspace(ws)
    return time.perf_counter() - t


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    folder = Path(sys.argv[2]) if len(sys.argv) > 2 else Path("/tmp/annotator-bench-check")
    make_clips(folder, n)
    # A fresh workspace of the first N clips (hard links: the made clips are kept whole).
    work = folder.with_name(f"{folder.name}-ws")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    for clip in sorted(folder.glob("clip_*.mp4"))[:n]:
        os.link(clip, work / clip.name)
    before = os.getloadavg()[0]
    ws = Workspace.create(work, INFO)
    scan(ws)  # `annotator init`: not part of the check
    first = timed_check(ws)
    second = timed_check(ws)
    ws.close()
    shutil.rmtree(work)
    print(
        f"{n} clips of 5 s at 720p, {os.cpu_count()} cores, load average before the run "
        f"{before:.1f} (the machine is shared)"
    )
    print(f"first check:  {first:.1f} s, {first / n:.3f} s per clip (target < {TARGET_FIRST_S})")
    print(
        f"second check: {second:.2f} s, {second / n:.4f} s per clip "
        f"(target < {TARGET_SECOND_S}); second / first = {second / first:.3f}"
    )


if __name__ == "__main__":
    main()
