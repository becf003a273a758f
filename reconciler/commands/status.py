"""``reconciler status``: per declared resource, is it in sync with git and is it healthy.

Sync: ``InSync`` (matches), ``OutOfSync`` (exists, differs), ``Missing`` (not created),
``Orphaned`` (ours, no longer declared: apply deletes it). Health: ``Healthy`` (settled
and serving), ``Progressing`` (a transition is running), ``Degraded`` (Failed, or the last
deployment rolled back), ``Missing``.
"""

from __future__ import annotations

import json
import sys

from reconciler.aws import AwsSettings
from reconciler.commands.common import EXIT_ERROR, EXIT_OK
from reconciler.commands.plan import make_plan
from reconciler.kinds import APIS
from reconciler.planning.changes import Action, Change

SYNC = {
    Action.NOOP: "InSync",
    Action.CREATE: "Missing",
    Action.UPDATE: "OutOfSync",
    Action.REPLACE: "OutOfSync",
    Action.DELETE: "Orphaned",
}


def health(change: Change) -> str:
    if change.action is Action.CREATE and change.live_status is None:
        return "Missing"
    status = change.live_status
    api = APIS[change.kind]
    if status is None:
        return "Healthy"
    if status in api.failed:
        return "Degraded"
    if status in api.transitional:
        return "Progressing"
    if change.live_failure:
        return "Degraded"
    return "Healthy"


def run(*, directory: str, as_json: bool, owner: str, settings: AwsSettings) -> int:
    plan, _ = make_plan(directory=directory, owner=owner, settings=settings)
    rows = []
    for change in plan.changes:
        row = {
            "address": change.address,
            "physical_name": change.physical_name,
            "sync": SYNC[change.action],
            "health": health(change),
            "status": change.live_status,
        }
        if change.live_failure:
            row["message"] = change.live_failure
        rows.append(row)
    if as_json:
        sys.stdout.write(json.dumps({"owner": owner, "resources": rows}, indent=2) + "\n")
    else:
        width = max([len(str(r["address"])) for r in rows] + [8])
        print(f"{'RESOURCE':<{width}}  {'SYNC':<10}  {'HEALTH':<11}  STATUS")
        for row in rows:
            status = row["status"] or "-"
            if "message" in row:
                status += f" ({row['message']})"
            print(f"{row['address']:<{width}}  {row['sync']:<10}  {row['health']:<11}  {status}")
    for problem in plan.problems:
        print(problem, file=sys.stderr)
    return EXIT_ERROR if plan.problems else EXIT_OK
