"""Export writes what a person would write: Describe answers carry fields SageMaker filled
in (the answers below have them, as AWS documents), and export leaves out exactly those
whose value is the server's default; a declared non-default stays. Pure: no emulator."""

from __future__ import annotations

import datetime as dt
from typing import Any

from reconciler.exporting import drop_defaults, to_manifest
from reconciler.kinds import KINDS
from reconciler.resources import Kind

ROLE = "arn:aws:iam::123456789012:role/SageMakerExecution"
IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/tgi:2.4.0"
WHEN = dt.datetime(2026, 11, 27, tzinfo=dt.UTC)
URL = "s3://bucket/xgb/model.tar.gz"


def spec_of(kind: Kind, description: dict[str, Any], tags: dict[str, str] | None = None) -> Any:
    return to_manifest(kind, "it", description, tags or {}, {}).document["spec"]


def derived_source(url: str) -> dict[str, Any]:
    return {"S3DataSource": {"S3Uri": url, "S3DataType": "S3Object", "CompressionType": "Gzip"}}


def test_a_model_loses_what_describe_model_filled_in() -> None:
    description = {
        "ModelName": "it",
        "ModelArn": "arn:aws:sagemaker:us-east-1:123456789012:model/it",
        "CreationTime": WHEN,
        "ExecutionRoleArn": ROLE,
        "EnableNetworkIsolation": False,
        "PrimaryContainer": {
            "Image": IMAGE,
            "Mode": "SingleModel",
            "ModelDataUrl": URL,
            "ModelDataSource": derived_source(URL),
            "Environment": {},
        },
    }
    assert spec_of(Kind.MODEL, description) == {
        "ExecutionRoleArn": ROLE,
        "PrimaryContainer": {"Image": IMAGE, "ModelDataUrl": URL},
    }


def test_a_multi_container_model_loses_the_default_serial_mode() -> None:
    container = {"Image": IMAGE, "Mode": "SingleModel", "Environment": {}}
    description = {
        "ModelName": "it",
        "ExecutionRoleArn": ROLE,
        "EnableNetworkIsolation": False,
        "Containers": [
            dict(container, ContainerHostname="a"),
            dict(container, ContainerHostname="b"),
        ],
        "InferenceExecutionConfig": {"Mode": "Serial"},
    }
    assert spec_of(Kind.MODEL, description) == {
        "ExecutionRoleArn": ROLE,
        "Containers": [
            {"Image": IMAGE, "ContainerHostname": "a"},
            {"Image": IMAGE, "ContainerHostname": "b"},
        ],
    }


def test_a_model_keeps_what_its_creator_chose() -> None:
    own_source = {
        "S3DataSource": {
            "S3Uri": "s3://bucket/llm/",
            "S3DataType": "S3Prefix",
            "CompressionType": "None",
        }
    }
    description = {
        "ModelName": "it",
        "ExecutionRoleArn": ROLE,
        "EnableNetworkIsolation": True,
        "Containers": [
            {"Image": IMAGE, "Mode": "MultiModel", "ModelDataUrl": "s3://bucket/models/"},
            {"Image": IMAGE, "ModelDataSource": own_source, "Environment": {"A": "1"}},
            # Derived from another URL than its own: not what SageMaker would fill in.
            {
                "Image": IMAGE,
                "ModelDataUrl": URL,
                "ModelDataSource": derived_source("s3://other/m.tar.gz"),
            },
        ],
        "InferenceExecutionConfig": {"Mode": "Direct"},
    }
    spec = spec_of(Kind.MODEL, description)
    assert spec["EnableNetworkIsolation"] is True
    assert spec["InferenceExecutionConfig"] == {"Mode": "Direct"}
    assert spec["Containers"][0] == {
        "Image": IMAGE,
        "Mode": "MultiModel",
        "ModelDataUrl": "s3://bucket/models/",
    }
    assert spec["Containers"][1] == {
        "Image": IMAGE,
        "ModelDataSource": own_source,
        "Environment": {"A": "1"},
    }
    assert spec["Containers"][2]["ModelDataSource"] == derived_source("s3://other/m.tar.gz")


def test_an_endpoint_config_loses_weights_isolation_and_serverless_volume() -> None:
    description = {
        "EndpointConfigName": "it",
        "EndpointConfigArn": "arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/it",
        "CreationTime": WHEN,
        "EnableNetworkIsolation": False,
        "MetricsConfig": {"EnableEnhancedMetrics": False, "MetricPublishFrequencyInSeconds": 60},
        "ProductionVariants": [
            {
                "VariantName": "serverless",
                "ModelName": "m",
                "InitialVariantWeight": 1.0,
                "ServerlessConfig": {"MemorySizeInMB": 1024, "MaxConcurrency": 5},
                "VolumeSizeInGB": 5,
            },
            {
                "VariantName": "instances",
                "ModelName": "m",
                "InitialVariantWeight": 0.5,
                "InstanceType": "ml.m5.xlarge",
                "InitialInstanceCount": 1,
                "VolumeSizeInGB": 30,
            },
        ],
    }
    assert spec_of(Kind.ENDPOINT_CONFIG, description) == {
        "ProductionVariants": [
            {
                "VariantName": "serverless",
                "ModelName": "m",
                "ServerlessConfig": {"MemorySizeInMB": 1024, "MaxConcurrency": 5},
            },
            {
                "VariantName": "instances",
                "ModelName": "m",
                "InitialVariantWeight": 0.5,
                "InstanceType": "ml.m5.xlarge",
                "InitialInstanceCount": 1,
                "VolumeSizeInGB": 30,
            },
        ]
    }


def test_an_endpoint_config_keeps_chosen_metrics_and_isolation() -> None:
    description = {
        "EndpointConfigName": "it",
        "EnableNetworkIsolation": True,
        "MetricsConfig": {"EnableEnhancedMetrics": True, "MetricPublishFrequencyInSeconds": 60},
        "ProductionVariants": [{"VariantName": "a", "ModelName": "m", "InitialVariantWeight": 1.0}],
    }
    assert spec_of(Kind.ENDPOINT_CONFIG, description) == {
        "EnableNetworkIsolation": True,
        "MetricsConfig": {"EnableEnhancedMetrics": True},
        "ProductionVariants": [{"VariantName": "a", "ModelName": "m"}],
    }


def ic_description(specification: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "InferenceComponentName": "it",
        "InferenceComponentArn": "arn:aws:sagemaker:us-east-1:123456789012:inference-component/it",
        "EndpointName": "shared",
        "EndpointArn": "arn:aws:sagemaker:us-east-1:123456789012:endpoint/shared",
        "VariantName": "AllTraffic",
        "Specification": specification,
        "CreationTime": WHEN,
        "LastModifiedTime": WHEN,
        "InferenceComponentStatus": "InService",
        **extra,
    }


COMPUTE = {"NumberOfAcceleratorDevicesRequired": 1, "MinMemoryRequiredInMb": 8192}


def test_an_inference_component_loses_cache_default_and_empty_startup() -> None:
    description = ic_description(
        {
            "ModelName": "llm",
            "ComputeResourceRequirements": COMPUTE,
            "StartupParameters": {},
            "DataCacheConfig": {"EnableCaching": True},
        },
        RuntimeConfig={"DesiredCopyCount": 2, "CurrentCopyCount": 2},
    )
    assert spec_of(Kind.INFERENCE_COMPONENT, description) == {
        "EndpointName": "shared",
        "VariantName": "AllTraffic",
        "Specification": {"ModelName": "llm", "ComputeResourceRequirements": COMPUTE},
        "RuntimeConfig": {"CopyCount": 2},
    }


def test_an_inference_component_keeps_caching_off_and_startup_timeouts() -> None:
    description = ic_description(
        {
            "ModelName": "llm",
            "ComputeResourceRequirements": COMPUTE,
            "StartupParameters": {"ModelDataDownloadTimeoutInSeconds": 1200},
            "DataCacheConfig": {"EnableCaching": False},
        },
        RuntimeConfig={"DesiredCopyCount": 1, "CurrentCopyCount": 1},
    )
    specification = spec_of(Kind.INFERENCE_COMPONENT, description)["Specification"]
    assert specification["StartupParameters"] == {"ModelDataDownloadTimeoutInSeconds": 1200}
    assert specification["DataCacheConfig"] == {"EnableCaching": False}
    assert specification["ComputeResourceRequirements"] == COMPUTE


def test_an_adapter_loses_what_it_inherits_from_its_base() -> None:
    description = ic_description(
        {
            "BaseInferenceComponentName": "llm-base",
            "Container": {"ArtifactUrl": "s3://bucket/adapters/sql/"},
            "ComputeResourceRequirements": COMPUTE,
        }
    )
    assert spec_of(Kind.INFERENCE_COMPONENT, description) == {
        "EndpointName": "shared",
        "Specification": {
            "BaseInferenceComponentName": "llm-base",
            "Container": {"ArtifactUrl": "s3://bucket/adapters/sql/"},
        },
    }


def test_a_cluster_loses_automatic_node_recovery_only() -> None:
    group = {
        "InstanceGroupName": "workers",
        "InstanceType": "ml.p5.48xlarge",
        "TargetCount": 2,
        "CurrentCount": 2,
        "ExecutionRole": ROLE,
        "LifeCycleConfig": {"SourceS3Uri": "s3://bucket/lifecycle/", "OnCreate": "on_create.sh"},
        "ThreadsPerCore": 2,
        "Status": "InService",
    }
    description = {
        "ClusterName": "it",
        "ClusterArn": "arn:aws:sagemaker:us-east-1:123456789012:cluster/abcdefghijkl",
        "ClusterStatus": "InService",
        "CreationTime": WHEN,
        "InstanceGroups": [group],
        "NodeRecovery": "Automatic",
    }
    spec = spec_of(Kind.CLUSTER, description)
    assert "NodeRecovery" not in spec
    # Left in: whether 2 is this instance type's default cannot be told here.
    assert spec["InstanceGroups"][0]["ThreadsPerCore"] == 2
    assert spec_of(Kind.CLUSTER, dict(description, NodeRecovery="None"))["NodeRecovery"] == "None"


def test_tags_that_aws_or_the_sdk_own_are_not_exported() -> None:
    description = {"EndpointName": "it", "EndpointConfigName": "config"}
    tags = {
        "team": "growth",
        "aws:cloudformation:stack-name": "hosting",
        "sagemaker.amazonaws.com/model-source": "hf/meta-llama",
        "sagemaker-sdk:jumpstart-model-id": "meta-textgeneration-llama-3-8b",
        "sagemaker-sdk:jumpstart-model-version": "2.0.0",
        "aws-jumpstart-inference-model-uri": "s3://jumpstart/model.tar.gz",
        "sagemaker:project-id": "p-123",
        "sagemaker-reconciler/owner": "default",
    }
    document = to_manifest(Kind.ENDPOINT, "it", description, tags, {}).document
    assert document["metadata"]["tags"] == {"team": "growth"}


def test_every_kind_declares_its_server_defaults_on_paths_of_its_create_request() -> None:
    from reconciler.apimodel import input_shape

    for kind, info in KINDS.items():
        shape = input_shape(info.create_operation, info.service)
        for path in info.server_defaults:
            current: Any = shape
            for part in path.replace("[*]", "").split("."):
                while getattr(current, "type_name", "") == "list":
                    current = current.member
                assert part in current.members, f"{kind}: {path}"
                current = current.members[part]


def test_drop_defaults_is_exact() -> None:
    defaults: dict[str, object] = {"A.B": 1, "L[*].C": {}}
    assert drop_defaults({"A": {"B": 1}, "L": [{"C": {}, "D": 2}], "E": {}}, defaults) == {
        "L": [{"D": 2}],
        "E": {},
    }
    assert drop_defaults({"A": {"B": 2}}, defaults) == {"A": {"B": 2}}


POLICY = "sagemaker/inference-component/chat/sagemaker:inference-component:DesiredCopyCount/out"
POLICY_ARN = (
    "arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:0b9c1d2e:"
    "resource/sagemaker/inference-component/chat:policyName/out"
)
TOPIC = "arn:aws:sns:us-east-1:123456789012:on-call"
OTHER_POLICY_ARN = POLICY_ARN.replace("policyName/out", "policyName/not-exported")


def test_an_alarm_action_on_an_exported_policy_names_the_policy_as_a_manifest_does() -> None:
    description = {
        "AlarmName": "chat-no-capacity",
        "AlarmArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:chat-no-capacity",
        "AlarmActions": [POLICY_ARN, TOPIC],
        "OKActions": [OTHER_POLICY_ARN],
        "MetricName": "NoCapacityInvocationFailures",
        "Threshold": 1.0,
    }
    logical = {(Kind.SCALING_POLICY, POLICY): "out", (Kind.ALARM, "chat-no-capacity"): "x"}
    by_arn = {(Kind.SCALING_POLICY, POLICY_ARN.lower()): POLICY}
    spec = to_manifest(Kind.ALARM, "chat-no-capacity", description, {}, logical, by_arn).document[
        "spec"
    ]
    # The exported policy by its manifest name (apply reads its ARN again); the topic and a
    # policy left out of the export stay the ARNs they are.
    assert spec["AlarmActions"] == ["ScalingPolicy/out", TOPIC]
    assert spec["OKActions"] == [OTHER_POLICY_ARN]
    # Without the exported policies' ARNs, nothing is rewritten.
    alone = to_manifest(Kind.ALARM, "chat-no-capacity", description, {}, logical).document["spec"]
    assert alone["AlarmActions"] == description["AlarmActions"]
