"""What a video costs: the list prices of Wan video synthesis, per second of video.

A dated table, yuan per second in the Beijing region, by model and resolution, as the
Bailian price list was mirrored by a third party (docs.crazyrouter.com/en/video/wan,
read 2026-11-30; not confirmed against the official price page). wan2.6-i2v is from
memory of the same list and least sure. The bill is what the console says. Any price can
be replaced, or a missing one given, in config.toml::

    [video_prices."wan2.2-i2v-flash"]
    480P = 0.10
    720P = 0.20

A model or resolution without a price has an unknown cost, never zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from annotator.counting import counted

PRICES_DATED = "2026-11-30"
CURRENCY = "CNY"

# Yuan per second of video, by model then resolution.
VIDEO_PRICES: dict[str, dict[str, float]] = {
    "wan2.2-i2v-flash": {"480P": 0.10, "720P": 0.20, "1080P": 0.48},
    "wan2.2-kf2v-flash": {"480P": 0.10, "720P": 0.20, "1080P": 0.48},
    "wan2.5-i2v-preview": {"480P": 0.30, "720P": 0.60, "1080P": 1.00},
    "wan2.6-i2v": {"720P": 0.60, "1080P": 1.00},
}

# The length of a video when none is asked for (every Wan i2v and kf2v model's default).
DEFAULT_DURATION_S = 5


@dataclass(frozen=True)
class VideoCost:
    """What COUNT videos of SECONDS each cost; ``per_second`` None when the price is unknown."""

    count: int
    seconds: int
    per_second: float | None
    overridden: bool

    @property
    def total(self) -> float | None:
        if self.per_second is None:
            return None
        return self.count * self.seconds * self.per_second

    def describe(self, model: str, resolution: str) -> str:
        """One line: the videos, the seconds and the money (or why it is unknown)."""
        videos = f"{counted(self.count, 'video')} x {self.seconds} s of {model} at {resolution}"
        if self.per_second is None or self.total is None:
            return (
                f'{videos}: price unknown (give it in config.toml under [video_prices."{model}"])'
            )
        source = "config.toml" if self.overridden else f"list price of {PRICES_DATED}"
        return (
            f"{videos} = {self.total:.2f} {CURRENCY} ({self.per_second:.2f} {CURRENCY}/s, {source})"
        )


def price_per_second(
    model: str, resolution: str, overrides: Mapping[str, Mapping[str, float]] | None = None
) -> tuple[float | None, bool]:
    """Yuan per second for MODEL at RESOLUTION, and whether it came from OVERRIDES."""
    given = (overrides or {}).get(model, {})
    if resolution in given:
        return float(given[resolution]), True
    return VIDEO_PRICES.get(model, {}).get(resolution), False


def video_cost(
    model: str,
    resolution: str,
    count: int,
    seconds: int | None = None,
    overrides: Mapping[str, Mapping[str, float]] | None = None,
) -> VideoCost:
    """The cost of COUNT videos of SECONDS (default 5) with MODEL at RESOLUTION."""
    per_second, overridden = price_per_second(model, resolution, overrides)
    return VideoCost(count, seconds or DEFAULT_DURATION_S, per_second, overridden)
