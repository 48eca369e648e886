"""Pictures out of a clip: the exact first and last frames, evenly spaced samples, PNG saving.

Every picture is an RGB ``PIL.Image.Image`` turned the way a player shows it (the clip's
display rotation applied).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import av.error
from av.container import InputContainer
from av.video.stream import VideoStream
from PIL import Image

from annotator.media.errors import MediaError
from annotator.media.probe import clockwise_rotation, decode_frames, ffmpeg_reason, open_video

_TRANSPOSE_CLOCKWISE = {
    90: Image.Transpose.ROTATE_270,  # Pillow's ROTATE_n turn counter-clockwise
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_90,
}


def to_display_image(frame: av.VideoFrame) -> Image.Image:
    """A decoded frame as an RGB image, turned by its display rotation."""
    # PyAV's stubs leave to_image untyped; it returns a Pillow image.
    image: Image.Image = frame.to_image()  # type: ignore[no-untyped-call]
    if image.mode != "RGB":
        image = image.convert("RGB")
    turn = _TRANSPOSE_CLOCKWISE.get(clockwise_rotation(frame.rotation))
    return image.transpose(turn) if turn is not None else image


def first_frame(path: Path) -> Image.Image:
    """The first decoded frame of the clip."""
    with open_video(Path(path)) as (container, stream):
        for frame in decode_frames(container, stream):
            return to_display_image(frame)
    raise MediaError("cannot be decoded: the video stream has no frames")


def last_frame(path: Path) -> Image.Image:
    """The last decoded frame of the clip.

    Seeks to the last keyframe and decodes to the end, keeping the final frame; if the seek
    fails or yields nothing, decodes the whole clip from the start.
    """
    path = Path(path)
    with open_video(path) as (container, stream):
        last = _last_after_seek(container, stream)
        if last is None:
            with contextlib.suppress(av.error.FFmpegError):
                container.seek(0, stream=stream)
            for frame in decode_frames(container, stream):
                last = frame
        if last is None:
            raise MediaError("cannot be decoded: the video stream has no frames")
        return to_display_image(last)


def _last_after_seek(container: InputContainer, stream: VideoStream) -> av.VideoFrame | None:
    last = None
    try:
        for frame in _tail_frames(container, stream):
            last = frame
    except (av.error.FFmpegError, MediaError):
        return None
    return last


def _tail_frames(container: InputContainer, stream: VideoStream) -> Iterator[av.VideoFrame]:
    """The frames from the last keyframe to the end (nothing when the length is unknown)."""
    if not stream.duration or not stream.time_base:
        return
    end = (stream.start_time or 0) + stream.duration
    container.seek(end, stream=stream, backward=True, any_frame=False)
    yield from decode_frames(container, stream)


def sample_frames(path: Path, count: int) -> list[Image.Image]:
    """``count`` frames evenly spaced over the clip, the first and the last frame included.

    Decodes the clip once, in order, keeping only the chosen frames. ``count == 1`` gives the
    first frame; a clip with fewer than ``count`` frames gives all of its frames.
    """
    with open_video(Path(path)) as (container, stream):
        return decode_spaced(container, stream, count).picked


@dataclass(frozen=True)
class DecodedRun:
    """One decode of a whole clip, in order: the frames picked on the way, the first frame as
    decoded (what a probe reads) and the last frame's picture."""

    first: av.VideoFrame
    picked: list[Image.Image]
    last_image: Image.Image


def decode_spaced(container: InputContainer, stream: VideoStream, count: int) -> DecodedRun:
    """Decode an open clip from its start to its end, keeping ``count`` evenly spaced frames
    (see ``sample_frames``) as pictures, and its first and last frames."""
    if count < 1:
        raise ValueError("count must be at least 1")
    total = _frame_total(container, stream)
    if total <= 0:
        raise MediaError("cannot be decoded: the video stream has no frames")
    wanted = _evenly_spaced(total, count)
    picked: list[tuple[int, Image.Image]] = []
    first: av.VideoFrame | None = None
    last: av.VideoFrame | None = None
    index = -1
    for index, frame in enumerate(decode_frames(container, stream)):
        first = frame if first is None else first
        last = frame
        while len(picked) < len(wanted) and wanted[len(picked)] == index:
            picked.append((index, to_display_image(frame)))
    if first is None or last is None:
        raise MediaError("cannot be decoded: the video stream has no frames")
    # The index promised more frames than decoded: the missing tail is the last frame.
    if len(picked) < len(wanted) and (not picked or picked[-1][0] != index):
        picked.append((index, to_display_image(last)))
    last_image = picked[-1][1] if picked and picked[-1][0] == index else to_display_image(last)
    return DecodedRun(first=first, picked=[image for _, image in picked], last_image=last_image)


def _frame_total(container: InputContainer, stream: VideoStream) -> int:
    total = int(stream.frames or 0)
    if total > 0:
        return total
    count = 0
    try:
        for packet in container.demux(stream):
            if packet.size and not packet.is_discard:
                count += 1
        container.seek(0, stream=stream)
    except av.error.FFmpegError as exc:
        raise MediaError(f"cannot be decoded: {ffmpeg_reason(exc)}") from None
    return count


def _evenly_spaced(total: int, count: int) -> list[int]:
    if count >= total:
        return list(range(total))
    if count == 1:
        return [0]
    return [round(i * (total - 1) / (count - 1)) for i in range(count)]


def save_png(image: Image.Image, dest: Path) -> Path:
    """Write ``image`` as PNG at ``dest`` atomically (a temporary file, then ``os.replace``)."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            image.save(fh, format="PNG")
            fh.flush()
            os.fsync(fh.fileno())
        tmp.chmod(0o644)  # mkstemp makes 0600; a saved frame is an ordinary file
        tmp.replace(dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return dest
