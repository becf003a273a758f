"""Alarms and scheduled actions planned with the deployment (pure: the account is built by
hand, calls go to a fake gateway): AWS's scale-out-from-zero pattern (a step scaling policy
and an alarm whose action is the policy's ARN) is written by reference, ordered, compared
with the live ARN and given the real ARN at apply time; an endpoint's rollback alarm is put
before the endpoint; Application Auto Scaling's own alarms are never ours; a scheduled
action lives on its target like a policy."""

from __future__ import annotations

import json
from typing import Any

import pytest

from reconciler.execution.executor import Executor, Result
from reconciler.execution.waiting import WaitPolicy
from reconciler.kinds import APIS, KINDS
from reconciler.kinds.api import UpdateCall
from reconciler.observe import LiveResource, owned_through_parents
from reconciler.planning.changes import Action, Plan
from reconciler.planning.planner import plan
from reconciler.resources import OWNER_TAG, Kind, Manifest
from tests.support.gateway import FakeGateway
from tests.support.planning import changes_of, converged, fleet, manifest

COPY_COUNT = "sagemaker:inference-component:DesiredCopyCount"
TARGET_NAME = f"sagemaker/inference-component/chat/{COPY_COUNT}"
POLICY_NAME = f"{TARGET_NAME}/chat-scale-out"
POLICY_ARN = (
    "arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:0b9c1d2e:"
    "resource/sagemaker/inference-component/chat:policyName/chat-scale-out"
)
ON_TARGET = {
    "ServiceNamespace": "sagemaker",
    "ResourceId": "inference-component/chat",
    "ScalableDimension": COPY_COUNT,
}


def target() -> Manifest:
    return manifest(
        Kind.SCALABLE_TARGET, "chat-copies", {**ON_TARGET, "MinCapacity": 0, "MaxCapacity": 4}
    )


def untagged(kind: Kind, name: str, spec: dict[str, Any]) -> Manifest:
    made = manifest(kind, name, spec)
    made.tags.clear()  # a policy or scheduled action cannot carry metadata.tags
    return made


def step_policy() -> Manifest:
    """The scale-out-from-zero policy of SageMaker's developer guide
    (endpoint-auto-scaling-zero-instances)."""
    return untagged(
        Kind.SCALING_POLICY,
        "chat-scale-out",
        {
            **ON_TARGET,
            "PolicyType": "StepScaling",
            "StepScalingPolicyConfiguration": {
                "AdjustmentType": "ChangeInCapacity",
                "MetricAggregationType": "Maximum",
                "Cooldown": 60,
                "StepAdjustments": [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 1}],
            },
        },
    )


def alarm(threshold: float = 1.0, actions: list[str] | None = None) -> Manifest:
    """Its alarm, as the same guide puts it, the action naming the policy by reference."""
    return manifest(
        Kind.ALARM,
        "chat-no-capacity",
        {
            "AlarmActions": actions if actions is not None else ["ScalingPolicy/chat-scale-out"],
            "AlarmDescription": "Alarm when SM IC endpoint invoked that has 0 instances.",
            "ComparisonOperator": "GreaterThanThreshold",
            "DatapointsToAlarm": 1,
            "Dimensions": [{"Name": "InferenceComponentName", "Value": "chat"}],
            "EvaluationPeriods": 1,
            "MetricName": "NoCapacityInvocationFailures",
            "Namespace": "AWS/SageMaker",
            "Period": 60,
            "Statistic": "Sum",
            "Threshold": threshold,
        },
    )


def scale_from_zero(*extra: Manifest, threshold: float = 1.0) -> list[Manifest]:
    return [*fleet(), target(), step_policy(), alarm(threshold), *extra]


def by_address(manifests: list[Manifest], live: Any) -> dict[str, Any]:
    return {c.address: c for c in plan(manifests, live, owner="default").changes}


def test_the_alarm_is_put_after_its_policy_and_the_plan_shows_the_reference() -> None:
    result = plan(scale_from_zero(), converged(fleet()), owner="default")
    assert not result.problems
    changes = {c.address: c for c in result.changes}
    order = [c.address for c in result.changes]
    assert order.index("ScalingPolicy/chat-scale-out") < order.index("Alarm/chat-no-capacity")
    put = changes["Alarm/chat-no-capacity"]
    assert (put.action, put.operations) == (Action.CREATE, ["PutMetricAlarm"])
    assert "ScalingPolicy/chat-scale-out" in put.depends_on
    # The plan names the policy; no ARN is made up before AWS made it.
    assert put.desired_spec is not None
    assert put.desired_spec["AlarmActions"] == [f"ScalingPolicy/{POLICY_NAME}"]
    assert "arn:aws:autoscaling" not in json.dumps(result.to_json())


def test_right_after_apply_the_alarm_matches_although_cloudwatch_filled_in_its_state() -> None:
    manifests = scale_from_zero()
    live = converged(manifests)
    described = live.get(Kind.ALARM, "chat-no-capacity")
    assert described is not None and described.description is not None
    policy = live.get(Kind.SCALING_POLICY, POLICY_NAME)
    assert policy is not None
    assert described.description["AlarmActions"] == [policy.arn]
    assert described.description["StateValue"] == "INSUFFICIENT_DATA"
    assert not plan(manifests, live, owner="default").has_changes


def test_a_new_threshold_is_one_put_metric_alarm_with_the_whole_spec() -> None:
    live = converged(scale_from_zero())
    result = plan(scale_from_zero(threshold=2.0), live, owner="default")
    assert changes_of(result) == {"Alarm/chat-no-capacity": ("update", ["PutMetricAlarm"])}
    (change,) = [c for c in result.changes if c.action is Action.UPDATE]
    assert [(d.path, d.before, d.after) for d in change.diff] == [("Threshold", 1.0, 2.0)]


def test_a_policy_with_a_new_arn_puts_the_alarm_again() -> None:
    manifests = scale_from_zero()
    live = converged(manifests)
    policy = live.get(Kind.SCALING_POLICY, POLICY_NAME)
    assert policy is not None
    policy.arn = POLICY_ARN  # deleted and put again by hand: AWS gave it another ARN
    result = plan(manifests, live, owner="default")
    assert changes_of(result) == {"Alarm/chat-no-capacity": ("update", ["PutMetricAlarm"])}
    (change,) = [c for c in result.changes if c.action is Action.UPDATE]
    (diff,) = change.diff
    # Before: the ARN the alarm holds; after: the ARN the policy has now, read live.
    assert (diff.path, diff.after) == ("AlarmActions[0]", POLICY_ARN)
    assert diff.before != POLICY_ARN


def test_a_policy_created_by_the_same_plan_puts_the_existing_alarm_again() -> None:
    manifests = scale_from_zero()
    live = converged(manifests)
    del live.resources[(Kind.SCALING_POLICY, POLICY_NAME.lower())]
    changes = by_address(manifests, live)
    assert changes["ScalingPolicy/chat-scale-out"].action is Action.CREATE
    put = changes["Alarm/chat-no-capacity"]
    assert (put.action, put.operations) == (Action.UPDATE, ["PutMetricAlarm"])
    assert "ScalingPolicy/chat-scale-out" in put.depends_on
    # What the diff shows is the reference, not an ARN nobody has yet.
    assert any(f"ScalingPolicy/{POLICY_NAME}" in json.dumps(d.to_json()) for d in put.diff)


def test_removing_everything_deletes_the_alarm_before_its_policy_and_the_policy_before_its_target() -> (
    None
):
    live = converged(scale_from_zero())
    owned_through_parents(live)
    changes = by_address(fleet(), live)
    assert changes["Alarm/chat-no-capacity"].action is Action.DELETE
    assert changes["Alarm/chat-no-capacity"].operations == ["DeleteAlarms"]
    assert "Alarm/chat-no-capacity" in changes["ScalingPolicy/chat-scale-out"].depends_on
    assert "ScalingPolicy/chat-scale-out" in changes["ScalableTarget/chat-copies"].depends_on


def test_an_action_naming_a_policy_nobody_declared_or_made_is_refused() -> None:
    manifests = [*fleet(), target(), alarm(actions=["ScalingPolicy/nowhere"])]
    result = plan(manifests, converged(fleet()), owner="default")
    (problem,) = result.problems
    assert problem.address == "Alarm/chat-no-capacity"
    assert "ScalingPolicy/nowhere" in problem.message
    assert problem.field == "spec.AlarmActions[0]"


def test_an_action_that_is_an_arn_already_is_sent_as_written() -> None:
    topic = "arn:aws:sns:us-east-1:123456789012:oncall"
    manifests = [*fleet(), alarm(actions=[topic])]
    result = plan(manifests, converged(fleet()), owner="default")
    (put,) = [c for c in result.changes if c.kind is Kind.ALARM]
    assert put.desired_spec is not None and put.desired_spec["AlarmActions"] == [topic]
    assert put.depends_on == []


def rollback_fleet() -> list[Manifest]:
    """The fleet with the IC-hosting endpoint rolled back by a declared alarm."""
    rollback = manifest(
        Kind.ALARM,
        "shared-errors",
        {
            "MetricName": "Invocation5XXErrors",
            "Namespace": "AWS/SageMaker",
            "Dimensions": [{"Name": "EndpointName", "Value": "shared"}],
            "Statistic": "Sum",
            "Period": 60,
            "EvaluationPeriods": 1,
            "Threshold": 1,
            "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        },
    )
    manifests = [*fleet(), rollback]
    endpoint = next(m for m in manifests if m.address == "Endpoint/shared")
    endpoint.spec["DeploymentConfig"] = {
        "BlueGreenUpdatePolicy": {
            "TrafficRoutingConfiguration": {"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 60}
        },
        "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": "shared-errors"}]},
    }
    return manifests


def shown_after_what_they_wait_for(result: Plan) -> list[str]:
    """The plan's addresses, in the order shown, once checked that each change is shown
    after every change of the plan it depends on."""
    order = [c.address for c in result.changes]
    for change in result.changes:
        for dependency in change.depends_on:
            if dependency in order:
                assert order.index(dependency) < order.index(change.address), (
                    f"{change.address} shown before {dependency}, which it waits for: {order}"
                )
    return order


def test_an_endpoint_names_its_rollback_alarm_and_is_updated_after_it() -> None:
    manifests = rollback_fleet()
    endpoint = next(m for m in manifests if m.address == "Endpoint/shared")
    result = plan(manifests, converged([]), owner="default")
    assert not result.problems
    changes = {c.address: c for c in result.changes}
    assert "Alarm/shared-errors" in changes["Endpoint/shared"].depends_on
    # Naming an alarm that exists nowhere is found before anything is written.
    endpoint.spec["DeploymentConfig"]["AutoRollbackConfiguration"]["Alarms"] = [
        {"AlarmName": "missing"}
    ]
    (problem,) = plan([*fleet()[:2], endpoint], converged([]), owner="default").problems
    assert "Alarm/missing" in problem.message


def test_the_plan_shows_a_rollback_alarm_before_the_endpoint_that_names_it() -> None:
    # Alarms come after endpoints in kind order; the endpoint waits for the alarm it names.
    created = plan(rollback_fleet(), converged([]), owner="default")
    order = shown_after_what_they_wait_for(created)
    assert order.index("Alarm/shared-errors") < order.index("Endpoint/shared")
    # Kinds stay together wherever references allow: the models and configs first.
    assert order.index("EndpointConfig/shared") < order.index("Alarm/shared-errors")
    # Removed: shown as apply runs it, what waits after what it waits for.
    shown_after_what_they_wait_for(plan([], converged(rollback_fleet()), owner="default"))


def test_the_scale_from_zero_plan_is_shown_in_dependency_order_both_ways() -> None:
    created = shown_after_what_they_wait_for(
        plan(scale_from_zero(), converged([]), owner="default")
    )
    assert created.index("ScalingPolicy/chat-scale-out") < created.index("Alarm/chat-no-capacity")
    live = converged(scale_from_zero())
    owned_through_parents(live)
    removed = shown_after_what_they_wait_for(plan(fleet(), live, owner="default"))
    assert removed.index("Alarm/chat-no-capacity") < removed.index("ScalingPolicy/chat-scale-out")


def test_target_tracking_alarms_are_application_auto_scalings_and_never_listed() -> None:
    ours = {"AlarmName": "chat-no-capacity", "AlarmArn": "arn:aws:cloudwatch:r:1:alarm:x"}
    theirs = {
        "AlarmName": "TargetTracking-inference-component/chat-AlarmHigh-1a2b",
        "AlarmArn": "arn:aws:cloudwatch:r:1:alarm:TargetTracking-inference-component/chat",
    }
    aws = FakeGateway({"DescribeAlarms": [{"MetricAlarms": [ours, theirs]}]})
    assert APIS[Kind.ALARM].list_items(aws) == [ours]
    ((service, _, request),) = aws.calls
    assert service == "cloudwatch"
    assert request["AlarmTypes"] == ["MetricAlarm"]


def test_alarm_calls_tag_with_lists_and_put_the_whole_spec_on_update() -> None:
    api = APIS[Kind.ALARM]
    spec = alarm(actions=[POLICY_ARN]).spec
    assert api.create_request("chat-no-capacity", spec, {"team": "ml"}) == {
        **spec,
        "AlarmName": "chat-no-capacity",
        "Tags": [{"Key": "team", "Value": "ml"}],
    }
    arn = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:chat-no-capacity"
    aws = FakeGateway(
        {
            "PutMetricAlarm": {},
            "TagResource": {},
            "UntagResource": {},
            "ListTagsForResource": {"Tags": [{"Key": "team", "Value": "ml"}]},
            "DeleteAlarms": {},
            "DescribeAlarms": {"MetricAlarms": []},
        }
    )
    api.update(aws, "chat-no-capacity", UpdateCall("PutMetricAlarm", spec))
    api.add_tags(aws, arn, {"team": "ml"})
    api.remove_tags(aws, arn, ["old"])
    assert api.tags(aws, arn) == {"team": "ml"}
    api.delete(aws, "chat-no-capacity")
    assert api.describe(aws, "chat-no-capacity") is None
    assert aws.calls == [
        ("cloudwatch", "PutMetricAlarm", {**spec, "AlarmName": "chat-no-capacity"}),
        (
            "cloudwatch",
            "TagResource",
            {"ResourceARN": arn, "Tags": [{"Key": "team", "Value": "ml"}]},
        ),
        ("cloudwatch", "UntagResource", {"ResourceARN": arn, "TagKeys": ["old"]}),
        ("cloudwatch", "ListTagsForResource", {"ResourceARN": arn}),
        ("cloudwatch", "DeleteAlarms", {"AlarmNames": ["chat-no-capacity"]}),
        (
            "cloudwatch",
            "DescribeAlarms",
            {"AlarmNames": ["chat-no-capacity"], "AlarmTypes": ["MetricAlarm"]},
        ),
    ]


def test_apply_reads_the_policy_arn_just_before_it_puts_the_alarm() -> None:
    result = plan(scale_from_zero(), converged(fleet()), owner="default")
    wanted = [c for c in result.changes if c.kind in (Kind.SCALING_POLICY, Kind.ALARM)]
    described: list[Any] = []

    def describe_policy(request: dict[str, Any]) -> dict[str, Any]:
        described.append(request)
        return {
            "ScalingPolicies": [
                {**step_policy().spec, "PolicyName": "chat-scale-out", "PolicyARN": POLICY_ARN}
            ]
        }

    aws = FakeGateway(
        {
            "PutScalingPolicy": {"PolicyARN": POLICY_ARN, "Alarms": []},
            "DescribeScalingPolicies": describe_policy,
            "PutMetricAlarm": {},
        }
    )
    for change in wanted:
        change.depends_on = [d for d in change.depends_on if d == "ScalingPolicy/chat-scale-out"]
    policy = WaitPolicy(initial=0.001, maximum=0.01, jitter=0.0, timeout=5.0)
    report = Executor(aws, wait_policy=policy).apply(Plan(owner="default", changes=wanted))
    assert {o.address: o.result for o in report.outcomes} == {
        "ScalingPolicy/chat-scale-out": Result.CREATED,
        "Alarm/chat-no-capacity": Result.CREATED,
    }
    operations = aws.operations()
    assert operations.index("PutScalingPolicy") < operations.index("DescribeScalingPolicies")
    assert operations.index("DescribeScalingPolicies") < operations.index("PutMetricAlarm")
    assert described[0]["PolicyNames"] == ["chat-scale-out"]
    (put,) = [r for _, op, r in aws.calls if op == "PutMetricAlarm"]
    assert put["AlarmActions"] == [POLICY_ARN]
    assert put["Tags"]  # our ownership tags, on create
    # The plan itself still holds the reference.
    (alarm_change,) = [c for c in wanted if c.kind is Kind.ALARM]
    assert alarm_change.desired_spec is not None
    assert alarm_change.desired_spec["AlarmActions"] == [f"ScalingPolicy/{POLICY_NAME}"]


def test_apply_fails_the_alarm_when_the_policy_it_names_is_gone() -> None:
    result = plan(scale_from_zero(), converged(fleet()), owner="default")
    (alarm_change,) = [c for c in result.changes if c.kind is Kind.ALARM]
    alarm_change.depends_on = []
    aws = FakeGateway(
        {
            "DescribeScalingPolicies": {"ScalingPolicies": []},
            # (after a failure, apply looks for the alarm to mark the failed spec)
            "DescribeAlarms": {"MetricAlarms": []},
        }
    )
    report = Executor(aws).apply(Plan(owner="default", changes=[alarm_change]))
    (outcome,) = report.outcomes
    assert outcome.result is Result.FAILED
    assert "does not exist" in outcome.detail and "spec.AlarmActions[0]" in outcome.detail
    assert "PutMetricAlarm" not in aws.operations()


# -- scheduled actions -------------------------------------------------------------------
def scheduled(schedule: str = "cron(0 18 ? * MON-FRI *)", **action: int) -> Manifest:
    return untagged(
        Kind.SCHEDULED_ACTION,
        "chat-evenings",
        {
            **ON_TARGET,
            "Schedule": schedule,
            "ScalableTargetAction": action or {"MinCapacity": 0, "MaxCapacity": 1},
        },
    )


def test_a_scheduled_action_is_put_on_its_target_and_named_by_it() -> None:
    manifests = [*fleet(), target(), scheduled()]
    result = plan(manifests, converged(fleet()), owner="default")
    assert not result.problems
    changes = {c.address: c for c in result.changes}
    put = changes["ScheduledAction/chat-evenings"]
    assert (put.action, put.operations) == (Action.CREATE, ["PutScheduledAction"])
    assert put.physical_name == f"{TARGET_NAME}/chat-evenings"
    assert "ScalableTarget/chat-copies" in put.depends_on
    request = APIS[Kind.SCHEDULED_ACTION].create_request(put.physical_name, put.desired_spec, {})
    assert request["ScheduledActionName"] == "chat-evenings"
    assert "Tags" not in request  # it cannot be tagged
    assert not plan(manifests, converged(manifests), owner="default").has_changes


def test_a_new_schedule_is_one_put_scheduled_action_with_the_whole_spec() -> None:
    live = converged([*fleet(), target(), scheduled()])
    manifests = [*fleet(), target(), scheduled("rate(5 hours)")]
    assert changes_of(plan(manifests, live, owner="default")) == {
        "ScheduledAction/chat-evenings": ("update", ["PutScheduledAction"])
    }
    spec = {**scheduled().spec, "StartTime": "2026-12-24T00:00:00Z"}
    aws = FakeGateway({"PutScheduledAction": {}})
    APIS[Kind.SCHEDULED_ACTION].update(
        aws, f"{TARGET_NAME}/chat-evenings", UpdateCall("PutScheduledAction", spec)
    )
    (request,) = aws.requests("PutScheduledAction")
    assert request == {**spec, "ScheduledActionName": "chat-evenings"}


def test_a_scheduled_action_is_ours_through_our_target_and_pruned_with_it() -> None:
    manifests = [*fleet(), target(), scheduled()]
    live = converged(manifests)
    stray = live.get(Kind.SCHEDULED_ACTION, f"{TARGET_NAME}/chat-evenings")
    assert stray is not None
    live.add(
        LiveResource(
            Kind.SCHEDULED_ACTION,
            f"{TARGET_NAME}/by-hand",
            stray.arn + "-2",
            {**stray.summary, "ScheduledActionName": "by-hand"},
        )
    )
    owned_through_parents(live)
    hand_made = live.get(Kind.SCHEDULED_ACTION, f"{TARGET_NAME}/by-hand")
    assert hand_made is not None and hand_made.tags[OWNER_TAG] == "default"
    assert changes_of(plan(manifests, live, owner="default")) == {
        "ScheduledAction/by-hand": ("delete", ["DeleteScheduledAction"])
    }


@pytest.mark.parametrize(
    ("schedule", "fine"),
    [
        ("at(2026-12-24T18:00:00)", True),
        ("rate(5 hours)", True),
        ("rate(1 minute)", True),
        ("cron(0 18 ? * MON-FRI *)", True),
        ("rate(0 hours)", False),
        ("rate(5 weeks)", False),
        ("cron(0 18 * *)", False),
        ("every evening", False),
    ],
)
def test_a_schedule_must_be_at_rate_or_cron(schedule: str, fine: bool) -> None:
    rule = KINDS[Kind.SCHEDULED_ACTION].rules.document
    assert rule is not None
    problems = rule(scheduled(schedule))
    assert (not problems) is fine
    if not fine:
        assert problems[0].field == "spec.Schedule"


def test_a_scheduled_action_without_bounds_is_refused() -> None:
    rule = KINDS[Kind.SCHEDULED_ACTION].rules.document
    assert rule is not None
    action = scheduled()
    action.spec["ScalableTargetAction"] = {}
    (problem,) = rule(action)
    assert problem.field == "spec.ScalableTargetAction"


def test_when_a_target_moves_out_and_back_its_alarm_gets_the_new_policy_arn() -> None:
    """An instance-type change on a scaled variant deletes and re-creates the target and
    what lives on it (kinds.scalable_target moves_out): the policy gets a new ARN, so its
    alarm is put again after it; the scheduled action is put again on the new target."""
    on_variant = {
        "ServiceNamespace": "sagemaker",
        "ResourceId": "endpoint/churn/variant/AllTraffic",
        "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
    }

    def manifests() -> list[Manifest]:
        policy = step_policy()
        policy.spec.update(on_variant)
        action = scheduled()
        action.spec.update(on_variant)
        action.spec["ScalableTargetAction"] = {"MinCapacity": 1}
        return [
            *fleet(),
            manifest(
                Kind.SCALABLE_TARGET,
                "churn-instances",
                {**on_variant, "MinCapacity": 1, "MaxCapacity": 4},
            ),
            policy,
            action,
            alarm(),
        ]

    live = converged(manifests())
    changed = manifests()
    config = next(m for m in changed if m.address == "EndpointConfig/churn")
    config.spec["ProductionVariants"][0]["InstanceType"] = "ml.c5.xlarge"
    result = plan(changed, live, owner="default")
    assert not result.problems
    changes = {c.address: c for c in result.changes}
    assert changes["ScalableTarget/churn-instances"].action is Action.REPLACE
    assert changes["ScalingPolicy/chat-scale-out"].action is Action.REPLACE
    assert changes["ScheduledAction/chat-evenings"].action is Action.REPLACE
    put = changes["Alarm/chat-no-capacity"]
    assert (put.action, put.operations) == (Action.UPDATE, ["PutMetricAlarm"])
    assert "ScalingPolicy/chat-scale-out" in put.depends_on


def test_an_alarms_tags_change_with_tag_resource_never_a_put() -> None:
    live = converged(scale_from_zero())
    manifests = scale_from_zero()
    next(m for m in manifests if m.kind is Kind.ALARM).tags["team"] = "search"
    assert changes_of(plan(manifests, live, owner="default")) == {
        "Alarm/chat-no-capacity": ("update", ["TagResource"])
    }


ACTION_NAME = f"{TARGET_NAME}/chat-evenings"


def bounded(**times: object) -> Manifest:
    action = scheduled()
    action.spec.update(times)
    return action


def live_action(state: Any) -> dict[str, Any]:
    found = state.get(Kind.SCHEDULED_ACTION, ACTION_NAME)
    assert found is not None and found.description is not None
    description: dict[str, Any] = found.description
    return description


def test_start_and_end_times_are_compared_as_the_second_they_name() -> None:
    import datetime as dt

    manifests = [*fleet(), target(), bounded(StartTime="2026-12-24T18:00:00Z")]
    live = converged(manifests)
    owned_through_parents(live)
    # DescribeScheduledActions answers epoch seconds, which botocore makes a datetime in
    # the local zone: the same instant is no change, whatever zone it is shown in.
    berlin = dt.timezone(dt.timedelta(hours=1))
    live_action(live)["StartTime"] = dt.datetime(2026, 12, 24, 19, 0, tzinfo=berlin)
    assert not plan(manifests, live, owner="default").has_changes
    # Written with an offset, or as epoch seconds, it is the same value.
    for same in ("2026-12-24T19:00:00+01:00", 1798135200):
        assert not plan(
            [*fleet(), target(), bounded(StartTime=same)], live, owner="default"
        ).has_changes
    # Another start: one PutScheduledAction.
    later = [*fleet(), target(), bounded(StartTime="2026-12-24T20:00:00Z")]
    assert changes_of(plan(later, live, owner="default")) == {
        "ScheduledAction/chat-evenings": ("update", ["PutScheduledAction"])
    }


def test_an_end_time_dropped_from_a_scheduled_action_is_seen_and_put_anew() -> None:
    import datetime as dt

    live = converged([*fleet(), target(), bounded(EndTime="2027-01-06T00:00:00Z")])
    owned_through_parents(live)
    live_action(live)["EndTime"] = dt.datetime(2027, 1, 6, tzinfo=dt.UTC)
    assert changes_of(plan([*fleet(), target(), scheduled()], live, owner="default")) == {
        "ScheduledAction/chat-evenings": (
            "replace",
            ["DeleteScheduledAction", "PutScheduledAction"],
        )
    }
    # A Timezone of UTC is what AWS uses when none is given: no change if it answers one.
    live = converged([*fleet(), target(), scheduled()])
    owned_through_parents(live)
    live_action(live)["Timezone"] = "UTC"
    assert not plan([*fleet(), target(), scheduled()], live, owner="default").has_changes


def test_a_policy_put_anew_for_a_dropped_field_puts_its_alarm_again() -> None:
    # The step policy was applied with a MinAdjustmentMagnitude the manifest has dropped:
    # only a new policy is without it, and the new policy has a new ARN.
    declared = step_policy()
    declared.spec["StepScalingPolicyConfiguration"]["MinAdjustmentMagnitude"] = 2
    live = converged([*fleet(), target(), declared, alarm()])
    owned_through_parents(live)
    result = plan(scale_from_zero(), live, owner="default")
    assert changes_of(result) == {
        "ScalingPolicy/chat-scale-out": ("replace", ["DeleteScalingPolicy", "PutScalingPolicy"]),
        "Alarm/chat-no-capacity": ("update", ["PutMetricAlarm"]),
    }
    put = next(c for c in result.changes if c.kind is Kind.ALARM)
    assert "ScalingPolicy/chat-scale-out" in put.depends_on
