"""RegisterScalableTarget / DescribeScalableTargets / DeregisterScalableTarget and the
tag operations on scalable targets (TagResource, UntagResource, ListTagsForResource).

Rules, with their sources (AAS model = botocore's application-autoscaling service-2.json):
- Register is an upsert keyed by (namespace, ResourceId, ScalableDimension); "When you
  register a new scalable target, you must specify values for the minimum and maximum
  capacity"; on update "Any parameters that you don't specify are not changed"; the ARN
  stays (AAS model RegisterScalableTarget).
- Every register clamps the resource's live capacity into [Min, Max] when the resource is
  active ("Application Auto Scaling retrieves the current capacity of the resource. If
  it's below the minimum capacity or above the maximum capacity, Application Auto Scaling
  adjusts the capacity ... even if you don't include the MinCapacity or MaxCapacity
  request parameters", AAS model RegisterScalableTarget).
- Describe fills in RoleARN (the SageMaker SLR), SuspendedState (all false: "The default
  is false", AAS model SuspendedState), CreationTime and ScalableTargetARN.
- Deregister "deletes the scaling policies and the scheduled actions that are associated
  with it" (AAS model DeregisterScalableTarget); a missing target is ObjectNotFoundException.
"""

from __future__ import annotations

import secrets
import string
from typing import Any

from reconciler.emulator.autoscaling import (
    NAMESPACE,
    alarms,
    not_found,
    operation,
    ours,
    page,
    resources,
    slr_arn,
)
from reconciler.emulator.errors import AwsError, validation
from reconciler.emulator.sagemaker import Context
from reconciler.emulator.state import RegionState, ScalableTarget, partition

JsonDict = dict[str, Any]

MAX_TAGS = 50
SUSPENDED_FLAGS = (
    "DynamicScalingInSuspended",
    "DynamicScalingOutSuspended",
    "ScheduledScalingSuspended",
)
# terraform-provider-aws#31839 quotes AWS's refusal of Tags on an existing target.
TAGS_ON_EXISTING = (
    "The scalable target that you tried to tag already exists. To update tags on an "
    "existing scalable target, use the TagResource API."
)


def _target_arn(state: RegionState) -> str:
    """``arn:aws:application-autoscaling:<region>:<account>:scalable-target/<id>``, the id
    36 lowercase alphanumerics like ``1234abcd56ab78cd901ef1234567890ab123`` (AAS UG
    services-that-can-integrate-sagemaker.md, resource-tagging-support.md)."""
    alphabet = string.ascii_lowercase + string.digits
    suffix = "".join(secrets.choice(alphabet) for _ in range(36))
    return (
        f"arn:{partition(state.region)}:application-autoscaling:{state.region}:"
        f"{state.account}:scalable-target/{suffix}"
    )


def missing_target(resource_id: str, dimension: str) -> AwsError:
    # Wording OURS (moto's, with AWS's code); AWS's message is UNVERIFIED.
    return not_found(
        f"No scalable target registered for service namespace: {NAMESPACE}, "
        f"resource ID: {resource_id}, scalable dimension: {dimension}"
    )


def find(ctx: Context, resource_id: str, dimension: str) -> ScalableTarget:
    target = ctx.state.scalable_targets.get((resource_id, dimension))
    if target is None:
        raise missing_target(resource_id, dimension)
    return target


def _check_tags(tags: dict[str, str]) -> None:
    # TooManyTagsException is declared by TagResource (AAS model); 50 per resource is the
    # limit of AWS's general tagging rules (Tagging AWS resources, "Tag naming limits and
    # requirements"). The aws: prefix is reserved there too.
    for key in tags:
        if key.lower().startswith("aws:"):
            raise validation(f"Tag key '{key}' is not allowed: the aws: prefix is reserved.")
    if len(tags) > MAX_TAGS:
        raise AwsError(
            "TooManyTagsException",
            f"A scalable target can have at most {MAX_TAGS} tags; this request would leave {len(tags)}.",
        )


@operation("RegisterScalableTarget")
def register(ctx: Context, request: JsonDict) -> JsonDict:
    ours(request)
    resource_id, dimension = request["ResourceId"], request["ScalableDimension"]
    scaled = resources.parse(resource_id, dimension)
    resources.check_exists(ctx.state, scaled, dimension)
    existing = ctx.state.scalable_targets.get((resource_id, dimension))
    if existing is not None and "Tags" in request:
        raise validation(TAGS_ON_EXISTING)
    low = request.get("MinCapacity", existing.min_capacity if existing else None)
    high = request.get("MaxCapacity", existing.max_capacity if existing else None)
    if low is None or high is None:
        # AAS model MinCapacity/MaxCapacity: "This property is required when registering a
        # new scalable target." Wording OURS (UNVERIFIED).
        missing = " and ".join(
            n for n, v in (("MinCapacity", low), ("MaxCapacity", high)) if v is None
        )
        raise validation(f"{missing} must be specified when registering a new scalable target.")
    if low > high:
        # Wording OURS, after a peer emulator ("stackd"); AWS's is UNVERIFIED.
        raise validation("Maximum capacity cannot be less than minimum capacity")
    tags = dict(request.get("Tags") or {})
    _check_tags(tags)
    if existing is None:
        existing = ScalableTarget(
            resource_id=resource_id,
            dimension=dimension,
            arn=_target_arn(ctx.state),
            min_capacity=low,
            max_capacity=high,
        )
        ctx.state.scalable_targets[(resource_id, dimension)] = existing
        ctx.state.target_tags[existing.arn] = tags
    existing.min_capacity, existing.max_capacity = low, high
    existing.suspended.update(request.get("SuspendedState") or {})
    # RoleARN: whatever was sent, the SLR is used and answered (see slr_arn).
    current = resources.current_capacity(ctx.state, scaled, dimension)
    if current is not None and not low <= current <= high:
        resources.set_capacity(ctx.state, scaled, dimension, min(max(current, low), high))
    return {"ScalableTargetARN": existing.arn}


def _described(ctx: Context, target: ScalableTarget) -> JsonDict:
    return {
        "ServiceNamespace": NAMESPACE,
        "ResourceId": target.resource_id,
        "ScalableDimension": target.dimension,
        "MinCapacity": target.min_capacity,
        "MaxCapacity": target.max_capacity,
        "RoleARN": slr_arn(ctx),
        "CreationTime": target.creation_time,
        "SuspendedState": {
            flag: bool(target.suspended.get(flag, False)) for flag in SUSPENDED_FLAGS
        },
        "ScalableTargetARN": target.arn,
    }


@operation("DescribeScalableTargets")
def describe(ctx: Context, request: JsonDict) -> JsonDict:
    ours(request)
    ids = request.get("ResourceIds")
    dimension = request.get("ScalableDimension")
    if dimension is not None and not ids:
        # AAS model DescribeScalableTargetsRequest.ScalableDimension: "If you specify a
        # scalable dimension, you must also specify a resource ID." Wording after a peer
        # emulator; AWS's is UNVERIFIED.
        raise validation("ResourceIds must be specified when ScalableDimension is specified")
    targets = [
        t
        for t in ctx.state.scalable_targets.values()
        if (not ids or t.resource_id in ids) and (dimension is None or t.dimension == dimension)
    ]
    # MaxResults 1..50, default 50 (AAS model).
    items, token = page(targets, request, 50)
    response: JsonDict = {"ScalableTargets": [_described(ctx, t) for t in items]}
    if token:
        response["NextToken"] = token
    return response


def deregister_target(ctx: Context, target: ScalableTarget) -> None:
    """Remove a target with its policies (and their target tracking alarms: "deleting a
    target tracking scaling policy ... also deletes the CloudWatch alarms", AAS UG
    create-target-tracking-policy-cli.md), its scheduled actions and its tags."""
    key = (target.resource_id, target.dimension)
    for policy_key, policy in list(ctx.state.scaling_policies.items()):
        if policy_key[:2] == key:
            alarms.delete(
                ctx.state.account, ctx.state.region, [a["AlarmName"] for a in policy.alarms]
            )
            del ctx.state.scaling_policies[policy_key]
    for action_key in [k for k in ctx.state.scheduled_actions if k[:2] == key]:
        del ctx.state.scheduled_actions[action_key]
    ctx.state.target_tags.pop(target.arn, None)
    ctx.state.scalable_targets.pop(key, None)


def _targets_of(
    ctx: Context, kind: str, name: str
) -> list[tuple[resources.Scaled, ScalableTarget]]:
    """The targets of a SageMaker resource, matched by name as SageMaker does (case-
    insensitively: its names are)."""
    found = []
    for target in ctx.state.scalable_targets.values():
        scaled = resources.parse(target.resource_id, target.dimension)
        if scaled.kind == kind and scaled.name.lower() == name.lower():
            found.append((scaled, target))
    return found


def deregister_resource(ctx: Context, kind: str, name: str) -> None:
    """Deregister, silently, every target of a SageMaker resource being deleted: an
    inference component's (`kind` ``inference-component``) or all variants of an endpoint
    (`kind` ``variant``, `name` the endpoint's)."""
    for _, target in _targets_of(ctx, kind, name):
        deregister_target(ctx, target)


def targets_of_endpoint(ctx: Context, endpoint_name: str) -> dict[str, ScalableTarget]:
    """The targets registered on variants of an endpoint, by variant name."""
    return {scaled.variant: t for scaled, t in _targets_of(ctx, "variant", endpoint_name)}


@operation("DeregisterScalableTarget")
def deregister(ctx: Context, request: JsonDict) -> JsonDict:
    ours(request)
    deregister_target(ctx, find(ctx, request["ResourceId"], request["ScalableDimension"]))
    return {}


# -- tags ------------------------------------------------------------------------------
# Tags are on the ScalableTargetARN, as a map (AAS model TagMap). Scalable targets are not
# listed by the Resource Groups Tagging API's GetResources here: whether AWS lists them
# (resource type application-autoscaling:scalable-target) is UNVERIFIED (the AAS UG
# resource-tagging-support.md names only the AAS tag operations).


def _by_arn(ctx: Context, arn: str) -> ScalableTarget:
    for target in ctx.state.scalable_targets.values():
        if target.arn == arn:
            return target
    # TagResource, UntagResource, ListTagsForResource declare ResourceNotFoundException
    # ("The specified resource doesn't exist", AAS model). moto has no tag operations.
    raise AwsError("ResourceNotFoundException", f"Scalable target with ARN {arn} not found.")


@operation("TagResource")
def tag_resource(ctx: Context, request: JsonDict) -> JsonDict:
    target = _by_arn(ctx, request["ResourceARN"])
    merged = {**ctx.state.target_tags.get(target.arn, {}), **request["Tags"]}
    _check_tags(merged)
    ctx.state.target_tags[target.arn] = merged
    return {}


@operation("UntagResource")
def untag_resource(ctx: Context, request: JsonDict) -> JsonDict:
    target = _by_arn(ctx, request["ResourceARN"])
    tags = ctx.state.target_tags.setdefault(target.arn, {})
    for key in request["TagKeys"]:
        tags.pop(key, None)
    return {}


@operation("ListTagsForResource")
def list_tags(ctx: Context, request: JsonDict) -> JsonDict:
    target = _by_arn(ctx, request["ResourceARN"])
    return {"Tags": dict(ctx.state.target_tags.get(target.arn, {}))}
