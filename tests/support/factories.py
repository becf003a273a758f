"""Requests for typical resources, as the SageMaker Python SDK and our reconciler send them
(the emulator suite's, and the resources other suites make by hand, outside the reconciler)."""

from __future__ import annotations

from typing import Any

ROLE_ARN = "arn:aws:iam::123456789012:role/SageMakerExecution"
ARN_PREFIX = "arn:aws:sagemaker:us-east-1:123456789012"  # + ":model/NAME", ...
IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.4.0-tgi2.4.0-gpu-py311-cu124-ubuntu22.04"


def create_model(sm: Any, name: str = "llama-model", **extra: Any) -> dict[str, Any]:
    request = {
        "ModelName": name,
        "PrimaryContainer": {"Image": IMAGE, "ModelDataUrl": f"s3://models/{name}/model.tar.gz"},
        "ExecutionRoleArn": ROLE_ARN,
        **extra,
    }
    return dict(sm.create_model(**request))


def create_model_config(
    sm: Any, name: str = "classic-config", model: str = "llama-model", **extra: Any
) -> dict[str, Any]:
    """A classic endpoint config: one variant serving `model`."""
    request = {
        "EndpointConfigName": name,
        "ProductionVariants": [
            {
                "VariantName": "AllTraffic",
                "ModelName": model,
                "InstanceType": "ml.m5.xlarge",
                "InitialInstanceCount": 1,
            }
        ],
        **extra,
    }
    return dict(sm.create_endpoint_config(**request))


def hand_made_endpoint(
    sm: Any, endpoint: str, config: str = "hand-config", model: str = "hand-model"
) -> None:
    """A classic endpoint made by hand, outside the reconciler: its model, a config serving
    it, the endpoint (no tags: nobody's)."""
    create_model(sm, model)
    create_model_config(sm, config, model)
    sm.create_endpoint(EndpointName=endpoint, EndpointConfigName=config)


def create_ic_config(
    sm: Any, name: str = "shared-gpu-config", *, instance_count: int = 1, **extra: Any
) -> dict[str, Any]:
    """An endpoint config for inference components: role set, variant without ModelName."""
    request = {
        "EndpointConfigName": name,
        "ExecutionRoleArn": ROLE_ARN,
        "ProductionVariants": [
            {
                "VariantName": "AllTraffic",
                "InstanceType": "ml.g5.12xlarge",
                "InitialInstanceCount": instance_count,
                "RoutingConfig": {"RoutingStrategy": "LEAST_OUTSTANDING_REQUESTS"},
            }
        ],
        **extra,
    }
    return dict(sm.create_endpoint_config(**request))


def ic_request(
    name: str = "llama-chat",
    endpoint: str = "shared-gpu",
    model: str = "llama-model",
    copies: int = 1,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "InferenceComponentName": name,
        "EndpointName": endpoint,
        "VariantName": "AllTraffic",
        "Specification": {
            "ModelName": model,
            "ComputeResourceRequirements": {
                "MinMemoryRequiredInMb": 16384,
                "NumberOfAcceleratorDevicesRequired": 1,
            },
        },
        "RuntimeConfig": {"CopyCount": copies},
        **extra,
    }


def ic_endpoint(sm: Any, endpoint: str = "shared-gpu", model: str = "llama-model") -> None:
    """A model, an IC-hosting config and an endpoint on it (InService with immediate transitions)."""
    create_model(sm, model)
    create_ic_config(sm, f"{endpoint}-config")
    sm.create_endpoint(EndpointName=endpoint, EndpointConfigName=f"{endpoint}-config")


# -- HyperPod clusters -------------------------------------------------------------------

LIFECYCLE = {"SourceS3Uri": "s3://hyperpod-lifecycle/scripts/", "OnCreate": "on_create.sh"}


def instance_group(
    name: str = "workers", count: int = 2, instance_type: str = "ml.t3.medium", **extra: Any
) -> dict[str, Any]:
    """The complete spec of one instance group (UpdateCluster wants it whole, too)."""
    return {
        "InstanceGroupName": name,
        "InstanceCount": count,
        "InstanceType": instance_type,
        "LifeCycleConfig": dict(LIFECYCLE),
        "ExecutionRole": ROLE_ARN,
        **extra,
    }


def create_cluster(
    sm: Any,
    name: str = "training-cluster",
    groups: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    request = {
        "ClusterName": name,
        "InstanceGroups": groups if groups is not None else [instance_group()],
        **extra,
    }
    return dict(sm.create_cluster(**request))


# -- assertions ----------------------------------------------------------------------------


def assert_error(
    err: Any,
    code: str,
    message_start: str | None = None,
    *,
    contains: str | None = None,
    status: int | None = None,
) -> None:
    """Check a botocore ClientError: its code, how its message starts, what it contains and
    (optionally) the HTTP status of the answer."""
    error = err.response["Error"]
    assert error["Code"] == code, error
    message = error.get("Message", "")
    if message_start is not None:
        assert message.startswith(message_start), message
    if contains is not None:
        assert contains in message, message
    if status is not None:
        assert err.response["ResponseMetadata"]["HTTPStatusCode"] == status
