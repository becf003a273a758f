"""What every view shares: symbols, value formatting, flattened specs."""

from __future__ import annotations

import json
from typing import Any

from reconciler.apimodel import format_path
from reconciler.diff import ABSENT
from reconciler.kinds import KINDS
from reconciler.planning.changes import Action, Change, Plan, Scaled
from reconciler.planning.sensitive import mask_spec

SYMBOL = {
    Action.CREATE: "+",
    Action.UPDATE: "~",
    Action.DELETE: "-",
    Action.NOOP: " ",
}


def symbol(change: Change) -> str:
    if change.action is Action.REPLACE:
        # Terraform's notation: -/+ deletes first (interrupting), +/- creates first.
        return "-/+" if change.interrupting else "+/-"
    return SYMBOL[change.action]


def show(value: Any) -> str:
    if value is ABSENT or value is None:
        return "(absent)"
    if isinstance(value, str):
        return json.dumps(value)
    return json.dumps(value, sort_keys=True, default=str)


def scaled_text(scaled: Scaled) -> str:
    """``copies 3 (scaled 0..8 by ScalableTarget/llama-chat-copies)``; ``-`` for a count
    not live yet, ``?`` for a bound the scaler does not declare."""
    live = "-" if scaled.live is None else str(scaled.live)
    least = "?" if scaled.least is None else str(scaled.least)
    most = "?" if scaled.most is None else str(scaled.most)
    return f"{scaled.what} {live} (scaled {least}..{most} by {scaled.by})"


def flatten(value: Any, path: str = "") -> list[tuple[str, Any]]:
    """Leaf fields of a spec as (dotted path, value)."""
    if isinstance(value, dict) and value:
        rows = []
        for key, item in value.items():
            rows.extend(flatten(item, f"{path}.{key}" if path else str(key)))
        return rows
    if isinstance(value, list) and value and any(isinstance(v, dict | list) for v in value):
        rows = []
        for index, item in enumerate(value):
            rows.extend(flatten(item, f"{path}[{index}]"))
        return rows
    return [(path, value)]


def create_fields(change: Change) -> list[tuple[str, Any]]:
    if change.desired_spec is None:
        return []
    return flatten(mask_spec(change.desired_spec, change.sensitive_keys))


def summary_line(plan: Plan) -> str:
    counts = plan.summary()
    if not plan.has_changes:
        return f"No changes. {counts['no-op']} resources match the manifests."
    return (
        f"Plan: {counts['create']} to create, {counts['update']} to update, "
        f"{counts['replace']} to replace, {counts['delete']} to delete, {counts['no-op']} unchanged."
    )


def destructive(plan: Plan) -> list[str]:
    """One line per change that deletes something or interrupts traffic."""
    lines = []
    for change in plan.changes:
        if change.action is Action.DELETE:
            lines.append(f"{change.address} ({change.physical_name}) will be DELETED")
        elif (
            change.action is Action.REPLACE
            and change.interrupting
            and (destroys := KINDS[change.kind].destructive_replace) is not None
        ):
            lines.append(f"{change.address} will be DESTROYED and created again: {destroys.loss}")
        elif change.action is Action.REPLACE and change.interrupting:
            lines.append(
                f"{change.address} will be deleted and created again: traffic to it is interrupted"
            )
    return lines


def pin_texts(change: Change) -> list[str]:
    """Each account reference the change's spec resolved, as
    ``<field>: <as written> → <pinned value>`` (a Model's latest Approved package version)."""
    return [f"{format_path(p.path)}: {p.written} → {p.value}" for p in change.pins if p.value]
