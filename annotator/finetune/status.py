"""The status values of section 5, and which of them end the wait."""

from __future__ import annotations

from annotator.workspace.remote import CREATING

# Fine-tune jobs: PENDING, QUEUING (one job at a time per account), RUNNING, CANCELING,
# then one of the final three.
JOB_SUCCEEDED = "SUCCEEDED"
JOB_FINAL = frozenset({"SUCCEEDED", "FAILED", "CANCELED"})
JOB_UNHAPPY = frozenset({"FAILED", "CANCELED"})
LOG_END = "##FT_COMPLETE##"

# Deployments: PENDING until RUNNING (5-10 min); the rest are trouble or transitions.
DEPLOYMENT_RUNNING = "RUNNING"
DEPLOYMENT_FAILED = frozenset({"FAILED", "UPDATING_FAILED"})
DEPLOYMENT_ARREARS = frozenset({"ARREARS_DOWN"})  # ARREARS_RECOVERING comes back by itself
DEPLOYMENT_DELETING = "DELETING"
DEPLOYMENT_GONE = "DELETED"  # ours: the service answers NotFound after a delete

# Video synthesis tasks (the SDK's TaskStatus).
TASK_SUCCEEDED = "SUCCEEDED"
TASK_FINAL = frozenset({"SUCCEEDED", "FAILED", "CANCELED", "UNKNOWN"})

# Checkpoint exports.
EXPORT_SUCCEEDED = "SUCCEEDED"
EXPORT_FINAL = frozenset({"SUCCEEDED", "FAILED", "UNSUPPORTED"})

__all__ = [
    "CREATING",
    "DEPLOYMENT_ARREARS",
    "DEPLOYMENT_DELETING",
    "DEPLOYMENT_FAILED",
    "DEPLOYMENT_GONE",
    "DEPLOYMENT_RUNNING",
    "EXPORT_FINAL",
    "EXPORT_SUCCEEDED",
    "JOB_FINAL",
    "JOB_SUCCEEDED",
    "JOB_UNHAPPY",
    "LOG_END",
    "TASK_FINAL",
    "TASK_SUCCEEDED",
]
