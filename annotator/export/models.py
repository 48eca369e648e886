"""Pydantic models of every JSON file export writes and import reads.

Field order matters: it is the key order of the written JSON, and it follows the
vendor guide (wan-finetune-guide.zh.txt) so the files read like its examples.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class ExportFormat(StrEnum):
    """Which trainer the export is for."""

    DASHSCOPE = "dashscope"  # the vendor's zips, finetune.json, deployment.json
    MUSUBI = "musubi"  # clip + .txt pairs with musubi-tuner and diffusion-pipe TOMLs
    DIFFSYNTH = "diffsynth"  # DiffSynth-Studio's metadata.csv beside the clips


class DataLine(BaseModel):
    """One line of data.jsonl: a training line has video_path, a validation line has not.

    ``extra="forbid"`` makes import name a misspelt key instead of dropping it.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    prompt: str = Field(min_length=1)
    first_frame_path: str
    last_frame_path: str | None = None
    video_path: str | None = None


class HyperParameters(BaseModel):
    """The create-job hyper_parameters, in the guide's order."""

    n_epochs: int
    batch_size: int
    learning_rate: float
    split: float
    eval_epochs: int
    max_pixels: int
    max_split_val_dataset_sample: int
    task_type: str | None = None  # wan2.7 only: it trains i2v or kf2v


class FinetuneBody(BaseModel):
    """The body of POST /api/v1/fine-tunes."""

    model: str
    training_file_ids: list[str]
    validation_file_ids: list[str] | None = None
    training_type: str = "efficient_sft"
    hyper_parameters: HyperParameters


class AigcConfig(BaseModel):
    """What the deployed LoRA writes its own prompt with (guide, step 3.1)."""

    use_input_prompt: bool = False
    prompt: str
    lora_prompt_default: str


class DeploymentBody(BaseModel):
    """The body of POST /api/v1/deployments."""

    model_name: str
    aigc_config: AigcConfig
    capacity: int = 1
    plan: str = "lora"


class NameEntry(BaseModel):
    """Where one sample's files went: the original paths and the names inside the export."""

    sample_id: str
    split: str  # train or valid
    clip: str  # relative to the workspace
    video: str | None  # inside the zip or folder; None in a validation zip
    first_frame_source: str | None = None
    first_frame: str | None = None
    last_frame_source: str | None = None
    last_frame: str | None = None


class NameMap(BaseModel):
    """names.json: the renaming of every exported file, kept beside the export."""

    format: ExportFormat
    workspace: str
    entries: list[NameEntry]
