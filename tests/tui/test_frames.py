"""The frame cache: a picture is decoded once, however many ask for it at once."""

from __future__ import annotations

import threading
from pathlib import Path

from PIL import Image

from annotator.tui.frames import MAX_SIDE, FrameCache
from annotator.tui.widgets.frames import fit_cells
from annotator.workspace import Workspace


def test_an_image_is_decoded_once_and_resized(tmp_path: Path) -> None:
    path = tmp_path / "big.png"
    Image.new("RGB", (1920, 1080), (10, 20, 30)).save(path)
    cache = FrameCache()
    first = cache.image(path)
    assert first is not None and max(first.size) == MAX_SIDE
    assert cache.image(path) is first
    assert cache.loads == 1


def test_concurrent_requests_share_one_decode(ws: Workspace) -> None:
    cache = FrameCache()
    clip = ws.root / ws.samples()[0].path
    results: list[int] = []

    def load() -> None:
        results.append(len(cache.filmstrip(clip)))

    threads = [threading.Thread(target=load) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cache.loads == 1
    assert results == [results[0]] * 6 and results[0] > 1


def test_the_cache_forgets_the_least_recently_used(tmp_path: Path) -> None:
    cache = FrameCache(capacity=2)
    paths = []
    for i in range(3):
        paths.append(tmp_path / f"{i}.png")
        Image.new("RGB", (8, 8)).save(paths[-1])
    cache.image(paths[0])
    cache.image(paths[1])
    cache.image(paths[0])  # 0 is fresh again; 1 is the oldest
    cache.image(paths[2])
    assert cache.peek(f"image:{paths[1]}") is None
    assert cache.peek(f"image:{paths[0]}") is not None


def test_an_unreadable_picture_is_none_not_a_crash(tmp_path: Path) -> None:
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not a png")
    cache = FrameCache()
    assert cache.image(bad) is None
    assert cache.image(tmp_path / "missing.png") is None


def test_pictures_keep_their_aspect_ratio_in_cells() -> None:
    assert fit_cells(320, 240, room_w=100, room_h=10) == (27, 10)  # 4:3, cells 1:2
    assert fit_cells(240, 320, room_w=100, room_h=10) == (15, 10)
    assert fit_cells(1920, 1080, room_w=20, room_h=50) == (20, 6)
