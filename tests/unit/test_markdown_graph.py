"""The change graph in the markdown plan (`plan --format markdown --graph`): a Mermaid
flowchart of the changes only — a node per changed resource labelled with its address and
action, an edge per depends_on between two of them — that GitHub draws in a PR comment.
Every line is one of the few Mermaid statements it writes, and whatever a name holds
cannot end a label or inject markup."""

from __future__ import annotations

import re

import pytest

from reconciler import cli
from reconciler.planning.changes import Action, Change, Plan
from reconciler.planning.planner import plan
from reconciler.resources import Kind
from reconciler.views import markdown
from reconciler.views.markdown import change_graph, split_comment
from tests.support.planning import LiveState, fleet

NODE = re.compile(r'^  (n\d+)\["([^"\[\]<>`|{}]*)<br/>([a-z-]+)"\]$')
EDGE = re.compile(r"^  (n\d+) --> (n\d+)$")
DOTTED = re.compile(r"^  (n\d+) -\. delete old after \.-> (n\d+)$")
CLASS_DEF = re.compile(r"^  classDef act_[a-z]+ fill:#[0-9a-f]{6},stroke:#[0-9a-f]{6},color:#000$")
CLASS = re.compile(r"^  class (n\d+(,n\d+)*) act_[a-z]+$")


def parse(
    lines: list[str],
) -> tuple[dict[str, tuple[str, str]], set[tuple[str, str]], set[tuple[str, str]]]:
    """nodes (id → label, action), edges and dotted edges of a change graph; fails on any
    line that is none of the statements change_graph writes."""
    assert lines[0] == "```mermaid" and lines[1] == "flowchart LR" and lines[-1] == "```"
    nodes: dict[str, tuple[str, str]] = {}
    edges: set[tuple[str, str]] = set()
    dotted: set[tuple[str, str]] = set()
    for line in lines[2:-1]:
        if match := NODE.match(line):
            assert match.group(1) not in nodes
            nodes[match.group(1)] = (match.group(2), match.group(3))
        elif match := EDGE.match(line):
            edges.add((match.group(1), match.group(2)))
        elif match := DOTTED.match(line):
            dotted.add((match.group(1), match.group(2)))
        else:
            assert CLASS_DEF.match(line) or CLASS.match(line), line
    for first, then in edges | dotted:
        assert first in nodes and then in nodes
    return nodes, edges, dotted


NAMED = {"quot": '"', "amp": "&", "lt": "<", "gt": ">"}


def shown(label: str) -> str:
    """A label as Mermaid shows it: its entity codes (#quot;, #35;) decoded, in one pass."""
    return re.sub(
        r"#(quot|amp|lt|gt|\d+);",
        lambda m: NAMED.get(m.group(1)) or chr(int(m.group(1))),
        label,
    )


def created_fleet() -> Plan:
    return plan(fleet(), LiveState(), owner="default")


def test_each_change_is_a_node_with_its_address_and_action_and_each_dependency_an_edge() -> None:
    result = created_fleet()
    changed = [c for c in result.changes if c.action is not Action.NOOP]
    assert len(changed) >= 3
    nodes, edges, _ = parse(change_graph(result.changes))
    by_address = {shown(label).split(" ", 1)[1]: node for node, (label, _) in nodes.items()}
    assert set(by_address) == {c.address for c in changed}
    for change in changed:
        label, action = nodes[by_address[change.address]]
        assert shown(label) == f"+ {change.address}" and action == "create"
    expected = {
        (by_address[before], by_address[c.address])
        for c in changed
        for before in c.depends_on
        if before in by_address
    }
    assert expected and edges == expected  # e.g. the endpoint config before its endpoint


def test_no_ops_are_left_out_and_only_changes_between_them_are_linked() -> None:
    def change(address: str, action: Action, depends_on: list[str]) -> Change:
        kind, name = address.split("/")
        return Change(
            address=address,
            kind=Kind(kind),
            name=name,
            physical_name=name,
            action=action,
            operations=["DeleteEndpoint"] if action is Action.DELETE else [],
            reason="test",
            depends_on=depends_on,
        )

    changes = [
        change("Model/kept", Action.NOOP, []),
        change("Endpoint/gone", Action.DELETE, ["Model/kept"]),
        change("InferenceComponent/gone", Action.DELETE, []),
    ]
    changes[1].depends_on.append("InferenceComponent/gone")
    nodes, edges, _ = parse(change_graph(changes))
    labels = {node: shown(label) for node, (label, _) in nodes.items()}
    assert sorted(labels.values()) == ["- Endpoint/gone", "- InferenceComponent/gone"]
    ids = {text.split(" ", 1)[1]: node for node, text in labels.items()}
    # The endpoint goes once its inference component is gone: IC first.
    assert edges == {(ids["InferenceComponent/gone"], ids["Endpoint/gone"])}
    assert {action for _, action in nodes.values()} == {"delete"}


@pytest.mark.parametrize(
    "name",
    [
        'quote"in-name',
        "angle<b>bold</b>",
        "hash#35;entity",
        "square]bracket[",
        "pipe|and{braces}",
        "back`tick`",
        "amp&amp;",
        "new\nline\tand  spaces",
    ],
)
def test_a_name_cannot_end_its_label_or_inject_markup(name: str) -> None:
    text = markdown.mermaid_text(f"Endpoint/{name}")
    assert not set(text) & set('"[]<>`|{}\n\t')
    # Every '#' starts an entity code, so '#35;' written by a user stays text.
    assert re.fullmatch(r"([^#&]|#(quot|amp|lt|gt|\d+);)*", text), text
    assert shown(text) == "Endpoint/" + " ".join(name.split())


def test_the_markdown_plan_carries_the_graph_when_asked_and_there_are_two_changes() -> None:
    result = created_fleet()
    with_graph = markdown.render(result, graph=True)
    assert with_graph.count("```mermaid\nflowchart LR\n") == 1
    assert "```mermaid" not in markdown.render(result)
    # The graph sits between the change table and the details.
    assert with_graph.index("| resource |") < with_graph.index("```mermaid")
    assert with_graph.index("```mermaid") < with_graph.index("<details>")

    one = Plan(
        owner="default", changes=[next(c for c in result.changes if c.action is Action.CREATE)]
    )
    assert "```mermaid" not in markdown.render(one, graph=True)  # nothing to order


def test_a_graph_too_large_to_draw_is_a_note_instead() -> None:
    many = [
        Change(
            address=f"Model/m{index}",
            kind=Kind.MODEL,
            name=f"m{index}",
            physical_name=f"m{index}",
            action=Action.CREATE,
            operations=["CreateModel"],
            reason="new",
        )
        for index in range(markdown.GRAPH_MAX_NODES + 1)
    ]
    (note,) = change_graph(many)
    assert "too large to draw" in note and "depends_on" in note
    assert change_graph(many[: markdown.GRAPH_MAX_NODES])[0] == "```mermaid"


def test_splitting_a_long_comment_never_cuts_a_diagram() -> None:
    diagram = change_graph(created_fleet().changes)
    block = "\n".join(diagram)
    filler = ["| a | b |", "|---|---|"] + [f"| row {i} | {'x' * 30} |" for i in range(40)]
    text = "\n".join([*filler, "", block, "", *filler, ""])
    limit = len("\n".join(filler)) + len(block) // 2  # the diagram straddles the first cut
    parts = split_comment(text, limit=limit)
    assert len(parts) >= 2
    holding = [part for part in parts if "```mermaid" in part]
    assert len(holding) == 1 and block in holding[0]
    for part in parts:
        assert len(part) <= limit
        assert part.count("```mermaid") == part.count("flowchart LR")


def test_graph_is_refused_outside_the_markdown_plan(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["plan", "--graph", "--format", "json"]) == 1
    assert "--graph draws the change graph in the markdown plan" in capsys.readouterr().err
