"""Verified apply, end to end: an Endpoint's or InferenceComponent's declared checks run
once its rollout is ready and before what it superseded is retired; a failing check
reverts it (the endpoint serving throughout), holds the new spec and fails the apply;
``--skip-checks`` applies without them and says so; plan shows them."""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest

from reconciler.aws import AwsGateway, AwsSettings
from reconciler.controller.loop import Controller, ControllerSettings
from reconciler.resources import FAILED_SPEC_TAG
from tests.support.env import Env

OLD_DATA = "s3://example-models/churn/xgboost/model.tar.gz"
NEW_DATA = "s3://example-models/churn/xgboost/model-v2.tar.gz"
ENDPOINT_CHECKS = """
checks:
  invocations:
    - name: smoke
      body: {"features": [1, 2, 3]}
      contentType: application/json
      expect:
        status: 200
        json: {label: churn}
        maxLatencyMs: 5000
"""
LLAMA_OLD = "s3://example-models/llama-3-8b-instruct/model.tar.gz"
LLAMA_NEW = "s3://example-models/llama-3-8b-instruct/model-v2.tar.gz"
IC_CHECKS = """
checks:
  invocations:
    - name: chat
      body: '{"inputs": "hello"}'
      contentType: application/json
      expect: {bodyMatches: generated_text}
"""
SERVING = ("InService", "Updating", "SystemUpdating", "RollingBack")


def with_endpoint_checks(env: Env) -> None:
    path = env.directory / "classic" / "churn.yaml"
    path.write_text(path.read_text().rstrip("\n") + "\n" + ENDPOINT_CHECKS)


def _with_ic_checks(env: Env) -> None:
    path = env.directory / "shared-gpu" / "llama-chat.yaml"
    path.write_text(path.read_text().rstrip("\n") + "\n" + IC_CHECKS)


def _ic_deployed_with_checks(env: Env) -> str:
    """Apply the fleet with llama-chat's checks, its model answering well: the model the
    component runs."""
    _with_ic_checks(env)
    env.control.set_invocation(
        "shared-gpu", component="llama-chat", body='[{"generated_text": "hi"}]'
    )
    assert env.apply().code == 0
    described = env.sagemaker().describe_inference_component(InferenceComponentName="llama-chat")
    return str(described["Specification"]["ModelName"])


@contextmanager
def watching(sm: Any, endpoint: str) -> Iterator[list[str]]:
    """Every status the endpoint shows while the block runs (described continually)."""
    seen: list[str] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            seen.append(sm.describe_endpoint(EndpointName=endpoint)["EndpointStatus"])
            stop.wait(0.01)

    thread = threading.Thread(target=watch)
    thread.start()
    try:
        yield seen
    finally:
        stop.set()
        thread.join()


def _config_of(sm: Any, endpoint: str) -> str:
    return str(sm.describe_endpoint(EndpointName=endpoint)["EndpointConfigName"])


def _planned_name(env: Env, address: str) -> str:
    """The physical name the plan gives `address` (a Model's content-hash name)."""
    (change,) = [c for c in env.plan_json()["changes"] if c["address"] == address]
    return str(change["physical_name"])


def test_a_model_change_whose_check_passes_retires_the_old_config(env: Env) -> None:
    with_endpoint_checks(env)
    env.control.set_invocation("churn", body='{"label": "churn"}')
    assert env.apply().code == 0
    sm = env.sagemaker()
    old_config = _config_of(sm, "churn")

    env.edit("classic/churn.yaml", OLD_DATA, NEW_DATA)
    before = env.control.calls()
    code, writes, output = env.writes_during()
    assert code == 0, output
    assert env.control.calls()["InvokeEndpoint"] > before.get("InvokeEndpoint", 0)
    assert writes["DeleteEndpointConfig"] == 1 and writes["DeleteModel"] == 1
    assert _config_of(sm, "churn") != old_config
    names = {c["EndpointConfigName"] for c in sm.list_endpoint_configs()["EndpointConfigs"]}
    assert old_config not in names


def test_a_model_change_whose_check_fails_is_reverted_and_held(env: Env) -> None:
    with_endpoint_checks(env)
    # Each model answers for itself (the emulator's answers per model): the old one well.
    old_model = _planned_name(env, "Model/churn-xgboost")
    env.control.set_invocation("churn", model=old_model, body='{"label": "churn"}')
    assert env.apply().code == 0
    sm = env.sagemaker()
    old_config = _config_of(sm, "churn")

    # The new model answers garbage.
    env.edit("classic/churn.yaml", OLD_DATA, NEW_DATA)
    new_model = _planned_name(env, "Model/churn-xgboost")
    env.control.set_invocation("churn", model=new_model, status=500, body="model crashed")
    with watching(sm, "churn") as statuses:
        code, writes, output = env.writes_during()
    assert code == 1, output
    assert "check smoke failed: expected status 200, got 500" in output
    assert "model crashed" in output  # the evidence: the body excerpt
    assert f"reverted with UpdateEndpoint to EndpointConfig {old_config}" in output
    # Forward, then back; nothing retired.
    assert writes["UpdateEndpoint"] == 2
    assert "DeleteEndpointConfig" not in writes and "DeleteModel" not in writes
    assert statuses and all(status in SERVING for status in statuses), statuses
    assert sm.describe_endpoint(EndpointName="churn")["EndpointStatus"] == "InService"
    assert _config_of(sm, "churn") == old_config
    # The old model serves again: its own good answer, nothing set anew.
    answer = env.runtime().invoke_endpoint(EndpointName="churn", Body=b"{}")
    assert json.loads(answer["Body"].read()) == {"label": "churn"}

    # The next apply does not retry the held spec.
    code, writes, output = env.writes_during()
    assert code == 1
    assert "UpdateEndpoint" not in writes
    # ... and says why, though AWS keeps no FailureReason on an endpoint reverted in time.
    assert "held: this spec failed before (check smoke failed: expected status 200" in output
    assert _config_of(sm, "churn") == old_config

    # A changed manifest is tried again (and its model answers well).
    env.edit("classic/churn.yaml", NEW_DATA, NEW_DATA.replace("v2", "v3"))
    fixed_model = _planned_name(env, "Model/churn-xgboost")
    env.control.set_invocation("churn", model=fixed_model, body='{"label": "churn"}')
    code, writes, output = env.writes_during()
    assert code == 0, output
    assert _config_of(sm, "churn") != old_config


def test_an_inference_component_change_whose_check_fails_is_reverted(env: Env) -> None:
    _with_ic_checks(env)
    old_model = _planned_name(env, "Model/llama-model")
    env.control.set_invocation(
        "shared-gpu", component="llama-chat", model=old_model, body='[{"generated_text": "hi"}]'
    )
    assert env.apply().code == 0, "first apply"
    sm = env.sagemaker()
    before = sm.describe_inference_component(InferenceComponentName="llama-chat")
    assert before["Specification"]["ModelName"] == old_model

    env.edit("shared-gpu/llama-chat.yaml", LLAMA_OLD, LLAMA_NEW)
    new_model = _planned_name(env, "Model/llama-model")
    env.control.set_invocation(
        "shared-gpu", component="llama-chat", model=new_model, body="<html>oops</html>"
    )
    with watching(sm, "shared-gpu") as statuses:
        code, writes, output = env.writes_during()
    assert code == 1, output
    assert "check chat failed: the body does not match /generated_text/" in output
    assert f"reverted with UpdateInferenceComponent to model {old_model}" in output
    assert writes["UpdateInferenceComponent"] == 2
    assert "UpdateInferenceComponentRuntimeConfig" not in writes
    assert "DeleteModel" not in writes
    assert all(status in SERVING for status in statuses), statuses
    after = sm.describe_inference_component(InferenceComponentName="llama-chat")
    assert after["InferenceComponentStatus"] == "InService"
    assert after["Specification"]["ModelName"] == old_model
    assert after["RuntimeConfig"]["DesiredCopyCount"] == 2  # the count was not changed
    sm.describe_model(ModelName=old_model)  # still there
    # The old model answers again, nothing set anew.
    answer = env.runtime().invoke_endpoint(
        EndpointName="shared-gpu", InferenceComponentName="llama-chat", Body=b"{}"
    )
    assert b"generated_text" in answer["Body"].read()

    code, writes, output = env.writes_during()
    assert code == 1
    assert "UpdateInferenceComponent" not in writes
    assert "held: this spec failed before (check chat failed: the body does not match" in output


def test_a_copy_count_change_whose_check_fails_goes_back_to_the_old_count(env: Env) -> None:
    _ic_deployed_with_checks(env)
    sm = env.sagemaker()
    env.control.set_invocation("shared-gpu", component="llama-chat", body="<html>oops</html>")
    env.edit("shared-gpu/llama-chat.yaml", "CopyCount: 2", "CopyCount: 3")
    code, writes, output = env.writes_during()
    assert code == 1, output
    assert "reverted with UpdateInferenceComponentRuntimeConfig to 2 copies" in output
    # Only the count moved, and back: no redeploy of the unchanged specification.
    assert writes["UpdateInferenceComponentRuntimeConfig"] == 2
    assert "UpdateInferenceComponent" not in writes
    answer = sm.describe_inference_component(InferenceComponentName="llama-chat")
    assert answer["RuntimeConfig"]["DesiredCopyCount"] == 2
    # The next plan still sees the change, and holds it.
    code, writes, output = env.writes_during()
    assert code == 1
    assert not writes
    assert "held: this spec failed before (check chat failed" in output


def test_an_inference_component_change_whose_check_passes_retires_the_old_model(
    env: Env,
) -> None:
    old_model = _ic_deployed_with_checks(env)
    sm = env.sagemaker()
    env.edit("shared-gpu/llama-chat.yaml", LLAMA_OLD, LLAMA_NEW)
    code, writes, output = env.writes_during()
    assert code == 0, output
    assert writes["UpdateInferenceComponent"] == 1 and writes["DeleteModel"] == 1
    models = {m["ModelName"] for m in sm.list_models()["Models"]}
    assert old_model not in models


def test_skip_checks_applies_without_them_and_says_so(env: Env) -> None:
    from tests.support.receiver import receiving

    with_endpoint_checks(env)
    env.control.set_invocation("churn", body='{"label": "churn"}')
    with receiving() as webhook:
        assert env.apply("--notify", f"webhook:{webhook.url}").code == 0
        env.control.set_invocation("churn", status=500, body="model crashed")
        env.edit("classic/churn.yaml", OLD_DATA, NEW_DATA)
        before = env.control.calls().get("InvokeEndpoint", 0)
        run = env.apply("--skip-checks", "--notify", f"webhook:{webhook.url}")
    assert run.code == 0, run.out + run.err
    assert "WARNING: --skip-checks: checks are not run: Endpoint/churn" in run.err
    assert env.control.calls().get("InvokeEndpoint", 0) == before
    # The result event says which rollouts went out unproven; a checked apply's does not.
    checked, skipped = webhook.of_kind("apply_result")
    assert "checks_skipped" not in checked["details"]
    assert skipped["details"]["checks_skipped"] == ["Endpoint/churn"]


def test_a_terminal_shows_the_checks_and_the_revert(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_endpoint_checks(env)
    env.control.set_invocation("churn", body='{"label": "churn"}')
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)  # the live view
    run = env.apply()
    assert run.code == 0, run.out + run.err
    assert "\x1b[" in run.out  # it was the live view that drew
    assert "Endpoint/churn: InvokeEndpoint (check smoke)" in run.out
    assert "Endpoint/churn: checks passed after" in run.out

    env.control.set_invocation("churn", status=500, body="model crashed")
    env.edit("classic/churn.yaml", OLD_DATA, NEW_DATA)
    run = env.apply()
    assert run.code == 1, run.out + run.err
    assert (
        "Endpoint/churn: checks failed, reverting: check smoke failed: expected status 200, got 500"
    ) in run.out
    assert "Endpoint/churn: reverted with UpdateEndpoint to churn-" in run.out

    env.edit("classic/churn.yaml", NEW_DATA, NEW_DATA.replace("v2", "v3"))
    run = env.apply("--skip-checks")
    assert run.code == 0, run.out + run.err
    assert "Endpoint/churn: checks skipped (--skip-checks)" in run.out


def test_plan_shows_the_checks_that_will_run(env: Env) -> None:
    with_endpoint_checks(env)
    plan = env.plan_json()
    [change] = [c for c in plan["changes"] if c["address"] == "Endpoint/churn"]
    assert change["checks"] == {
        "invocations": [
            {
                "name": "smoke",
                "expect": {"status": 200, "json": {"label": "churn"}, "max_latency_ms": 5000},
            }
        ]
    }
    human = env.reconciler("plan", str(env.directory))
    assert "check: invoke smoke (expects status 200, label = 'churn', <= 5000 ms)" in human.out
    markdown = env.reconciler("plan", str(env.directory), "--format", "markdown")
    assert "check: invoke smoke" in markdown.out


ALARM_CHECKS = """
checks:
  alarms: [churn-errors]
  bakeSeconds: 1
"""


def _put_alarm(env: Env) -> None:
    cw = boto3.client("cloudwatch", endpoint_url=env.url, region_name="us-east-1")
    cw.put_metric_alarm(
        AlarmName="churn-errors",
        ComparisonOperator="GreaterThanThreshold",
        EvaluationPeriods=1,
        MetricName="Invocation5XXErrors",
        Namespace="AWS/SageMaker",
        Dimensions=[{"Name": "EndpointName", "Value": "churn"}],
        Period=60,
        Statistic="Sum",
        Threshold=1.0,
    )
    env.control.set_alarm_state("churn-errors", "OK")


def test_an_alarm_in_alarm_during_the_bake_reverts(env: Env) -> None:
    path = env.directory / "classic" / "churn.yaml"
    path.write_text(path.read_text().rstrip("\n") + "\n" + ALARM_CHECKS)
    _put_alarm(env)
    assert env.apply().code == 0
    sm = env.sagemaker()
    old_config = _config_of(sm, "churn")

    env.control.set_alarm_state("churn-errors", "ALARM", "5XX errors above 1")
    env.edit("classic/churn.yaml", OLD_DATA, NEW_DATA)
    code, writes, output = env.writes_during()
    assert code == 1, output
    assert "alarm churn-errors is in ALARM: 5XX errors above 1" in output
    assert "DeleteEndpointConfig" not in writes
    assert _config_of(sm, "churn") == old_config


def test_alarms_that_cannot_be_read_fail_the_checks_and_revert(env: Env) -> None:
    path = env.directory / "classic" / "churn.yaml"
    path.write_text(path.read_text().rstrip("\n") + "\n" + ALARM_CHECKS)
    _put_alarm(env)
    assert env.apply().code == 0
    sm = env.sagemaker()
    old_config = _config_of(sm, "churn")

    env.edit("classic/churn.yaml", OLD_DATA, NEW_DATA)
    # The plan reads the alarms as the apply's does; the bake's reading is refused.
    before = env.control.calls().get("DescribeAlarms", 0)
    assert env.reconciler("plan", str(env.directory)).code == 0
    planned = env.control.calls().get("DescribeAlarms", 0) - before
    env.control.add_fault(
        "DescribeAlarms", "AccessDeniedException", skip=planned, message="not allowed"
    )
    code, writes, output = env.writes_during()
    assert code == 1, output
    assert "DescribeAlarms refused: AccessDeniedException: not allowed" in output
    assert "reverted with UpdateEndpoint" in output
    assert writes["UpdateEndpoint"] == 2 and writes["AddTags"] == 1  # back, and held
    assert "DeleteEndpointConfig" not in writes
    assert _config_of(sm, "churn") == old_config

    env.control.clear_faults()
    code, writes, output = env.writes_during()
    assert code == 1
    assert "held: this spec failed before (DescribeAlarms refused" in output
    assert "UpdateEndpoint" not in writes


def test_a_create_whose_check_fails_is_kept_and_fails_the_apply(env: Env) -> None:
    with_endpoint_checks(env)
    env.control.set_invocation("churn", status=503, body="warming up")
    run = env.apply()
    assert run.code == 1
    assert "check smoke failed: expected status 200, got 503" in run.out + run.err
    assert "nothing to revert to" in run.out + run.err
    sm = env.sagemaker()
    assert sm.describe_endpoint(EndpointName="churn")["EndpointStatus"] == "InService"
    # The next apply finds it as declared: nothing is created again, no check re-run.
    before = env.control.calls()
    code, writes, output = env.writes_during()
    assert code == 0, output
    assert not {w for w in writes if w.startswith("Create")}
    assert env.control.calls()["InvokeEndpoint"] == before["InvokeEndpoint"]


def test_the_controller_runs_the_checks_and_reverts_too(env: Env, quiet_logs: None) -> None:
    with_endpoint_checks(env)
    env.control.set_invocation("churn", body='{"label": "churn"}')
    assert env.apply().code == 0
    sm = env.sagemaker()
    old_config = _config_of(sm, "churn")
    env.control.set_invocation("churn", status=500, body="model crashed")
    env.edit("classic/churn.yaml", OLD_DATA, NEW_DATA)
    settings = ControllerSettings(
        directory=str(env.directory), owner="default", mode="heal", poll_interval=0.01
    )
    controller = Controller(
        settings, AwsGateway(AwsSettings(endpoint_url=env.url, region="us-east-1"))
    )
    assert controller.reconcile() == "failed"
    assert _config_of(sm, "churn") == old_config
    names = {c["EndpointConfigName"] for c in sm.list_endpoint_configs()["EndpointConfigs"]}
    assert old_config in names


def test_checks_are_neither_spec_nor_drift(env: Env) -> None:
    assert env.apply().code == 0
    with_endpoint_checks(env)
    # Declaring (or changing) checks alone changes nothing in the account.
    assert env.reconciler("plan", str(env.directory), "--detailed-exitcode").code == 0
    env.edit("classic/churn.yaml", "maxLatencyMs: 5000", "maxLatencyMs: 100")
    assert env.reconciler("plan", str(env.directory), "--detailed-exitcode").code == 0


DECLARED_ALARM = """---
apiVersion: sagemaker-reconciler/v1
kind: Alarm
metadata:
  name: churn-errors
spec:
  ComparisonOperator: GreaterThanThreshold
  Dimensions:
    - Name: EndpointName
      Value: churn
  EvaluationPeriods: 1
  MetricName: Invocation5XXErrors
  Namespace: AWS/SageMaker
  Period: 60
  Statistic: Sum
  Threshold: 1
"""


def test_a_declared_alarm_is_put_before_the_checks_that_watch_it(env: Env) -> None:
    path = env.directory / "classic" / "churn.yaml"
    path.write_text(path.read_text().rstrip("\n") + "\n" + ALARM_CHECKS + DECLARED_ALARM)
    plan = env.plan_json()
    [change] = [c for c in plan["changes"] if c["address"] == "Endpoint/churn"]
    assert "Alarm/churn-errors" in change["depends_on"]
    assert change["checks"] == {"invocations": [], "alarms": ["churn-errors"], "bake_seconds": 1}
    run = env.apply()
    assert run.code == 0, run.out + run.err


def test_a_revert_that_fails_keeps_the_evidence_and_retires_nothing(env: Env) -> None:
    with_endpoint_checks(env)
    env.control.set_invocation("churn", body='{"label": "churn"}')
    assert env.apply().code == 0
    env.control.set_invocation("churn", status=500, body="model crashed")
    # The forward UpdateEndpoint goes through; the revert is refused.
    env.control.add_fault(
        "UpdateEndpoint", "ValidationException", count=1, skip=1, message="refused for the test"
    )
    env.edit("classic/churn.yaml", OLD_DATA, NEW_DATA)
    code, writes, output = env.writes_during()
    assert code == 1, output
    assert "check smoke failed: expected status 200, got 500" in output
    assert "the revert failed: ValidationException: refused for the test" in output
    assert "DeleteEndpointConfig" not in writes and "DeleteModel" not in writes


def test_a_revert_that_sagemaker_rolls_back_is_a_failed_revert(env: Env) -> None:
    with_endpoint_checks(env)
    env.control.set_invocation("churn", body='{"label": "churn"}')
    assert env.apply().code == 0
    sm = env.sagemaker()
    old_config = _config_of(sm, "churn")
    # The new model answers garbage, slowly: while its check runs, the next update of the
    # endpoint (the revert) is armed to fail, and SageMaker rolls it back.
    env.control.set_invocation("churn", status=500, body="model crashed", latency_ms=1500)
    env.edit("classic/churn.yaml", OLD_DATA, NEW_DATA)
    invoked = env.control.calls().get("InvokeEndpoint", 0)
    stop = threading.Event()

    def arm() -> None:
        while not stop.wait(0.05):
            if env.control.calls().get("InvokeEndpoint", 0) > invoked:
                env.control.fail("Endpoint", "churn", "revert failed: no capacity")
                return

    arming = threading.Thread(target=arm)
    arming.start()
    try:
        code, writes, output = env.writes_during()
    finally:
        stop.set()
        arming.join()
    assert code == 1, output
    assert "check smoke failed: expected status 200, got 500" in output
    assert (
        f"the revert failed: UpdateEndpoint back to EndpointConfig {old_config} rolled back: "
        "revert failed: no capacity"
    ) in output
    assert "reverted with" not in output
    assert writes["UpdateEndpoint"] == 2 and writes["AddTags"] == 1  # tried back; held
    assert "DeleteEndpointConfig" not in writes and "DeleteModel" not in writes
    # The failing config is still live, and the one to go back to is still there.
    assert _config_of(sm, "churn") != old_config
    assert old_config in _config_names(sm)
    # ... and stays there: the next apply holds the failing spec that serves, and what it
    # superseded with it (it is what a person goes back to).
    code, writes, output = env.writes_during()
    assert code == 1 and not writes, writes
    assert "held: this spec failed its checks (check smoke failed" in output
    assert old_config in _config_names(sm)


def test_a_revert_keeps_the_instance_count_of_a_scaled_variant(env: Env) -> None:
    from tests.support.autoscaling import CHURN, INSTANCE_COUNT, target

    (env.directory / "classic" / "churn-autoscaling.yaml").write_text(
        target("churn-instances", CHURN, INSTANCE_COUNT, 1, 4)
    )
    with_endpoint_checks(env)
    env.control.set_invocation("churn", body='{"label": "churn"}')
    assert env.apply().code == 0
    sm = env.sagemaker()
    old_config = _config_of(sm, "churn")
    env.control.scale(CHURN, INSTANCE_COUNT, 3)

    env.control.set_invocation("churn", status=500, body="model crashed")
    env.edit("classic/churn.yaml", OLD_DATA, NEW_DATA)
    code, writes, output = env.writes_during()
    assert code == 1, output
    assert "reverted with UpdateEndpoint" in output and writes["UpdateEndpoint"] == 2
    answer = sm.describe_endpoint(EndpointName="churn")
    assert answer["EndpointConfigName"] == old_config
    # The scaler's count, not the config's InitialInstanceCount of 1.
    assert answer["ProductionVariants"][0]["CurrentInstanceCount"] == 3


def test_a_revert_is_deployed_as_the_update_without_its_rollback_alarms(env: Env) -> None:
    deployed = _deployed_by_a_revert(
        env,
        "  DeploymentConfig:\n"
        "    BlueGreenUpdatePolicy:\n"
        "      TrafficRoutingConfiguration: {Type: ALL_AT_ONCE, WaitIntervalInSeconds: 0}\n"
        "    AutoRollbackConfiguration:\n"
        "      Alarms: [{AlarmName: churn-errors}]\n",
    )
    # The same traffic shifting; no alarms that would roll the revert back onto the
    # failing version while they still see its errors.
    assert deployed == {
        "BlueGreenUpdatePolicy": {
            "TrafficRoutingConfiguration": {"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 0}
        }
    }


def test_a_revert_does_not_retain_the_deployment_config_whose_alarms_it_strips(
    env: Env,
) -> None:
    # RetainDeploymentConfig reuses the last deployment config: the update's, alarms and
    # all. The revert must not reuse it, or the alarms it strips come back.
    deployed = _deployed_by_a_revert(
        env,
        "  RetainDeploymentConfig: true\n"
        "  DeploymentConfig:\n"
        "    AutoRollbackConfiguration:\n"
        "      Alarms: [{AlarmName: churn-errors}]\n",
    )
    assert "AutoRollbackConfiguration" not in (deployed or {}), deployed


def _deployed_by_a_revert(env: Env, deployment: str) -> dict[str, Any] | None:
    """Deploy churn with `deployment` (spec lines) and its checks, then a model change
    whose checks fail: the LastDeploymentConfig the revert leaves."""
    _put_alarm(env)
    env.edit(
        "classic/churn.yaml",
        "  EndpointConfigName: churn\n",
        "  EndpointConfigName: churn\n" + deployment,
    )
    with_endpoint_checks(env)
    env.control.set_invocation("churn", body='{"label": "churn"}')
    assert env.apply().code == 0
    env.control.set_invocation("churn", status=500, body="model crashed")
    env.edit("classic/churn.yaml", OLD_DATA, NEW_DATA)
    code, _, output = env.writes_during()
    assert code == 1 and "reverted with UpdateEndpoint" in output, output
    found = env.sagemaker().describe_endpoint(EndpointName="churn").get("LastDeploymentConfig")
    return dict(found) if found is not None else None


def test_a_revert_is_notified_once_with_the_check_s_evidence(env: Env) -> None:
    from tests.support.receiver import receiving, wait_until

    with_endpoint_checks(env)
    env.control.set_invocation("churn", body='{"label": "churn"}')
    assert env.apply().code == 0
    old_config = _config_of(env.sagemaker(), "churn")
    env.control.set_invocation("churn", status=500, body="model crashed")
    env.edit("classic/churn.yaml", OLD_DATA, NEW_DATA)
    with receiving() as webhook, receiving() as slack:
        run = env.apply("--notify", f"webhook:{webhook.url}", "--notify", f"slack:{slack.url}")
        assert run.code == 1, run.out + run.err
        assert wait_until(lambda: "revert" in webhook.kinds()), webhook.kinds()
        (revert,) = webhook.of_kind("revert")
        # Slack gets the revert too (then the failed result), as text with the evidence.
        assert wait_until(lambda: len(slack.bodies) == 2), slack.bodies
    assert revert["address"] == "Endpoint/churn"
    assert "reverted with UpdateEndpoint" in revert["message"]
    details = revert["details"]
    assert details["operation"] == "UpdateEndpoint"
    assert details["reverted_to"] == old_config
    (failure,) = details["failures"]
    assert isinstance(failure, str) and "model crashed" in failure
    assert "model crashed" in json.dumps(revert["details"])
    assert "notification_failed" not in run.err
    text = slack.bodies[0]["text"]
    assert text.startswith("❌ [revert] Endpoint/churn: reverted with UpdateEndpoint"), text
    assert "• check smoke failed: expected status 200, got 500 (status 500" in text
    assert "body 'model crashed')" in text
    assert "[apply_result] apply failed" in slack.bodies[1]["text"]


def _config_names(sm: Any) -> set[str]:
    return {c["EndpointConfigName"] for c in sm.list_endpoint_configs()["EndpointConfigs"]}


def _until_in_service(status: Callable[[], str], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while status() != "InService":
        assert time.monotonic() < deadline, "still not InService"
        time.sleep(0.2)


def _rollout_cut_short(env: Env, *, new_answers: dict[str, Any], finish: bool) -> str:
    """Apply the churn endpoint with its checks, then a model change whose apply gives up
    waiting between UpdateEndpoint and the checks (``--timeout``); with `finish`, wait
    until that update has ended. The config the endpoint ran before."""
    with_endpoint_checks(env)
    env.control.set_invocation("churn", body='{"label": "churn"}')
    assert env.apply().code == 0
    sm = env.sagemaker()
    old_config = _config_of(sm, "churn")
    env.control.set_invocation("churn", **new_answers)
    env.edit("classic/churn.yaml", OLD_DATA, NEW_DATA)
    env.control.set_transitions("seconds:3")
    gave_up = env.apply("--timeout", "1s")
    assert gave_up.code == 1 and "gave up waiting" in gave_up.out + gave_up.err
    assert old_config in _config_names(sm)  # not retired: its checks have not run
    if finish:
        _until_in_service(lambda: sm.describe_endpoint(EndpointName="churn")["EndpointStatus"])
        assert _config_of(sm, "churn") != old_config  # the new config runs, unchecked
    env.control.set_transitions("describes:1")
    return old_config


def test_an_update_still_in_flight_when_apply_gave_up_is_checked_and_reverted_next(
    env: Env,
) -> None:
    sm = env.sagemaker()
    old_config = _rollout_cut_short(
        env, new_answers={"status": 500, "body": "model crashed"}, finish=False
    )
    code, writes, output = env.writes_during()
    assert code == 1, output
    assert "check smoke failed: expected status 200, got 500" in output
    # Back onto what the plan read it running before the update ended, not onto the
    # config the update reached.
    assert "reverted with UpdateEndpoint" in output
    assert _config_of(sm, "churn") == old_config
    assert "DeleteEndpointConfig" not in writes and "DeleteModel" not in writes


def test_a_rollout_whose_checks_never_ran_is_checked_and_reverted_by_the_next_apply(
    env: Env,
) -> None:
    """An apply that stopped between the update and the checks leaves the new config live
    and the old one unretired: the next apply runs the checks before retiring anything,
    and reverts onto the old config when they fail."""
    sm = env.sagemaker()
    old_config = _rollout_cut_short(
        env, new_answers={"status": 500, "body": "model crashed"}, finish=True
    )
    plan = env.reconciler("plan", str(env.directory), "--json")
    changes = {c["address"]: c for c in json.loads(plan.out)["changes"]}
    endpoint = changes["Endpoint/churn"]
    assert endpoint["reason_code"] == "unverified" and "checks" in endpoint
    assert endpoint["operations"] == []  # nothing to send: it runs the new config

    before = env.control.calls().get("InvokeEndpoint", 0)
    code, writes, output = env.writes_during()
    assert code == 1, output
    assert env.control.calls()["InvokeEndpoint"] > before
    assert "check smoke failed: expected status 200, got 500" in output
    assert "reverted with UpdateEndpoint" in output and writes["UpdateEndpoint"] == 1
    assert _config_of(sm, "churn") == old_config
    assert "DeleteEndpointConfig" not in writes and "DeleteModel" not in writes

    # Held from now on; the old config serves, and nothing is retired.
    code, writes, output = env.writes_during()
    assert code == 1 and not writes, writes
    assert "held: this spec failed before (check smoke failed" in output
    assert _config_of(sm, "churn") == old_config and old_config in _config_names(sm)


def test_a_rollout_whose_checks_never_ran_and_pass_is_retired_by_the_next_apply(
    env: Env,
) -> None:
    sm = env.sagemaker()
    old_config = _rollout_cut_short(env, new_answers={"body": '{"label": "churn"}'}, finish=True)
    before = env.control.calls().get("InvokeEndpoint", 0)
    code, writes, output = env.writes_during()
    assert code == 0, output
    assert env.control.calls()["InvokeEndpoint"] > before
    assert "UpdateEndpoint" not in writes  # it runs the new config already
    assert writes["DeleteEndpointConfig"] == 1
    assert old_config not in _config_names(sm) and _config_of(sm, "churn") != old_config
    assert env.reconciler("plan", str(env.directory), "--detailed-exitcode").code == 0


def test_fixing_a_checks_expectation_releases_the_hold(env: Env) -> None:
    # The new model is right, the check's expectation was wrong: editing the check alone
    # tries the spec again.
    with_endpoint_checks(env)
    env.control.set_invocation("churn", body='{"label": "churn"}')
    assert env.apply().code == 0
    env.control.set_invocation("churn", body='{"label": "stay"}')
    env.edit("classic/churn.yaml", OLD_DATA, NEW_DATA)
    assert env.apply().code == 1
    env.edit("classic/churn.yaml", "json: {label: churn}", "json: {label: stay}")
    code, writes, output = env.writes_during()
    assert code == 0, output
    assert writes["UpdateEndpoint"] == 1 and writes["DeleteEndpointConfig"] == 1


def test_a_component_rollout_whose_checks_never_ran_is_held_with_its_old_model_kept(
    env: Env,
) -> None:
    """An inference component cannot tell what it ran before from what it runs now (the
    new spec may change more than the model): when the checks of a rollout cut short fail,
    it is kept as it runs, held, and the model it moved off stays for a person to go
    back to."""
    old_model = _ic_deployed_with_checks(env)
    sm = env.sagemaker()
    env.control.set_invocation("shared-gpu", component="llama-chat", body="<html>oops</html>")
    env.edit("shared-gpu/llama-chat.yaml", LLAMA_OLD, LLAMA_NEW)
    env.control.set_transitions("seconds:3")
    assert env.apply("--timeout", "1s").code == 1
    _until_in_service(
        lambda: sm.describe_inference_component(InferenceComponentName="llama-chat")[
            "InferenceComponentStatus"
        ]
    )
    env.control.set_transitions("describes:1")

    code, writes, output = env.writes_during()
    assert code == 1, output
    assert "check chat failed" in output and "nothing to revert to" in output
    assert "DeleteModel" not in writes and not any(w.startswith("Update") for w in writes)
    code, writes, output = env.writes_during()
    assert code == 1 and not writes, writes
    assert "held: this spec failed its checks (check chat failed" in output
    sm.describe_model(ModelName=old_model)  # kept


def test_a_replace_whose_check_fails_is_kept_and_held_like_a_create(env: Env) -> None:
    """A Failed endpoint is replaced (delete, then create): there is nothing to revert to."""
    with_endpoint_checks(env)
    env.control.fail("Endpoint", "churn", "capacity error for the test")
    assert env.apply().code == 1
    sm = env.sagemaker()
    assert sm.describe_endpoint(EndpointName="churn")["EndpointStatus"] == "Failed"

    env.control.set_invocation("churn", status=500, body="model crashed")
    env.edit("classic/churn.yaml", OLD_DATA, NEW_DATA)  # a new spec: not held
    plan = env.plan_json()
    [change] = [c for c in plan["changes"] if c["address"] == "Endpoint/churn"]
    assert change["action"] == "replace" and "checks" in change, change
    code, writes, output = env.writes_during()
    assert code == 1, output
    assert writes["DeleteEndpoint"] == 1 and writes["CreateEndpoint"] == 1
    assert "check smoke failed: expected status 200, got 500" in output
    assert "nothing to revert to" in output
    assert "UpdateEndpoint" not in writes  # no revert
    # Kept as created, InService on the new config, its spec tagged failed; the next
    # apply changes nothing and runs no check.
    endpoint = sm.describe_endpoint(EndpointName="churn")
    assert endpoint["EndpointStatus"] == "InService"
    tags = {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=endpoint["EndpointArn"])["Tags"]}
    assert "check smoke failed" in tags[FAILED_SPEC_TAG]
    before = env.control.calls()
    code, writes, output = env.writes_during()
    assert code == 0, output
    assert not {w for w in writes if w.startswith(("Create", "Update", "Delete"))}, writes
    assert env.control.calls()["InvokeEndpoint"] == before["InvokeEndpoint"]


def _tags_of_endpoint(sm: Any, name: str = "churn") -> dict[str, str]:
    arn = sm.describe_endpoint(EndpointName=name)["EndpointArn"]
    return {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=arn)["Tags"]}


def test_a_rollout_that_passed_is_not_checked_again_while_its_old_config_lingers(
    env: Env,
) -> None:
    """churn's new model passes its checks while, in the same apply, shared-gpu's update
    is rolled back and held: churn's old config waits for that (every endpoint's move
    does). Later passes know churn's rollout was proven (its verified marker) and neither
    re-run its checks nor revert it when its model has a bad minute."""
    from reconciler.resources import VERIFIED_TAG

    with_endpoint_checks(env)
    env.control.set_invocation("churn", body='{"label": "churn"}')
    assert env.apply().code == 0
    sm = env.sagemaker()
    old = _config_of(sm, "churn")
    env.edit("classic/churn.yaml", OLD_DATA, NEW_DATA)
    env.edit("shared-gpu/endpoint.yaml", "InitialInstanceCount: 1", "InitialInstanceCount: 2")
    env.control.fail("Endpoint", "shared-gpu", "capacity error for the test")
    assert env.apply().code == 1
    new = _config_of(sm, "churn")
    assert new != old and old in _config_names(sm)
    assert VERIFIED_TAG in _tags_of_endpoint(sm)

    env.control.set_invocation("churn", status=503, body="blip")  # a bad minute
    for _ in range(2):
        plan = env.plan_json()
        assert "Endpoint/churn" not in {c["address"] for c in plan["changes"]}
        before = env.control.calls().get("InvokeEndpoint", 0)
        code, writes, _ = env.writes_during()
        assert code == 1  # shared-gpu is held
        assert env.control.calls().get("InvokeEndpoint", 0) == before
        assert "UpdateEndpoint" not in writes
    assert _config_of(sm, "churn") == new


def test_a_rollout_cut_short_after_an_update_that_rolled_back_is_held_not_guessed(
    env: Env,
) -> None:
    """Two old configs wait for retirement (one SageMaker rolled back onto the first, then
    a rollout cut short): which one served cannot be told, so a failing check holds the
    new spec and keeps both rather than going back to one that may never have served."""
    with_endpoint_checks(env)
    env.control.set_invocation("churn", body='{"label": "churn"}')
    assert env.apply().code == 0
    sm = env.sagemaker()
    first = _config_of(sm, "churn")
    env.edit("classic/churn.yaml", "InitialInstanceCount: 1", "InitialInstanceCount: 2")
    env.control.fail("Endpoint", "churn", "capacity error for the test")
    assert env.apply().code == 1  # rolled back onto the first config
    assert _config_of(sm, "churn") == first
    env.control.set_invocation("churn", status=500, body="model crashed")
    env.edit("classic/churn.yaml", OLD_DATA, NEW_DATA)
    env.control.set_transitions("seconds:3")
    assert env.apply("--timeout", "1s").code == 1
    _until_in_service(lambda: sm.describe_endpoint(EndpointName="churn")["EndpointStatus"])
    env.control.set_transitions("describes:1")
    configs = _config_names(sm)
    assert first in configs and len(configs) >= 3

    code, writes, output = env.writes_during()
    assert code == 1, output
    assert "nothing to revert to: the Endpoint is kept as it runs" in output
    assert "UpdateEndpoint" not in writes and "DeleteEndpointConfig" not in writes
    code, writes, output = env.writes_during()
    assert code == 1 and not writes, writes
    assert "held: this spec failed its checks" in output
    assert _config_names(sm) == configs


def test_stopping_during_the_bake_is_no_verdict(env: Env, quiet_logs: None) -> None:
    """A controller stopped (SIGTERM) while a rollout bakes neither reverts nor holds it:
    the next pass runs the checks again."""
    path = env.directory / "classic" / "churn.yaml"
    path.write_text(
        path.read_text().rstrip("\n") + "\nchecks:\n  alarms: [churn-errors]\n  bakeSeconds: 30\n"
    )
    _put_alarm(env)
    assert env.apply().code == 0
    sm = env.sagemaker()
    env.edit("classic/churn.yaml", OLD_DATA, NEW_DATA)  # a good rollout; the alarm stays OK
    settings = ControllerSettings(
        directory=str(env.directory), owner="default", mode="heal", poll_interval=0.01
    )
    controller = Controller(
        settings, AwsGateway(AwsSettings(endpoint_url=env.url, region="us-east-1"))
    )
    results: list[str] = []
    thread = threading.Thread(target=lambda: results.append(controller.reconcile()))
    thread.start()
    deadline = time.monotonic() + 20
    while env.control.calls().get("DescribeAlarms", 0) < 2:  # baking
        assert time.monotonic() < deadline
        time.sleep(0.05)
    controller.stop.set()
    thread.join(20)
    assert results == ["failed"]
    new = _config_of(sm, "churn")
    assert FAILED_SPEC_TAG not in _tags_of_endpoint(sm)  # no verdict, nothing reverted
    plan = env.plan_json()
    (endpoint,) = [c for c in plan["changes"] if c["address"] == "Endpoint/churn"]
    assert endpoint["reason_code"] == "unverified"
    assert _config_of(sm, "churn") == new


def test_a_revert_in_flight_from_a_crashed_apply_is_not_judged_or_retired(env: Env) -> None:
    """An apply died right after sending its revert: the next plan sees the endpoint still
    on the failing config (Updating back). Apply must not check what the revert reaches as
    if it were the rollout, nor retire the config it goes back onto: it waits, finds the
    endpoint elsewhere than planned, and leaves it to the next plan."""
    sm = env.sagemaker()
    first = _rollout_cut_short(
        env, new_answers={"status": 500, "body": "model crashed"}, finish=True
    )
    env.control.set_transitions("seconds:2")
    sm.update_endpoint(EndpointName="churn", EndpointConfigName=first)  # the revert in flight
    code, writes, output = env.writes_during()
    env.control.set_transitions("describes:1")
    assert code == 1, output
    assert "no longer runs what the plan saw" in output
    assert "DeleteEndpointConfig" not in writes and "DeleteModel" not in writes
    assert _config_of(sm, "churn") == first and first in _config_names(sm)
    assert FAILED_SPEC_TAG not in _tags_of_endpoint(sm)


def test_the_hold_is_written_before_the_revert_is_sent(env: Env) -> None:
    """Should apply die with its revert in flight, the next passes must know the spec
    failed: the failed-spec marker is on the endpoint before the revert is sent (here
    the revert's UpdateEndpoint hangs, and the marker is read meanwhile)."""
    with_endpoint_checks(env)
    env.control.set_invocation("churn", body='{"label": "churn"}')
    assert env.apply().code == 0
    sm = env.sagemaker()
    env.control.set_invocation("churn", status=500, body="model crashed")
    env.edit("classic/churn.yaml", OLD_DATA, NEW_DATA)
    env.control.add_fault("UpdateEndpoint", "Hang", skip=1)  # the forward update goes
    results: list[int] = []
    applying = threading.Thread(target=lambda: results.append(env.apply().code))
    applying.start()
    try:
        deadline = time.monotonic() + 20
        while env.control.calls().get("UpdateEndpoint", 0) < 2:  # the revert is held
            assert time.monotonic() < deadline
            time.sleep(0.05)
        marker = _tags_of_endpoint(sm).get(FAILED_SPEC_TAG, "")
        assert "check smoke failed: expected status 200 got 500" in marker  # tag-safe
    finally:
        env.control.clear_faults()  # the held revert answers 500: the revert failed
        applying.join(30)
    assert results == [1]
