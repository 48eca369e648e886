"""What a clip is, as every layer sees it: its probe facts and the black bars on its pictures.

Plain pydantic models and nothing else: the media layer measures them, the store keeps
them (JSON at its edge only), the checks, the export and the views read their fields.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ClipProbe(BaseModel):
    """The facts about one clip that the dataset rules look at.

    ``width``/``height`` are the DISPLAY size (after rotation); ``coded_width``/
    ``coded_height`` are the size of the pictures as stored. ``rotation`` is the clockwise
    angle (0, 90, 180 or 270) a player turns the stored pictures by to show them, the
    convention of the old ``rotate`` tag (a phone's portrait clip has 90).
    ``container`` is FFmpeg's demuxer name: ``"mov,mp4,m4a,3gp,3g2,mj2"`` for both MP4
    and MOV, ``"matroska,webm"``, ``"avi"``, ...
    """

    model_config = ConfigDict(frozen=True)

    duration_s: float
    width: int
    height: int
    coded_width: int
    coded_height: int
    rotation: int
    fps: float
    frame_count: int
    codec: str
    pix_fmt: str
    has_audio: bool
    container: str

    @property
    def pixels(self) -> int:
        """Width times height of one frame."""
        return self.width * self.height


class Borders(BaseModel):
    """Sizes in pixels of the black bars at each edge (0 where there is none)."""

    model_config = ConfigDict(frozen=True)

    top: int = 0
    bottom: int = 0
    left: int = 0
    right: int = 0

    @property
    def letterbox(self) -> bool:
        """Bars above and/or below the picture."""
        return self.top > 0 or self.bottom > 0

    @property
    def pillarbox(self) -> bool:
        """Bars left and/or right of the picture."""
        return self.left > 0 or self.right > 0

    def crop_box(self, width: int, height: int) -> tuple[int, int, int, int]:
        """The (left, upper, right, lower) box of the picture inside the bars, for Pillow."""
        return (self.left, self.top, width - self.right, height - self.bottom)


class ClipFacts(ClipProbe):
    """What a scan keeps about a clip: its probe and the black bars found on frames across it
    (None when there are none)."""

    black_borders: Borders | None = None
