"""Bring the store in line with the folder: new, moved, changed and removed clips."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from annotator.basemodels import Mode
from annotator.media import (
    ClipAnalysis,
    MediaError,
    analyse_clip,
    first_frame,
    last_frame,
    save_png,
)
from annotator.pipeline.edits import extracted_frame, restore_render
from annotator.userfiles import (
    UserFileError,
    check_file,
    file_sha256,
    is_readable_file,
)
from annotator.workspace.models import FileRecord, FrameSource, Problem, Sample, Status
from annotator.workspace.store import STORE_DIR, Workspace

CLIP_SUFFIXES = frozenset({".mp4", ".mov"})
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".bmp"})
# Video files the service does not take: reported, so the user knows why they were left out.
OTHER_VIDEO_SUFFIXES = frozenset(
    {".avi", ".mkv", ".webm", ".flv", ".wmv", ".m4v", ".mpg", ".mpeg", ".ts", ".gif", ".3gp"}
)
Progress = Callable[[int, int, str], None]


@dataclass
class ScanReport:
    """What a scan changed, and the files it could not take."""

    added: list[str] = field(default_factory=list)
    moved: list[tuple[str, str]] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # same path, new content (trimmed, re-encoded)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    problems: list[FileRecord] = field(default_factory=list)


def scan(ws: Workspace, progress: Progress | None = None) -> ScanReport:
    """Hash, probe and frame every clip under the workspace; keep every existing annotation."""
    report = ScanReport()
    previous = ws.files()
    known = {s.id: s for s in ws.samples(include_missing=True)}
    records: list[FileRecord] = []
    seen: dict[str, str] = {}  # sample id -> the path that holds it now
    paths = sorted(_walk(ws.root))
    for done, path in enumerate(paths):
        rel = path.relative_to(ws.root).as_posix()
        if progress:
            progress(done, len(paths), rel)
        record = _file_record(path, rel, previous.get(rel), ws.root)
        # A video the service does not take (.webm, .mkv, ...) is a sample too when it
        # decodes: `annotator fix` converts it to MP4 without touching it.
        if record.error is None and record.sha256 is not None:
            record = _take_clip(ws, path, record, known, seen, report)
        records.append(record)
        if record.error:
            report.problems.append(record)
    if progress:
        progress(len(paths), len(paths), "")
    ws.replace_files(records)
    gone = [sid for sid, s in known.items() if s.present and sid not in seen]
    ws.set_present(gone, False)
    carried = _carry_over_changed(ws, [known[sid] for sid in gone], seen, report)
    report.removed = [known[sid].path for sid in gone if sid not in carried]
    return report


# What a person wrote about a clip, kept when the clip is trimmed or re-encoded in place.
_CARRIED_FIELDS = ("subject", "background", "pronoun", "prompt_override")


def _carry_over_changed(
    ws: Workspace, gone: list[Sample], seen: dict[str, str], report: ScanReport
) -> set[str]:
    """A new clip at the very path of one that went away is that clip changed (the checks
    say to cut long clips): it keeps the person's words and needs another look."""
    new_at = {path: sid for sid, path in seen.items() if path in report.added}
    carried = set()
    for old in gone:
        new_id = new_at.get(old.path)
        if new_id is None:
            continue
        words = {f: str(getattr(old, f)) for f in _CARRIED_FIELDS if getattr(old, f)}
        if "pronoun" in words and old.pronoun is not None:
            words["pronoun"] = old.pronoun.value
        decided = old.status in (Status.REVIEWED, Status.ACCEPTED, Status.REJECTED)
        status = (Status.REVIEWED if decided else Status.NEW).value
        ws.upsert_sample(new_id, status=status, **words)
        report.added.remove(old.path)
        report.changed.append(old.path)
        carried.add(old.id)
    return carried


def _walk(root: Path) -> Iterator[Path]:
    # Symlinked folders are not followed, so a link back to a parent cannot loop the scan.
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != STORE_DIR)
        for name in files:
            if name.startswith("."):  # editors' temp files, macOS's ._ resource forks
                continue
            suffix = Path(name).suffix.lower()
            if suffix in CLIP_SUFFIXES or suffix in OTHER_VIDEO_SUFFIXES:
                yield Path(folder) / name


def _file_record(path: Path, rel: str, before: FileRecord | None, root: Path) -> FileRecord:
    suffix = path.suffix.lower()
    kind = "clip" if suffix in CLIP_SUFFIXES else "other"
    try:
        st = check_file(path, root)
    except UserFileError as exc:  # a pipe, a device, a link out of the workspace
        return _unopened(rel, kind, str(exc))
    except OSError as exc:
        reason = "symlink loop" if exc.errno == errno.ELOOP else exc.strerror or str(exc)
        if exc.errno == errno.ENOENT and path.is_symlink():
            reason = "broken symlink: its target does not exist"
        return _unopened(rel, kind, reason)
    record = FileRecord(path=rel, kind=kind, size=st.st_size, mtime_ns=st.st_mtime_ns)
    if kind == "other" and st.st_size == 0:
        return record.model_copy(update={"error": _not_taken(suffix)})
    if st.st_size == 0:
        problem = Problem(message="zero-byte file", fix="re-copy or re-export the clip")
        return record.model_copy(update={"error": problem})
    # Only a hash that was read is worth keeping: a file that could not be read last time
    # (no hash) is read again, or a clip made readable (chmod) would stay out for good.
    if (
        before is not None
        and before.sha256 is not None
        and (before.size, before.mtime_ns) == (st.st_size, st.st_mtime_ns)
    ):
        return record.model_copy(update={"sha256": before.sha256})
    try:
        return record.model_copy(update={"sha256": file_sha256(path, root)})
    except OSError as exc:
        problem = Problem(message=f"cannot read the file: {exc.strerror}")
        return record.model_copy(update={"error": problem})


def _not_taken(suffix: str) -> Problem:
    """A video in a format the service does not take, that could not be read either."""
    return Problem(
        message=f"{suffix} clips are not taken by the service", fix="convert to MP4 or MOV"
    )


def _unopened(rel: str, kind: str, reason: str) -> FileRecord:
    """A file the scan would not or could not open: nothing known of it but the reason."""
    return FileRecord(path=rel, kind=kind, size=0, mtime_ns=0, error=Problem(message=reason))


def _take_clip(
    ws: Workspace,
    path: Path,
    record: FileRecord,
    known: dict[str, Sample],
    seen: dict[str, str],
    report: ScanReport,
) -> FileRecord:
    sid = record.sha256
    assert sid is not None
    if sid in seen:
        problem = Problem(
            message=f"duplicate: same content as {seen[sid]}", fix="remove one of the two"
        )
        return record.model_copy(update={"error": problem, "duplicate_of": seen[sid]})
    sample = known.get(sid)
    analysis: ClipAnalysis | None = None
    try:
        if sample is not None:
            restore_render(ws, sample)  # its edit's render went missing: render it again
        if sample is None or sample.probe is None:
            # The clip the sample uses: its edit's render when it has one.
            analysis = analyse_clip(path if sample is None else ws.root / sample.clip)
    except MediaError as exc:
        if record.kind == "other":
            return record.model_copy(update={"error": _not_taken(path.suffix.lower())})
        return record.model_copy(update={"error": Problem(message=exc.message, fix=exc.fix)})
    if sample is None or analysis is not None:
        assert analysis is not None
        ws.upsert_sample(sid, path=record.path, present=1, probe=analysis.facts)
        report.added.append(record.path)
    elif sample.path != record.path or not sample.present:
        if sample.path != record.path and sample.present:
            report.moved.append((sample.path, record.path))
        ws.upsert_sample(sid, path=record.path, present=1)
    else:
        report.unchanged += 1
    seen[sid] = record.path
    # A new clip's pictures come from the pass that read it: its frames are decoded once.
    _attach_frames(ws, ws.sample(sid), analysis)
    return record


def sidecar_image(clip: Path, suffix: str = "", root: Path | None = None) -> Path | None:
    """The image the user put next to CLIP (STEM.png, or STEM_first.png with suffix _first).

    Only a regular file, and under ROOT when given (a link out of the workspace is not used).
    """
    for candidate in sorted(clip.parent.glob(f"{glob_escape(clip.stem)}{suffix}.*")):
        if candidate.suffix.lower() in IMAGE_SUFFIXES and is_readable_file(candidate, root):
            return candidate
    return None


def glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


def _attach_frames(ws: Workspace, sample: Sample, analysis: ClipAnalysis | None) -> None:
    """Point the sample at its first (and last) frame: the user's image, or one decoded once.

    ANALYSIS holds the pictures of a clip the scan has just read; a known clip whose cached
    picture went missing is decoded again.
    """
    clip = ws.root / sample.path
    used = ws.root / sample.clip  # the pictures come from the edited clip when there is one
    kf2v = ws.info.mode is Mode.KF2V
    wanted = [("first", "_first" if kf2v else "")] + ([("last", "_last")] if kf2v else [])
    columns: dict[str, object] = {}
    for which, suffix in wanted:
        image = sidecar_image(clip, suffix, ws.root)
        if image is not None:
            rel, source = image.relative_to(ws.root).as_posix(), FrameSource.SIDECAR
        else:
            cached = ws.root / extracted_frame(sample.id, sample.edit_key, which)
            if not cached.exists():
                try:
                    ws.frames_dir.mkdir(parents=True, exist_ok=True)
                    save_png(_picture(used, which, analysis), cached)
                except MediaError as exc:
                    ws.upsert_sample(
                        sample.id, error=f"cannot extract the {which} frame: {exc.message}"
                    )
                    continue
            rel, source = cached.relative_to(ws.root).as_posix(), FrameSource.EXTRACTED
        columns[f"{which}_frame"] = rel
        columns[f"{which}_frame_source"] = source.value
    if any(getattr(sample, k) != v for k, v in columns.items()):
        ws.upsert_sample(sample.id, **columns)


def _picture(clip: Path, which: str, analysis: ClipAnalysis | None) -> Image.Image:
    """The clip's first or last picture: from the pass that read it, or decoded now."""
    if analysis is not None:
        return analysis.first_frame if which == "first" else analysis.last_frame
    return first_frame(clip) if which == "first" else last_frame(clip)
