"""Inference components: the six operations, what Describe answers, the requests SageMaker
refuses, lifecycle and failures, adapters, listing and tags."""

from __future__ import annotations

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
    ic_endpoint,
    ic_request,
)

COMPUTE = {"MinMemoryRequiredInMb": 16384, "NumberOfAcceleratorDevicesRequired": 1}
ROLLING = {
    "RollingUpdatePolicy": {
        "MaximumBatchSize": {"Type": "COPY_COUNT", "Value": 1},
        "WaitIntervalInSeconds": 0,
        "MaximumExecutionTimeoutInSeconds": 600,
    }
}


def _describe(sm: Any, name: str = "llama-chat") -> dict[str, Any]:
    return dict(sm.describe_inference_component(InferenceComponentName=name))


def _status(sm: Any, name: str = "llama-chat") -> str:
    return str(_describe(sm, name)["InferenceComponentStatus"])


def _adapter_request(name: str, base: str, endpoint: str = "shared-gpu") -> dict[str, Any]:
    # No VariantName: an adapter lives on its base's variant.
    return {
        "InferenceComponentName": name,
        "EndpointName": endpoint,
        "Specification": {
            "BaseInferenceComponentName": base,
            "Container": {"ArtifactUrl": f"s3://adapters/{name}/adapter.tar.gz"},
        },
    }


# -- create and describe ---------------------------------------------------------------------


def test_create_and_describe(sm: Any) -> None:
    ic_endpoint(sm)
    arn = sm.create_inference_component(**ic_request("Llama-Chat", copies=2))[
        "InferenceComponentArn"
    ]
    assert arn == f"{ARN_PREFIX}:inference-component/llama-chat"

    described = _describe(sm, "Llama-Chat")
    assert described["InferenceComponentName"] == "Llama-Chat"
    assert described["InferenceComponentArn"] == arn
    assert described["EndpointName"] == "shared-gpu"
    assert described["EndpointArn"] == f"{ARN_PREFIX}:endpoint/shared-gpu"
    assert described["VariantName"] == "AllTraffic"
    assert described["InferenceComponentStatus"] == "InService"
    assert described["RuntimeConfig"] == {"DesiredCopyCount": 2, "CurrentCopyCount": 2}
    assert "CopyCount" not in described["RuntimeConfig"]
    assert described["Specification"] == {
        "ModelName": "llama-model",
        "ComputeResourceRequirements": COMPUTE,
        # Filled in by SageMaker on accelerated instances (ml.g5.12xlarge here).
        "DataCacheConfig": {"EnableCaching": True},
    }
    assert "FailureReason" not in described
    assert {"CreationTime", "LastModifiedTime"} <= set(described)


def test_container_is_described_as_deployed_image(sm: Any) -> None:
    ic_endpoint(sm)
    container = {
        "Image": IMAGE,
        "ArtifactUrl": "s3://models/llama/model.tar.gz",
        "Environment": {"HF_MODEL_ID": "/opt/ml/model"},
    }
    request = ic_request()
    request["Specification"] = {"Container": container, "ComputeResourceRequirements": COMPUTE}
    sm.create_inference_component(**request)

    described = _describe(sm)["Specification"]["Container"]
    assert "Image" not in described
    assert described["DeployedImage"]["SpecifiedImage"] == IMAGE
    assert described["ArtifactUrl"] == container["ArtifactUrl"]
    assert described["Environment"] == container["Environment"]


def test_create_is_creating_then_in_service(emulator: Any, sm: Any) -> None:
    ic_endpoint(sm)
    emulator.control.set_transitions("describes:2")
    sm.create_inference_component(**ic_request(copies=2))

    creating = _describe(sm)
    assert creating["InferenceComponentStatus"] == "Creating"
    assert creating["RuntimeConfig"]["DesiredCopyCount"] == 2
    ready = _describe(sm)
    assert ready["InferenceComponentStatus"] == "InService"
    assert ready["RuntimeConfig"] == {"DesiredCopyCount": 2, "CurrentCopyCount": 2}


def test_creating_an_existing_inference_component_is_refused(sm: Any) -> None:
    ic_endpoint(sm)
    sm.create_inference_component(**ic_request())
    with pytest.raises(ClientError) as exc:
        sm.create_inference_component(**ic_request(copies=3))
    assert_error(exc.value, "ValidationException")
    assert _describe(sm)["RuntimeConfig"]["DesiredCopyCount"] == 1


@pytest.mark.parametrize(
    ("call", "extra"),
    [
        ("describe_inference_component", {}),
        ("delete_inference_component", {}),
        ("update_inference_component", {"RuntimeConfig": {"CopyCount": 2}}),
        ("update_inference_component_runtime_config", {"DesiredRuntimeConfig": {"CopyCount": 2}}),
    ],
)
def test_unknown_inference_component_is_not_found(
    sm: Any, call: str, extra: dict[str, Any]
) -> None:
    with pytest.raises(ClientError) as exc:
        getattr(sm, call)(InferenceComponentName="no-such-ic", **extra)
    assert_error(exc.value, "ValidationException", "Could not find inference component")


# -- create refused --------------------------------------------------------------------------


def _assert_not_created(sm: Any, name: str = "llama-chat") -> None:
    with pytest.raises(ClientError) as exc:
        _describe(sm, name)
    assert_error(exc.value, "ValidationException", "Could not find inference component")


def test_create_on_unknown_endpoint_is_refused(sm: Any) -> None:
    create_model(sm, "llama-model")
    with pytest.raises(ClientError) as exc:
        sm.create_inference_component(**ic_request(endpoint="no-such-endpoint"))
    assert_error(exc.value, "ValidationException", "Could not find endpoint")
    _assert_not_created(sm)


def test_create_on_endpoint_not_in_service_is_refused(emulator: Any, sm: Any) -> None:
    create_model(sm, "llama-model")
    create_ic_config(sm, "shared-gpu-config")
    emulator.control.set_transitions("describes:3")
    sm.create_endpoint(EndpointName="shared-gpu", EndpointConfigName="shared-gpu-config")

    with pytest.raises(ClientError) as exc:
        sm.create_inference_component(**ic_request())
    assert_error(exc.value, "ValidationException")
    _assert_not_created(sm)


def test_create_on_unknown_variant_is_refused(sm: Any) -> None:
    ic_endpoint(sm)
    with pytest.raises(ClientError) as exc:
        sm.create_inference_component(**ic_request(VariantName="NoSuchVariant"))
    assert_error(exc.value, "ValidationException")
    _assert_not_created(sm)


def test_create_with_unknown_model_is_refused(sm: Any) -> None:
    ic_endpoint(sm)
    with pytest.raises(ClientError) as exc:
        sm.create_inference_component(**ic_request(model="no-such-model"))
    assert_error(exc.value, "ValidationException", "Could not find model")
    _assert_not_created(sm)


def test_create_with_specification_and_specifications_is_refused(sm: Any) -> None:
    ic_endpoint(sm)
    request = ic_request()
    request["Specifications"] = [request["Specification"]]
    with pytest.raises(ClientError) as exc:
        sm.create_inference_component(**request)
    assert_error(exc.value, "ValidationException")
    _assert_not_created(sm)


def test_create_without_any_specification_is_refused(sm: Any) -> None:
    ic_endpoint(sm)
    request = ic_request()
    del request["Specification"]
    with pytest.raises(ClientError) as exc:
        sm.create_inference_component(**request)
    assert_error(exc.value, "ValidationException")
    _assert_not_created(sm)


def test_negative_copy_count_is_refused_by_the_server(emulator: Any, sm: Any) -> None:
    ic_endpoint(sm)
    raw = emulator.client("sagemaker", parameter_validation=False)
    with pytest.raises(ClientError) as exc:
        raw.create_inference_component(**ic_request(copies=-1))
    assert_error(exc.value, "ValidationException", contains="CopyCount", status=400)
    _assert_not_created(sm)


def test_create_on_endpoint_whose_variant_has_a_model_is_refused(sm: Any) -> None:
    create_model(sm, "llama-model")
    create_model_config(sm, "classic-config", "llama-model")
    sm.create_endpoint(EndpointName="classic", EndpointConfigName="classic-config")

    with pytest.raises(ClientError) as exc:
        sm.create_inference_component(**ic_request(endpoint="classic"))
    assert_error(
        exc.value,
        "ValidationException",
        "Invalid request provided: Inference Components are not supported in this Endpoint.",
    )
    _assert_not_created(sm)


# -- update ----------------------------------------------------------------------------------


def test_update_inference_component_records_last_deployment_config(emulator: Any, sm: Any) -> None:
    ic_endpoint(sm)
    sm.create_inference_component(**ic_request())
    bigger = {"MinMemoryRequiredInMb": 32768, "NumberOfAcceleratorDevicesRequired": 2}
    emulator.control.set_transitions("describes:2")

    sm.update_inference_component(
        InferenceComponentName="llama-chat",
        Specification={"ModelName": "llama-model", "ComputeResourceRequirements": bigger},
        RuntimeConfig={"CopyCount": 2},
        DeploymentConfig=ROLLING,
    )
    assert _status(sm) == "Updating"
    done = _describe(sm)
    assert done["InferenceComponentStatus"] == "InService"
    assert done["Specification"]["ComputeResourceRequirements"] == bigger
    assert done["RuntimeConfig"] == {"DesiredCopyCount": 2, "CurrentCopyCount": 2}
    assert done["LastDeploymentConfig"] == ROLLING


def test_update_runtime_config_desired_at_once_current_when_in_service(
    emulator: Any, sm: Any
) -> None:
    ic_endpoint(sm)
    sm.create_inference_component(**ic_request(copies=1))
    emulator.control.set_transitions("describes:2")

    arn = sm.update_inference_component_runtime_config(
        InferenceComponentName="llama-chat", DesiredRuntimeConfig={"CopyCount": 3}
    )["InferenceComponentArn"]
    assert arn == f"{ARN_PREFIX}:inference-component/llama-chat"

    updating = _describe(sm)
    assert updating["InferenceComponentStatus"] == "Updating"
    assert updating["RuntimeConfig"] == {"DesiredCopyCount": 3, "CurrentCopyCount": 1}
    done = _describe(sm)
    assert done["InferenceComponentStatus"] == "InService"
    assert done["RuntimeConfig"] == {"DesiredCopyCount": 3, "CurrentCopyCount": 3}


@pytest.mark.parametrize("phase", ["Creating", "Updating"])
@pytest.mark.parametrize(
    ("call", "extra"),
    [
        ("update_inference_component", {"RuntimeConfig": {"CopyCount": 4}}),
        ("update_inference_component_runtime_config", {"DesiredRuntimeConfig": {"CopyCount": 4}}),
    ],
)
def test_update_refused_while_not_in_service(
    emulator: Any, sm: Any, phase: str, call: str, extra: dict[str, Any]
) -> None:
    ic_endpoint(sm)
    if phase == "Creating":
        emulator.control.set_transitions("describes:3")
        sm.create_inference_component(**ic_request())
    else:
        sm.create_inference_component(**ic_request())
        emulator.control.set_transitions("describes:3")
        sm.update_inference_component_runtime_config(
            InferenceComponentName="llama-chat", DesiredRuntimeConfig={"CopyCount": 2}
        )
    assert _status(sm) == phase

    with pytest.raises(ClientError) as exc:
        getattr(sm, call)(InferenceComponentName="llama-chat", **extra)
    assert_error(exc.value, "ValidationException")
    assert _describe(sm)["RuntimeConfig"]["DesiredCopyCount"] != 4


# -- delete ----------------------------------------------------------------------------------


def test_delete_is_deleting_then_gone(emulator: Any, sm: Any) -> None:
    ic_endpoint(sm)
    sm.create_inference_component(**ic_request())
    emulator.control.set_transitions("describes:2")

    sm.delete_inference_component(InferenceComponentName="llama-chat")
    assert _status(sm) == "Deleting"
    with pytest.raises(ClientError) as exc:
        sm.delete_inference_component(InferenceComponentName="llama-chat")
    assert_error(exc.value, "ValidationException", contains="DELETE_IN_PROGRESS")
    _assert_not_created(sm)
    assert sm.list_inference_components()["InferenceComponents"] == []


@pytest.mark.parametrize("phase", ["Creating", "Updating"])
def test_delete_refused_while_busy(emulator: Any, sm: Any, phase: str) -> None:
    ic_endpoint(sm)
    if phase == "Creating":
        emulator.control.set_transitions("describes:3")
        sm.create_inference_component(**ic_request())
    else:
        sm.create_inference_component(**ic_request())
        emulator.control.set_transitions("describes:3")
        sm.update_inference_component_runtime_config(
            InferenceComponentName="llama-chat", DesiredRuntimeConfig={"CopyCount": 2}
        )

    with pytest.raises(ClientError) as exc:
        sm.delete_inference_component(InferenceComponentName="llama-chat")
    assert_error(exc.value, "ValidationException")
    assert _status(sm) == phase


def test_base_component_cannot_be_deleted_until_its_adapters_are_gone(sm: Any) -> None:
    ic_endpoint(sm)
    sm.create_inference_component(**ic_request("llama-base"))
    sm.create_inference_component(**_adapter_request("llama-sql", "llama-base"))
    sm.create_inference_component(**_adapter_request("llama-chat", "llama-base"))
    adapter = _describe(sm, "llama-sql")
    assert adapter["Specification"]["BaseInferenceComponentName"] == "llama-base"
    assert adapter["InferenceComponentStatus"] == "InService"

    with pytest.raises(ClientError) as exc:
        sm.delete_inference_component(InferenceComponentName="llama-base")
    assert_error(exc.value, "ValidationException", contains="is a base inference component")

    sm.delete_inference_component(InferenceComponentName="llama-sql")
    with pytest.raises(ClientError):
        sm.delete_inference_component(InferenceComponentName="llama-base")
    sm.delete_inference_component(InferenceComponentName="llama-chat")
    sm.delete_inference_component(InferenceComponentName="llama-base")
    assert sm.list_inference_components()["InferenceComponents"] == []


# -- failures --------------------------------------------------------------------------------


def test_failed_create_ends_failed_with_reason(emulator: Any, sm: Any) -> None:
    ic_endpoint(sm)
    emulator.control.fail("InferenceComponent", "llama-chat", "CUDA out of memory")
    emulator.control.set_transitions("describes:2")
    sm.create_inference_component(**ic_request())

    assert _status(sm) == "Creating"
    failed = _describe(sm)
    assert failed["InferenceComponentStatus"] == "Failed"
    assert failed["FailureReason"] == "CUDA out of memory"

    # A Failed component can be deleted.
    emulator.control.set_transitions("immediate")
    sm.delete_inference_component(InferenceComponentName="llama-chat")
    _assert_not_created(sm)


def test_failed_update_rolls_back(emulator: Any, sm: Any) -> None:
    ic_endpoint(sm)
    sm.create_inference_component(**ic_request(copies=1))
    emulator.control.fail("InferenceComponent", "llama-chat", "Container health check failed")
    emulator.control.set_transitions("describes:2")

    sm.update_inference_component(
        InferenceComponentName="llama-chat",
        Specification={
            "ModelName": "llama-model",
            "ComputeResourceRequirements": {"MinMemoryRequiredInMb": 65536},
        },
        RuntimeConfig={"CopyCount": 2},
    )
    assert _status(sm) == "Updating"
    rolled_back = _describe(sm)
    assert rolled_back["InferenceComponentStatus"] == "InService"
    assert rolled_back["FailureReason"] == "Container health check failed"
    assert rolled_back["Specification"]["ComputeResourceRequirements"] == COMPUTE
    assert rolled_back["RuntimeConfig"] == {"DesiredCopyCount": 1, "CurrentCopyCount": 1}


# -- list ------------------------------------------------------------------------------------


def _ic_names(response: dict[str, Any]) -> list[str]:
    return [ic["InferenceComponentName"] for ic in response["InferenceComponents"]]


def test_list_filters(emulator: Any, sm: Any) -> None:
    ic_endpoint(sm, "ep-a", model="llama-model")
    create_model(sm, "mistral-model")
    create_ic_config(
        sm,
        "ep-b-config",
        ProductionVariants=[
            {"VariantName": "Blue", "InstanceType": "ml.g5.12xlarge", "InitialInstanceCount": 1}
        ],
    )
    sm.create_endpoint(EndpointName="ep-b", EndpointConfigName="ep-b-config")
    sm.create_inference_component(**ic_request("llama-chat", endpoint="ep-a"))
    sm.create_inference_component(**ic_request("llama-code", endpoint="ep-a"))
    emulator.control.set_transitions("describes:10")
    sm.create_inference_component(
        **ic_request("mistral-chat", endpoint="ep-b", model="mistral-model", VariantName="Blue")
    )

    assert _ic_names(sm.list_inference_components(EndpointNameEquals="ep-a")) == [
        "llama-code",
        "llama-chat",
    ]
    assert _ic_names(sm.list_inference_components(VariantNameEquals="Blue")) == ["mistral-chat"]
    assert _ic_names(sm.list_inference_components(StatusEquals="Creating")) == ["mistral-chat"]
    assert _ic_names(sm.list_inference_components(StatusEquals="InService")) == [
        "llama-code",
        "llama-chat",
    ]
    assert _ic_names(sm.list_inference_components(NameContains="chat")) == [
        "mistral-chat",
        "llama-chat",
    ]
    assert _ic_names(
        sm.list_inference_components(NameContains="chat", EndpointNameEquals="ep-b")
    ) == ["mistral-chat"]

    [summary] = sm.list_inference_components(VariantNameEquals="Blue")["InferenceComponents"]
    assert summary["InferenceComponentArn"] == f"{ARN_PREFIX}:inference-component/mistral-chat"
    assert summary["EndpointName"] == "ep-b"
    assert summary["EndpointArn"] == f"{ARN_PREFIX}:endpoint/ep-b"
    assert summary["VariantName"] == "Blue"
    assert summary["InferenceComponentStatus"] == "Creating"


def test_list_sort(sm: Any) -> None:
    ic_endpoint(sm)
    for name in ["ic-b", "ic-c", "ic-a"]:
        sm.create_inference_component(**ic_request(name))

    assert _ic_names(sm.list_inference_components()) == ["ic-a", "ic-c", "ic-b"]
    assert _ic_names(sm.list_inference_components(SortBy="Name", SortOrder="Ascending")) == [
        "ic-a",
        "ic-b",
        "ic-c",
    ]
    assert _ic_names(sm.list_inference_components(SortBy="Name", SortOrder="Descending")) == [
        "ic-c",
        "ic-b",
        "ic-a",
    ]
    assert _ic_names(
        sm.list_inference_components(SortBy="CreationTime", SortOrder="Ascending")
    ) == ["ic-b", "ic-c", "ic-a"]


def test_list_pagination(sm: Any) -> None:
    ic_endpoint(sm)
    names = [f"ic-{i:02d}" for i in range(12)]
    for name in names:
        sm.create_inference_component(**ic_request(name))

    first = sm.list_inference_components()
    assert len(first["InferenceComponents"]) == 10
    assert first["NextToken"]
    second = sm.list_inference_components(NextToken=first["NextToken"])
    assert len(second["InferenceComponents"]) == 2
    assert "NextToken" not in second
    assert sorted(_ic_names(first) + _ic_names(second)) == names

    pages = list(
        sm.get_paginator("list_inference_components").paginate(
            SortBy="Name", SortOrder="Ascending", PaginationConfig={"PageSize": 5}
        )
    )
    assert [len(p["InferenceComponents"]) for p in pages] == [5, 5, 2]
    assert [n for p in pages for n in _ic_names(p)] == names
    everything = sm.get_paginator("list_inference_components").paginate().build_full_result()
    assert sorted(_ic_names(everything)) == names


# -- tags ------------------------------------------------------------------------------------


def test_tags_on_inference_component_arns(sm: Any) -> None:
    ic_endpoint(sm)
    arn = sm.create_inference_component(
        **ic_request(Tags=[{"Key": "team", "Value": "ml"}, {"Key": "env", "Value": "dev"}])
    )["InferenceComponentArn"]

    assert sm.list_tags(ResourceArn=arn)["Tags"] == [
        {"Key": "team", "Value": "ml"},
        {"Key": "env", "Value": "dev"},
    ]
    sm.add_tags(
        ResourceArn=arn, Tags=[{"Key": "env", "Value": "prod"}, {"Key": "owner", "Value": "a"}]
    )
    assert {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=arn)["Tags"]} == {
        "team": "ml",
        "env": "prod",
        "owner": "a",
    }
    sm.delete_tags(ResourceArn=arn, TagKeys=["team", "owner"])
    assert sm.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "env", "Value": "prod"}]


# -- what DescribeInferenceComponent fills in ------------------------------------------------


def _endpoint_on(sm: Any, instance_type: str, endpoint: str = "shared-gpu") -> None:
    create_model(sm, "llama-model")
    sm.create_endpoint_config(
        EndpointConfigName=f"{endpoint}-config",
        ExecutionRoleArn=ROLE_ARN,
        ProductionVariants=[
            {"VariantName": "AllTraffic", "InstanceType": instance_type, "InitialInstanceCount": 1}
        ],
    )
    sm.create_endpoint(EndpointName=endpoint, EndpointConfigName=f"{endpoint}-config")


@pytest.mark.parametrize(
    "instance_type", ["ml.g5.12xlarge", "ml.p4d.24xlarge", "ml.inf2.xlarge", "ml.trn1.2xlarge"]
)
def test_data_cache_is_enabled_on_accelerator_instances(sm: Any, instance_type: str) -> None:
    _endpoint_on(sm, instance_type)
    sm.create_inference_component(**ic_request())
    assert _describe(sm)["Specification"]["DataCacheConfig"] == {"EnableCaching": True}


def test_no_data_cache_config_on_cpu_instances(sm: Any) -> None:
    _endpoint_on(sm, "ml.c5.4xlarge")
    request = ic_request()
    request["Specification"]["ComputeResourceRequirements"] = {
        "MinMemoryRequiredInMb": 1024,
        "NumberOfCpuCoresRequired": 2,
    }
    sm.create_inference_component(**request)
    assert "DataCacheConfig" not in _describe(sm)["Specification"]


def test_data_cache_config_given_is_answered_as_given(sm: Any) -> None:
    ic_endpoint(sm)
    request = ic_request()
    request["Specification"]["DataCacheConfig"] = {"EnableCaching": False}
    sm.create_inference_component(**request)
    assert _describe(sm)["Specification"]["DataCacheConfig"] == {"EnableCaching": False}


def test_adapter_inherits_its_base_compute_and_variant(sm: Any) -> None:
    ic_endpoint(sm)
    sm.create_inference_component(**ic_request("llama-base"))
    sm.create_inference_component(**_adapter_request("llama-sql", "llama-base"))
    adapter = _describe(sm, "llama-sql")
    assert adapter["VariantName"] == "AllTraffic"
    assert adapter["Specification"]["ComputeResourceRequirements"] == COMPUTE
    assert adapter["Specification"]["BaseInferenceComponentName"] == "llama-base"
    # An adapter has no runtime of its own.
    assert "RuntimeConfig" not in adapter
    [summary] = [
        s
        for s in sm.list_inference_components()["InferenceComponents"]
        if s["InferenceComponentName"] == "llama-sql"
    ]
    assert summary["VariantName"] == "AllTraffic"


def test_variant_name_on_an_adapter_is_refused(sm: Any) -> None:
    ic_endpoint(sm)
    sm.create_inference_component(**ic_request("llama-base"))
    request = {**_adapter_request("llama-sql", "llama-base"), "VariantName": "AllTraffic"}
    with pytest.raises(ClientError) as exc:
        sm.create_inference_component(**request)
    assert_error(exc.value, "ValidationException", contains="VariantName")
    names = [
        c["InferenceComponentName"] for c in sm.list_inference_components()["InferenceComponents"]
    ]
    assert names == ["llama-base"]


def test_container_metrics_are_described_with_their_default_frequency(sm: Any) -> None:
    ic_endpoint(sm)
    request = ic_request()
    request["Specification"] = {
        "Container": {
            "Image": IMAGE,
            "ContainerMetricsConfig": {"MetricsEndpoints": [{"MetricsEndpointPath": "/metrics"}]},
        },
        "ComputeResourceRequirements": COMPUTE,
    }
    sm.create_inference_component(**request)
    metrics = _describe(sm)["Specification"]["Container"]["ContainerMetricsConfig"]
    assert metrics == {
        "MetricsEndpoints": [
            {"MetricsEndpointPath": "/metrics", "MetricPublishFrequencyInSeconds": 60}
        ]
    }


def test_updated_specification_is_described_with_the_same_fills(sm: Any) -> None:
    ic_endpoint(sm)
    sm.create_inference_component(**ic_request())
    spec = {
        "ModelName": "llama-model",
        "ComputeResourceRequirements": {**COMPUTE, "MinMemoryRequiredInMb": 32768},
    }
    sm.update_inference_component(InferenceComponentName="llama-chat", Specification=spec)
    described = _describe(sm)["Specification"]
    assert described["ComputeResourceRequirements"]["MinMemoryRequiredInMb"] == 32768
    assert described["DataCacheConfig"] == {"EnableCaching": True}
