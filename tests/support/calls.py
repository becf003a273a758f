"""The emulator's call counters (``ControlClient.calls()``: operation -> calls since the last
reset), read as the calls made between two readings and as the write calls among them."""

from __future__ import annotations

# The operations that change the account, by name (DeleteTags starts with "Delete").
# SageMaker's writes, and Application Auto Scaling's and CloudWatch's (Register, Deregister,
# their Put calls, TagResource, UntagResource) — not the lease lock's DynamoDB PutItem.
WRITE_PREFIXES = (
    "Create",
    "Update",
    "Delete",
    "AddTags",
    "PutScalingPolicy",
    "PutScheduledAction",
    "PutMetricAlarm",
    "Register",
    "Deregister",
    "TagResource",
    "UntagResource",
)


def delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    """Calls made between two readings of the emulator's counters, by operation."""
    changed = {op: n - before.get(op, 0) for op, n in after.items()}
    return {op: n for op, n in changed.items() if n}


def writes_of(calls: dict[str, int]) -> dict[str, int]:
    """The write calls among `calls`, by operation (operations with no call left out)."""
    return {op: n for op, n in calls.items() if op.startswith(WRITE_PREFIXES) and n}


def write_count(calls: dict[str, int]) -> int:
    return sum(writes_of(calls).values())
