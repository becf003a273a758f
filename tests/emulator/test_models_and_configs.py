"""Models and endpoint configurations: create, describe, delete, list, and the requests
SageMaker refuses."""

from __future__ import annotations

import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.support.factories import (
    ARN_PREFIX,
    IMAGE,
    ROLE_ARN,
    assert_error,
    create_ic_config,
    create_model,
    create_model_config,
)

# -- models --------------------------------------------------------------------------------


def test_create_describe_delete_model(sm: Any) -> None:
    arn = create_model(sm, "llama-model")["ModelArn"]
    assert arn == f"{ARN_PREFIX}:model/llama-model"

    described = sm.describe_model(ModelName="llama-model")
    assert described["ModelName"] == "llama-model"
    assert described["ModelArn"] == arn
    assert described["ExecutionRoleArn"] == ROLE_ARN
    # As sent, plus what SageMaker fills in (tested one by one below).
    assert described["PrimaryContainer"]["Image"] == IMAGE
    assert described["PrimaryContainer"]["ModelDataUrl"] == "s3://models/llama-model/model.tar.gz"
    assert "CreationTime" in described

    sm.delete_model(ModelName="llama-model")
    with pytest.raises(ClientError) as exc:
        sm.describe_model(ModelName="llama-model")
    assert_error(exc.value, "ValidationException", "Could not find model")


def test_model_arn_carries_the_lower_cased_name(sm: Any) -> None:
    arn = create_model(sm, "Llama-Model")["ModelArn"]
    assert arn == f"{ARN_PREFIX}:model/llama-model"
    assert sm.describe_model(ModelName="Llama-Model")["ModelName"] == "Llama-Model"


def test_creating_an_existing_model_is_refused(sm: Any) -> None:
    create_model(sm, "llama-model")
    with pytest.raises(ClientError) as exc:
        create_model(sm, "llama-model", ExecutionRoleArn=ROLE_ARN.replace("Execution", "Other"))
    assert_error(exc.value, "ValidationException", "Cannot create already existing model")
    # The first one is untouched (moto would have overwritten it).
    assert sm.describe_model(ModelName="llama-model")["ExecutionRoleArn"] == ROLE_ARN


@pytest.mark.parametrize("call", ["describe_model", "delete_model"])
def test_unknown_model_is_not_found(sm: Any, call: str) -> None:
    with pytest.raises(ClientError) as exc:
        getattr(sm, call)(ModelName="no-such-model")
    assert_error(exc.value, "ValidationException", "Could not find model", contains="no-such-model")


# -- models: what SageMaker fills in ---------------------------------------------------------


def test_describe_model_answers_network_isolation_false_when_not_given(sm: Any) -> None:
    create_model(sm, "llama-model")
    assert sm.describe_model(ModelName="llama-model")["EnableNetworkIsolation"] is False

    create_model(sm, "isolated-model", EnableNetworkIsolation=True)
    assert sm.describe_model(ModelName="isolated-model")["EnableNetworkIsolation"] is True


def test_describe_model_answers_single_model_mode_on_every_container(sm: Any) -> None:
    create_model(sm, "llama-model")
    assert sm.describe_model(ModelName="llama-model")["PrimaryContainer"]["Mode"] == "SingleModel"

    sm.create_model(
        ModelName="pipeline",
        ExecutionRoleArn=ROLE_ARN,
        Containers=[
            {"Image": IMAGE, "ContainerHostname": "pre"},
            {"Image": IMAGE, "ContainerHostname": "main", "Mode": "MultiModel"},
        ],
    )
    containers = sm.describe_model(ModelName="pipeline")["Containers"]
    assert [c["Mode"] for c in containers] == ["SingleModel", "MultiModel"]


def test_multi_container_model_is_described_as_a_serial_pipeline(sm: Any) -> None:
    containers = [
        {"Image": IMAGE, "ContainerHostname": "pre"},
        {"Image": IMAGE, "ContainerHostname": "main"},
    ]
    sm.create_model(ModelName="pipeline", ExecutionRoleArn=ROLE_ARN, Containers=containers)
    described = sm.describe_model(ModelName="pipeline")
    assert described["InferenceExecutionConfig"] == {"Mode": "Serial"}

    sm.create_model(
        ModelName="direct",
        ExecutionRoleArn=ROLE_ARN,
        Containers=containers,
        InferenceExecutionConfig={"Mode": "Direct"},
    )
    assert sm.describe_model(ModelName="direct")["InferenceExecutionConfig"] == {"Mode": "Direct"}

    # A single container is no pipeline: nothing filled in.
    create_model(sm, "llama-model")
    assert "InferenceExecutionConfig" not in sm.describe_model(ModelName="llama-model")


def test_model_data_url_is_described_with_its_model_data_source(sm: Any) -> None:
    create_model(sm, "llama-model")
    container = sm.describe_model(ModelName="llama-model")["PrimaryContainer"]
    assert container["ModelDataUrl"] == "s3://models/llama-model/model.tar.gz"
    assert container["ModelDataSource"] == {
        "S3DataSource": {
            "S3Uri": "s3://models/llama-model/model.tar.gz",
            "S3DataType": "S3Object",
            "CompressionType": "Gzip",
        }
    }


def test_model_data_source_given_is_answered_as_given(sm: Any) -> None:
    source = {
        "S3DataSource": {
            "S3Uri": "s3://models/llama/",
            "S3DataType": "S3Prefix",
            "CompressionType": "None",
        }
    }
    sm.create_model(
        ModelName="uncompressed",
        ExecutionRoleArn=ROLE_ARN,
        PrimaryContainer={"Image": IMAGE, "ModelDataSource": source},
    )
    container = sm.describe_model(ModelName="uncompressed")["PrimaryContainer"]
    assert container["ModelDataSource"] == source
    assert "ModelDataUrl" not in container


def test_container_metrics_endpoints_are_described_with_their_defaults(sm: Any) -> None:
    sm.create_model(
        ModelName="observed",
        ExecutionRoleArn=ROLE_ARN,
        PrimaryContainer={
            "Image": IMAGE,
            "ContainerMetricsConfig": {"MetricsEndpoints": [{"MetricsEndpointPath": "/stats"}]},
        },
    )
    metrics = sm.describe_model(ModelName="observed")["PrimaryContainer"]["ContainerMetricsConfig"]
    assert metrics == {
        "MetricsEndpoints": [
            {"MetricsEndpointPath": "/stats", "MetricPublishFrequencyInSeconds": 60}
        ]
    }


# -- endpoint configs ------------------------------------------------------------------------


def test_create_describe_delete_endpoint_config(sm: Any) -> None:
    create_model(sm, "llama-model")
    arn = create_model_config(sm, "classic-config", "llama-model")["EndpointConfigArn"]
    assert arn == f"{ARN_PREFIX}:endpoint-config/classic-config"

    described = sm.describe_endpoint_config(EndpointConfigName="classic-config")
    assert described["EndpointConfigName"] == "classic-config"
    assert described["EndpointConfigArn"] == arn
    assert described["ProductionVariants"] == [
        {
            "VariantName": "AllTraffic",
            "ModelName": "llama-model",
            "InstanceType": "ml.m5.xlarge",
            "InitialInstanceCount": 1,
            "InitialVariantWeight": 1.0,
        }
    ]
    assert "CreationTime" in described

    sm.delete_endpoint_config(EndpointConfigName="classic-config")
    with pytest.raises(ClientError) as exc:
        sm.describe_endpoint_config(EndpointConfigName="classic-config")
    assert_error(exc.value, "ValidationException", "Could not find endpoint configuration")


def test_creating_an_existing_endpoint_config_is_refused(sm: Any) -> None:
    create_ic_config(sm, "shared-gpu-config")
    with pytest.raises(ClientError) as exc:
        create_ic_config(sm, "shared-gpu-config", instance_count=3)
    assert_error(
        exc.value, "ValidationException", "Cannot create already existing endpoint configuration"
    )
    variant = sm.describe_endpoint_config(EndpointConfigName="shared-gpu-config")[
        "ProductionVariants"
    ][0]
    assert variant["InitialInstanceCount"] == 1


@pytest.mark.parametrize("call", ["describe_endpoint_config", "delete_endpoint_config"])
def test_unknown_endpoint_config_is_not_found(sm: Any, call: str) -> None:
    with pytest.raises(ClientError) as exc:
        getattr(sm, call)(EndpointConfigName="no-such-config")
    assert_error(
        exc.value,
        "ValidationException",
        f'Could not find endpoint configuration "{ARN_PREFIX}:endpoint-config/no-such-config"',
    )


def test_describe_endpoint_config_returns_every_field_as_created(sm: Any) -> None:
    variants = [
        {
            "VariantName": "AllTraffic",
            "InstanceType": "ml.g5.12xlarge",
            "InitialInstanceCount": 2,
            "InitialVariantWeight": 1.0,
            "ManagedInstanceScaling": {
                "Status": "ENABLED",
                "MinInstanceCount": 1,
                "MaxInstanceCount": 4,
            },
            "RoutingConfig": {"RoutingStrategy": "LEAST_OUTSTANDING_REQUESTS"},
        }
    ]
    vpc = {"SecurityGroupIds": ["sg-0123456789abcdef0"], "Subnets": ["subnet-0123456789abcdef0"]}
    sm.create_endpoint_config(
        EndpointConfigName="shared-gpu-config",
        ExecutionRoleArn=ROLE_ARN,
        VpcConfig=vpc,
        EnableNetworkIsolation=True,
        ProductionVariants=variants,
    )

    described = sm.describe_endpoint_config(EndpointConfigName="shared-gpu-config")
    assert described["ExecutionRoleArn"] == ROLE_ARN
    assert described["VpcConfig"] == vpc
    assert described["EnableNetworkIsolation"] is True
    assert described["ProductionVariants"] == variants


def test_model_variants_are_described_with_weight_one_when_not_given(sm: Any) -> None:
    create_model(sm, "llama-model")
    create_model_config(sm, "classic-config", "llama-model")
    [variant] = sm.describe_endpoint_config(EndpointConfigName="classic-config")[
        "ProductionVariants"
    ]
    assert variant["InitialVariantWeight"] == 1.0

    create_model_config(
        sm,
        "weighted-config",
        "llama-model",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": "llama-model",
                "InstanceType": "ml.m5.xlarge",
                "InitialInstanceCount": 1,
                "InitialVariantWeight": 0.5,
            }
        ],
    )
    [variant] = sm.describe_endpoint_config(EndpointConfigName="weighted-config")[
        "ProductionVariants"
    ]
    assert variant["InitialVariantWeight"] == 0.5


def test_endpoint_config_answers_network_isolation_false_when_not_given(sm: Any) -> None:
    create_model(sm, "llama-model")
    create_model_config(sm, "classic-config", "llama-model")
    described = sm.describe_endpoint_config(EndpointConfigName="classic-config")
    assert described["EnableNetworkIsolation"] is False

    create_ic_config(sm, "shared-gpu-config")
    described = sm.describe_endpoint_config(EndpointConfigName="shared-gpu-config")
    assert described["EnableNetworkIsolation"] is False


def _serverless_config(sm: Any, name: str = "serverless-config", **variant: Any) -> Any:
    return sm.create_endpoint_config(
        EndpointConfigName=name,
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": "llama-model",
                "ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 5},
                **variant,
            }
        ],
    )


def test_serverless_variant_is_described_with_a_volume_size(sm: Any) -> None:
    create_model(sm, "llama-model")
    _serverless_config(sm)
    [variant] = sm.describe_endpoint_config(EndpointConfigName="serverless-config")[
        "ProductionVariants"
    ]
    assert variant["ServerlessConfig"] == {"MemorySizeInMB": 2048, "MaxConcurrency": 5}
    assert variant["VolumeSizeInGB"] == 5
    assert variant["InitialVariantWeight"] == 1.0
    assert "InstanceType" not in variant


def test_volume_size_with_serverless_config_is_refused(sm: Any) -> None:
    create_model(sm, "llama-model")
    with pytest.raises(ClientError) as exc:
        _serverless_config(sm, VolumeSizeInGB=5)
    assert_error(exc.value, "ValidationException", contains="VolumeSizeInGB")
    assert sm.list_endpoint_configs()["EndpointConfigs"] == []


@pytest.mark.parametrize("memory", [1500, 2049, 3000])
def test_serverless_memory_outside_1_gb_steps_is_refused(sm: Any, memory: int) -> None:
    create_model(sm, "llama-model")
    with pytest.raises(ClientError) as exc:
        _serverless_config(sm, ServerlessConfig={"MemorySizeInMB": memory, "MaxConcurrency": 5})
    assert_error(exc.value, "ValidationException", f"Value '{memory}'", contains="MemorySizeInMB")
    assert sm.list_endpoint_configs()["EndpointConfigs"] == []


@pytest.mark.parametrize("memory", [1024, 2048, 3072, 4096, 5120, 6144])
def test_serverless_memory_in_1_gb_steps_is_accepted(sm: Any, memory: int) -> None:
    create_model(sm, "llama-model")
    _serverless_config(sm, ServerlessConfig={"MemorySizeInMB": memory, "MaxConcurrency": 5})
    [variant] = sm.describe_endpoint_config(EndpointConfigName="serverless-config")[
        "ProductionVariants"
    ]
    assert variant["ServerlessConfig"]["MemorySizeInMB"] == memory


def test_serverless_provisioned_concurrency_above_max_is_refused(sm: Any) -> None:
    create_model(sm, "llama-model")
    with pytest.raises(ClientError) as exc:
        _serverless_config(
            sm,
            ServerlessConfig={
                "MemorySizeInMB": 2048,
                "MaxConcurrency": 5,
                "ProvisionedConcurrency": 6,
            },
        )
    assert_error(exc.value, "ValidationException", contains="ProvisionedConcurrency")
    _serverless_config(
        sm,
        ServerlessConfig={"MemorySizeInMB": 2048, "MaxConcurrency": 5, "ProvisionedConcurrency": 5},
    )


def test_serverless_config_with_data_capture_is_refused(sm: Any) -> None:
    create_model(sm, "llama-model")
    with pytest.raises(ClientError) as exc:
        sm.create_endpoint_config(
            EndpointConfigName="serverless-config",
            ProductionVariants=[
                {
                    "VariantName": "AllTraffic",
                    "ModelName": "llama-model",
                    "ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 5},
                }
            ],
            DataCaptureConfig={
                "InitialSamplingPercentage": 10,
                "DestinationS3Uri": "s3://capture/llama/",
                "CaptureOptions": [{"CaptureMode": "Input"}],
            },
        )
    assert_error(exc.value, "ValidationException", "DataCaptureConfig is not supported")


def test_metrics_config_is_described_with_its_defaults(sm: Any) -> None:
    create_ic_config(sm, "observed-config", MetricsConfig={"EnableDetailedObservability": True})
    metrics = sm.describe_endpoint_config(EndpointConfigName="observed-config")["MetricsConfig"]
    assert metrics == {
        "EnableDetailedObservability": True,
        "EnableEnhancedMetrics": False,
        "MetricPublishFrequencyInSeconds": 60,
    }

    create_ic_config(sm, "fast-config", MetricsConfig={"MetricPublishFrequencyInSeconds": 10})
    metrics = sm.describe_endpoint_config(EndpointConfigName="fast-config")["MetricsConfig"]
    assert metrics["MetricPublishFrequencyInSeconds"] == 10


@pytest.mark.parametrize("frequency", [0, 45, 600])
def test_metric_publish_frequency_outside_the_valid_values_is_refused(
    sm: Any, frequency: int
) -> None:
    with pytest.raises(ClientError) as exc:
        create_ic_config(
            sm, "observed-config", MetricsConfig={"MetricPublishFrequencyInSeconds": frequency}
        )
    assert_error(exc.value, "ValidationException", f"Value '{frequency}'")
    with pytest.raises(ClientError) as exc:
        sm.create_model(
            ModelName="observed",
            ExecutionRoleArn=ROLE_ARN,
            PrimaryContainer={
                "Image": IMAGE,
                "ContainerMetricsConfig": {
                    "MetricsEndpoints": [
                        {
                            "MetricsEndpointPath": "/metrics",
                            "MetricPublishFrequencyInSeconds": frequency,
                        }
                    ]
                },
            },
        )
    assert_error(exc.value, "ValidationException", contains="MetricPublishFrequencyInSeconds")
    assert sm.list_models()["Models"] == []
    assert sm.list_endpoint_configs()["EndpointConfigs"] == []


def test_list_summaries_carry_only_the_summary_fields(sm: Any) -> None:
    create_model(sm, "llama-model")
    create_model_config(sm, "classic-config", "llama-model")
    [model] = sm.list_models()["Models"]
    assert set(model) == {"ModelName", "ModelArn", "CreationTime"}
    [config] = sm.list_endpoint_configs()["EndpointConfigs"]
    assert set(config) == {"EndpointConfigName", "EndpointConfigArn", "CreationTime"}


def test_variants_without_model_name_need_an_execution_role(sm: Any) -> None:
    create_ic_config(sm, "with-role")  # accepted: variant has no ModelName, config has a role
    assert (
        "ModelName"
        not in sm.describe_endpoint_config(EndpointConfigName="with-role")["ProductionVariants"][0]
    )

    with pytest.raises(ClientError) as exc:
        sm.create_endpoint_config(
            EndpointConfigName="without-role",
            ProductionVariants=[
                {
                    "VariantName": "AllTraffic",
                    "InstanceType": "ml.g5.12xlarge",
                    "InitialInstanceCount": 1,
                }
            ],
        )
    assert_error(exc.value, "ValidationException")
    with pytest.raises(ClientError):
        sm.describe_endpoint_config(EndpointConfigName="without-role")


def test_config_naming_a_missing_model_is_refused(sm: Any) -> None:
    with pytest.raises(ClientError) as exc:
        create_model_config(sm, "classic-config", model="no-such-model")
    assert_error(exc.value, "ValidationException", "Could not find model", contains="no-such-model")
    with pytest.raises(ClientError) as exc:
        sm.describe_endpoint_config(EndpointConfigName="classic-config")
    assert_error(exc.value, "ValidationException", "Could not find endpoint configuration")


def test_unknown_instance_type_is_refused_by_the_server(emulator: Any) -> None:
    raw = emulator.client("sagemaker", parameter_validation=False)
    with pytest.raises(ClientError) as exc:
        raw.create_endpoint_config(
            EndpointConfigName="shared-gpu-config",
            ExecutionRoleArn=ROLE_ARN,
            ProductionVariants=[
                {
                    "VariantName": "AllTraffic",
                    "InstanceType": "ml.x99.huge",
                    "InitialInstanceCount": 1,
                }
            ],
        )
    assert_error(
        exc.value,
        "ValidationException",
        "1 validation error detected",
        contains="ml.x99.huge",
        status=400,
    )
    assert raw.list_endpoint_configs()["EndpointConfigs"] == []


@pytest.mark.parametrize(
    ("operation", "name_field"),
    [("create_model", "ModelName"), ("create_endpoint_config", "EndpointConfigName")],
)
@pytest.mark.parametrize("bad_name", ["bad_name!", "-leading-dash", "x" * 64])
def test_bad_names_are_refused_by_the_server(
    emulator: Any, operation: str, name_field: str, bad_name: str
) -> None:
    raw = emulator.client("sagemaker", parameter_validation=False)
    requests = {
        "create_model": {"ExecutionRoleArn": ROLE_ARN, "PrimaryContainer": {"Image": IMAGE}},
        "create_endpoint_config": {
            "ExecutionRoleArn": ROLE_ARN,
            "ProductionVariants": [
                {
                    "VariantName": "AllTraffic",
                    "InstanceType": "ml.g5.12xlarge",
                    "InitialInstanceCount": 1,
                }
            ],
        },
    }
    with pytest.raises(ClientError) as exc:
        getattr(raw, operation)(**{name_field: bad_name, **requests[operation]})
    assert_error(exc.value, "ValidationException", contains=name_field)
    assert re.match(r"\d+ validation errors? detected: ", exc.value.response["Error"]["Message"])
    assert raw.list_models()["Models"] == []
    assert raw.list_endpoint_configs()["EndpointConfigs"] == []


# -- listing -------------------------------------------------------------------------------


def _names(items: list[dict[str, Any]], key: str) -> list[str]:
    return [item[key] for item in items]


def test_list_models_default_page_is_ten_newest_first(sm: Any) -> None:
    names = [f"model-{i:02d}" for i in range(12)]
    for name in names:
        create_model(sm, name)

    first = sm.list_models()
    assert _names(first["Models"], "ModelName") == names[::-1][:10]
    assert first["NextToken"]
    second = sm.list_models(NextToken=first["NextToken"])
    assert _names(second["Models"], "ModelName") == names[::-1][10:]
    assert "NextToken" not in second
    assert first["Models"][0]["ModelArn"] == f"{ARN_PREFIX}:model/model-11"


def test_list_models_paginator_with_max_results(sm: Any) -> None:
    for i in range(7):
        create_model(sm, f"model-{i}")
    pages = list(sm.get_paginator("list_models").paginate(PaginationConfig={"PageSize": 3}))
    assert [len(p["Models"]) for p in pages] == [3, 3, 1]
    listed = [m["ModelName"] for p in pages for m in p["Models"]]
    assert sorted(listed) == [f"model-{i}" for i in range(7)]


def test_list_models_name_contains_and_sort(sm: Any) -> None:
    for name in ["llama-b", "mistral", "llama-a", "llama-c"]:
        create_model(sm, name)

    assert _names(sm.list_models(NameContains="llama")["Models"], "ModelName") == [
        "llama-c",
        "llama-a",
        "llama-b",
    ]
    by_name = sm.list_models(NameContains="llama", SortBy="Name", SortOrder="Ascending")
    assert _names(by_name["Models"], "ModelName") == ["llama-a", "llama-b", "llama-c"]
    by_name_desc = sm.list_models(SortBy="Name", SortOrder="Descending")
    assert _names(by_name_desc["Models"], "ModelName") == [
        "mistral",
        "llama-c",
        "llama-b",
        "llama-a",
    ]
    oldest_first = sm.list_models(SortBy="CreationTime", SortOrder="Ascending")
    assert _names(oldest_first["Models"], "ModelName") == [
        "llama-b",
        "mistral",
        "llama-a",
        "llama-c",
    ]
    assert sm.list_models(NameContains="gemma")["Models"] == []


def test_list_endpoint_configs_pagination_filter_and_sort(sm: Any) -> None:
    names = [f"config-{i:02d}" for i in range(12)]
    for name in names:
        create_ic_config(sm, name)
    create_ic_config(sm, "other")

    first = sm.list_endpoint_configs()
    assert len(first["EndpointConfigs"]) == 10
    assert first["NextToken"]
    assert first["EndpointConfigs"][0]["EndpointConfigName"] == "other"
    assert first["EndpointConfigs"][0]["EndpointConfigArn"] == f"{ARN_PREFIX}:endpoint-config/other"

    pages = list(
        sm.get_paginator("list_endpoint_configs").paginate(
            NameContains="config-",
            SortBy="Name",
            SortOrder="Ascending",
            PaginationConfig={"PageSize": 5},
        )
    )
    assert [len(p["EndpointConfigs"]) for p in pages] == [5, 5, 2]
    assert [c["EndpointConfigName"] for p in pages for c in p["EndpointConfigs"]] == names


def test_list_with_a_bad_next_token_is_refused(sm: Any) -> None:
    create_model(sm, "llama-model")
    with pytest.raises(ClientError) as exc:
        sm.list_models(NextToken="not-a-token-we-gave")
    assert_error(exc.value, "ValidationException")
