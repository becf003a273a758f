"""The emulator's SageMaker state: one :class:`RegionState` per (account, region).

Records keep the create request as it was sent (so Describe returns what was created,
field for field) plus the server-side facts SageMaker adds: ARN, times, status, failure
reason. Names are looked up case-insensitively, as SageMaker does (its ARNs carry the
lower-cased name, so two names differing only in case would collide).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from reconciler.emulator.lifecycle import Pending

JsonDict = dict[str, Any]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Resource:
    """What every emulated SageMaker resource has.

    name:     the name as created (case preserved)
    arn:      read by clients, never built by them
    request:  the create request minus the name and Tags
    status:   the status enum value shown now ("" for kinds without one)
    pending:  the transition in progress, if any
    """

    name: str
    arn: str
    request: JsonDict
    creation_time: dt.datetime = field(default_factory=utcnow)
    last_modified_time: dt.datetime = field(default_factory=utcnow)
    status: str = ""
    pending: Pending | None = None
    failure_reason: str | None = None

    def touch(self) -> None:
        self.last_modified_time = utcnow()


@dataclass
class Model(Resource):
    pass


@dataclass
class EndpointConfig(Resource):
    pass


@dataclass
class ModelPackageGroup(Resource):
    """A model registry group; `versions` counts the versions ever created in it (a
    version number is never given twice)."""

    versions: int = 0


@dataclass
class ModelPackage(Resource):
    """A model package; versioned when `group` is set (its name is ``<group>/<version>``).
    `approval` is its ModelApprovalStatus, `approval_description` its ApprovalDescription."""

    group: str = ""
    version: int = 0
    approval: str = ""
    approval_description: str | None = None


@dataclass
class Endpoint(Resource):
    """config_name: the EndpointConfig the endpoint runs now.
    pending_config_name: the config an UpdateEndpoint in progress moves it to.
    variants: ProductionVariantSummary list of the deployed config.
    last_deployment_config: the DeploymentConfig of the last create/update, if any.
    shadow_variants: the same for the deployed config's ShadowProductionVariants.
    pending_variants / pending_shadow_variants: PendingProductionVariantSummary lists of
        the config an UpdateEndpoint in progress moves to.
    deployed: what the endpoint took from its config when it was deployed
        (DataCaptureConfig, AsyncInferenceConfig, ...): Describe shows these even after
        the config is deleted.
    instance_types: InstanceType of each deployed production variant, by variant name
        (ProductionVariantSummary has none; UpdateEndpoint compares them for autoscaled
        variants even when the old config is gone).
    variant_models: ModelName of each deployed production variant, by variant name (the
        model that answers InvokeEndpoint there, even when its config is gone)."""

    config_name: str = ""
    pending_config_name: str | None = None
    pending_since: dt.datetime | None = None
    variants: list[JsonDict] = field(default_factory=list)
    last_deployment_config: JsonDict | None = None
    shadow_variants: list[JsonDict] = field(default_factory=list)
    instance_types: dict[str, str] = field(default_factory=dict)
    variant_models: dict[str, str] = field(default_factory=dict)
    pending_variants: list[JsonDict] = field(default_factory=list)
    pending_shadow_variants: list[JsonDict] = field(default_factory=list)
    deployed: JsonDict = field(default_factory=dict)


@dataclass
class InferenceComponent(Resource):
    """specification / runtime copy counts as deployed; desired_copy_count may run ahead
    of current_copy_count while an update is in progress. instance_type: the instance type
    of the endpoint variant it was placed on (what DataCacheConfig's default depends on)."""

    endpoint_name: str = ""
    endpoint_arn: str = ""
    variant_name: str = ""
    instance_type: str = ""
    desired_copy_count: int = 0
    current_copy_count: int = 0
    last_deployment_config: JsonDict | None = None


@dataclass
class ClusterNode:
    instance_group: str
    instance_id: str
    instance_type: str
    launch_time: dt.datetime
    status: str = "Running"
    message: str | None = None


@dataclass
class Cluster(Resource):
    """groups: the instance-group specifications as last applied, by group name;
    pending_groups: what an UpdateCluster in progress moves them to (its target).
    nodes: the instances, following each group's InstanceCount once a transition ends."""

    groups: dict[str, JsonDict] = field(default_factory=dict)
    pending_groups: dict[str, JsonDict] | None = None
    nodes: list[ClusterNode] = field(default_factory=list)
    group_status: dict[str, str] = field(default_factory=dict)


@dataclass
class ScalableTarget:
    """An Application Auto Scaling scalable target (namespace ``sagemaker``); suspended: the
    SuspendedState flags as last registered (unset ones are false)."""

    resource_id: str
    dimension: str
    arn: str
    min_capacity: int
    max_capacity: int
    suspended: JsonDict = field(default_factory=dict)
    creation_time: dt.datetime = field(default_factory=utcnow)


@dataclass
class ScalingPolicy:
    """A scaling policy of a scalable target. alarms: the CloudWatch alarms Application
    Auto Scaling created for it (target tracking), as [{AlarmName, AlarmARN}]."""

    name: str
    resource_id: str
    dimension: str
    arn: str
    policy_type: str
    configuration: JsonDict
    alarms: list[JsonDict] = field(default_factory=list)
    creation_time: dt.datetime = field(default_factory=utcnow)


@dataclass
class ScheduledAction:
    """A scheduled action of a scalable target; request: Schedule, Timezone, StartTime,
    EndTime, ScalableTargetAction as last put."""

    name: str
    resource_id: str
    dimension: str
    arn: str
    request: JsonDict
    creation_time: dt.datetime = field(default_factory=utcnow)


R = TypeVar("R", bound=Resource)


class Registry(Generic[R]):
    """Resources of one kind, by case-insensitive name, in creation order."""

    def __init__(self) -> None:
        self._items: dict[str, R] = {}

    def get(self, name: str) -> R | None:
        return self._items.get(name.lower())

    def add(self, resource: R) -> None:
        self._items[resource.name.lower()] = resource

    def remove(self, name: str) -> None:
        self._items.pop(name.lower(), None)

    def __iter__(self) -> Iterator[R]:
        return iter(list(self._items.values()))

    def __len__(self) -> int:
        return len(self._items)


@dataclass
class RegionState:
    """All emulated SageMaker resources of one account in one region."""

    account: str
    region: str
    models: Registry[Model] = field(default_factory=Registry)
    endpoint_configs: Registry[EndpointConfig] = field(default_factory=Registry)
    endpoints: Registry[Endpoint] = field(default_factory=Registry)
    inference_components: Registry[InferenceComponent] = field(default_factory=Registry)
    clusters: Registry[Cluster] = field(default_factory=Registry)
    model_package_groups: Registry[ModelPackageGroup] = field(default_factory=Registry)
    # By ARN: a versioned package's name (``<group>/<version>``) is no SageMaker name.
    model_packages: Registry[ModelPackage] = field(default_factory=Registry)
    # Tags by resource ARN, in the order they were first added.
    tags: dict[str, dict[str, str]] = field(default_factory=dict)
    # Application Auto Scaling (namespace sagemaker), keyed by (ResourceId, ScalableDimension),
    # and (ResourceId, ScalableDimension, name) for policies and scheduled actions, in
    # creation order; tags of scalable targets by ScalableTargetARN.
    scalable_targets: dict[tuple[str, str], ScalableTarget] = field(default_factory=dict)
    scaling_policies: dict[tuple[str, str, str], ScalingPolicy] = field(default_factory=dict)
    scheduled_actions: dict[tuple[str, str, str], ScheduledAction] = field(default_factory=dict)
    target_tags: dict[str, dict[str, str]] = field(default_factory=dict)

    def arn(self, resource_type: str, name: str) -> str:
        """ARN of a named resource; SageMaker lower-cases the name in its ARNs."""
        return f"arn:{partition(self.region)}:sagemaker:{self.region}:{self.account}:{resource_type}/{name.lower()}"


def partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


class EmulatorState:
    """Every account and region the emulator has seen since start or the last reset."""

    def __init__(self) -> None:
        self._regions: dict[tuple[str, str], RegionState] = {}

    def region(self, account: str, region: str) -> RegionState:
        key = (account, region)
        if key not in self._regions:
            self._regions[key] = RegionState(account=account, region=region)
        return self._regions[key]

    def reset(self) -> None:
        self._regions.clear()
