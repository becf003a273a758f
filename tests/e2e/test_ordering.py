"""Apply orders its calls around SageMaker's own rules, and never deletes what is in use:
an endpoint leaves the inference components it drops behind only once they are gone, a
rerun after a timeout waits for what is still being created, and an old model version that
a manifest names by its physical name survives the retirement of its siblings."""

from __future__ import annotations

import re

from tests.support.env import Env


def settled(env: Env) -> bool:
    return env.reconciler("plan", str(env.directory), "--detailed-exitcode").code == 0


def test_an_endpoint_update_waits_for_the_inference_components_it_drops(env: Env) -> None:
    assert env.apply().code == 0
    # The shared endpoint becomes a single-model endpoint: its inference components (and
    # their models) leave git, and its config's variant now names a model.
    (env.directory / "shared-gpu" / "llama-chat.yaml").unlink()
    (env.directory / "shared-gpu" / "mistral-summarize.yaml").unlink()
    env.edit(
        "shared-gpu/endpoint.yaml",
        "    - VariantName: AllTraffic\n",
        "    - VariantName: AllTraffic\n      ModelName: churn-xgboost\n",
    )
    env.edit(
        "shared-gpu/endpoint.yaml",
        "  ExecutionRoleArn: arn:aws:iam::123456789012:role/SageMakerExecution\n",
        "",
    )
    document = env.plan_json()
    endpoint = next(c for c in document["changes"] if c["address"] == "Endpoint/shared-gpu")
    assert endpoint["operations"] == ["UpdateEndpoint"]
    assert endpoint["delete_after"] == [
        "InferenceComponent/llama-chat",
        "InferenceComponent/mistral-summarize",
    ]
    run = env.apply()
    assert run.code == 0, run.out + run.err
    assert settled(env)


def test_a_rerun_after_a_timeout_waits_for_what_is_still_being_created(env: Env) -> None:
    env.control.set_transitions("seconds:6")
    first = env.apply("--timeout", "0.5")
    assert first.code == 1  # gave up waiting for the endpoints
    assert "gave up waiting" in first.out + first.err
    # The endpoints are still Creating: the rerun must wait before creating the inference
    # components on them (SageMaker refuses those on an endpoint that is not InService).
    second = env.apply()
    assert second.code == 0, second.out + second.err
    assert settled(env)


def test_an_old_model_version_named_in_a_manifest_is_not_deleted(env: Env) -> None:
    assert env.apply().code == 0
    pinned_name = next(
        m["ModelName"]
        for m in env.sagemaker().list_models()["Models"]
        if m["ModelName"].startswith("churn-xgboost-")
    )
    (env.directory / "pinned.yaml").write_text(
        "apiVersion: sagemaker-reconciler/v1\n"
        "kind: EndpointConfig\n"
        "metadata: {name: churn-pinned}\n"
        "spec:\n"
        "  ProductionVariants:\n"
        "    - VariantName: AllTraffic\n"
        f"      ModelName: {pinned_name}\n"
        "      InstanceType: ml.m5.xlarge\n"
        "      InitialInstanceCount: 1\n"
    )
    assert env.apply().code == 0
    # A new version of the model: the old one stays while churn-pinned uses it.
    env.edit("classic/churn.yaml", "sagemaker-xgboost:1.7-1", "sagemaker-xgboost:1.7-2")
    run = env.apply()
    assert run.code == 0, run.out + run.err
    models = {m["ModelName"] for m in env.sagemaker().list_models()["Models"]}
    assert pinned_name in models
    assert len([m for m in models if re.fullmatch(r"churn-xgboost-[0-9a-f]{8}", m)]) == 2
    plan = env.reconciler("plan", str(env.directory), "--detailed-exitcode")
    assert plan.code == 0, plan.out + plan.err  # every later plan works, and is empty
    assert "still used by EndpointConfig/churn-pinned" in plan.out + plan.err
    # Once nothing uses it, a later pass retires it.
    (env.directory / "pinned.yaml").unlink()
    assert env.apply().code == 0
    models = {m["ModelName"] for m in env.sagemaker().list_models()["Models"]}
    assert pinned_name not in models
    assert settled(env)
