"""The clip-quality analysis of one clip (annotator.media.quality), on clips made here."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.media.quality import (
    ClipQuality,
    FrameLook,
    TextKind,
    analyse_quality,
    likeness,
)
from annotator.media.quality.sampling import sample_clip
from tests.clips import make_clip, make_numbered_clip, which_frame
from tests.quality_clips import SUBTITLE_LINES, make_footage, reencode


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("quality")
    made = {
        "clean": make_footage(d / "clean.mp4", seed=1, audio=True),
        "other": make_footage(d / "other.mp4", seed=2),
        "subtitles": make_footage(d / "subs.mp4", seed=3, subtitles=SUBTITLE_LINES[:4]),
        "logo_text": make_footage(d / "logo_text.mp4", seed=4, corner_text="NEWS 24"),
        "logo": make_footage(d / "logo.mp4", seed=5, corner_logo=True),
        "black_start": make_footage(d / "black.mp4", seed=6, black_lead_s=0.5),
        "tiny": make_footage(d / "tiny.mp4", 176, 144, seed=7),
        "letterbox": make_clip(d / "letterbox.mp4", 320, 240, black_bars=(30, 30)),
    }
    made["copy"] = reencode(made["clean"], d / "copy.mp4", crf=35, scale=0.75)
    return made


@pytest.fixture(scope="module")
def analysed(clips: dict[str, Path]) -> dict[str, ClipQuality]:
    return {name: analyse_quality(path) for name, path in clips.items()}


def test_clean_footage_has_nothing_to_report(analysed: dict[str, ClipQuality]) -> None:
    for name in ("clean", "other", "tiny", "copy"):
        q = analysed[name]
        assert (q.first_look, q.last_look, q.text, q.overlays) == (None, None, [], []), name


def test_the_samples_span_the_clip(analysed: dict[str, ClipQuality]) -> None:
    q = analysed["clean"]
    times = [f.time_s for f in q.frames]
    assert len(times) == 8 and times == sorted(times)
    assert times[0] == 0.0 and times[-1] == pytest.approx(2.0 - 1 / 12, abs=0.01)
    assert len(q.phashes) == len(q.dhashes) == 8
    assert (q.width, q.height, q.duration_s) == (320, 240, 2.0)


def test_subtitles_are_text_in_the_lower_band_that_changes(
    analysed: dict[str, ClipQuality],
) -> None:
    [found] = analysed["subtitles"].text
    assert found.kind is TextKind.SUBTITLES
    assert found.box[1] > 0.6  # in the lower band
    assert found.frames >= 2 and found.text


def test_a_corner_text_logo_stays_while_the_picture_changes(
    analysed: dict[str, ClipQuality],
) -> None:
    [found] = analysed["logo_text"].text
    assert found.kind is TextKind.LOGO
    assert found.box[0] > 0.5 and found.box[3] < 0.4  # top-right
    assert "NEWS" in found.text.upper()
    assert analysed["logo_text"].overlays == [] or all(
        o.corner == "top-right" for o in analysed["logo_text"].overlays
    )


def test_a_corner_logo_without_text_is_a_static_overlay(
    analysed: dict[str, ClipQuality],
) -> None:
    q = analysed["logo"]
    assert [o.corner for o in q.overlays] == ["top-left"]
    _, _, x1, y1 = q.overlays[0].box
    assert x1 < 0.25 and y1 < 0.25
    assert q.text == []


def test_a_black_start_is_found_with_where_the_picture_begins(
    analysed: dict[str, ClipQuality],
) -> None:
    q = analysed["black_start"]
    assert q.first_look is FrameLook.BLACK
    assert q.content_start_s == pytest.approx(0.5, abs=1 / 12 + 0.001)
    assert analysed["clean"].content_start_s is None


def test_letterbox_bars_are_no_overlay_and_no_flat_frame(
    analysed: dict[str, ClipQuality],
) -> None:
    q = analysed["letterbox"]
    assert (q.first_look, q.overlays, q.text) == (None, [], [])


def test_a_reencoded_copy_without_audio_is_the_same_video(
    analysed: dict[str, ClipQuality],
) -> None:
    a, copy, other = analysed["clean"], analysed["copy"], analysed["other"]
    assert likeness(a.phashes, a.dhashes, copy.phashes, copy.dhashes).same
    assert likeness(a.phashes, a.dhashes, other.phashes, other.dhashes).matched == 0
    names = list(analysed)
    for i, x in enumerate(names):
        for y in names[i + 1 :]:
            if {x, y} != {"clean", "copy"}:
                qx, qy = analysed[x], analysed[y]
                assert not likeness(qx.phashes, qx.dhashes, qy.phashes, qy.dhashes).same, (x, y)


def test_a_blurred_copy_is_much_less_sharp(tmp_path: Path) -> None:
    sharp = analyse_quality(make_footage(tmp_path / "sharp.mp4", seed=8))
    blurred = analyse_quality(make_footage(tmp_path / "blurred.mp4", seed=8, blur=2.5))
    assert 0 < blurred.sharpness < sharp.sharpness / 3


def test_a_grainy_clip_is_noisier(tmp_path: Path) -> None:
    clean = analyse_quality(make_footage(tmp_path / "clean.mp4", seed=9), read_text=False)
    grainy = analyse_quality(
        make_footage(tmp_path / "grainy.mp4", seed=9, noise=25.0), read_text=False
    )
    assert grainy.noise > 2 * clean.noise


@pytest.mark.parametrize("gop", [None, 3])
def test_sampling_picks_the_evenly_spaced_frames(tmp_path: Path, gop: int | None) -> None:
    clip = make_numbered_clip(tmp_path / "n.mp4", 40, keyframe_interval=gop)
    sampled = sample_clip(clip, 8)
    from PIL import Image

    seen = [which_frame(Image.fromarray(f.rgb), 40) for f in sampled.frames]
    assert seen == [round(i * 39 / 7) for i in range(8)]
    assert [f.time_s for f in sampled.frames] == pytest.approx([i / 8 for i in seen])


def test_a_clip_turned_by_its_display_matrix_is_sampled_upright(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "r.mp4", 160, 120, rotation=90)
    q = analyse_quality(clip, read_text=False)
    assert (q.width, q.height) == (120, 160)


def test_a_title_card_first_frame_is_told_from_a_black_one(tmp_path: Path) -> None:
    q = analyse_quality(make_footage(tmp_path / "t.mp4", seed=13, title_card_s=0.5))
    assert q.first_look is FrameLook.TITLE_CARD
    assert q.last_look is None


def test_text_held_in_the_middle_is_no_logo(tmp_path: Path) -> None:
    q = analyse_quality(make_footage(tmp_path / "sign.mp4", seed=14, centre_text="OPEN 24"))
    assert q.text == []


def test_a_black_end_is_found_on_the_last_frame(tmp_path: Path) -> None:
    q = analyse_quality(make_footage(tmp_path / "fade.mp4", seed=15, black_tail_s=0.5))
    assert (q.first_look, q.last_look) == (None, FrameLook.BLACK)


def test_small_subtitles_on_a_large_frame_are_read_on_the_lower_band(tmp_path: Path) -> None:
    # Subtitles 3% of the height (16 px at 540p, as on real footage): at the analysis size
    # they are a few pixels high and vanish; the lower band is read at a higher resolution.
    clip = make_footage(
        tmp_path / "small_subs.mp4",
        960,
        540,
        1.5,
        seed=16,
        subtitles=SUBTITLE_LINES[:4],
        subtitle_px=16,
    )
    q = analyse_quality(clip)
    [found] = q.text
    assert found.kind is TextKind.SUBTITLES
    assert found.box[1] > 0.8 and 0.25 < (found.box[0] + found.box[2]) / 2 < 0.75
    assert found.frames >= 2 and found.text


def test_a_trimmed_copy_matches_the_longer_clip_in_time_order(tmp_path: Path) -> None:
    # The middle half of a 3 s pan, encoded again: its sampled frames lie between the long
    # clip's, at other relative times, but in the same order.
    import av
    import numpy as np

    from annotator.media.encode import write_clip

    long = make_footage(tmp_path / "long.mp4", seconds=3.0, seed=17)
    with av.open(str(long)) as container:
        pictures = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    middle = pictures[len(pictures) // 4 : 3 * len(pictures) // 4]
    trimmed = write_clip(tmp_path / "trimmed.mp4", iter(middle), fps=12, crf=28)
    a, b = analyse_quality(long, read_text=False), analyse_quality(trimmed, read_text=False)
    like = likeness(a.phashes, a.dhashes, b.phashes, b.dhashes)
    assert like.matched >= 0.75 * like.compared and not like.same
    assert likeness(b.phashes, b.dhashes, a.phashes, a.dhashes).matched >= 0.75 * like.compared
    other = analyse_quality(make_footage(tmp_path / "o.mp4", seconds=3.0, seed=18), read_text=False)
    assert likeness(a.phashes, a.dhashes, other.phashes, other.dhashes).matched == 0
    assert np.asarray(middle).shape[0] == 18


def test_the_lines_of_one_score_box_are_one_logo(tmp_path: Path) -> None:
    clip = make_footage(
        tmp_path / "score.mp4", seed=19, score_box=("FRIENDLY", "FRA 2 USA 1", "GOAL 72")
    )
    q = analyse_quality(clip)
    [found] = q.text
    assert found.kind is TextKind.LOGO
    assert found.box[0] < 0.2 and found.box[1] < 0.15 and found.box[3] > 0.2  # all three lines
