"""Scale out from zero as AWS documents it (SageMaker developer guide,
endpoint-auto-scaling-zero-instances), declared in git and applied against the emulator: a
step scaling policy, and a CloudWatch alarm on NoCapacityInvocationFailures whose action is
the policy, written by reference. The alarm is put after the policy with the PolicyARN
the service made; a second plan is empty; a new threshold is one PutMetricAlarm; removing
the manifests deletes the alarm first, then the policy and the target."""

from __future__ import annotations

import json
import re
from typing import Any

import boto3

from tests.support.autoscaling import CHAT, COPY_COUNT, target
from tests.support.env import Env

FILE = "shared-gpu/llama-chat-scale-from-zero.yaml"
SCALE_FROM_ZERO = (
    target("llama-chat-copies", CHAT, COPY_COUNT, 0, 3)
    + "---\n"
    + """\
apiVersion: sagemaker-reconciler/v1
kind: ScalingPolicy
metadata:
  name: llama-chat-scale-out
spec:
  ServiceNamespace: sagemaker
  ResourceId: inference-component/llama-chat
  ScalableDimension: sagemaker:inference-component:DesiredCopyCount
  PolicyType: StepScaling
  StepScalingPolicyConfiguration:
    AdjustmentType: ChangeInCapacity
    MetricAggregationType: Maximum
    Cooldown: 60
    StepAdjustments:
      - MetricIntervalLowerBound: 0
        ScalingAdjustment: 1
---
apiVersion: sagemaker-reconciler/v1
kind: Alarm
metadata:
  name: llama-chat-no-capacity
  tags: {team: ml-platform}
spec:
  AlarmDescription: Alarm when SM IC endpoint invoked that has 0 instances.
  AlarmActions: [ScalingPolicy/llama-chat-scale-out]
  ComparisonOperator: GreaterThanThreshold
  DatapointsToAlarm: 1
  Dimensions:
    - Name: InferenceComponentName
      Value: llama-chat
  EvaluationPeriods: 1
  MetricName: NoCapacityInvocationFailures
  Namespace: AWS/SageMaker
  Period: 60
  Statistic: Sum
  Threshold: 1
"""
)


def _client(env: Env, service: str) -> Any:
    return boto3.client(service, endpoint_url=env.url, region_name="us-east-1")


def _alarms(env: Env) -> list[dict[str, Any]]:
    answer = _client(env, "cloudwatch").describe_alarms(AlarmTypes=["MetricAlarm"])
    found: list[dict[str, Any]] = answer["MetricAlarms"]
    return found


def test_scale_out_from_zero_puts_the_alarm_with_the_policy_arn_aws_made(env: Env) -> None:
    (env.directory / FILE).write_text(SCALE_FROM_ZERO)

    # The plan shows the reference; nobody has the ARN yet.
    planned = env.plan_json()
    (alarm_change,) = [c for c in planned["changes"] if c["address"].startswith("Alarm/")]
    assert alarm_change["action"] == "create"
    assert "ScalingPolicy/llama-chat-scale-out" in alarm_change["depends_on"]
    assert "arn:aws:autoscaling" not in str(planned)

    run = env.apply()
    assert run.code == 0, run.out + run.err
    aas = _client(env, "application-autoscaling")
    (policy,) = aas.describe_scaling_policies(ServiceNamespace="sagemaker")["ScalingPolicies"]
    (alarm,) = _alarms(env)
    assert alarm["AlarmName"] == "llama-chat-no-capacity"
    assert alarm["AlarmActions"] == [policy["PolicyARN"]]
    assert alarm["MetricName"] == "NoCapacityInvocationFailures"
    tags = _client(env, "cloudwatch").list_tags_for_resource(ResourceARN=alarm["AlarmArn"])
    by_key = {t["Key"]: t["Value"] for t in tags["Tags"]}
    assert by_key["sagemaker-reconciler/address"] == "Alarm/llama-chat-no-capacity"
    assert by_key["team"] == "ml-platform"

    # CloudWatch filled in its state, ActionsEnabled and empty action lists: no drift.
    assert not env.plan_json()["changes"]
    code, writes, output = env.writes_during()
    assert code == 0 and writes == {}, output

    # Exported, it is the request again: no state, no defaults CloudWatch filled in.
    export = env.reconciler("export", "--kind", "Alarm", "--endpoint-url", env.url)
    assert export.code == 0, export.err
    assert "name: llama-chat-no-capacity" in export.out
    assert "NoCapacityInvocationFailures" in export.out
    for filled_in in ("StateValue", "AlarmArn", "ActionsEnabled", "OKActions"):
        assert filled_in not in export.out, filled_in

    # The alarm fires (CloudWatch's evaluation, not the manifest's): no drift, and status
    # shows the state beside it.
    env.control.set_alarm_state("llama-chat-no-capacity", "ALARM", "Threshold crossed")
    assert not env.plan_json()["changes"]
    run = env.reconciler("status", str(env.directory), "--json", "--endpoint-url", env.url)
    assert run.code == 0, run.err
    (row,) = [r for r in json.loads(run.out)["resources"] if r["address"].startswith("Alarm/")]
    assert row["alarm"] == {"StateValue": "ALARM", "StateReason": "Threshold crossed"}
    assert row["sync"] == "InSync"

    # A new threshold: one PutMetricAlarm, still with the policy's ARN.
    env.edit(FILE, "  Threshold: 1\n", "  Threshold: 2\n")
    code, writes, output = env.writes_during()
    assert code == 0, output
    assert writes == {"PutMetricAlarm": 1}
    (alarm,) = _alarms(env)
    assert alarm["Threshold"] == 2.0
    assert alarm["AlarmActions"] == [policy["PolicyARN"]]
    assert not env.plan_json()["changes"]

    # Removed from git: the alarm goes before the policy it fires, the policy before its
    # target.
    (env.directory / FILE).unlink()
    planned = env.plan_json()
    deletes = {c["address"]: c for c in planned["changes"] if c["action"] == "delete"}
    assert set(deletes) == {
        "Alarm/llama-chat-no-capacity",
        "ScalingPolicy/llama-chat-scale-out",
        "ScalableTarget/llama-chat-copies",
    }
    assert (
        "Alarm/llama-chat-no-capacity"
        in deletes["ScalingPolicy/llama-chat-scale-out"]["depends_on"]
    )
    run = env.apply()
    assert run.code == 0, run.out + run.err
    output = run.out + run.err
    said = [
        m.group(0)
        for m in re.finditer(r"(Alarm|ScalingPolicy|ScalableTarget)/llama-chat[\w-]+", output)
    ]
    assert said.index("Alarm/llama-chat-no-capacity") < said.index(
        "ScalingPolicy/llama-chat-scale-out"
    )
    assert _alarms(env) == []
    assert aas.describe_scaling_policies(ServiceNamespace="sagemaker")["ScalingPolicies"] == []
    assert aas.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"] == []
    assert not env.plan_json()["changes"]


def test_target_tracking_alarms_stay_application_auto_scalings(env: Env) -> None:
    """A target tracking policy's alarms (TargetTracking-...) are made by Application Auto
    Scaling: never planned, pruned or exported by the reconciler."""
    tracking = SCALE_FROM_ZERO.split("---\n")[0] + (
        "---\n"
        "apiVersion: sagemaker-reconciler/v1\n"
        "kind: ScalingPolicy\n"
        "metadata:\n"
        "  name: llama-chat-invocations\n"
        "spec:\n"
        "  ServiceNamespace: sagemaker\n"
        "  ResourceId: inference-component/llama-chat\n"
        "  ScalableDimension: sagemaker:inference-component:DesiredCopyCount\n"
        "  PolicyType: TargetTrackingScaling\n"
        "  TargetTrackingScalingPolicyConfiguration:\n"
        "    TargetValue: 4.0\n"
        "    PredefinedMetricSpecification:\n"
        "      PredefinedMetricType: SageMakerInferenceComponentInvocationsPerCopy\n"
    )
    (env.directory / FILE).write_text(tracking)
    run = env.apply()
    assert run.code == 0, run.out + run.err
    theirs = [a["AlarmName"] for a in _alarms(env)]
    assert theirs and all(name.startswith("TargetTracking-") for name in theirs)
    assert not env.plan_json()["changes"]
    export = env.reconciler("export", "--kind", "Alarm", "--endpoint-url", env.url)
    assert export.code == 0, export.err
    assert "TargetTracking-" not in export.out


SCHEDULED = """\
---
apiVersion: sagemaker-reconciler/v1
kind: ScheduledAction
metadata:
  name: llama-chat-nights
spec:
  ServiceNamespace: sagemaker
  ResourceId: inference-component/llama-chat
  ScalableDimension: sagemaker:inference-component:DesiredCopyCount
  Schedule: cron(0 22 * * ? *)
  Timezone: Europe/Berlin
  ScalableTargetAction:
    MinCapacity: 0
    MaxCapacity: 1
"""


def test_a_scheduled_action_is_put_on_its_target_and_goes_with_it(env: Env) -> None:
    target = SCALE_FROM_ZERO.split("---\n")[0]
    (env.directory / FILE).write_text(target + SCHEDULED)
    run = env.apply()
    assert run.code == 0, run.out + run.err
    aas = _client(env, "application-autoscaling")
    (action,) = aas.describe_scheduled_actions(ServiceNamespace="sagemaker")["ScheduledActions"]
    assert action["ScheduledActionName"] == "llama-chat-nights"
    assert action["ResourceId"] == "inference-component/llama-chat"
    assert action["ScalableTargetAction"] == {"MinCapacity": 0, "MaxCapacity": 1}
    assert not env.plan_json()["changes"]

    env.edit(FILE, "cron(0 22 * * ? *)", "cron(0 23 * * ? *)")
    code, writes, output = env.writes_during()
    assert code == 0, output
    assert writes == {"PutScheduledAction": 1}
    (action,) = aas.describe_scheduled_actions(ServiceNamespace="sagemaker")["ScheduledActions"]
    assert action["Schedule"] == "cron(0 23 * * ? *)"

    (env.directory / FILE).unlink()
    run = env.apply()
    assert run.code == 0, run.out + run.err
    assert aas.describe_scheduled_actions(ServiceNamespace="sagemaker")["ScheduledActions"] == []
    assert aas.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"] == []


def test_a_hand_made_alarm_on_a_hand_made_policy_is_exported_by_reference_and_adopted(
    env: Env, tmp_path: Any
) -> None:
    """The scale-out-from-zero pattern made by hand, as the developer guide's commands do
    (the alarm's action is the policy's ARN), exported: the alarm names the policy as a
    hand-written manifest does, and adopting the export only tags."""
    assert env.apply().code == 0
    aas = _client(env, "application-autoscaling")
    aas.register_scalable_target(
        ServiceNamespace="sagemaker",
        ResourceId=CHAT,
        ScalableDimension=COPY_COUNT,
        MinCapacity=0,
        MaxCapacity=3,
    )
    policy_arn = aas.put_scaling_policy(
        PolicyName="by-hand-scale-out",
        ServiceNamespace="sagemaker",
        ResourceId=CHAT,
        ScalableDimension=COPY_COUNT,
        PolicyType="StepScaling",
        StepScalingPolicyConfiguration={
            "AdjustmentType": "ChangeInCapacity",
            "MetricAggregationType": "Maximum",
            "Cooldown": 60,
            "StepAdjustments": [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 1}],
        },
    )["PolicyARN"]
    topic = "arn:aws:sns:us-east-1:123456789012:on-call"
    _client(env, "cloudwatch").put_metric_alarm(
        AlarmName="by-hand-no-capacity",
        AlarmActions=[policy_arn, topic],
        ComparisonOperator="GreaterThanThreshold",
        DatapointsToAlarm=1,
        Dimensions=[{"Name": "InferenceComponentName", "Value": "llama-chat"}],
        EvaluationPeriods=1,
        MetricName="NoCapacityInvocationFailures",
        Namespace="AWS/SageMaker",
        Period=60,
        Statistic="Sum",
        Threshold=1,
    )
    out = tmp_path / "exported.yaml"
    run = env.reconciler(
        "export",
        "--kind",
        "ScalingPolicy",
        "--kind",
        "Alarm",
        "--kind",
        "ScalableTarget",
        "--out",
        str(out),
        "--endpoint-url",
        env.url,
    )
    assert run.code == 0, run.err
    import yaml

    documents = list(yaml.safe_load_all(out.read_text()))
    assert {(d["kind"], d["metadata"]["name"]) for d in documents} == {
        ("ScalableTarget", "llama-chat-copies"),
        ("ScalingPolicy", "by-hand-scale-out"),
        ("Alarm", "by-hand-no-capacity"),
    }
    alarm = next(d for d in documents if d["kind"] == "Alarm")
    # The policy by its manifest; the topic, which is no exported resource, as it is.
    assert alarm["spec"]["AlarmActions"] == ["ScalingPolicy/by-hand-scale-out", topic]
    assert "arn:aws:autoscaling" not in out.read_text()

    (env.directory / FILE).write_text(out.read_text())
    planned = env.plan_json()
    (alarm_change,) = [c for c in planned["changes"] if c["address"].startswith("Alarm/")]
    # Adopted after the policy it names, with its ownership tags only.
    assert alarm_change["depends_on"] == ["ScalingPolicy/by-hand-scale-out"]
    assert alarm_change["operations"] == ["TagResource"]
    code, writes, output = env.writes_during()
    assert code == 0, output
    # The target's and the alarm's ownership tags; nothing put again.
    assert writes == {"TagResource": 2}, output
    (live,) = _alarms(env)
    assert live["AlarmActions"] == [policy_arn, topic]
    assert not env.plan_json()["changes"]


def test_a_scheduled_actions_start_and_end_are_compared_and_a_dropped_end_is_unset(
    env: Env,
) -> None:
    """StartTime and EndTime go to AWS as epoch seconds and come back as datetimes: the
    manifest's ISO 8601 strings match them; an end time the manifest drops is seen (a
    scheduled action keeps no record) and gone after one apply."""
    bounded = SCHEDULED + '  StartTime: "2026-12-24T18:00:00Z"\n  EndTime: "2027-01-06T00:00:00Z"\n'
    target = SCALE_FROM_ZERO.split("---\n")[0]
    (env.directory / FILE).write_text(target + bounded)
    run = env.apply()
    assert run.code == 0, run.out + run.err
    aas = _client(env, "application-autoscaling")
    (action,) = aas.describe_scheduled_actions(ServiceNamespace="sagemaker")["ScheduledActions"]
    assert action["StartTime"].timestamp() == 1798135200  # botocore's datetime
    assert not env.plan_json()["changes"]

    # A new start is one put.
    env.edit(FILE, "2026-12-24T18:00:00Z", "2026-12-24T19:00:00+01:00")
    assert not env.plan_json()["changes"]  # the same instant
    env.edit(FILE, "2026-12-24T19:00:00+01:00", "2026-12-24T20:00:00Z")
    code, writes, output = env.writes_during()
    assert code == 0 and writes == {"PutScheduledAction": 1}, output

    # The end dropped: the action is put anew without it.
    env.edit(FILE, '  EndTime: "2027-01-06T00:00:00Z"\n', "")
    (change,) = env.plan_json()["changes"]
    assert [d["path"] for d in change["diff"]] == ["EndTime"]
    code, writes, output = env.writes_during()
    assert code == 0, output
    assert writes == {"DeleteScheduledAction": 1, "PutScheduledAction": 1}, output
    (action,) = aas.describe_scheduled_actions(ServiceNamespace="sagemaker")["ScheduledActions"]
    assert "EndTime" not in action
    assert not env.plan_json()["changes"]
