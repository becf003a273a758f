"""SageMaker Runtime InvokeEndpoint as the emulator answers it through the real boto3
client: the answers set through ``/_emulator/invocations`` (per endpoint, per inference
component, per model serving it: the most specific wins), the default answer, a model's error as ModelError, and AWS's refusals of an
unknown endpoint, an endpoint that is not serving, a missing or unknown inference component
and an unknown target variant."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from reconciler.emulator.control_client import ControlError
from tests.support.factories import (
    assert_error,
    create_model,
    create_model_config,
    hand_made_endpoint,
    ic_endpoint,
    ic_request,
)

ACCOUNT = "123456789012"


@pytest.fixture
def runtime(emulator: Any) -> Any:
    return emulator.client("sagemaker-runtime")


def _invoke(runtime: Any, endpoint: str, **extra: Any) -> tuple[dict[str, Any], bytes]:
    answer = runtime.invoke_endpoint(
        EndpointName=endpoint, Body=b'{"inputs": "hi"}', ContentType="application/json", **extra
    )
    return answer, answer["Body"].read()


def test_an_endpoint_answers_what_the_control_api_set(sm: Any, runtime: Any, emulator: Any) -> None:
    hand_made_endpoint(sm, "classic")
    emulator.control.set_invocation("classic", body='{"label": "cat"}')
    answer, body = _invoke(runtime, "classic")
    assert json.loads(body) == {"label": "cat"}
    assert answer["ContentType"] == "application/json"
    assert answer["InvokedProductionVariant"] == "AllTraffic"
    assert emulator.control.calls()["InvokeEndpoint"] == 1


def test_with_nothing_set_the_model_answers_an_empty_json_object(sm: Any, runtime: Any) -> None:
    hand_made_endpoint(sm, "classic")
    _, body = _invoke(runtime, "classic", Accept="application/json")
    assert body == b"{}"


def test_a_model_error_is_a_model_error_with_the_original_status(
    sm: Any, runtime: Any, emulator: Any
) -> None:
    hand_made_endpoint(sm, "classic")
    emulator.control.set_invocation("classic", status=500, body="boom")
    with pytest.raises(ClientError) as err:
        _invoke(runtime, "classic")
    assert_error(err.value, "ModelError", "Received server error (500)", status=424)
    assert err.value.response["OriginalStatusCode"] == 500
    assert err.value.response["OriginalMessage"] == "boom"
    assert "/aws/sagemaker/Endpoints/classic" in err.value.response["LogStreamArn"]


def test_latency_is_waited_out(sm: Any, runtime: Any, emulator: Any) -> None:
    hand_made_endpoint(sm, "classic")
    emulator.control.set_invocation("classic", latency_ms=200)
    began = time.monotonic()
    _invoke(runtime, "classic")
    assert time.monotonic() - began >= 0.2


def test_an_unknown_endpoint_is_not_found(runtime: Any) -> None:
    with pytest.raises(ClientError) as err:
        _invoke(runtime, "nowhere")
    assert_error(
        err.value,
        "ValidationError",
        f"Endpoint nowhere of account {ACCOUNT} not found.",
        status=400,
    )


def test_an_endpoint_still_creating_does_not_serve(sm: Any, runtime: Any, emulator: Any) -> None:
    emulator.control.set_transitions("describes:5")
    hand_made_endpoint(sm, "classic")
    assert sm.describe_endpoint(EndpointName="classic")["EndpointStatus"] == "Creating"
    with pytest.raises(ClientError) as err:
        _invoke(runtime, "classic")
    assert_error(err.value, "ValidationError", "Endpoint classic of account")


def test_an_inference_component_answers_its_own_or_its_endpoints_answer(
    sm: Any, runtime: Any, emulator: Any
) -> None:
    ic_endpoint(sm)
    sm.create_inference_component(**ic_request("llama-chat"))
    create_model(sm, "other-model")
    sm.create_inference_component(**ic_request("other-chat", model="other-model"))
    emulator.control.set_invocation("shared-gpu", body='"endpoint"')
    emulator.control.set_invocation("shared-gpu", component="llama-chat", body='"llama"')
    _, body = _invoke(runtime, "shared-gpu", InferenceComponentName="llama-chat")
    assert body == b'"llama"'
    _, body = _invoke(runtime, "shared-gpu", InferenceComponentName="other-chat")
    assert body == b'"endpoint"'


def test_an_answer_for_a_model_applies_only_while_that_model_serves(
    sm: Any, runtime: Any, emulator: Any
) -> None:
    hand_made_endpoint(sm, "classic", config="old-config", model="old-model")
    create_model(sm, "new-model")
    create_model_config(sm, "new-config", "new-model")
    emulator.control.set_invocation("classic", body='"endpoint"')
    emulator.control.set_invocation("classic", model="new-model", status=500, body="crashed")
    emulator.control.set_invocation("classic", model="old-model", body='"old"')
    _, body = _invoke(runtime, "classic")
    assert body == b'"old"'
    # On the new config, the new model answers; back on the old one, the old one again.
    sm.update_endpoint(EndpointName="classic", EndpointConfigName="new-config")
    with pytest.raises(ClientError) as err:
        _invoke(runtime, "classic")
    assert err.value.response["OriginalMessage"] == "crashed"
    sm.update_endpoint(EndpointName="classic", EndpointConfigName="old-config")
    _, body = _invoke(runtime, "classic")
    assert body == b'"old"'
    # A model that answers nothing of its own takes the endpoint's answer.
    create_model(sm, "third-model")
    create_model_config(sm, "third-config", "third-model")
    sm.update_endpoint(EndpointName="classic", EndpointConfigName="third-config")
    _, body = _invoke(runtime, "classic")
    assert body == b'"endpoint"'


def test_while_an_update_deploys_the_old_model_answers(
    sm: Any, runtime: Any, emulator: Any
) -> None:
    hand_made_endpoint(sm, "classic", config="old-config", model="old-model")
    create_model(sm, "new-model")
    create_model_config(sm, "new-config", "new-model")
    emulator.control.set_invocation("classic", model="old-model", body='"old"')
    emulator.control.set_invocation("classic", model="new-model", body='"new"')
    emulator.control.set_transitions("describes:2")
    sm.update_endpoint(EndpointName="classic", EndpointConfigName="new-config")
    assert sm.describe_endpoint(EndpointName="classic")["EndpointStatus"] == "Updating"
    _, body = _invoke(runtime, "classic")
    assert body == b'"old"'
    assert sm.describe_endpoint(EndpointName="classic")["EndpointStatus"] == "InService"
    _, body = _invoke(runtime, "classic")
    assert body == b'"new"'


def test_the_most_specific_answer_wins_for_a_component(
    sm: Any, runtime: Any, emulator: Any
) -> None:
    ic_endpoint(sm)
    create_model(sm, "other-model")
    sm.create_inference_component(**ic_request("llama-chat"))
    control = emulator.control

    def answered() -> bytes:
        return _invoke(runtime, "shared-gpu", InferenceComponentName="llama-chat")[1]

    control.set_invocation("shared-gpu", body='"endpoint"')
    assert answered() == b'"endpoint"'
    control.set_invocation("shared-gpu", model="llama-model", body='"endpoint+model"')
    control.set_invocation("shared-gpu", model="other-model", body='"endpoint+other"')
    assert answered() == b'"endpoint+model"'
    control.set_invocation("shared-gpu", component="llama-chat", body='"component"')
    assert answered() == b'"component"'
    control.set_invocation(
        "shared-gpu", component="llama-chat", model="other-model", body='"component+other"'
    )
    assert answered() == b'"component"'
    control.set_invocation(
        "shared-gpu", component="LLAMA-CHAT", model="LLAMA-MODEL", body='"component+model"'
    )
    assert answered() == b'"component+model"'
    # The component moves to the other model: that model's answer, without setting it anew.
    sm.update_inference_component(
        InferenceComponentName="llama-chat",
        Specification={**ic_request("llama-chat")["Specification"], "ModelName": "other-model"},
    )
    assert answered() == b'"component+other"'


def test_an_inference_component_endpoint_needs_the_component_header(sm: Any, runtime: Any) -> None:
    ic_endpoint(sm)
    sm.create_inference_component(**ic_request("llama-chat"))
    with pytest.raises(ClientError) as err:
        _invoke(runtime, "shared-gpu")
    assert_error(err.value, "ValidationError", "Inference Component Name header is required")


def test_an_unknown_inference_component_is_refused(sm: Any, runtime: Any) -> None:
    ic_endpoint(sm)
    with pytest.raises(ClientError) as err:
        _invoke(runtime, "shared-gpu", InferenceComponentName="nobody")
    assert_error(err.value, "ValidationError", contains="nobody")


def test_an_unknown_target_variant_is_refused(sm: Any, runtime: Any) -> None:
    hand_made_endpoint(sm, "classic")
    _, body = _invoke(runtime, "classic", TargetVariant="AllTraffic")
    assert body == b"{}"
    with pytest.raises(ClientError) as err:
        _invoke(runtime, "classic", TargetVariant="Canary")
    assert_error(err.value, "ValidationError", contains="Canary")


def test_a_model_error_can_be_injected_per_component(sm: Any, runtime: Any, emulator: Any) -> None:
    ic_endpoint(sm)
    sm.create_inference_component(**ic_request("llama-chat"))
    emulator.control.set_invocation("shared-gpu", component="llama-chat", status=400, body="bad")
    with pytest.raises(ClientError) as err:
        _invoke(runtime, "shared-gpu", InferenceComponentName="llama-chat")
    assert_error(err.value, "ModelError", "Received client error (400)")


def test_reset_forgets_the_answers(sm: Any, runtime: Any, emulator: Any) -> None:
    emulator.control.set_invocation("classic", status=500)
    emulator.control.reset()
    hand_made_endpoint(sm, "classic")
    _, body = _invoke(runtime, "classic")
    assert body == b"{}"


def test_malformed_invocation_settings_are_refused(emulator: Any) -> None:
    with pytest.raises(ControlError, match="status"):
        emulator.control.set_invocation("classic", status=99)
    with pytest.raises(ControlError, match="latency_ms"):
        emulator.control.set_invocation("classic", latency_ms=-1)
    with pytest.raises(ControlError, match="model"):
        emulator.control.set_invocation("classic", model="")


def test_the_request_is_checked_against_the_api_model_server_side(sm: Any, emulator: Any) -> None:
    hand_made_endpoint(sm, "classic")
    # A client with validation off gets AWS's answer: a header beyond its 1024 characters.
    runtime = emulator.client("sagemaker-runtime", parameter_validation=False)
    with pytest.raises(ClientError) as err:
        runtime.invoke_endpoint(EndpointName="classic", Body=b"{}", CustomAttributes="x" * 1025)
    assert_error(err.value, "ValidationError", "1 validation error detected", status=400)
