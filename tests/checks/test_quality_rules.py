"""The clip-quality rules (annotator.checks.quality_rules) on analyses made by hand."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from annotator.basemodels import get_base_model
from annotator.checks import Severity
from annotator.checks.quality_rules import quality_findings
from annotator.media.quality import ClipQuality, FrameLook, FrameStats, Overlay, TextFound, TextKind
from annotator.workspace import Sample
from tests.clips import h264_facts

MODEL = get_base_model("wan2.5-i2v-preview")
NOW = datetime(2026, 1, 1, tzinfo=UTC)
ROOT = Path("/data/fx")


def _hashes(seed: int) -> list[str]:
    # Far apart for different seeds: each frame's 64 bits from a seeded generator.
    import random

    rng = random.Random(seed)
    return [f"{rng.getrandbits(64):016x}" for _ in range(8)]


def _quality(seed: int, **changes: object) -> ClipQuality:
    frames = [
        FrameStats(time_s=i * 0.25, mean=110.0, std=50.0, edges=9.0, dominant=0.1) for i in range(8)
    ]
    base = ClipQuality(
        width=640,
        height=360,
        duration_s=2.0,
        frames=frames,
        phashes=_hashes(seed),
        dhashes=_hashes(seed + 1000),
        sharpness=1.8 + seed / 100,
        noise=3.0 + seed / 100,
    )
    return base.model_copy(update=changes)


def _sample(name: str, *, kf2v: bool = False, width: int = 640, height: int = 360) -> Sample:
    probe = h264_facts(2.0, 12.0, width, height)
    return Sample(
        id=name.ljust(64, "0"),
        path=f"{name}.mp4",
        probe=probe,
        first_frame=f".annotator/frames/{name}_first.png",
        last_frame=f".annotator/frames/{name}_last.png" if kf2v else None,
        added_at=NOW,
        updated_at=NOW,
    )


def _run(pairs: list[tuple[Sample, ClipQuality]]):  # type: ignore[no-untyped-def]
    return quality_findings([s for s, _ in pairs], {s.id: q for s, q in pairs}, MODEL, ROOT)


def test_a_clean_set_has_no_finding() -> None:
    assert _run([(_sample(f"c{i}"), _quality(i)) for i in range(8)]) == []


def test_the_same_video_twice_is_an_error_on_the_lesser_copy_naming_the_other() -> None:
    big = _quality(1)
    copy = big.model_copy(update={"width": 512, "height": 288, "sharpness": 300.0})
    found = _run([(_sample("copy"), copy), (_sample("orig"), big), (_sample("x"), _quality(2))])
    [f] = found
    assert (f.code, f.severity, f.path) == ("duplicate-video", Severity.ERROR, "copy.mp4")
    assert "orig.mp4" in f.message and "orig.mp4" in f.fix and "reject" in f.fix


def test_a_copy_with_most_frames_alike_is_a_near_duplicate_warning() -> None:
    a = _quality(1)
    b = a.model_copy(update={"phashes": [*a.phashes[:7], _hashes(9)[7]], "sharpness": 1.0})
    [f] = _run([(_sample("a"), a), (_sample("b"), b)])
    assert (f.code, f.severity, f.path) == ("near-duplicate-video", Severity.WARNING, "b.mp4")


def test_another_take_of_the_same_scene_is_near_not_the_same() -> None:
    a = _quality(1)
    # Every frame 8 bits away: the same layout, not a re-encode (which differs in 0-4).
    flip = 0xFF00000000000000
    take = a.model_copy(
        update={"phashes": [f"{int(h, 16) ^ flip:016x}" for h in a.phashes], "sharpness": 1.0}
    )
    [f] = _run([(_sample("a"), a), (_sample("take"), take)])
    assert (f.code, f.severity, f.path) == ("near-duplicate-video", Severity.WARNING, "take.mp4")
    assert "a.mp4" in f.message


def test_three_copies_give_two_findings_naming_the_one_kept() -> None:
    a = _quality(1)
    found = _run([(_sample(n), a) for n in ("k1", "k2", "k3")])
    assert sorted(f.path for f in found) == ["k2.mp4", "k3.mp4"]
    assert all("k1.mp4" in f.message for f in found)


def test_a_black_first_frame_is_an_error_whose_fix_trims_to_the_first_real_frame() -> None:
    q = _quality(1, first_look=FrameLook.BLACK, content_start_s=0.5, duration_s=3.0)
    [f] = _run([(_sample("dark"), q)])
    assert (f.code, f.severity) == ("flat-first-frame", Severity.ERROR)
    assert "black" in f.message
    assert "annotator fix /data/fx --only dark.mp4" in f.fix
    assert "annotator trim /data/fx dark.mp4 --start 0.50" in f.fix


def test_a_flat_start_too_long_to_trim_asks_for_another_clip() -> None:
    q = _quality(1, first_look=FrameLook.FLAT, content_start_s=1.0)  # 2 s clip: 1 s left
    [f] = _run([(_sample("slate"), q)])
    assert "one flat colour" in f.message
    assert f.fix.startswith("replace the clip") and "1.00 s" in f.fix and "trim" not in f.fix


def test_a_title_card_is_a_warning() -> None:
    [f] = _run([(_sample("card"), _quality(1, first_look=FrameLook.TITLE_CARD))])
    assert (f.code, f.severity) == ("flat-first-frame", Severity.WARNING)
    assert "title card" in f.message and "annotator trim /data/fx card.mp4 --start S" in f.fix


def test_a_flat_last_frame_counts_for_kf2v_only() -> None:
    q = _quality(1, last_look=FrameLook.FLAT)
    assert _run([(_sample("i2v"), q)]) == []
    [f] = _run([(_sample("kf", kf2v=True), q)])
    assert (f.code, f.severity) == ("flat-last-frame", Severity.ERROR)
    assert "--end" in f.fix


def test_burned_in_text_by_kind() -> None:
    texts = {
        "subs": TextFound(
            kind=TextKind.SUBTITLES,
            box=(0.2, 0.8, 0.8, 0.9),
            text="Hi there",
            frames=3,
            of_frames=3,
        ),
        "cap": TextFound(
            kind=TextKind.CAPTION, box=(0.2, 0.8, 0.8, 0.9), text="Paris", frames=3, of_frames=3
        ),
        "logo": TextFound(
            kind=TextKind.LOGO, box=(0.8, 0.05, 0.95, 0.1), text="NEWS 24", frames=3, of_frames=3
        ),
    }
    found = _run([(_sample(n), _quality(i, text=[t])) for i, (n, t) in enumerate(texts.items())])
    by_path = {f.path: f for f in found}
    assert by_path["subs.mp4"].code == "burned-in-subtitles"
    assert by_path["cap.mp4"].code == "burned-in-caption"
    logo = by_path["logo.mp4"]
    assert logo.code == "logo-text" and "top-right" in logo.message and "NEWS 24" in logo.message
    assert {f.severity for f in found} == {Severity.WARNING}


def test_a_static_overlay_is_a_warning_unless_it_is_the_logo_text_already() -> None:
    mark = Overlay(corner="top-left", box=(0.02, 0.02, 0.1, 0.1))
    [f] = _run([(_sample("o"), _quality(1, overlays=[mark]))])
    assert (f.code, f.severity) == ("static-overlay", Severity.WARNING)
    assert "top-left" in f.message
    text = TextFound(
        kind=TextKind.LOGO, box=(0.03, 0.03, 0.12, 0.08), text="TV", frames=3, of_frames=3
    )
    assert [f.code for f in _run([(_sample("o"), _quality(1, overlays=[mark], text=[text]))])] == [
        "logo-text"
    ]


def test_a_tiny_clip_is_far_below_the_model() -> None:
    [f] = _run([(_sample("qcif"), _quality(1, width=176, height=144))])
    assert (f.code, f.severity) == ("low-resolution", Severity.INFO)
    assert "176x144" in f.message
    # Without an analysis, the probe tells the size.
    [f] = quality_findings([_sample("p", width=176, height=144)], {}, MODEL, ROOT)
    assert f.code == "low-resolution"


def test_blur_and_noise_are_judged_against_the_rest_of_the_set() -> None:
    pairs = [(_sample(f"c{i}"), _quality(i)) for i in range(7)]
    pairs.append((_sample("soft"), _quality(20, sharpness=0.4)))
    pairs.append((_sample("grain"), _quality(21, noise=15.0)))
    found = {(f.path, f.code) for f in _run(pairs)}
    assert found == {("soft.mp4", "blurry-clip"), ("grain.mp4", "noisy-clip")}


def test_a_set_without_noise_flags_none_for_a_trace_of_it() -> None:
    # Smooth synthetic clips measure ~0 noise: a trace is no outlier (a floor of 2 levels).
    pairs = [(_sample(f"c{i}"), _quality(i, noise=0.0)) for i in range(6)]
    pairs.append((_sample("trace"), _quality(9, noise=0.5)))
    assert _run(pairs) == []


def test_a_clip_without_edges_is_not_judged_blurry() -> None:
    pairs = [(_sample(f"c{i}"), _quality(i)) for i in range(6)]
    pairs.append((_sample("fog"), _quality(9, sharpness=0.0)))
    assert _run(pairs) == []


def test_blur_is_not_judged_in_a_set_too_small_to_compare() -> None:
    pairs = [(_sample("a"), _quality(1)), (_sample("soft"), _quality(2, sharpness=5.0))]
    assert _run(pairs) == []


def test_another_take_with_alike_frames_but_another_length_is_near_not_the_same() -> None:
    # A fixed camera, the same room and person: every sampled frame within a re-encode's
    # bits, but 3.6 s against 3.0 s (a re-encode keeps the length within a frame).
    frames = [
        FrameStats(time_s=i * 0.5, mean=110.0, std=50.0, edges=9.0, dominant=0.1) for i in range(8)
    ]
    book = _quality(1, duration_s=3.6, frames=frames)
    walk = book.model_copy(update={"duration_s": 3.0, "sharpness": 1.0})
    [f] = _run([(_sample("book"), book), (_sample("walk"), walk)])
    assert (f.code, f.severity, f.path) == ("near-duplicate-video", Severity.WARNING, "walk.mp4")
    assert "3.00 s" in f.message and "3.60 s" in f.message


def test_a_copy_within_a_frame_of_the_length_is_still_the_same_video() -> None:
    a = _quality(1, duration_s=4.0)
    copy = a.model_copy(update={"duration_s": 4.04, "sharpness": 1.0})
    [f] = _run([(_sample("a"), a), (_sample("copy"), copy)])
    assert f.code == "duplicate-video"


def test_a_240p_clip_is_low_resolution_and_a_288p_one_is_not() -> None:
    # Real footage at 320x240, 340x256, 426x240 is well under the 480P Wan generates.
    for width, height in ((320, 240), (340, 256), (426, 240), (240, 426)):
        [f] = _run([(_sample("small"), _quality(1, width=width, height=height))])
        assert (f.code, f.severity) == ("low-resolution", Severity.INFO)
        assert f"{width}x{height}" in f.message and "288" in f.message and "640" in f.message
    assert _run([(_sample("ok"), _quality(1, width=384, height=288))]) == []
    # A wide film frame as wide as 720p (skv_scene_cuts.mp4) is no small clip.
    for width, height in ((1280, 272), (640, 272)):
        assert _run([(_sample("wide"), _quality(1, width=width, height=height))]) == []


def test_half_the_frames_alike_in_order_is_a_near_duplicate_and_fewer_is_nothing() -> None:
    # The same footage with boxes drawn over it, or a title over a test pattern: on real
    # clips 4-5 of 8 sampled frames agree, while unrelated clips agree on none.
    a = _quality(1)
    other = _hashes(9)
    half = a.model_copy(
        update={"phashes": [*a.phashes[:4], *other[4:]], "dhashes": a.dhashes, "sharpness": 1.0}
    )
    [f] = _run([(_sample("a"), a), (_sample("boxes"), half)])
    assert (f.code, f.path) == ("near-duplicate-video", "boxes.mp4")
    assert "4 of 8" in f.message
    three = a.model_copy(update={"phashes": [*a.phashes[:3], *other[3:]], "sharpness": 1.0})
    assert _run([(_sample("a"), a), (_sample("three"), three)]) == []
