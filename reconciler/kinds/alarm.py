"""Alarm: a CloudWatch metric alarm (the alarm of a step scaling policy, or an endpoint's
deployment rollback alarm).

The spec is the PutMetricAlarm request; ``metadata.name`` is its AlarmName.

Facts (CloudWatch API reference, botocore's cloudwatch model; research-autoscaling §6):
- PutMetricAlarm creates or updates: "the update completely overwrites the previous
  configuration of the alarm", so every put sends the whole spec (a field the manifest
  dropped is gone after the next put, as declared).
- Tags: PutMetricAlarm's Tags count only on create ("If you are using this operation to
  update an existing alarm, any tags you specify in this parameter are ignored"); after
  that, TagResource / UntagResource / ListTagsForResource with the alarm's ARN, Tags a
  list of {Key, Value}. An alarm is ours by its tags, like a SageMaker resource.
- DescribeAlarms fills in AlarmArn, ActionsEnabled (true: "The default is TRUE"), empty
  action lists, StateValue / StateReason / StateReasonData and their timestamps: state is
  CloudWatch's evaluation, not a lifecycle (an alarm is in effect once put), so the kind
  has no status and apply never waits on it; only declared fields are compared.
- Alarms named ``TargetTracking-...`` are Application Auto Scaling's: it creates, edits
  and deletes them for target tracking policies ("Do not create, edit, or delete the
  CloudWatch alarms that are used with a target tracking scaling policy", AAS user guide,
  application-auto-scaling-target-tracking). They are never listed here, so never ours,
  never pruned, never exported.
- An action naming a scaling policy is that policy's PolicyARN, which exists only once
  PutScalingPolicy made it (and moto makes a new one with every put). The manifest writes
  ``ScalingPolicy/<metadata.name>`` in AlarmActions, OKActions or InsufficientDataActions;
  apply puts the policy's ARN there, read just before PutMetricAlarm
  (``Reference.arn_at_apply``). Any other action (an SNS topic ARN) is sent as written.
- Unverified: whether CloudWatch checks that a scaling policy ARN in AlarmActions exists;
  whether DescribeAlarms echoes TreatMissingData when nobody sent it (never drift either
  way: undeclared).
"""

from __future__ import annotations

from typing import Any

from reconciler.errors import AwsError
from reconciler.gateway import Gateway
from reconciler.kinds.api import KindApi, UpdateCall
from reconciler.kinds.base import KindInfo, NamedValue, Reference, one_call, without
from reconciler.resources import JsonDict, Kind

SERVICE = "cloudwatch"
NAME_FIELD = "AlarmName"
# Application Auto Scaling's own alarms (target tracking): never ours (research §2).
AAS_OWNED_PREFIX = "TargetTracking-"
ACTION_FIELDS = ("AlarmActions", "OKActions", "InsufficientDataActions")
# How a manifest names a declared scaling policy in an action list.
POLICY_ACTION = r"ScalingPolicy/(?P<name>.+)"

# What DescribeAlarms answers that is CloudWatch's, not the request's.
STATE_FIELDS = (
    "AlarmArn",
    NAME_FIELD,
    "AlarmConfigurationUpdatedTimestamp",
    "StateValue",
    "StateReason",
    "StateReasonData",
    "StateUpdatedTimestamp",
    "StateTransitionedTimestamp",
    "EvaluationState",
)

SERVER_DEFAULTS: dict[str, object] = {
    # ActionsEnabled: "The default is TRUE" (PutMetricAlarm); the action lists, Dimensions
    # and Metrics come back empty when not sent (CW model MetricAlarm; moto answers so).
    "ActionsEnabled": True,
    "AlarmActions": [],
    "OKActions": [],
    "InsufficientDataActions": [],
    "Dimensions": [],
    "Metrics": [],
}


def live_spec(description: JsonDict) -> JsonDict:
    return without(description, *STATE_FIELDS)


def ours_to_list(item: JsonDict) -> bool:
    """An alarm the reconciler may ever call its own: not one of Application Auto Scaling's."""
    return not str(item.get(NAME_FIELD, "")).startswith(AAS_OWNED_PREFIX)


INFO = KindInfo(
    kind=Kind.ALARM,
    name_field=NAME_FIELD,
    create_operation="PutMetricAlarm",
    arn_resource_type="alarm",
    service=SERVICE,
    list_call="DescribeAlarms",
    list_key="MetricAlarms",
    describe_call="DescribeAlarms",
    delete_call="DeleteAlarms",
    arn_field="AlarmArn",
    list_request={"AlarmTypes": ["MetricAlarm"]},
    # DescribeAlarms MaxRecords: 1..100 (botocore cloudwatch).
    page_size=100,
    tag_calls=("TagResource", "UntagResource"),
    # One ListTagsForResource per alarm (whether the emulator's tagging API lists alarms
    # is unverified).
    batched_tags=False,
    references=tuple(
        Reference((field, "*"), Kind.SCALING_POLICY, within=POLICY_ACTION, arn_at_apply=True)
        for field in ACTION_FIELDS
    ),
    # The SageMaker resource a metric is of, by its dimension (CloudWatch's AWS/SageMaker
    # namespace: EndpointName, InferenceComponentName; "Monitor Amazon SageMaker AI with
    # Amazon CloudWatch", developer guide), in a single-metric alarm or a metric-math one.
    named_values=tuple(
        NamedValue(path, "Value", ("Name", dimension), kind)
        for path in (
            ("Dimensions", "*"),
            ("Metrics", "*", "MetricStat", "Metric", "Dimensions", "*"),
        )
        for dimension, kind in (
            ("EndpointName", Kind.ENDPOINT),
            ("InferenceComponentName", Kind.INFERENCE_COMPONENT),
        )
    ),
    live_spec=live_spec,
    server_defaults=SERVER_DEFAULTS,
    # Its state is CloudWatch's evaluation, not a lifecycle: nothing to wait for.
    status_key=None,
    timeout=60.0,
    # One put replaces the whole configuration.
    plan_update=one_call("PutMetricAlarm"),
    # Overlay patches merge dimensions by name and metric queries by id (PutMetricAlarm
    # Dimension, MetricDataQuery).
    merge_keys={"Dimensions": "Name", "Metrics": "Id"},
)


class AlarmApi(KindApi):
    # `reconciler status` shows CloudWatch's evaluation beside it (never a lifecycle).
    details_key = "alarm"

    def details(self, aws: Gateway, name: str, declared: JsonDict | None) -> JsonDict | None:
        found = self.describe(aws, name)
        if found is None:
            return None
        return {k: found[k] for k in ("StateValue", "StateReason") if k in found}

    def list_items(self, aws: Gateway) -> list[JsonDict]:
        # Application Auto Scaling's own alarms are left out here, so nothing downstream
        # (ownership, prune, export) ever sees them.
        return [item for item in super().list_items(aws) if ours_to_list(item)]

    def describe(self, aws: Gateway, name: str) -> JsonDict | None:
        answer = self.call(aws, "DescribeAlarms", AlarmNames=[name], AlarmTypes=["MetricAlarm"])
        found = [a for a in answer.get("MetricAlarms", []) if a.get(NAME_FIELD) == name]
        return found[0] if found else None

    def delete(self, aws: Gateway, name: str) -> None:
        try:
            self.call(aws, "DeleteAlarms", AlarmNames=[name])
        except AwsError as err:
            if not err.not_found:
                raise

    def update(self, aws: Gateway, name: str, call: UpdateCall) -> None:
        # The whole configuration (a put overwrites it); tags go with TagResource.
        self.call(aws, "PutMetricAlarm", **{**call.spec, NAME_FIELD: name})

    def tags(self, aws: Gateway, arn: str) -> dict[str, str]:
        answer = self.call(aws, "ListTagsForResource", ResourceARN=arn)
        tags: list[dict[str, Any]] = answer.get("Tags", [])
        return {t["Key"]: str(t.get("Value", "")) for t in tags}

    def add_tags(self, aws: Gateway, arn: str, tags: dict[str, str]) -> None:
        if tags:
            self.call(
                aws,
                "TagResource",
                ResourceARN=arn,
                Tags=[{"Key": k, "Value": v} for k, v in sorted(tags.items())],
            )

    def remove_tags(self, aws: Gateway, arn: str, keys: list[str]) -> None:
        if keys:
            self.call(aws, "UntagResource", ResourceARN=arn, TagKeys=list(keys))


API = AlarmApi(INFO)
