"""finetune.json: the create-job body, with n_epochs raised so that training runs >= 800 steps.

The guide: steps = n_epochs x ceil(train size / batch_size) should be >= 800, so the
smallest n_epochs is ceil(800 / ceil(train size / batch_size)); 5 samples at batch 2
take 3 steps an epoch, so n_epochs >= 267. Without a validation zip the service splits
min(N x (1 - split), max_split_val_dataset_sample) samples off the training set.
"""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict

from annotator.basemodels import BaseModel as WanBaseModel
from annotator.basemodels import Mode
from annotator.export.models import FinetuneBody, HyperParameters

DEFAULT_EPOCHS = 400
MIN_STEPS = 800
LEARNING_RATE = 2e-5
SPLIT = 0.9
EVAL_EPOCHS = 20
MAX_SPLIT_VAL = 5
_EPS = 1e-9  # 10 x (1 - 0.9) is 0.9999999999999998 in floating point


class ServiceCounts(BaseModel):
    """How many samples the service trains and validates on."""

    model_config = ConfigDict(frozen=True)

    train: int
    valid: int
    split_by_service: bool


def service_counts(n_train: int, n_valid: int) -> ServiceCounts:
    """The counts the service will use: an uploaded validation set, or its own split."""
    if n_valid:
        return ServiceCounts(train=n_train, valid=n_valid, split_by_service=False)
    split_off = min(math.floor(n_train * (1 - SPLIT) + _EPS), MAX_SPLIT_VAL)
    return ServiceCounts(train=n_train - split_off, valid=split_off, split_by_service=True)


def min_epochs(train_size: int, batch_size: int) -> int:
    """The fewest epochs that make MIN_STEPS steps."""
    steps_per_epoch = max(1, math.ceil(train_size / batch_size))
    return math.ceil(MIN_STEPS / steps_per_epoch)


def n_epochs(n_train: int, n_valid: int, batch_size: int) -> int:
    """The guide's 400, raised when the set is so small that 400 epochs are < 800 steps."""
    # The training size the service will use; how it rounds N x (1 - split) is not
    # documented, so this reads the formula literally (rounding down), as the guide's
    # own example does (5 samples: 3 steps an epoch).
    train = service_counts(n_train, n_valid).train
    return max(DEFAULT_EPOCHS, min_epochs(train, batch_size))


def eval_epochs(epochs: int) -> int:
    """The guide's 20 at its 400 epochs; raised with n_epochs, so that a longer run keeps
    the guide's 20 evaluation points instead of rendering previews twice as often.

    The guide wins over the API reference's "at least n_epochs / 10", which its own
    example (400 with 20) does not follow.
    """
    return max(EVAL_EPOCHS, math.ceil(epochs * EVAL_EPOCHS / DEFAULT_EPOCHS))


def finetune_body(
    model: WanBaseModel,
    mode: Mode,
    n_train: int,
    n_valid: int,
    train_zip: str,
    valid_zip: str | None,
) -> FinetuneBody:
    """The body of POST /api/v1/fine-tunes for the workspace's base model."""
    epochs = n_epochs(n_train, n_valid, model.batch_size)
    return FinetuneBody(
        model=model.name,
        training_file_ids=[f"<file_id of {train_zip}>"],
        validation_file_ids=[f"<file_id of {valid_zip}>"] if valid_zip else None,
        hyper_parameters=HyperParameters(
            n_epochs=epochs,
            batch_size=model.batch_size,
            learning_rate=LEARNING_RATE,
            split=SPLIT,
            eval_epochs=eval_epochs(epochs),
            max_pixels=model.max_pixels,
            max_split_val_dataset_sample=MAX_SPLIT_VAL,
            # Only a model that trains both kinds is told which one (wan2.7-i2v).
            task_type=mode.value if len(model.modes) > 1 else None,
        ),
    )
