"""Cluster (SageMaker HyperPod): UpdateCluster changes instance groups; VpcConfig,
Orchestrator and a group's InstanceType / ExecutionRole / ThreadsPerCore are create-only."""

from __future__ import annotations

from reconciler.kinds.api import KindApi
from reconciler.kinds.base import KindInfo
from reconciler.resources import Kind

INFO = KindInfo(
    kind=Kind.CLUSTER,
    name_field="ClusterName",
    create_operation="CreateCluster",
    arn_resource_type="cluster",
    create_only=("VpcConfig", "Orchestrator"),
)


class ClusterApi(KindApi):
    status_key = "ClusterStatus"
    transitional = ("Creating", "Updating", "Deleting", "SystemUpdating", "RollingBack")


API = ClusterApi(INFO)
