"""Export and import: the DashScope dataset zips, the fine-tune and deployment bodies,
other trainers' layouts, and reading an existing dataset back into a workspace.

Names load on first use (PEP 562), so ``annotator --help`` does not pay for PyAV.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "DatasetError": "dataset_reader",
    "ImportProblem": "dataset_reader",
    "ExportFormat": "models",
    "ExportOptions": "plan",
    "ExportUsageError": "plan",
    "ExportRefusedError": "runner",
    "ExportResult": "runner",
    "UnsafeZipError": "safezip",
    "ZipLimits": "safezip",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'annotator.export' has no attribute {name!r}")
    return getattr(importlib.import_module(f"annotator.export.{module}"), name)
