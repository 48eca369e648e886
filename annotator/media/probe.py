"""What a video clip is: size, duration, frame rate, frame count, rotation, codec, audio."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path
from typing import BinaryIO

import av
import av.error
from av.container import InputContainer
from av.video.stream import VideoStream

from annotator.clipfacts import ClipProbe
from annotator.media.errors import MediaError, describe_non_media, read_head
from annotator.userfiles import UserFileError, open_file

# FFmpeg demuxers that read a single still image: a picture renamed to .mp4 opens with these.
_IMAGE_DEMUXER_SUFFIXES = ("_pipe",)
_IMAGE_DEMUXERS = frozenset({"image2", "image2pipe"})
# Demuxers whose stream frame count comes from the index (the mp4/mov sample table).
_INDEXED_DEMUXERS = ("mov", "mp4")


def clockwise_rotation(ccw_degrees: float) -> int:
    """Turn a display-matrix angle into the clockwise 0/90/180/270 a player applies.

    FFmpeg's ``av_display_rotation_get`` (PyAV: ``VideoFrame.rotation``) gives the angle in
    degrees by which the matrix turns the picture COUNTER-clockwise, in [-180, 180]; a phone
    portrait clip gives -90. Off-axis angles snap to the nearest right angle.
    """
    return round(-ccw_degrees / 90.0) % 4 * 90


def display_matrix_rotation(matrix: tuple[int, ...] | list[int]) -> int:
    """The clockwise 0/90/180/270 rotation of a 3x3 display matrix (9 ints, 16.16 fixed point).

    A pure-Python ``av_display_rotation_get``: for when the raw side data is at hand (the
    36 bytes of a ``DISPLAYMATRIX`` side data, read as nine little-endian int32).
    """
    if len(matrix) != 9:
        raise ValueError("a display matrix has 9 elements")
    scale0 = math.hypot(matrix[0], matrix[3])
    scale1 = math.hypot(matrix[1], matrix[4])
    if scale0 == 0 or scale1 == 0:
        return 0
    # av_display_rotation_get negates this angle to report a counter-clockwise turn.
    ccw = -math.degrees(math.atan2(matrix[1] / scale1, matrix[0] / scale0))
    return clockwise_rotation(ccw)


@contextmanager
def open_video(path: Path) -> Iterator[tuple[InputContainer, VideoStream]]:
    """Open ``path`` for reading its first video stream; every failure is a ``MediaError``."""
    head = read_head(path)
    what = describe_non_media(head)
    if what is not None:
        raise MediaError(f"{what}, not a video")
    with contextlib.ExitStack() as stack:
        # Opened again as read_head does, and handed to PyAV as a file: a path swapped for a
        # pipe since read_head is refused, never opened by name (which would block).
        try:
            handle = stack.enter_context(open_file(path))
        except UserFileError as exc:
            raise MediaError(str(exc)) from None
        except OSError as exc:
            raise MediaError(f"file is unreadable: {(exc.strerror or str(exc)).lower()}") from None
        with _container(handle) as opened:
            yield opened


@contextmanager
def _container(handle: BinaryIO) -> Iterator[tuple[InputContainer, VideoStream]]:
    """The first video stream of the open file HANDLE; every failure is a ``MediaError``."""
    try:
        container = av.open(handle, mode="r")
    except PermissionError:
        raise MediaError("file is unreadable: permission denied") from None
    except av.error.FFmpegError as exc:
        raise MediaError(f"cannot be decoded: {ffmpeg_reason(exc)}") from None
    except OSError as exc:  # pragma: no cover - a read error under FFmpeg
        raise MediaError(f"file is unreadable: {(exc.strerror or str(exc)).lower()}") from None
    try:
        fmt = container.format.name
        if fmt in _IMAGE_DEMUXERS or fmt.endswith(_IMAGE_DEMUXER_SUFFIXES):
            kind = fmt.removesuffix("_pipe").upper()
            raise MediaError(f"an image ({kind}), not a video")
        if not container.streams:
            raise MediaError(
                "cannot be decoded: no streams found (the file is damaged or cut short)"
            )
        if not container.streams.video:
            raise MediaError("not a video file (no video stream)")
        yield container, container.streams.video[0]
    finally:
        container.close()


def ffmpeg_reason(exc: av.error.FFmpegError) -> str:
    """FFmpeg's reason for a failure, without its errno and file name."""
    reason = (getattr(exc, "strerror", None) or str(exc) or type(exc).__name__).strip()
    if reason.startswith("Invalid data found"):
        return "invalid data (the file is damaged or is not a video format FFmpeg reads)"
    return reason[:1].lower() + reason[1:]


def probe_clip(path: Path) -> ClipProbe:
    """Probe one clip: header facts plus its first decoded frame (for rotation and to prove
    that it decodes). Raises ``MediaError`` with a plain reason when it is not a usable video.

    ``frame_count`` comes from the mp4/mov sample table when there is one, otherwise from
    counting the stream's packets (no decoding).
    """
    with open_video(Path(path)) as (container, stream):
        return describe_clip(container, stream, _first_decoded_frame(container, stream))


def describe_clip(
    container: InputContainer, stream: VideoStream, first: av.VideoFrame
) -> ClipProbe:
    """The probe of an open clip whose FIRST frame was decoded by the caller.

    Reads the header and, when the index lacks the count or the length, demuxes the video
    packets (no decoding; the container is left at its end).
    """
    ctx = stream.codec_context
    coded_w, coded_h = ctx.width, ctx.height
    if coded_w <= 0 or coded_h <= 0:
        coded_w, coded_h = first.width, first.height
    rotation = clockwise_rotation(first.rotation) or _rotate_tag(stream)
    frame_count, duration, fps = _timing(container, stream)
    width, height = (coded_h, coded_w) if rotation in (90, 270) else (coded_w, coded_h)
    return ClipProbe(
        duration_s=round(duration, 6),
        width=width,
        height=height,
        coded_width=coded_w,
        coded_height=coded_h,
        rotation=rotation,
        fps=round(fps, 6),
        frame_count=frame_count,
        codec=ctx.name,
        pix_fmt=ctx.pix_fmt or first.format.name,
        has_audio=bool(container.streams.audio),
        container=container.format.name,
    )


def _timing(container: InputContainer, stream: VideoStream) -> tuple[int, float, float]:
    """Frame count, seconds and frames per second, from the index or the packets."""
    frame_count = int(stream.frames or 0)
    indexed = any(name in container.format.name.split(",") for name in _INDEXED_DEMUXERS)
    duration = _stream_duration(stream)
    if frame_count <= 0 or not indexed or duration <= 0:
        packets, packet_span = _scan_packets(container, stream)
        if frame_count <= 0 or not indexed:
            frame_count = packets
        if duration <= 0:
            duration = packet_span
    if duration <= 0 and container.duration:
        duration = container.duration / av.time_base
    fps = _fps(stream)
    if duration <= 0 and fps > 0:
        duration = frame_count / fps
    if fps <= 0 and duration > 0:
        fps = frame_count / duration
    return frame_count, duration, fps


def decode_frames(container: InputContainer, stream: VideoStream) -> Iterator[av.VideoFrame]:
    """The stream's frames from where the container stands, decoded in order.

    Every decode of a clip's pictures goes through here, so that one place says how
    (FFmpeg's own threads) and a FFmpeg failure is a ``MediaError``.
    """
    if not stream.codec_context.is_open:  # settable only before the first decode
        stream.thread_type = "AUTO"
    try:
        yield from container.decode(stream)
    except av.error.FFmpegError as exc:
        raise MediaError(f"cannot be decoded: {ffmpeg_reason(exc)}") from None


def _first_decoded_frame(container: InputContainer, stream: VideoStream) -> av.VideoFrame:
    for frame in decode_frames(container, stream):
        return frame
    raise MediaError("cannot be decoded: the video stream has no frames")


def _rotate_tag(stream: VideoStream) -> int:
    """The legacy ``rotate`` metadata tag (older muxers), clockwise, or 0."""
    raw = stream.metadata.get("rotate")
    if raw is None:
        return 0
    try:
        return round(float(raw) / 90.0) % 4 * 90
    except ValueError:
        return 0


def _scan_packets(container: InputContainer, stream: VideoStream) -> tuple[int, float]:
    """Demux (no decoding) the video packets: how many, and the seconds they span."""
    with contextlib.suppress(av.error.FFmpegError):
        container.seek(0, stream=stream)
    count = 0
    first: int | None = None
    end: int | None = None
    try:
        for packet in container.demux(stream):
            if not packet.size or packet.is_discard:
                continue
            count += 1
            if packet.pts is not None:
                first = packet.pts if first is None else min(first, packet.pts)
                stop = packet.pts + (packet.duration or 0)
                end = stop if end is None else max(end, stop)
    except av.error.FFmpegError as exc:
        raise MediaError(f"cannot be decoded: {ffmpeg_reason(exc)}") from None
    if first is None or end is None or not stream.time_base:
        return count, 0.0
    return count, float((end - first) * Fraction(stream.time_base))


def _fps(stream: VideoStream) -> float:
    for rate in (stream.average_rate, stream.guessed_rate, stream.base_rate):
        if rate and rate > 0:
            return float(rate)
    return 0.0


def _stream_duration(stream: VideoStream) -> float:
    if stream.duration and stream.time_base:
        return float(stream.duration * Fraction(stream.time_base))
    return 0.0
