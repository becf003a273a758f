"""Application Auto Scaling for SageMaker (namespace ``sagemaker``) as the emulator answers
it through the real boto3 client: scalable targets, scaling policies, scheduled actions,
their tags; the SageMaker side effects (clamp, DeleteEndpoint deregistering, UpdateEndpoint
refusals, RetainAllVariantProperties) and the ``/_emulator/scale`` control."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from reconciler.emulator.control_client import ControlError
from tests.support.factories import (
    assert_error,
    create_model,
    create_model_config,
    ic_endpoint,
    ic_request,
)

NS = "sagemaker"
COPIES = "sagemaker:inference-component:DesiredCopyCount"
INSTANCES = "sagemaker:variant:DesiredInstanceCount"
CONCURRENCY = "sagemaker:variant:DesiredProvisionedConcurrency"
IC = "inference-component/llama-chat"
VARIANT = "endpoint/classic/variant/AllTraffic"
SLR = (
    "arn:aws:iam::123456789012:role/aws-service-role/"
    "sagemaker.application-autoscaling.amazonaws.com/"
    "AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint"
)
TARGET_ARN = re.compile(
    r"^arn:aws:application-autoscaling:us-east-1:123456789012:scalable-target/[a-z0-9]{36}$"
)
TRACKING = {
    "TargetValue": 5.0,
    "PredefinedMetricSpecification": {
        "PredefinedMetricType": "SageMakerInferenceComponentInvocationsPerCopy"
    },
}
STEP = {
    "AdjustmentType": "ChangeInCapacity",
    "MetricAggregationType": "Maximum",
    "Cooldown": 60,
    "StepAdjustments": [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 1}],
}


@pytest.fixture
def aas(emulator: Any) -> Any:
    return emulator.client("application-autoscaling")


@pytest.fixture
def cw(emulator: Any) -> Any:
    return emulator.client("cloudwatch")


def _ic(sm: Any, name: str = "llama-chat", copies: int = 2) -> None:
    if not sm.list_endpoints(NameContains="shared-gpu")["Endpoints"]:
        ic_endpoint(sm)
    sm.create_inference_component(**ic_request(name, copies=copies))


def _classic(sm: Any, instances: int = 1) -> None:
    create_model(sm, "classic-model")
    create_model_config(
        sm,
        "classic-config",
        "classic-model",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": "classic-model",
                "InstanceType": "ml.m5.xlarge",
                "InitialInstanceCount": instances,
            }
        ],
    )
    sm.create_endpoint(EndpointName="classic", EndpointConfigName="classic-config")


def _register(aas: Any, resource_id: str = IC, dimension: str = COPIES, **extra: Any) -> str:
    request = {"ServiceNamespace": NS, "ResourceId": resource_id, "ScalableDimension": dimension}
    return str(aas.register_scalable_target(**request, **extra)["ScalableTargetARN"])


def _targets(aas: Any, **extra: Any) -> list[dict[str, Any]]:
    return list(aas.describe_scalable_targets(ServiceNamespace=NS, **extra)["ScalableTargets"])


def _copies(sm: Any, name: str = "llama-chat") -> dict[str, Any]:
    return dict(sm.describe_inference_component(InferenceComponentName=name)["RuntimeConfig"])


def _instances(sm: Any, endpoint: str = "classic") -> tuple[int, int]:
    [variant] = sm.describe_endpoint(EndpointName=endpoint)["ProductionVariants"]
    return variant["CurrentInstanceCount"], variant["DesiredInstanceCount"]


def _policy(aas: Any, name: str = "tracking", resource_id: str = IC, **extra: Any) -> Any:
    body = {
        "PolicyName": name,
        "ServiceNamespace": NS,
        "ResourceId": resource_id,
        "ScalableDimension": COPIES
        if resource_id.startswith("inference-component/")
        else INSTANCES,
        **extra,
    }
    if "PolicyType" not in extra:
        body.setdefault("PolicyType", "TargetTrackingScaling")
        body.setdefault("TargetTrackingScalingPolicyConfiguration", TRACKING)
    return aas.put_scaling_policy(**body)


def _alarm_names(cw: Any) -> set[str]:
    return {a["AlarmName"] for a in cw.describe_alarms()["MetricAlarms"]}


# -- RegisterScalableTarget / DescribeScalableTargets -------------------------------------


def test_register_inference_component_target_answers_what_aws_fills_in(sm: Any, aas: Any) -> None:
    _ic(sm)
    arn = _register(aas, MinCapacity=1, MaxCapacity=4, RoleARN="arn:aws:iam::123456789012:role/x")
    assert TARGET_ARN.match(arn), arn

    [target] = _targets(aas)
    creation = target.pop("CreationTime")
    assert isinstance(creation, dt.datetime)
    assert target == {
        "ServiceNamespace": NS,
        "ResourceId": IC,
        "ScalableDimension": COPIES,
        "MinCapacity": 1,
        "MaxCapacity": 4,
        # The SLR, whatever RoleARN was sent.
        "RoleARN": SLR,
        "SuspendedState": {
            "DynamicScalingInSuspended": False,
            "DynamicScalingOutSuspended": False,
            "ScheduledScalingSuspended": False,
        },
        "ScalableTargetARN": arn,
    }
    # Inside [1, 4]: the copy count is left alone.
    assert _copies(sm) == {"DesiredCopyCount": 2, "CurrentCopyCount": 2}


def test_register_again_updates_what_was_sent_and_clamps_each_time(sm: Any, aas: Any) -> None:
    _ic(sm, copies=5)
    arn = _register(aas, MinCapacity=1, MaxCapacity=3)
    assert _copies(sm) == {"DesiredCopyCount": 3, "CurrentCopyCount": 3}

    assert _register(aas, MaxCapacity=2) == arn  # same target, same ARN
    [target] = _targets(aas)
    assert (target["MinCapacity"], target["MaxCapacity"]) == (1, 2)
    assert _copies(sm) == {"DesiredCopyCount": 2, "CurrentCopyCount": 2}

    _register(aas, MinCapacity=4, MaxCapacity=6, SuspendedState={"DynamicScalingInSuspended": True})
    [target] = _targets(aas)
    assert target["SuspendedState"]["DynamicScalingInSuspended"] is True
    assert target["SuspendedState"]["ScheduledScalingSuspended"] is False
    assert _copies(sm) == {"DesiredCopyCount": 4, "CurrentCopyCount": 4}
    # A later UpdateInferenceComponent without RuntimeConfig keeps the scaled count.
    sm.update_inference_component(
        InferenceComponentName="llama-chat",
        Specification=ic_request()["Specification"],
    )
    assert _copies(sm) == {"DesiredCopyCount": 4, "CurrentCopyCount": 4}


def test_register_variant_target_clamps_the_instance_count(sm: Any, aas: Any) -> None:
    _classic(sm, instances=1)
    _register(aas, VARIANT, INSTANCES, MinCapacity=2, MaxCapacity=4)
    assert _instances(sm) == (2, 2)
    [target] = _targets(aas, ResourceIds=[VARIANT], ScalableDimension=INSTANCES)
    assert target["ResourceId"] == VARIANT


@pytest.mark.parametrize(
    ("resource_id", "dimension", "extra", "message"),
    [
        (IC, INSTANCES, {}, "Unsupported service namespace, resource type or scalable dimension"),
        (VARIANT, COPIES, {}, "Unsupported service namespace, resource type or scalable dimension"),
        ("endpoint/classic", INSTANCES, {}, "Unsupported service namespace"),
        (VARIANT, CONCURRENCY, {}, "Unsupported service namespace"),
        ("inference-component/nope", COPIES, {}, "Inference component nope does not exist"),
        ("endpoint/nope/variant/AllTraffic", INSTANCES, {}, "Endpoint nope does not exist"),
        ("endpoint/classic/variant/Other", INSTANCES, {}, "Variant Other does not exist"),
        (VARIANT, INSTANCES, {"MinCapacity": 1}, "MaxCapacity must be specified"),
        (VARIANT, INSTANCES, {"MaxCapacity": 1}, "MinCapacity must be specified"),
        (
            VARIANT,
            INSTANCES,
            {"MinCapacity": 5, "MaxCapacity": 2},
            "Maximum capacity cannot be less",
        ),
    ],
)
def test_register_refusals(
    sm: Any, aas: Any, resource_id: str, dimension: str, extra: dict[str, Any], message: str
) -> None:
    _classic(sm)
    extra = extra or {"MinCapacity": 1, "MaxCapacity": 2}
    with pytest.raises(ClientError) as err:
        _register(aas, resource_id, dimension, **extra)
    assert_error(err.value, "ValidationException", message)
    assert _targets(aas) == []
    assert _instances(sm) == (1, 1)


def test_tags_on_an_existing_target_are_refused(sm: Any, aas: Any) -> None:
    _ic(sm)
    arn = _register(aas, MinCapacity=1, MaxCapacity=3, Tags={"team": "ml"})
    with pytest.raises(ClientError) as err:
        _register(aas, MinCapacity=1, MaxCapacity=5, Tags={"team": "ops"})
    assert_error(
        err.value,
        "ValidationException",
        "The scalable target that you tried to tag already exists. To update tags on an "
        "existing scalable target, use the TagResource API.",
    )
    assert aas.list_tags_for_resource(ResourceARN=arn)["Tags"] == {"team": "ml"}
    assert _targets(aas)[0]["MaxCapacity"] == 3


def test_tag_untag_and_list_tags_of_a_target(sm: Any, aas: Any) -> None:
    _ic(sm)
    arn = _register(aas, MinCapacity=1, MaxCapacity=3, Tags={"team": "ml", "env": "dev"})
    aas.tag_resource(ResourceARN=arn, Tags={"env": "prod", "owner": "me"})
    assert aas.list_tags_for_resource(ResourceARN=arn)["Tags"] == {
        "team": "ml",
        "env": "prod",
        "owner": "me",
    }
    aas.untag_resource(ResourceARN=arn, TagKeys=["team", "absent"])
    assert aas.list_tags_for_resource(ResourceARN=arn)["Tags"] == {"env": "prod", "owner": "me"}

    unknown = "arn:aws:application-autoscaling:us-east-1:123456789012:scalable-target/" + "0" * 36
    for call in (
        lambda: aas.list_tags_for_resource(ResourceARN=unknown),
        lambda: aas.tag_resource(ResourceARN=unknown, Tags={"a": "b"}),
        lambda: aas.untag_resource(ResourceARN=unknown, TagKeys=["a"]),
    ):
        with pytest.raises(ClientError) as err:
            call()
        assert_error(err.value, "ResourceNotFoundException")


def test_describe_targets_filters_and_pages(sm: Any, aas: Any) -> None:
    for name in ("a", "b", "c"):
        _ic(sm, name)
        _register(aas, f"inference-component/{name}", MinCapacity=1, MaxCapacity=3)

    first = aas.describe_scalable_targets(ServiceNamespace=NS, MaxResults=2)
    assert [t["ResourceId"] for t in first["ScalableTargets"]] == [
        "inference-component/a",
        "inference-component/b",
    ]
    second = aas.describe_scalable_targets(
        ServiceNamespace=NS, MaxResults=2, NextToken=first["NextToken"]
    )
    assert [t["ResourceId"] for t in second["ScalableTargets"]] == ["inference-component/c"]
    assert "NextToken" not in second
    paginator = aas.get_paginator("describe_scalable_targets")
    pages = list(paginator.paginate(ServiceNamespace=NS, PaginationConfig={"PageSize": 1}))
    assert [p["ScalableTargets"][0]["ResourceId"][-1] for p in pages] == ["a", "b", "c"]

    assert [t["ResourceId"] for t in _targets(aas, ResourceIds=["inference-component/b"])] == [
        "inference-component/b"
    ]
    assert _targets(aas, ResourceIds=["inference-component/"]) == []  # exact, not a prefix
    with pytest.raises(ClientError) as err:
        _targets(aas, ScalableDimension=COPIES)
    assert_error(err.value, "ValidationException", "ResourceIds must be specified")
    with pytest.raises(ClientError) as err:
        aas.describe_scalable_targets(ServiceNamespace=NS, NextToken="garbage")
    assert_error(err.value, "ValidationException", "Invalid NextToken")


# -- DeregisterScalableTarget --------------------------------------------------------------


def test_deregister_cascades_to_policies_scheduled_actions_alarms_and_tags(
    sm: Any, aas: Any, cw: Any
) -> None:
    _ic(sm, copies=3)
    arn = _register(aas, MinCapacity=1, MaxCapacity=5, Tags={"team": "ml"})
    alarms = {a["AlarmName"] for a in _policy(aas)["Alarms"]}
    _policy(aas, "step", PolicyType="StepScaling", StepScalingPolicyConfiguration=STEP)
    aas.put_scheduled_action(
        ServiceNamespace=NS,
        ScheduledActionName="nightly",
        ResourceId=IC,
        ScalableDimension=COPIES,
        Schedule="cron(0 22 * * ? *)",
        ScalableTargetAction={"MinCapacity": 1},
    )
    assert alarms <= _alarm_names(cw)

    aas.deregister_scalable_target(ServiceNamespace=NS, ResourceId=IC, ScalableDimension=COPIES)
    assert _targets(aas) == []
    assert aas.describe_scaling_policies(ServiceNamespace=NS)["ScalingPolicies"] == []
    assert aas.describe_scheduled_actions(ServiceNamespace=NS)["ScheduledActions"] == []
    assert not alarms & _alarm_names(cw)
    with pytest.raises(ClientError) as err:
        aas.list_tags_for_resource(ResourceARN=arn)
    assert_error(err.value, "ResourceNotFoundException")
    # The copy count stays where it was.
    assert _copies(sm) == {"DesiredCopyCount": 3, "CurrentCopyCount": 3}

    with pytest.raises(ClientError) as err:
        aas.deregister_scalable_target(ServiceNamespace=NS, ResourceId=IC, ScalableDimension=COPIES)
    assert_error(err.value, "ObjectNotFoundException")
    # Registering again makes a new target with a new ARN and no tags.
    again = _register(aas, MinCapacity=1, MaxCapacity=5)
    assert again != arn
    assert aas.list_tags_for_resource(ResourceARN=again)["Tags"] == {}


# -- scaling policies ----------------------------------------------------------------------


def test_put_policy_without_a_target_is_object_not_found(sm: Any, aas: Any) -> None:
    _ic(sm)
    with pytest.raises(ClientError) as err:
        _policy(aas)
    assert_error(err.value, "ObjectNotFoundException")


def test_target_tracking_policy_creates_its_alarms(sm: Any, aas: Any, cw: Any) -> None:
    _ic(sm)
    _register(aas, MinCapacity=1, MaxCapacity=4)
    answer = _policy(aas)
    assert re.match(
        r"^arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:[0-9a-f-]{36}:"
        r"resource/sagemaker/inference-component/llama-chat:policyName/tracking$",
        answer["PolicyARN"],
    )
    high, low = answer["Alarms"]
    assert re.match(
        r"^TargetTracking-inference-component/llama-chat-AlarmHigh-[0-9a-f-]{36}$",
        high["AlarmName"],
    )
    assert re.match(
        r"^TargetTracking-inference-component/llama-chat-AlarmLow-[0-9a-f-]{36}$", low["AlarmName"]
    )
    assert (
        high["AlarmARN"] == f"arn:aws:cloudwatch:us-east-1:123456789012:alarm:{high['AlarmName']}"
    )
    described = {a["AlarmName"]: a for a in cw.describe_alarms()["MetricAlarms"]}
    assert described[high["AlarmName"]]["StateValue"] == "INSUFFICIENT_DATA"
    assert described[high["AlarmName"]]["Threshold"] == 5.0

    [policy] = aas.describe_scaling_policies(ServiceNamespace=NS)["ScalingPolicies"]
    assert isinstance(policy.pop("CreationTime"), dt.datetime)
    assert policy == {
        "PolicyARN": answer["PolicyARN"],
        "PolicyName": "tracking",
        "ServiceNamespace": NS,
        "ResourceId": IC,
        "ScalableDimension": COPIES,
        "PolicyType": "TargetTrackingScaling",
        "TargetTrackingScalingPolicyConfiguration": TRACKING,
        "Alarms": answer["Alarms"],
    }


def test_put_policy_again_updates_in_place(sm: Any, aas: Any, cw: Any) -> None:
    _ic(sm)
    _register(aas, MinCapacity=1, MaxCapacity=4)
    first = _policy(aas)
    [before] = aas.describe_scaling_policies(ServiceNamespace=NS)["ScalingPolicies"]
    changed = {**TRACKING, "TargetValue": 8.0, "ScaleInCooldown": 120}
    second = _policy(aas, TargetTrackingScalingPolicyConfiguration=changed)
    assert second["PolicyARN"] == first["PolicyARN"]
    assert second["Alarms"] == first["Alarms"]
    [after] = aas.describe_scaling_policies(ServiceNamespace=NS)["ScalingPolicies"]
    assert after["CreationTime"] == before["CreationTime"]
    assert after["TargetTrackingScalingPolicyConfiguration"] == changed
    high = first["Alarms"][0]["AlarmName"]
    assert cw.describe_alarms(AlarmNames=[high])["MetricAlarms"][0]["Threshold"] == 8.0

    # Turning it into a step policy drops the alarms AAS owned.
    _policy(aas, PolicyType="StepScaling", StepScalingPolicyConfiguration=STEP)
    [after] = aas.describe_scaling_policies(ServiceNamespace=NS)["ScalingPolicies"]
    assert after["PolicyType"] == "StepScaling" and after["Alarms"] == []
    assert "TargetTrackingScalingPolicyConfiguration" not in after
    assert high not in _alarm_names(cw)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"PolicyType": "StepScaling"}, "StepScalingPolicyConfiguration is required"),
        (
            {
                "PolicyType": "TargetTrackingScaling",
                "TargetTrackingScalingPolicyConfiguration": {
                    "TargetValue": 1.0,
                    "PredefinedMetricSpecification": {
                        "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"
                    },
                },
            },
            f"Scalable dimension {COPIES} only supports the following predefined metric types: "
            "SageMakerInferenceComponentInvocationsPerCopy, "
            "SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution",
        ),
        ({"PolicyType": "PredictiveScaling"}, "Policy type PredictiveScaling is not supported"),
        (
            {
                "PolicyType": "StepScaling",
                "StepScalingPolicyConfiguration": {"AdjustmentType": "ChangeInCapacity"},
            },
            "At least one step adjustment is required",
        ),
        ({"StepScalingPolicyConfiguration": STEP}, "PolicyType is required"),
    ],
)
def test_put_policy_refusals(sm: Any, aas: Any, extra: dict[str, Any], message: str) -> None:
    _ic(sm)
    _register(aas, MinCapacity=1, MaxCapacity=4)
    body = {
        "PolicyName": "p",
        "ServiceNamespace": NS,
        "ResourceId": IC,
        "ScalableDimension": COPIES,
    }
    with pytest.raises(ClientError) as err:
        aas.put_scaling_policy(**body, **extra)
    assert_error(err.value, "ValidationException", message)
    assert aas.describe_scaling_policies(ServiceNamespace=NS)["ScalingPolicies"] == []


def test_describe_policies_filters_exactly_and_pages_by_ten(sm: Any, aas: Any) -> None:
    for name in ("a", "ab"):
        _ic(sm, name)
        _register(aas, f"inference-component/{name}", MinCapacity=1, MaxCapacity=3)
    for i in range(11):
        _policy(aas, f"p{i:02d}", "inference-component/a")
    _policy(aas, "p00", "inference-component/ab")

    first = aas.describe_scaling_policies(ServiceNamespace=NS)
    assert len(first["ScalingPolicies"]) == 10
    rest = aas.describe_scaling_policies(ServiceNamespace=NS, NextToken=first["NextToken"])
    assert len(rest["ScalingPolicies"]) == 2 and "NextToken" not in rest

    only_ab = aas.describe_scaling_policies(
        ServiceNamespace=NS, ResourceId="inference-component/ab"
    )
    assert [(p["ResourceId"], p["PolicyName"]) for p in only_ab["ScalingPolicies"]] == [
        ("inference-component/ab", "p00")
    ]
    named = aas.describe_scaling_policies(
        ServiceNamespace=NS, PolicyNames=["p01"], ResourceId="inference-component/a"
    )
    assert [p["PolicyName"] for p in named["ScalingPolicies"]] == ["p01"]


def test_delete_policy(sm: Any, aas: Any, cw: Any) -> None:
    _ic(sm)
    _register(aas, MinCapacity=1, MaxCapacity=4)
    tracking_alarms = {a["AlarmName"] for a in _policy(aas)["Alarms"]}
    step_arn = _policy(aas, "step", PolicyType="StepScaling", StepScalingPolicyConfiguration=STEP)[
        "PolicyARN"
    ]
    cw.put_metric_alarm(
        AlarmName="ic-step-scaling-alarm",
        AlarmActions=[step_arn],
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
    key = {"ServiceNamespace": NS, "ResourceId": IC, "ScalableDimension": COPIES}
    aas.delete_scaling_policy(PolicyName="tracking", **key)
    assert not tracking_alarms & _alarm_names(cw)
    aas.delete_scaling_policy(PolicyName="step", **key)
    # The step policy's alarm stays, without the policy's action.
    [alarm] = cw.describe_alarms(AlarmNames=["ic-step-scaling-alarm"])["MetricAlarms"]
    assert alarm["AlarmActions"] == []
    assert aas.describe_scaling_policies(ServiceNamespace=NS)["ScalingPolicies"] == []
    with pytest.raises(ClientError) as err:
        aas.delete_scaling_policy(PolicyName="step", **key)
    assert_error(err.value, "ObjectNotFoundException")


def test_extra_server_fields_add_the_documented_policy_defaults(
    emulator: Any, sm: Any, aas: Any
) -> None:
    _ic(sm)
    _register(aas, MinCapacity=1, MaxCapacity=4)
    _policy(aas)
    _policy(
        aas,
        "step",
        PolicyType="StepScaling",
        StepScalingPolicyConfiguration={**STEP, "Cooldown": 30},
    )
    plain = aas.describe_scaling_policies(ServiceNamespace=NS)["ScalingPolicies"]
    assert plain[0]["TargetTrackingScalingPolicyConfiguration"] == TRACKING

    emulator.control.set_server_fields("extra")
    tracking, step = aas.describe_scaling_policies(ServiceNamespace=NS)["ScalingPolicies"]
    assert tracking["TargetTrackingScalingPolicyConfiguration"] == {
        **TRACKING,
        "ScaleInCooldown": 300,
        "ScaleOutCooldown": 300,
        "DisableScaleIn": False,
    }
    # Only adding: what was sent stays as sent.
    assert step["StepScalingPolicyConfiguration"] == {**STEP, "Cooldown": 30}


# -- scheduled actions ---------------------------------------------------------------------


def test_scheduled_actions(sm: Any, aas: Any) -> None:
    _ic(sm)
    key = {"ServiceNamespace": NS, "ResourceId": IC, "ScalableDimension": COPIES}
    with pytest.raises(ClientError) as err:
        aas.put_scheduled_action(
            ScheduledActionName="nightly",
            Schedule="rate(1 day)",
            ScalableTargetAction={"MinCapacity": 1},
            **key,
        )
    assert_error(err.value, "ObjectNotFoundException")

    _register(aas, MinCapacity=1, MaxCapacity=4)
    start = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    aas.put_scheduled_action(
        ScheduledActionName="nightly",
        Schedule="cron(0 22 * * ? *)",
        Timezone="Europe/Berlin",
        StartTime=start,
        EndTime=start + dt.timedelta(days=30),
        ScalableTargetAction={"MinCapacity": 0, "MaxCapacity": 1},
        **key,
    )
    [action] = aas.describe_scheduled_actions(ServiceNamespace=NS)["ScheduledActions"]
    assert re.match(
        r"^arn:aws:autoscaling:us-east-1:123456789012:scheduledAction:[0-9a-f-]{36}:"
        r"resource/sagemaker/inference-component/llama-chat:scheduledActionName/nightly$",
        action["ScheduledActionARN"],
    )
    assert isinstance(action.pop("CreationTime"), dt.datetime)
    arn = action.pop("ScheduledActionARN")
    assert action == {
        "ScheduledActionName": "nightly",
        **key,
        "Schedule": "cron(0 22 * * ? *)",
        "Timezone": "Europe/Berlin",
        "StartTime": start,
        "EndTime": start + dt.timedelta(days=30),
        "ScalableTargetAction": {"MinCapacity": 0, "MaxCapacity": 1},
    }

    # An update that sends no start and end times drops them; the rest stays; same ARN.
    aas.put_scheduled_action(ScheduledActionName="nightly", Schedule="rate(5 hours)", **key)
    [action] = aas.describe_scheduled_actions(
        ServiceNamespace=NS, ScheduledActionNames=["nightly"]
    )["ScheduledActions"]
    assert action["ScheduledActionARN"] == arn
    assert action["Schedule"] == "rate(5 hours)"
    assert "StartTime" not in action and "EndTime" not in action
    assert action["ScalableTargetAction"] == {"MinCapacity": 0, "MaxCapacity": 1}

    for extra, message in (
        (
            {"ScalableTargetAction": {}},
            "At least one of minimum capacity and maximum capacity should be provided",
        ),
        ({}, "At least one of minimum capacity and maximum capacity should be provided"),
        ({"Schedule": "every day", "ScalableTargetAction": {"MinCapacity": 1}}, "Invalid schedule"),
    ):
        request = {"Schedule": "rate(1 day)", **extra}
        with pytest.raises(ClientError) as err:
            aas.put_scheduled_action(ScheduledActionName="other", **request, **key)
        assert_error(err.value, "ValidationException", message)
    assert len(aas.describe_scheduled_actions(ServiceNamespace=NS)["ScheduledActions"]) == 1

    aas.delete_scheduled_action(ScheduledActionName="nightly", **key)
    assert aas.describe_scheduled_actions(ServiceNamespace=NS)["ScheduledActions"] == []
    with pytest.raises(ClientError) as err:
        aas.delete_scheduled_action(ScheduledActionName="nightly", **key)
    assert_error(err.value, "ObjectNotFoundException")


# -- SageMaker side effects ----------------------------------------------------------------


def test_delete_endpoint_deregisters_its_variants_silently(sm: Any, aas: Any) -> None:
    _classic(sm)
    _register(aas, VARIANT, INSTANCES, MinCapacity=1, MaxCapacity=3)
    _policy(aas, "step", VARIANT, PolicyType="StepScaling", StepScalingPolicyConfiguration=STEP)
    sm.delete_endpoint(EndpointName="classic")
    assert _targets(aas) == []
    assert aas.describe_scaling_policies(ServiceNamespace=NS)["ScalingPolicies"] == []


def test_delete_endpoint_matches_the_endpoint_name_case_insensitively(sm: Any, aas: Any) -> None:
    _classic(sm)
    _register(aas, "endpoint/Classic/variant/AllTraffic", INSTANCES, MinCapacity=1, MaxCapacity=3)
    sm.delete_endpoint(EndpointName="CLASSIC")
    assert _targets(aas) == []


def test_provisioned_concurrency_of_a_serverless_variant(emulator: Any, sm: Any, aas: Any) -> None:
    create_model(sm, "classic-model")
    serverless = {"MemorySizeInMB": 2048, "MaxConcurrency": 10, "ProvisionedConcurrency": 5}
    sm.create_endpoint_config(
        EndpointConfigName="serverless",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": "classic-model",
                "ServerlessConfig": serverless,
            }
        ],
    )
    sm.create_endpoint(EndpointName="classic", EndpointConfigName="serverless")
    with pytest.raises(ClientError) as err:
        _register(aas, VARIANT, INSTANCES, MinCapacity=1, MaxCapacity=3)
    assert_error(err.value, "ValidationException", "Unsupported service namespace")

    _register(aas, VARIANT, CONCURRENCY, MinCapacity=1, MaxCapacity=3)
    [variant] = sm.describe_endpoint(EndpointName="classic")["ProductionVariants"]
    assert variant["CurrentServerlessConfig"]["ProvisionedConcurrency"] == 3
    assert variant["DesiredServerlessConfig"]["ProvisionedConcurrency"] == 3
    emulator.control.scale(VARIANT, CONCURRENCY, 1)
    [variant] = sm.describe_endpoint(EndpointName="classic")["ProductionVariants"]
    assert variant["CurrentServerlessConfig"]["ProvisionedConcurrency"] == 1


def test_delete_inference_component_deregisters_its_target(sm: Any, aas: Any) -> None:
    # UNVERIFIED on AWS; the emulator mirrors DeleteEndpoint.
    _ic(sm)
    _register(aas, MinCapacity=1, MaxCapacity=3)
    sm.delete_inference_component(InferenceComponentName="llama-chat")
    assert _targets(aas) == []


def _config(
    sm: Any, name: str, model: str, instance_type: str = "ml.m5.xlarge", **variant: Any
) -> None:
    sm.create_endpoint_config(
        EndpointConfigName=name,
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": model,
                "InstanceType": instance_type,
                "InitialInstanceCount": 1,
                **variant,
            }
        ],
    )


def test_update_endpoint_of_an_autoscaled_variant(sm: Any, aas: Any) -> None:
    _classic(sm)
    _register(aas, VARIANT, INSTANCES, MinCapacity=2, MaxCapacity=4)
    create_model(sm, "classic-model-v2")
    _config(sm, "bigger", "classic-model", "ml.m5.2xlarge")
    sm.create_endpoint_config(
        EndpointConfigName="renamed",
        ProductionVariants=[
            {
                "VariantName": "Blue",
                "ModelName": "classic-model",
                "InstanceType": "ml.m5.xlarge",
                "InitialInstanceCount": 1,
            }
        ],
    )
    for config, message in (
        (
            "bigger",
            "changes the instance type of variant AllTraffic from ml.m5.xlarge to ml.m5.2xlarge",
        ),
        ("renamed", "the update removes variant AllTraffic"),
    ):
        with pytest.raises(ClientError) as err:
            sm.update_endpoint(EndpointName="classic", EndpointConfigName=config)
        assert_error(err.value, "ValidationException", 'Cannot update endpoint "', contains=message)
    assert sm.describe_endpoint(EndpointName="classic")["EndpointConfigName"] == "classic-config"

    # A model-only change is allowed; the scaled instance count stays with Retain.
    _config(sm, "new-model", "classic-model-v2")
    sm.update_endpoint(
        EndpointName="classic", EndpointConfigName="new-model", RetainAllVariantProperties=True
    )
    assert sm.describe_endpoint(EndpointName="classic")["EndpointConfigName"] == "new-model"
    assert _instances(sm) == (2, 2)

    # Deregistered, the instance type may change.
    aas.deregister_scalable_target(
        ServiceNamespace=NS, ResourceId=VARIANT, ScalableDimension=INSTANCES
    )
    sm.update_endpoint(EndpointName="classic", EndpointConfigName="bigger")
    assert sm.describe_endpoint(EndpointName="classic")["EndpointConfigName"] == "bigger"


def test_retain_all_variant_properties_unless_excluded(sm: Any) -> None:
    _classic(sm)
    sm.update_endpoint_weights_and_capacities(
        EndpointName="classic",
        DesiredWeightsAndCapacities=[
            {"VariantName": "AllTraffic", "DesiredInstanceCount": 3, "DesiredWeight": 0.5}
        ],
    )
    _config(sm, "v2", "classic-model", InitialVariantWeight=2.0)
    sm.update_endpoint(
        EndpointName="classic", EndpointConfigName="v2", RetainAllVariantProperties=True
    )
    [variant] = sm.describe_endpoint(EndpointName="classic")["ProductionVariants"]
    assert (variant["DesiredInstanceCount"], variant["DesiredWeight"]) == (3, 0.5)

    _config(sm, "v3", "classic-model", InitialVariantWeight=2.0)
    sm.update_endpoint(
        EndpointName="classic",
        EndpointConfigName="v3",
        RetainAllVariantProperties=True,
        ExcludeRetainedVariantProperties=[{"VariantPropertyType": "DesiredInstanceCount"}],
    )
    [variant] = sm.describe_endpoint(EndpointName="classic")["ProductionVariants"]
    assert (variant["CurrentInstanceCount"], variant["DesiredInstanceCount"]) == (1, 1)
    assert (variant["CurrentWeight"], variant["DesiredWeight"]) == (0.5, 0.5)

    sm.update_endpoint(
        EndpointName="classic",
        EndpointConfigName="v2",
        RetainAllVariantProperties=True,
        ExcludeRetainedVariantProperties=[{"VariantPropertyType": "DesiredWeight"}],
    )
    [variant] = sm.describe_endpoint(EndpointName="classic")["ProductionVariants"]
    assert (variant["DesiredInstanceCount"], variant["DesiredWeight"]) == (1, 2.0)


# -- the scale control and reset -----------------------------------------------------------


def test_scale_control_moves_the_copy_count_within_the_range(
    emulator: Any, sm: Any, aas: Any
) -> None:
    _ic(sm)
    _register(aas, MinCapacity=1, MaxCapacity=5)
    emulator.control.scale(IC, COPIES, 5)
    assert _copies(sm) == {"DesiredCopyCount": 5, "CurrentCopyCount": 5}
    emulator.control.scale(IC, COPIES, 1)
    assert _copies(sm) == {"DesiredCopyCount": 1, "CurrentCopyCount": 1}

    for args, message in (
        ((IC, COPIES, 6), "outside the target's range [1, 5]"),
        ((IC, COPIES, 0), "outside the target's range [1, 5]"),
        ((VARIANT, INSTANCES, 2), "no scalable target"),
    ):
        with pytest.raises(ControlError, match=re.escape(message)):
            emulator.control.scale(*args)
    assert _copies(sm) == {"DesiredCopyCount": 1, "CurrentCopyCount": 1}


def test_scale_control_moves_a_variant_instance_count(emulator: Any, sm: Any, aas: Any) -> None:
    _classic(sm)
    _register(aas, VARIANT, INSTANCES, MinCapacity=1, MaxCapacity=4)
    emulator.control.scale(VARIANT, INSTANCES, 4)
    assert _instances(sm) == (4, 4)


def test_reset_clears_autoscaling(emulator: Any, sm: Any, aas: Any, cw: Any) -> None:
    _ic(sm)
    _register(aas, MinCapacity=1, MaxCapacity=5)
    _policy(aas)
    emulator.control.reset()
    assert _targets(aas) == []
    assert aas.describe_scaling_policies(ServiceNamespace=NS)["ScalingPolicies"] == []
    assert _alarm_names(cw) == set()


def test_other_namespaces_go_to_moto(aas: Any) -> None:
    aas.register_scalable_target(
        ServiceNamespace="dynamodb",
        ResourceId="table/orders",
        ScalableDimension="dynamodb:table:ReadCapacityUnits",
        MinCapacity=1,
        MaxCapacity=5,
    )
    [target] = aas.describe_scalable_targets(ServiceNamespace="dynamodb")["ScalableTargets"]
    assert target["ResourceId"] == "table/orders"
    assert _targets(aas) == []


def test_describe_calls_refuse_pages_above_their_documented_maximum(emulator: Any) -> None:
    aas = emulator.client("application-autoscaling")
    for operation, maximum in (
        ("describe_scaling_policies", 10),
        ("describe_scalable_targets", 50),
        ("describe_scheduled_actions", 50),
    ):
        getattr(aas, operation)(ServiceNamespace="sagemaker", MaxResults=maximum)
        with pytest.raises(ClientError) as caught:
            getattr(aas, operation)(ServiceNamespace="sagemaker", MaxResults=maximum + 1)
        assert caught.value.response["Error"]["Code"] == "ValidationException"
