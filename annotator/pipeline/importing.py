"""Import: an existing dataset's prompts become the workspace samples' prompts.

Each line is matched to a sample by, in order: the clip's content hash (the sample id),
the name map (names.json) an export left beside the zip, the clip's file name, and the
first frame's content hash (a validation zip has no clips). A line whose clip is not in
the workspace brings its clip in (under ``imported/``, its images as sidecars), so a
dataset zip can be read into an empty workspace for review. Prompts are set with
``Workspace.edit``, so every change is in the history and can be undone.

A run can be killed at any point and run again: a zip is extracted under the workspace's
``.annotator/tmp/`` (not the system's temporary folder), each clip is copied to a hidden
temporary and renamed into place, a clip already copied in is recognised by its content,
and what a killed run left behind is removed by the next one.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel, ValidationError

from annotator.basemodels import Mode
from annotator.export.dataset_reader import (
    ImportedItem,
    ImportProblem,
    read_source,
)
from annotator.export.models import NameMap
from annotator.export.naming import sanitize_stem
from annotator.export.safezip import ZipLimits
from annotator.export.staging import remove_leftovers_below, temporary_file
from annotator.pipeline.prompts import load_prompt
from annotator.pipeline.scan import scan
from annotator.procs import pid_alive
from annotator.userfiles import check_folder, file_sha256, open_file, read_bytes
from annotator.workspace import Sample, SampleNotFoundError, Workspace

IMPORT_DIR = "imported"
SCRATCH_DIR = "tmp"  # under the store: zips are extracted there
_SCRATCH = re.compile(r"import-(?P<pid>\d+)-[A-Za-z0-9_]+")
# Where earlier versions extracted zips: removed when older than this and this user's.
_OLD_SCRATCH_PREFIX = "annotator-import-"
_OLD_SCRATCH_AGE_S = 24 * 3600
_CHUNK = 1 << 20


class ImportReport(BaseModel):
    """What an import changed, and every line it could not take."""

    source: str
    items: int
    updated: list[str] = []
    unchanged: list[str] = []
    added: list[str] = []
    problems: list[ImportProblem] = []
    notes: list[str] = []
    template_proposal: str | None = None


class _Matcher:
    """Finds the sample a dataset line belongs to."""

    def __init__(self, ws: Workspace, names: dict[str, str], root: Path) -> None:
        self.ws = ws
        self.root = root  # the dataset's folder: its files are read under it
        self.samples = {s.id: s for s in ws.samples(include_missing=True)}
        self.names = names  # name inside the dataset -> clip path in the workspace
        self._frames: dict[str, Sample] | None = None

    def match(self, item: ImportedItem) -> Sample | None:
        if item.video is not None:
            sample = self.samples.get(file_sha256(item.video, self.root))
            if sample is not None:
                return sample
        if item.video_name:
            mapped = self.names.get(item.video_name)
            by_path = [s for s in self.samples.values() if s.path == mapped]
            if len(by_path) == 1:
                return by_path[0]
            base = item.video_name.rsplit("/", 1)[-1]
            by_name = [s for s in self.samples.values() if s.name == base]
            if len(by_name) == 1:
                return by_name[0]
        if item.first is not None:
            return self.frames().get(file_sha256(item.first, self.root))
        return None

    def frames(self) -> dict[str, Sample]:
        """The samples by the hash of their first frame image (computed once, when needed)."""
        if self._frames is None:
            self._frames = {}
            for sample in self.samples.values():
                if not sample.first_frame:
                    continue
                with contextlib.suppress(OSError):  # a frame gone or unreadable: no match
                    digest = file_sha256(self.ws.root / sample.first_frame, self.ws.root)
                    self._frames.setdefault(digest, sample)
        return self._frames


def import_dataset(
    ws: Workspace,
    source: Path,
    *,
    dry_run: bool = False,
    limits: ZipLimits | None = None,
) -> ImportReport:
    """Set the prompts of the workspace's samples from SOURCE (zip, data.jsonl, csv, folder).

    Raises ``DatasetError`` (or ``UnsafeZipError``) when the whole source is refused, and
    ``UnsafeFolderError`` when ``imported/`` is a symbolic link.
    """
    check_folder(ws.root, ws.root / IMPORT_DIR / sanitize_stem(source.stem))
    remove_leftovers_below(ws.root / IMPORT_DIR)
    with _scratch(ws) as scratch:
        dataset = read_source(source, scratch, limits)
        report = ImportReport(
            source=str(source), items=len(dataset.items), problems=list(dataset.problems)
        )
        matcher = _Matcher(ws, _name_map(source), dataset.root)
        matched: list[tuple[ImportedItem, Sample]] = []
        missing: list[ImportedItem] = []
        for item in dataset.items:
            try:
                sample = matcher.match(item)
            except OSError as exc:  # a file of the line that cannot be read
                report.problems.append(ImportProblem(where=item.where, message=str(exc)))
                continue
            if sample is not None:
                matched.append((item, sample))
            elif item.video is not None:
                missing.append(item)
            else:
                report.problems.append(_unmatched(item))
        if missing and dry_run:
            report.added += [f"{item.video_name} (would be added)" for item in missing]
        elif missing:
            matched += _bring_in(ws, source, dataset.root, missing, report)
        _apply(ws, matched, report, dry_run)
    if report.updated and not ws.template():
        report.template_proposal = propose_template(ws, [item.prompt for item, _ in matched])
    return report


def propose_template(ws: Workspace, prompts: list[str]) -> str | None:
    """The effect template the miner recovers from imported prompts (not stored: a proposal)."""
    if len(prompts) < 2:
        return None
    from annotator.mining.phrases import mine_phrases
    from annotator.mining.template import distill_template
    from annotator.pipeline.mine import DEFAULT_THRESHOLD

    info = ws.info
    lang, trigger = info.lang, info.trigger or ""
    phrases = [p for p in mine_phrases(prompts, lang) if p.support >= DEFAULT_THRESHOLD]
    if not phrases:
        return None
    # The prompts already hold the trigger sentence ("...s86b5p money rain begins"), which
    # distill_template writes itself: take the effect's name from it, not the clause twice.
    head = next((p for p in phrases if trigger and trigger in p.text), None)
    effect = ""
    if head is not None:
        phrases.remove(head)
        after = head.text.split(trigger, 1)[1]
        effect = re.sub(r"\s+(?:begins|starts|appears)\b.*$", "", after).strip(" ，,。.")
    return distill_template(phrases, trigger, lang, effect=effect)


def _unmatched(item: ImportedItem) -> ImportProblem:
    what = item.video_name or (item.first.name if item.first else "this line")
    return ImportProblem(
        where=item.where,
        message=f"no sample matches {what} (by content, name or first frame)",
    )


def _name_map(source: Path) -> dict[str, str]:
    """The names.json an export wrote beside SOURCE: name inside the dataset -> clip path."""
    path = source.parent / "names.json" if source.is_file() else source / "names.json"
    try:
        entries = NameMap.model_validate_json(read_bytes(path)).entries
    except (OSError, ValidationError):
        return {}
    return {e.video: e.clip for e in entries if e.video}


@contextlib.contextmanager
def _scratch(ws: Workspace) -> Iterator[Path]:
    """A folder under the store for this run's extraction, removed after; earlier runs'
    (killed ones, whose pid is gone) are removed first."""
    parent = ws.store_dir / SCRATCH_DIR
    # A linked .annotator/tmp would have the zip's files extracted (and leftovers
    # removed) outside the workspace.
    check_folder(ws.root, parent)
    parent.mkdir(parents=True, exist_ok=True)
    for entry in parent.iterdir():
        match = _SCRATCH.fullmatch(entry.name)
        if match is not None and not pid_alive(int(match["pid"])):
            shutil.rmtree(entry, ignore_errors=True)
    _remove_old_scratch()
    try:
        folder = Path(tempfile.mkdtemp(dir=parent, prefix=f"import-{os.getpid()}-"))
    except FileNotFoundError:  # another run removed the empty parent just now
        parent.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(dir=parent, prefix=f"import-{os.getpid()}-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        with contextlib.suppress(OSError):  # no trace left when no other run is at work
            parent.rmdir()


def _remove_old_scratch() -> None:
    """Remove what killed imports of earlier versions left in the system's temporary folder:
    their own folders only (their prefix, this user's), and only a day after the last write."""
    now = time.time()
    uid = getattr(os, "getuid", lambda: None)()
    with contextlib.suppress(OSError):
        for entry in Path(tempfile.gettempdir()).iterdir():
            if not entry.name.startswith(_OLD_SCRATCH_PREFIX):
                continue
            with contextlib.suppress(OSError):
                st = entry.lstat()
                mine = uid is None or st.st_uid == uid
                old = now - st.st_mtime > _OLD_SCRATCH_AGE_S
                if mine and old and stat.S_ISDIR(st.st_mode):  # lstat: never a link
                    shutil.rmtree(entry, ignore_errors=True)


def _bring_in(
    ws: Workspace,
    source: Path,
    root: Path,
    items: list[ImportedItem],
    report: ImportReport,
) -> list[tuple[ImportedItem, Sample]]:
    """Copy the clips (and their images, as sidecars) into the workspace, scan, match again."""
    folder = ws.root / IMPORT_DIR / sanitize_stem(source.stem)
    folder.mkdir(parents=True, exist_ok=True)
    kf2v = ws.info.mode is Mode.KF2V
    placed: list[tuple[ImportedItem, str]] = []
    for item in items:
        assert item.video is not None
        try:
            digest = file_sha256(item.video, root)
            clip = _place(folder, item.video, root, digest)
            # The scan takes STEM.png (i2v) or STEM_first.png / STEM_last.png (kf2v).
            images = [
                ("_first" if kf2v else "", item.first),
                ("_last", item.last if kf2v else None),
            ]
            for suffix, image in images:
                if image is not None:
                    name = f"{clip.stem}{suffix}{image.suffix.lower()}"
                    _copy_in(image, root, folder / name)
        except OSError as exc:
            report.problems.append(ImportProblem(where=item.where, message=str(exc)))
            continue
        placed.append((item, digest))
        report.added.append(clip.relative_to(ws.root).as_posix())
    scan(ws)
    found = []
    for item, sample_id in placed:
        try:
            found.append((item, ws.sample(sample_id)))
        except SampleNotFoundError:
            # The scan did not take the clip (unreadable, or a duplicate of another line's).
            report.problems.append(_unmatched(item))
    return found


def _place(folder: Path, clip: Path, root: Path, digest: str) -> Path:
    """Where CLIP is in FOLDER: the file of its name (or NAME_2...) that has its content
    already (a run killed after the copy), else the first free name, copied there."""
    stem, suffix = sanitize_stem(clip.stem, "clip"), clip.suffix.lower()
    n = 1
    while True:
        candidate = folder / (f"{stem}{suffix}" if n == 1 else f"{stem}_{n}{suffix}")
        if not os.path.lexists(candidate):
            _copy_in(clip, root, candidate)
            return candidate
        with contextlib.suppress(OSError):  # not a file we can read: not ours, next name
            if file_sha256(candidate, folder) == digest:
                return candidate
        n += 1


def _copy_in(source: Path, root: Path, target: Path) -> None:
    """Copy SOURCE (a file of the dataset under ROOT) to TARGET through a temporary: a run
    killed mid-copy leaves a hidden .part file (removed by the next run), never half a clip."""
    tmp = temporary_file(target)
    try:
        with open_file(source, root) as src, tmp.open("wb") as dst:
            shutil.copyfileobj(src, dst, _CHUNK)
            dst.flush()
            os.fsync(dst.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def _apply(
    ws: Workspace,
    matched: list[tuple[ImportedItem, Sample]],
    report: ImportReport,
    dry_run: bool,
) -> None:
    first_line: dict[str, str] = {}
    seen: defaultdict[str, int] = defaultdict(int)
    for item, sample in matched:
        seen[sample.id] += 1
        if seen[sample.id] > 1:
            report.problems.append(
                ImportProblem(
                    where=item.where,
                    message=f"matches {sample.path} again (first at {first_line[sample.id]}); "
                    "kept the first",
                )
            )
            continue
        first_line[sample.id] = item.where
        if load_prompt(ws, sample).text.strip() == item.prompt:
            report.unchanged.append(sample.path)
            continue
        if not dry_run:
            ws.edit(sample.id, "prompt_override", item.prompt)
        report.updated.append(sample.path)
