"""``reconciler status``: per declared resource, is it in sync with git and is it healthy.

Sync: ``InSync`` (matches), ``OutOfSync`` (exists, differs), ``Missing`` (not created),
``Orphaned`` (ours, no longer declared: apply deletes it). Health: ``Healthy`` (settled
and serving), ``Progressing`` (a transition is running), ``Degraded`` (Failed, or the last
deployment rolled back), ``Missing``.

Clusters also show their nodes per instance group (ListClusterNodes, every page) and name
each node that is not Running with SageMaker's message (DescribeClusterNode); a node in
``Failure`` makes the cluster Degraded, one on its way (Pending, ...) Progressing.

A plan with problems (a resource that is someone else's, a reference that cannot be
resolved, ...) still lists every declared resource: the ones concerned are ``OutOfSync``
with the problem as their reason, read from the account like the rest. Status exits 0
unless the manifests are invalid or the account cannot be read. Tags are read in
batches through the Resource Groups Tagging API, as ``plan`` does.
"""

from __future__ import annotations

import json
import sys

from reconciler.aws import AwsGateway
from reconciler.commands.common import EXIT_OK
from reconciler.commands.targets import Context, load_checked
from reconciler.errors import ReconcilerError
from reconciler.kinds import APIS
from reconciler.observe import LiveResource, LiveState
from reconciler.planning.changes import Action, Plan
from reconciler.planning.desired import resolve
from reconciler.planning.planner import plan
from reconciler.resources import JsonDict, Manifest, Problem
from reconciler.service import (
    SYNC,
    health,
    health_of,
    observe,
    packings_of,
    pin_references,
    settle_pins,
)
from reconciler.views import status as status_view


def _live_twin(
    manifest: Manifest, names: list[str], live: LiveState, owner: str
) -> LiveResource | None:
    """The live resource a refused manifest concerns: the first one under one of its
    possible names, else the one of ours carrying its address."""
    for name in names:
        found = live.get(manifest.kind, name)
        if found is not None:
            return found
    ours = [
        r for r in live.owned_by(owner) if r.kind is manifest.kind and r.address == manifest.address
    ]
    return ours[0] if len(ours) == 1 else None


def refused_rows(
    manifests: list[Manifest], result: Plan, live: LiveState, owner: str
) -> list[JsonDict]:
    """Rows for declared resources the plan made no change for because of a problem."""
    reasons = _reasons(result.problems)
    planned = {c.address for c in result.changes}
    desired, _ = resolve([m for m in manifests if m.kind in APIS], owner)
    rows = []
    for manifest in manifests:
        if manifest.address in planned or manifest.address not in reasons:
            continue
        # The adopted name, the name the plan would give it, the manifest's own name.
        item = desired.get(manifest.address)
        names = [
            n
            for n in (
                manifest.annotations.physical_name,
                item.physical_name if item is not None else None,
                manifest.name,
            )
            if n
        ]
        twin = _live_twin(manifest, names, live, owner)
        status = twin.status if twin is not None else None
        rows.append(
            {
                "address": manifest.address,
                "physical_name": twin.name if twin is not None else names[0],
                "sync": "OutOfSync",
                "health": (
                    health_of(manifest.kind, status, None) if twin is not None else "Missing"
                ),
                "status": status,
                "reason": reasons[manifest.address],
            }
        )
    return rows


def _reasons(problems: list[Problem]) -> dict[str, str]:
    """address → its problems, in words (field and message; the file line is on stderr)."""
    found: dict[str, list[str]] = {}
    for problem in problems:
        if problem.address:
            text = f"{problem.field}: {problem.message}" if problem.field else problem.message
            found.setdefault(problem.address, []).append(text)
    return {address: "; ".join(texts) for address, texts in found.items()}


def run(*, context: Context, as_json: bool) -> int:
    loaded = load_checked(context)
    owner = context.owner
    aws = AwsGateway(context.settings)
    # Account references pinned first (a Model's latest Approved package version), so that
    # names and hashes are the ones plan gives; a reference that resolves to nothing is a
    # problem of its row. The live state too: it shows the resources the plan refuses.
    pinned = pin_references(loaded.manifests, aws)
    live = observe(
        manifests=pinned.manifests,
        aws=aws,
        owner=owner,
    )
    result = plan(pinned.manifests, live, owner=owner)
    settle_pins(result, pinned)
    reasons = _reasons(result.problems)
    rows = []
    for change in result.changes:
        row: JsonDict = {
            "address": change.address,
            "physical_name": change.physical_name,
            "sync": SYNC[change.action],
            "health": health(change),
            "status": change.live_status,
        }
        if change.live_failure:
            row["message"] = change.live_failure
        if change.scaled:
            row["scaled"] = [s.to_json() for s in change.scaled]
        if change.address in reasons:
            # Planned, yet the plan cannot be applied because of it.
            row["sync"], row["reason"] = "OutOfSync", reasons[change.address]
        api = APIS[change.kind]
        # It exists: it has a live status, or (a kind with none) it is not yet to be made.
        exists = change.live_status is not None or (
            api.status_key is None and change.action is not Action.CREATE
        )
        if api.details_key is not None and exists:
            # What the kind shows beside its status (a cluster: its nodes per group; an
            # alarm: CloudWatch's state of it).
            key = api.details_key
            try:
                details = api.details(aws, change.physical_name, change.desired_spec)
            except ReconcilerError as err:
                row[f"{key}_error"] = str(err)
            else:
                if details is not None:
                    row[key] = details
                    row["health"] = api.details_health(row["health"], details)
        rows.append(row)
    rows.extend(refused_rows(pinned.manifests, result, live, owner))
    packed = packings_of(loaded.manifests, result)
    if as_json:
        document = {
            "owner": owner,
            "resources": rows,
            "packing": [p.to_json() for p in packed],
        }
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
    else:
        sys.stdout.write(status_view.render(rows, packed))
    for problem in result.problems:
        print(problem, file=sys.stderr)
    return EXIT_OK
