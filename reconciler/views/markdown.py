"""The plan as a pull-request comment: summary table, destructive actions called out at
the top, per-resource details in collapsible sections, sensitive values already masked."""

from __future__ import annotations

from reconciler.planning.changes import Action, Plan
from reconciler.views.common import create_fields, destructive, show, summary_line, symbol


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(plan: Plan) -> str:
    counts = plan.summary()
    lines = [f"### SageMaker reconciler plan (owner `{plan.owner}`)", ""]
    danger = destructive(plan)
    if danger:
        lines.append("> [!CAUTION]")
        for line in danger:
            lines.append(f"> {line}")
        lines.append("")
    lines.append(f"**{summary_line(plan)}**")
    lines.append("")
    lines.append("| create | update | replace | delete | unchanged |")
    lines.append("|---:|---:|---:|---:|---:|")
    lines.append(
        f"| {counts['create']} | {counts['update']} | {counts['replace']} | {counts['delete']} | {counts['no-op']} |"
    )
    lines.append("")
    changed = [c for c in plan.changes if c.action is not Action.NOOP]
    if changed:
        lines.append("| | resource | action | calls | why |")
        lines.append("|---|---|---|---|---|")
        for change in changed:
            lines.append(
                f"| `{symbol(change)}` | `{change.address}` | {change.action} | "
                f"{_cell(', '.join(change.operations))} | {_cell(change.reason)} |"
            )
        lines.append("")
    for change in changed:
        lines.append(
            f"<details><summary><code>{symbol(change)} {change.address}</code> — {change.action}</summary>"
        )
        lines.append("")
        lines.append("```diff")
        if change.action is Action.CREATE:
            for path, value in create_fields(change):
                lines.append(f"+ {path}: {show(value)}")
        for field in change.diff:
            lines.append(f"- {field.path}: {show(field.before)}")
            lines.append(f"+ {field.path}: {show(field.after)}")
        lines.append("```")
        for warning in change.warnings:
            lines.append(f"- :warning: {warning}")
        lines.append("")
        lines.append("</details>")
        lines.append("")
    for warning in plan.warnings:
        lines.append(f"- :warning: {warning}")
    return "\n".join(lines) + "\n"
