"""split_comment: a plan too long for one GitHub comment becomes several, each within the
limit and each rendering on its own (fences, <details> and tables closed and reopened),
with every line of the plan kept, in order."""

from __future__ import annotations

import re

import pytest

from reconciler.views.markdown import split_comment

HEADER = re.compile(r"^\*\*\(part (\d+)/(\d+)\)\*\*$")


def plan_like(resources: int, diff_lines: int = 6) -> str:
    """A markdown plan shaped like views/markdown.render: a table, then one <details>
    with a ```diff fence per resource. Every content line is unique."""
    lines = ["### SageMaker reconciler plan (owner `default`)", ""]
    lines += ["| | resource | action |", "|---|---|---|"]
    lines += [f"| `+` | `Model/m{i}` | create |" for i in range(resources)]
    lines.append("")
    for i in range(resources):
        lines.append(f"<details><summary><code>+ Model/m{i}</code> — create</summary>")
        lines.append("")
        lines.append("```diff")
        lines += [f"+ Field{j}: value of m{i} number {j}" for j in range(diff_lines)]
        lines.append("```")
        lines.append("")
        lines.append("</details>")
        lines.append("")
    return "\n".join(lines) + "\n"


def balance(part: str) -> tuple[int, bool]:
    """(open <details> left at the end, a fence left open at the end)."""
    depth, fence = 0, False
    for line in part.split("\n"):
        if line.startswith("```"):
            fence = not fence
            continue
        if fence:
            continue
        depth += len(re.findall(r"<details\b", line)) - len(re.findall(r"</details>", line))
        assert depth >= 0, part
    return depth, fence


def body(part: str) -> list[str]:
    """The lines of a part that came from the text: without the "(part i/n)" header."""
    lines = part.split("\n")
    assert HEADER.match(lines[0]), lines[0]
    return lines[2:]


def is_subsequence(needles: list[str], haystack: list[str]) -> bool:
    found = iter(haystack)
    return all(any(line == candidate for candidate in found) for line in needles)


def test_a_short_text_is_one_part_unchanged() -> None:
    text = plan_like(3)
    assert split_comment(text) == [text]
    assert split_comment("") == [""]
    exactly = "x" * 100
    assert split_comment(exactly, limit=100) == [exactly]


@pytest.mark.parametrize("limit", [600, 2_000, 10_000])
def test_every_part_fits_and_renders_on_its_own(limit: int) -> None:
    text = plan_like(120)
    parts = split_comment(text, limit=limit)
    assert len(parts) > 1
    for index, part in enumerate(parts, 1):
        assert len(part) <= limit
        assert part.startswith(f"**(part {index}/{len(parts)})**\n")
        assert balance(part) == (0, False), part


@pytest.mark.parametrize("limit", [600, 2_000, 10_000])
def test_every_line_is_kept_whole_and_in_order(limit: int) -> None:
    text = plan_like(120)
    parts = split_comment(text, limit=limit)
    original = [line for line in text.split("\n") if line]
    joined = [line for part in parts for line in body(part)]
    # Nothing is cut inside a line: each original line appears whole, in order; the
    # only additions are the closing and reopening lines.
    assert is_subsequence(original, joined)
    # Content lines (diff lines, table rows) appear exactly once; only the structure
    # (summaries, fences, table headers) is repeated.
    content = [line for line in original if line.startswith(("+ Field", "| `+`"))]
    for line in content:
        assert sum(1 for part_line in joined if part_line == line) == 1, line


def test_a_cut_inside_a_fence_closes_it_and_reopens_it_with_its_language() -> None:
    lines = ["<details><summary>big</summary>", "", "```diff"]
    lines += [f"+ line {i}" for i in range(400)]
    lines += ["```", "", "</details>"]
    parts = split_comment("\n".join(lines) + "\n", limit=500)
    assert len(parts) > 2
    for part in parts[1:]:
        content = body(part)
        assert content[:3] == ["<details><summary>big</summary>", "", "```diff"]
    for part in parts[:-1]:
        assert part.rstrip("\n").endswith("```\n\n</details>")


def test_a_cut_inside_a_table_repeats_its_header() -> None:
    lines = ["| name | value |", "|---|---:|"] + [f"| row{i} | {i} |" for i in range(300)]
    parts = split_comment("\n".join(lines) + "\n", limit=400)
    assert len(parts) > 2
    for part in parts:
        assert body(part)[:2] == ["| name | value |", "|---|---:|"]


def test_a_line_longer_than_a_part_is_cut_and_nothing_is_lost() -> None:
    long = "x" * 2_500
    text = "before\n```\n" + long + "\n```\nafter\n"
    parts = split_comment(text, limit=1_000)
    assert all(len(part) <= 1_000 for part in parts)
    assert all(balance(part) == (0, False) for part in parts)
    pieces = "".join(line for part in parts for line in body(part) if set(line) == {"x"})
    assert pieces == long
    assert "before" in parts[0] and "after" in parts[-1]


def test_many_parts_are_numbered_with_the_right_total() -> None:
    text = "\n".join(f"line {i:04d}" for i in range(2_000)) + "\n"
    parts = split_comment(text, limit=200)
    assert len(parts) >= 100  # the numbering's width grows past what was first assumed
    assert all(len(part) <= 200 for part in parts)
    assert [HEADER.match(part.split("\n")[0]).groups() for part in parts] == [  # type: ignore[union-attr]
        (str(i), str(len(parts))) for i in range(1, len(parts) + 1)
    ]


def test_the_default_limit_is_under_githubs() -> None:
    text = plan_like(2_000, diff_lines=12)
    assert len(text) > 65_536
    parts = split_comment(text)
    assert all(len(part) <= 65_000 for part in parts)
    assert all(balance(part) == (0, False) for part in parts)
