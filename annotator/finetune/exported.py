"""The files `annotator export` wrote, read back for the fine-tuning steps.

The export (annotator/export/runner.py) writes into one folder, DIR/export/ unless
told otherwise: the training zip, an optional validation zip, ``finetune.json`` (the
create-job body whose file ids are placeholders naming the zips,
``"<file_id of NAME_train.zip>"``) and ``deployment.json`` (the deploy body with its
aigc_config). The placeholders say which zips go with the body; without them the
export's default zip names are used.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotator.export.runner import DEPLOYMENT_JSON, FINETUNE_JSON, zip_targets
from annotator.finetune.errors import PipelineError
from annotator.shellcmd import command
from annotator.workspace import Workspace

EXPORT_FOLDER = "export"  # the export's default output folder, under DIR
PLACEHOLDER = re.compile(r"^<file_id of (?P<name>[^<>/\\]+)>$")


@dataclass(frozen=True)
class ExportedDataset:
    folder: Path
    finetune: dict[str, Any]  # finetune.json as written, placeholders and all
    deployment: dict[str, Any] | None  # deployment.json, when the export wrote one
    train_zip: Path
    valid_zip: Path | None


def placeholder_name(value: Any) -> str | None:
    """The zip a placeholder file id names, or None for a real id."""
    match = PLACEHOLDER.match(value) if isinstance(value, str) else None
    return match["name"] if match else None


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PipelineError(
            f"cannot read {path}: {exc}; export again (annotator export DIR)"
        ) from None
    if not isinstance(data, dict):
        raise PipelineError(f"{path} is not a JSON object; export again (annotator export DIR)")
    return data


def _named_zip(folder: Path, ids: Any, fallback: Path | None) -> Path | None:
    names = [placeholder_name(v) for v in ids or []]
    named = next((n for n in names if n), None)
    return folder / named if named else fallback


def find_export(ws: Workspace, source: Path | None = None) -> ExportedDataset:
    """Read the export in SOURCE (a folder, or the training zip), by default DIR/export/."""
    if source is not None and source.suffix.lower() == ".zip":
        folder = source.parent
    else:
        folder = source or ws.root / EXPORT_FOLDER
    body_path = folder / FINETUNE_JSON
    if not body_path.is_file():
        raise PipelineError(
            f"no {FINETUNE_JSON} in {folder}: run `{command('export', ws.root)}` first "
            "(or give --from the folder you exported to)"
        )
    finetune = _read_json(body_path)
    if not finetune.get("model") or not isinstance(finetune.get("hyper_parameters"), dict):
        raise PipelineError(
            f"{body_path} lacks `model` or `hyper_parameters`; export again "
            f"({command('export', ws.root)})"
        )
    default_train, _ = zip_targets(ws, folder)
    train: Path | None
    if source is not None and source.suffix.lower() == ".zip":
        train = source
    else:
        train = _named_zip(folder, finetune.get("training_file_ids"), default_train)
    valid = _named_zip(folder, finetune.get("validation_file_ids"), None)
    deployment_path = folder / DEPLOYMENT_JSON
    deployment = _read_json(deployment_path) if deployment_path.is_file() else None
    assert train is not None
    return ExportedDataset(folder, finetune, deployment, train, valid)


def require_zip(path: Path, ws: Workspace) -> Path:
    """PATH if the zip is there; otherwise the error says to export again."""
    if not path.is_file():
        raise PipelineError(
            f"{path} is missing: the export in {path.parent} is incomplete; "
            f"run `{command('export', ws.root)}` again"
        )
    return path
