"""The plan for a person at a terminal, in the manner of a good terraform plan."""

from __future__ import annotations

from reconciler.planning.changes import Action, Plan
from reconciler.views.common import (
    create_fields,
    destructive,
    pin_texts,
    scaled_text,
    show,
    summary_line,
    symbol,
)


def render(plan: Plan, *, verbose: bool = False) -> str:
    lines = [f"SageMaker reconciler plan (owner: {plan.owner})", ""]
    for change in plan.changes:
        if change.action is Action.NOOP and not verbose:
            continue
        title = f"{symbol(change)} {change.address}"
        if change.physical_name != change.name:
            title += f" ({change.physical_name})"
        lines.append(f"{title}: {change.action}")
        lines.append(f"    why: {change.reason}")
        if change.operations:
            lines.append(f"    calls: {', '.join(change.operations)}")
        for pin in pin_texts(change):
            lines.append(f"    resolved: {pin}")
        for scaled in change.scaled:
            lines.append(f"    {scaled_text(scaled)}")
        if change.action is Action.CREATE:
            for path, value in create_fields(change):
                lines.append(f"      + {path}: {show(value)}")
        for field in change.diff:
            lines.append(f"      ~ {field.path}: {show(field.before)} → {show(field.after)}")
        if change.superseded:
            lines.append(f"    retires: {', '.join(change.superseded)}")
        if change.depends_on:
            lines.append(f"    after: {', '.join(change.depends_on)}")
        if change.checks is not None:
            for check in change.checks.summary():
                lines.append(f"    check: {check}")
        for warning in change.warnings:
            lines.append(f"    ! {warning}")
        lines.append("")
    lines.append(summary_line(plan))
    for line in destructive(plan):
        lines.append(f"Warning: {line}")
    for warning in plan.warnings:
        lines.append(f"Warning: {warning}")
    return "\n".join(lines) + "\n"
