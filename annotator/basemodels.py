"""The Wan base models a dataset can be made for: one row each, from dataset-spec.md."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Mode(StrEnum):
    """What the fine-tuned model takes at generation time."""

    I2V = "i2v"  # first frame
    KF2V = "kf2v"  # first and last frame


@dataclass(frozen=True)
class BaseModel:
    """One Wan base model and the dataset limits that follow from it."""

    name: str
    modes: frozenset[Mode]
    min_duration_s: float
    max_duration_s: float
    batch_size: int
    max_pixels: int


BASE_MODELS: dict[str, BaseModel] = {
    m.name: m
    for m in (
        BaseModel("wan2.5-i2v-preview", frozenset({Mode.I2V}), 2.0, 10.0, 2, 36864),
        BaseModel("wan2.6-i2v", frozenset({Mode.I2V}), 2.0, 10.0, 2, 36864),
        BaseModel("wan2.7-i2v", frozenset({Mode.I2V, Mode.KF2V}), 2.0, 10.0, 1, 102400),
        BaseModel("wan2.2-i2v-flash", frozenset({Mode.I2V}), 2.0, 5.0, 4, 262144),
        BaseModel("wan2.2-kf2v-flash", frozenset({Mode.KF2V}), 2.0, 5.0, 4, 262144),
    )
}

DEFAULT_MODEL: dict[Mode, str] = {Mode.I2V: "wan2.5-i2v-preview", Mode.KF2V: "wan2.2-kf2v-flash"}


class UnknownBaseModelError(ValueError):
    """A base model name that is not in the table, or one that does not take the mode."""


def get_base_model(name: str, mode: Mode | None = None) -> BaseModel:
    """Look a base model up by name; the error lists the known ones."""
    model = BASE_MODELS.get(name)
    if model is None:
        known = ", ".join(BASE_MODELS)
        raise UnknownBaseModelError(f"unknown base model {name!r}; known models: {known}")
    if mode is not None and mode not in model.modes:
        fits = ", ".join(n for n, m in BASE_MODELS.items() if mode in m.modes)
        raise UnknownBaseModelError(
            f"base model {name!r} does not train {mode.value}; models that do: {fits}"
        )
    return model
