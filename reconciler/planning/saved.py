"""The saved plan: the file ``plan --out PLANFILE`` writes and ``apply PLANFILE`` reads.

It is the plan JSON (with reason codes) plus what apply needs to tell whether the plan
still holds: ``fingerprints`` (a hash of everything read of each resource the plan
observed) and ``manifests`` (the directory and a digest of its files). Apply never runs the
saved document itself: it plans again and applies only when the fresh plan is the saved
one — the same manifests byte for byte, every observed resource unchanged, the same
changes — so a change computed from what the plan read (a cluster's UpdateCluster request)
is sent only while the resource is as it was read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler.errors import PermanentError
from reconciler.planning.changes import Plan


class SavedPlanError(PermanentError):
    """A saved plan cannot be written or read, or no longer holds (plan again)."""


@dataclass(frozen=True)
class SavedPlan:
    """document: the file's JSON; directory / owner: the manifests and owner it planned;
    target: the project target it planned (None: none)."""

    document: dict[str, Any]
    directory: str
    owner: str
    target: str | None = None


def document(
    plan: Plan, *, directory: str, digest: str, target: str | None = None
) -> dict[str, Any]:
    """What ``plan --out`` writes for `plan` of the manifests in `directory`."""
    doc: dict[str, Any] = plan.to_json(with_fingerprints=True, with_codes=True)
    doc["manifests"] = {"directory": str(Path(directory).resolve()), "digest": digest}
    if target is not None:
        doc["target"] = target
    return doc


def write(path: str, plan: Plan, *, directory: str, digest: str, target: str | None = None) -> None:
    doc = document(plan, directory=directory, digest=digest, target=target)
    try:
        Path(path).write_text(json.dumps(doc, indent=2) + "\n")
    except OSError as err:
        raise SavedPlanError(f"cannot write the plan to {path}: {err.strerror or err}") from err


def is_plan_file(path: str) -> bool:
    """`path` names a file (a saved plan), not a manifest directory."""
    return Path(path).is_file()


def read(path: str) -> SavedPlan:
    try:
        doc = json.loads(Path(path).read_text())
        return SavedPlan(doc, doc["manifests"]["directory"], doc["owner"], doc.get("target"))
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise SavedPlanError(f"{path}: not a saved plan ({err})") from err


def check(saved: SavedPlan, fresh: Plan, digest: str) -> None:
    """Refuse a saved plan that no longer describes the account or the manifests."""
    recorded = saved.document.get("manifests", {}).get("digest")
    if recorded != digest:
        raise SavedPlanError("the manifests changed since the plan was saved; plan again")
    before: dict[str, str] = saved.document.get("fingerprints", {})
    after = fresh.fingerprints
    moved = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    if moved or saved.document.get("changes") != fresh.to_json(with_codes=True)["changes"]:
        names = ", ".join(moved) or "the planned changes differ"
        raise SavedPlanError(f"the account changed since the plan was saved ({names}); plan again")
