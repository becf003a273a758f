"""CloudWatch alarms, kept by moto's CloudWatch backend, and where the emulator corrects it.

moto serves CloudWatch (JSON 1.0, ``X-Amz-Target: GraniteServiceVersion20100801.<Op>`` from
boto3 1.44). We keep moto's answers and fix its state around PutMetricAlarm, rather than
answering the alarm operations ourselves: moto's DescribeAlarms, DeleteAlarms,
SetAlarmState and tagging answer as AWS does already (issue 14 research §7), and composite
alarms, metrics and the rest stay consistent with them in one backend. What we fix
(CloudWatch model, PutMetricAlarm documentation):

- "When this operation creates an alarm, the alarm state is immediately set to
  INSUFFICIENT_DATA" (moto says OK);
- "When you update an existing alarm, its state is left unchanged, but the update
  completely overwrites the previous configuration" (moto resets the state);
- "If you are using this operation to update an existing alarm, any tags you specify in
  this parameter are ignored" (moto adds them).

Application Auto Scaling's target tracking alarms are put into the same backend.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
JsonDict = dict[str, Any]

# AWS's initial StateReason is UNVERIFIED; this is moto's text.
INITIAL_REASON = "Unchecked: Initial alarm creation"
STATES = ("OK", "ALARM", "INSUFFICIENT_DATA")


def _backend(account: str, region: str) -> Any:
    from moto.cloudwatch.models import cloudwatch_backends

    return cloudwatch_backends[account][region]


def around_put(account: str, region: str, name: str, put: Callable[[], T]) -> T:
    """Carry out moto's PutMetricAlarm of `name` (`put`), then give the alarm AWS's state
    and tags: INSUFFICIENT_DATA when new; the old state and the old tags when it existed."""
    backend = _backend(account, region)
    old = backend.alarms.get(name)
    old_state = (
        (old.state_value, old.state_reason, old.state_reason_data, old.state_updated_timestamp)
        if old is not None
        else None
    )
    old_tags = copy.deepcopy(backend.tagger.tags.get(old.alarm_arn, {})) if old else None
    result = put()
    new = backend.alarms.get(name)
    if new is None or new is old:
        return result  # refused: nothing was stored
    if old_state is None:
        new.state_value = "INSUFFICIENT_DATA"
        new.state_reason = INITIAL_REASON
        new.state_reason_data = "{}"
    else:
        (
            new.state_value,
            new.state_reason,
            new.state_reason_data,
            new.state_updated_timestamp,
        ) = old_state
        new.history = old.history
        if old_tags:
            backend.tagger.tags[new.alarm_arn] = old_tags
        else:
            backend.tagger.tags.pop(new.alarm_arn, None)
    return result


def set_state(account: str, region: str, name: str, state: str, reason: str) -> None:
    """The control API's ``alarm-state``: what CloudWatch's evaluation would do."""
    if state not in STATES:
        raise ValueError(f"'StateValue' must be one of {', '.join(STATES)}")
    backend = _backend(account, region)
    if name not in backend.alarms:
        raise ValueError(f"no alarm named {name!r} in account {account}, region {region}")
    backend.alarms[name].update_state(reason, "{}", state)


# -- target tracking alarms ------------------------------------------------------------

# The CloudWatch metric a SageMaker predefined metric type stands for (AWS/SageMaker
# namespace). UNVERIFIED mapping: the metric names are those the SageMaker DG lists for
# endpoints and inference components (InvocationsPerInstance, InvocationsPerCopy,
# ConcurrentRequestsPerModel, ConcurrentRequestsPerCopy,
# ServerlessProvisionedConcurrencyUtilization); which one AAS's alarm watches is inferred.
_PREDEFINED_METRICS = {
    "SageMakerVariantInvocationsPerInstance": "InvocationsPerInstance",
    "SageMakerVariantConcurrentRequestsPerModelHighResolution": "ConcurrentRequestsPerModel",
    "SageMakerVariantProvisionedConcurrencyUtilization": (
        "ServerlessProvisionedConcurrencyUtilization"
    ),
    "SageMakerInferenceComponentInvocationsPerCopy": "InvocationsPerCopy",
    "SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution": (
        "ConcurrentRequestsPerCopy"
    ),
}


def _metric(resource_id: str, config: JsonDict) -> JsonDict:
    custom = config.get("CustomizedMetricSpecification")
    if custom is not None and "MetricName" in custom:
        return {
            "namespace": custom.get("Namespace", ""),
            "metric_name": custom["MetricName"],
            "dimensions": list(custom.get("Dimensions", [])),
            "statistic": custom.get("Statistic", "Average"),
        }
    predefined = (config.get("PredefinedMetricSpecification") or {}).get("PredefinedMetricType", "")
    parts = resource_id.split("/")
    if parts[0] == "inference-component":
        dimensions = [{"Name": "InferenceComponentName", "Value": parts[1]}]
    else:
        dimensions = [
            {"Name": "EndpointName", "Value": parts[1]},
            {"Name": "VariantName", "Value": parts[3]},
        ]
    return {
        "namespace": "AWS/SageMaker",
        "metric_name": _PREDEFINED_METRICS.get(predefined, predefined),
        "dimensions": dimensions,
        "statistic": "Average",
    }


def put_target_tracking(
    account: str,
    region: str,
    resource_id: str,
    policy_arn: str,
    config: JsonDict,
    names: tuple[str, str],
) -> list[JsonDict]:
    """Create (or overwrite) the two alarms a target tracking policy owns and return them as
    PutScalingPolicy's ``Alarms``. Names ``TargetTracking-<ResourceId>-AlarmHigh-<uuid>`` /
    ``-AlarmLow-<uuid>`` (AAS UG application-auto-scaling-target-tracking.md examples; for
    SageMaker variants ACK's applicationautoscaling-controller fixtures [peer]; for
    inference components the same pattern, UNVERIFIED). The description and action follow
    moto's (applicationautoscaling/models.py), UNVERIFIED against AWS; the evaluation
    periods (3 high, 15 low) are moto's too, and the low threshold at 90% of the target is
    OURS, UNVERIFIED. The state of an existing alarm is kept (PutMetricAlarm update)."""
    backend = _backend(account, region)
    metric = _metric(resource_id, config)
    target = float(config["TargetValue"])
    action = f"{policy_arn}:createdBy/{names[0].rsplit('-AlarmHigh-', 1)[-1]}"
    alarms = []
    for name, operator, periods, threshold in (
        (names[0], "GreaterThanThreshold", 3, target),
        (names[1], "LessThanThreshold", 15, target * 0.9),
    ):
        put = functools.partial(
            backend.put_metric_alarm,
            name=name,
            namespace=metric["namespace"],
            metric_name=metric["metric_name"],
            comparison_operator=operator,
            evaluation_periods=periods,
            period=60,
            threshold=threshold,
            statistic=metric["statistic"],
            description=f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {action}.",
            dimensions=metric["dimensions"],
            alarm_actions=[action],
        )
        around_put(account, region, name, put)
        alarms.append({"AlarmName": name, "AlarmARN": backend.alarms[name].alarm_arn})
    return alarms


def delete(account: str, region: str, names: list[str]) -> None:
    backend = _backend(account, region)
    for name in names:
        alarm = backend.alarms.pop(name, None)
        if alarm is not None:
            backend.tagger.tags.pop(alarm.alarm_arn, None)


def drop_action(account: str, region: str, policy_arn: str) -> None:
    """ "Deleting a step scaling policy deletes the underlying alarm action, but does not
    delete the CloudWatch alarm associated with the scaling policy" (AAS model,
    DeleteScalingPolicy)."""
    backend = _backend(account, region)
    for alarm in backend.alarms.values():
        for field in ("alarm_actions", "ok_actions", "insufficient_data_actions"):
            actions = getattr(alarm, field, None) or []
            if policy_arn in actions:
                setattr(alarm, field, [a for a in actions if a != policy_arn])
