"""SageMaker HyperPod clusters: lifecycle, instance groups and their nodes, and the
ResourceNotFound / ResourceInUse / ConflictException errors clusters use."""

from __future__ import annotations

import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.support.factories import (
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


# -- what SageMaker fills in ---------------------------------------------------------------------

EKS = {"Eks": {"ClusterArn": "arn:aws:eks:us-east-1:123456789012:cluster/training-eks"}}


@pytest.mark.parametrize(
    ("instance_type", "threads"),
    [
        ("ml.t3.medium", 2),
        ("ml.g5.8xlarge", 2),
        ("ml.p5.48xlarge", 2),
        ("ml.m7g.xlarge", 1),  # Graviton: one thread per core
        ("ml.p6e-gb200.36xlarge", 1),  # Grace (ARM)
    ],
)
def test_describe_fills_in_threads_per_core_of_the_instance_type(
    sm: Any, instance_type: str, threads: int
) -> None:
    create_cluster(sm, groups=[instance_group("workers", 1, instance_type)])
    assert _groups(sm)["workers"]["ThreadsPerCore"] == threads


def test_describe_cluster_node_fills_in_threads_per_core_too(sm: Any) -> None:
    create_cluster(sm, groups=[instance_group("workers", 1, "ml.c7g.xlarge")])
    [node] = _nodes(sm)
    details = sm.describe_cluster_node(ClusterName="training-cluster", NodeId=node["InstanceId"])
    assert details["NodeDetails"]["ThreadsPerCore"] == 1


def test_describe_keeps_the_threads_per_core_asked_for(sm: Any) -> None:
    create_cluster(sm, groups=[instance_group("workers", 1, "ml.g5.8xlarge", ThreadsPerCore=1)])
    assert _groups(sm)["workers"]["ThreadsPerCore"] == 1


def test_two_threads_per_core_on_graviton_is_refused(sm: Any) -> None:
    with pytest.raises(ClientError) as exc:
        create_cluster(sm, groups=[instance_group("workers", 1, "ml.c7g.xlarge", ThreadsPerCore=2)])
    assert_error(exc.value, "ValidationException", contains="ThreadsPerCore")
    assert sm.list_clusters()["ClusterSummaries"] == []


def test_describe_fills_in_automatic_node_recovery(sm: Any) -> None:
    create_cluster(sm)
    described = _describe(sm)
    assert described["NodeRecovery"] == "Automatic"
    assert "NodeProvisioningMode" not in described  # Continuous is off unless asked for
    create_cluster(sm, "manual-recovery", NodeRecovery="None")
    assert _describe(sm, "manual-recovery")["NodeRecovery"] == "None"


def test_kubernetes_config_is_answered_as_current_and_desired(sm: Any) -> None:
    config = {"Labels": {"team": "vision"}, "Taints": [{"Key": "gpu", "Effect": "NoSchedule"}]}
    create_cluster(
        sm, groups=[instance_group("workers", 1, KubernetesConfig=config)], Orchestrator=EKS
    )
    assert _groups(sm)["workers"]["KubernetesConfig"] == {
        "CurrentLabels": config["Labels"],
        "DesiredLabels": config["Labels"],
        "CurrentTaints": config["Taints"],
        "DesiredTaints": config["Taints"],
    }


def test_extra_server_fields_mode_adds_nested_fields(
    emulator: Any, sm: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_cluster(sm)
    plain = _groups(sm)["workers"]
    assert "CurrentImageId" not in plain and "TieredStorageConfig" not in _describe(sm)

    monkeypatch.setattr(emulator.app.control, "server_fields", "extra")
    described = _describe(sm)
    assert described["TieredStorageConfig"] == {"Mode": "Disable"}
    assert described["AutoScaling"]["Mode"] == "Disable"
    [workers] = described["InstanceGroups"]
    assert workers["CurrentImageId"] == workers["DesiredImageId"]
    assert workers["ImageVersionStatus"] == "UpToDate"
    assert workers["InstanceStorageConfigs"] == [{"EbsVolumeConfig": {"VolumeSizeInGB": 500}}]


# -- create-only per orchestrator ----------------------------------------------------------------


def test_an_eks_group_changes_instance_type_and_its_nodes_roll(emulator: Any, sm: Any) -> None:
    create_cluster(sm, groups=[instance_group("workers", 2, "ml.g5.8xlarge")], Orchestrator=EKS)
    old_nodes = {n["InstanceId"] for n in _nodes(sm)}
    emulator.control.set_transitions("describes:2")

    sm.update_cluster(
        ClusterName="training-cluster",
        InstanceGroups=[instance_group("workers", 2, "ml.g6.8xlarge")],
    )
    updating = _describe(sm)
    assert updating["ClusterStatus"] == "Updating"
    assert updating["InstanceGroups"][0]["InstanceType"] == "ml.g6.8xlarge"  # the target
    assert _status(sm) == "InService"
    nodes = _nodes(sm)
    assert {n["InstanceType"] for n in nodes} == {"ml.g6.8xlarge"}
    assert len(nodes) == 2
    assert not old_nodes & {n["InstanceId"] for n in nodes}  # replaced, not relabelled
    workers = _groups(sm)["workers"]
    assert workers["InstanceType"] == "ml.g6.8xlarge"
    assert workers["TargetCount"] == workers["CurrentCount"] == 2


def test_a_slurm_group_instance_type_change_is_refused(sm: Any) -> None:
    create_cluster(
        sm,
        groups=[instance_group("workers", 2)],
        Orchestrator={"Slurm": {"SlurmConfigStrategy": "Managed"}},
    )
    with pytest.raises(ClientError) as exc:
        sm.update_cluster(
            ClusterName="training-cluster",
            InstanceGroups=[instance_group("workers", 2, "ml.g5.8xlarge")],
        )
    assert_error(exc.value, "ValidationException", contains="InstanceType")
    assert {n["InstanceType"] for n in _nodes(sm)} == {"ml.t3.medium"}


@pytest.mark.parametrize("orchestrator", [None, EKS], ids=["slurm", "eks"])
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("ExecutionRole", "arn:aws:iam::123456789012:role/OtherExecution"),
        ("ThreadsPerCore", 1),
        ("OverrideVpcConfig", {"SecurityGroupIds": ["sg-2"], "Subnets": ["subnet-9"]}),
    ],
)
def test_create_only_group_fields_are_refused_on_every_orchestrator(
    sm: Any, orchestrator: Any, field: str, value: Any
) -> None:
    extra = {"Orchestrator": orchestrator} if orchestrator else {}
    create_cluster(sm, groups=[instance_group("workers", 2)], **extra)
    with pytest.raises(ClientError) as exc:
        sm.update_cluster(
            ClusterName="training-cluster",
            InstanceGroups=[instance_group("workers", 2, **{field: value})],
        )
    assert_error(exc.value, "ValidationException", contains=field)
    assert _status(sm) == "InService"


def test_restating_the_default_threads_per_core_is_no_change(sm: Any) -> None:
    create_cluster(sm, groups=[instance_group("workers", 2)])
    sm.update_cluster(
        ClusterName="training-cluster",
        InstanceGroups=[instance_group("workers", 3, ThreadsPerCore=2)],
    )
    assert _groups(sm)["workers"]["TargetCount"] == 3


# -- BatchDeleteClusterNodes -----------------------------------------------------------------------


def test_batch_delete_cluster_nodes_removes_them_and_lowers_the_target(sm: Any) -> None:
    create_cluster(sm, groups=[instance_group("controller", 1), instance_group("workers", 3)])
    workers = [n["InstanceId"] for n in _nodes(sm) if n["InstanceGroupName"] == "workers"]
    missing = "i-0123456789abcdef0"

    answer = sm.batch_delete_cluster_nodes(
        ClusterName="training-cluster", NodeIds=[workers[0], missing]
    )
    assert answer["Successful"] == [workers[0]]
    assert answer["Failed"] == [
        {
            "Code": "NodeIdNotFound",
            "Message": f"Node {missing} not found in cluster training-cluster.",
            "NodeId": missing,
        }
    ]
    remaining = {n["InstanceId"] for n in _nodes(sm)}
    assert workers[0] not in remaining
    assert set(workers[1:]) <= remaining
    group = _groups(sm)["workers"]
    assert group["TargetCount"] == group["CurrentCount"] == 2
    assert _groups(sm)["controller"]["TargetCount"] == 1
    with pytest.raises(ClientError) as exc:
        sm.describe_cluster_node(ClusterName="training-cluster", NodeId=workers[0])
    assert_error(exc.value, "ResourceNotFound")


def test_batch_delete_cluster_nodes_spares_slurm_controllers(sm: Any) -> None:
    create_cluster(
        sm,
        groups=[
            instance_group("controller", 1, SlurmConfig={"NodeType": "Controller"}),
            instance_group("workers", 1, SlurmConfig={"NodeType": "Compute"}),
        ],
    )
    by_group = {n["InstanceGroupName"]: n["InstanceId"] for n in _nodes(sm)}
    answer = sm.batch_delete_cluster_nodes(
        ClusterName="training-cluster", NodeIds=[by_group["controller"]]
    )
    assert "Successful" not in answer
    [failed] = answer["Failed"]
    assert (failed["Code"], failed["NodeId"]) == ("InvalidNodeStatus", by_group["controller"])
    assert _count_by_group(_nodes(sm)) == {"controller": 1, "workers": 1}


def test_batch_delete_cluster_nodes_refuses_bad_requests(sm: Any) -> None:
    with pytest.raises(ClientError) as exc:
        sm.batch_delete_cluster_nodes(
            ClusterName="no-such-cluster", NodeIds=["i-0123456789abcdef0"]
        )
    assert_error(exc.value, "ResourceNotFound")
    create_cluster(sm)
    with pytest.raises(ClientError) as exc:
        sm.batch_delete_cluster_nodes(ClusterName="training-cluster")
    assert_error(exc.value, "ValidationException")
    too_many = [f"i-{n:017x}" for n in range(100)]
    with pytest.raises(ClientError) as exc:
        sm.batch_delete_cluster_nodes(ClusterName="training-cluster", NodeIds=too_many)
    assert_error(exc.value, "ValidationException", contains="99")
    assert len(_nodes(sm)) == 2


# -- UpdateClusterSoftware -------------------------------------------------------------------------


def test_update_cluster_software_is_updating_then_in_service(emulator: Any, sm: Any) -> None:
    create_cluster(sm, groups=[instance_group("workers", 2, ImageId="ami-0aaaaaaaaaaaaaaaa")])
    nodes_before = {n["InstanceId"] for n in _nodes(sm)}
    emulator.control.set_transitions("describes:2")

    arn = sm.update_cluster_software(
        ClusterName="training-cluster", ImageId="ami-0bbbbbbbbbbbbbbbb"
    )["ClusterArn"]
    assert CLUSTER_ARN.fullmatch(arn)
    updating = _describe(sm)
    assert updating["ClusterStatus"] == "Updating"
    assert updating["InstanceGroups"][0]["Status"] == "Updating"

    # Busy: a second software update, or a cluster update, waits its turn.
    with pytest.raises(ClientError) as exc:
        sm.update_cluster_software(ClusterName="training-cluster")
    assert_error(exc.value, "ConflictException")
    with pytest.raises(ClientError) as exc:
        sm.update_cluster(
            ClusterName="training-cluster", InstanceGroups=[instance_group("workers", 3)]
        )
    assert_error(exc.value, "ConflictException")

    assert _status(sm) == "InService"
    workers = _groups(sm)["workers"]
    assert workers["CurrentImageId"] == workers["DesiredImageId"] == "ami-0bbbbbbbbbbbbbbbb"
    assert workers["Status"] == "InService"
    assert {n["InstanceId"] for n in _nodes(sm)} == nodes_before


def test_update_cluster_software_targets_named_groups(sm: Any) -> None:
    create_cluster(sm, groups=[instance_group("controller", 1), instance_group("workers", 2)])
    sm.update_cluster_software(
        ClusterName="training-cluster",
        InstanceGroups=[{"InstanceGroupName": "workers", "ImageReleaseVersion": "1.2.3"}],
    )
    groups = _groups(sm)
    assert groups["workers"]["CurrentImageReleaseVersion"] == "1.2.3"
    assert "CurrentImageReleaseVersion" not in groups["controller"]
    with pytest.raises(ClientError) as exc:
        sm.update_cluster_software(
            ClusterName="training-cluster", InstanceGroups=[{"InstanceGroupName": "nope"}]
        )
    assert_error(exc.value, "ValidationException")
    with pytest.raises(ClientError) as exc:
        sm.update_cluster_software(ClusterName="no-such-cluster")
    assert_error(exc.value, "ResourceNotFound")
