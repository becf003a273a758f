"""ScalingPolicy: an Application Auto Scaling policy (target tracking or step scaling) on a
declared ScalableTarget.

The spec is the PutScalingPolicy request; ``metadata.name`` is its PolicyName. A policy is
its target's namespace, resource and dimension plus its name, so its physical name is
``<ServiceNamespace>/<ResourceId>/<ScalableDimension>/<PolicyName>`` (Terraform's import ID
for ``aws_appautoscaling_policy``).

Facts (Application Auto Scaling API reference, botocore's application-autoscaling model):
- PutScalingPolicy "creates or updates a scaling policy": putting it again under the same
  name on the same target is the update; the name cannot change.
- "You cannot create a scaling policy until you have registered the resource as a
  scalable target" (ObjectNotFoundException): it depends on its target.
- A scaling policy cannot be tagged (TagResource: "you cannot tag a scaling policy or
  scheduled action"), so it is ours through its target: it is ours when its target is
  (``owned_through``), and a declared policy must name a declared target.
- Deregistering the target deletes its policies; replacing the target re-puts them (the
  target is where it lives).
- Unverified: whether DescribeScalingPolicies echoes cooldowns nobody sent (the
  developer guide says unspecified cooldowns default to 300 s); only declared fields are
  compared, so either answer is no drift.
"""

from __future__ import annotations

from reconciler.kinds.base import KindInfo, Reference, UpdatePlan, without
from reconciler.kinds.scalable_target import (
    IC_RESOURCE,
    IDENTITY,
    NAMESPACE,
    RULES,
    SERVICE,
    VARIANT_RESOURCE,
    OnTargetApi,
    OnTargetNames,
    target_of,
)
from reconciler.resources import JsonDict, Kind

NAME_FIELD = "PolicyName"


NAMES = OnTargetNames(NAME_FIELD)
identity, split = NAMES.identity, NAMES.split


def live_spec(description: JsonDict) -> JsonDict:
    return without(description, "PolicyARN", NAME_FIELD, "Alarms", "CreationTime")


INFO = KindInfo(
    kind=Kind.SCALING_POLICY,
    name_field=NAME_FIELD,
    create_operation="PutScalingPolicy",
    arn_resource_type="scaling-policy",
    service=SERVICE,
    identity=identity,
    list_call="DescribeScalingPolicies",
    list_key="ScalingPolicies",
    describe_call="DescribeScalingPolicies",
    delete_call="DeleteScalingPolicy",
    arn_field="PolicyARN",
    list_request={"ServiceNamespace": NAMESPACE},
    page_size=10,  # DescribeScalingPolicies MaxResults: "between 1 and 10" (botocore)
    key=split,
    export_name=NAMES.export_name,
    batched_tags=False,
    owned_through=Kind.SCALABLE_TARGET,
    references=(
        Reference(("ResourceId",), Kind.INFERENCE_COMPONENT, within=IC_RESOURCE),
        Reference(("ResourceId",), Kind.ENDPOINT, within=VARIANT_RESOURCE),
        Reference(("ResourceId",), Kind.SCALABLE_TARGET, derive=target_of),
    ),
    # Its target and its name are what it is: another target is another policy.
    create_only=IDENTITY,
    live_spec=live_spec,
    status_key=None,
    timeout=120.0,
    plan_update=lambda diff: UpdatePlan(["PutScalingPolicy"], "scaling policy changed"),
    # The same namespace and resource rules as its target's.
    rules=RULES,
    # Overlay patches merge a customized metric's dimensions by name and its queries by
    # id (PutScalingPolicy CustomizedMetricSpecification).
    merge_keys={
        "TargetTrackingScalingPolicyConfiguration.CustomizedMetricSpecification.Dimensions": (
            "Name"
        ),
        "TargetTrackingScalingPolicyConfiguration.CustomizedMetricSpecification.Metrics": "Id",
    },
)


API = OnTargetApi(INFO, "PolicyNames")
