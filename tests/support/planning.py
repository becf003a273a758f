"""The pure planner tests' world: `Manifest` builders (a small fleet of an IC-hosting
endpoint with one IC beside a classic endpoint), the account right after a successful
apply of them as SageMaker's Describe answers it, and a plan's changes as a table."""

from __future__ import annotations

import copy
import hashlib
from typing import Any

from reconciler.kinds.base import put_value
from reconciler.observe import LiveResource, LiveState
from reconciler.planning.changes import Action, Plan
from reconciler.planning.desired import resolve
from reconciler.resources import Annotations, Kind, Location, Manifest

ROLE = "arn:aws:iam::123456789012:role/SageMakerExecution"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/tgi:2.4"
ARN = "arn:aws:sagemaker:us-east-1:123456789012"
ARN_TYPE = {
    Kind.MODEL: "model",
    Kind.ENDPOINT_CONFIG: "endpoint-config",
    Kind.ENDPOINT: "endpoint",
    Kind.INFERENCE_COMPONENT: "inference-component",
    Kind.SCALABLE_TARGET: "scalable-target",
    Kind.SCALING_POLICY: "scaling-policy",
    Kind.SCHEDULED_ACTION: "scheduled-action",
    Kind.ALARM: "alarm",
}
SLR = (
    "arn:aws:iam::123456789012:role/aws-service-role/sagemaker.application-autoscaling."
    "amazonaws.com/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint"
)


def manifest(kind: Kind, name: str, spec: dict[str, Any], **annotations: Any) -> Manifest:
    return Manifest(
        kind,
        name,
        spec,
        Location(f"{name}.yaml", 1),
        tags={"team": "ml"},
        annotations=Annotations(**annotations),
    )


def fleet(copies: int = 1, image: str = IMAGE, **ic_annotations: Any) -> list[Manifest]:
    """An IC-hosting endpoint with one IC, plus a classic endpoint."""
    return [
        manifest(
            Kind.MODEL, "llama", {"ExecutionRoleArn": ROLE, "PrimaryContainer": {"Image": image}}
        ),
        manifest(
            Kind.ENDPOINT_CONFIG,
            "shared",
            {
                "ExecutionRoleArn": ROLE,
                "ProductionVariants": [
                    {
                        "VariantName": "AllTraffic",
                        "InstanceType": "ml.g5.12xlarge",
                        "InitialInstanceCount": 1,
                    }
                ],
            },
        ),
        manifest(Kind.ENDPOINT, "shared", {"EndpointConfigName": "shared"}),
        manifest(
            Kind.INFERENCE_COMPONENT,
            "chat",
            {
                "EndpointName": "shared",
                "VariantName": "AllTraffic",
                "Specification": {
                    "ModelName": "llama",
                    "ComputeResourceRequirements": {
                        "MinMemoryRequiredInMb": 1024,
                        "NumberOfAcceleratorDevicesRequired": 1,
                    },
                },
                "RuntimeConfig": {"CopyCount": copies},
            },
            **ic_annotations,
        ),
        manifest(
            Kind.MODEL, "churn", {"ExecutionRoleArn": ROLE, "PrimaryContainer": {"Image": IMAGE}}
        ),
        manifest(
            Kind.ENDPOINT_CONFIG,
            "churn",
            {
                "ProductionVariants": [
                    {
                        "VariantName": "AllTraffic",
                        "ModelName": "churn",
                        "InstanceType": "ml.m5.xlarge",
                        "InitialInstanceCount": 1,
                    }
                ],
            },
        ),
        manifest(Kind.ENDPOINT, "churn", {"EndpointConfigName": "churn"}),
    ]


def describe_as_aws(kind: Kind, name: str, spec: dict[str, Any]) -> dict[str, Any]:
    """What SageMaker's Describe answers for a resource created from `spec`."""
    if kind is Kind.INFERENCE_COMPONENT:
        answer = copy.deepcopy(spec)
        answer.pop("DeploymentConfig", None)
        copies = answer.pop("RuntimeConfig")["CopyCount"]
        answer["RuntimeConfig"] = {"DesiredCopyCount": copies, "CurrentCopyCount": copies}
        container = answer["Specification"].get("Container")
        if container and "Image" in container:
            container["DeployedImage"] = {
                "SpecifiedImage": container.pop("Image"),
                "ResolvedImage": "x@sha256:1",
            }
        return {**answer, "InferenceComponentName": name, "InferenceComponentStatus": "InService"}
    if kind is Kind.SCALABLE_TARGET:
        # What DescribeScalableTargets answers: the service-linked role and SuspendedState
        # nobody sent (Application Auto Scaling API reference).
        return {
            **copy.deepcopy(spec),
            "RoleARN": SLR,
            "SuspendedState": {
                "DynamicScalingInSuspended": False,
                "DynamicScalingOutSuspended": False,
                "ScheduledScalingSuspended": False,
            },
            "ScalableTargetARN": f"arn:aws:application-autoscaling:us-east-1:123456789012:"
            f"scalable-target/{hashlib.sha256(name.encode()).hexdigest()[:36]}",
            "CreationTime": "2026-12-01T00:00:00Z",
        }
    if kind is Kind.SCALING_POLICY:
        return {
            **copy.deepcopy(spec),
            "PolicyName": name.rsplit("/", 1)[1],
            "PolicyARN": f"arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:1:"
            f"resource/{name}",
            "Alarms": [],
            "CreationTime": "2026-12-01T00:00:00Z",
        }
    if kind is Kind.SCHEDULED_ACTION:
        return {
            **copy.deepcopy(spec),
            "ScheduledActionName": name.rsplit("/", 1)[1],
            "ScheduledActionARN": f"arn:aws:autoscaling:us-east-1:123456789012:"
            f"scheduledAction:1:resource/{name}",
            "CreationTime": "2026-12-01T00:00:00Z",
        }
    if kind is Kind.ALARM:
        # What DescribeAlarms answers besides the request: the ARN, the state and its
        # timestamps, ActionsEnabled and empty lists nobody sent (CloudWatch MetricAlarm).
        return {
            "ActionsEnabled": True,
            "OKActions": [],
            "AlarmActions": [],
            "InsufficientDataActions": [],
            "Dimensions": [],
            **copy.deepcopy(spec),
            "AlarmName": name,
            "AlarmArn": f"arn:aws:cloudwatch:us-east-1:123456789012:alarm:{name}",
            "StateValue": "INSUFFICIENT_DATA",
            "StateReason": "Unchecked: Initial alarm creation",
            "StateUpdatedTimestamp": "2026-12-01T00:00:00Z",
            "AlarmConfigurationUpdatedTimestamp": "2026-12-01T00:00:00Z",
        }
    if kind is Kind.ENDPOINT:
        return {
            "EndpointName": name,
            "EndpointConfigName": spec["EndpointConfigName"],
            "EndpointStatus": "InService",
        }
    return copy.deepcopy(spec)


def converged(manifests: list[Manifest], owner: str = "default") -> LiveState:
    """The account right after a successful apply of `manifests`."""
    desired, problems = resolve(manifests, owner)
    assert not problems
    state = LiveState()
    for item in desired.values():
        status_key = {
            Kind.ENDPOINT: "EndpointStatus",
            Kind.INFERENCE_COMPONENT: "InferenceComponentStatus",
        }
        summary = {status_key[item.kind]: "InService"} if item.kind in status_key else {}
        if item.kind is Kind.INFERENCE_COMPONENT:
            summary["EndpointName"] = item.spec["EndpointName"]
        if item.kind in (Kind.SCALABLE_TARGET, Kind.SCALING_POLICY, Kind.SCHEDULED_ACTION):
            summary = describe_as_aws(item.kind, item.physical_name, item.spec)
        spec = copy.deepcopy(item.spec)
        # A field that names a resource by its ARN holds the ARN once applied.
        for reference in item.info.references:
            if reference.arn_at_apply:
                for path, name in reference.find_in(item.spec):
                    named = state.get(reference.kind, name)
                    assert named is not None
                    put_value(spec, path, named.arn)
        described = describe_as_aws(item.kind, item.physical_name, spec)
        if item.kind is Kind.ALARM:
            summary = described
        state.add(
            LiveResource(
                item.kind,
                item.physical_name,
                f"{ARN}:{ARN_TYPE[item.kind]}/{item.physical_name}",
                summary,
                dict(item.tags),
                described,
            )
        )
    return state


def changes_of(result: Plan) -> dict[str, tuple[str, list[str]]]:
    return {
        c.address: (str(c.action), c.operations)
        for c in result.changes
        if c.action is not Action.NOOP
    }
