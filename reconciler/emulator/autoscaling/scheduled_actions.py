"""PutScheduledAction / DescribeScheduledActions / DeleteScheduledAction (namespace sagemaker).

Rules, with their sources (AAS model = botocore's application-autoscaling service-2.json):
- "You cannot create a scheduled action until you have registered the resource as a
  scalable target": ObjectNotFoundException otherwise (AAS model PutScheduledAction).
- "Creates or updates"; "To update a scheduled action, specify the parameters that you
  want to change. If you don't specify start and end times, the old values are deleted."
- ScalableTargetAction with neither MinCapacity nor MaxCapacity: ValidationException "At
  least one of minimum capacity and maximum capacity should be provided" (real AWS error
  quoted in aws-cloudformation/community-registry-extensions#255).
- ScheduledActionARN ``arn:aws:autoscaling:<region>:<account>:scheduledAction:<uuid>:
  resource/<namespace>/<resource-id>:scheduledActionName/<name>`` (AAS UG
  scheduled-scaling-additional-cli-commands.md); Timezone is answered only when set.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from reconciler.emulator.autoscaling import (
    NAMESPACE,
    not_found,
    operation,
    ours,
    page,
    resources,
    selected,
    targets,
)
from reconciler.emulator.errors import validation
from reconciler.emulator.sagemaker import Context
from reconciler.emulator.state import ScheduledAction, partition

JsonDict = dict[str, Any]

NEITHER_BOUND = "At least one of minimum capacity and maximum capacity should be provided"
# Schedule forms (AAS model PutScheduledActionRequest.Schedule): at(yyyy-mm-ddThh:mm:ss),
# rate(value unit) with a positive integer and minute(s)|hour(s)|day(s), cron(6 fields).
_SCHEDULE = re.compile(
    r"^(at\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\)"
    r"|rate\([1-9]\d* (minute|minutes|hour|hours|day|days)\)"
    r"|cron\(\S+( \S+){5}\))$"
)


def _action_arn(ctx: Context, resource_id: str, name: str) -> str:
    state = ctx.state
    return (
        f"arn:{partition(state.region)}:autoscaling:{state.region}:{state.account}:"
        f"scheduledAction:{uuid.uuid4()}:resource/{NAMESPACE}/{resource_id}:"
        f"scheduledActionName/{name}"
    )


@operation("PutScheduledAction")
def put_scheduled_action(ctx: Context, request: JsonDict) -> JsonDict:
    ours(request)
    name, resource_id = request["ScheduledActionName"], request["ResourceId"]
    dimension = request["ScalableDimension"]
    resources.parse(resource_id, dimension)
    targets.find(ctx, resource_id, dimension)
    key = (resource_id, dimension, name)
    existing = ctx.state.scheduled_actions.get(key)
    previous = existing.request if existing is not None else {}
    merged: JsonDict = {
        field: request.get(field, previous.get(field))
        for field in ("Schedule", "Timezone", "ScalableTargetAction")
    }
    # Start and end times are dropped when an update does not send them (AAS model).
    merged.update({field: request.get(field) for field in ("StartTime", "EndTime")})
    merged = {k: v for k, v in merged.items() if v is not None}
    if "Schedule" not in merged:
        # The ScheduledAction shape requires Schedule (AAS model); wording OURS.
        raise validation("Schedule is required when creating a scheduled action.")
    if not _SCHEDULE.match(merged["Schedule"]):
        # Wording OURS (UNVERIFIED); the forms are the AAS model's.
        raise validation(
            f"Invalid schedule expression {merged['Schedule']!r}: expected at(...), rate(...) or cron(...)."
        )
    action = merged.get("ScalableTargetAction") or {}
    if "MinCapacity" not in action and "MaxCapacity" not in action:
        raise validation(NEITHER_BOUND)
    low, high = action.get("MinCapacity"), action.get("MaxCapacity")
    if low is not None and high is not None and low > high:
        # Wording OURS (as for RegisterScalableTarget); UNVERIFIED.
        raise validation("Maximum capacity cannot be less than minimum capacity")
    if existing is None:
        existing = ScheduledAction(
            name=name,
            resource_id=resource_id,
            dimension=dimension,
            arn=_action_arn(ctx, resource_id, name),
            request=merged,
        )
        ctx.state.scheduled_actions[key] = existing
    existing.request = merged
    return {}


def _described(action: ScheduledAction) -> JsonDict:
    return {
        "ScheduledActionName": action.name,
        "ScheduledActionARN": action.arn,
        "ServiceNamespace": NAMESPACE,
        "ResourceId": action.resource_id,
        "ScalableDimension": action.dimension,
        **{k: (dict(v) if isinstance(v, dict) else v) for k, v in action.request.items()},
        "CreationTime": action.creation_time,
    }


@operation("DescribeScheduledActions")
def describe_scheduled_actions(ctx: Context, request: JsonDict) -> JsonDict:
    ours(request)
    actions = selected(ctx.state.scheduled_actions.values(), request, "ScheduledActionNames")
    # MaxResults 1..50, default 50 (AAS model).
    items, token = page(actions, request, 50)
    response: JsonDict = {"ScheduledActions": [_described(a) for a in items]}
    if token:
        response["NextToken"] = token
    return response


@operation("DeleteScheduledAction")
def delete_scheduled_action(ctx: Context, request: JsonDict) -> JsonDict:
    ours(request)
    key = (request["ResourceId"], request["ScalableDimension"], request["ScheduledActionName"])
    if ctx.state.scheduled_actions.pop(key, None) is None:
        # ObjectNotFoundException (AAS model); moto succeeds silently. Wording OURS.
        raise not_found(
            f"No scheduled action found for service namespace: {NAMESPACE}, "
            f"resource ID: {key[0]}, scalable dimension: {key[1]}, "
            f"scheduled action name: {key[2]}"
        )
    return {}
