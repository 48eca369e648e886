"""What `annotator fix` does to a sample, planned from its findings (issue 13 item 2).

Pure: the findings' codes, the clip's facts and the base model in; a ``ClipEdit`` for the
whole clip out, with what it changes. Each finding that an edit can fix has one fix:

- too long for the base model: trimmed to the model's longest clip, keeping the start (i2v
  is conditioned on the first frame), unless the clip opens on flat frames (black, a
  slate): then it starts at the first real frame;
- a first frame that is flat (black, one colour): the clip starts at its first real frame,
  when what is left is long enough for the model;
- black borders: cropped away;
- over 4096 pixels on a side: scaled down to 4096;
- a container the service does not take: converted to MP4 (every edit renders an MP4).

An edit the sample already has (a person's trim) is kept and completed, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

from annotator.basemodels import BaseModel as WanBaseModel
from annotator.clipfacts import ClipFacts
from annotator.media.edits import ClipEdit, Crop, Scale, output_duration, output_size

TOO_LONG = "clip-too-long"
BORDERS = "black-borders"
TOO_LARGE = "clip-resolution"
CONTAINER = "clip-mislabelled"
FLAT_FIRST = "flat-first-frame"  # the clip-quality checks' code (quality_rules.py)
# The findings `annotator fix` fixes; the checks name it as their fix.
FIXABLE_CODES = frozenset({TOO_LONG, BORDERS, TOO_LARGE, CONTAINER, FLAT_FIRST})
MAX_SIDE = 4096
_MP4_MOV = "mov,mp4,m4a,3gp,3g2,mj2"


@dataclass(frozen=True)
class ClipShape:
    """What a person compares before and after a fix: length, size, container."""

    duration_s: float
    width: int
    height: int
    container: str

    @classmethod
    def of(cls, facts: ClipFacts) -> ClipShape:
        """The shape of a probed clip."""
        return cls(facts.duration_s, facts.width, facts.height, container_label(facts.container))

    def describe(self) -> str:
        """``8.00 s, 160x120, MP4``."""
        return f"{self.duration_s:.2f} s, {self.width}x{self.height}, {self.container}"


@dataclass(frozen=True)
class SampleFix:
    """The fix of one sample: the findings it answers, the new edit, the clip before and
    the clip it should give (``expected``; the render's own probe has the last word)."""

    sample_id: str
    path: str
    codes: tuple[str, ...]
    edit: ClipEdit
    changes: tuple[str, ...]  # one phrase per change: "trim to 0.5-5.5 s"
    before: ClipShape
    expected: ClipShape


def container_label(container: str) -> str:
    """FFmpeg's demuxer name in a person's words: MP4, Matroska/WebM, AVI, GIF, ..."""
    if container == _MP4_MOV:
        return "MP4"
    if container == "matroska,webm":
        return "Matroska/WebM"
    return container.split(",")[0].upper()


def plan_fix(
    *,
    sample_id: str,
    path: str,
    codes: set[str],
    source: ClipFacts,
    clip: ClipFacts,
    current: ClipEdit,
    model: WanBaseModel,
    first_real_s: float = 0.0,
) -> SampleFix | None:
    """The fix of a sample whose clip (CLIP: its facts, after the CURRENT edit of its
    SOURCE) has the findings CODES; None when nothing in them is for `fix`.

    FIRST_REAL_S: when the source's first real (not flat) frame comes, for a trim that
    starts where the person did not choose a start.
    """
    codes = codes & FIXABLE_CODES
    edit, changes = current, []
    if TOO_LONG in codes:
        edit, change = _trim(edit, model.max_duration_s, first_real_s)
        changes.append(change)
    elif FLAT_FIRST in codes and edit.start_s is None and first_real_s > 0:
        left = output_duration(_update(edit, start_s=first_real_s), source.duration_s)
        if left >= model.min_duration_s:  # never too short for the model
            edit = _update(edit, start_s=first_real_s)
            changes.append(f"start at the first real frame ({first_real_s:g} s)")
    if BORDERS in codes and clip.black_borders is not None:
        edit, change = _crop(edit, source, clip)
        changes.append(change)
    if TOO_LARGE in codes:
        edit = _update(edit, scale=Scale(max_side=MAX_SIDE))
        changes.append(f"scale down to at most {MAX_SIDE} px a side")
    if CONTAINER in codes:
        edit = _update(edit, convert=True)
        changes.append(f"convert {container_label(clip.container)} to MP4")
    if edit == current or not changes:
        return None
    width, height = output_size(edit, source.width, source.height)
    expected = ClipShape(output_duration(edit, source.duration_s), width, height, "MP4")
    return SampleFix(
        sample_id=sample_id,
        path=path,
        codes=tuple(sorted(codes)),
        edit=edit,
        changes=tuple(changes),
        before=ClipShape.of(clip),
        expected=expected,
    )


def _update(edit: ClipEdit, **fields: object) -> ClipEdit:
    """EDIT with FIELDS changed, validated again."""
    return ClipEdit.model_validate({**edit.model_dump(), **fields})


def _trim(edit: ClipEdit, max_s: float, first_real_s: float) -> tuple[ClipEdit, str]:
    start = edit.start_s if edit.start_s is not None else first_real_s
    end = round(start + max_s, 3)
    if edit.end_s is not None:
        end = min(end, edit.end_s)
    why = " (after the flat frames it opens on)" if edit.start_s is None and start > 0 else ""
    return _update(edit, start_s=start or None, end_s=end), f"trim to {start:g}-{end:g} s{why}"


def _crop(edit: ClipEdit, source: ClipFacts, clip: ClipFacts) -> tuple[ClipEdit, str]:
    """Crop the bars of CLIP away, in the coordinates of the SOURCE's picture (the bars
    are measured on the edited clip: scaled back through the current crop and scale)."""
    borders = clip.black_borders
    assert borders is not None
    base = edit.crop or Crop(x=0, y=0, w=source.width, h=source.height)
    fx, fy = base.w / max(1, clip.width), base.h / max(1, clip.height)
    left, right = round(borders.left * fx), round(borders.right * fx)
    top, bottom = round(borders.top * fy), round(borders.bottom * fy)
    crop = Crop(
        x=base.x + left,
        y=base.y + top,
        w=max(2, base.w - left - right),
        h=max(2, base.h - top - bottom),
    )
    sides = [
        f"{name} {px}px"
        for name, px in (("top", top), ("bottom", bottom), ("left", left), ("right", right))
        if px
    ]
    return _update(edit, crop=crop), f"crop the black borders ({', '.join(sides)})"
