"""Autoscaling manifests for the end-to-end suites (a scalable target and a target
tracking policy on the example fleet's inference component or its classic variant), and
an Application Auto Scaling client on the test's emulator."""

from __future__ import annotations

from typing import Any

import boto3

from tests.support.env import Env

COPY_COUNT = "sagemaker:inference-component:DesiredCopyCount"
INSTANCE_COUNT = "sagemaker:variant:DesiredInstanceCount"
CHAT = "inference-component/llama-chat"
CHURN = "endpoint/churn/variant/AllTraffic"


def target(
    name: str, resource: str, dimension: str, minimum: int, maximum: int, tags: str = ""
) -> str:
    """A ScalableTarget document (`tags`: a flow mapping such as ``{team: ml-platform}``)."""
    tag_line = f"  tags: {tags}\n" if tags else ""
    return (
        "apiVersion: sagemaker-reconciler/v1\nkind: ScalableTarget\nmetadata:\n"
        f"  name: {name}\n{tag_line}spec:\n  ServiceNamespace: sagemaker\n"
        f"  ResourceId: {resource}\n  ScalableDimension: {dimension}\n"
        f"  MinCapacity: {minimum}\n  MaxCapacity: {maximum}\n"
    )


def target_tracking(name: str, resource: str, dimension: str, value: float, metric: str) -> str:
    """A target tracking ScalingPolicy document on a predefined metric."""
    return (
        "apiVersion: sagemaker-reconciler/v1\nkind: ScalingPolicy\nmetadata:\n"
        f"  name: {name}\nspec:\n  ServiceNamespace: sagemaker\n"
        f"  ResourceId: {resource}\n  ScalableDimension: {dimension}\n"
        "  PolicyType: TargetTrackingScaling\n"
        "  TargetTrackingScalingPolicyConfiguration:\n"
        f"    TargetValue: {value}\n    PredefinedMetricSpecification:\n"
        f"      PredefinedMetricType: {metric}\n"
    )


def client(env: Env) -> Any:
    return boto3.client("application-autoscaling", endpoint_url=env.url, region_name="us-east-1")
