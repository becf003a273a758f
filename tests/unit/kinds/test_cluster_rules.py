"""Cluster's rules (reconciler.kinds.cluster_rules): each instance group's minimum within
its count, group names unique per list."""

from __future__ import annotations

from typing import Any

from reconciler.kinds import KINDS
from reconciler.kinds.cluster_rules import cluster_problems
from reconciler.resources import Kind, Location
from tests.unit.kinds.rules_support import fields, manifest


def group(name: str, count: int, **extra: Any) -> dict[str, Any]:
    return {
        "InstanceGroupName": name,
        "InstanceType": "ml.t3.medium",
        "InstanceCount": count,
        **extra,
    }


def test_distinct_groups_within_their_counts_pass() -> None:
    spec = {"InstanceGroups": [group("controller", 1), group("workers", 4, MinInstanceCount=2)]}
    assert cluster_problems(manifest(Kind.CLUSTER, "c", spec)) == []


def test_a_minimum_above_the_count_is_refused_at_its_line() -> None:
    cluster = manifest(
        Kind.CLUSTER, "c", {"InstanceGroups": [group("workers", 2, MinInstanceCount=3)]}
    )
    cluster.lines[("InstanceGroups", 0, "MinInstanceCount")] = 9
    [problem] = cluster_problems(cluster)
    assert problem.field == "spec.InstanceGroups[0].MinInstanceCount"
    assert problem.location == Location("Cluster.yaml", 9)
    assert problem.message.startswith("must be at most InstanceCount (2), got 3")


def test_a_group_name_twice_in_restricted_groups_is_refused() -> None:
    spec = {"RestrictedInstanceGroups": [group("gpu", 1), group("gpu", 2)]}
    [problem] = cluster_problems(manifest(Kind.CLUSTER, "c", spec))
    assert fields([problem]) == ["spec.RestrictedInstanceGroups[1].InstanceGroupName"]
    assert "(also RestrictedInstanceGroups[0])" in problem.message


def test_the_cluster_kind_declares_its_rule() -> None:
    assert KINDS[Kind.CLUSTER].rules.document is cluster_problems
