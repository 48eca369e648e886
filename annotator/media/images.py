"""What a still image is (a user-supplied first or last frame): format and size."""

from __future__ import annotations

import warnings
from pathlib import Path

from PIL import Image, UnidentifiedImageError
from pydantic import BaseModel, ConfigDict

from annotator.media.errors import MediaError, describe_non_media, read_head
from annotator.userfiles import UserFileError, open_file

_EXIF_ORIENTATION = 0x0112


class ImageProbe(BaseModel):
    """One image's header facts. ``format`` is Pillow's name: "JPEG", "PNG", "WEBP", "BMP"...

    ``width``/``height`` are the stored pixel size. ``exif_orientation`` is the EXIF
    Orientation tag (1 = upright; 6 and 8 mean a viewer turns it a quarter turn, so the
    picture it shows is ``height`` wide).
    """

    model_config = ConfigDict(frozen=True)

    format: str
    width: int
    height: int
    mode: str
    exif_orientation: int = 1


def probe_image(path: Path) -> ImageProbe:
    """Read an image's format and size from its header, without decoding its pixels.

    Raises ``MediaError`` for unreadable files, files that are not images, and images so
    large that Pillow refuses them as a decompression bomb.
    """
    path = Path(path)
    head = read_head(path)
    what = describe_non_media(head)
    if what is not None:
        raise MediaError(f"{what}, not an image")
    try:
        with warnings.catch_warnings():
            # Big but allowed images warn; their size is reported and the checks judge it.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            # Pillow reads from the file opened safely, not from the path looked at above.
            with open_file(path) as fh, Image.open(fh) as image:
                fmt = image.format
                width, height = image.size
                mode = image.mode
                orientation = _orientation(image)
    except Image.DecompressionBombError:
        raise MediaError(
            "image is too large to open safely (Pillow refuses it as a decompression bomb)"
        ) from None
    except UnidentifiedImageError:
        raise MediaError("not an image (or an image format that cannot be read)") from None
    except UserFileError as exc:
        raise MediaError(str(exc)) from None
    except PermissionError:
        raise MediaError("file is unreadable: permission denied") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise MediaError(f"image is damaged: {exc}") from None
    if not fmt:
        raise MediaError("not an image (or an image format that cannot be read)")
    return ImageProbe(
        format=fmt, width=width, height=height, mode=mode, exif_orientation=orientation
    )


def _orientation(image: Image.Image) -> int:
    # From the EXIF block the header already gave: ``Image.getexif()`` would decode a
    # PNG's pixels to look for an eXIf chunk after them.
    raw = image.info.get("exif")
    if not raw:
        return 1
    try:
        exif = Image.Exif()
        exif.load(raw if isinstance(raw, bytes) else bytes(raw))
        value = exif.get(_EXIF_ORIENTATION, 1)
    except Exception:  # a broken EXIF block does not make a broken picture
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1
