"""ScheduledAction: an Application Auto Scaling scheduled action on a declared ScalableTarget.

The spec is the PutScheduledAction request; ``metadata.name`` is its ScheduledActionName.
Like a scaling policy, it is its target's namespace, resource and dimension plus its name,
so its physical name is ``<ServiceNamespace>/<ResourceId>/<ScalableDimension>/<name>``.

Facts (Application Auto Scaling API reference, botocore's application-autoscaling model;
research-autoscaling §3):
- PutScheduledAction "creates or updates a scheduled action"; "You cannot create a
  scheduled action until you have registered the resource as a scalable target": it
  depends on its target and is deleted with it.
- "If you don't specify start and end times, the old values are deleted" on an update:
  the reconciler sends the whole spec with every put, so a declared StartTime/EndTime is
  always sent again, and one the manifest dropped is dropped in AWS too, as declared.
- A scheduled action cannot be tagged (TagResource: "you cannot tag a scaling policy or
  scheduled action"): it is ours through its target (``owned_through``), like a policy.
- ScheduledActionName: 1..256 characters, no ``:``, ``/`` or ``|`` (the model's pattern);
  metadata.name is held to SageMaker's name pattern (reconciler.manifests.names), which is
  stricter, so a name AWS refuses never gets this far.
- Schedule: ``at(yyyy-mm-ddThh:mm:ss)``, ``rate(value unit)`` (unit minute(s), hour(s),
  day(s)), ``cron(six fields)`` (the model's Schedule documentation); checked here.
- StartTime/EndTime are timestamps "in UTC" (AAS model); the JSON protocol carries them
  as epoch seconds, which botocore answers as datetimes: they are compared as the UTC
  second they name, whichever way the manifest writes them (reconciler.diff). Whether AWS
  keeps sub-minute precision is unverified.
- It cannot carry the record of the last apply (no tags), and a put keeps the Schedule,
  Timezone and ScalableTargetAction it leaves out ("specify the parameters that you want
  to change"): a live field the manifest leaves out, not a default, was declared before
  and is unset by putting the action anew (``dropped_from_live``; "If a time zone is not
  provided, UTC is used by default", AAS model, so an echoed "UTC" is none — whether AWS
  echoes it is unverified).
"""

from __future__ import annotations

import re

from reconciler.kinds.base import KindInfo, Reference, UpdatePlan, without
from reconciler.kinds.scalable_target import (
    IC_RESOURCE,
    IDENTITY,
    NAMESPACE,
    SERVICE,
    VARIANT_RESOURCE,
    OnTargetApi,
    OnTargetNames,
    target_of,
    target_problems,
)
from reconciler.kinds.validation import KindRules, problem
from reconciler.resources import JsonDict, Kind, Manifest, Problem

NAME_FIELD = "ScheduledActionName"

# The three Schedule forms of the AAS model's PutScheduledAction Schedule documentation.
AT = r"at\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\)"
RATE = r"rate\([1-9]\d* (minute|minutes|hour|hours|day|days)\)"
CRON = r"cron\(\S+( \S+){5}\)"
SCHEDULE_FORMS = f"(?:{AT})|(?:{RATE})|(?:{CRON})"


NAMES = OnTargetNames(NAME_FIELD)
identity, split = NAMES.identity, NAMES.split


def live_spec(description: JsonDict) -> JsonDict:
    return without(description, "ScheduledActionARN", NAME_FIELD, "CreationTime")


def action_problems(manifest: Manifest) -> list[Problem]:
    """The target's namespace and resource rules, a Schedule in one of its three forms, and
    a ScalableTargetAction with at least one bound (AWS: "At least one of minimum capacity
    and maximum capacity should be provided", quoted in
    aws-cloudformation/community-registry-extensions#255)."""
    problems = target_problems(manifest)
    schedule = manifest.spec.get("Schedule")
    if isinstance(schedule, str) and not re.fullmatch(SCHEDULE_FORMS, schedule):
        problems.append(
            problem(
                manifest,
                ("Schedule",),
                f"{schedule!r} is not a schedule: write at(yyyy-mm-ddThh:mm:ss), "
                "rate(<n> minutes|hours|days) or cron(<6 fields>)",
            )
        )
    action = manifest.spec.get("ScalableTargetAction")
    if isinstance(action, dict) and not ({"MinCapacity", "MaxCapacity"} & set(action)):
        problems.append(
            problem(
                manifest,
                ("ScalableTargetAction",),
                "give MinCapacity, MaxCapacity or both",
            )
        )
    return problems


INFO = KindInfo(
    kind=Kind.SCHEDULED_ACTION,
    name_field=NAME_FIELD,
    create_operation="PutScheduledAction",
    arn_resource_type="scheduled-action",
    service=SERVICE,
    identity=identity,
    list_call="DescribeScheduledActions",
    list_key="ScheduledActions",
    describe_call="DescribeScheduledActions",
    delete_call="DeleteScheduledAction",
    arn_field="ScheduledActionARN",
    list_request={"ServiceNamespace": NAMESPACE},
    # DescribeScheduledActions MaxResults: 1..50 (botocore application-autoscaling).
    page_size=50,
    key=split,
    export_name=NAMES.export_name,
    batched_tags=False,
    owned_through=Kind.SCALABLE_TARGET,
    references=(
        Reference(("ResourceId",), Kind.INFERENCE_COMPONENT, within=IC_RESOURCE),
        Reference(("ResourceId",), Kind.ENDPOINT, within=VARIANT_RESOURCE),
        Reference(("ResourceId",), Kind.SCALABLE_TARGET, derive=target_of),
    ),
    # Its target and its name are what it is.
    create_only=IDENTITY,
    live_spec=live_spec,
    server_defaults={"Timezone": "UTC"},
    dropped_from_live=True,
    status_key=None,
    timeout=120.0,
    plan_update=lambda diff: UpdatePlan(["PutScheduledAction"], "scheduled action changed"),
    rules=KindRules(document=action_problems),
)


API = OnTargetApi(INFO, "ScheduledActionNames")
