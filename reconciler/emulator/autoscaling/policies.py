"""PutScalingPolicy / DescribeScalingPolicies / DeleteScalingPolicy (namespace sagemaker).

Rules, with their sources (AAS model = botocore's application-autoscaling service-2.json):
- "You cannot create a scaling policy until you have registered the resource as a scalable
  target": ObjectNotFoundException otherwise (AAS model PutScalingPolicy, and its
  ObjectNotFoundException doc).
- "Creates or updates a scaling policy"; "You cannot change the name of a scaling policy":
  the same name on the same target is an update in place. We keep the PolicyARN and
  CreationTime (UNVERIFIED: the ARN carries a UUID; moto makes a new one on every put).
- PolicyType "is required if you are creating a scaling policy"; PredictiveScaling is
  "Only supported for Amazon ECS" (AAS model PutScalingPolicyRequest.PolicyType).
- A target tracking policy creates and owns two CloudWatch alarms and answers them in
  ``Alarms`` (AAS UG application-auto-scaling-target-tracking.md); deleting the policy
  deletes them (AAS UG create-target-tracking-policy-cli.md).
- DescribeScalingPolicies: exact PolicyNames / ResourceId / ScalableDimension filters,
  MaxResults 1..10, default 10 (AAS model).
"""

from __future__ import annotations

import uuid
from typing import Any

from reconciler.emulator.autoscaling import (
    NAMESPACE,
    alarms,
    not_found,
    operation,
    ours,
    page,
    resources,
    selected,
    targets,
)
from reconciler.emulator.errors import validation
from reconciler.emulator.sagemaker import Context, server_fields
from reconciler.emulator.state import ScalingPolicy, partition

JsonDict = dict[str, Any]

CONFIG_BY_TYPE = {
    "TargetTrackingScaling": "TargetTrackingScalingPolicyConfiguration",
    "StepScaling": "StepScalingPolicyConfiguration",
}
# The predefined metric types that fit each SageMaker dimension (MetricType enum, AAS
# model). AWS's refusal, quoted for the provisioned-concurrency dimension in
# aws/aws-cdk#29065: "Scalable dimension sagemaker:variant:DesiredProvisionedConcurrency
# only supports the following predefined metric types:
# SageMakerVariantProvisionedConcurrencyUtilization"; for the other two dimensions the
# same wording is UNVERIFIED, and so is which metrics each accepts (inferred from the names).
METRICS_BY_DIMENSION = {
    resources.INSTANCE_COUNT: (
        "SageMakerVariantInvocationsPerInstance",
        "SageMakerVariantConcurrentRequestsPerModelHighResolution",
    ),
    resources.PROVISIONED_CONCURRENCY: ("SageMakerVariantProvisionedConcurrencyUtilization",),
    resources.COPY_COUNT: (
        "SageMakerInferenceComponentInvocationsPerCopy",
        "SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution",
    ),
}


def _policy_arn(ctx: Context, resource_id: str, name: str) -> str:
    """``arn:aws:autoscaling:<region>:<account>:scalingPolicy:<policy-id>:resource/<namespace>/
    <resource-id>:policyName/<name>`` (AAS UG create-target-tracking-policy-cli.md; a real
    SageMaker one in awslabs/stable-diffusion-aws-extension docs): service ``autoscaling``."""
    state = ctx.state
    return (
        f"arn:{partition(state.region)}:autoscaling:{state.region}:{state.account}:"
        f"scalingPolicy:{uuid.uuid4()}:resource/{NAMESPACE}/{resource_id}:policyName/{name}"
    )


def _check_configuration(policy_type: str, dimension: str, config: JsonDict | None) -> JsonDict:
    """`config` when it is a valid configuration of a `policy_type` policy on `dimension`."""
    if config is None:
        # OUR wording (UNVERIFIED): a policy of a type needs that type's configuration.
        raise validation(
            f"{CONFIG_BY_TYPE[policy_type]} is required for a policy of type {policy_type}."
        )
    if policy_type == "StepScaling":
        # StepScalingPolicyConfiguration.AdjustmentType "is required if you are adding a new
        # step scaling policy configuration"; "At least one step adjustment is required"
        # (AAS model). Wording OURS.
        if "AdjustmentType" not in config:
            raise validation("AdjustmentType is required for a step scaling policy configuration.")
        if not config.get("StepAdjustments"):
            raise validation("At least one step adjustment is required.")
        return config
    predefined = config.get("PredefinedMetricSpecification")
    custom = config.get("CustomizedMetricSpecification")
    if (predefined is None) == (custom is None):
        # OUR wording (UNVERIFIED): the two are alternatives (AAS model
        # TargetTrackingScalingPolicyConfiguration).
        raise validation(
            "Exactly one of PredefinedMetricSpecification and CustomizedMetricSpecification "
            "must be specified."
        )
    if predefined is not None:
        allowed = METRICS_BY_DIMENSION[dimension]
        if predefined["PredefinedMetricType"] not in allowed:
            raise validation(
                f"Scalable dimension {dimension} only supports the following predefined metric "
                f"types: {', '.join(allowed)}"
            )
    return config


@operation("PutScalingPolicy")
def put_scaling_policy(ctx: Context, request: JsonDict) -> JsonDict:
    ours(request)
    name, resource_id = request["PolicyName"], request["ResourceId"]
    dimension = request["ScalableDimension"]
    resources.parse(resource_id, dimension)
    targets.find(ctx, resource_id, dimension)
    key = (resource_id, dimension, name)
    existing = ctx.state.scaling_policies.get(key)
    policy_type = request.get("PolicyType") or (existing.policy_type if existing else None)
    if policy_type is None:
        # "This parameter is required if you are creating a scaling policy" (AAS model).
        raise validation("PolicyType is required when creating a scaling policy.")
    if policy_type not in CONFIG_BY_TYPE:
        # PredictiveScaling: "Only supported for Amazon ECS" (AAS model). Wording OURS.
        raise validation(
            f"Policy type {policy_type} is not supported for service namespace sagemaker."
        )
    field = CONFIG_BY_TYPE[policy_type]
    config = request.get(field)
    if config is None and existing is not None and existing.policy_type == policy_type:
        config = existing.configuration  # "Specify new values for the parameters that you
        # want to change" (SM DG endpoint-auto-scaling-edit.md)
    config = _check_configuration(policy_type, dimension, config)
    account, region = ctx.state.account, ctx.state.region
    if existing is None:
        existing = ScalingPolicy(
            name=name,
            resource_id=resource_id,
            dimension=dimension,
            arn=_policy_arn(ctx, resource_id, name),
            policy_type=policy_type,
            configuration=config,
        )
        ctx.state.scaling_policies[key] = existing
    existing.policy_type, existing.configuration = policy_type, dict(config)
    if policy_type == "TargetTrackingScaling":
        if existing.alarms:
            names = (existing.alarms[0]["AlarmName"], existing.alarms[1]["AlarmName"])
        else:
            suffix = uuid.uuid4()
            prefix = f"TargetTracking-{resource_id}"
            names = (f"{prefix}-AlarmHigh-{suffix}", f"{prefix}-AlarmLow-{uuid.uuid4()}")
        existing.alarms = alarms.put_target_tracking(
            account, region, resource_id, existing.arn, config, names
        )
    elif existing.alarms:
        alarms.delete(account, region, [a["AlarmName"] for a in existing.alarms])
        existing.alarms = []
    return {"PolicyARN": existing.arn, "Alarms": [dict(a) for a in existing.alarms]}


def _described(policy: ScalingPolicy) -> JsonDict:
    return {
        "PolicyARN": policy.arn,
        "PolicyName": policy.name,
        "ServiceNamespace": NAMESPACE,
        "ResourceId": policy.resource_id,
        "ScalableDimension": policy.dimension,
        "PolicyType": policy.policy_type,
        CONFIG_BY_TYPE[policy.policy_type]: dict(policy.configuration),
        "Alarms": [dict(a) for a in policy.alarms],
        "CreationTime": policy.creation_time,
    }


@operation("DescribeScalingPolicies")
def describe_scaling_policies(ctx: Context, request: JsonDict) -> JsonDict:
    ours(request)
    policies = selected(ctx.state.scaling_policies.values(), request, "PolicyNames")
    items, token = page(policies, request, 10)
    response: JsonDict = {
        "ScalingPolicies": [
            server_fields.finish(ctx, "ScalingPolicy", _described(p)) for p in items
        ]
    }
    if token:
        response["NextToken"] = token
    return response


@server_fields.extras_for("ScalingPolicy")
def _policy_extras(answer: JsonDict, facts: JsonDict) -> None:
    """``--server-fields extra``: the documented defaults, as if AWS echoed them (whether it
    does is UNVERIFIED, which is why they are extras): target tracking cooldowns "300
    seconds for each" (SM DG endpoint-auto-scaling-prerequisites.md) and DisableScaleIn
    "The default value is false"; step scaling Cooldown "If not specified, the default value
    is 300" and MetricAggregationType "treated as Average" (AAS model)."""
    tracking = answer.get("TargetTrackingScalingPolicyConfiguration")
    if isinstance(tracking, dict):
        server_fields.add_missing(
            tracking, {"ScaleInCooldown": 300, "ScaleOutCooldown": 300, "DisableScaleIn": False}
        )
    step = answer.get("StepScalingPolicyConfiguration")
    if isinstance(step, dict):
        server_fields.add_missing(step, {"Cooldown": 300, "MetricAggregationType": "Average"})


@operation("DeleteScalingPolicy")
def delete_scaling_policy(ctx: Context, request: JsonDict) -> JsonDict:
    ours(request)
    key = (request["ResourceId"], request["ScalableDimension"], request["PolicyName"])
    policy = ctx.state.scaling_policies.pop(key, None)
    if policy is None:
        # Wording OURS (moto's, with AWS's code ObjectNotFoundException); UNVERIFIED.
        raise not_found(
            f"No scaling policy found for service namespace: {NAMESPACE}, "
            f"resource ID: {key[0]}, scalable dimension: {key[1]}, policy name: {key[2]}"
        )
    account, region = ctx.state.account, ctx.state.region
    alarms.delete(account, region, [a["AlarmName"] for a in policy.alarms])
    alarms.drop_action(account, region, policy.arn)
    return {}
