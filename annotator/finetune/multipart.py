"""A multipart/form-data body streamed from disk, with its length known and bytes counted.

httpx builds multipart bodies itself, but it neither reports progress nor promises a
Content-Length for a file object it cannot measure; a 1 GB zip upload wants both (the
gateway, and the progress bar). This writes the same wire format (RFC 7578).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

Progress = Callable[[int, int], None]  # (bytes sent, bytes in all)
CHUNK = 256 * 1024


@dataclass(frozen=True)
class FilePart:
    """The one file of the form: field name, the name the server sees, the bytes on disk."""

    field: str
    path: Path
    filename: str
    content_type: str = "application/octet-stream"


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


class MultipartBody:
    """Fields then one file; iterate it once to send it, ``headers`` to announce it."""

    def __init__(
        self,
        fields: Sequence[tuple[str, str]],
        file: FilePart,
        progress: Progress | None = None,
    ) -> None:
        self.boundary = secrets.token_hex(16)
        self.file = file
        self.progress = progress
        head = b"".join(self._field(name, value) for name, value in fields)
        disposition = f'form-data; name="{_quote(file.field)}"; filename="{_quote(file.filename)}"'
        head += (
            f"--{self.boundary}\r\nContent-Disposition: {disposition}\r\n"
            f"Content-Type: {file.content_type}\r\n\r\n"
        ).encode()
        self._head = head
        self._tail = f"\r\n--{self.boundary}--\r\n".encode()
        self.file_size = file.path.stat().st_size

    def _field(self, name: str, value: str) -> bytes:
        disposition = f'form-data; name="{_quote(name)}"'
        return (
            f"--{self.boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
            + value.encode("utf-8")
            + b"\r\n"
        )

    @property
    def length(self) -> int:
        return len(self._head) + self.file_size + len(self._tail)

    @property
    def headers(self) -> dict[str, str]:
        return {
            "Content-Type": f"multipart/form-data; boundary={self.boundary}",
            "Content-Length": str(self.length),
        }

    def __iter__(self) -> Iterator[bytes]:
        yield self._head
        sent = 0
        if self.progress:
            self.progress(0, self.file_size)
        with self.file.path.open("rb") as stream:
            while chunk := stream.read(CHUNK):
                yield chunk
                sent += len(chunk)
                if self.progress:
                    self.progress(sent, self.file_size)
        yield self._tail
