"""A deployment that SageMaker rolls back is a failed apply, and what the resource runs on
again — the superseded model or endpoint config — is not retired from under it.
(Found while checking the outputs of a failed apply for secrets.)"""

from __future__ import annotations

from tests.reliability.verify import account_tags
from tests.support.env import Env


def _names(env: Env, kind: str) -> set[str]:
    return {entry.split("/", 1)[1] for entry in account_tags(env) if entry.startswith(kind + "/")}


def test_a_rolled_back_endpoint_update_fails_and_keeps_the_config_it_runs_on(fleet: Env) -> None:
    sm = fleet.sagemaker()
    running = sm.describe_endpoint(EndpointName="churn")["EndpointConfigName"]
    fleet.edit("classic/churn.yaml", "sagemaker-xgboost:1.7-1", "sagemaker-xgboost:1.7-2")
    fleet.control.fail("Endpoint", "churn", reason="Health check failed")
    run = fleet.apply()
    assert run.code == 1
    assert "Health check failed" in run.out
    assert sm.describe_endpoint(EndpointName="churn")["EndpointConfigName"] == running
    assert running in _names(fleet, "EndpointConfig")


def test_a_rolled_back_inference_component_update_fails_and_keeps_its_model(fleet: Env) -> None:
    sm = fleet.sagemaker()
    describe = sm.describe_inference_component
    running = describe(InferenceComponentName="llama-chat")["Specification"]["ModelName"]
    fleet.edit("shared-gpu/llama-chat.yaml", "llama-3-8b-instruct/", "llama-3-8b-instruct/v2/")
    fleet.control.fail("InferenceComponent", "llama-chat", reason="CUDA out of memory")
    run = fleet.apply()
    # The component is InService again on its old model, with FailureReason set.
    assert describe(InferenceComponentName="llama-chat")["Specification"]["ModelName"] == running
    assert running in _names(fleet, "Model")  # today: deleted by the retire step
    assert run.code == 1  # today: 0, "Apply: 1 updated, 1 replaced"
    assert "CUDA out of memory" in run.out
