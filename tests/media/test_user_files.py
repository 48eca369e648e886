"""Opening a file a person gave us: regular files only, no link out of the folder, no hang."""

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path

import pytest

from annotator.media import MediaError, probe_clip, probe_image
from annotator.media.errors import read_head
from annotator.userfiles import UserFileError, check_file, open_file, read_bytes
from tests.clips import make_clip, make_image
from tests.media.helpers import make_fifo, without_blocking


def test_a_named_pipe_is_refused_by_every_media_reader(tmp_path: Path) -> None:
    fifo = make_fifo(tmp_path / "clip.mp4")
    for reader in (read_head, probe_clip, probe_image):
        with pytest.raises(MediaError, match=r"^a named pipe \(FIFO\), not a regular file$"):
            without_blocking([fifo], lambda reader=reader: reader(fifo))


def test_a_socket_and_a_folder_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "clip.mp4"
    folder.mkdir()
    with pytest.raises(MediaError, match="is a folder, not a file"):
        read_head(folder)
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(tmp_path / "s.mp4"))
        with pytest.raises(MediaError, match="a socket, not a regular file"):
            read_head(tmp_path / "s.mp4")


def test_a_device_is_refused_without_reading_it(tmp_path: Path) -> None:
    link = tmp_path / "zero.mp4"
    link.symlink_to("/dev/zero")  # reading it would never end
    with pytest.raises(UserFileError, match="a character device, not a regular file"):
        read_bytes(link)


def test_links_may_not_lead_out_of_the_folder(tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("hostname\n")
    folder = tmp_path / "dataset"
    (folder / "sub").mkdir(parents=True)
    (folder / "caption.txt").symlink_to(outside)
    (folder / "inner.txt").write_text("inside\n")
    (folder / "sub" / "link.txt").symlink_to(folder / "inner.txt")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "x.txt").write_text("x")
    (folder / "dirlink").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(UserFileError, match="a symbolic link that leads out of the folder"):
        read_bytes(folder / "caption.txt", folder)
    with pytest.raises(UserFileError, match="leads out of the folder"):
        read_bytes(folder / "dirlink" / "x.txt", folder)  # a linked folder on the way
    assert read_bytes(folder / "sub" / "link.txt", folder) == b"inside\n"  # stays inside
    assert read_bytes(folder / "caption.txt") == b"hostname\n"  # no folder given: any link


def test_missing_and_looping_paths_keep_the_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        check_file(tmp_path / "none.mp4")
    (tmp_path / "self.mp4").symlink_to(tmp_path / "self.mp4")
    with pytest.raises(OSError) as loop:
        check_file(tmp_path / "self.mp4")
    assert loop.value.errno == errno.ELOOP


def test_regular_files_open_and_read_as_before(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "a.mp4", seconds=0.5)
    image = make_image(tmp_path / "a.png", 32, 24)
    assert probe_clip(clip).width == 160
    assert probe_image(image).width == 32
    with open_file(clip) as fh:
        assert fh.read(8)[4:8] == b"ftyp"


def test_a_file_swapped_for_a_pipe_after_the_look_is_still_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"data")
    real_open = os.open

    def swap_then_open(target: str | Path, flags: int, *args: int) -> int:
        # Between the look (stat) and the open, someone puts a named pipe in its place.
        # (made beside and renamed over it, so it cannot reuse the file's inode number).
        if Path(target) == path and not path.is_fifo():
            os.mkfifo(tmp_path / "pipe")
            os.replace(tmp_path / "pipe", path)
        return real_open(target, flags, *args)

    monkeypatch.setattr(os, "open", swap_then_open)
    with pytest.raises(UserFileError, match="changed while it was being opened"):
        without_blocking([path], lambda: read_bytes(path))
