"""User settings: a TOML file in the annotator home, overridden by environment variables.

The home is `$ANNOTATOR_HOME` if set, else the platform's config folder. API keys are never
stored here: providers read them from the environment variable they name.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from annotator.errors import AnnotatorError, plain_problem

HOME_ENV = "ANNOTATOR_HOME"
CONFIG_ENV = "ANNOTATOR_CONFIG"


class Endpoint(BaseModel):
    """A named OpenAI-compatible server (vLLM, LM Studio, Ollama, a DashScope region)."""

    model_config = ConfigDict(extra="forbid")

    base_url: str
    model: str | None = Field(
        default=None, description="The model sent to this endpoint unless --model names one."
    )
    key_env_var: str | None = Field(
        default=None,
        description="Variable holding this server's key. None: DASHSCOPE_API_KEY, sent only "
        "over https or to this machine (another plain-http server gets no key).",
    )
    video_as: str = "video"  # or "frames"
    frames_as: str = "video"  # or "images", for servers that take only images


class CaptionSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    provider: str = "replay"
    model: str | None = None
    region: str = "cn"  # cn (Beijing) or intl (Singapore)
    concurrency: int = Field(default=4, ge=1, le=64)
    fps: float = Field(default=2.0, ge=0.1, le=10)


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    caption: CaptionSettings = CaptionSettings()
    endpoints: dict[str, Endpoint] = {}
    # Yuan per second of video by model, then resolution (annotator/finetune/prices.py).
    video_prices: dict[str, dict[str, float]] = {}
    # Per million tokens by region, then model: {"input": x, "output": y}, in the region's
    # currency (annotator/captioning/pricing.py).
    token_prices: dict[str, dict[str, dict[str, float]]] = {}


class ConfigError(AnnotatorError, ValueError):
    """The config file cannot be read; the message names it."""


def user_dir() -> Path:
    """The annotator home: `$ANNOTATOR_HOME`, else the platform's user config folder."""
    if home := os.environ.get(HOME_ENV):
        return Path(home)
    from platformdirs import user_config_dir

    return Path(user_config_dir("annotator"))


def config_path() -> Path:
    """The config file: `$ANNOTATOR_CONFIG`, else config.toml in the home."""
    if path := os.environ.get(CONFIG_ENV):
        return Path(path)
    return user_dir() / "config.toml"


def load_settings(path: Path | None = None) -> Settings:
    """Read the settings; a missing file means the defaults."""
    path = path or config_path()
    if not path.is_file():
        return Settings()
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"cannot read the config file {path}: {_problems(exc)}") from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read the config file {path}: {exc}") from exc


def _problems(exc: ValidationError) -> str:
    """Each wrong setting and what is wrong, never its value: a key pasted into the file
    must not be printed back."""
    said = []
    for problem in exc.errors(include_input=False, include_url=False):
        where = ".".join(str(part) for part in problem["loc"])
        said.append(f"{where} {plain_problem(problem, extra='is not a known setting')}")
        if problem["type"] == "extra_forbidden" and "key" in str(problem["loc"][-1]).lower():
            said[-1] += " (keys are never stored here: name the variable with key_env_var)"
    return "; ".join(said)
