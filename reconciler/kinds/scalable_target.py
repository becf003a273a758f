"""ScalableTarget: an Application Auto Scaling target on a SageMaker inference component's
copy count or an endpoint variant's instance count.

The spec is the RegisterScalableTarget request (ServiceNamespace ``sagemaker``, ResourceId,
ScalableDimension, MinCapacity, MaxCapacity, SuspendedState). A target has no name of its
own: it is its namespace, resource and dimension, so its physical name is
``<ServiceNamespace>/<ResourceId>/<ScalableDimension>`` — the form Terraform imports
``aws_appautoscaling_target`` by (terraform-provider-aws, appautoscaling target import ID).

Facts (Application Auto Scaling API reference and botocore's application-autoscaling
model, unless said otherwise):
- RegisterScalableTarget "registers or updates": registering again changes what is sent
  and leaves the rest, so it is also the update; Tags are taken only when the target is
  new ("To tag an existing scalable target, use the TagResource operation"; AWS refuses
  them on an existing target, terraform-provider-aws#31839), so an update sends none.
- RoleARN: SageMaker targets always use the service-linked role
  AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint, and a role passed in is
  ignored (RegisterScalableTarget RoleARN; terraform-provider-aws#5023): never compared.
- Tags are a map, on the ScalableTargetARN: TagResource / UntagResource /
  ListTagsForResource. Whether the Resource Groups Tagging API lists scalable targets is
  unverified, so their tags are read one target at a time.
- Deregistering deletes the target's scaling policies and scheduled actions
  (DeregisterScalableTarget); a missing target is ObjectNotFoundException.
- Once registered, the scaler owns the count it scales: the inference component's copy
  count is never reset by the reconciler (``takes_over``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from reconciler.gateway import Gateway
from reconciler.kinds.api import KindApi, UpdateCall
from reconciler.kinds.base import KindInfo, PlannedSpecs, Reference, one_call, without
from reconciler.kinds.endpoint import SCALED_VARIANTS
from reconciler.kinds.validation import KindRules, ManifestLookup, problem
from reconciler.resources import JsonDict, Kind, Manifest, Problem

SERVICE = "application-autoscaling"
NAMESPACE = "sagemaker"
COPY_COUNT = "sagemaker:inference-component:DesiredCopyCount"
INSTANCE_COUNT = "sagemaker:variant:DesiredInstanceCount"
PROVISIONED_CONCURRENCY = "sagemaker:variant:DesiredProvisionedConcurrency"
# ResourceId forms (RegisterScalableTarget ResourceId: "inference-component/my-inference-
# component", "endpoint/my-end-point/variant/KMeansClustering").
IC_RESOURCE = r"inference-component/(?P<name>[^/]+)"
VARIANT_RESOURCE = r"endpoint/(?P<name>[^/]+)/variant/[^/]+"
VARIANT_ROUTE = r"endpoint/(?P<name>[^/]+)/variant/(?P<variant>[^/]+)"
IDENTITY = ("ServiceNamespace", "ResourceId", "ScalableDimension")

# The service-linked role every SageMaker target uses (Application Auto Scaling user guide,
# "Service-linked roles": the ARN reference table).
ROLE_NAME = (
    "aws-service-role/sagemaker.application-autoscaling.amazonaws.com/"
    "AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint"
)


def identity(spec: JsonDict) -> str:
    """``sagemaker/inference-component/chat/sagemaker:inference-component:DesiredCopyCount``."""
    return "/".join(str(spec.get(k, "")) for k in IDENTITY)


def split(name: str) -> JsonDict:
    """A physical name back into its three identifying request members."""
    namespace, rest = name.split("/", 1)
    resource, dimension = rest.rsplit("/", 1)
    return {"ServiceNamespace": namespace, "ResourceId": resource, "ScalableDimension": dimension}


def target_of(spec: JsonDict) -> str | None:
    """The physical name of the scalable target a spec (or a Describe item) is on."""
    if not all(k in spec for k in IDENTITY):
        return None
    return identity(spec)


@dataclass(frozen=True)
class OnTargetNames:
    """How a kind that lives on a target is named: ``<target>/<its name>``, the name in
    `name_field` (Terraform's import IDs for policies and scheduled actions)."""

    name_field: str

    def identity(self, spec: JsonDict) -> str:
        return f"{identity(spec)}/{spec.get(self.name_field, '')}"

    def split(self, name: str) -> JsonDict:
        target, own = name.rsplit("/", 1)
        return {**split(target), self.name_field: own}

    def export_name(self, name: str) -> str:
        return str(self.split(name)[self.name_field])


def export_name(name: str) -> str:
    """``llama-chat-copies``, ``churn-AllTraffic-instances``: what it scales, and how."""
    key = split(name)
    resource, dimension = key["ResourceId"], key["ScalableDimension"]
    ic = re.fullmatch(IC_RESOURCE, resource)
    variant = re.fullmatch(VARIANT_ROUTE, resource)
    what = {COPY_COUNT: "copies", INSTANCE_COUNT: "instances"}.get(dimension, "concurrency")
    if ic:
        return f"{ic.group('name')}-{what}"
    if variant:
        return f"{variant.group('name')}-{variant.group('variant')}-{what}"
    return re.sub(r"[^a-zA-Z0-9]+", "-", resource).strip("-")


def live_spec(description: JsonDict) -> JsonDict:
    return without(description, "CreationTime", "ScalableTargetARN", "PredictedCapacity")


def takes_over(spec: JsonDict) -> list[tuple[Kind, str, str]]:
    """What the scaler owns once the target is declared: the copy count of the inference
    component it scales, or the instance count of the endpoint variant (which the
    endpoint's updates then keep: kinds.endpoint, ``RetainAllVariantProperties``)."""
    resource = str(spec.get("ResourceId", ""))
    dimension = spec.get("ScalableDimension")
    ic = re.fullmatch(IC_RESOURCE, resource)
    if dimension == COPY_COUNT and ic:
        return [(Kind.INFERENCE_COMPONENT, ic.group("name"), "RuntimeConfig.CopyCount")]
    variant = re.fullmatch(VARIANT_ROUTE, resource)
    if dimension == INSTANCE_COUNT and variant:
        path = f"{SCALED_VARIANTS}.{variant.group('variant')}.DesiredInstanceCount"
        return [(Kind.ENDPOINT, variant.group("name"), path)]
    return []


def scaling_bounds(spec: JsonDict) -> tuple[int | None, int | None]:
    """The least and most the scaler may set the count to (MinCapacity, MaxCapacity)."""
    low, high = spec.get("MinCapacity"), spec.get("MaxCapacity")
    return (low if isinstance(low, int) else None, high if isinstance(high, int) else None)


def moves_out(spec: JsonDict, specs: PlannedSpecs) -> str | None:
    """A variant target must be deregistered before an UpdateEndpoint that changes the
    variant's instance type or removes the variant, and registered again after it: "If the
    update would change the instance type for any model that is a target for auto scaling,
    the update fails ... Before you update the endpoint, delete any scaling policies
    configured for it and deregister the variant as a scalable target" (SageMaker developer
    guide, "Update endpoints that use auto scaling"; removing the variant likewise). A
    change of the variant's model only needs none of it ("There is one exception")."""
    found = re.fullmatch(VARIANT_ROUTE, str(spec.get("ResourceId", "")))
    if found is None:
        return None
    endpoint, variant = found.group("name"), found.group("variant")
    wanted, running = specs.desired(Kind.ENDPOINT, endpoint), specs.live(Kind.ENDPOINT, endpoint)
    if wanted is None or running is None:
        return None
    new_name, old_name = wanted.get("EndpointConfigName"), running.get("EndpointConfigName")
    if not new_name or not old_name or str(new_name).lower() == str(old_name).lower():
        return None
    old = specs.live(Kind.ENDPOINT_CONFIG, str(old_name))
    new = specs.desired(Kind.ENDPOINT_CONFIG, str(new_name)) or specs.live(
        Kind.ENDPOINT_CONFIG, str(new_name)
    )
    if old is None or new is None:
        return None  # unknown: SageMaker's own refusal will say it

    def variants(config: JsonDict) -> dict[str, JsonDict]:
        return {str(v.get("VariantName")): v for v in config.get("ProductionVariants", [])}

    before, after = variants(old).get(variant), variants(new).get(variant)
    if before is None:
        return None
    what = f"endpoint {endpoint}'s new config"
    if after is None:
        return f"{what} removes variant {variant}, which SageMaker refuses while it is a scaling target"
    if before.get("InstanceType") != after.get("InstanceType"):
        return (
            f"{what} changes variant {variant}'s instance type ({before.get('InstanceType')} → "
            f"{after.get('InstanceType')}), which SageMaker refuses while it is a scaling target"
        )
    return None


def target_problems(manifest: Manifest) -> list[Problem]:
    """What the reconciler manages: SageMaker's namespace, an inference component's copy
    count or an endpoint variant's instance count or provisioned concurrency (the three
    SageMaker dimensions of botocore's ScalableDimension), the dimension fitting the
    resource (Application Auto Scaling refuses a mismatch: "Unsupported service
    namespace, resource type or scalable dimension", as moto and getmoto/moto#3304 have
    it; AWS's wording unverified)."""
    spec = manifest.spec
    if spec.get("ServiceNamespace") != NAMESPACE:
        return [
            problem(
                manifest,
                ("ServiceNamespace",),
                f"only {NAMESPACE!r} targets are managed here (SageMaker hosting)",
            )
        ]
    resource, dimension = str(spec.get("ResourceId", "")), spec.get("ScalableDimension")
    fits = {
        COPY_COUNT: IC_RESOURCE,
        INSTANCE_COUNT: VARIANT_RESOURCE,
        PROVISIONED_CONCURRENCY: VARIANT_RESOURCE,
    }
    form = fits.get(str(dimension))
    if form is not None and not re.fullmatch(form, resource):
        example = (
            "inference-component/<name>"
            if form == IC_RESOURCE
            else ("endpoint/<endpoint>/variant/<variant>")
        )
        return [
            problem(manifest, ("ResourceId",), f"{dimension} scales {example}, not {resource!r}")
        ]
    return []


def bound_problems(manifest: Manifest, declared: ManifestLookup) -> list[Problem]:
    """A target on a variant of a declared endpoint may go down to 0 instances only on an
    asynchronous endpoint: for real-time variants "You must also specify the minimum number
    of instances for the model. This value must be at least 1" (SageMaker developer guide,
    auto scaling prerequisites), while asynchronous inference registers its variant with
    MinCapacity 0 ("Autoscale an asynchronous endpoint"). Whether AWS refuses 0 on a
    real-time variant, and in which words, is unverified: this is our rule, from the
    guide. Inference components scale to zero copies on any endpoint (their target is
    another dimension)."""
    spec = manifest.spec
    route = re.fullmatch(VARIANT_ROUTE, str(spec.get("ResourceId", "")))
    if route is None or spec.get("ScalableDimension") != INSTANCE_COUNT:
        return []
    if spec.get("MinCapacity") != 0:
        return []
    endpoint = declared.get(Kind.ENDPOINT, route.group("name"))
    config_name = endpoint.spec.get("EndpointConfigName") if endpoint is not None else None
    config = (
        declared.get(Kind.ENDPOINT_CONFIG, config_name) if isinstance(config_name, str) else None
    )
    if config is None or "AsyncInferenceConfig" in config.spec:
        return []
    return [
        problem(
            manifest,
            ("MinCapacity",),
            f"variant {route.group('variant')} of endpoint {route.group('name')} serves in real "
            f"time ({config.address} has no AsyncInferenceConfig): it needs at least 1 "
            "instance; to scale to zero, host inference components and scale their copies",
        )
    ]


RULES = KindRules(document=target_problems, across=bound_problems)


def _role(value: object, holder: JsonDict, spec: JsonDict) -> bool:
    return isinstance(value, str) and value.endswith(ROLE_NAME)


SERVER_DEFAULTS: dict[str, object] = {
    # SuspendedState: "Setting it to false (default)", each member "The default is false"
    # (botocore SuspendedState); DescribeScalableTargets answers all three.
    "SuspendedState.DynamicScalingInSuspended": False,
    "SuspendedState.DynamicScalingOutSuspended": False,
    "SuspendedState.ScheduledScalingSuspended": False,
    "RoleARN": _role,
}


INFO = KindInfo(
    kind=Kind.SCALABLE_TARGET,
    name_field="",
    create_operation="RegisterScalableTarget",
    arn_resource_type="scalable-target",
    service=SERVICE,
    identity=identity,
    list_call="DescribeScalableTargets",
    list_key="ScalableTargets",
    describe_call="DescribeScalableTargets",
    delete_call="DeregisterScalableTarget",
    arn_field="ScalableTargetARN",
    list_request={"ServiceNamespace": NAMESPACE},
    page_size=50,  # DescribeScalableTargets MaxResults: "between 1 and 50" (botocore)
    key=split,
    export_name=export_name,
    tag_calls=("TagResource", "UntagResource"),
    batched_tags=False,
    references=(
        Reference(("ResourceId",), Kind.INFERENCE_COMPONENT, within=IC_RESOURCE),
        Reference(("ResourceId",), Kind.ENDPOINT, within=VARIANT_RESOURCE),
    ),
    # Its identity: a different resource or dimension is a different target.
    create_only=IDENTITY,
    write_only=("RoleARN",),
    live_spec=live_spec,
    server_defaults=SERVER_DEFAULTS,
    # No status: a registered target is in effect at once.
    status_key=None,
    timeout=120.0,
    plan_update=one_call("RegisterScalableTarget"),
    takes_over=takes_over,
    scaling_bounds=scaling_bounds,
    moves_out=moves_out,
    rules=RULES,
)


class ScalableTargetApi(KindApi):
    def create_request(self, name: str, spec: JsonDict, tags: dict[str, str]) -> JsonDict:
        request = dict(spec)
        if tags:
            request["Tags"] = dict(sorted(tags.items()))
        return request

    def describe(self, aws: Gateway, name: str) -> JsonDict | None:
        key = split(name)
        answer = self.call(
            aws,
            "DescribeScalableTargets",
            ServiceNamespace=key["ServiceNamespace"],
            ResourceIds=[key["ResourceId"]],
            ScalableDimension=key["ScalableDimension"],
        )
        found: list[JsonDict] = answer.get("ScalableTargets", [])
        return found[0] if found else None

    def update(self, aws: Gateway, name: str, call: UpdateCall) -> None:
        # Registering again updates what is sent; tags go with TagResource.
        self.call(aws, "RegisterScalableTarget", **{**call.spec, **split(name)})

    def tags(self, aws: Gateway, arn: str) -> dict[str, str]:
        answer = self.call(aws, "ListTagsForResource", ResourceARN=arn)
        tags: dict[str, Any] = answer.get("Tags", {})
        return {k: str(v) for k, v in tags.items()}

    def add_tags(self, aws: Gateway, arn: str, tags: dict[str, str]) -> None:
        if tags:
            self.call(aws, "TagResource", ResourceARN=arn, Tags=dict(sorted(tags.items())))

    def remove_tags(self, aws: Gateway, arn: str, keys: list[str]) -> None:
        if keys:
            self.call(aws, "UntagResource", ResourceARN=arn, TagKeys=list(keys))


API = ScalableTargetApi(INFO)


class OnTargetApi(KindApi):
    """The calls of a kind that lives on a scalable target and cannot be tagged (a scaling
    policy, a scheduled action): Put is its create and its update, each request carries the
    target's identity and the name (``INFO.key``), a Describe filters by target and by
    name (`names_member`), and whose it is, its target's tags say (``owned_through``)."""

    def __init__(self, info: KindInfo, names_member: str) -> None:
        super().__init__(info)
        self.names_member = names_member

    def create_request(self, name: str, spec: JsonDict, tags: dict[str, str]) -> JsonDict:
        return {**spec, **self.info.key_of(name)}

    def describe(self, aws: Gateway, name: str) -> JsonDict | None:
        key = self.info.key_of(name)
        answer = self.call(
            aws,
            self.describe_operation,
            ServiceNamespace=key["ServiceNamespace"],
            ResourceId=key["ResourceId"],
            ScalableDimension=key["ScalableDimension"],
            **{self.names_member: [key[self.info.name_field]]},
        )
        items: list[JsonDict] = answer.get(self.info.items_key, [])
        found = [item for item in items if self.info.name_of(item) == name]
        return found[0] if found else None

    def update(self, aws: Gateway, name: str, call: UpdateCall) -> None:
        # The whole spec every time (a Put replaces what it is sent).
        self.call(aws, self.info.create_operation, **{**call.spec, **self.info.key_of(name)})

    def tags(self, aws: Gateway, arn: str) -> dict[str, str]:
        return {}  # never called: the observer gives it its target's ownership

    def add_tags(self, aws: Gateway, arn: str, tags: dict[str, str]) -> None:
        return None

    def remove_tags(self, aws: Gateway, arn: str, keys: list[str]) -> None:
        return None
