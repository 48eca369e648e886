"""Writing a dataset zip: media stored as they are, data.jsonl deflated, reproducible bytes."""

from __future__ import annotations

import os
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

from annotator.export.naming import check_member_name
from annotator.userfiles import open_file

# Every member gets this date: the same inputs then give the same zip, byte for byte.
_EPOCH = (1980, 1, 1, 0, 0, 0)
_CHUNK = 1 << 20
# Header bytes per member, upper bound: local header (30) + zip64 extra (20) + data
# descriptor (24) + central directory entry (46) + zip64 extra (28); the name counts twice.
_PER_MEMBER = 30 + 20 + 24 + 46 + 28
_END_RECORDS = 22 + 56 + 20  # end of central directory, zip64 end record and its locator


@dataclass(frozen=True)
class ZipMember:
    """One file in the zip: a file on disk (stored) or bytes made by export (deflated)."""

    name: str
    source: Path | None = None
    data: bytes | None = None

    @property
    def size(self) -> int:
        if self.data is not None:
            return len(self.data)
        assert self.source is not None
        return self.source.stat().st_size


def estimated_size(members: list[ZipMember]) -> int:
    """An upper bound of the zip's size, known before writing it."""
    total = _END_RECORDS
    for m in members:
        body = m.size
        if m.data is not None:
            body += body // 100 + 64  # deflate never grows data by more than this
        total += _PER_MEMBER + 2 * len(m.name.encode()) + body
    return total


def write_zip(path: Path, members: list[ZipMember]) -> None:
    """Write MEMBERS to PATH; media with ZIP_STORED (no recompression), the rest deflated."""
    with zipfile.ZipFile(path, "w", allowZip64=True) as zf:
        for member in members:
            check_member_name(member.name)  # export's own names, checked like any archive's
            info = zipfile.ZipInfo(member.name, date_time=_EPOCH)
            info.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
            if member.data is not None:
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, member.data)
                continue
            assert member.source is not None
            info.compress_type = zipfile.ZIP_STORED
            info.file_size = member.size
            with (
                open_file(member.source) as src,  # a workspace file: a regular one only
                zf.open(info, "w", force_zip64=info.file_size > zipfile.ZIP64_LIMIT) as dst,
            ):
                shutil.copyfileobj(src, dst, _CHUNK)
    with path.open("rb+") as f:
        os.fsync(f.fileno())
