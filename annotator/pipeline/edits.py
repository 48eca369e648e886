"""Clip edits, the use case: render a sample's edit, keep it in the store (undoable), take it
away again (issue 13 item 1).

A sample's source is never modified. Its edit is rendered under ``.annotator/media/``
(``media/render.py``: named by the source's hash and the edit's key, reused when it
exists), then read once for its facts and its first (and last) frame, and the store
takes the edit, the rendered clip, its facts and its frames in one commit and one history
entry (``Workspace.set_clip_edit``): every stage that reads ``sample.clip`` and
``sample.probe`` sees the edited clip, and undo returns to the state before, whole.

Frames a person put beside the clip (sidecar images) stay the sample's frames; the frames
extracted from a clip are named by the edit (``extracted_frame``), so a new edit never
shows the pictures of the old one.
"""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image

from annotator.basemodels import Mode
from annotator.media import ClipAnalysis, analyse_clip, save_png
from annotator.media.edits import ClipEdit
from annotator.media.render import render_cached, render_clip
from annotator.workspace import STORE_DIR, ClipEditColumns, FrameSource, Sample, Workspace

MEDIA_DIR = "media"  # under the store: .annotator/media/


def media_dir(ws: Workspace) -> Path:
    """Where the workspace's rendered clips live."""
    return ws.store_dir / MEDIA_DIR


def sample_edit(sample: Sample) -> ClipEdit:
    """The sample's edit (an empty one when it uses its source as it is)."""
    return ClipEdit.from_json(sample.edit)


def extracted_frame(sample_id: str, edit_key: str | None, which: str) -> str:
    """Where the frame WHICH ("first", "last") decoded from a sample's clip is cached,
    relative to the root: one name per edit, the source's own without one."""
    tag = sample_id[:16] if edit_key is None else f"{sample_id[:16]}-{edit_key}"
    return f"{STORE_DIR}/frames/{tag}_{which}.png"


def set_edit(ws: Workspace, sample: Sample, edit: ClipEdit) -> Sample:
    """Give SAMPLE the clip EDIT (an empty edit: its source as it is). Renders it unless a
    render of that very edit exists; raises ``MediaError`` when it cannot be rendered."""
    if edit.is_empty:
        return clear_edit(ws, sample)
    rendered = render_cached(ws.root / sample.path, sample.id, edit, media_dir(ws))
    analysis = analyse_clip(rendered)
    columns = _columns(ws, sample, analysis, edit.key)
    columns = columns.model_copy(
        update={
            "edit": edit.to_json(),
            "edit_key": edit.key,
            "edited_clip": rendered.relative_to(ws.root).as_posix(),
        }
    )
    return ws.set_clip_edit(sample.id, columns)


def clear_edit(ws: Workspace, sample: Sample) -> Sample:
    """Take SAMPLE's edit away: it uses its source again (undoable like the edit)."""
    if sample.edit_key is None and sample.edited_clip is None:
        return sample
    analysis = analyse_clip(ws.root / sample.path)
    return ws.set_clip_edit(sample.id, _columns(ws, sample, analysis, None))


def edit_words(state: str | None) -> str:
    """A clip edit's history value (the JSON of its columns) in a few words: "trim 0-5 s",
    "no edit" for the source as it is."""
    if not state:
        return "no edit"
    try:
        text = json.loads(state).get("edit")
        return ClipEdit.from_json(text).describe()
    except (ValueError, AttributeError):
        return "an edit"


def restore_render(ws: Workspace, sample: Sample) -> bool:
    """Render SAMPLE's edit again when its file went missing (the store's media folder was
    cleaned); True when it rendered. Raises ``MediaError`` when it cannot."""
    if sample.edited_clip is None or (ws.root / sample.edited_clip).is_file():
        return False
    render_clip(ws.root / sample.path, sample_edit(sample), ws.root / sample.edited_clip)
    return True


def _columns(
    ws: Workspace, sample: Sample, analysis: ClipAnalysis, edit_key: str | None
) -> ClipEditColumns:
    """The probe and frame columns of SAMPLE for the clip ANALYSIS read (edit EDIT_KEY)."""
    wanted = ("first", "last") if ws.info.mode is Mode.KF2V else ("first",)
    pictures = {"first": analysis.first_frame, "last": analysis.last_frame}
    frames: dict[str, object] = {}
    for which in wanted:
        source = getattr(sample, f"{which}_frame_source")
        if source is FrameSource.SIDECAR:  # the person's own picture stays
            frames[f"{which}_frame"] = getattr(sample, f"{which}_frame")
            frames[f"{which}_frame_source"] = source
            continue
        rel = extracted_frame(sample.id, edit_key, which)
        _save_once(pictures[which], ws.root / rel)
        frames[f"{which}_frame"] = rel
        frames[f"{which}_frame_source"] = FrameSource.EXTRACTED
    return ClipEditColumns.model_validate({"probe": analysis.facts, **frames})


def _save_once(image: Image.Image, dest: Path) -> None:
    # The same clip gives the same picture: a frame saved before is kept as it is.
    if not dest.is_file():
        save_png(image, dest)
