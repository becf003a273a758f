"""Endpoints: the asynchronous lifecycle (Creating/Updating/Deleting), failures and
rollbacks, the botocore waiters, and ListEndpoints."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError, WaiterError

from tests.support.factories import (
    ARN_PREFIX,
    IMAGE,
    assert_error,
    create_ic_config,
    create_model,
    create_model_config,
    ic_endpoint,
    ic_request,
)

FAST_WAIT = {"Delay": 0, "MaxAttempts": 5}

BLUE_GREEN = {
    "BlueGreenUpdatePolicy": {
        "TrafficRoutingConfiguration": {"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 0},
        "TerminationWaitInSeconds": 0,
        "MaximumExecutionTimeoutInSeconds": 600,
    }
}


def classic_endpoint(sm: Any, name: str = "llama", instance_count: int = 1) -> None:
    """Model, config `{name}-config` and endpoint `name`."""
    create_model(sm, f"{name}-model")
    _config_with_count(sm, f"{name}-config", f"{name}-model", instance_count)
    sm.create_endpoint(EndpointName=name, EndpointConfigName=f"{name}-config")


def _config_with_count(sm: Any, config: str, model: str, count: int) -> None:
    sm.create_endpoint_config(
        EndpointConfigName=config,
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": model,
                "InstanceType": "ml.m5.xlarge",
                "InitialInstanceCount": count,
            }
        ],
    )


def _status(sm: Any, name: str) -> str:
    return str(sm.describe_endpoint(EndpointName=name)["EndpointStatus"])


# -- create ----------------------------------------------------------------------------------


def test_create_endpoint_is_creating_then_in_service(emulator: Any, sm: Any) -> None:
    create_model(sm, "llama-model")
    create_model_config(sm, "llama-config", "llama-model")
    emulator.control.set_transitions("describes:2")

    arn = sm.create_endpoint(EndpointName="Llama-Endpoint", EndpointConfigName="llama-config")[
        "EndpointArn"
    ]
    assert arn == f"{ARN_PREFIX}:endpoint/llama-endpoint"

    creating = sm.describe_endpoint(EndpointName="Llama-Endpoint")
    assert creating["EndpointStatus"] == "Creating"
    assert creating["EndpointName"] == "Llama-Endpoint"
    assert creating["EndpointArn"] == arn
    assert creating["EndpointConfigName"] == "llama-config"

    ready = sm.describe_endpoint(EndpointName="Llama-Endpoint")
    assert ready["EndpointStatus"] == "InService"
    assert "FailureReason" not in ready
    [variant] = ready["ProductionVariants"]
    assert variant["VariantName"] == "AllTraffic"
    assert variant["CurrentInstanceCount"] == variant["DesiredInstanceCount"] == 1
    assert variant["DeployedImages"][0]["SpecifiedImage"] == IMAGE


def test_creating_an_existing_endpoint_is_refused(sm: Any) -> None:
    classic_endpoint(sm, "llama")
    with pytest.raises(ClientError) as exc:
        sm.create_endpoint(EndpointName="llama", EndpointConfigName="llama-config")
    assert_error(exc.value, "ValidationException", "Cannot create already existing endpoint")


def test_create_endpoint_with_unknown_config_is_refused(sm: Any) -> None:
    with pytest.raises(ClientError) as exc:
        sm.create_endpoint(EndpointName="llama", EndpointConfigName="no-such-config")
    assert_error(exc.value, "ValidationException", "Could not find endpoint configuration")
    assert sm.list_endpoints()["Endpoints"] == []


def test_create_endpoint_whose_model_was_deleted_is_refused(sm: Any) -> None:
    create_model(sm, "llama-model")
    create_model_config(sm, "llama-config", "llama-model")
    sm.delete_model(ModelName="llama-model")
    with pytest.raises(ClientError) as exc:
        sm.create_endpoint(EndpointName="llama", EndpointConfigName="llama-config")
    assert_error(exc.value, "ValidationException", "Could not find model")


@pytest.mark.parametrize(
    ("call", "extra"),
    [
        ("describe_endpoint", {}),
        ("delete_endpoint", {}),
        ("update_endpoint", {"EndpointConfigName": "llama-config"}),
    ],
)
def test_unknown_endpoint_is_not_found(sm: Any, call: str, extra: dict[str, Any]) -> None:
    create_model(sm, "llama-model")
    create_model_config(sm, "llama-config", "llama-model")
    with pytest.raises(ClientError) as exc:
        getattr(sm, call)(EndpointName="no-such-endpoint", **extra)
    assert_error(
        exc.value,
        "ValidationException",
        f'Could not find endpoint "{ARN_PREFIX}:endpoint/no-such-endpoint"',
    )


# -- update ----------------------------------------------------------------------------------


def test_update_endpoint_is_updating_then_in_service_on_the_new_config(
    emulator: Any, sm: Any
) -> None:
    classic_endpoint(sm, "llama")
    create_model_config(sm, "llama-config-v2", "llama-model")
    emulator.control.set_transitions("describes:2")

    sm.update_endpoint(
        EndpointName="llama", EndpointConfigName="llama-config-v2", DeploymentConfig=BLUE_GREEN
    )

    updating = sm.describe_endpoint(EndpointName="llama")
    assert updating["EndpointStatus"] == "Updating"
    assert updating["EndpointConfigName"] == "llama-config"
    assert updating["PendingDeploymentSummary"]["EndpointConfigName"] == "llama-config-v2"

    done = sm.describe_endpoint(EndpointName="llama")
    assert done["EndpointStatus"] == "InService"
    assert done["EndpointConfigName"] == "llama-config-v2"
    assert "PendingDeploymentSummary" not in done
    assert "FailureReason" not in done
    assert done["LastDeploymentConfig"] == BLUE_GREEN


def test_update_endpoint_with_unknown_config_is_refused(sm: Any) -> None:
    classic_endpoint(sm, "llama")
    with pytest.raises(ClientError) as exc:
        sm.update_endpoint(EndpointName="llama", EndpointConfigName="no-such-config")
    assert_error(exc.value, "ValidationException", "Could not find endpoint configuration")
    assert _status(sm, "llama") == "InService"


def _busy_endpoint(emulator: Any, sm: Any, phase: str) -> None:
    """Endpoint `llama` left Creating or Updating (to llama-config-v2)."""
    create_model(sm, "llama-model")
    create_model_config(sm, "llama-config", "llama-model")
    create_model_config(sm, "llama-config-v2", "llama-model")
    if phase == "Creating":
        emulator.control.set_transitions("describes:3")
        sm.create_endpoint(EndpointName="llama", EndpointConfigName="llama-config")
    else:
        sm.create_endpoint(EndpointName="llama", EndpointConfigName="llama-config")
        emulator.control.set_transitions("describes:3")
        sm.update_endpoint(EndpointName="llama", EndpointConfigName="llama-config-v2")
    assert _status(sm, "llama") == phase


@pytest.mark.parametrize("phase", ["Creating", "Updating"])
def test_update_while_busy_is_refused(emulator: Any, sm: Any, phase: str) -> None:
    _busy_endpoint(emulator, sm, phase)
    with pytest.raises(ClientError) as exc:
        sm.update_endpoint(EndpointName="llama", EndpointConfigName="llama-config-v2")
    assert_error(exc.value, "ValidationException", "Cannot update in-progress endpoint")
    assert _status(sm, "llama") == phase


@pytest.mark.parametrize("phase", ["Creating", "Updating"])
def test_delete_while_busy_is_refused(emulator: Any, sm: Any, phase: str) -> None:
    _busy_endpoint(emulator, sm, phase)
    with pytest.raises(ClientError) as exc:
        sm.delete_endpoint(EndpointName="llama")
    # The same text as for UpdateEndpoint: SageMaker says "update" for deletes too.
    assert_error(exc.value, "ValidationException", "Cannot update in-progress endpoint")
    assert _status(sm, "llama") == phase


def test_retain_all_variant_properties_keeps_instance_counts(sm: Any) -> None:
    classic_endpoint(sm, "llama", instance_count=2)
    _config_with_count(sm, "llama-config-v2", "llama-model", 4)
    _config_with_count(sm, "llama-config-v3", "llama-model", 5)

    sm.update_endpoint(
        EndpointName="llama", EndpointConfigName="llama-config-v2", RetainAllVariantProperties=True
    )
    retained = sm.describe_endpoint(EndpointName="llama")
    assert retained["EndpointConfigName"] == "llama-config-v2"
    [variant] = retained["ProductionVariants"]
    assert variant["CurrentInstanceCount"] == variant["DesiredInstanceCount"] == 2

    sm.update_endpoint(EndpointName="llama", EndpointConfigName="llama-config-v3")
    [variant] = sm.describe_endpoint(EndpointName="llama")["ProductionVariants"]
    assert variant["CurrentInstanceCount"] == variant["DesiredInstanceCount"] == 5


def test_endpoint_keeps_running_when_its_config_is_deleted(sm: Any) -> None:
    classic_endpoint(sm, "llama")
    sm.delete_endpoint_config(EndpointConfigName="llama-config")
    described = sm.describe_endpoint(EndpointName="llama")
    assert described["EndpointStatus"] == "InService"
    assert described["EndpointConfigName"] == "llama-config"


# -- failures --------------------------------------------------------------------------------


def test_failed_create_ends_failed_with_reason(emulator: Any, sm: Any) -> None:
    create_model(sm, "llama-model")
    create_model_config(sm, "llama-config", "llama-model")
    emulator.control.fail("Endpoint", "llama", "Image pull failed: manifest unknown")
    emulator.control.set_transitions("describes:2")

    sm.create_endpoint(EndpointName="llama", EndpointConfigName="llama-config")
    assert _status(sm, "llama") == "Creating"
    failed = sm.describe_endpoint(EndpointName="llama")
    assert failed["EndpointStatus"] == "Failed"
    assert failed["FailureReason"] == "Image pull failed: manifest unknown"


def test_failed_update_rolls_back_to_the_old_config(emulator: Any, sm: Any) -> None:
    classic_endpoint(sm, "llama")
    create_model_config(sm, "llama-config-v2", "llama-model")
    emulator.control.fail("Endpoint", "llama", "Health check failed")
    emulator.control.set_transitions("describes:2")

    sm.update_endpoint(EndpointName="llama", EndpointConfigName="llama-config-v2")
    assert _status(sm, "llama") == "Updating"
    rolled_back = sm.describe_endpoint(EndpointName="llama")
    assert rolled_back["EndpointStatus"] == "InService"
    assert rolled_back["EndpointConfigName"] == "llama-config"
    assert rolled_back["FailureReason"] == "Health check failed"

    # The failure was for one update only: the next one goes through and clears the reason.
    sm.update_endpoint(EndpointName="llama", EndpointConfigName="llama-config-v2")
    sm.describe_endpoint(EndpointName="llama")
    fixed = sm.describe_endpoint(EndpointName="llama")
    assert fixed["EndpointStatus"] == "InService"
    assert fixed["EndpointConfigName"] == "llama-config-v2"
    assert "FailureReason" not in fixed


def test_failed_endpoint_can_only_be_deleted(emulator: Any, sm: Any) -> None:
    create_model(sm, "llama-model")
    create_model_config(sm, "llama-config", "llama-model")
    create_model_config(sm, "llama-config-v2", "llama-model")
    emulator.control.fail("Endpoint", "llama", "Insufficient capacity")
    sm.create_endpoint(EndpointName="llama", EndpointConfigName="llama-config")
    assert _status(sm, "llama") == "Failed"

    with pytest.raises(ClientError) as exc:
        sm.update_endpoint(EndpointName="llama", EndpointConfigName="llama-config-v2")
    assert_error(exc.value, "ValidationException")
    assert _status(sm, "llama") == "Failed"

    sm.delete_endpoint(EndpointName="llama")
    with pytest.raises(ClientError) as exc:
        sm.describe_endpoint(EndpointName="llama")
    assert_error(exc.value, "ValidationException", "Could not find endpoint")


# -- delete ----------------------------------------------------------------------------------


def test_delete_is_refused_while_inference_components_are_attached(sm: Any) -> None:
    ic_endpoint(sm)
    sm.create_inference_component(**ic_request())

    with pytest.raises(ClientError) as exc:
        sm.delete_endpoint(EndpointName="shared-gpu")
    assert_error(exc.value, "ValidationException")
    assert _status(sm, "shared-gpu") == "InService"

    sm.delete_inference_component(InferenceComponentName="llama-chat")
    sm.delete_endpoint(EndpointName="shared-gpu")
    assert sm.list_endpoints()["Endpoints"] == []


def test_delete_is_deleting_then_gone(emulator: Any, sm: Any) -> None:
    classic_endpoint(sm, "llama")
    emulator.control.set_transitions("describes:2")
    sm.delete_endpoint(EndpointName="llama")

    assert _status(sm, "llama") == "Deleting"
    with pytest.raises(ClientError) as exc:
        sm.describe_endpoint(EndpointName="llama")
    assert_error(exc.value, "ValidationException", "Could not find endpoint")
    assert sm.list_endpoints()["Endpoints"] == []


def test_endpoint_deleted_waiter(emulator: Any, sm: Any) -> None:
    classic_endpoint(sm, "llama")
    emulator.control.set_transitions("describes:1")
    sm.delete_endpoint(EndpointName="llama")
    sm.get_waiter("endpoint_deleted").wait(EndpointName="llama", WaiterConfig=FAST_WAIT)
    assert emulator.control.calls()["DescribeEndpoint"] == 1


def test_endpoint_in_service_waiter(emulator: Any, sm: Any) -> None:
    create_model(sm, "llama-model")
    create_model_config(sm, "llama-config", "llama-model")
    emulator.control.set_transitions("describes:3")
    sm.create_endpoint(EndpointName="llama", EndpointConfigName="llama-config")
    sm.get_waiter("endpoint_in_service").wait(EndpointName="llama", WaiterConfig=FAST_WAIT)
    assert emulator.control.calls()["DescribeEndpoint"] == 3


def test_endpoint_in_service_waiter_stops_on_failure(emulator: Any, sm: Any) -> None:
    create_model(sm, "llama-model")
    create_model_config(sm, "llama-config", "llama-model")
    emulator.control.fail("Endpoint", "llama", "Model failed to load")
    emulator.control.set_transitions("describes:2")
    sm.create_endpoint(EndpointName="llama", EndpointConfigName="llama-config")
    with pytest.raises(WaiterError) as exc:
        sm.get_waiter("endpoint_in_service").wait(EndpointName="llama", WaiterConfig=FAST_WAIT)
    assert exc.value.last_response["EndpointStatus"] == "Failed"
    assert emulator.control.calls()["DescribeEndpoint"] == 2


# -- list ------------------------------------------------------------------------------------


def _endpoint_names(response: dict[str, Any]) -> list[str]:
    return [e["EndpointName"] for e in response["Endpoints"]]


def test_list_endpoints_filters_by_status_and_name(emulator: Any, sm: Any) -> None:
    create_model(sm, "llama-model")
    create_model_config(sm, "llama-config", "llama-model")
    sm.create_endpoint(EndpointName="llama-ready", EndpointConfigName="llama-config")
    emulator.control.set_transitions("describes:10")
    sm.create_endpoint(EndpointName="llama-starting", EndpointConfigName="llama-config")
    sm.create_endpoint(EndpointName="mistral-starting", EndpointConfigName="llama-config")

    assert _endpoint_names(sm.list_endpoints(StatusEquals="InService")) == ["llama-ready"]
    assert _endpoint_names(sm.list_endpoints(StatusEquals="Creating")) == [
        "mistral-starting",
        "llama-starting",
    ]
    assert _endpoint_names(sm.list_endpoints(NameContains="llama")) == [
        "llama-starting",
        "llama-ready",
    ]
    assert _endpoint_names(sm.list_endpoints(NameContains="llama", StatusEquals="Creating")) == [
        "llama-starting"
    ]
    summary = sm.list_endpoints(StatusEquals="InService")["Endpoints"][0]
    assert summary["EndpointArn"] == f"{ARN_PREFIX}:endpoint/llama-ready"
    assert summary["EndpointStatus"] == "InService"


def test_list_endpoints_sort_and_pagination(sm: Any) -> None:
    create_model(sm, "llama-model")
    create_model_config(sm, "llama-config", "llama-model")
    names = [f"ep-{i:02d}" for i in range(12)]
    for name in names:
        sm.create_endpoint(EndpointName=name, EndpointConfigName="llama-config")

    first = sm.list_endpoints()
    assert _endpoint_names(first) == names[::-1][:10]
    assert first["NextToken"]
    assert _endpoint_names(sm.list_endpoints(NextToken=first["NextToken"])) == names[::-1][10:]

    ascending = sm.list_endpoints(SortBy="Name", SortOrder="Ascending", MaxResults=3)
    assert _endpoint_names(ascending) == names[:3]

    pages = list(
        sm.get_paginator("list_endpoints").paginate(
            SortBy="CreationTime", SortOrder="Ascending", PaginationConfig={"PageSize": 5}
        )
    )
    assert [len(p["Endpoints"]) for p in pages] == [5, 5, 2]
    assert [e["EndpointName"] for p in pages for e in p["Endpoints"]] == names


def test_ic_config_endpoint_describes_its_variant(sm: Any) -> None:
    create_ic_config(sm, "shared-gpu-config", instance_count=2)
    sm.create_endpoint(EndpointName="shared-gpu", EndpointConfigName="shared-gpu-config")
    [variant] = sm.describe_endpoint(EndpointName="shared-gpu")["ProductionVariants"]
    assert variant["VariantName"] == "AllTraffic"
    assert variant["CurrentInstanceCount"] == 2
    assert variant["RoutingConfig"] == {"RoutingStrategy": "LEAST_OUTSTANDING_REQUESTS"}
    assert "DeployedImages" not in variant


# -- what DescribeEndpoint fills in ---------------------------------------------------------------


def test_in_service_variant_summary(sm: Any) -> None:
    classic_endpoint(sm, "llama", instance_count=2)
    described = sm.describe_endpoint(EndpointName="llama")
    [variant] = described["ProductionVariants"]
    assert variant["VariantName"] == "AllTraffic"
    assert variant["CurrentWeight"] == variant["DesiredWeight"] == 1.0
    assert variant["CurrentInstanceCount"] == variant["DesiredInstanceCount"] == 2
    # An InService variant has no VariantStatus; the config's own fields are not echoed.
    assert "VariantStatus" not in variant
    assert "InstanceType" not in variant
    assert "InitialInstanceCount" not in variant


def test_deployed_images_carry_a_resolved_digest(sm: Any) -> None:
    classic_endpoint(sm, "llama")
    [variant] = sm.describe_endpoint(EndpointName="llama")["ProductionVariants"]
    [image] = variant["DeployedImages"]
    assert image["SpecifiedImage"] == IMAGE
    repository = IMAGE.rsplit(":", 1)[0]
    assert image["ResolvedImage"].startswith(f"{repository}@sha256:")
    digest = image["ResolvedImage"].split("@sha256:")[1]
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert "ResolutionTime" in image


def test_resolved_image_keeps_a_registry_port(sm: Any) -> None:
    image = "registry.example.com:5000/team/llama:1.2"
    create_model(sm, "llama-model", PrimaryContainer={"Image": image})
    create_model_config(sm, "llama-config", "llama-model")
    sm.create_endpoint(EndpointName="llama", EndpointConfigName="llama-config")
    [variant] = sm.describe_endpoint(EndpointName="llama")["ProductionVariants"]
    resolved = variant["DeployedImages"][0]["ResolvedImage"]
    assert resolved.startswith("registry.example.com:5000/team/llama@sha256:")


def test_creating_endpoint_has_no_variant_summaries_yet(emulator: Any, sm: Any) -> None:
    create_model(sm, "llama-model")
    create_model_config(sm, "llama-config", "llama-model")
    emulator.control.set_transitions("describes:2")
    sm.create_endpoint(EndpointName="llama", EndpointConfigName="llama-config")
    creating = sm.describe_endpoint(EndpointName="llama")
    assert creating["EndpointStatus"] == "Creating"
    assert "ProductionVariants" not in creating
    assert "ProductionVariants" in sm.describe_endpoint(EndpointName="llama")


def test_update_shows_the_pending_deployment_summary(emulator: Any, sm: Any) -> None:
    classic_endpoint(sm, "llama", instance_count=2)
    _config_with_count(sm, "llama-config-v2", "llama-model", 3)
    emulator.control.set_transitions("describes:2")
    sm.update_endpoint(EndpointName="llama", EndpointConfigName="llama-config-v2")

    updating = sm.describe_endpoint(EndpointName="llama")
    assert updating["EndpointStatus"] == "Updating"
    [running] = updating["ProductionVariants"]
    assert running["CurrentInstanceCount"] == 2
    pending = updating["PendingDeploymentSummary"]
    assert pending["EndpointConfigName"] == "llama-config-v2"
    [new] = pending["ProductionVariants"]
    assert new["CurrentInstanceCount"] == 0 and new["DesiredInstanceCount"] == 3
    assert new["CurrentWeight"] == 0.0 and new["DesiredWeight"] == 1.0
    assert new["InstanceType"] == "ml.m5.xlarge"
    [status] = new["VariantStatus"]
    assert status["Status"] == "Creating"
    assert status["StatusMessage"] == "Launching 3 instance(s)."
    assert "StartTime" in status

    done = sm.describe_endpoint(EndpointName="llama")
    assert done["EndpointStatus"] == "InService"
    assert "PendingDeploymentSummary" not in done
    assert done["ProductionVariants"][0]["CurrentInstanceCount"] == 3


def test_serverless_variant_summary(sm: Any) -> None:
    create_model(sm, "llama-model")
    serverless = {"MemorySizeInMB": 2048, "MaxConcurrency": 5}
    sm.create_endpoint_config(
        EndpointConfigName="serverless-config",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": "llama-model",
                "ServerlessConfig": serverless,
            }
        ],
    )
    sm.create_endpoint(EndpointName="llama", EndpointConfigName="serverless-config")
    [variant] = sm.describe_endpoint(EndpointName="llama")["ProductionVariants"]
    assert variant["CurrentServerlessConfig"] == variant["DesiredServerlessConfig"] == serverless
    assert variant["CurrentWeight"] == 1.0
    assert "CurrentInstanceCount" not in variant


CAPTURE = {
    "InitialSamplingPercentage": 20,
    "DestinationS3Uri": "s3://capture/llama/",
    "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
}


@pytest.mark.parametrize(
    ("enable", "status"), [(None, "Started"), (True, "Started"), (False, "Stopped")]
)
def test_data_capture_is_described_as_a_summary(sm: Any, enable: bool | None, status: str) -> None:
    capture = dict(CAPTURE) if enable is None else {**CAPTURE, "EnableCapture": enable}
    create_model(sm, "llama-model")
    create_model_config(sm, "llama-config", "llama-model", DataCaptureConfig=capture)
    sm.create_endpoint(EndpointName="llama", EndpointConfigName="llama-config")
    summary = sm.describe_endpoint(EndpointName="llama")["DataCaptureConfig"]
    assert summary == {
        "EnableCapture": enable is not False,
        "CaptureStatus": status,
        "CurrentSamplingPercentage": 20,
        "DestinationS3Uri": "s3://capture/llama/",
        # A required member of the summary: always answered.
        "KmsKeyId": "",
    }


def test_data_capture_summary_survives_the_config(sm: Any) -> None:
    create_model(sm, "llama-model")
    create_model_config(
        sm,
        "llama-config",
        "llama-model",
        DataCaptureConfig={**CAPTURE, "KmsKeyId": "alias/capture"},
    )
    sm.create_endpoint(EndpointName="llama", EndpointConfigName="llama-config")
    sm.delete_endpoint_config(EndpointConfigName="llama-config")
    summary = sm.describe_endpoint(EndpointName="llama")["DataCaptureConfig"]
    assert summary["KmsKeyId"] == "alias/capture"
    assert summary["CaptureStatus"] == "Started"


def test_shadow_variants_are_described_as_summaries(sm: Any) -> None:
    create_model(sm, "llama-model")
    create_model(sm, "llama-model-v2")
    sm.create_endpoint_config(
        EndpointConfigName="shadow-config",
        ProductionVariants=[
            {
                "VariantName": "Prod",
                "ModelName": "llama-model",
                "InstanceType": "ml.m5.xlarge",
                "InitialInstanceCount": 2,
            }
        ],
        ShadowProductionVariants=[
            {
                "VariantName": "Shadow",
                "ModelName": "llama-model-v2",
                "InstanceType": "ml.m5.xlarge",
                "InitialInstanceCount": 1,
                "InitialVariantWeight": 0.5,
            }
        ],
    )
    sm.create_endpoint(EndpointName="llama", EndpointConfigName="shadow-config")
    described = sm.describe_endpoint(EndpointName="llama")
    [shadow] = described["ShadowProductionVariants"]
    assert shadow["VariantName"] == "Shadow"
    assert shadow["CurrentWeight"] == shadow["DesiredWeight"] == 0.5
    assert shadow["CurrentInstanceCount"] == 1
    assert shadow["DeployedImages"][0]["SpecifiedImage"] == IMAGE


def test_metrics_config_is_described_with_its_defaults(sm: Any) -> None:
    create_ic_config(sm, "observed-config", MetricsConfig={"EnableEnhancedMetrics": True})
    sm.create_endpoint(EndpointName="shared-gpu", EndpointConfigName="observed-config")
    metrics = sm.describe_endpoint(EndpointName="shared-gpu")["MetricsConfig"]
    assert metrics == {"EnableEnhancedMetrics": True, "MetricPublishFrequencyInSeconds": 60}


def test_list_endpoints_summary_fields(sm: Any) -> None:
    classic_endpoint(sm, "llama")
    [summary] = sm.list_endpoints()["Endpoints"]
    assert set(summary) == {
        "EndpointName",
        "EndpointArn",
        "CreationTime",
        "LastModifiedTime",
        "EndpointStatus",
    }


# -- UpdateEndpointWeightsAndCapacities --------------------------------------------------------


def _two_variant_endpoint(sm: Any) -> None:
    create_model(sm, "llama-model")
    sm.create_endpoint_config(
        EndpointConfigName="ab-config",
        ProductionVariants=[
            {
                "VariantName": name,
                "ModelName": "llama-model",
                "InstanceType": "ml.m5.xlarge",
                "InitialInstanceCount": 1,
            }
            for name in ("Blue", "Green")
        ],
    )
    sm.create_endpoint(EndpointName="ab", EndpointConfigName="ab-config")


def _variants(sm: Any, name: str = "ab") -> dict[str, dict[str, Any]]:
    described = sm.describe_endpoint(EndpointName=name)
    return {v["VariantName"]: v for v in described["ProductionVariants"]}


def test_update_weights_and_capacities_desired_at_once_current_when_settled(
    emulator: Any, sm: Any
) -> None:
    _two_variant_endpoint(sm)
    emulator.control.set_transitions("describes:2")
    arn = sm.update_endpoint_weights_and_capacities(
        EndpointName="ab",
        DesiredWeightsAndCapacities=[
            {"VariantName": "Green", "DesiredWeight": 3.0, "DesiredInstanceCount": 4}
        ],
    )["EndpointArn"]
    assert arn == f"{ARN_PREFIX}:endpoint/ab"

    updating = sm.describe_endpoint(EndpointName="ab")
    assert updating["EndpointStatus"] == "Updating"
    green = {v["VariantName"]: v for v in updating["ProductionVariants"]}["Green"]
    assert green["DesiredWeight"] == 3.0 and green["DesiredInstanceCount"] == 4
    assert green["CurrentWeight"] == 1.0 and green["CurrentInstanceCount"] == 1
    assert green["VariantStatus"][0]["Status"] == "Updating"

    settled = _variants(sm)
    assert sm.describe_endpoint(EndpointName="ab")["EndpointStatus"] == "InService"
    green, blue = settled["Green"], settled["Blue"]
    assert green["CurrentWeight"] == green["DesiredWeight"] == 3.0
    assert green["CurrentInstanceCount"] == green["DesiredInstanceCount"] == 4
    assert "VariantStatus" not in green
    assert blue["CurrentWeight"] == 1.0 and blue["CurrentInstanceCount"] == 1
    # The endpoint still runs the same config.
    assert sm.describe_endpoint(EndpointName="ab")["EndpointConfigName"] == "ab-config"


def test_update_weights_and_capacities_refused_while_busy(emulator: Any, sm: Any) -> None:
    _two_variant_endpoint(sm)
    emulator.control.set_transitions("describes:5")
    change = [{"VariantName": "Blue", "DesiredWeight": 2.0}]
    sm.update_endpoint_weights_and_capacities(EndpointName="ab", DesiredWeightsAndCapacities=change)
    with pytest.raises(ClientError) as exc:
        sm.update_endpoint_weights_and_capacities(
            EndpointName="ab", DesiredWeightsAndCapacities=change
        )
    assert_error(exc.value, "ValidationException", "Cannot update in-progress endpoint")
    with pytest.raises(ClientError) as exc:
        sm.update_endpoint(EndpointName="ab", EndpointConfigName="ab-config")
    assert_error(exc.value, "ValidationException", "Cannot update in-progress endpoint")


def test_update_weights_and_capacities_refused_while_creating(emulator: Any, sm: Any) -> None:
    create_model(sm, "llama-model")
    create_model_config(sm, "llama-config", "llama-model")
    emulator.control.set_transitions("describes:3")
    sm.create_endpoint(EndpointName="llama", EndpointConfigName="llama-config")
    with pytest.raises(ClientError) as exc:
        sm.update_endpoint_weights_and_capacities(
            EndpointName="llama",
            DesiredWeightsAndCapacities=[{"VariantName": "AllTraffic", "DesiredInstanceCount": 2}],
        )
    assert_error(exc.value, "ValidationException", "Cannot update in-progress endpoint")


def test_update_weights_and_capacities_unknown_variant_is_refused(sm: Any) -> None:
    _two_variant_endpoint(sm)
    with pytest.raises(ClientError) as exc:
        sm.update_endpoint_weights_and_capacities(
            EndpointName="ab",
            DesiredWeightsAndCapacities=[
                {"VariantName": "Blue", "DesiredWeight": 2.0},
                {"VariantName": "Purple", "DesiredWeight": 2.0},
            ],
        )
    assert_error(exc.value, "ValidationException", contains='"Purple"')
    # Nothing changed, not even the variant named correctly.
    assert _variants(sm)["Blue"]["DesiredWeight"] == 1.0
    assert sm.describe_endpoint(EndpointName="ab")["EndpointStatus"] == "InService"


def test_update_weights_and_capacities_repeated_variant_is_refused(sm: Any) -> None:
    _two_variant_endpoint(sm)
    with pytest.raises(ClientError) as exc:
        sm.update_endpoint_weights_and_capacities(
            EndpointName="ab",
            DesiredWeightsAndCapacities=[
                {"VariantName": "Blue", "DesiredWeight": 2.0},
                {"VariantName": "Blue", "DesiredWeight": 3.0},
            ],
        )
    assert_error(exc.value, "ValidationException", contains="non-unique")


def test_update_weights_and_capacities_unknown_endpoint_is_not_found(sm: Any) -> None:
    with pytest.raises(ClientError) as exc:
        sm.update_endpoint_weights_and_capacities(
            EndpointName="nope",
            DesiredWeightsAndCapacities=[{"VariantName": "AllTraffic", "DesiredWeight": 1.0}],
        )
    assert_error(exc.value, "ValidationException", "Could not find endpoint")


def test_update_weights_and_capacities_of_a_serverless_variant(sm: Any) -> None:
    create_model(sm, "llama-model")
    sm.create_endpoint_config(
        EndpointConfigName="serverless-config",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": "llama-model",
                "ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 5},
            }
        ],
    )
    sm.create_endpoint(EndpointName="llama", EndpointConfigName="serverless-config")
    sm.update_endpoint_weights_and_capacities(
        EndpointName="llama",
        DesiredWeightsAndCapacities=[
            {"VariantName": "AllTraffic", "ServerlessUpdateConfig": {"MaxConcurrency": 10}}
        ],
    )
    [variant] = sm.describe_endpoint(EndpointName="llama")["ProductionVariants"]
    assert variant["CurrentServerlessConfig"] == {"MemorySizeInMB": 2048, "MaxConcurrency": 10}
    with pytest.raises(ClientError) as exc:
        sm.update_endpoint_weights_and_capacities(
            EndpointName="llama",
            DesiredWeightsAndCapacities=[{"VariantName": "AllTraffic", "DesiredInstanceCount": 2}],
        )
    assert_error(exc.value, "ValidationException", contains="serverless")


def test_failed_weights_update_rolls_back(emulator: Any, sm: Any) -> None:
    _two_variant_endpoint(sm)
    emulator.control.fail("Endpoint", "ab", "Insufficient capacity for ml.m5.xlarge")
    sm.update_endpoint_weights_and_capacities(
        EndpointName="ab",
        DesiredWeightsAndCapacities=[{"VariantName": "Blue", "DesiredInstanceCount": 9}],
    )
    described = sm.describe_endpoint(EndpointName="ab")
    assert described["EndpointStatus"] == "InService"
    assert described["FailureReason"] == "Insufficient capacity for ml.m5.xlarge"
    blue = {v["VariantName"]: v for v in described["ProductionVariants"]}["Blue"]
    assert blue["CurrentInstanceCount"] == blue["DesiredInstanceCount"] == 1
