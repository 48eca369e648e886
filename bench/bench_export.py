"""Export speed: writing the training zip against a plain copy of the same media.

Media are stored without recompression, so the export should cost little more than
copying the bytes. Prints export seconds / copy seconds (target: at most 1.3).
Run: .venv/bin/python bench/bench_export.py [N_CLIPS]
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from annotator.basemodels import Mode
from annotator.export import ExportOptions
from annotator.media.encode import write_clip
from annotator.pipeline.check import check_workspace
from annotator.pipeline.export import export_dataset
from annotator.pipeline.review import accept
from annotator.pipeline.scan import scan
from annotator.workspace import Workspace, WorkspaceInfo

TARGET_RATIO = 1.3


def make_workspace(root: Path, n: int) -> Workspace:
    """N noisy 2.5 s clips (noise does not compress: realistic sizes), accepted, with prompts."""
    rng = np.random.default_rng(0)
    for i in range(n):
        noise = rng.integers(0, 256, (40, 240, 320, 3), dtype=np.uint8)
        write_clip(root / f"clip_{i:03d}.mp4", iter(noise), fps=16, crf=18)
    info = WorkspaceInfo(mode=Mode.I2V, base_model="wan2.5-i2v-preview", trigger="s86b5p")
    ws = Workspace.create(root, info)
    scan(ws)
    ws.set_workspace_field("template", "Then the s86b5p effect begins, {pronoun} glows.")
    for s in ws.samples():
        ws.edit(s.id, "subject", f"The video opens on the subject of {s.name}")
        ws.edit(s.id, "background", "A plain grey background")
    accept(ws, [], every=True)
    return ws


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    base = Path(tempfile.mkdtemp())
    (base / "ws").mkdir()
    t = time.perf_counter()
    ws = make_workspace(base / "ws", n)
    print(f"made {n} clips in {time.perf_counter() - t:.1f} s")
    samples = ws.samples()
    media = sum((ws.root / s.path).stat().st_size for s in samples)
    print(f"{media / 1e6:.0f} MB of clips")

    # A person runs `check` before exporting: the clip-quality analysis is cached by then
    # (bench_check.py times it); export itself only reads it.
    t = time.perf_counter()
    check_workspace(ws)
    print(f"first check (analyses the clips) {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    export_dataset(ws, ExportOptions(output=base / "out" / "d.zip", allow_lint=True))
    export_s = time.perf_counter() - t

    copy = base / "copy"
    copy.mkdir()
    t = time.perf_counter()
    for s in samples:
        shutil.copyfile(ws.root / s.path, copy / s.name)
        shutil.copyfile(ws.root / str(s.first_frame), copy / f"{s.name}.png")
    copy_s = time.perf_counter() - t
    ratio = export_s / copy_s
    print(f"export {export_s:.2f} s, plain copy {copy_s:.2f} s")
    print(f"ratio export/copy = {ratio:.2f} (target <= {TARGET_RATIO})")
    shutil.rmtree(base)


if __name__ == "__main__":
    main()
