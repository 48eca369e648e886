"""The dataset rules as small functions returning findings."""

from annotator.checks.findings import Finding, Severity
from annotator.checks.runner import CheckReport, run_checks

__all__ = ["CheckReport", "Finding", "Severity", "run_checks"]
