"""The ``reconciler status`` table: one line per resource (sync, health, status), the
problem that keeps a resource out of sync, and a kind's details (a cluster's nodes per
instance group, and every node that is not Running), the counts a scaler owns with their
bounds, and how inference components pack each variant's instances (views.packing)."""

from __future__ import annotations

from typing import Any

from reconciler.kinds.capacity import Packing
from reconciler.planning.changes import Scaled
from reconciler.views import packing as packing_view
from reconciler.views.common import scaled_text

JsonDict = dict[str, Any]


def render(rows: list[JsonDict], packings: list[Packing] | None = None) -> str:
    width = max([len(str(r["address"])) for r in rows] + [8])
    lines = [f"{'RESOURCE':<{width}}  {'SYNC':<10}  {'HEALTH':<11}  STATUS"]
    for row in rows:
        status = row["status"] or "-"
        if "message" in row:
            status += f" ({row['message']})"
        lines.append(f"{row['address']:<{width}}  {row['sync']:<10}  {row['health']:<11}  {status}")
        if "reason" in row:
            lines.append(f"  problem: {row['reason']}")
        lines.extend(f"  {_scaled(s)}" for s in row.get("scaled", []))
        lines.extend(_node_lines(row.get("nodes") or {"groups": {}}))
        if "nodes_error" in row:
            lines.append(f"  nodes: cannot be read ({row['nodes_error']})")
    if packings:
        lines += ["", "PACKING"]
        lines.extend(packing_view.lines(packings))
    return "".join(line + "\n" for line in lines)


def _scaled(row: JsonDict) -> str:
    """A row's ``scaled`` item (:meth:`Scaled.to_json`) in words."""
    return scaled_text(
        Scaled(row["path"], row["what"], row["live"], row["min"], row["max"], row["by"])
    )


def _node_lines(nodes: JsonDict) -> list[str]:
    lines = []
    for group, counts in nodes["groups"].items():
        line = f"  {group}: {counts['running']}/{counts['total']} nodes Running"
        if counts.get("wanted") is not None and counts["wanted"] != counts["total"]:
            line += f" ({counts['wanted']} wanted)"
        lines.append(line)
        for node in nodes["not_running"]:
            if node["instance_group"] == group:
                message = f": {node['message']}" if node.get("message") else ""
                lines.append(f"    {node['instance_id']} {node['status']}{message}")
    return lines
