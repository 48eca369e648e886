"""The dataset rules for the whole set: count, unusable files, diversity."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterator, Sequence
from fractions import Fraction

from pydantic import BaseModel, ConfigDict

from annotator.checks.findings import Finding, Severity
from annotator.counting import counted
from annotator.workspace import FileRecord, Sample

MIN_SAMPLES = 10
SAMPLE_COUNT_CODE = "sample-count"
RECOMMENDED_SAMPLES = (20, 100)
# Below this many clips a uniform set is not worth a warning yet.
DIVERSITY_MIN_SAMPLES = 5
# What to do about a file the scan could not take, when the scan knew nothing better.
UNUSABLE_FILE_FIX = "replace the file with a readable MP4 or MOV clip, or remove it"


class Diversity(BaseModel):
    """The spread of the set, which the guide asks to be wide."""

    model_config = ConfigDict(frozen=True)

    count: int
    resolutions: dict[str, int]
    aspect_ratios: dict[str, int]
    duration_min_s: float | None
    duration_median_s: float | None
    duration_max_s: float | None


def sample_count(samples: Sequence[Sample]) -> Iterator[Finding]:
    """At least 10 samples (an error: a paid training run on fewer is a waste; export's
    --allow-small lets a trial through), 20-100 recommended."""
    n = len(samples)
    if n < MIN_SAMPLES:
        yield Finding(
            code=SAMPLE_COUNT_CODE,
            severity=Severity.ERROR,
            message=f"{counted(n, 'sample')}: the guide asks for at least {MIN_SAMPLES}",
            fix=f"add clips: at least {MIN_SAMPLES}, {RECOMMENDED_SAMPLES[0]}-"
            f"{RECOMMENDED_SAMPLES[1]} recommended for a stable result",
        )
    elif n < RECOMMENDED_SAMPLES[0]:
        yield Finding(
            code=SAMPLE_COUNT_CODE,
            severity=Severity.INFO,
            message=f"{n} samples: enough, though {RECOMMENDED_SAMPLES[0]}-"
            f"{RECOMMENDED_SAMPLES[1]} give a more stable result",
            fix="add clips if you have more good ones",
        )


def unusable_files(files: Sequence[FileRecord]) -> Iterator[Finding]:
    """Every file the scan could not take: corrupt, empty, unreadable, duplicate, wrong format.

    An .mp4 or .mov that cannot be read is an ERROR: the user put it there as a sample, and
    a dataset written without it would silently be one clip short, so `check` says "not
    ready" and `export` refuses, alike. A video in a format the service does not take
    (.avi, .mkv, ...) or a duplicate is only a WARNING: it was never going to be a sample.
    """
    for record in files:
        if record.error is None:
            continue
        duplicate = record.duplicate_of is not None
        meant_as_clip = record.kind == "clip"  # the scan's word: an .mp4 or .mov
        yield Finding(
            code="duplicate-clip" if duplicate else "unusable-file",
            severity=Severity.ERROR if meant_as_clip and not duplicate else Severity.WARNING,
            message=record.error.message,
            fix=record.error.fix or UNUSABLE_FILE_FIX,
            path=record.path,
        )


def aspect_label(width: int, height: int) -> str:
    """A readable aspect ratio: 16:9, 4:3, 1:1, or W:H reduced."""
    ratio = Fraction(width, height).limit_denominator(20)
    return f"{ratio.numerator}:{ratio.denominator}"


def diversity(samples: Sequence[Sample]) -> Diversity:
    probes = [s.probe for s in samples if s.probe is not None]
    durations = [p.duration_s for p in probes]
    return Diversity(
        count=len(probes),
        resolutions=dict(Counter(f"{p.width}x{p.height}" for p in probes).most_common()),
        aspect_ratios=dict(Counter(aspect_label(p.width, p.height) for p in probes).most_common()),
        duration_min_s=min(durations, default=None),
        duration_median_s=statistics.median(durations) if durations else None,
        duration_max_s=max(durations, default=None),
    )


def uniformity(report: Diversity) -> Iterator[Finding]:
    """Warn when every clip shares one resolution or one aspect ratio."""
    if report.count < DIVERSITY_MIN_SAMPLES:
        return
    for what, spread in (
        ("resolution", report.resolutions),
        ("aspect ratio", report.aspect_ratios),
    ):
        if len(spread) == 1:
            yield Finding(
                code="low-diversity",
                severity=Severity.WARNING,
                message=f"every clip has the same {what} ({next(iter(spread))})",
                fix="mix resolutions and aspect ratios (landscape, portrait, square): "
                "the guide asks for varied ones",
            )
