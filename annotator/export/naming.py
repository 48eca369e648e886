"""Safe names: the ones export gives files, and the check every archive member must pass."""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath

from annotator.errors import AnnotatorError

# The guide: "文件名建议仅使用英文、数字、下划线或短横线" (letters, digits, _ and -).
# The real format of an image, by Pillow's name, to the extension the zip gives it.
IMAGE_EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "BMP": ".bmp"}
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:")


class UnsafeNameError(AnnotatorError, ValueError):
    """An archive member name that could write outside the folder it is extracted to."""


def number_width(count: int) -> int:
    """Digits of the running number, so names sort in export order (video_01 .. video_12)."""
    return len(str(max(count, 1)))


def numbered(prefix: str, index: int, width: int) -> str:
    """``video_1`` for a small set, ``video_01`` when there are ten or more."""
    return f"{prefix}_{index:0{width}d}"


def sanitize_stem(text: str, fallback: str = "dataset") -> str:
    """An ASCII stem of letters, digits, _ and - (accents dropped, other runs become _)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", ascii_text).strip("_-")
    return stem or fallback


def check_member_name(name: str) -> PurePosixPath:
    """The member's path if it stays inside the folder; ``UnsafeNameError`` otherwise.

    Refuses absolute paths (POSIX, Windows drive or UNC), ``..`` components, empty
    components, NUL bytes and backslashes used as separators (a Windows-made zip would
    extract ``a\\..\\b`` differently on another system).
    """
    if not name or "\x00" in name:
        raise UnsafeNameError(f"{name!r}: empty name or a NUL byte in it")
    if "\\" in name:
        raise UnsafeNameError(f"{name!r}: backslash in the name (a Windows path?)")
    if name.startswith("/") or _WINDOWS_DRIVE.match(name):
        raise UnsafeNameError(f"{name!r}: absolute path")
    parts = name.rstrip("/").split("/")
    if any(part == ".." for part in parts):
        raise UnsafeNameError(f"{name!r}: '..' climbs out of the folder")
    if any(part in ("", ".") for part in parts):
        raise UnsafeNameError(f"{name!r}: empty or '.' path component")
    return PurePosixPath(*parts)
