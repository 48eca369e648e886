"""The dataset rules as small functions returning findings."""

from annotator.checks.findings import Finding, Severity
from annotator.checks.runner import CheckReport, check_workspace

__all__ = ["CheckReport", "Finding", "Severity", "check_workspace"]
