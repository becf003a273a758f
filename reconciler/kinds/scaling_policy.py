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
- A policy cannot carry the record of the last apply (no tags), so a field the manifest
  dropped is read off the live policy instead (``dropped_from_live``): a live request field
  the manifest leaves out, whose value is not what AWS fills in (SERVER_DEFAULTS), was
  declared before (or set by hand). Only a new policy is without it: whether a put on an
  existing policy keeps what it leaves out is unverified, and AWS's reference has said it
  does ("Any existing parameter not changed in an update to an existing policy is not
  changed in this update request", PutScalingPolicy in the 2016 API reference, quoted by
  amazonka-application-autoscaling 1.4.3; "AdjustmentType is required if you are adding a
  new step scaling policy configuration", AAS model), so such a change is a replace
  (delete, then put: a new PolicyARN, its alarms put again).
- Unverified: whether DescribeScalingPolicies echoes the defaults nobody sent (the emulator
  answers them with ``--server-fields extra``); the documented values are defaults either
  way, so an echo is never drift, and a value other than the default is.
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


# What AWS documents a policy gets when a field is left out (the AAS model). The cooldowns
# of a SageMaker target tracking policy: "300 seconds for each" (SM DG
# endpoint-auto-scaling-prerequisites.md); AWS's cooldown table, as the CDK's
# BaseTargetTrackingProps reference carries it, lists 300 s for "Amazon SageMaker endpoint
# variants" and does not name inference components: 300 for them is UNVERIFIED.
SERVER_DEFAULTS: dict[str, object] = {
    # TargetTrackingScalingPolicyConfiguration.DisableScaleIn: "The default value is false."
    "TargetTrackingScalingPolicyConfiguration.DisableScaleIn": False,
    "TargetTrackingScalingPolicyConfiguration.ScaleInCooldown": 300,
    "TargetTrackingScalingPolicyConfiguration.ScaleOutCooldown": 300,
    # StepScalingPolicyConfiguration.Cooldown: "If not specified, the default value is 300."
    "StepScalingPolicyConfiguration.Cooldown": 300,
    # MetricAggregationType: "If the aggregation type is null, the value is treated as Average."
    "StepScalingPolicyConfiguration.MetricAggregationType": "Average",
}


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
    server_defaults=SERVER_DEFAULTS,
    dropped_from_live=True,
    status_key=None,
    timeout=120.0,
    plan_update=lambda diff: UpdatePlan(["PutScalingPolicy"], "scaling policy changed"),
    # The same namespace and resource rules as its target's.
    rules=RULES,
)


API = OnTargetApi(INFO, "PolicyNames")
