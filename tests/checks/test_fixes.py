"""Issue 13 item 2: what `fix` plans for each finding (pure: facts in, an edit out)."""

from __future__ import annotations

import pytest

from annotator.basemodels import get_base_model
from annotator.checks.fixes import SampleFix, plan_fix
from annotator.clipfacts import Borders, ClipFacts
from annotator.media.edits import ClipEdit, Crop, Scale
from tests.clips import h264_facts

WAN22 = get_base_model("wan2.2-i2v-flash")
FACTS = h264_facts(8.0, 8.0)


def _plan(
    codes: set[str], clip: ClipFacts = FACTS, current: ClipEdit = ClipEdit(), **kw: float
) -> SampleFix | None:
    return plan_fix(
        sample_id="s",
        path="a.mp4",
        codes=codes,
        source=FACTS,
        clip=clip,
        current=current,
        model=WAN22,
        **kw,
    )


def test_a_long_clip_keeps_its_start_or_starts_on_the_first_real_frame() -> None:
    plan = _plan({"clip-too-long"})
    assert plan is not None and plan.edit == ClipEdit(end_s=5.0)
    assert plan.expected.duration_s == pytest.approx(5.0)
    later = _plan({"clip-too-long"}, first_real_s=0.5)
    assert later is not None and later.edit == ClipEdit(start_s=0.5, end_s=5.5)


def test_a_persons_trim_start_is_kept() -> None:
    mine = ClipEdit(start_s=2.0)
    plan = _plan(
        {"clip-too-long"}, FACTS.model_copy(update={"duration_s": 6.0}), mine, first_real_s=0.5
    )
    assert plan is not None and plan.edit == ClipEdit(start_s=2.0, end_s=7.0)


def test_borders_are_cropped_through_the_current_crop_and_scale() -> None:
    bars = FACTS.model_copy(update={"black_borders": Borders(top=16, bottom=16)})
    plan = _plan({"black-borders"}, bars)
    assert plan is not None and plan.edit.crop == Crop(x=0, y=16, w=160, h=88)
    assert (plan.expected.width, plan.expected.height) == (160, 88)
    # Already scaled to half: the bars measured on the edited clip count double in the source.
    halved = bars.model_copy(
        update={"width": 80, "height": 60, "black_borders": Borders(top=8, bottom=8)}
    )
    scaled = ClipEdit(scale=Scale(width=80, height=60))
    plan = _plan({"black-borders"}, halved, scaled)
    assert plan is not None and plan.edit.crop == Crop(x=0, y=16, w=160, h=88)


def test_a_huge_clip_is_scaled_and_a_foreign_container_converted() -> None:
    huge = FACTS.model_copy(update={"width": 8192, "height": 4320})
    source_plan = plan_fix(
        sample_id="s",
        path="a.mp4",
        codes={"clip-resolution"},
        source=huge,
        clip=huge,
        current=ClipEdit(),
        model=WAN22,
    )
    assert source_plan is not None and source_plan.edit.scale == Scale(max_side=4096)
    assert (source_plan.expected.width, source_plan.expected.height) == (4096, 2160)
    mkv = FACTS.model_copy(update={"container": "matroska,webm"})
    plan = _plan({"clip-mislabelled"}, mkv)
    assert plan is not None and plan.edit.convert
    assert plan.changes == ("convert Matroska/WebM to MP4",)


def test_nothing_for_fix_is_no_plan() -> None:
    assert _plan({"file-name", "clip-too-short"}) is None
    assert _plan(set()) is None


def test_a_flat_first_frame_starts_the_clip_later_unless_too_little_is_left() -> None:
    short = FACTS.model_copy(update={"duration_s": 3.0})

    def plan(first_real_s: float) -> SampleFix | None:
        return plan_fix(
            sample_id="s",
            path="a.mp4",
            codes={"flat-first-frame"},
            source=short,
            clip=short,
            current=ClipEdit(),
            model=WAN22,
            first_real_s=first_real_s,
        )

    planned = plan(0.5)
    assert planned is not None and planned.edit == ClipEdit(start_s=0.5)
    assert planned.expected.duration_s == pytest.approx(2.5)
    assert plan(1.5) is None  # 1.5 s left: under the model's 2 s
