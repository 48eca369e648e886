"""probe_image: formats, sizes from the header only, and the files it refuses."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFile

from annotator.media import ImageProbe, MediaError, probe_image
from tests.clips import make_image
from tests.media.helpers import refuse_reading


@pytest.mark.parametrize(
    ("fmt", "suffix"), [("PNG", "png"), ("JPEG", "jpg"), ("WEBP", "webp"), ("BMP", "bmp")]
)
def test_formats_and_sizes(tmp_path: Path, fmt: str, suffix: str) -> None:
    probe = probe_image(make_image(tmp_path / f"a.{suffix}", 321, 123, fmt))
    assert probe == ImageProbe(format=fmt, width=321, height=123, mode="RGB")


def test_format_comes_from_the_bytes_not_the_name(tmp_path: Path) -> None:
    assert probe_image(make_image(tmp_path / "photo.png", 40, 30, "JPEG")).format == "JPEG"


@pytest.fixture
def no_pixel_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self, *args, **kwargs):
        raise AssertionError("probe_image decoded the pixels")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)
    monkeypatch.setattr(Image.Image, "load", refuse)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_huge_image_size_without_loading_pixels(
    tmp_path: Path, fmt: str, request: pytest.FixtureRequest
) -> None:
    path = make_image(tmp_path / f"huge.{fmt.lower()}", 5000, 5000, fmt)
    request.getfixturevalue("no_pixel_decoding")
    probe = probe_image(path)
    assert (probe.format, probe.width, probe.height) == (fmt, 5000, 5000)


def test_decompression_bomb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = make_image(tmp_path / "bomb.png", 3000, 2000, "PNG")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1_000_000)  # refused above 2x this
    with pytest.raises(MediaError, match="too large"):
        probe_image(path)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 4_000_000)  # only a warning: still probed
    assert probe_image(path).width == 3000


def test_exif_orientation(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    Image.new("RGB", (80, 60), (200, 30, 30)).save(buffer, format="JPEG", exif=exif.tobytes())
    path = tmp_path / "phone.jpg"
    path.write_bytes(buffer.getvalue())
    request.getfixturevalue("no_pixel_decoding")
    probe = probe_image(path)
    assert (probe.width, probe.height, probe.exif_orientation) == (80, 60, 6)


def _message(path: Path) -> str:
    with pytest.raises(MediaError) as info:
        probe_image(path)
    assert path.name not in str(info.value)
    return str(info.value)


def test_not_an_image(tmp_path: Path) -> None:
    path = tmp_path / "noise.png"
    path.write_bytes(np.random.default_rng(3).integers(0, 256, 3000, dtype=np.uint8).tobytes())
    assert _message(path).startswith("not an image")


def test_text_file_named_png(tmp_path: Path) -> None:
    path = tmp_path / "readme.png"
    path.write_text("this is a caption, not a picture\n")
    assert _message(path) == "text file, not an image"


def test_zero_byte_and_missing(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jpg"
    empty.touch()
    assert _message(empty) == "zero-byte file"
    assert _message(tmp_path / "gone.jpg") == "file not found"


def test_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = make_image(tmp_path / "locked.png", 10, 10)
    refuse_reading(monkeypatch, path)
    assert _message(path) == "file is unreadable: permission denied"
