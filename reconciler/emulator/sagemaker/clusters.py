"""SageMaker HyperPod clusters: Create/Describe/Update/Delete/ListClusters,
ListClusterNodes and DescribeClusterNode.

As on AWS: the ARN carries a generated 12-character id, not the name; errors are
``ResourceNotFound`` / ``ResourceInUse`` / ``ConflictException`` (not the hosting kinds'
ValidationException); UpdateCluster takes the complete spec of each group it lists and
``InstanceGroupsToDelete`` for groups to remove, refuses changes to a group's
create-only fields, and only runs on an InService cluster. Nodes follow each group's
InstanceCount when a transition ends.
"""

from __future__ import annotations

import copy
import random
import string
from typing import Any

from reconciler.emulator.errors import AwsError, validation
from reconciler.emulator.lifecycle import begin, is_busy, settle
from reconciler.emulator.sagemaker import Context, operation, tags
from reconciler.emulator.sagemaker.listing import filter_common, list_response, page
from reconciler.emulator.state import Cluster, ClusterNode, utcnow

JsonDict = dict[str, Any]

# Fields of an instance group that UpdateCluster cannot change.
GROUP_CREATE_ONLY = ("InstanceType", "ExecutionRole", "ThreadsPerCore")
_rng = random.SystemRandom()


def _not_found(name: str) -> AwsError:
    return AwsError("ResourceNotFound", f"Cluster {name} not found.")


def find(ctx: Context, name_or_arn: str, *, described: bool = False) -> Cluster:
    cluster = ctx.state.clusters.get(name_or_arn)
    if cluster is None:
        cluster = next((c for c in ctx.state.clusters if c.arn == name_or_arn), None)
    if cluster is not None:
        settle(cluster, described=described)
        if ctx.state.clusters.get(cluster.name) is None:
            cluster = None
    if cluster is None:
        raise _not_found(name_or_arn)
    return cluster


def _new_id(length: int, alphabet: str) -> str:
    return "".join(_rng.choice(alphabet) for _ in range(length))


def _scale_nodes(cluster: Cluster, groups: dict[str, JsonDict]) -> None:
    """Make the node list follow each group's InstanceCount."""
    now = utcnow()
    kept: list[ClusterNode] = []
    for group_name, spec in groups.items():
        members = [n for n in cluster.nodes if n.instance_group == group_name]
        wanted = spec["InstanceCount"]
        kept.extend(members[:wanted])
        for _ in range(wanted - len(members)):
            kept.append(
                ClusterNode(
                    instance_group=group_name,
                    instance_id="i-" + _new_id(17, "0123456789abcdef"),
                    instance_type=spec.get("InstanceType", "ml.t3.medium"),
                    launch_time=now,
                )
            )
    cluster.nodes = kept


def _check_groups(groups: list[JsonDict]) -> None:
    names = [g["InstanceGroupName"] for g in groups]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise validation(f"Instance group names must be unique: {', '.join(duplicates)}.")


@operation("CreateCluster")
def create_cluster(ctx: Context, request: JsonDict) -> JsonDict:
    name = request["ClusterName"]
    if ctx.state.clusters.get(name) is not None:
        raise AwsError("ResourceInUse", f"Cluster {name} already exists.")
    _check_groups(request.get("InstanceGroups", []))
    tags.check(request.get("Tags"))
    arn = ctx.state.arn("cluster", _new_id(12, string.ascii_lowercase + string.digits))
    cluster = Cluster(
        name=name,
        arn=arn,
        request={
            k: v for k, v in request.items() if k not in ("ClusterName", "Tags", "InstanceGroups")
        },
        groups={
            g["InstanceGroupName"]: copy.deepcopy(g) for g in request.get("InstanceGroups", [])
        },
    )
    cluster.group_status = {g: "Creating" for g in cluster.groups}
    failure = ctx.control.take_failure("Cluster", name)

    def finish() -> None:
        cluster.touch()
        if failure is not None:
            cluster.status, cluster.failure_reason = "Failed", failure
            cluster.group_status = {g: "Failed" for g in cluster.groups}
            return
        cluster.status = "InService"
        cluster.group_status = {g: "InService" for g in cluster.groups}
        _scale_nodes(cluster, cluster.groups)

    ctx.state.clusters.add(cluster)
    tags.register(ctx, arn, request.get("Tags"))
    begin(cluster, "Creating", finish, ctx.transitions)
    return {"ClusterArn": arn}


def _group_details(cluster: Cluster, name: str, spec: JsonDict) -> JsonDict:
    current = sum(1 for n in cluster.nodes if n.instance_group == name)
    details = {
        k: v for k, v in spec.items() if k not in ("InstanceCount", "MinInstanceCount", "ImageId")
    }
    details.update(
        {
            "InstanceGroupName": name,
            "CurrentCount": current,
            "TargetCount": spec["InstanceCount"],
            "Status": cluster.group_status.get(name, "InService"),
        }
    )
    if "MinInstanceCount" in spec:
        details["MinCount"] = spec["MinInstanceCount"]
    if "ImageId" in spec:
        details["CurrentImageId"] = details["DesiredImageId"] = spec["ImageId"]
    return details


def _shown_groups(cluster: Cluster) -> dict[str, JsonDict]:
    """While an update runs, each group shows its target spec (TargetCount is the count
    asked for); groups being deleted still show, with Status Deleting."""
    if cluster.pending_groups is None:
        return cluster.groups
    return {**cluster.groups, **cluster.pending_groups}


@operation("DescribeCluster")
def describe_cluster(ctx: Context, request: JsonDict) -> JsonDict:
    cluster = find(ctx, request["ClusterName"], described=True)
    response: JsonDict = {
        **cluster.request,
        "ClusterArn": cluster.arn,
        "ClusterName": cluster.name,
        "ClusterStatus": cluster.status,
        "CreationTime": cluster.creation_time,
        "InstanceGroups": [
            _group_details(cluster, n, s) for n, s in _shown_groups(cluster).items()
        ],
    }
    if cluster.failure_reason:
        response["FailureMessage"] = cluster.failure_reason
    return response


@operation("UpdateCluster")
def update_cluster(ctx: Context, request: JsonDict) -> JsonDict:
    cluster = find(ctx, request["ClusterName"])
    if is_busy(cluster) or cluster.status != "InService":
        raise AwsError(
            "ConflictException",
            f"Cluster {cluster.name} is in {cluster.status} status; it can be updated only when InService.",
        )
    listed = request.get("InstanceGroups", [])
    _check_groups(listed)
    to_delete = request.get("InstanceGroupsToDelete", [])
    for name in to_delete:
        if name not in cluster.groups:
            raise validation(f"Instance group {name} does not exist in cluster {cluster.name}.")
        if any(g["InstanceGroupName"] == name for g in listed):
            raise validation(f"Instance group {name} cannot be both updated and deleted.")
    for group in listed:
        current = cluster.groups.get(group["InstanceGroupName"])
        if current is None:
            continue
        for field in GROUP_CREATE_ONLY:
            if group.get(field) != current.get(field):
                raise validation(
                    f"{field} of instance group {group['InstanceGroupName']} cannot be updated "
                    f"(from {current.get(field)!r} to {group.get(field)!r})."
                )
    if "Orchestrator" in request and request["Orchestrator"] != cluster.request.get("Orchestrator"):
        raise validation("Orchestrator cannot be updated.")
    new_groups = {n: s for n, s in cluster.groups.items() if n not in to_delete}
    for group in listed:
        new_groups[group["InstanceGroupName"]] = copy.deepcopy(group)
    new_request = dict(cluster.request)
    for field in (
        "RestrictedInstanceGroups",
        "TieredStorageConfig",
        "NodeRecovery",
        "NodeProvisioningMode",
        "ClusterRole",
        "AutoScaling",
    ):
        if field in request:
            new_request[field] = request[field]
    failure = ctx.control.take_failure("Cluster", cluster.name)
    for group in listed:
        cluster.group_status[group["InstanceGroupName"]] = (
            "Updating" if group["InstanceGroupName"] in cluster.groups else "Creating"
        )
    for name in to_delete:
        cluster.group_status[name] = "Deleting"
    cluster.pending_groups = new_groups

    def finish() -> None:
        cluster.touch()
        cluster.status = "InService"
        cluster.pending_groups = None
        if failure is not None:
            cluster.failure_reason = failure
            cluster.group_status = {g: "InService" for g in cluster.groups}
            return
        cluster.failure_reason = None
        cluster.groups = new_groups
        cluster.request = new_request
        cluster.group_status = {g: "InService" for g in new_groups}
        _scale_nodes(cluster, new_groups)

    begin(cluster, "Updating", finish, ctx.transitions)
    return {"ClusterArn": cluster.arn}


@operation("DeleteCluster")
def delete_cluster(ctx: Context, request: JsonDict) -> JsonDict:
    cluster = find(ctx, request["ClusterName"])
    if is_busy(cluster):
        raise AwsError(
            "ConflictException",
            f"Cluster {cluster.name} is in {cluster.status} status and cannot be deleted now.",
        )

    def finish() -> None:
        ctx.state.clusters.remove(cluster.name)
        tags.forget(ctx, cluster.arn)

    begin(cluster, "Deleting", finish, ctx.transitions)
    return {"ClusterArn": cluster.arn}


@operation("ListClusters")
def list_clusters(ctx: Context, request: JsonDict) -> JsonDict:
    items = [
        c for c in filter_common(ctx.state.clusters, request) if ctx.state.clusters.get(c.name) is c
    ]
    request = {"SortBy": "CREATION_TIME", "SortOrder": "Ascending", **request}
    return list_response(
        items,
        request,
        "ClusterSummaries",
        lambda c: {
            "ClusterArn": c.arn,
            "ClusterName": c.name,
            "CreationTime": c.creation_time,
            "ClusterStatus": c.status,
        },
    )


def _node_summary(node: ClusterNode) -> JsonDict:
    status: JsonDict = {"Status": node.status}
    if node.message:
        status["Message"] = node.message
    return {
        "InstanceGroupName": node.instance_group,
        "InstanceId": node.instance_id,
        "InstanceType": node.instance_type,
        "LaunchTime": node.launch_time,
        "InstanceStatus": status,
    }


@operation("ListClusterNodes")
def list_cluster_nodes(ctx: Context, request: JsonDict) -> JsonDict:
    cluster = find(ctx, request["ClusterName"])
    contains = request.get("InstanceGroupNameContains")
    nodes = [n for n in cluster.nodes if not contains or contains in n.instance_group]
    by_name = request.get("SortBy") == "NAME"
    nodes.sort(
        key=lambda n: (
            (n.instance_group, n.instance_id) if by_name else (n.launch_time, n.instance_id)
        ),
        reverse=request.get("SortOrder") == "Descending",
    )
    chunk, next_token = page(nodes, request)
    response: JsonDict = {"ClusterNodeSummaries": [_node_summary(n) for n in chunk]}
    if next_token:
        response["NextToken"] = next_token
    return response


@operation("DescribeClusterNode")
def describe_cluster_node(ctx: Context, request: JsonDict) -> JsonDict:
    cluster = find(ctx, request["ClusterName"])
    node_id = request.get("NodeId")
    node = next((n for n in cluster.nodes if n.instance_id == node_id), None)
    if node is None:
        raise AwsError("ResourceNotFound", f"Node {node_id} not found in cluster {cluster.name}.")
    spec = cluster.groups.get(node.instance_group, {})
    details = _node_summary(node)
    for field in (
        "LifeCycleConfig",
        "ThreadsPerCore",
        "InstanceStorageConfigs",
        "OverrideVpcConfig",
    ):
        if field in spec:
            details[field] = spec[field]
    return {"NodeDetails": details}
