"""SageMaker HyperPod clusters: lifecycle, instance groups and their nodes, and the
ResourceNotFound / ResourceInUse / ConflictException errors clusters use."""

from __future__ import annotations

import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.emulator.factories import (
    LIFECYCLE,
    ROLE_ARN,
    assert_error,
    create_cluster,
    instance_group,
)

CLUSTER_ARN = re.compile(r"arn:aws:sagemaker:us-east-1:123456789012:cluster/[a-z0-9]{12}")
NODE_ID = re.compile(r"i-[a-f0-9]{8}(?:[a-f0-9]{9})?")


def _describe(sm: Any, name: str = "training-cluster") -> dict[str, Any]:
    return dict(sm.describe_cluster(ClusterName=name))


def _status(sm: Any, name: str = "training-cluster") -> str:
    return str(_describe(sm, name)["ClusterStatus"])


def _nodes(sm: Any, name: str = "training-cluster") -> list[dict[str, Any]]:
    pages = sm.get_paginator("list_cluster_nodes").paginate(ClusterName=name)
    return [node for page in pages for node in page["ClusterNodeSummaries"]]


def _count_by_group(nodes: list[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for node in nodes:
        counts[node["InstanceGroupName"]] = counts.get(node["InstanceGroupName"], 0) + 1
    return counts


def _groups(sm: Any, name: str = "training-cluster") -> dict[str, dict[str, Any]]:
    return {g["InstanceGroupName"]: g for g in _describe(sm, name)["InstanceGroups"]}


# -- create / describe -----------------------------------------------------------------------


def test_create_cluster_arn_carries_a_generated_id(sm: Any) -> None:
    arn = create_cluster(sm, "training-cluster")["ClusterArn"]
    assert CLUSTER_ARN.fullmatch(arn), arn
    assert "training-cluster" not in arn

    other = create_cluster(sm, "other-cluster")["ClusterArn"]
    assert CLUSTER_ARN.fullmatch(other)
    assert other != arn


def test_describe_cluster(sm: Any) -> None:
    arn = create_cluster(
        sm, groups=[instance_group("controller", 1), instance_group("workers", 3, "ml.g5.8xlarge")]
    )["ClusterArn"]

    described = _describe(sm)
    assert described["ClusterName"] == "training-cluster"
    assert described["ClusterArn"] == arn
    assert described["ClusterStatus"] == "InService"
    assert "FailureMessage" not in described
    groups = {g["InstanceGroupName"]: g for g in described["InstanceGroups"]}
    assert set(groups) == {"controller", "workers"}
    workers = groups["workers"]
    assert workers["InstanceType"] == "ml.g5.8xlarge"
    assert workers["TargetCount"] == workers["CurrentCount"] == 3
    assert workers["LifeCycleConfig"] == LIFECYCLE
    assert workers["ExecutionRole"] == ROLE_ARN
    # The ARN works wherever a cluster name does.
    assert sm.describe_cluster(ClusterName=arn)["ClusterName"] == "training-cluster"


def test_create_is_creating_then_in_service(emulator: Any, sm: Any) -> None:
    emulator.control.set_transitions("describes:2")
    create_cluster(sm, groups=[instance_group("workers", 2)])
    assert _status(sm) == "Creating"
    assert _status(sm) == "InService"
    assert _count_by_group(_nodes(sm)) == {"workers": 2}


def test_creating_an_existing_cluster_is_refused(sm: Any) -> None:
    create_cluster(sm)
    with pytest.raises(ClientError) as exc:
        create_cluster(sm, groups=[instance_group("workers", 5)])
    assert_error(exc.value, "ResourceInUse")
    assert _groups(sm)["workers"]["TargetCount"] == 2


@pytest.mark.parametrize(
    ("call", "extra"),
    [
        ("describe_cluster", {}),
        ("delete_cluster", {}),
        ("list_cluster_nodes", {}),
        ("update_cluster", {"InstanceGroups": [instance_group("workers", 1)]}),
    ],
)
def test_unknown_cluster_is_not_found(sm: Any, call: str, extra: dict[str, Any]) -> None:
    with pytest.raises(ClientError) as exc:
        getattr(sm, call)(ClusterName="no-such-cluster", **extra)
    assert_error(exc.value, "ResourceNotFound")


# -- nodes -----------------------------------------------------------------------------------


def test_list_cluster_nodes_follows_instance_counts(sm: Any) -> None:
    create_cluster(
        sm, groups=[instance_group("controller", 1), instance_group("workers", 4, "ml.g5.8xlarge")]
    )
    nodes = _nodes(sm)
    assert _count_by_group(nodes) == {"controller": 1, "workers": 4}
    for node in nodes:
        assert NODE_ID.fullmatch(node["InstanceId"]), node["InstanceId"]
        assert node["InstanceStatus"]["Status"] == "Running"
        assert "LaunchTime" in node
        expected_type = (
            "ml.t3.medium" if node["InstanceGroupName"] == "controller" else "ml.g5.8xlarge"
        )
        assert node["InstanceType"] == expected_type
    assert len({n["InstanceId"] for n in nodes}) == 5

    pages = list(
        sm.get_paginator("list_cluster_nodes").paginate(
            ClusterName="training-cluster", PaginationConfig={"PageSize": 2}
        )
    )
    assert [len(p["ClusterNodeSummaries"]) for p in pages] == [2, 2, 1]
    assert {n["InstanceId"] for p in pages for n in p["ClusterNodeSummaries"]} == {
        n["InstanceId"] for n in nodes
    }
    only_workers = sm.list_cluster_nodes(
        ClusterName="training-cluster", InstanceGroupNameContains="work"
    )
    assert _count_by_group(only_workers["ClusterNodeSummaries"]) == {"workers": 4}


def test_describe_cluster_node(sm: Any) -> None:
    create_cluster(sm, groups=[instance_group("workers", 1)])
    [node] = _nodes(sm)

    details = sm.describe_cluster_node(ClusterName="training-cluster", NodeId=node["InstanceId"])[
        "NodeDetails"
    ]
    assert details["InstanceId"] == node["InstanceId"]
    assert details["InstanceGroupName"] == "workers"
    assert details["InstanceType"] == "ml.t3.medium"
    assert details["InstanceStatus"]["Status"] == "Running"
    assert details["LifeCycleConfig"] == LIFECYCLE

    with pytest.raises(ClientError) as exc:
        sm.describe_cluster_node(ClusterName="training-cluster", NodeId="i-0123456789abcdef0")
    assert_error(exc.value, "ResourceNotFound")


# -- update ----------------------------------------------------------------------------------


def test_scale_up_and_down(emulator: Any, sm: Any) -> None:
    create_cluster(sm, groups=[instance_group("workers", 2)])
    before = {n["InstanceId"] for n in _nodes(sm)}
    emulator.control.set_transitions("describes:2")

    arn = sm.update_cluster(
        ClusterName="training-cluster", InstanceGroups=[instance_group("workers", 4)]
    )["ClusterArn"]
    assert CLUSTER_ARN.fullmatch(arn)
    assert _status(sm) == "Updating"
    assert _status(sm) == "InService"
    after_up = {n["InstanceId"] for n in _nodes(sm)}
    assert len(after_up) == 4
    assert before <= after_up  # existing nodes stay
    assert _groups(sm)["workers"]["TargetCount"] == 4

    sm.update_cluster(ClusterName="training-cluster", InstanceGroups=[instance_group("workers", 1)])
    _describe(sm)
    assert _status(sm) == "InService"
    after_down = {n["InstanceId"] for n in _nodes(sm)}
    assert len(after_down) == 1
    assert after_down <= after_up
    workers = _groups(sm)["workers"]
    assert workers["TargetCount"] == workers["CurrentCount"] == 1


def test_add_a_group(sm: Any) -> None:
    create_cluster(sm, groups=[instance_group("workers", 2)])
    sm.update_cluster(
        ClusterName="training-cluster",
        InstanceGroups=[instance_group("workers", 2), instance_group("gpu", 3, "ml.g5.8xlarge")],
    )
    assert set(_groups(sm)) == {"workers", "gpu"}
    nodes = _nodes(sm)
    assert _count_by_group(nodes) == {"workers": 2, "gpu": 3}
    assert {n["InstanceType"] for n in nodes if n["InstanceGroupName"] == "gpu"} == {
        "ml.g5.8xlarge"
    }


def test_instance_groups_to_delete_removes_group_and_nodes(sm: Any) -> None:
    create_cluster(sm, groups=[instance_group("workers", 2), instance_group("spare", 2)])
    workers_before = {n["InstanceId"] for n in _nodes(sm) if n["InstanceGroupName"] == "workers"}

    sm.update_cluster(
        ClusterName="training-cluster",
        InstanceGroups=[instance_group("workers", 2)],
        InstanceGroupsToDelete=["spare"],
    )
    assert set(_groups(sm)) == {"workers"}
    nodes = _nodes(sm)
    assert _count_by_group(nodes) == {"workers": 2}
    assert {n["InstanceId"] for n in nodes} == workers_before


def test_changing_a_group_instance_type_is_refused(sm: Any) -> None:
    create_cluster(sm, groups=[instance_group("workers", 2)])
    with pytest.raises(ClientError) as exc:
        sm.update_cluster(
            ClusterName="training-cluster",
            InstanceGroups=[instance_group("workers", 2, "ml.g5.8xlarge")],
        )
    assert_error(exc.value, "ValidationException")
    assert _status(sm) == "InService"
    assert _groups(sm)["workers"]["InstanceType"] == "ml.t3.medium"


@pytest.mark.parametrize("phase", ["Creating", "Updating"])
def test_update_while_busy_is_a_conflict(emulator: Any, sm: Any, phase: str) -> None:
    if phase == "Creating":
        emulator.control.set_transitions("describes:3")
        create_cluster(sm)
    else:
        create_cluster(sm)
        emulator.control.set_transitions("describes:3")
        sm.update_cluster(
            ClusterName="training-cluster", InstanceGroups=[instance_group("workers", 3)]
        )
    assert _status(sm) == phase

    with pytest.raises(ClientError) as exc:
        sm.update_cluster(
            ClusterName="training-cluster", InstanceGroups=[instance_group("workers", 5)]
        )
    assert_error(exc.value, "ConflictException")
    assert _status(sm) == phase
    assert _groups(sm)["workers"]["TargetCount"] != 5


# -- delete / failure ------------------------------------------------------------------------


def test_delete_while_creating_is_a_conflict(emulator: Any, sm: Any) -> None:
    emulator.control.set_transitions("describes:3")
    create_cluster(sm)
    with pytest.raises(ClientError) as exc:
        sm.delete_cluster(ClusterName="training-cluster")
    assert_error(exc.value, "ConflictException")
    assert _status(sm) == "Creating"


def test_delete_is_deleting_then_gone(emulator: Any, sm: Any) -> None:
    arn = create_cluster(sm)["ClusterArn"]
    emulator.control.set_transitions("describes:2")
    assert sm.delete_cluster(ClusterName="training-cluster")["ClusterArn"] == arn

    assert _status(sm) == "Deleting"
    with pytest.raises(ClientError) as exc:
        _describe(sm)
    assert_error(exc.value, "ResourceNotFound")
    assert sm.list_clusters()["ClusterSummaries"] == []


def test_failed_create_ends_failed_with_message(emulator: Any, sm: Any) -> None:
    emulator.control.fail("Cluster", "training-cluster", "Lifecycle script on_create.sh failed")
    emulator.control.set_transitions("describes:2")
    create_cluster(sm)

    assert _status(sm) == "Creating"
    failed = _describe(sm)
    assert failed["ClusterStatus"] == "Failed"
    assert failed["FailureMessage"] == "Lifecycle script on_create.sh failed"

    with pytest.raises(ClientError) as exc:
        sm.update_cluster(
            ClusterName="training-cluster", InstanceGroups=[instance_group("workers", 1)]
        )
    assert_error(exc.value, "ConflictException")

    emulator.control.set_transitions("immediate")
    sm.delete_cluster(ClusterName="training-cluster")
    with pytest.raises(ClientError) as exc:
        _describe(sm)
    assert_error(exc.value, "ResourceNotFound")


def test_list_clusters(sm: Any) -> None:
    arns = [create_cluster(sm, name)["ClusterArn"] for name in ["beta", "alpha", "gamma"]]
    summaries = sm.list_clusters()["ClusterSummaries"]
    assert [c["ClusterName"] for c in summaries] == ["beta", "alpha", "gamma"]  # oldest first
    assert [c["ClusterArn"] for c in summaries] == arns
    assert {c["ClusterStatus"] for c in summaries} == {"InService"}
    by_name = sm.list_clusters(SortBy="NAME", SortOrder="Descending")["ClusterSummaries"]
    assert [c["ClusterName"] for c in by_name] == ["gamma", "beta", "alpha"]
    assert [c["ClusterName"] for c in sm.list_clusters(NameContains="al")["ClusterSummaries"]] == [
        "alpha"
    ]


def test_target_count_is_the_new_count_while_updating(emulator: Any, sm: Any) -> None:
    create_cluster(sm, groups=[instance_group("workers", 2)])
    emulator.control.set_transitions("describes:2")
    sm.update_cluster(ClusterName="training-cluster", InstanceGroups=[instance_group("workers", 4)])
    updating = _describe(sm)
    assert updating["ClusterStatus"] == "Updating"
    [workers] = updating["InstanceGroups"]
    assert workers["CurrentCount"] == 2
    assert workers["TargetCount"] == 4
