"""`reconciler plan --format markdown --graph` end to end against the emulator: the change
graph of a first apply and of a later edit holds exactly the plan's changes, each with its
action, and an arrow wherever the plan JSON says one change depends on another."""

from __future__ import annotations

import json
import re
from pathlib import Path

from reconciler.views.markdown import split_comment
from tests.support.env import Env, copy_examples
from tests.support.roles import trust

NODE = re.compile(r'^  (n\d+)\["(\S+) (\S+)<br/>([a-z-]+)"\]$')
EDGE = re.compile(r"^  (n\d+) --> (n\d+)$")


def graph_of(markdown: str) -> tuple[dict[str, tuple[str, str]], set[tuple[str, str]]]:
    """address → (node id, action), and the edges as (address first, address then)."""
    (block,) = re.findall(r"```mermaid\n(.*?)```", markdown, re.DOTALL)
    nodes: dict[str, tuple[str, str]] = {}
    ids: dict[str, str] = {}
    edges: set[tuple[str, str]] = set()
    for line in block.splitlines():
        if match := NODE.match(line):
            nodes[match.group(3)] = (match.group(1), match.group(4))
            ids[match.group(1)] = match.group(3)
        elif match := EDGE.match(line):
            edges.add((ids[match.group(1)], ids[match.group(2)]))
    return nodes, edges


def test_the_graph_holds_the_plan_s_changes_and_their_order(env: Env) -> None:
    directory = str(env.directory)
    edits = [None, ("classic/churn.yaml", "sagemaker-xgboost:1.7-1", "sagemaker-xgboost:1.7-2")]
    for edit in edits:  # a first apply, then an edit that touches a few resources
        if edit is not None:
            env.edit(*edit)
        run = env.reconciler("plan", directory, "--format", "markdown", "--graph")
        assert run.code == 0, run.err
        nodes, edges = graph_of(run.out)
        run = env.reconciler("plan", directory, "--json")
        changes = json.loads(run.out)["changes"]
        assert {a: action for a, (_, action) in nodes.items()} == {
            c["address"]: c["action"] for c in changes
        }
        assert edges == {
            (before, c["address"]) for c in changes for before in c["depends_on"] if before in nodes
        }
        assert env.apply().code == 0

    # Only what changes is drawn, in the order apply takes: the new model, the endpoint
    # config that names it, the endpoint that moves to that config.
    assert nodes == {
        "Model/churn-xgboost": ("n0", "replace"),
        "EndpointConfig/churn": ("n1", "replace"),
        "Endpoint/churn": ("n2", "update"),
    }
    assert edges == {
        ("Model/churn-xgboost", "EndpointConfig/churn"),
        ("EndpointConfig/churn", "Endpoint/churn"),
    }


STAGING = "111111111111"
PROD = "222222222222"
PROJECT = f"""\
targets:
  staging:
    region: us-east-1
    account_id: "{STAGING}"
    role_arn: arn:aws:iam::{STAGING}:role/sagemaker-reconciler
    plan_role_arn: arn:aws:iam::{STAGING}:role/sagemaker-reconciler-plan
    owner: platform-staging
    manifests: fleet
  prod:
    region: us-west-2
    account_id: "{PROD}"
    role_arn: arn:aws:iam::{PROD}:role/sagemaker-reconciler
    plan_role_arn: arn:aws:iam::{PROD}:role/sagemaker-reconciler-plan
    owner: platform-prod
    manifests: fleet
promotion: [staging, prod]
"""


def test_ci_s_plan_of_every_target_has_a_section_and_a_graph_each(env: Env, tmp_path: Path) -> None:
    """What the workflow's plan job runs: every target, through its read-only role."""
    for account in (STAGING, PROD):
        trust(env.url, f"arn:aws:iam::{account}:role/sagemaker-reconciler-plan")
    copy_examples(tmp_path / "fleet", hosting_only=True)
    (tmp_path / "reconciler.yaml").write_text(PROJECT)
    project = str(tmp_path / "reconciler.yaml")
    run = env.reconciler(
        "plan", "--all-targets", "--project", project, "--format", "markdown", "--graph",
        "--detailed-exitcode", "--endpoint-url", env.url,
    )  # fmt: skip
    assert run.code == 2, run.err  # changes: the accounts are empty
    sections = re.split(r"^## Target ", run.out, flags=re.MULTILINE)[1:]
    assert [s.split("`")[1] for s in sections] == ["staging", "prod"]
    for section in sections:
        nodes, edges = graph_of(section)
        assert nodes and edges
        assert {action for _, action in nodes.values()} == {"create"}
    # Within GitHub's limit, the whole text is one comment.
    assert split_comment(run.out) == [run.out]
