"""The emulator's control API (/_emulator/...): call counters, reset, injected faults,
armed failures, transition timing; and moto still serving everything else."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

import pytest
from botocore.exceptions import ClientError, ParamValidationError
from botocore.retries.standard import ExponentialBackoff

from tests.support.factories import (
    IMAGE,
    ROLE_ARN,
    assert_error,
    create_model,
    create_model_config,
)


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore's retries without their sleeps (the retry decisions stay real)."""
    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0)


def _single_attempt(emulator: Any, service: str = "sagemaker") -> Any:
    """A client that sends each request exactly once. (botocore's `max_attempts` counts
    retries, not attempts: the `sm` fixture's max_attempts=1 still retries once.)"""
    return emulator.client(service, retries={"mode": "standard", "total_max_attempts": 1})


def _raw_control(emulator: Any, method: str, route: str, data: bytes) -> tuple[int, Any]:
    """Send `data` as is (not necessarily JSON) to the control API."""
    if emulator.url:
        request = urllib.request.Request(
            f"{emulator.url}/_emulator/{route}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read())
    from werkzeug.test import Client

    response = Client(emulator.app).open(
        f"/_emulator/{route}", method=method, data=data, content_type="application/json"
    )
    return response.status_code, response.get_json()


def _create_table(ddb: Any, name: str = "reconciler-state") -> None:
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


# -- calls -----------------------------------------------------------------------------------


def test_calls_count_every_call_by_operation(emulator: Any, sm: Any) -> None:
    assert emulator.control.calls() == {}
    create_model(sm, "a")
    create_model(sm, "b")
    with pytest.raises(ClientError):
        create_model(sm, "a")  # refused: already exists
    with pytest.raises(ClientError):
        sm.describe_model(ModelName="missing")
    raw = emulator.client("sagemaker", parameter_validation=False)
    with pytest.raises(ClientError):
        raw.create_model(
            ModelName="bad_name!", ExecutionRoleArn=ROLE_ARN, PrimaryContainer={"Image": IMAGE}
        )
    # Refused by botocore before sending: never reaches the emulator, so not counted.
    with pytest.raises(ParamValidationError):
        sm.create_model(ModelName="not-sent", PrimaryContainer="not-a-structure")
    sm.list_training_jobs()  # a moto operation
    ddb = emulator.client("dynamodb")
    _create_table(ddb)
    ddb.list_tables()
    ddb.list_tables()

    assert emulator.control.calls() == {
        "CreateModel": 4,
        "DescribeModel": 1,
        "ListTrainingJobs": 1,
        "CreateTable": 1,
        "ListTables": 2,
    }


def test_reset_empties_state_and_zeroes_counters(emulator: Any, sm: Any) -> None:
    create_model(sm, "llama-model")
    create_model_config(sm, "llama-config", "llama-model")
    sm.create_endpoint(EndpointName="llama", EndpointConfigName="llama-config")
    ddb = emulator.client("dynamodb")
    _create_table(ddb)
    ddb.put_item(TableName="reconciler-state", Item={"pk": {"S": "x"}})
    emulator.control.add_fault("ListModels", "ThrottlingException")
    emulator.control.fail("Endpoint", "other", "boom")
    assert emulator.control.calls()

    emulator.control.reset()

    assert emulator.control.calls() == {}
    assert emulator.control.faults() == []
    assert sm.list_models()["Models"] == []
    assert sm.list_endpoint_configs()["EndpointConfigs"] == []
    assert sm.list_endpoints()["Endpoints"] == []
    assert ddb.list_tables()["TableNames"] == []
    # The armed failure went too: "other" is created normally.
    create_model(sm, "llama-model")
    create_model_config(sm, "llama-config", "llama-model")
    sm.create_endpoint(EndpointName="other", EndpointConfigName="llama-config")
    assert sm.describe_endpoint(EndpointName="other")["EndpointStatus"] == "InService"
    assert emulator.control.calls() == {
        "ListModels": 1,
        "ListEndpointConfigs": 1,
        "ListEndpoints": 1,
        "ListTables": 1,
        "CreateModel": 1,
        "CreateEndpointConfig": 1,
        "CreateEndpoint": 1,
        "DescribeEndpoint": 1,
    }


# -- faults ----------------------------------------------------------------------------------


def test_throttling_is_retried_by_standard_mode(emulator: Any, no_backoff: None) -> None:
    emulator.control.add_fault("CreateModel", "ThrottlingException", count=2)
    client = emulator.client("sagemaker", retries={"mode": "standard", "max_attempts": 5})
    create_model(client, "llama-model")
    assert emulator.control.calls() == {"CreateModel": 3}
    assert client.describe_model(ModelName="llama-model")["ModelName"] == "llama-model"


def test_throttling_beyond_max_attempts_is_a_throttling_exception(
    emulator: Any, no_backoff: None
) -> None:
    # max_attempts=1 means one retry in botocore: two calls, both throttled.
    emulator.control.add_fault("CreateModel", "ThrottlingException", count=2)
    client = emulator.client("sagemaker", retries={"mode": "standard", "max_attempts": 1})
    with pytest.raises(ClientError) as exc:
        create_model(client, "llama-model")
    assert_error(exc.value, "ThrottlingException", "Rate exceeded", status=400)
    assert emulator.control.calls() == {"CreateModel": 2}
    assert emulator.control.faults()[0]["count"] == 0


def test_throttling_with_a_single_attempt(emulator: Any) -> None:
    emulator.control.add_fault("CreateModel", "ThrottlingException", count=2)
    with pytest.raises(ClientError) as exc:
        create_model(_single_attempt(emulator), "llama-model")
    assert_error(exc.value, "ThrottlingException", "Rate exceeded", status=400)
    assert emulator.control.calls() == {"CreateModel": 1}
    assert emulator.control.faults()[0]["count"] == 1


def test_internal_failure_is_http_500(emulator: Any) -> None:
    emulator.control.add_fault("DescribeModel", "InternalFailure", count=1)
    with pytest.raises(ClientError) as exc:
        _single_attempt(emulator).describe_model(ModelName="llama-model")
    assert_error(exc.value, "InternalFailure", status=500)


def test_internal_failure_is_retried(emulator: Any, no_backoff: None) -> None:
    create_model(emulator.client("sagemaker"), "llama-model")
    emulator.control.add_fault("DescribeModel", "InternalFailure", count=2)
    client = emulator.client("sagemaker", retries={"mode": "standard", "max_attempts": 3})
    assert client.describe_model(ModelName="llama-model")["ModelName"] == "llama-model"
    assert emulator.control.calls()["DescribeModel"] == 3


def test_fault_on_every_operation(emulator: Any) -> None:
    sm = _single_attempt(emulator)
    ddb = _single_attempt(emulator, "dynamodb")
    emulator.control.add_fault("*", "ThrottlingException", count=2)
    with pytest.raises(ClientError) as exc:
        sm.list_models()
    assert_error(exc.value, "ThrottlingException")
    with pytest.raises(ClientError) as exc:
        ddb.list_tables()
    assert_error(exc.value, "ThrottlingException")
    assert sm.list_models()["Models"] == []
    assert ddb.list_tables()["TableNames"] == []


def test_fault_only_hits_its_operation(emulator: Any) -> None:
    sm = _single_attempt(emulator)
    emulator.control.add_fault("CreateEndpoint", "ThrottlingException")
    create_model(sm, "llama-model")
    create_model_config(sm, "llama-config", "llama-model")
    with pytest.raises(ClientError) as exc:
        sm.create_endpoint(EndpointName="llama", EndpointConfigName="llama-config")
    assert_error(exc.value, "ThrottlingException")
    assert sm.list_endpoints()["Endpoints"] == []


def test_rate_zero_never_fires(emulator: Any, sm: Any) -> None:
    emulator.control.add_fault("CreateModel", "ThrottlingException", rate=0)
    for i in range(5):
        create_model(sm, f"model-{i}")
    assert emulator.control.calls() == {"CreateModel": 5}


def test_custom_message_and_status(emulator: Any) -> None:
    sm = _single_attempt(emulator)
    emulator.control.add_fault(
        "ListModels", "ServiceUnavailable", message="Service is down for maintenance", status=503
    )
    with pytest.raises(ClientError) as exc:
        sm.list_models()
    assert_error(exc.value, "ServiceUnavailable", "Service is down for maintenance", status=503)


def test_clear_faults(emulator: Any) -> None:
    sm = _single_attempt(emulator)
    fault_id = emulator.control.add_fault("ListModels", "ThrottlingException")
    [listed] = emulator.control.faults()
    assert listed["id"] == fault_id
    assert listed["operation"] == "ListModels"
    assert listed["error"] == "ThrottlingException"
    with pytest.raises(ClientError):
        sm.list_models()

    emulator.control.clear_faults()
    assert emulator.control.faults() == []
    assert sm.list_models()["Models"] == []


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"operation": "CreateModel"},
        {"operation": "CreateModel", "error": ""},
        {"operation": "", "error": "ThrottlingException"},
        {"operation": "CreateModel", "error": "ThrottlingException", "rate": 1.5},
        {"operation": "CreateModel", "error": "ThrottlingException", "rate": -0.1},
        {"operation": "CreateModel", "error": "ThrottlingException", "rate": "often"},
        {"operation": "CreateModel", "error": "ThrottlingException", "count": -1},
        {"operation": "CreateModel", "error": "ThrottlingException", "count": 1.5},
        {"operation": "CreateModel", "error": "ThrottlingException", "count": True},
        {"operation": "CreateModel", "error": "ThrottlingException", "status": 200},
        {"operation": "CreateModel", "error": "ThrottlingException", "probability": 0.5},
        ["CreateModel", "ThrottlingException"],
    ],
)
def test_malformed_fault_is_refused(emulator: Any, body: Any) -> None:
    status, answer = emulator.control._send("POST", "faults", body)
    assert status == 400
    assert answer["error"]
    assert emulator.control.faults() == []


def test_non_json_control_body_is_refused(emulator: Any) -> None:
    status, answer = _raw_control(emulator, "POST", "faults", b"operation=CreateModel")
    assert status == 400
    assert "JSON" in answer["error"]


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "Model", "name": "llama"},
        {"kind": "Endpoint"},
        {"kind": "Endpoint", "name": ""},
    ],
)
def test_malformed_fail_is_refused(emulator: Any, body: dict[str, Any]) -> None:
    status, answer = emulator.control._send("POST", "fail", body)
    assert status == 400
    assert answer["error"]


def test_unknown_route_and_method(emulator: Any) -> None:
    assert emulator.control._send("GET", "nothing-here", None)[0] == 404
    assert emulator.control._send("DELETE", "calls", None)[0] == 405
    assert emulator.control._send("GET", "reset", None)[0] == 405


# -- transitions -----------------------------------------------------------------------------


def test_transitions_config(emulator: Any) -> None:
    assert emulator.control.transitions() == "immediate"
    emulator.control.set_transitions("describes:3")
    assert emulator.control.transitions() == "describes:3"
    emulator.control.set_transitions("seconds:0.2")
    assert emulator.control.transitions() == "seconds:0.2"
    emulator.control.set_transitions("immediate")
    assert emulator.control.transitions() == "immediate"


@pytest.mark.parametrize(
    "value",
    [
        "describes:0",
        "describes:-1",
        "describes:x",
        "describes",
        "seconds:-1",
        "seconds:abc",
        "later",
        "",
    ],
)
def test_bad_transitions_are_refused(emulator: Any, value: str) -> None:
    emulator.control.set_transitions("describes:2")
    status, answer = emulator.control._send("POST", "config", {"transitions": value})
    assert status == 400
    assert answer["error"]
    assert emulator.control.transitions() == "describes:2"


def test_seconds_transitions(emulator: Any, sm: Any) -> None:
    create_model(sm, "llama-model")
    create_model_config(sm, "llama-config", "llama-model")
    emulator.control.set_transitions("seconds:0.2")
    sm.create_endpoint(EndpointName="llama", EndpointConfigName="llama-config")
    assert sm.describe_endpoint(EndpointName="llama")["EndpointStatus"] == "Creating"
    time.sleep(0.2)
    assert sm.describe_endpoint(EndpointName="llama")["EndpointStatus"] == "InService"


def test_list_calls_advance_describes_transitions(emulator: Any, sm: Any) -> None:
    """A client that polls with List (as SDK waiters may) sees the resource settle."""
    create_model(sm, "llama-model")
    create_model_config(sm, "llama-config", "llama-model")
    emulator.control.set_transitions("describes:2")
    sm.create_endpoint(EndpointName="llama", EndpointConfigName="llama-config")
    assert sm.list_endpoints()["Endpoints"][0]["EndpointStatus"] == "Creating"
    assert sm.list_endpoints()["Endpoints"][0]["EndpointStatus"] == "InService"


def test_list_and_describe_polls_count_together(emulator: Any, sm: Any) -> None:
    create_model(sm, "llama-model")
    create_model_config(sm, "llama-config", "llama-model")
    emulator.control.set_transitions("describes:3")
    sm.create_endpoint(EndpointName="llama", EndpointConfigName="llama-config")
    assert sm.list_endpoints()["Endpoints"][0]["EndpointStatus"] == "Creating"
    assert sm.describe_endpoint(EndpointName="llama")["EndpointStatus"] == "Creating"
    assert sm.list_endpoints()["Endpoints"][0]["EndpointStatus"] == "InService"


# -- moto behind the emulator ----------------------------------------------------------------


def test_moto_sagemaker_operations_still_work(sm: Any) -> None:
    arn = sm.create_notebook_instance(
        NotebookInstanceName="notebook", InstanceType="ml.t2.medium", RoleArn=ROLE_ARN
    )["NotebookInstanceArn"]
    assert arn == "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/notebook"
    described = sm.describe_notebook_instance(NotebookInstanceName="notebook")
    assert described["NotebookInstanceName"] == "notebook"
    assert sm.list_training_jobs()["TrainingJobSummaries"] == []


def test_dynamodb_through_the_emulator(emulator: Any) -> None:
    ddb = emulator.client("dynamodb")
    _create_table(ddb)
    ddb.put_item(TableName="reconciler-state", Item={"pk": {"S": "lock"}, "owner": {"S": "me"}})
    item = ddb.get_item(TableName="reconciler-state", Key={"pk": {"S": "lock"}})["Item"]
    assert item == {"pk": {"S": "lock"}, "owner": {"S": "me"}}


def _moto_api(emulator: Any, route: str) -> int:
    """POST to moto's own /moto-api/ routes (what moto's server-mode decorators call)."""
    if emulator.url:
        request = urllib.request.Request(f"{emulator.url}/moto-api/{route}", method="POST")
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status)
    from werkzeug.test import Client

    return int(Client(emulator.app).post(f"/moto-api/{route}").status_code)


def test_moto_reset_also_empties_our_resources(emulator: Any, sm: Any) -> None:
    create_model(sm, "llama-model", Tags=[{"Key": "team", "Value": "ml"}])
    create_model_config(sm, "llama-config", "llama-model")
    sm.create_endpoint(EndpointName="llama", EndpointConfigName="llama-config")
    ddb = emulator.client("dynamodb")
    _create_table(ddb)

    assert _moto_api(emulator, "reset") == 200

    assert sm.list_models()["Models"] == []
    assert sm.list_endpoint_configs()["EndpointConfigs"] == []
    assert sm.list_endpoints()["Endpoints"] == []
    assert ddb.list_tables()["TableNames"] == []
    assert (
        emulator.client("resourcegroupstaggingapi").get_resources()["ResourceTagMappingList"] == []
    )
    # The same name can be created again.
    create_model(sm, "llama-model")


# -- errors in each service's own protocol ----------------------------------------------------


@pytest.mark.parametrize(
    ("service", "operation", "call"),
    [
        ("iam", "GetRole", lambda c: c.get_role(RoleName="SageMakerExecution")),
        ("sts", "GetCallerIdentity", lambda c: c.get_caller_identity()),
        ("dynamodb", "ListTables", lambda c: c.list_tables()),
        ("sagemaker", "ListModels", lambda c: c.list_models()),
    ],
)
def test_injected_fault_reaches_the_client_in_its_own_protocol(
    emulator: Any, service: str, operation: str, call: Any
) -> None:
    """IAM and STS speak XML (query protocol): a JSON error body there would reach botocore
    as an unparseable answer instead of the error code."""
    emulator.control.add_fault(operation, "AccessDenied", status=403)
    client = _single_attempt(emulator, service)
    with pytest.raises(ClientError) as exc:
        call(client)
    assert exc.value.response["Error"]["Code"] == "AccessDenied"
    assert exc.value.response["Error"]["Message"] == "Injected fault: AccessDenied"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_moto_errors_from_iam_stay_xml(emulator: Any) -> None:
    iam = _single_attempt(emulator, "iam")
    with pytest.raises(ClientError) as exc:
        iam.get_role(RoleName="never-created")
    assert exc.value.response["Error"]["Code"] == "NoSuchEntity"
