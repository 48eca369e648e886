"""The clip-quality checks (issue 13) on real clips: what they find, and how a person agrees.

Copies every video of FOLDER into a temporary i2v workspace (base model wan2.5-i2v-preview
unless --model says otherwise), runs what `annotator check` runs (scan, analyse, every
rule) twice, and prints one row per clip: its size, its duration and each quality finding
(code and the start of its message); then the totals and the time of both runs (the second
reads the cached analyses).

With --expect FILE (JSON, see bench/real_clips_labels.json) it also prints, per finding
code, what a person labelled against what the checks found: true and false positives,
false negatives, precision and recall. The labels:

    {"clips": {"name.mp4": {"source": "...", "expect": [codes], "maybe": [codes]}},
     "pairs": [{"codes": ["duplicate-video", "near-duplicate-video"], "clips": [a, b]}]}

- expect: codes a person would agree with on that clip (each missed one is a false
  negative); maybe: codes that are neither right nor wrong there (a borderline case);
- "burned-in-text" stands for any of the three text codes (subtitles, caption, logo text):
  which of them fits is the rule's business, that there is text a person's;
- pairs: two clips of which one should be reported as a copy of the other (either one,
  with any of the codes): one true positive when it is, one false negative when not.

Any reported quality code not labelled on its clip is a false positive. Runs offline on
any folder: nothing is downloaded (the OCR models ship in rapidocr's wheel).
Run: .venv/bin/python bench/real_clips.py FOLDER [--expect FILE] [--measures]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from annotator.basemodels import Mode
from annotator.checks import CheckReport
from annotator.checks.findings import Finding
from annotator.media.quality import ANALYSIS_VERSION, ClipQuality
from annotator.pipeline.check import check_workspace
from annotator.pipeline.scan import CLIP_SUFFIXES, OTHER_VIDEO_SUFFIXES, scan
from annotator.workspace import Sample, Workspace, WorkspaceInfo
from annotator.workspace.analyses import stored_analyses

TEXT = "burned-in-text"  # a label: any of the text codes below
TEXT_CODES = frozenset({"burned-in-subtitles", "burned-in-caption", "logo-text"})
# The findings this bench is about: the clip-quality rules and the clip rules a person
# judges by eye (bars, length). The other checks (names, formats, prompts) are not shown.
QUALITY_CODES = TEXT_CODES | {
    "duplicate-video",
    "near-duplicate-video",
    "flat-first-frame",
    "flat-last-frame",
    "static-overlay",
    "low-resolution",
    "blurry-clip",
    "noisy-clip",
    "black-borders",
    "clip-too-long",
}
MESSAGE_CHARS = 70


@dataclass(frozen=True)
class Row:
    """One clip of the table."""

    name: str
    size: str
    duration_s: float
    findings: list[Finding]


@dataclass
class Score:
    """True and false positives and false negatives, per (label) code."""

    tp: Counter[str] = field(default_factory=Counter)
    fp: Counter[str] = field(default_factory=Counter)
    fn: Counter[str] = field(default_factory=Counter)
    wrong: list[str] = field(default_factory=list)  # "clip: FP code" / "clip: FN code"


def copy_clips(folder: Path, workspace: Path) -> list[str]:
    """Copy the videos of FOLDER (not its subfolders) into WORKSPACE; their names."""
    names = []
    for path in sorted(folder.iterdir()):
        suffix = path.suffix.lower()
        if path.is_file() and (suffix in CLIP_SUFFIXES or suffix in OTHER_VIDEO_SUFFIXES):
            shutil.copy2(path, workspace / path.name)
            names.append(path.name)
    return names


def timed_check(ws: Workspace) -> tuple[float, CheckReport]:
    """What `annotator check` does, timed: rescan, analyse, every rule."""
    t = time.perf_counter()
    scan(ws)
    report = check_workspace(ws)
    return time.perf_counter() - t, report


def rows_of(samples: Sequence[Sample], report: CheckReport) -> list[Row]:
    """One row per sample, with its quality findings."""
    by_path: dict[str, list[Finding]] = {}
    for finding in report.findings:
        if finding.path is not None and finding.code in QUALITY_CODES:
            by_path.setdefault(finding.path, []).append(finding)
    rows = []
    for sample in sorted(samples, key=lambda s: s.path):
        probe = sample.probe
        size = f"{probe.width}x{probe.height}" if probe else "?"
        duration = probe.duration_s if probe else 0.0
        rows.append(Row(sample.path, size, duration, by_path.get(sample.path, [])))
    return rows


def _short(message: str) -> str:
    one_line = " ".join(message.split())
    return one_line if len(one_line) <= MESSAGE_CHARS else one_line[: MESSAGE_CHARS - 1] + "…"


def print_table(rows: Sequence[Row]) -> None:
    """The clips and their findings, then how many clips each code was found on."""
    width = max([len(r.name) for r in rows] + [4])
    print(f"{'clip':<{width}}  {'size':>9}  {'dur s':>6}  findings")
    for row in rows:
        head = f"{row.name:<{width}}  {row.size:>9}  {row.duration_s:>6.1f}  "
        if not row.findings:
            print(head + "-")
        for i, finding in enumerate(row.findings):
            lead = head if i == 0 else " " * len(head)
            print(f"{lead}{finding.code}: {_short(finding.message)}")
    totals = Counter(f.code for r in rows for f in r.findings)
    flagged = sum(1 for r in rows if r.findings)
    print(f"\n{len(rows)} clips, {flagged} with a quality finding; findings by code:")
    for code, n in sorted(totals.items()):
        print(f"  {code:<22} {n}")


def print_measures(ws: Workspace, samples: Sequence[Sample]) -> None:
    """What the analysis measured per clip (the stored clip_analysis rows)."""
    stored = stored_analyses(ws, [s.clip_key for s in samples], ANALYSIS_VERSION)
    print("\nmeasures (clip_analysis): sharpness, noise, first look, text, overlays")
    for sample in sorted(samples, key=lambda s: s.path):
        raw = stored.get(sample.clip_key)
        if raw is None:
            print(f"  {sample.path}: no analysis")
            continue
        q = ClipQuality.model_validate_json(raw)
        texts = "; ".join(f"{t.kind.value} {t.text!r} {t.frames}/{t.of_frames}" for t in q.text)
        corners = ",".join(o.corner for o in q.overlays)
        print(
            f"  {sample.path}: sharp {q.sharpness:.2f} noise {q.noise:.2f} "
            f"first {q.first_look or '-'} text [{texts}] overlays [{corners}]"
        )


def _family(code: str) -> str:
    return TEXT if code in TEXT_CODES else code


def score(rows: Sequence[Row], labels: dict[str, object]) -> Score:
    """Compare the findings of ROWS with a person's LABELS (the --expect file)."""
    clips = labels.get("clips", {})
    pairs = labels.get("pairs", [])
    assert isinstance(clips, dict) and isinstance(pairs, list)
    found = {r.name: {_family(f.code) for f in r.findings} for r in rows}
    result = Score()
    paired: dict[str, set[str]] = {}  # clip -> the codes a pair makes right on it
    for pair in pairs:
        codes = {_family(c) for c in pair["codes"]}
        members = [m for m in pair["clips"] if m in found]
        if len(members) < 2:
            continue
        label = pair["codes"][0]
        hit = any(found[m] & codes for m in members)
        (result.tp if hit else result.fn)[label] += 1
        if not hit:
            result.wrong.append(f"{' + '.join(members)}: FN {label}")
        for m in members:
            paired.setdefault(m, set()).update(codes)
    for name, codes in sorted(found.items()):
        entry = clips.get(name, {})
        expect = {_family(c) for c in entry.get("expect", [])}
        maybe = {_family(c) for c in entry.get("maybe", [])} | paired.get(name, set())
        for code in sorted(expect):
            if code in codes:
                result.tp[code] += 1
            else:
                result.fn[code] += 1
                result.wrong.append(f"{name}: FN {code}")
        for code in sorted(codes - expect - maybe):
            result.fp[code] += 1
            result.wrong.append(f"{name}: FP {code}")
    return result


def print_score(result: Score) -> None:
    """Precision and recall per code, and each clip the checks got wrong."""
    codes = sorted(set(result.tp) | set(result.fp) | set(result.fn))
    print(f"\n{'code':<22} {'TP':>3} {'FP':>3} {'FN':>3}  precision  recall")
    for code in codes:
        tp, fp, fn = result.tp[code], result.fp[code], result.fn[code]
        precision = f"{tp / (tp + fp):.2f}" if tp + fp else "-"
        recall = f"{tp / (tp + fn):.2f}" if tp + fn else "-"
        print(f"{code:<22} {tp:>3} {fp:>3} {fn:>3}  {precision:>9}  {recall:>6}")
    tp, fp, fn = (sum(c.values()) for c in (result.tp, result.fp, result.fn))
    print(f"{'all':<22} {tp:>3} {fp:>3} {fn:>3}", end="  ")
    print(f"{tp / (tp + fp) if tp + fp else 0:>9.2f}  {tp / (tp + fn) if tp + fn else 0:>6.2f}")
    if result.wrong:
        print("\nwhere the checks and the labels disagree:")
        for line in result.wrong:
            print(f"  {line}")


def run(folder: Path, model: str, expect: Path | None, measures: bool) -> None:
    """Copy, check twice, print the table (and the score)."""
    labels = json.loads(expect.read_text(encoding="utf-8")) if expect else None
    with tempfile.TemporaryDirectory(prefix="annotator-real-") as tmp:
        root = Path(tmp)
        names = copy_clips(folder, root)
        if not names:
            raise SystemExit(f"no video in {folder}")
        ws = Workspace.create(root, WorkspaceInfo(mode=Mode.I2V, base_model=model))
        scan(ws)  # `annotator init`: not part of the check
        first, report = timed_check(ws)
        second, _ = timed_check(ws)
        samples = ws.samples()
        rows = rows_of(samples, report)
        print_table(rows)
        if measures:
            print_measures(ws, samples)
        ws.close()
    n = len(names)
    load = os.getloadavg()[0]
    print(f"\n{n} clips, {model}, {os.cpu_count()} cores, load average {load:.1f}")
    print(f"first check:  {first:.1f} s, {first / n:.3f} s per clip")
    print(f"second check: {second:.2f} s, {second / n:.4f} s per clip (cached analyses)")
    if labels is not None:
        print_score(score(rows, labels))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="a folder of video clips (left untouched)")
    parser.add_argument("--expect", type=Path, help="a person's labels (JSON), to score")
    parser.add_argument("--model", default="wan2.5-i2v-preview", help="an i2v base model")
    parser.add_argument("--measures", action="store_true", help="print what was measured")
    args = parser.parse_args()
    if not args.folder.is_dir():
        parser.error(f"{args.folder} is not a folder")
    run(args.folder, args.model, args.expect, args.measures)


if __name__ == "__main__":
    main()
