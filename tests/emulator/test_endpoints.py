"""Endpoints: the asynchronous lifecycle (Creating/Updating/Deleting), failures and
rollbacks, the botocore waiters, and ListEndpoints."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError, WaiterError

from tests.emulator.factories import (
    IMAGE,
    assert_error,
    create_ic_config,
    create_model,
    create_model_config,
    ic_endpoint,
    ic_request,
)

ARN_PREFIX = "arn:aws:sagemaker:us-east-1:123456789012"
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
