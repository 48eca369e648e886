"""Render a clip edit with PyAV: H.264 yuv420p MP4, even dimensions, the source's frame rate,
the audio dropped or re-encoded as AAC (issue 13). No system ffmpeg.

The rendered file is named by the source's hash and the edit's key, so a render that
exists is the render of that very edit and is reused. It is written to a temporary file
beside it and renamed when complete: a render killed half way (even by SIGKILL) leaves
only a temporary file that is never read, never a cut-short clip under the final name.
"""

from __future__ import annotations

import contextlib
import glob
import math
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import av.error
import numpy as np
from av.audio.stream import AudioStream
from av.container import InputContainer, OutputContainer
from av.video.stream import VideoStream

from annotator.media.edits import ClipEdit, Crop, clamped_crop, even, scaled_size
from annotator.media.errors import MediaError
from annotator.media.probe import clockwise_rotation, decode_frames, ffmpeg_reason, open_video

# Quality of the rendered clip: it is what the model trains on, so nearly transparent.
_CRF = "18"
_PRESET = "fast"
_AUDIO_RATE = 48000
_AUDIO_FRAME = 1024  # AAC frame size in samples
# Beyond this start, seek to it instead of decoding the clip from its first frame.
_SEEK_AFTER_S = 1.0
SOURCE_PREFIX = 16  # characters of the source's sha256 in a rendered file's name
# A temporary file this old is a killed render's: a render of one short clip takes seconds.
STALE_PART_S = 3600.0


def rendered_name(source_sha256: str, edit: ClipEdit) -> str:
    """The file name of SOURCE's render of EDIT: ``<source-hash-prefix>-<edit_key>.mp4``."""
    return f"{source_sha256[:SOURCE_PREFIX]}-{edit.key}.mp4"


def render_cached(source: Path, source_sha256: str, edit: ClipEdit, media_dir: Path) -> Path:
    """The render of EDIT of SOURCE under MEDIA_DIR: the one there is, or a new one.

    Raises ``MediaError`` when the source cannot be read or the edit keeps no frame.
    """
    dest = Path(media_dir) / rendered_name(source_sha256, edit)
    if dest.is_file():
        return dest
    drop_stale_parts(dest)
    return render_clip(source, edit, dest)


def drop_stale_parts(dest: Path, older_than_s: float = STALE_PART_S) -> int:
    """Remove the temporary files that renders of DEST killed half way left behind (older
    than OLDER_THAN_S: a render running now keeps its own); how many went."""
    now, dropped = time.time(), 0
    for part in Path(dest).parent.glob(f".{glob.escape(Path(dest).stem)}.*.part"):
        with contextlib.suppress(OSError):
            if now - part.stat().st_mtime > older_than_s:
                part.unlink()
                dropped += 1
    return dropped


def render_clip(source: Path, edit: ClipEdit, dest: Path) -> Path:
    """Render EDIT of the clip SOURCE into DEST (an .mp4), atomically; returns DEST."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.stem}.", suffix=".part", dir=dest.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        with open_video(Path(source)) as (container, stream):
            first_time = _write(container, stream, edit, tmp)
        if first_time is None:
            raise MediaError("the edit keeps no frame of the clip (is the trim inside it?)")
        _sync(tmp)
        tmp.chmod(0o644)
        tmp.replace(dest)
    except av.error.FFmpegError as exc:
        tmp.unlink(missing_ok=True)
        raise MediaError(f"cannot be rendered: {ffmpeg_reason(exc)}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return dest


@dataclass(frozen=True)
class _Geometry:
    """How each decoded picture becomes an output picture, on its YUV 4:2:0 planes: no
    round trip through RGB (the source's pixel values and colours are kept as they are)."""

    turn: int  # quarter turns clockwise to the display orientation
    crop: Crop | None  # on even coordinates and sizes (4:2:0 chroma is per 2x2 pixels)
    size: tuple[int, int]  # output width, height (even)
    resize: bool  # False: the size is the crop's

    def apply(self, frame: av.VideoFrame) -> av.VideoFrame:
        """FRAME turned, cropped and scaled, as a new yuv420p frame."""
        planes = _planes(frame)
        if self.turn:
            planes = [np.rot90(plane, k=-self.turn) for plane in planes]
        width, height = planes[0].shape[1], planes[0].shape[0]
        c = self.crop or Crop(x=0, y=0, w=even(width), h=even(height))
        planes = [
            planes[0][c.y : c.y + c.h, c.x : c.x + c.w],
            *(p[c.y // 2 : (c.y + c.h) // 2, c.x // 2 : (c.x + c.w) // 2] for p in planes[1:]),
        ]
        stacked = np.concatenate([np.ascontiguousarray(p).ravel() for p in planes])
        picture = av.VideoFrame.from_ndarray(stacked.reshape(c.h * 3 // 2, c.w), "yuv420p")
        if self.resize:
            picture = picture.reformat(
                width=self.size[0], height=self.size[1], interpolation="LANCZOS"
            )
        return picture


def _planes(frame: av.VideoFrame) -> list[np.ndarray]:
    """The Y, U and V planes of FRAME in 4:2:0 (converted when it is another format)."""
    if frame.format.name != "yuv420p":
        frame = frame.reformat(format="yuv420p")
    planes = []
    for index, plane in enumerate(frame.planes):
        w = frame.width if index == 0 else (frame.width + 1) // 2
        h = frame.height if index == 0 else (frame.height + 1) // 2
        rows = np.frombuffer(memoryview(plane), dtype=np.uint8).reshape(-1, plane.line_size)
        planes.append(rows[:h, :w])
    return planes


def _geometry(edit: ClipEdit, frame: av.VideoFrame) -> _Geometry:
    turn = clockwise_rotation(frame.rotation) // 90
    width, height = (frame.height, frame.width) if turn % 2 else (frame.width, frame.height)
    crop = clamped_crop(edit.crop, width, height)
    if crop is not None:  # on the 2x2 grid of the chroma planes
        x, y = crop.x - crop.x % 2, crop.y - crop.y % 2
        crop = Crop(
            x=x, y=y, w=min(even(crop.w), even(width - x)), h=min(even(crop.h), even(height - y))
        )
    w, h = (crop.w, crop.h) if crop is not None else (even(width), even(height))
    scaled = scaled_size(edit.scale, w, h) if edit.scale is not None else (w, h)
    size = (even(scaled[0]), even(scaled[1]))
    return _Geometry(turn=turn, crop=crop, size=size, resize=size != (w, h))


def _rate(stream: VideoStream) -> Fraction:
    for rate in (stream.average_rate, stream.guessed_rate, stream.base_rate):
        if rate and rate > 0:
            return Fraction(rate).limit_denominator(1001 * 1000)
    return Fraction(25)


def _write(
    container: InputContainer, stream: VideoStream, edit: ClipEdit, dest: Path
) -> float | None:
    """Encode the kept frames (and the audio) into DEST; the time of the first kept frame."""
    rate = _rate(stream)
    half_frame = 0.5 / float(rate)
    start, end = edit.start_s or 0.0, edit.end_s
    keep_audio = not edit.drop_audio and bool(container.streams.audio)
    layout = _layout(container) if keep_audio else "mono"
    with av.open(str(dest), mode="w", format="mp4") as out:
        video: VideoStream | None = None
        audio: AudioStream | None = None
        geometry: _Geometry | None = None
        first_time: float | None = None
        count = 0
        for frame, t in _frames_from(container, stream, start):
            if t < start - half_frame:
                continue
            if end is not None and t >= end - half_frame:
                break
            if video is None:
                geometry = _geometry(edit, frame)
                video = _video_stream(out, rate, *geometry.size, like=stream)
                # Every stream is added before the first packet: the header names them all.
                if keep_audio:
                    audio = out.add_stream("aac", rate=_AUDIO_RATE, layout=layout)
                first_time = t
            assert geometry is not None
            picture = geometry.apply(frame)
            picture.pts, picture.time_base = count, 1 / rate
            out.mux(video.encode(picture))
            count += 1
        if video is None or first_time is None:
            return None
        out.mux(video.encode(None))
        if audio is not None:
            samples = _decoded_audio(container, layout, first_time, count / float(rate))
            _encode_audio(out, audio, samples, layout)
    return first_time


def _frames_from(
    container: InputContainer, stream: VideoStream, start: float
) -> Iterator[tuple[av.VideoFrame, float]]:
    """The decoded frames with their time in seconds from the stream's start; from a seek
    near START when it is far in (the caller drops the frames before it)."""
    origin = stream.start_time or 0
    base = Fraction(stream.time_base) if stream.time_base else Fraction(1, 90000)
    if start > _SEEK_AFTER_S:
        with contextlib.suppress(av.error.FFmpegError):
            container.seek(origin + int(start / base), stream=stream, backward=True)
    for index, frame in enumerate(decode_frames(container, stream)):
        if frame.pts is None:
            yield frame, index / float(_rate(stream))
        else:
            yield frame, float((frame.pts - origin) * base)


def _video_stream(
    out: OutputContainer, rate: Fraction, width: int, height: int, *, like: VideoStream
) -> VideoStream:
    video = out.add_stream("libx264", rate=rate, options={"crf": _CRF, "preset": _PRESET})
    video.width, video.height, video.pix_fmt = width, height, "yuv420p"
    # The pixels are the source's: so are their colour space, primaries, curve and range.
    source, ctx = like.codec_context, video.codec_context
    for name in ("colorspace", "color_primaries", "color_trc", "color_range"):
        value = getattr(source, name, None)
        if value:
            setattr(ctx, name, value)
    return video


def _layout(container: InputContainer) -> str:
    """The output's channel layout for the source's first audio track: mono or stereo."""
    channels = container.streams.audio[0].codec_context.channels or 1
    return "stereo" if channels >= 2 else "mono"


def _decoded_audio(
    container: InputContainer, layout: str, start: float, seconds: float
) -> np.ndarray:
    """The source's first audio track between START and START + SECONDS of the video's
    timeline, as float32 (channels, samples) at 48 kHz; silence where it has no sound."""
    source = container.streams.audio[0]
    channels = 2 if layout == "stereo" else 1
    total = max(1, math.ceil(seconds * _AUDIO_RATE))
    result = np.zeros((channels, total), dtype=np.float32)
    resampler = av.AudioResampler(format="fltp", layout=layout, rate=_AUDIO_RATE)
    origin = (
        float((source.start_time or 0) * Fraction(source.time_base)) if source.time_base else 0.0
    )
    with contextlib.suppress(av.error.FFmpegError):
        container.seek(0)
    position: int | None = None  # index in the source's resampled timeline of the next sample
    try:
        stop = round(start * _AUDIO_RATE) + total  # past the kept span: no more decoding
        for frame in container.decode(source):
            for chunk in resampler.resample(frame):
                position = _place(result, chunk, position, origin, start)
            if position is not None and position >= stop:
                return result
        for chunk in resampler.resample(None):
            position = _place(result, chunk, position, origin, start)
    except av.error.FFmpegError:
        pass  # a damaged audio track: keep what decoded, silence after it
    return result


def _place(
    result: np.ndarray, chunk: av.AudioFrame, position: int | None, origin: float, start: float
) -> int:
    """Copy the part of CHUNK inside the kept span into RESULT; the next sample's index."""
    data = chunk.to_ndarray().astype(np.float32)
    if position is None:
        t0 = float(chunk.time) - origin if chunk.time is not None else 0.0
        position = round(t0 * _AUDIO_RATE)
    offset = position - round(start * _AUDIO_RATE)  # where CHUNK's first sample lands
    lo, hi = max(0, offset), min(result.shape[1], offset + data.shape[1])
    if hi > lo:
        result[:, lo:hi] = data[: result.shape[0], lo - offset : hi - offset]
    return position + int(data.shape[1])


def _encode_audio(
    out: OutputContainer, stream: AudioStream, samples: np.ndarray, layout: str
) -> None:
    total = samples.shape[1]
    for begin in range(0, total, _AUDIO_FRAME):
        chunk = np.ascontiguousarray(samples[:, begin : begin + _AUDIO_FRAME])
        frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout=layout)
        frame.sample_rate = _AUDIO_RATE
        frame.pts, frame.time_base = begin, Fraction(1, _AUDIO_RATE)
        out.mux(stream.encode(frame))
    out.mux(stream.encode(None))


def _sync(path: Path) -> None:
    """Flush PATH to the disk before it is renamed into place."""
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())
