"""The scale-to-zero example (``manifests/scale-to-zero/``, after the SageMaker developer
guide "Scale an endpoint to zero instances"), applied with the rest of ``manifests/`` as the
quickstart does: it settles (the alarm fires the step policy by the ARN AWS made, the next
plan is empty), and the scaler taking the copies to 0 and bringing one back is never fought.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.support.autoscaling import COPY_COUNT, client
from tests.support.controller import copies
from tests.support.env import Env, copy_examples, serving

PHI = "inference-component/phi-chat"


@pytest.fixture
def everything(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[Env]:
    """Every example under manifests/, the scale-to-zero one included."""
    directory = copy_examples(tmp_path / "manifests", with_scale_to_zero=True)
    with serving() as served:
        yield Env(served.url, served.control, directory, capsys)


def _alarm(env: Env, name: str) -> dict[str, Any]:
    cloudwatch = boto3.client("cloudwatch", endpoint_url=env.url, region_name="us-east-1")
    (alarm,) = cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"]
    found: dict[str, Any] = alarm
    return found


def test_the_scale_to_zero_example_applies_settles_and_lets_the_scaler_go_to_zero(
    everything: Env,
) -> None:
    env = everything
    run = env.apply()
    assert run.code == 0, run.out + run.err
    assert "Apply: 18 created." in run.out + run.err

    # The variant may lose its last instance (managed instance scaling down to 0).
    sm = env.sagemaker()
    running = sm.describe_endpoint(EndpointName="scale-to-zero")["EndpointConfigName"]
    config = sm.describe_endpoint_config(EndpointConfigName=running)
    (variant,) = config["ProductionVariants"]
    assert variant["ManagedInstanceScaling"] == {
        "Status": "ENABLED",
        "MinInstanceCount": 0,
        "MaxInstanceCount": 2,
    }
    assert "ModelName" not in variant

    # The IC's copies are scaled between 0 and 2, by target tracking and by a step policy.
    aas = client(env)
    (target,) = aas.describe_scalable_targets(ServiceNamespace="sagemaker", ResourceIds=[PHI])[
        "ScalableTargets"
    ]
    assert (target["ScalableDimension"], target["MinCapacity"], target["MaxCapacity"]) == (
        COPY_COUNT,
        0,
        2,
    )
    policies = {
        p["PolicyName"]: p
        for p in aas.describe_scaling_policies(ServiceNamespace="sagemaker", ResourceId=PHI)[
            "ScalingPolicies"
        ]
    }
    assert {n: p["PolicyType"] for n, p in policies.items()} == {
        "phi-chat-invocations": "TargetTrackingScaling",
        "phi-chat-scale-out": "StepScaling",
    }

    # Scale out from zero: the alarm on NoCapacityInvocationFailures fires the step policy,
    # by the PolicyARN Application Auto Scaling made.
    alarm = _alarm(env, "phi-chat-no-capacity")
    assert alarm["AlarmActions"] == [policies["phi-chat-scale-out"]["PolicyARN"]]
    assert alarm["MetricName"] == "NoCapacityInvocationFailures"
    assert alarm["Dimensions"] == [{"Name": "InferenceComponentName", "Value": "phi-chat"}]

    # Settled: nothing to plan, nothing written.
    assert not env.plan_json()["changes"]
    code, writes, output = env.writes_during()
    assert code == 0 and writes == {}, output

    # The scaler takes the copies to 0 (no traffic), then brings one back (the alarm fired
    # the step policy): each time the plan is empty and apply writes nothing.
    for count in (0, 1):
        env.control.scale(PHI, COPY_COUNT, count)
        assert copies(env, "phi-chat") == count
        assert not env.plan_json()["changes"], count
        code, writes, output = env.writes_during()
        assert code == 0 and writes == {}, output
        assert copies(env, "phi-chat") == count
    assert _alarm(env, "phi-chat-no-capacity")["AlarmActions"] == [
        policies["phi-chat-scale-out"]["PolicyARN"]
    ]
