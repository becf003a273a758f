"""Cluster (SageMaker HyperPod): a cluster of instance groups, changed in place by
UpdateCluster and otherwise only by replacing it (which destroys it and its nodes).

Three things set clusters apart from the hosting kinds:

- DescribeCluster answers in its own shape: each group's ``TargetCount`` (what was asked
  for; ``CurrentCount`` is what runs right now), ``MinCount``, ``Desired``/``Current``
  pairs (``DesiredImageId``), status fields. :func:`live_spec` projects the answer onto the
  CreateCluster request shape of the installed botocore model, so fields AWS adds later
  are compared without code changes.
- Instance groups are identified by ``InstanceGroupName``, not by position: they are a
  keyed list, and diff paths read ``InstanceGroups[workers].InstanceCount``.
- UpdateCluster takes the complete spec of every group it lists and the names of the
  groups to remove (``InstanceGroupsToDelete``); :func:`update_request` builds it when
  planning, from the desired spec and the DescribeCluster answer the plan read (apply
  sends it as it is). What UpdateCluster cannot change depends on the
  orchestrator (:func:`create_only_fields`): VpcConfig, Orchestrator and a group's
  ExecutionRole / ThreadsPerCore / OverrideVpcConfig always, a group's InstanceType only on a
  Slurm (or orchestrator-less) cluster. The planner refuses to replace a cluster unless the
  manifest is annotated ``allow-replace``.
"""

from __future__ import annotations

import copy
import functools
import re
from typing import Any

from botocore.model import ListShape, Shape, StructureShape

from reconciler.apimodel import input_shape
from reconciler.diff import ABSENT, FieldChange
from reconciler.errors import AwsError
from reconciler.gateway import Gateway
from reconciler.kinds import cluster_rules
from reconciler.kinds.api import KindApi, UpdateCall
from reconciler.kinds.base import DestructiveReplace, KindInfo, UpdateInput, UpdatePlan
from reconciler.resources import JsonDict, Kind

GROUPS = "InstanceGroups"
RESTRICTED_GROUPS = "RestrictedInstanceGroups"
GROUP_KEY = "InstanceGroupName"

# What UpdateCluster cannot change, and where AWS says so. The emulator
# (reconciler/emulator/sagemaker/clusters.py) refuses the same fields.
#
# - VpcConfig: not a member of UpdateClusterRequest (botocore sagemaker service-2.json);
#   CloudFormation AWS::SageMaker::Cluster lists /properties/VpcConfig in
#   createOnlyProperties; terraform-provider-aws aws_sagemaker_cluster marks vpc_config
#   RequiresReplace.
# - Orchestrator: "You cannot change the EKS cluster information that your HyperPod cluster
#   is associated after the cluster is created" (SageMaker developer guide, "Updating
#   SageMaker HyperPod cluster configuration", sagemaker-hyperpod-eks-operate-cli-command-
#   update-cluster); CloudFormation createOnlyProperties /properties/Orchestrator;
#   terraform orchestrator RequiresReplace. Unverified: botocore's UpdateClusterRequest now
#   has an Orchestrator member (for Slurm's SlurmConfigStrategy, which the CloudFormation
#   template reference calls "Update requires: No interruption"); no AWS page says what
#   UpdateCluster accepts there, so the whole field stays create-only.
CLUSTER_CREATE_ONLY = ("VpcConfig", "Orchestrator")
# Per instance group, whatever the orchestrator:
# - ExecutionRole, ThreadsPerCore: CloudFormation createOnlyProperties
#   /properties/InstanceGroups/*/ExecutionRole and .../ThreadsPerCore; the EKS guide above
#   names what an update may change per group ("the instance type, the number of instances,
#   the lifecycle configuration entrypoint script, and the path to the script"), not these.
#   Unverified against the live API (UpdateCluster's group shape does carry both, and
#   terraform does not mark them RequiresReplace).
# - OverrideVpcConfig: CloudFormation createOnlyProperties
#   /properties/InstanceGroups/*/OverrideVpcConfig; terraform's override_vpc_config
#   attributes are RequiresReplace.
GROUP_CREATE_ONLY = ("ExecutionRole", "ThreadsPerCore", "OverrideVpcConfig")
# InstanceType: the EKS guide above documents changing a group's instance type through
# UpdateCluster ("For each instance group, you can change the instance type, ..."), so on an
# EKS-orchestrated cluster it is an update. We found no Slurm guide page documenting such a
# change, and CloudFormation lists /properties/InstanceGroups/*/InstanceType as create-only,
# so on a Slurm (or orchestrator-less, which is Slurm) cluster it stays create-only
# (unverified that UpdateCluster refuses it there).
SLURM_GROUP_CREATE_ONLY = ("InstanceType",)
# Restricted instance groups: CloudFormation createOnlyProperties
# /properties/RestrictedInstanceGroups/*/{ExecutionRole, InstanceType, ThreadsPerCore,
# OverrideVpcConfig}. No AWS page documents an InstanceType change there.
RESTRICTED_GROUP_CREATE_ONLY = (
    "InstanceType",
    "ExecutionRole",
    "ThreadsPerCore",
    "OverrideVpcConfig",
)
TRANSITIONAL = ("Creating", "Updating", "Deleting", "SystemUpdating", "RollingBack")

# Describe's names for request members that are not "Desired<X>"/"Current<X>" pairs.
_ALIASES = {"TargetCount": "InstanceCount", "MinCount": "MinInstanceCount"}
# "InstanceGroups[workers].InstanceCount" → workers; also RestrictedInstanceGroups.
_GROUP_PATH = re.compile(r"^(\w+)\[([^\]]+)\]")
_IGNORED_GROUP_FIELD = re.compile(rf"^{GROUPS}(?:\[([^\]]*)\])?\.(.+)$")


def _project(value: Any, shape: Shape) -> Any:
    """`value` (a Describe answer or part of one) reduced to the members of the request
    `shape`: ``Desired<X>`` becomes X (the value asked for), ``Current<X>`` stands in for
    X only when there is no desired one, aliases are renamed, and everything else the
    request cannot hold (counts, statuses, times) is dropped."""
    if isinstance(shape, ListShape) and isinstance(value, list):
        return [_project(item, shape.member) for item in value]
    if not isinstance(shape, StructureShape) or shape.is_document_type:
        return value
    if not isinstance(value, dict):
        return value
    members = shape.members
    found: dict[str, Any] = {}
    for key, item in value.items():
        name = key if key in members else _ALIASES.get(key, key)
        if name in members and name not in found:
            found[name] = item
    for prefix in ("Current", "Desired"):  # the desired value wins
        for key, item in value.items():
            base = key.removeprefix(prefix)
            pair = key.startswith(prefix) and base in members and key not in members
            if pair and (prefix == "Desired" or base not in found):
                found[base] = item
    return {key: _project(item, members[key]) for key, item in found.items()}


def live_spec(description: JsonDict) -> JsonDict:
    """DescribeCluster → the CreateCluster request (minus ClusterName and Tags)."""
    spec: JsonDict = _project(description, input_shape("CreateCluster"))
    spec.pop("ClusterName", None)
    spec.pop("Tags", None)
    return spec


def is_eks(spec: JsonDict) -> bool:
    """Whether the cluster is orchestrated by Amazon EKS (``Orchestrator.Eks``); without an
    orchestrator a HyperPod cluster is Slurm-orchestrated (CreateCluster reference:
    supported values are "Eks" and "Slurm")."""
    orchestrator = spec.get("Orchestrator")
    return isinstance(orchestrator, dict) and "Eks" in orchestrator


def create_only_fields(spec: JsonDict) -> tuple[str, ...]:
    """The fields UpdateCluster cannot change on a cluster with this spec (see the sources
    beside the lists above): the group rules differ between EKS and Slurm."""
    group_fields = (
        GROUP_CREATE_ONLY if is_eks(spec) else (*SLURM_GROUP_CREATE_ONLY, *GROUP_CREATE_ONLY)
    )
    return (
        *CLUSTER_CREATE_ONLY,
        *(f"{GROUPS}[*].{f}" for f in group_fields),
        *(f"{RESTRICTED_GROUPS}[*].{f}" for f in RESTRICTED_GROUP_CREATE_ONLY),
    )


# What DescribeCluster answers for a field the creator left out, so export leaves it out:
# NodeRecovery Automatic (issue 12 records AWS answering it; terraform-provider-aws
# declares node_recovery Optional+Computed; no AWS page states the default in so many
# words — unverified). A group's ThreadsPerCore is left in: its default depends on the
# instance type and no verified table of it is at hand here.
SERVER_DEFAULTS: dict[str, object] = {"NodeRecovery": "Automatic"}


def plan_update(diff: list[FieldChange]) -> UpdatePlan:
    """One UpdateCluster for the changed groups and fields. A cluster field the manifest
    dropped is not sent: UpdateCluster cannot unset it, and the plan says so."""
    kept = [c for c in diff if unsettable(c)]
    warnings = (
        [
            f"{', '.join(c.path for c in kept)} no longer declared: UpdateCluster cannot "
            "unset a cluster field, so it keeps its live value"
        ]
        if kept
        else []
    )
    sent = [c for c in diff if c not in kept]
    if not sent:
        return UpdatePlan([], warnings=warnings)
    return UpdatePlan(["UpdateCluster"], update_summary(sent), warnings)


def plan_request(update: UpdateInput) -> JsonDict:
    """The UpdateCluster request, built when planning from the Describe the plan read (a
    saved plan is applied only while every resource it read is unchanged)."""
    return update_request(
        update.name, update.spec, update.description, update.ignore, update.dropped
    )


INFO = KindInfo(
    kind=Kind.CLUSTER,
    name_field="ClusterName",
    create_operation="CreateCluster",
    list_key="ClusterSummaries",
    status_key="ClusterStatus",
    transitional=TRANSITIONAL,
    # No change marker: ListClusters' summaries carry no modification time.
    timeout=7200.0,
    plan_update=plan_update,
    update_request=plan_request,
    destructive_replace=DestructiveReplace(
        refusal="replaces the cluster, which destroys it and its nodes "
        "(running jobs and instance storage are lost)",
        warning="destroys it and all its nodes (running jobs and instance storage are lost)",
        effect="destroys {name} and its nodes",
        loss="its nodes, running jobs and instance storage are lost",
    ),
    arn_resource_type="cluster",
    # The Slurm rule (the default orchestrator); the planner asks create_only_for.
    create_only=create_only_fields({}),
    create_only_for=create_only_fields,
    live_spec=live_spec,
    server_defaults=SERVER_DEFAULTS,
    unordered=(
        "VpcConfig.SecurityGroupIds",
        "VpcConfig.Subnets",
        f"{GROUPS}[*].OverrideVpcConfig.SecurityGroupIds",
        f"{GROUPS}[*].OverrideVpcConfig.Subnets",
    ),
    keyed={GROUPS: GROUP_KEY, RESTRICTED_GROUPS: GROUP_KEY},
    rules=cluster_rules.RULES,
)


@functools.cache
def updatable() -> tuple[str, ...]:
    """Cluster-level fields UpdateCluster can change, as the installed botocore model has
    them (besides the instance groups, which it handles group by group). Read on first use,
    so that importing the kinds (and the planner) loads no service model."""
    return tuple(
        name
        for name in input_shape("UpdateCluster").members
        if name not in ("ClusterName", GROUPS, "InstanceGroupsToDelete", *CLUSTER_CREATE_ONLY)
    )


def group_name(path: str) -> str | None:
    """The instance group a diff path is about (``InstanceGroups[gpu].InstanceType`` → gpu)."""
    match = _GROUP_PATH.match(path)
    return match.group(2) if match is not None and match.group(1) == GROUPS else None


def unsettable(change: FieldChange) -> bool:
    """A cluster-level field the manifest no longer declares (dropped since the last
    apply): UpdateCluster changes only the cluster fields it is sent, so it cannot unset
    one — the field keeps its live value. (A field dropped from an instance group is
    different: UpdateCluster takes each listed group's complete spec.)"""
    top = change.path.split(".")[0].split("[")[0]
    return change.after is ABSENT and top not in (GROUPS, "RestrictedInstanceGroups")


def update_summary(changes: list[FieldChange]) -> str:
    """Why an UpdateCluster, in words: which groups change, are added or removed, and
    which cluster fields change."""
    changed: list[str] = []
    added: list[str] = []
    removed: list[str] = []
    fields: list[str] = []
    for change in changes:
        name = group_name(change.path)
        if name is None:
            top = change.path.split(".")[0].split("[")[0]
            if top not in fields:
                fields.append(top)
        elif change.path == f"{GROUPS}[{name}]":
            (added if change.to_json()["before"] is None else removed).append(name)
        elif name not in changed:
            changed.append(name)
    parts = [
        f"{_groups(names)} {verb}"
        for names, verb in ((changed, "changed"), (added, "added"), (removed, "removed"))
        if names
    ]
    if fields:
        parts.append(f"{', '.join(fields)} changed")
    return "; ".join(parts) or "spec changed"


def _groups(names: list[str]) -> str:
    return ("instance group " if len(names) == 1 else "instance groups ") + ", ".join(names)


def _get(value: Any, dotted: str) -> tuple[bool, Any]:
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return False, None
        value = value[part]
    return True, value


def _put(target: JsonDict, dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    for part in parents:
        target = target.setdefault(part, {})
    target[last] = copy.deepcopy(value)


def _keep_ignored(group: JsonDict, live: JsonDict | None, ignore: tuple[str, ...]) -> JsonDict:
    """The group spec to send, with the live value of every field owned by someone else
    (ignore-differences), so that our update does not reset it."""
    sent = copy.deepcopy(group)
    if live is None:
        return sent
    for path in ignore:
        match = _IGNORED_GROUP_FIELD.match(path)
        if match is None or match.group(1) not in (None, "*", group[GROUP_KEY]):
            continue
        present, value = _get(live, match.group(2))
        if present:
            _put(sent, match.group(2), value)
    return sent


def update_request(
    name: str,
    spec: JsonDict,
    description: JsonDict,
    ignore: tuple[str, ...] = (),
    dropped: tuple[str, ...] = (),
) -> JsonDict:
    """The UpdateCluster request that turns the described cluster into `spec`: the
    complete desired spec of every group that changes or is new, the names of the groups
    no longer declared, and the cluster-level fields that changed. Only ``ClusterName``
    when there is nothing to do. `dropped`: fields the last apply declared and the
    manifest no longer does (the plan found them from the record of that apply)."""
    live = live_spec(description)
    desired_groups = {g[GROUP_KEY]: g for g in spec.get(GROUPS, [])}
    live_groups = {g[GROUP_KEY]: g for g in live.get(GROUPS, [])}
    touched: set[str] = set()
    fields: set[str] = set()
    for change in INFO.differences(spec, description, ignore, dropped=set(dropped).__contains__):
        group = group_name(change.path)
        top = change.path.split(".")[0].split("[")[0]
        if group is not None:
            touched.add(group)
        elif top == GROUPS:  # compared as a whole (e.g. duplicate names): send every group
            touched |= set(desired_groups) | set(live_groups)
        else:
            fields.add(top)
    request: JsonDict = {"ClusterName": name}
    groups = [
        _keep_ignored(group, live_groups.get(group_id), ignore)
        for group_id, group in desired_groups.items()
        if group_id in touched
    ]
    if groups:
        request[GROUPS] = groups
    to_delete = sorted(n for n in live_groups if n in touched and n not in desired_groups)
    if to_delete:
        request["InstanceGroupsToDelete"] = to_delete
    for field in sorted(fields):
        if field in updatable() and field in spec:
            request[field] = spec[field]
    return request


# DescribeClusterNode calls per cluster at most: a cluster scaling up by hundreds of
# nodes has hundreds Pending, and their List entries say enough.
MAX_NODE_DESCRIBES = 20


def cluster_nodes(aws: Gateway, name: str, declared: JsonDict | None) -> JsonDict | None:
    """A cluster's nodes: per instance group how many there are, how many are Running and
    (when declared) how many the manifest asks for; and every node that is not Running,
    with its status and message. None when the cluster is gone."""
    groups: dict[str, JsonDict] = {}
    for group in (declared or {}).get("InstanceGroups", []):
        groups[group["InstanceGroupName"]] = {
            "wanted": group.get("InstanceCount"),
            "total": 0,
            "running": 0,
        }
    not_running: list[JsonDict] = []
    try:
        for page in aws.pages(INFO.service, "ListClusterNodes", ClusterName=name):
            for node in page["ClusterNodeSummaries"]:
                counts = groups.setdefault(node["InstanceGroupName"], {"total": 0, "running": 0})
                counts["total"] += 1
                instance = node.get("InstanceStatus", {})
                if instance.get("Status") == "Running":
                    counts["running"] += 1
                    continue
                not_running.append(
                    {
                        "instance_group": node["InstanceGroupName"],
                        "instance_id": node["InstanceId"],
                        "status": instance.get("Status"),
                        "message": instance.get("Message"),
                    }
                )
    except AwsError as err:
        if err.not_found:
            return None
        raise
    for node in not_running[:MAX_NODE_DESCRIBES]:
        try:
            details = aws.call(
                INFO.service, "DescribeClusterNode", ClusterName=name, NodeId=node["instance_id"]
            )
        except AwsError as err:
            if err.not_found:
                continue  # gone since it was listed: the list entry is what we know
            raise
        instance = details["NodeDetails"].get("InstanceStatus", {})
        node["status"] = instance.get("Status", node["status"])
        node["message"] = instance.get("Message") or node["message"]
    return {"groups": groups, "not_running": not_running}


def nodes_health(current: str, nodes: JsonDict) -> str:
    """A cluster's health, lowered by nodes that failed (Degraded) or are on their way."""
    statuses = {node["status"] for node in nodes["not_running"]}
    if "Failure" in statuses:
        return "Degraded"
    if statuses and current == "Healthy":
        return "Progressing"
    return current


class ClusterApi(KindApi):
    details_key = "nodes"

    def details(self, aws: Gateway, name: str, declared: JsonDict | None) -> JsonDict | None:
        return cluster_nodes(aws, name, declared)

    def details_health(self, health: str, details: JsonDict) -> str:
        return nodes_health(health, details)

    def update(self, aws: Gateway, name: str, call: UpdateCall) -> None:
        # The plan built the request from the Describe it read (plan_request): the groups
        # to send and to delete are the difference to the cluster as the plan saw it.
        if call.request is None:
            raise ValueError(f"UpdateCluster of {name}: the plan carries no request")
        if len(call.request) > 1:  # more than the name: something to change
            self.call(aws, "UpdateCluster", **call.request)

    def rolled_back(
        self, description: JsonDict, spec: JsonDict, ignore: tuple[str, ...] = ()
    ) -> str | None:
        """The FailureMessage when an update ended InService without taking effect."""
        message = description.get("FailureMessage")
        if message and INFO.differences(spec, description, ignore):
            return str(message)
        return None


API = ClusterApi(INFO)
