"""HyperPod clusters end to end: the CLI against the emulator over HTTP, in a manifest
directory holding only clusters. Every edit applies exactly its operations and the next
plan is empty; a create-only change is refused unless annotated allow-replace; failures
carry SageMaker's FailureMessage; status shows the nodes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from reconciler.emulator.app import EmulatorApp
from tests.support.env import Env, Run, serving

ACCOUNT, REGION = "123456789012", "us-east-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/HyperPodExecution"
EXAMPLE = Path(__file__).resolve().parents[2] / "manifests" / "hyperpod" / "cluster.yaml"

CLUSTER = f"""\
apiVersion: sagemaker-reconciler/v1
kind: Cluster
metadata:
  name: training
  tags: {{team: research}}
spec:
  VpcConfig:
    SecurityGroupIds: [sg-0a1b2c3d4e5f67890]
    Subnets: [subnet-0a1b2c3d4e5f67890]
  InstanceGroups:
    - InstanceGroupName: controller
      InstanceType: ml.t3.medium
      InstanceCount: 1
      LifeCycleConfig: {{SourceS3Uri: "s3://example-hyperpod-lifecycle/training/", OnCreate: on_create.sh}}
      ExecutionRole: {ROLE}
    - InstanceGroupName: workers
      InstanceType: ml.g5.8xlarge
      InstanceCount: 2
      LifeCycleConfig: {{SourceS3Uri: "s3://example-hyperpod-lifecycle/training/", OnCreate: on_create.sh}}
      ExecutionRole: {ROLE}
"""

LOGIN_GROUP = f"""\
    - InstanceGroupName: login
      InstanceType: ml.m5.xlarge
      InstanceCount: 1
      LifeCycleConfig: {{SourceS3Uri: "s3://example-hyperpod-lifecycle/training/", OnCreate: on_create.sh}}
      ExecutionRole: {ROLE}
"""


@dataclass
class ClusterEnv:
    env: Env
    app: EmulatorApp

    def status(self, *args: str) -> Run:
        return self.env.reconciler(
            "status", str(self.env.directory), "--endpoint-url", self.env.url, *args
        )


@pytest.fixture
def clusters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[ClusterEnv]:
    """An emulator (its app at hand, to break nodes) and a directory with one cluster."""
    directory = tmp_path / "manifests"
    directory.mkdir()
    (directory / "training.yaml").write_text(CLUSTER)
    with serving() as served:
        yield ClusterEnv(Env(served.url, served.control, directory, capsys), served.app)


def settled(env: Env) -> Run:
    return env.reconciler("plan", str(env.directory), "--detailed-exitcode")


def groups(env: Env, name: str = "training") -> dict[str, dict[str, Any]]:
    described = env.sagemaker().describe_cluster(ClusterName=name)
    return {g["InstanceGroupName"]: g for g in described["InstanceGroups"]}


def nodes_by_group(env: Env, name: str = "training") -> dict[str, int]:
    pages = env.sagemaker().get_paginator("list_cluster_nodes").paginate(ClusterName=name)
    counts: dict[str, int] = {}
    for page in pages:
        for node in page["ClusterNodeSummaries"]:
            counts[node["InstanceGroupName"]] = counts.get(node["InstanceGroupName"], 0) + 1
    return counts


def test_cluster_create_scale_groups_tags_and_delete_converge(clusters: ClusterEnv) -> None:
    env = clusters.env
    run = settled(env)
    assert run.code == 2, run.err
    assert "Plan: 1 to create, 0 to update, 0 to replace, 0 to delete, 0 unchanged." in run.out

    code, writes, output = env.writes_during()
    assert code == 0, output
    assert writes == {"CreateCluster": 1}
    assert "Apply: 1 created." in output
    assert settled(env).code == 0
    described = env.sagemaker().describe_cluster(ClusterName="training")
    assert described["ClusterStatus"] == "InService"
    assert nodes_by_group(env) == {"controller": 1, "workers": 2}
    tags = {
        t["Key"]: t["Value"]
        for t in env.sagemaker().list_tags(ResourceArn=described["ClusterArn"])["Tags"]
    }
    assert tags["sagemaker-reconciler/address"] == "Cluster/training"
    assert tags["team"] == "research"

    edits = [
        # (what, old, new, expected writes, nodes per group afterwards)
        ("scale up", "InstanceCount: 2", "InstanceCount: 4", {"UpdateCluster": 1}, 4),
        ("scale down", "InstanceCount: 4", "InstanceCount: 1", {"UpdateCluster": 1}, 1),
        (
            "lifecycle",
            "OnCreate: on_create.sh}",
            "OnCreate: on_create_v2.sh}",
            {"UpdateCluster": 1},
            1,
        ),
        # Adding or removing declared fields also rewrites the record of what was applied
        # (one AddTags), so that a field dropped later is still seen.
        ("add a group", "", LOGIN_GROUP, {"UpdateCluster": 1, "AddTags": 1}, 1),
        ("remove a group", LOGIN_GROUP, "", {"UpdateCluster": 1, "AddTags": 1}, 1),
        ("change a tag", "{team: research}", "{team: vision}", {"AddTags": 1}, 1),
        ("remove a tag", "  tags: {team: vision}\n", "", {"DeleteTags": 1, "AddTags": 1}, 1),
    ]
    path = env.directory / "training.yaml"
    for what, old, new, expected, workers in edits:
        text = path.read_text()
        path.write_text(text + new if old == "" else text.replace(old, new, 1))
        code, writes, output = env.writes_during()
        assert code == 0, (what, output)
        assert writes == expected, (what, output)
        after = settled(env)
        assert after.code == 0, (what, after.out + after.err)
        assert nodes_by_group(env)["workers"] == workers, what
        if what == "add a group":
            assert groups(env)["login"]["TargetCount"] == 1
            assert nodes_by_group(env)["login"] == 1
        if what == "remove a group":
            assert "login" not in groups(env)
            assert "login" not in nodes_by_group(env)
    # The unchanged group was never touched by the updates: still its one node.
    assert nodes_by_group(env)["controller"] == 1

    path.unlink()
    code, writes, output = env.writes_during("--allow-empty")
    assert code == 0, output
    assert writes == {"DeleteCluster": 1}
    assert "Apply: 1 deleted." in output
    assert env.sagemaker().list_clusters()["ClusterSummaries"] == []
    assert settled(env).code == 0


def test_a_create_only_change_is_refused_unless_allow_replace(clusters: ClusterEnv) -> None:
    env = clusters.env
    assert env.apply().code == 0
    env.edit("training.yaml", "InstanceType: ml.g5.8xlarge", "InstanceType: ml.p5.48xlarge")
    refused = env.reconciler("plan", str(env.directory))
    assert refused.code == 1
    assert (
        "training.yaml:17: Cluster/training: spec.InstanceGroups[1].InstanceType: changing "
        "InstanceGroups[workers].InstanceType (ml.g5.8xlarge → ml.p5.48xlarge) replaces the "
        "cluster, which destroys it and its nodes (running jobs and instance storage are lost); "
        'annotate sagemaker-reconciler/allow-replace: "true" to allow it'
    ) in refused.err
    code, writes, output = env.writes_during()
    assert code == 1 and writes == {}, output
    assert "allow-replace" in output

    env.edit(
        "training.yaml",
        "  tags: {team: research}\n",
        '  tags: {team: research}\n  annotations: {sagemaker-reconciler/allow-replace: "true"}\n',
    )
    document = env.plan_json()
    [change] = document["changes"]
    assert change["action"] == "replace" and change["interrupting"] is True
    assert change["operations"] == ["DeleteCluster", "CreateCluster"]
    assert change["diff"] == [
        {
            "path": "InstanceGroups[workers].InstanceType",
            "before": "ml.g5.8xlarge",
            "after": "ml.p5.48xlarge",
        }
    ]
    human = env.reconciler("plan", str(env.directory)).out
    assert "Warning: Cluster/training will be DESTROYED and created again" in human
    old_arn = env.sagemaker().describe_cluster(ClusterName="training")["ClusterArn"]

    code, writes, output = env.writes_during()
    assert code == 0, output
    assert writes == {"DeleteCluster": 1, "CreateCluster": 1}
    assert settled(env).code == 0
    described = env.sagemaker().describe_cluster(ClusterName="training")
    assert described["ClusterArn"] != old_arn
    assert groups(env)["workers"]["InstanceType"] == "ml.p5.48xlarge"


def test_a_vpc_change_is_refused_too(clusters: ClusterEnv) -> None:
    env = clusters.env
    assert env.apply().code == 0
    env.edit("training.yaml", "subnet-0a1b2c3d4e5f67890", "subnet-0fedcba9876543210")
    code, writes, output = env.writes_during()
    assert code == 1 and writes == {}
    assert "spec.VpcConfig.Subnets: changing VpcConfig.Subnets" in output


def test_a_busy_cluster_is_waited_for_not_failed(clusters: ClusterEnv) -> None:
    env = clusters.env
    assert env.apply().code == 0
    env.control.set_transitions("describes:4")
    # Someone else's update is running: apply waits for it before its own.
    env.sagemaker().update_cluster(
        ClusterName="training",
        InstanceGroups=[
            {
                "InstanceGroupName": "controller",
                "InstanceType": "ml.t3.medium",
                "InstanceCount": 1,
                "LifeCycleConfig": {
                    "SourceS3Uri": "s3://example-hyperpod-lifecycle/training/",
                    "OnCreate": "on_create.sh",
                },
                "ExecutionRole": ROLE,
            }
        ],
    )
    # ... and SageMaker answers the first UpdateCluster as busy anyway.
    env.control.add_fault("UpdateCluster", "ConflictException", count=1)
    env.edit("training.yaml", "InstanceCount: 2", "InstanceCount: 3")
    code, writes, output = env.writes_during()
    assert code == 0, output
    assert writes == {"UpdateCluster": 2}  # the one answered busy, then the real one
    assert settled(env).code == 0
    assert nodes_by_group(env)["workers"] == 3


def test_a_failed_create_reports_the_failure_message_and_is_held(clusters: ClusterEnv) -> None:
    env = clusters.env
    env.control.fail("Cluster", "training", "Lifecycle script on_create.sh failed on 2 nodes")
    code, writes, output = env.writes_during()
    assert code == 1
    assert writes == {"CreateCluster": 1, "AddTags": 1}  # the failed-spec marker
    assert "Cluster training is Failed: Lifecycle script on_create.sh failed on 2 nodes" in output

    status = json.loads(clusters.status("--json").out)
    [row] = status["resources"]
    assert (row["health"], row["status"]) == ("Degraded", "Failed")
    assert row["message"] == "Lifecycle script on_create.sh failed on 2 nodes"

    # The same spec is not tried again ...
    code, writes, output = env.writes_during()
    assert code == 1 and writes == {}
    assert "held: this spec failed before (Lifecycle script on_create.sh failed" in output
    # ... a changed one replaces the Failed cluster.
    env.edit("training.yaml", "OnCreate: on_create.sh}", "OnCreate: on_create_v2.sh}")
    code, writes, output = env.writes_during()
    assert code == 0, output
    assert writes == {"DeleteCluster": 1, "CreateCluster": 1}
    assert settled(env).code == 0


def test_a_failed_update_is_reported_with_its_failure_message(clusters: ClusterEnv) -> None:
    env = clusters.env
    assert env.apply().code == 0
    env.control.fail("Cluster", "training", "Insufficient capacity for ml.g5.8xlarge")
    env.edit("training.yaml", "InstanceCount: 2", "InstanceCount: 8")
    code, writes, output = env.writes_during()
    assert code == 1
    assert "UpdateCluster" in writes
    assert (
        "UpdateCluster of training failed and rolled back: "
        "Insufficient capacity for ml.g5.8xlarge" in output
    )
    assert nodes_by_group(env)["workers"] == 2


def test_status_shows_nodes_per_group_and_names_the_unhealthy_ones(clusters: ClusterEnv) -> None:
    env = clusters.env
    assert env.apply().code == 0
    cluster = clusters.app.state.region(ACCOUNT, REGION).clusters.get("training")
    assert cluster is not None
    broken = next(n for n in cluster.nodes if n.instance_group == "workers")
    broken.status, broken.message = "Failure", "Node failed deep health check (GPU 3)"

    document = json.loads(clusters.status("--json").out)
    [row] = document["resources"]
    assert row["sync"] == "InSync"
    assert row["health"] == "Degraded"
    assert row["nodes"] == {
        "groups": {
            "controller": {"wanted": 1, "total": 1, "running": 1},
            "workers": {"wanted": 2, "total": 2, "running": 1},
        },
        "not_running": [
            {
                "instance_group": "workers",
                "instance_id": broken.instance_id,
                "status": "Failure",
                "message": "Node failed deep health check (GPU 3)",
            }
        ],
    }
    calls = env.control.calls()
    assert calls.get("ListClusterNodes", 0) >= 1 and calls.get("DescribeClusterNode") == 1

    text = clusters.status().out
    assert "Cluster/training  InSync      Degraded     InService" in text
    assert "  controller: 1/1 nodes Running" in text
    assert "  workers: 1/2 nodes Running" in text
    assert f"    {broken.instance_id} Failure: Node failed deep health check (GPU 3)" in text


def test_status_pages_through_many_nodes(clusters: ClusterEnv) -> None:
    env = clusters.env
    env.edit("training.yaml", "InstanceCount: 2", "InstanceCount: 120")
    assert env.apply().code == 0
    document = json.loads(clusters.status("--json").out)
    [row] = document["resources"]
    assert row["nodes"]["groups"]["workers"] == {"wanted": 120, "total": 120, "running": 120}
    assert row["health"] == "Healthy"
    assert env.control.calls()["ListClusterNodes"] >= 2


def test_the_example_cluster_converges(clusters: ClusterEnv) -> None:
    env = clusters.env
    (env.directory / "training.yaml").unlink()
    (env.directory / "cluster.yaml").write_text(EXAMPLE.read_text())
    code, writes, output = env.writes_during()
    assert code == 0, output
    assert writes == {"CreateCluster": 1}
    assert settled(env).code == 0
    assert nodes_by_group(env, "research-training") == {"controller": 1, "workers": 2}


EKS_ORCHESTRATOR = """\
  Orchestrator:
    Eks: {ClusterArn: "arn:aws:eks:us-east-1:123456789012:cluster/training-eks"}
"""


def test_an_eks_cluster_changes_a_group_instance_type_in_place(clusters: ClusterEnv) -> None:
    """On EKS, UpdateCluster changes a group's instance type (the HyperPod EKS guide): one
    update, the nodes roll onto the new type, the cluster keeps its ARN."""
    env = clusters.env
    env.edit("training.yaml", "  InstanceGroups:\n", EKS_ORCHESTRATOR + "  InstanceGroups:\n")
    assert env.apply().code == 0
    old_arn = env.sagemaker().describe_cluster(ClusterName="training")["ClusterArn"]

    env.edit("training.yaml", "InstanceType: ml.g5.8xlarge", "InstanceType: ml.g6.8xlarge")
    document = env.plan_json()
    [change] = document["changes"]
    assert (change["action"], change["operations"]) == ("update", ["UpdateCluster"])
    code, writes, output = env.writes_during()
    assert code == 0, output
    assert writes == {"UpdateCluster": 1}
    assert settled(env).code == 0
    assert env.sagemaker().describe_cluster(ClusterName="training")["ClusterArn"] == old_arn
    assert groups(env)["workers"]["InstanceType"] == "ml.g6.8xlarge"
    pages = env.sagemaker().get_paginator("list_cluster_nodes").paginate(ClusterName="training")
    workers = [
        n
        for page in pages
        for n in page["ClusterNodeSummaries"]
        if n["InstanceGroupName"] == "workers"
    ]
    assert [n["InstanceType"] for n in workers] == ["ml.g6.8xlarge", "ml.g6.8xlarge"]


def test_a_cluster_settles_on_extra_server_filled_fields(clusters: ClusterEnv) -> None:
    """With the emulator answering further plausible fields (AMI ids and versions, default
    storage, tiered storage and autoscaling off), apply then plan is still empty, and an edit
    is still one UpdateCluster."""
    env = clusters.env
    env.control.set_server_fields("extra")
    code, writes, output = env.writes_during()
    assert code == 0, output
    assert writes == {"CreateCluster": 1}
    assert settled(env).code == 0
    assert "CurrentImageId" in groups(env)["workers"]
    env.edit("training.yaml", "InstanceCount: 2", "InstanceCount: 3")
    code, writes, output = env.writes_during()
    assert code == 0, output
    assert writes == {"UpdateCluster": 1}
    assert settled(env).code == 0


def test_nodes_deleted_out_of_band_are_planned_back(clusters: ClusterEnv) -> None:
    """BatchDeleteClusterNodes lowers the group's target count: the manifest's count is
    drift the next apply restores with one UpdateCluster."""
    env = clusters.env
    assert env.apply().code == 0
    pages = env.sagemaker().get_paginator("list_cluster_nodes").paginate(ClusterName="training")
    worker = next(
        n["InstanceId"]
        for page in pages
        for n in page["ClusterNodeSummaries"]
        if n["InstanceGroupName"] == "workers"
    )
    answer = env.sagemaker().batch_delete_cluster_nodes(ClusterName="training", NodeIds=[worker])
    assert answer["Successful"] == [worker]
    assert groups(env)["workers"]["TargetCount"] == 1

    document = env.plan_json()
    [change] = document["changes"]
    assert change["diff"] == [
        {"path": "InstanceGroups[workers].InstanceCount", "before": 1, "after": 2}
    ]
    code, writes, output = env.writes_during()
    assert code == 0, output
    assert writes == {"UpdateCluster": 1}
    assert settled(env).code == 0
    assert nodes_by_group(env)["workers"] == 2
