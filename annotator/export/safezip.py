"""Opening a zip someone else made: every member is checked before one byte is extracted.

Refused: absolute paths, ``..``, symlinks, duplicate names, encrypted members, too many
members, and zip bombs: a total size past the limit, or a compression ratio past the
limit for one big member or for the whole zip (many small members of zeros, each under
the size where one member's ratio counts, add up to a bomb too). These are checked on the
sizes the zip declares, before one byte is written; while extracting, the bytes are
counted again, member by member and in total, since headers can lie. Extraction goes only
into a folder that the caller owns, never through ``ZipFile.extractall``.
"""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from annotator.errors import AnnotatorError
from annotator.export.naming import UnsafeNameError, check_member_name

_CHUNK = 1 << 20


class ZipLimits(BaseModel):
    """How much a zip may unpack to; the defaults fit a 1 GB dataset with room to spare."""

    model_config = ConfigDict(frozen=True)

    max_total_bytes: int = 2 * 1024**3
    max_members: int = 10_000
    max_ratio: float = 100.0  # media are stored, text deflates ~5x; a bomb is 1000x and more
    ratio_floor_bytes: int = 1 << 20  # tiny members may compress well; only big ones count


class UnsafeZipError(AnnotatorError, ValueError):
    """The zip is refused; the message says which member and why."""


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def check_zip(zf: zipfile.ZipFile, limits: ZipLimits) -> list[zipfile.ZipInfo]:
    """The zip's file members, after every safety check; ``UnsafeZipError`` on the first."""
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        raise UnsafeZipError(f"{len(infos)} members, more than the {limits.max_members} allowed")
    seen: set[str] = set()
    total = 0
    files = []
    for info in infos:
        try:
            path = check_member_name(info.filename)
        except UnsafeNameError as exc:
            raise UnsafeZipError(f"unsafe member name {exc}") from None
        key = path.as_posix()
        # Case folded: on a case-insensitive disk A.mp4 and a.mp4 would overwrite each other.
        if key.casefold() in seen:
            raise UnsafeZipError(f"{key!r} appears twice in the zip")
        seen.add(key.casefold())
        if _is_symlink(info):
            raise UnsafeZipError(f"{key!r} is a symbolic link")
        if info.flag_bits & 0x1:
            raise UnsafeZipError(f"{key!r} is encrypted")
        if info.is_dir():
            continue
        total += info.file_size
        if total > limits.max_total_bytes:
            raise UnsafeZipError(
                f"unpacks to more than {limits.max_total_bytes:,} bytes (a zip bomb?)"
            )
        if info.file_size > limits.ratio_floor_bytes and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            raise UnsafeZipError(
                f"{key!r} expands {info.file_size / max(info.compress_size, 1):,.0f} times "
                "(a zip bomb?)"
            )
        files.append(info)
    packed = sum(info.compress_size for info in files)
    if total > limits.ratio_floor_bytes and total > limits.max_ratio * max(packed, 1):
        raise UnsafeZipError(
            f"its {len(files)} files expand {total / max(packed, 1):,.0f} times, "
            f"to {total:,} bytes (a zip bomb?)"
        )
    return files


def extract_safely(source: Path, dest: Path, limits: ZipLimits | None = None) -> list[str]:
    """Check SOURCE, then extract its files into DEST (which must exist); their names."""
    limits = limits or ZipLimits()
    root = dest.resolve()
    try:
        zf = zipfile.ZipFile(source)
    except zipfile.BadZipFile as exc:
        raise UnsafeZipError(f"{source.name} is not a readable zip: {exc}") from None
    with zf:
        names = []
        budget = _Budget(limits.max_total_bytes)
        for info in check_zip(zf, limits):
            target = (root / info.filename).resolve()
            if not target.is_relative_to(root):  # belt and braces after the name check
                raise UnsafeZipError(f"{info.filename!r} would land outside the folder")
            target.parent.mkdir(parents=True, exist_ok=True)
            _copy_member(zf, info, target, budget)
            names.append(check_member_name(info.filename).as_posix())
    return names


class _Budget:
    """The bytes extraction may still write, counted as they are written."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.left = limit

    def spend(self, n: int) -> None:
        self.left -= n
        if self.left < 0:
            raise UnsafeZipError(f"unpacks to more than {self.limit:,} bytes (a zip bomb?)")


def _copy_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, budget: _Budget) -> None:
    written = 0
    try:
        with zf.open(info) as src, target.open("xb") as dst:
            while chunk := src.read(_CHUNK):
                written += len(chunk)
                if written > info.file_size:
                    raise UnsafeZipError(f"{info.filename!r} holds more than it declares")
                budget.spend(len(chunk))
                dst.write(chunk)
    except zipfile.BadZipFile as exc:
        raise UnsafeZipError(f"{info.filename!r} is damaged: {exc}") from None
