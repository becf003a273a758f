"""Cluster planning, table by table (pure: LiveState is built by hand, no AWS): instance
groups diffed by name, one UpdateCluster per change, create-only changes refused without
allow-replace, and the UpdateCluster request built from the desired spec and a Describe."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from reconciler.kinds import cluster as cluster_kind
from reconciler.kinds.cluster_rules import cluster_problems
from reconciler.naming import content_hash
from reconciler.observe import LiveResource, LiveState
from reconciler.planning.changes import Action, Plan
from reconciler.planning.desired import resolve
from reconciler.planning.planner import PLANNED_KINDS, observation_for, plan
from reconciler.resources import (
    ADDRESS_TAG,
    FAILED_SPEC_TAG,
    OWNER_TAG,
    Annotations,
    Kind,
    Location,
    Manifest,
)
from reconciler.views import human

ROLE = "arn:aws:iam::123456789012:role/HyperPodExecution"
OTHER_ROLE = "arn:aws:iam::123456789012:role/OtherExecution"
ARN = "arn:aws:sagemaker:us-east-1:123456789012:cluster/a1b2c3d4e5f6"
LIFECYCLE = {"SourceS3Uri": "s3://example-hyperpod-lifecycle/training/", "OnCreate": "on_create.sh"}


def group(name: str, count: int, instance_type: str = "ml.g5.8xlarge", **extra: Any) -> dict:
    return {
        "InstanceGroupName": name,
        "InstanceType": instance_type,
        "InstanceCount": count,
        "LifeCycleConfig": dict(LIFECYCLE),
        "ExecutionRole": ROLE,
        **extra,
    }


def spec(*groups: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "VpcConfig": {"SecurityGroupIds": ["sg-1"], "Subnets": ["subnet-1", "subnet-2"]},
        "InstanceGroups": list(groups)
        or [group("controller", 1, "ml.t3.medium"), group("workers", 2)],
        **extra,
    }


def manifest(cluster_spec: dict[str, Any] | None = None, **annotations: Any) -> Manifest:
    the_spec = cluster_spec if cluster_spec is not None else spec()
    lines: dict[tuple[str | int, ...], int] = {(): 6}
    for index, _ in enumerate(the_spec.get("InstanceGroups", [])):
        lines[("InstanceGroups", index)] = 20 + 10 * index
        for offset, field in enumerate(("InstanceGroupName", "InstanceType", "InstanceCount")):
            lines[("InstanceGroups", index, field)] = 21 + 10 * index + offset
    return Manifest(
        Kind.CLUSTER,
        "training",
        the_spec,
        Location("cluster.yaml", 1),
        tags={"team": "research"},
        annotations=Annotations(**annotations),
        lines=lines,
    )


def describe_as_aws(cluster_spec: dict[str, Any], status: str = "InService") -> dict[str, Any]:
    """What DescribeCluster answers for a cluster created from `cluster_spec`: counts as
    TargetCount/CurrentCount, defaults filled in, groups in another order."""
    answer: dict[str, Any] = {
        "ClusterArn": ARN,
        "ClusterName": "training",
        "ClusterStatus": status,
        "CreationTime": "2026-01-01T00:00:00Z",
        "NodeRecovery": "Automatic",
        **{k: copy.deepcopy(v) for k, v in cluster_spec.items() if k != "InstanceGroups"},
    }
    answer["VpcConfig"]["Subnets"].reverse()  # order means nothing
    groups = []
    for wanted in cluster_spec["InstanceGroups"]:
        details = {k: copy.deepcopy(v) for k, v in wanted.items() if k != "InstanceCount"}
        details.update(
            CurrentCount=wanted["InstanceCount"],
            TargetCount=wanted["InstanceCount"],
            Status="InService",
            CurrentImageId="ami-default",
            DesiredImageId="ami-default",
            InstanceStorageConfigs=[{"EbsVolumeConfig": {"VolumeSizeInGB": 500}}],
        )
        details.setdefault("ThreadsPerCore", 2)
        groups.append(details)
    answer["InstanceGroups"] = list(reversed(groups))
    return answer


def live_state(
    cluster_spec: dict[str, Any] | None = None,
    *,
    status: str = "InService",
    owner: str = "default",
    extra_tags: dict[str, str] | None = None,
    description: dict[str, Any] | None = None,
) -> LiveState:
    """The account holding the cluster as a successful apply of `cluster_spec` leaves it."""
    desired, problems = resolve([manifest(cluster_spec)], owner)
    assert not problems
    [item] = desired.values()
    tags = {**item.tags, **(extra_tags or {})}
    state = LiveState()
    state.add(
        LiveResource(
            Kind.CLUSTER,
            "training",
            ARN,
            {"ClusterName": "training", "ClusterArn": ARN, "ClusterStatus": status},
            tags,
            description if description is not None else describe_as_aws(item.spec, status),
        )
    )
    return state


def only_change(result: Plan) -> Any:
    [change] = [c for c in result.changes if c.address == "Cluster/training"]
    return change


def diff_of(change: Any) -> list[tuple[str, Any, Any]]:
    return [(d.path, d.to_json()["before"], d.to_json()["after"]) for d in change.diff]


# -- reading the account back ------------------------------------------------------------------


def test_live_spec_maps_describe_back_to_the_create_request() -> None:
    answer = describe_as_aws(spec())
    answer["InstanceGroups"][0].update(
        CurrentCount=1,  # still scaling: what was asked for is TargetCount
        TargetCount=2,
        MinCount=1,
        DesiredImageId="ami-new",
        CurrentImageId="ami-old",
        TrainingPlanStatus="NotApplicable",
        ActiveOperations={"Scaling": 1},
    )
    answer["FailureMessage"] = "an old failure"
    live = cluster_kind.live_spec(answer)
    assert set(live) == {"VpcConfig", "NodeRecovery", "InstanceGroups"}
    workers = live["InstanceGroups"][0]
    assert workers == {
        "InstanceGroupName": "workers",
        "InstanceType": "ml.g5.8xlarge",
        "InstanceCount": 2,
        "MinInstanceCount": 1,
        "LifeCycleConfig": LIFECYCLE,
        "ExecutionRole": ROLE,
        "ThreadsPerCore": 2,
        "InstanceStorageConfigs": [{"EbsVolumeConfig": {"VolumeSizeInGB": 500}}],
        "ImageId": "ami-new",
    }


def test_clusters_are_planned_last_and_observed() -> None:
    assert PLANNED_KINDS[-1] is Kind.CLUSTER
    observation = observation_for([manifest()], "default")
    assert Kind.CLUSTER in observation.kinds
    assert (Kind.CLUSTER, "training") in observation.wanted


def test_empty_account_creates_the_cluster_with_its_tags() -> None:
    result = plan([manifest()], LiveState(), owner="default")
    assert not result.problems and not result.warnings
    change = only_change(result)
    assert (change.action, change.operations) == (Action.CREATE, ["CreateCluster"])
    assert change.tags_to_add[OWNER_TAG] == "default"
    assert change.tags_to_add[ADDRESS_TAG] == "Cluster/training"


def test_right_after_apply_the_plan_is_empty() -> None:
    # Groups listed in another order, defaults filled in, subnets reordered: all the same.
    result = plan([manifest()], live_state(), owner="default")
    assert not result.problems
    assert not result.has_changes, [c.to_json() for c in result.changes]


def test_groups_reordered_in_the_manifest_change_nothing() -> None:
    reordered = spec(group("workers", 2), group("controller", 1, "ml.t3.medium"))
    result = plan([manifest(reordered)], live_state(), owner="default")
    assert not result.has_changes


# -- in-place changes: one UpdateCluster ---------------------------------------------------------


@pytest.mark.parametrize(
    ("new_spec", "reason", "diff"),
    [
        pytest.param(
            spec(group("controller", 1, "ml.t3.medium"), group("workers", 4)),
            "instance group workers changed",
            [("InstanceGroups[workers].InstanceCount", 2, 4)],
            id="scale-up",
        ),
        pytest.param(
            spec(group("controller", 1, "ml.t3.medium"), group("workers", 1)),
            "instance group workers changed",
            [("InstanceGroups[workers].InstanceCount", 2, 1)],
            id="scale-down",
        ),
        pytest.param(
            spec(
                group("controller", 1, "ml.t3.medium"),
                group("workers", 2, LifeCycleConfig={**LIFECYCLE, "OnCreate": "v2.sh"}),
            ),
            "instance group workers changed",
            [("InstanceGroups[workers].LifeCycleConfig.OnCreate", "on_create.sh", "v2.sh")],
            id="lifecycle",
        ),
        pytest.param(
            spec(
                group("controller", 1, "ml.t3.medium"),
                group("workers", 2),
                group("login", 1, "ml.m5.xlarge"),
            ),
            "instance group login added",
            [("InstanceGroups[login]", None, group("login", 1, "ml.m5.xlarge"))],
            id="add-group",
        ),
        pytest.param(
            spec(group("controller", 1, "ml.t3.medium")),
            "instance group workers removed",
            [
                (
                    "InstanceGroups[workers]",
                    {**group("workers", 2), "ThreadsPerCore": 2, "ImageId": "ami-default"}
                    | {"InstanceStorageConfigs": [{"EbsVolumeConfig": {"VolumeSizeInGB": 500}}]},
                    None,
                )
            ],
            id="remove-group",
        ),
        pytest.param(
            spec(group("controller", 1, "ml.t3.medium"), group("workers", 2), NodeRecovery="None"),
            "NodeRecovery changed",
            [("NodeRecovery", "Automatic", "None")],
            id="cluster-field",
        ),
    ],
)
def test_in_place_changes_are_one_update_cluster(
    new_spec: dict[str, Any], reason: str, diff: list[tuple[str, Any, Any]]
) -> None:
    result = plan([manifest(new_spec)], live_state(), owner="default")
    assert not result.problems
    change = only_change(result)
    # A change of the declared fields (a group or a field added or removed) also rewrites
    # the record of what was applied, so that a field dropped later is still seen.
    record = (
        ["AddTags"]
        if cluster_kind.INFO.declared_paths(new_spec) != cluster_kind.INFO.declared_paths(spec())
        else []
    )
    assert (change.action, change.operations) == (Action.UPDATE, ["UpdateCluster", *record])
    assert change.reason == reason
    assert diff_of(change) == diff


def test_a_new_group_may_have_any_instance_type() -> None:
    """InstanceType is create-only for a group that exists, not for a new one."""
    new_spec = spec(
        group("controller", 1, "ml.t3.medium"),
        group("workers", 2),
        group("gpu", 1, "ml.p5.48xlarge", ThreadsPerCore=1),
    )
    change = only_change(plan([manifest(new_spec)], live_state(), owner="default"))
    assert change.operations == ["UpdateCluster", "AddTags"]  # AddTags: the record


# -- create-only per orchestrator: EKS groups may change their InstanceType -------------------

EKS = {"Eks": {"ClusterArn": "arn:aws:eks:us-east-1:123456789012:cluster/training-eks"}}
SLURM = {"Slurm": {"SlurmConfigStrategy": "Managed"}}


def record_rewrite(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """["AddTags"] when the declared fields change (the record of the apply is rewritten)."""
    paths = cluster_kind.INFO.declared_paths
    return ["AddTags"] if paths(before) != paths(after) else []


def test_an_eks_group_changes_its_instance_type_in_place() -> None:
    """The HyperPod guide for EKS documents changing a group's InstanceType through
    UpdateCluster: no replacement, no allow-replace needed."""
    before = spec(Orchestrator=EKS)
    after = spec(
        group("controller", 1, "ml.t3.medium"),
        group("workers", 2, "ml.g6.8xlarge"),
        Orchestrator=EKS,
    )
    result = plan([manifest(after)], live_state(before), owner="default")
    assert not result.problems
    change = only_change(result)
    assert (change.action, change.operations) == (Action.UPDATE, ["UpdateCluster"])
    assert change.reason == "instance group workers changed"
    assert diff_of(change) == [
        ("InstanceGroups[workers].InstanceType", "ml.g5.8xlarge", "ml.g6.8xlarge")
    ]
    request = cluster_kind.update_request("training", after, describe_as_aws(before))
    assert [g["InstanceType"] for g in request["InstanceGroups"]] == ["ml.g6.8xlarge"]


@pytest.mark.parametrize("orchestrator", [None, SLURM], ids=["no-orchestrator", "slurm"])
def test_a_slurm_group_instance_type_change_is_still_refused(orchestrator: Any) -> None:
    extra = {"Orchestrator": orchestrator} if orchestrator else {}
    before = spec(**extra)
    after = spec(
        group("controller", 1, "ml.t3.medium"), group("workers", 2, "ml.g6.8xlarge"), **extra
    )
    result = plan([manifest(after)], live_state(before), owner="default")
    [problem] = result.problems
    assert problem.field == "spec.InstanceGroups[1].InstanceType"
    assert problem.message.startswith(
        "changing InstanceGroups[workers].InstanceType (ml.g5.8xlarge → ml.g6.8xlarge) "
        "replaces the cluster"
    )
    assert not [c for c in result.changes if c.address == "Cluster/training"]


@pytest.mark.parametrize("orchestrator", [None, EKS], ids=["slurm", "eks"])
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("ExecutionRole", OTHER_ROLE),
        ("ThreadsPerCore", 1),
        ("OverrideVpcConfig", {"SecurityGroupIds": ["sg-2"], "Subnets": ["subnet-9"]}),
    ],
)
def test_create_only_group_fields_hold_for_every_orchestrator(
    orchestrator: Any, field: str, value: Any
) -> None:
    extra = {"Orchestrator": orchestrator} if orchestrator else {}
    after = spec(
        group("controller", 1, "ml.t3.medium"), group("workers", 2, **{field: value}), **extra
    )
    result = plan([manifest(after)], live_state(spec(**extra)), owner="default")
    [problem] = result.problems
    assert problem.message.startswith(f"changing InstanceGroups[workers].{field} ")
    assert cluster_kind.INFO.create_only_fields(after) == cluster_kind.create_only_fields(after)


@pytest.mark.parametrize(
    ("edit", "sent", "reason"),
    [
        pytest.param(
            {"AutoScaling": {"Mode": "Enable", "AutoScalerType": "Karpenter"}, "ClusterRole": ROLE},
            {"AutoScaling": {"Mode": "Enable", "AutoScalerType": "Karpenter"}, "ClusterRole": ROLE},
            "AutoScaling, ClusterRole changed",
            id="autoscaling-and-cluster-role",
        ),
        pytest.param(
            {"ClusterRole": OTHER_ROLE},
            {"ClusterRole": OTHER_ROLE},
            "ClusterRole changed",
            id="cluster-role",
        ),
        pytest.param(
            {"TieredStorageConfig": {"Mode": "Enable", "InstanceMemoryAllocationPercentage": 20}},
            {"TieredStorageConfig": {"Mode": "Enable", "InstanceMemoryAllocationPercentage": 20}},
            "TieredStorageConfig changed",
            id="tiered-storage",
        ),
    ],
)
def test_newer_cluster_fields_are_update_cluster_updates(
    edit: dict[str, Any], sent: dict[str, Any], reason: str
) -> None:
    before = spec(Orchestrator=EKS)
    after = {**before, **edit}
    result = plan([manifest(after)], live_state(before), owner="default")
    assert not result.problems
    change = only_change(result)
    assert (change.action, change.operations) == (
        Action.UPDATE,
        ["UpdateCluster", *record_rewrite(before, after)],
    )
    assert change.reason == reason
    request = cluster_kind.update_request("training", after, describe_as_aws(before))
    assert request == {"ClusterName": "training", **sent}


def test_a_group_kubernetes_config_change_is_an_update_cluster() -> None:
    labels = {"Labels": {"team": "vision"}, "Taints": [{"Key": "gpu", "Effect": "NoSchedule"}]}
    before = spec(Orchestrator=EKS)
    after = spec(
        group("controller", 1, "ml.t3.medium"),
        group("workers", 2, KubernetesConfig=labels),
        Orchestrator=EKS,
    )
    change = only_change(plan([manifest(after)], live_state(before), owner="default"))
    assert (change.action, change.operations) == (
        Action.UPDATE,
        ["UpdateCluster", *record_rewrite(before, after)],
    )
    assert change.reason == "instance group workers changed"
    request = cluster_kind.update_request("training", after, describe_as_aws(before))
    [sent] = request["InstanceGroups"]
    assert sent["KubernetesConfig"] == labels


@pytest.mark.parametrize(
    ("edit", "operations", "diff"),
    [
        (
            lambda m: m.tags.update(team="vision"),
            ["AddTags"],
            [("tags.team", "research", "vision")],
        ),
        (
            lambda m: m.tags.pop("team"),
            ["DeleteTags", "AddTags"],  # AddTags: the record of declared keys
            [("tags.team", "research", None)],
        ),
    ],
)
def test_tag_changes_are_tag_calls(
    edit: Any, operations: list[str], diff: list[tuple[str, Any, Any]]
) -> None:
    edited = manifest()
    edit(edited)
    change = only_change(plan([edited], live_state(), owner="default"))
    assert (change.action, change.operations) == (Action.UPDATE, operations)
    assert diff_of(change) == diff


def test_ignored_instance_counts_are_not_drift() -> None:
    scaled = spec(group("controller", 1, "ml.t3.medium"), group("workers", 7))
    edited = manifest(scaled, ignore_differences=("InstanceGroups[*].InstanceCount",))
    assert not plan([edited], live_state(), owner="default").has_changes
    direct = manifest(scaled, ignore_differences=("InstanceGroups.InstanceCount",))
    assert not plan([direct], live_state(), owner="default").has_changes


def test_a_busy_cluster_is_updated_after_it_settles() -> None:
    new_spec = spec(group("controller", 1, "ml.t3.medium"), group("workers", 3))
    change = only_change(plan([manifest(new_spec)], live_state(status="Updating"), owner="default"))
    assert change.operations == ["UpdateCluster"]
    assert change.warnings == [
        "Cluster is Updating: apply waits for it to settle before changing it"
    ]


# -- create-only changes: refused unless allow-replace -------------------------------------------


@pytest.mark.parametrize(
    ("new_spec", "field", "line", "what"),
    [
        pytest.param(
            spec(group("controller", 1, "ml.t3.medium"), group("workers", 2, "ml.p5.48xlarge")),
            "spec.InstanceGroups[1].InstanceType",
            32,
            "InstanceGroups[workers].InstanceType (ml.g5.8xlarge → ml.p5.48xlarge)",
            id="instance-type",
        ),
        pytest.param(
            spec(
                group("controller", 1, "ml.t3.medium"),
                group("workers", 2, ExecutionRole=OTHER_ROLE),
            ),
            "spec.InstanceGroups[1].ExecutionRole",
            30,
            f"InstanceGroups[workers].ExecutionRole ({ROLE} → {OTHER_ROLE})",
            id="execution-role",
        ),
        pytest.param(
            spec(
                group("controller", 1, "ml.t3.medium"),
                group("workers", 2, ThreadsPerCore=1),
            ),
            "spec.InstanceGroups[1].ThreadsPerCore",
            30,
            "InstanceGroups[workers].ThreadsPerCore (2 → 1)",
            id="threads-per-core",
        ),
        pytest.param(
            {
                **spec(),
                "VpcConfig": {"SecurityGroupIds": ["sg-1"], "Subnets": ["subnet-3"]},
            },
            "spec.VpcConfig.Subnets",
            6,
            'VpcConfig.Subnets (["subnet-2", "subnet-1"] → ["subnet-3"])',
            id="vpc",
        ),
        pytest.param(
            spec(Orchestrator={"Slurm": {"SlurmConfigStrategy": "Managed"}}),
            "spec.Orchestrator",
            6,
            'Orchestrator (absent → {"Slurm": {"SlurmConfigStrategy": "Managed"}})',
            id="orchestrator",
        ),
    ],
)
def test_create_only_changes_are_refused_without_allow_replace(
    new_spec: dict[str, Any], field: str, line: int, what: str
) -> None:
    result = plan([manifest(new_spec)], live_state(), owner="default")
    [problem] = result.problems
    assert problem.address == "Cluster/training"
    assert problem.field == field
    assert problem.location is not None and problem.location.line == line
    assert problem.message == (
        f"changing {what} replaces the cluster, which destroys it and its nodes (running jobs "
        'and instance storage are lost); annotate sagemaker-reconciler/allow-replace: "true" '
        "to allow it"
    )
    assert not [c for c in result.changes if c.address == "Cluster/training"]


def test_with_allow_replace_the_cluster_is_replaced_loudly() -> None:
    new_spec = spec(group("controller", 1, "ml.t3.medium"), group("workers", 2, "ml.p5.48xlarge"))
    result = plan([manifest(new_spec, allow_replace=True)], live_state(), owner="default")
    assert not result.problems
    change = only_change(result)
    assert change.action is Action.REPLACE
    assert change.operations == ["DeleteCluster", "CreateCluster"]
    assert change.interrupting
    assert change.reason == (
        "InstanceGroups[workers].InstanceType cannot change in place: delete, then create "
        "(destroys training and its nodes)"
    )
    assert any("destroys it and all its nodes" in w for w in change.warnings)
    assert change.tags_to_add[OWNER_TAG] == "default"
    rendered = human.render(result)
    assert "-/+ Cluster/training: replace" in rendered
    assert "Warning: Cluster/training will be DESTROYED and created again" in rendered


# -- failures ------------------------------------------------------------------------------------


def test_a_failed_cluster_is_recreated_and_says_why() -> None:
    failed = describe_as_aws(resolve([manifest()], "default")[0]["Cluster/training"].spec, "Failed")
    failed["FailureMessage"] = "Lifecycle script on_create.sh failed on ip-10-0-0-1"
    new_spec = spec(
        group("controller", 1, "ml.t3.medium"),
        group("workers", 2, LifeCycleConfig={**LIFECYCLE, "OnCreate": "fixed.sh"}),
    )
    result = plan(
        [manifest(new_spec)], live_state(status="Failed", description=failed), owner="default"
    )
    assert not result.problems
    change = only_change(result)
    assert change.action is Action.REPLACE
    assert change.operations == ["DeleteCluster", "CreateCluster"]
    assert "Lifecycle script on_create.sh failed on ip-10-0-0-1" in change.reason
    assert change.live_failure == "Lifecycle script on_create.sh failed on ip-10-0-0-1"


def test_a_failed_spec_is_held_with_the_failure_message() -> None:
    desired = resolve([manifest()], "default")[0]["Cluster/training"]
    failed = describe_as_aws(desired.spec, "Failed")
    failed["FailureMessage"] = "Insufficient capacity for ml.g5.8xlarge"
    attempt = cluster_kind.INFO.comparable(desired.spec)
    live = live_state(
        status="Failed",
        description=failed,
        extra_tags={FAILED_SPEC_TAG: content_hash(attempt)},
    )
    change = only_change(plan([manifest()], live, owner="default"))
    assert change.held and change.operations == []
    assert "Insufficient capacity for ml.g5.8xlarge" in change.reason


def test_a_cluster_no_longer_declared_is_deleted() -> None:
    result = plan([], live_state(), owner="default")
    change = only_change(result)
    assert (change.action, change.operations) == (Action.DELETE, ["DeleteCluster"])


# -- the UpdateCluster request --------------------------------------------------------------------


def test_update_request_sends_touched_groups_whole_and_deletes_the_removed() -> None:
    live = describe_as_aws(spec(group("controller", 1, "ml.t3.medium"), group("workers", 2)))
    desired = spec(
        group("workers", 4, ThreadsPerCore=2),
        group("login", 1, "ml.m5.xlarge"),
        NodeRecovery="None",
    )
    request = cluster_kind.update_request("training", desired, live)
    assert request == {
        "ClusterName": "training",
        "InstanceGroups": [
            group("workers", 4, ThreadsPerCore=2),
            group("login", 1, "ml.m5.xlarge"),
        ],
        "InstanceGroupsToDelete": ["controller"],
        "NodeRecovery": "None",
    }


def test_update_request_leaves_unchanged_groups_out() -> None:
    live = describe_as_aws(spec())
    desired = spec(group("controller", 1, "ml.t3.medium"), group("workers", 3))
    request = cluster_kind.update_request("training", desired, live)
    assert request == {"ClusterName": "training", "InstanceGroups": [group("workers", 3)]}
    assert cluster_kind.update_request("training", spec(), live) == {"ClusterName": "training"}


def test_update_request_keeps_fields_owned_by_someone_else() -> None:
    """An instance count owned elsewhere (ignore-differences) is sent as it is live."""
    live = describe_as_aws(spec(group("workers", 5)))
    desired = spec(group("workers", 2, LifeCycleConfig={**LIFECYCLE, "OnCreate": "v2.sh"}))
    request = cluster_kind.update_request(
        "training", desired, live, ("InstanceGroups[*].InstanceCount",)
    )
    [sent] = request["InstanceGroups"]
    assert sent["InstanceCount"] == 5
    assert sent["LifeCycleConfig"]["OnCreate"] == "v2.sh"


def test_an_update_that_did_not_take_reports_the_failure_message() -> None:
    live = describe_as_aws(spec())
    wanted = spec(group("controller", 1, "ml.t3.medium"), group("workers", 4))
    assert cluster_kind.API.rolled_back(live, wanted) is None
    live["FailureMessage"] = "Insufficient capacity"
    assert cluster_kind.API.rolled_back(live, wanted) == "Insufficient capacity"
    assert cluster_kind.API.rolled_back(live, spec()) is None


# -- validation ----------------------------------------------------------------------------------


def test_instance_group_names_must_be_unique() -> None:
    twice = manifest(spec(group("workers", 1), group("workers", 2)))
    [problem] = cluster_problems(twice)
    assert problem.field == "spec.InstanceGroups[1].InstanceGroupName"
    assert "instance group 'workers' is declared twice (also InstanceGroups[0])" in problem.message
