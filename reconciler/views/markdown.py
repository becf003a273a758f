"""The plan as a pull-request comment: summary table, destructive actions called out at
the top, optionally the change graph as a Mermaid diagram, per-resource details in
collapsible sections, sensitive values already masked."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from reconciler.kinds.capacity import Packing
from reconciler.planning.changes import Action, Change, Plan
from reconciler.views import packing as packing_view
from reconciler.views.common import (
    create_fields,
    destructive,
    pin_texts,
    scaled_text,
    show,
    summary_line,
    symbol,
)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(plan: Plan, packings: list[Packing] | None = None, *, graph: bool = False) -> str:
    """`packings`: how the declared ICs pack their variants; the ones a change touches
    (its endpoint, endpoint config or one of its ICs) are shown under the table.
    `graph`: the changes and their order as a Mermaid diagram under the table
    (:func:`change_graph`), when there are two changes or more."""
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
    if graph and len(changed) >= 2:
        lines.extend(change_graph(changed))
        lines.append("")
    touched = {c.address for c in changed}
    shown = [p for p in packings or [] if touched.intersection(p.addresses)]
    if shown:
        lines.append("Packing of the variants these changes touch:")
        lines.append("")
        lines.append("```")
        lines.extend(packing_view.lines(shown))
        lines.append("```")
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
        for pin in pin_texts(change):
            lines.append(f"- resolved: `{pin}`")
        for scaled in change.scaled:
            lines.append(f"- {scaled_text(scaled)}")
        if change.checks is not None:
            for check in change.checks.summary():
                lines.append(f"- :white_check_mark: check: {check}")
        for warning in change.warnings:
            lines.append(f"- :warning: {warning}")
        lines.append("")
        lines.append("</details>")
        lines.append("")
    for warning in plan.warnings:
        lines.append(f"- :warning: {warning}")
    return "\n".join(lines) + "\n"


# -- the change graph ----------------------------------------------------------------------
# Like `terraform graph`, but of the changes only: a node per changed resource (address and
# action), an edge from each change to the ones that wait for it (its dependants'
# depends_on), dotted where a replaced resource's old version is deleted after another
# change (delete_after). GitHub renders a ```mermaid block in comments.
#
# Mermaid refuses a diagram over 50,000 characters (its maxTextSize) or 500 edges
# (maxEdges; 280, hard-coded, in some 10.x releases: mermaid-js/mermaid#5042). The caps
# below stay under both, and under a comment, so that split_comment never has to cut a
# diagram (it moves a whole diagram to the next part instead). Which Mermaid release and
# configuration GitHub uses is not published: unverified beyond these defaults.
GRAPH_MAX_NODES = 100
GRAPH_MAX_EDGES = 250
GRAPH_MAX_CHARACTERS = 20_000

# Mermaid's entity codes (#quot; or a decimal #NNN;) for what would end a quoted label or
# be read as markup in it: quotes, HTML, the entity introducer itself, backticks (a label
# in backticks is a markdown string), and brackets and pipes for older parsers.
_MERMAID_ESCAPES = {
    "#": "#35;",
    '"': "#quot;",
    "&": "#amp;",
    "<": "#lt;",
    ">": "#gt;",
    "`": "#96;",
    "[": "#91;",
    "]": "#93;",
    "{": "#123;",
    "}": "#125;",
    "|": "#124;",
}

# Fill colours per action (GitHub's palette: green, yellow, orange, red), readable in the
# light and the dark theme with black text.
_ACTION_STYLES = {
    Action.CREATE: "fill:#d1f0d5,stroke:#1a7f37,color:#000",
    Action.UPDATE: "fill:#fff1c2,stroke:#9a6700,color:#000",
    Action.REPLACE: "fill:#ffe2cc,stroke:#bc4c00,color:#000",
    Action.DELETE: "fill:#ffd8d3,stroke:#cf222e,color:#000",
}


def mermaid_text(text: str) -> str:
    """`text` for inside a quoted Mermaid label: one line, the characters that would end
    the label or be read as markup written as entity codes."""
    flat = " ".join(text.split())
    return "".join(_MERMAID_ESCAPES.get(char, char) for char in flat)


def change_graph(changes: list[Change]) -> list[str]:
    """The ```mermaid block of `changes` (the plan's changes, no-ops left out), or a
    one-line note when the graph is too large to draw."""
    changes = [c for c in changes if c.action is not Action.NOOP]
    ids = {change.address: f"n{index}" for index, change in enumerate(changes)}
    edges: list[str] = []
    for change in changes:
        for before in change.depends_on:
            if before in ids and before != change.address:
                edges.append(f"  {ids[before]} --> {ids[change.address]}")
        for before in change.delete_after:
            if before in ids and before != change.address:
                edges.append(f"  {ids[before]} -. delete old after .-> {ids[change.address]}")
    too_large = (
        f"_The change graph ({len(changes)} changes, {len(edges)} edges) is too large to "
        "draw here: `plan --format json` lists each change's `depends_on`._"
    )
    if len(changes) > GRAPH_MAX_NODES or len(edges) > GRAPH_MAX_EDGES:
        return [too_large]
    lines = ["```mermaid", "flowchart LR"]
    for change in changes:
        label = f"{symbol(change)} {change.address}"
        lines.append(
            f'  {ids[change.address]}["{mermaid_text(label)}<br/>{mermaid_text(str(change.action))}"]'
        )
    lines.extend(edges)
    for action, style in _ACTION_STYLES.items():
        members = [ids[c.address] for c in changes if c.action is action]
        if members:
            lines.append(f"  classDef act_{action} {style}")
            lines.append(f"  class {','.join(members)} act_{action}")
    lines.append("```")
    if _size(lines) > GRAPH_MAX_CHARACTERS:
        return [too_large]
    return lines


# -- splitting a long comment ---------------------------------------------------------------
# GitHub refuses issue and pull-request comments longer than 65,536 characters; a plan of a
# large fleet is longer. The default limit leaves room for a marker the caller may add.

_FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_FENCE_CLOSE = re.compile(r"^ {0,3}(`{3,}|~{3,})\s*$")
_DETAILS_TAG = re.compile(
    r"<details\b[^>]*>(?:\s*<summary\b[^>]*>.*?</summary>)?|</details\s*>", re.IGNORECASE
)
_TABLE_DELIMITER = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
# A reopened <details> repeats its summary unless that is unreasonably long.
_LONGEST_REOPENED = 1000


@dataclass(frozen=True)
class _Open:
    """What is open after some lines of markdown, so that a part can close it and the next
    part reopen it.

    details:  the opening tags (with their <summary>) of the open <details>, outermost first
    fence:    the opening line of the open code fence, or None
    table:    the header and delimiter rows of the table being written, or None
    previous: the line before (a table is recognised at its delimiter row)
    """

    details: tuple[str, ...] = ()
    fence: str | None = None
    table: tuple[str, str] | None = None
    previous: str = ""

    def after(self, line: str) -> _Open:
        if self.fence is not None:
            closer = _FENCE_CLOSE.match(line)
            opener = _FENCE_OPEN.match(self.fence)
            assert opener is not None
            run = opener.group(1)
            if closer and closer.group(1)[0] == run[0] and len(closer.group(1)) >= len(run):
                return replace(self, fence=None, previous=line)
            return replace(self, previous=line)
        fence = _FENCE_OPEN.match(line)
        if fence and not (fence.group(1)[0] == "`" and "`" in fence.group(2)):
            return replace(self, fence=line, table=None, previous=line)
        details = list(self.details)
        for tag in _DETAILS_TAG.finditer(line):
            if tag.group(0).startswith("</"):
                if details:
                    details.pop()
            else:
                details.append(tag.group(0))
        table = self.table
        if table is not None and not line.lstrip().startswith("|"):
            table = None
        if (
            table is None
            and "|" in line
            and self.previous.lstrip().startswith("|")
            and _TABLE_DELIMITER.match(line)
        ):
            table = (self.previous, line)
        return _Open(tuple(details), None, table, line)

    def closing(self) -> list[str]:
        lines = []
        if self.fence is not None:
            opener = _FENCE_OPEN.match(self.fence)
            assert opener is not None
            lines.append(opener.group(1))
        for _ in self.details:
            lines += ["", "</details>"]
        return lines

    def reopening(self) -> list[str]:
        lines = []
        for tag in self.details:
            lines += [tag if len(tag) <= _LONGEST_REOPENED else "<details>", ""]
        if self.fence is not None:
            opener = _FENCE_OPEN.match(self.fence)
            assert opener is not None
            fence = self.fence if len(self.fence) <= _LONGEST_REOPENED else opener.group(1)
            lines.append(fence)
        elif self.table is not None:
            lines += list(self.table)
        return lines


def _size(lines: list[str]) -> int:
    return sum(len(line) + 1 for line in lines)


def _part_header(index: int, total: int) -> str:
    return f"**(part {index}/{total})**"


def _diagram_at(lines: list[str], index: int) -> list[str]:
    """The lines of the ```mermaid block that opens at `index` (through its closing fence),
    or [] when none opens there."""
    opener = _FENCE_OPEN.match(lines[index])
    if not opener or opener.group(2).strip() != "mermaid":
        return []
    run = opener.group(1)
    for end in range(index + 1, len(lines)):
        closer = _FENCE_CLOSE.match(lines[end])
        if closer and closer.group(1)[0] == run[0] and len(closer.group(1)) >= len(run):
            return lines[index : end + 1]
    return lines[index:]


def _split_lines(lines: list[str], budget: int) -> list[list[str]]:
    """Greedy: fill each part with whole lines while the part, closed, stays within
    `budget`; cut a line only when it does not fit in a part of its own."""
    parts: list[list[str]] = []
    state = _Open()
    current: list[str] = []
    size = 0
    fresh = True  # `current` holds nothing but the reopening of the previous part

    def fits(line: str, then: _Open) -> bool:
        return size + len(line) + 1 + _size(then.closing()) <= budget

    def cut() -> None:
        nonlocal current, size, fresh
        parts.append(current + state.closing())
        current = state.reopening()
        size = _size(current)
        fresh = True

    for index, line in enumerate(lines):
        after = state.after(line)
        diagram = _diagram_at(lines, index) if state.fence is None else []
        if diagram and not fresh and not fits("\n".join(diagram), state):
            # A diagram cut in two draws as neither half: it starts the next part whole
            # (unless it is longer than a part, which change_graph never writes).
            cut()
        if not fits(line, after) and not fresh:
            cut()
        if fits(line, after):
            current.append(line)
            size += len(line) + 1
            state, fresh = after, False
            continue
        # Longer than a whole part: in pieces, each closed and reopened like a part.
        rest = line
        while not fits(rest, after):
            room = budget - size - 1 - _size(state.closing())
            if room < 1:
                raise ValueError(f"a comment limit of {budget} leaves no room for the text")
            current.append(rest[:room])
            rest = rest[room:]
            size += room + 1
            cut()
        current.append(rest)
        size += len(rest) + 1
        state, fresh = after, False
    parts.append(current)
    return parts


def split_comment(text: str, limit: int = 65_000) -> list[str]:
    """`text` (markdown) as comments of at most `limit` characters each.

    A text within the limit is returned as it is, in one part. A longer one is cut between
    lines — inside a line only when that line alone exceeds a part — and every part starts
    with "(part i/n)". A code fence or <details> block that a cut falls into is closed at
    the end of the part and reopened (same fence, same summary) at the start of the next;
    a table's header rows are repeated, so that each part renders on its own.
    """
    if len(text) <= limit:
        return [text]
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    digits = 1
    while True:
        widest = 10**digits - 1
        parts = _split_lines(lines, limit - len(_part_header(widest, widest)) - 2)
        if len(str(len(parts))) <= digits:
            break
        digits += 1
    total = len(parts)
    return [
        "\n".join([_part_header(index, total), "", *part]) + "\n"
        for index, part in enumerate(parts, 1)
    ]
