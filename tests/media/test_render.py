"""Issue 13 item 1: a clip edit rendered with PyAV (H.264 MP4, even sizes, the source's rate),
cached by source and edit, written atomically; the source never changes."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.media import MediaError, analyse_clip, probe_clip
from annotator.media.edits import ClipEdit, Crop, Scale, output_duration, output_size
from annotator.media.flatstart import first_real_frame_s
from annotator.media.render import drop_stale_parts, render_cached, render_clip, rendered_name
from tests.clips import make_black_start_clip, make_clip

MP4 = "mov,mp4,m4a,3gp,3g2,mj2"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_trim_keeps_the_frames_between_start_and_end_with_the_audio(tmp_path: Path) -> None:
    source = make_clip(tmp_path / "long.mp4", seconds=8.0, audio=True)
    before = _sha(source)
    edit = ClipEdit(start_s=1.0, end_s=6.0)
    out = render_clip(source, edit, tmp_path / "out.mp4")
    probe = probe_clip(out)
    assert probe.duration_s == pytest.approx(5.0, abs=0.13)
    assert probe.frame_count == 40
    assert (probe.width, probe.height, probe.fps) == (160, 120, 8.0)
    assert (probe.codec, probe.pix_fmt, probe.container) == ("h264", "yuv420p", MP4)
    assert probe.has_audio
    assert _sha(source) == before


def test_a_crop_takes_the_bars_away(tmp_path: Path) -> None:
    source = make_clip(tmp_path / "bars.mp4", black_bars=(16, 16))
    assert analyse_clip(source).facts.black_borders is not None
    out = render_clip(source, ClipEdit(crop=Crop(x=0, y=16, w=160, h=88)), tmp_path / "c.mp4")
    facts = analyse_clip(out).facts
    assert (facts.width, facts.height) == (160, 88)
    assert facts.black_borders is None


def test_an_odd_crop_is_made_even(tmp_path: Path) -> None:
    source = make_clip(tmp_path / "a.mp4", seconds=1.0)
    edit = ClipEdit(crop=Crop(x=1, y=1, w=101, h=77))
    out = render_clip(source, edit, tmp_path / "c.mp4")
    probe = probe_clip(out)
    assert (probe.width, probe.height) == (100, 76) == output_size(edit, 160, 120)


def test_scale_down_to_a_max_side_and_to_a_size(tmp_path: Path) -> None:
    source = make_clip(tmp_path / "a.mp4", seconds=1.0)
    out = render_clip(source, ClipEdit(scale=Scale(max_side=80)), tmp_path / "s.mp4")
    assert (probe_clip(out).width, probe_clip(out).height) == (80, 60)
    out = render_clip(source, ClipEdit(scale=Scale(width=64, height=64)), tmp_path / "t.mp4")
    assert (probe_clip(out).width, probe_clip(out).height) == (64, 64)
    # Never up: a max side above the clip's keeps its size.
    assert output_size(ClipEdit(scale=Scale(max_side=4096)), 160, 120) == (160, 120)


def test_drop_audio_and_convert_a_matroska_clip(tmp_path: Path) -> None:
    source = make_clip(tmp_path / "a.mkv", seconds=2.0, audio=True)
    assert probe_clip(source).container == "matroska,webm"
    out = render_clip(source, ClipEdit(convert=True, drop_audio=True), tmp_path / "a.mp4")
    probe = probe_clip(out)
    assert probe.container == MP4 and probe.codec == "h264"
    assert not probe.has_audio
    assert probe.duration_s == pytest.approx(2.0, abs=0.13)


def test_a_rotated_clip_is_rendered_upright(tmp_path: Path) -> None:
    source = make_clip(tmp_path / "phone.mp4", seconds=1.0, rotation=90)
    assert (probe_clip(source).width, probe_clip(source).height) == (120, 160)
    out = render_clip(source, ClipEdit(convert=True), tmp_path / "r.mp4")
    probe = probe_clip(out)
    assert (probe.width, probe.height, probe.rotation) == (120, 160, 0)


def test_a_trim_outside_the_clip_is_a_media_error(tmp_path: Path) -> None:
    source = make_clip(tmp_path / "a.mp4", seconds=1.0)
    with pytest.raises(MediaError, match="keeps no frame"):
        render_clip(source, ClipEdit(start_s=5.0, end_s=6.0), tmp_path / "x.mp4")
    assert not (tmp_path / "x.mp4").exists()
    assert not list(tmp_path.glob(".*.part"))


def test_a_render_is_reused_and_a_leftover_partial_file_is_not(tmp_path: Path) -> None:
    source = make_clip(tmp_path / "a.mp4", seconds=2.0)
    sid = _sha(source)
    edit = ClipEdit(end_s=1.0)
    media = tmp_path / ".annotator" / "media"
    media.mkdir(parents=True)
    # What a render killed half way leaves: a temporary file beside the final name.
    final = media / rendered_name(sid, edit)
    leftover = media / f".{final.stem}.abc123.part"
    leftover.write_bytes(b"\x00\x00\x00\x18ftypisom cut short")
    out = render_cached(source, sid, edit, media)
    assert out == final and out.name == f"{sid[:16]}-{edit.key}.mp4"
    assert probe_clip(out).duration_s == pytest.approx(1.0, abs=0.13)
    assert leftover.exists()  # fresh: perhaps another render's, running now
    os.utime(leftover, (1_000_000_000, 1_000_000_000))  # a killed render's, long ago
    assert drop_stale_parts(final) == 1 and not leftover.exists()
    stamp = out.stat().st_mtime_ns
    assert render_cached(source, sid, edit, media).stat().st_mtime_ns == stamp  # reused
    assert render_cached(source, sid, ClipEdit(end_s=1.5), media) != out  # another edit


def test_the_edit_key_is_stable_and_follows_the_edit() -> None:
    a = ClipEdit(start_s=0.5, end_s=5.5)
    assert (
        a.key == ClipEdit(start_s=0.5000001, end_s=5.5).key == ClipEdit.from_json(a.to_json()).key
    )
    assert a.key != ClipEdit(start_s=0.5, end_s=5.0).key
    assert ClipEdit().is_empty and not a.is_empty
    assert a.describe() == "trim 0.5-5.5 s"
    assert output_duration(a, 8.0) == pytest.approx(5.0)
    with pytest.raises(ValueError, match="before it starts"):
        ClipEdit(start_s=3.0, end_s=2.0)


def test_the_first_real_frame_comes_after_a_black_lead_in(tmp_path: Path) -> None:
    black = make_black_start_clip(tmp_path / "b.mp4", black_s=0.5)
    assert first_real_frame_s(black) == pytest.approx(0.5)
    assert first_real_frame_s(make_clip(tmp_path / "a.mp4", seconds=1.0)) == 0.0


@pytest.mark.parametrize("where", ["_encode_audio", "_sync"])
def test_a_render_killed_by_sigkill_leaves_no_clip_under_its_name(
    tmp_path: Path, where: str
) -> None:
    """The render process kills itself (SIGKILL) half way (before the audio, the file cut
    short) or at the last moment (complete, not yet renamed): nothing under the final name,
    and the next render makes a whole clip."""
    source = make_clip(tmp_path / "a.mp4", seconds=2.0, audio=True)
    sid, edit, media = _sha(source), ClipEdit(end_s=1.5), tmp_path / "media"
    script = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "import annotator.media.render as render\n"
        "from annotator.media.edits import ClipEdit\n"
        f"setattr(render, {where!r}, lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL))\n"
        "render.render_cached(Path(sys.argv[1]), sys.argv[2], ClipEdit.from_json(sys.argv[3]),"
        " Path(sys.argv[4]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(source), sid, edit.to_json(), str(media)],
        cwd=Path(__file__).parents[2],
        check=False,
    )
    assert done.returncode == -signal.SIGKILL
    final = media / rendered_name(sid, edit)
    assert not final.exists()
    assert len(list(media.glob(".*.part"))) == 1  # what the killed render left
    out = render_cached(source, sid, edit, media)
    assert out == final
    assert probe_clip(out).duration_s == pytest.approx(1.5, abs=0.13)
