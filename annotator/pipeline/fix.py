"""`annotator fix` and `annotator trim`, the use cases (issue 13 item 2).

``plan_fixes`` runs the clip rules an edit can answer (duration, black borders, size,
container) on each sample's clip and plans its edit (``checks/fixes.py``); ``apply_fixes``
renders and stores each one through ``pipeline/edits.py`` (undoable, sources untouched).
``trim_sample`` sets a trim by hand, keeping the rest of the sample's edit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from annotator.basemodels import get_base_model
from annotator.checks.clip_rules import (
    SampleContext,
    black_borders,
    clip_duration,
    clip_resolution,
    container_format,
)
from annotator.checks.findings import Finding
from annotator.checks.fixes import FLAT_FIRST, ClipShape, SampleFix, plan_fix
from annotator.media import MediaError, analyse_clip
from annotator.media.edits import ClipEdit
from annotator.media.flatstart import first_real_frame_s
from annotator.pipeline.edits import sample_edit, set_edit
from annotator.workspace import Sample, Workspace

# The clip rules whose findings an edit fixes.
_RULES = (clip_duration, black_borders, clip_resolution, container_format)
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class FixOutcome:
    """One planned fix once applied: the clip it gave, or why it could not be rendered."""

    fix: SampleFix
    after: ClipShape | None
    error: str | None = None


def select_samples(ws: Workspace, only: Sequence[str] = ()) -> list[Sample]:
    """The samples to fix: those ONLY names (clip names, paths or id prefixes), else every
    sample that counts (present, not rejected)."""
    if only:
        return [ws.resolve(ref) for ref in only]
    return [s for s in ws.samples() if s.counts]


def plan_fixes(
    ws: Workspace, samples: Sequence[Sample], progress: Progress | None = None
) -> list[SampleFix]:
    """The fix of each of SAMPLES that has a finding an edit answers, in their order."""
    ctx = SampleContext(root=ws.root, base_model=get_base_model(ws.info.base_model))
    plans = []
    for done, sample in enumerate(samples):
        if progress:
            progress(done, len(samples), sample.path)
        plan = _plan_one(ws, sample, ctx)
        if plan is not None:
            plans.append(plan)
    if progress:
        progress(len(samples), len(samples), "")
    return plans


def _plan_one(ws: Workspace, sample: Sample, ctx: SampleContext) -> SampleFix | None:
    if sample.probe is None:
        return None
    codes = {f.code for f in _findings(sample, ctx)}
    current = sample_edit(sample)
    source = ws.root / sample.path
    try:
        # Where the picture starts (one frame decoded, unless the clip opens flat), unless
        # a person chose the start.
        first_real = 0.0 if current.start_s is not None else first_real_frame_s(source)
        if first_real > 0:
            codes.add(FLAT_FIRST)
        if not codes:
            return None
        # The plan is made on the source's picture: read it when an edit stands between.
        facts = sample.probe if current.is_empty else analyse_clip(source).facts
    except MediaError:
        return None  # the source is unreadable: the scan reports it
    return plan_fix(
        sample_id=sample.id,
        path=sample.path,
        codes=codes,
        source=facts,
        clip=sample.probe,
        current=current,
        model=ctx.base_model,
        first_real_s=first_real,
    )


def _findings(sample: Sample, ctx: SampleContext) -> Iterator[Finding]:
    for rule in _RULES:
        yield from rule(sample, ctx)


def apply_fixes(
    ws: Workspace, plans: Sequence[SampleFix], progress: Progress | None = None
) -> list[FixOutcome]:
    """Render and store each planned edit (each one undoable); a clip that cannot be
    rendered keeps its old state and says why."""
    outcomes = []
    for done, plan in enumerate(plans):
        if progress:
            progress(done, len(plans), plan.path)
        try:
            sample = set_edit(ws, ws.sample(plan.sample_id), plan.edit)
        except MediaError as exc:
            outcomes.append(FixOutcome(plan, None, exc.message))
            continue
        after = ClipShape.of(sample.probe) if sample.probe is not None else None
        outcomes.append(FixOutcome(plan, after))
    if progress:
        progress(len(plans), len(plans), "")
    return outcomes


def trim_sample(
    ws: Workspace, sample: Sample, start_s: float | None, end_s: float | None
) -> Sample:
    """Trim SAMPLE's clip to START_S-END_S seconds of its source (None: from the start, to
    the end), keeping the rest of its edit. Raises ``ValueError`` for an empty span and
    ``MediaError`` when the source cannot be rendered."""
    current = sample_edit(sample)
    edit = ClipEdit.model_validate(
        {**current.model_dump(), "start_s": start_s or None, "end_s": end_s}
    )
    return set_edit(ws, sample, edit)
