"""What a check reports: one finding per problem, with the fix."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from annotator.workspace import Sample


class Severity(StrEnum):
    ERROR = "error"  # the service would refuse the dataset, or the sample cannot be used
    WARNING = "warning"  # allowed, but it hurts the result or export will change it
    INFO = "info"


class Finding(BaseModel):
    """One problem of one file, one sample or the whole set."""

    model_config = ConfigDict(frozen=True)

    code: str
    severity: Severity
    message: str
    fix: str
    path: str | None = None  # the file, relative to the workspace
    sample_id: str | None = None


def sample_finding(
    sample: Sample, code: str, severity: Severity, message: str, fix: str
) -> Finding:
    """A finding about one sample's clip."""
    return Finding(
        code=code,
        severity=severity,
        message=message,
        fix=fix,
        path=sample.path,
        sample_id=sample.id,
    )


SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
