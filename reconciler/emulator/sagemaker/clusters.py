"""SageMaker HyperPod clusters: Create/Describe/Update/Delete/ListClusters,
ListClusterNodes, DescribeClusterNode, BatchDeleteClusterNodes and UpdateClusterSoftware.

As on AWS: the ARN carries a generated 12-character id, not the name; errors are
``ResourceNotFound`` / ``ResourceInUse`` / ``ConflictException`` (not the hosting kinds'
ValidationException); UpdateCluster takes the complete spec of each group it lists and
``InstanceGroupsToDelete`` for groups to remove, refuses changes to a group's
create-only fields (which depend on the orchestrator: an EKS cluster's group may change its
InstanceType, a Slurm cluster's may not), and only runs on an InService cluster. Nodes
follow each group's InstanceCount (and InstanceType) when a transition ends. DescribeCluster
fills in what SageMaker fills in when the request left it out: each group's
``ThreadsPerCore`` (its instance type's default) and the cluster's ``NodeRecovery``.
"""

from __future__ import annotations

import copy
import random
import string
from typing import Any

from reconciler.emulator.errors import AwsError, validation
from reconciler.emulator.lifecycle import begin, is_busy, settle
from reconciler.emulator.sagemaker import Context, operation, server_fields, tags
from reconciler.emulator.sagemaker.listing import filter_common, list_response, page
from reconciler.emulator.state import Cluster, ClusterNode, utcnow

JsonDict = dict[str, Any]

# What UpdateCluster refuses to change; the planner's kind module
# (reconciler/kinds/cluster.py) treats the same fields as create-only, with the sources:
# CloudFormation AWS::SageMaker::Cluster createOnlyProperties for a group's ExecutionRole,
# ThreadsPerCore and OverrideVpcConfig; the HyperPod developer guide for EKS
# ("Updating SageMaker HyperPod cluster configuration": "For each instance group, you can
# change the instance type, ...") for InstanceType being changeable on EKS clusters only.
# The exact error texts are ours (unverified).
GROUP_CREATE_ONLY = ("ExecutionRole", "ThreadsPerCore", "OverrideVpcConfig")
SLURM_GROUP_CREATE_ONLY = ("InstanceType",)
RESTRICTED_GROUP_CREATE_ONLY = (
    "InstanceType",
    "ExecutionRole",
    "ThreadsPerCore",
    "OverrideVpcConfig",
)

# Default threads per core by instance family. ClusterInstanceGroupSpecification.ThreadsPerCore
# (botocore): "For instance types that support multithreading, you can specify 1 for disabling
# multithreading and 2 for enabling multithreading. For instance types that doesn't support
# multithreading, specify 1", pointing at the EC2 table of CPU cores and threads per core.
# EC2 User Guide, "CPU options for Amazon EC2 instances" (instance-optimize-cpu.html): "Each
# vCPU is a thread of a CPU core, except for T2 instances, M7a instances, Apple silicon Mac
# instances, and 64-bit ARM platforms such as instances powered by AWS Graviton processors",
# and "You can't modify the number of threads per core for T2, C7a, M7a, R7a ... and
# instances based on the AWS Graviton processor"; its example m5.xlarge has two threads per
# core. So: one thread per core for Graviton (c6g, c7g, c8g, m6g, m7g, m8g) and the Grace-based
# p6e-gb200 (a 64-bit ARM platform), two for every other HyperPod type. Unverified: c8a and
# m8a (8th-generation AMD; the page names the 7a families only, we assume 8a the same), and
# the newest families (g7, g7e, p6-b300), assumed two like their x86 kin.
_ONE_THREAD_PER_CORE = {
    "c6g",
    "c7g",
    "c8g",
    "m6g",
    "m7g",
    "m8g",
    "p6e-gb200",
    "c7a",
    "m7a",
    "r7a",
    "c8a",
    "m8a",
}
# BatchDeleteClusterNodes: "When scaling down at the instance level with
# BatchDeleteCusterNodes, you can only terminate a maximum of 99 instances at a time"
# (developer guide, "Scale down a SageMaker HyperPod cluster", smcluster-scale-down).
MAX_NODES_PER_BATCH_DELETE = 99
_rng = random.SystemRandom()


def default_threads_per_core(instance_type: str) -> int:
    """What SageMaker answers for ThreadsPerCore when CreateCluster left it out: the
    instance type's default (see the sources above)."""
    family = instance_type.removeprefix("ml.").split(".")[0]
    return 1 if family in _ONE_THREAD_PER_CORE else 2


def is_eks(request: JsonDict) -> bool:
    """An EKS-orchestrated cluster (``Orchestrator.Eks``); without an orchestrator a
    HyperPod cluster is Slurm-orchestrated."""
    orchestrator = request.get("Orchestrator")
    return isinstance(orchestrator, dict) and "Eks" in orchestrator


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
    """Make the node list follow each group's InstanceCount and InstanceType: nodes of
    another type are replaced by new ones (an EKS group's InstanceType change rolls its
    nodes onto the new type)."""
    now = utcnow()
    kept: list[ClusterNode] = []
    for group_name, spec in groups.items():
        instance_type = spec.get("InstanceType", "ml.t3.medium")
        members = [
            n
            for n in cluster.nodes
            if n.instance_group == group_name and n.instance_type == instance_type
        ]
        wanted = spec["InstanceCount"]
        kept.extend(members[:wanted])
        for _ in range(wanted - len(members)):
            kept.append(
                ClusterNode(
                    instance_group=group_name,
                    instance_id="i-" + _new_id(17, "0123456789abcdef"),
                    instance_type=instance_type,
                    launch_time=now,
                )
            )
    cluster.nodes = kept


def _check_groups(groups: list[JsonDict]) -> None:
    names = [g["InstanceGroupName"] for g in groups]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise validation(f"Instance group names must be unique: {', '.join(duplicates)}.")
    for group in groups:
        # "For instance types that doesn't support multithreading, specify 1"
        # (ClusterInstanceGroupSpecification.ThreadsPerCore, botocore); the message is ours.
        instance_type = group.get("InstanceType")
        if (
            instance_type
            and group.get("ThreadsPerCore") == 2
            and default_threads_per_core(instance_type) == 1
        ):
            raise validation(
                f"ThreadsPerCore 2 is not supported by instance type {instance_type} of "
                f"instance group {group['InstanceGroupName']}; it supports 1 thread per core."
            )


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
        k: v
        for k, v in spec.items()
        if k not in ("InstanceCount", "MinInstanceCount", "ImageId", "ImageReleaseVersion")
    }
    if "InstanceType" in spec:
        # Filled in when omitted (issue 12 records AWS answering it; terraform-provider-aws
        # declares threads_per_core Optional+Computed): "The number you specified to
        # TreadsPerCore in CreateCluster" (ClusterInstanceGroupDetails.ThreadsPerCore,
        # botocore), and when none was, the instance type's default threads per core (see
        # default_threads_per_core; that the answer is exactly the EC2 default is
        # unverified). ThreadsPerCore is a server default in reconciler/kinds/cluster.py.
        details.setdefault("ThreadsPerCore", default_threads_per_core(spec["InstanceType"]))
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
    if "KubernetesConfig" in spec:
        # Describe answers the labels and taints as Current/Desired pairs
        # (ClusterKubernetesConfigDetails, botocore); once InService both are what was asked.
        wanted = spec["KubernetesConfig"]
        details["KubernetesConfig"] = {
            f"{side}{key}": copy.deepcopy(wanted[key])
            for key in ("Labels", "Taints")
            if key in wanted
            for side in ("Current", "Desired")
        }
    if "InstanceRequirements" in spec:
        # Likewise CurrentInstanceTypes/DesiredInstanceTypes (ClusterInstanceRequirementDetails).
        types = spec["InstanceRequirements"].get("InstanceTypes", [])
        details["InstanceRequirements"] = {
            "CurrentInstanceTypes": list(types),
            "DesiredInstanceTypes": list(types),
        }
    if "ImageReleaseVersion" in spec:
        # Describe's Current/Desired pair for the request's ImageReleaseVersion
        # (ClusterInstanceGroupDetails, botocore).
        details["CurrentImageReleaseVersion"] = details["DesiredImageReleaseVersion"] = spec[
            "ImageReleaseVersion"
        ]
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
    # Filled in when omitted: HyperPod's automatic node recovery ("When set to Automatic,
    # SageMaker HyperPod will automatically reboot or replace faulty nodes", CreateCluster
    # NodeRecovery, botocore) is what a cluster created without NodeRecovery answers, as
    # issue 12 records from AWS's answers; terraform-provider-aws declares node_recovery
    # Optional+Computed (the service fills it in). No AWS page states the default in so
    # many words (unverified). NodeProvisioningMode has no default to fill in: its only
    # value is Continuous, which "is disabled by default" (developer guide, continuous
    # provisioning for Slurm/EKS), so it is absent unless asked for.
    response.setdefault("NodeRecovery", "Automatic")
    if cluster.failure_reason:
        response["FailureMessage"] = cluster.failure_reason
    return server_fields.finish(ctx, "Cluster", response)


@server_fields.extras_for("Cluster")
def _extras(answer: JsonDict, facts: JsonDict) -> None:
    extra_server_fields(answer)


def extra_server_fields(description: JsonDict) -> JsonDict:
    """Test mode (``server_fields`` "extra"): further plausible fields SageMaker may fill in,
    all real members of DescribeClusterResponse (botocore), so that the reconciler is
    proven to settle on answers richer than what it asked for. Nothing here is claimed to
    be what AWS answers for a given cluster. Changes `description` in place and returns it."""
    description.setdefault("TieredStorageConfig", {"Mode": "Disable"})
    description.setdefault(
        "AutoScaling", {"Mode": "Disable", "AutoScalerType": "Karpenter", "Status": "InService"}
    )
    for group in description.get("InstanceGroups", []):
        group.setdefault("CurrentImageId", "ami-0a1b2c3d4e5f67890")
        group.setdefault("DesiredImageId", group["CurrentImageId"])
        group.setdefault("CurrentImageReleaseVersion", "1.0.0")
        group.setdefault("DesiredImageReleaseVersion", group["CurrentImageReleaseVersion"])
        group.setdefault("ImageVersionStatus", "UpToDate")
        group.setdefault("TargetStateCount", group.get("CurrentCount", 0))
        group.setdefault("SoftwareUpdateStatus", "Succeeded")
        group.setdefault("InstanceStorageConfigs", [{"EbsVolumeConfig": {"VolumeSizeInGB": 500}}])
    return description


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
    # Per orchestrator (sources beside GROUP_CREATE_ONLY): an EKS cluster's group may
    # change its InstanceType, a Slurm cluster's may not.
    fixed = (
        GROUP_CREATE_ONLY
        if is_eks(cluster.request)
        else (*SLURM_GROUP_CREATE_ONLY, *GROUP_CREATE_ONLY)
    )
    for group in listed:
        current = cluster.groups.get(group["InstanceGroupName"])
        if current is not None:
            _refuse_create_only_changes(group, current, fixed, "instance group")
    restricted = {
        g["InstanceGroupName"]: g for g in cluster.request.get("RestrictedInstanceGroups", [])
    }
    for group in request.get("RestrictedInstanceGroups", []):
        current = restricted.get(group["InstanceGroupName"])
        if current is not None:
            _refuse_create_only_changes(
                group, current, RESTRICTED_GROUP_CREATE_ONLY, "restricted instance group"
            )
    if "Orchestrator" in request and request["Orchestrator"] != cluster.request.get("Orchestrator"):
        # "You cannot change the EKS cluster information that your HyperPod cluster is
        # associated after the cluster is created" (HyperPod EKS guide, update-cluster).
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


def _comparable(field: str, spec: JsonDict) -> Any:
    """The value of a create-only `field` as UpdateCluster compares it: ThreadsPerCore
    defaulted from the instance type, VPC lists as sets."""
    value = spec.get(field)
    if field == "ThreadsPerCore" and value is None and spec.get("InstanceType"):
        return default_threads_per_core(spec["InstanceType"])
    if field == "OverrideVpcConfig" and isinstance(value, dict):
        return {k: sorted(v) if isinstance(v, list) else v for k, v in value.items()}
    return value


def _refuse_create_only_changes(
    group: JsonDict, current: JsonDict, fields: tuple[str, ...], what: str
) -> None:
    for field in fields:
        if field == "ThreadsPerCore" and field not in group:
            continue  # left out: the group keeps what it has (its type's default)
        before, after = _comparable(field, current), _comparable(field, group)
        if before != after:
            raise validation(
                f"{field} of {what} {group['InstanceGroupName']} cannot be updated "
                f"(from {current.get(field)!r} to {group.get(field)!r})."
            )


@operation("BatchDeleteClusterNodes")
def batch_delete_cluster_nodes(ctx: Context, request: JsonDict) -> JsonDict:
    """Terminate the named nodes (BatchDeleteClusterNodes reference): the answer lists the
    ``Successful`` node ids and the ``Failed`` ones with a code (NodeIdNotFound,
    InvalidNodeStatus) and message. Each deleted node lowers its group's target count by
    one, as its counterpart BatchAddClusterNodes raises it ("Adds nodes to a HyperPod
    cluster by incrementing the target count", botocore): the group does not replace it.
    Unverified: that TargetCount drops for clusters outside Continuous provisioning, and
    the error texts (ours)."""
    cluster = find(ctx, request["ClusterName"])
    node_ids = request.get("NodeIds", [])
    logical_ids = request.get("NodeLogicalIds", [])
    if not node_ids and not logical_ids:
        # "You must specify either NodeLogicalIds, InstanceIds, or both" (botocore).
        raise validation("You must specify either NodeIds or NodeLogicalIds, or both.")
    if len(node_ids) > MAX_NODES_PER_BATCH_DELETE:
        raise validation(
            f"At most {MAX_NODES_PER_BATCH_DELETE} nodes can be deleted at a time; "
            f"{len(node_ids)} were given."
        )
    by_id = {n.instance_id: n for n in cluster.nodes}
    successful: list[str] = []
    failed: list[JsonDict] = []
    for node_id in dict.fromkeys(node_ids):
        node = by_id.get(node_id)
        if node is None:
            failed.append(
                {
                    "Code": "NodeIdNotFound",
                    "Message": f"Node {node_id} not found in cluster {cluster.name}.",
                    "NodeId": node_id,
                }
            )
            continue
        spec = cluster.groups.get(node.instance_group, {})
        if spec.get("SlurmConfig", {}).get("NodeType") == "Controller":
            # "For SageMaker HyperPod clusters using the Slurm workload manager, you cannot
            # remove instances that are configured as Slurm controller nodes" (botocore).
            failed.append(
                {
                    "Code": "InvalidNodeStatus",
                    "Message": f"Node {node_id} is a Slurm controller node and cannot be deleted.",
                    "NodeId": node_id,
                }
            )
            continue
        successful.append(node_id)
    for node_id in successful:
        node = by_id[node_id]
        cluster.nodes.remove(node)
        # The group's spec as applied and, during an update, its target (which may be the
        # same dict): each lowered once.
        specs = (
            cluster.groups.get(node.instance_group),
            (cluster.pending_groups or {}).get(node.instance_group),
        )
        for target in {id(t): t for t in specs if t is not None}.values():
            target["InstanceCount"] = max(0, target["InstanceCount"] - 1)
    if successful:
        cluster.touch()
    response: JsonDict = {}
    # Both lists have a minimum of one item (botocore): an empty one is left out.
    if successful:
        response["Successful"] = successful
    if failed:
        response["Failed"] = failed
    if logical_ids:
        # Logical ids belong to Continuous provisioning's BatchAddClusterNodes, which the
        # emulator does not offer: none is known.
        response["FailedNodeLogicalIds"] = [
            {
                "Code": "NodeLogicalIdNotFound",
                "Message": f"Node logical id {logical_id} not found in cluster {cluster.name}.",
                "NodeLogicalId": logical_id,
            }
            for logical_id in logical_ids
        ]
    return response


@operation("UpdateClusterSoftware")
def update_cluster_software(ctx: Context, request: JsonDict) -> JsonDict:
    """Patch the platform software of the cluster's groups (all of them, or those listed):
    Updating, then InService with the groups on the requested ``ImageId`` (when given) and
    per-group ``ImageReleaseVersion``. Like UpdateCluster it runs only on an InService
    cluster (ConflictException otherwise; the API reference lists ConflictException and
    ResourceNotFound). "If you don't specify an instance group in your UpdateClusterSoftware
    request, then all of the instance groups are patched with the specified image"
    (ImageId, botocore). Nodes keep their ids (unverified: AWS may replace instances)."""
    cluster = find(ctx, request["ClusterName"])
    if is_busy(cluster) or cluster.status != "InService":
        raise AwsError(
            "ConflictException",
            f"Cluster {cluster.name} is in {cluster.status} status; its software can be "
            "updated only when InService.",
        )
    listed = request.get("InstanceGroups") or [{"InstanceGroupName": n} for n in cluster.groups]
    for item in listed:
        if item["InstanceGroupName"] not in cluster.groups:
            raise validation(
                f"Instance group {item['InstanceGroupName']} does not exist in cluster "
                f"{cluster.name}."
            )
    new_groups = copy.deepcopy(cluster.groups)
    for item in listed:
        spec = new_groups[item["InstanceGroupName"]]
        if request.get("ImageId"):
            spec["ImageId"] = request["ImageId"]
        if item.get("ImageReleaseVersion"):
            spec["ImageReleaseVersion"] = item["ImageReleaseVersion"]
        cluster.group_status[item["InstanceGroupName"]] = "Updating"
    cluster.pending_groups = new_groups

    def finish() -> None:
        cluster.touch()
        cluster.status = "InService"
        cluster.pending_groups = None
        cluster.groups = new_groups
        cluster.group_status = {g: "InService" for g in new_groups}

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
    # As in DescribeCluster: the instance type's default when the group left it out.
    details.setdefault("ThreadsPerCore", default_threads_per_core(node.instance_type))
    return {"NodeDetails": details}
