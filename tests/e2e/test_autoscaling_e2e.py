"""Autoscaling declared in git, end to end against the emulator: a target and a target
tracking policy on an inference component are created after it, in order; the scaler
moves the copy count and no plan or apply fights it; a target value change is one
PutScalingPolicy; removing the autoscaling manifests deregisters the target and puts the
manifest's copy count back."""

from __future__ import annotations

from typing import Any

from tests.support.autoscaling import (
    CHAT,
    CHURN,
    COPY_COUNT,
    INSTANCE_COUNT,
    client,
    target,
    target_tracking,
)
from tests.support.env import Env

AUTOSCALING = (
    target("llama-chat-copies", CHAT, COPY_COUNT, 0, 3, "{team: ml-platform}")
    + "---\n"
    + target_tracking(
        "llama-chat-invocations",
        CHAT,
        COPY_COUNT,
        4.0,
        "SageMakerInferenceComponentInvocationsPerCopy",
    )
)
_autoscaling = client


def _copies(env: Env) -> int:
    answer = env.sagemaker().describe_inference_component(InferenceComponentName="llama-chat")
    return int(answer["RuntimeConfig"]["DesiredCopyCount"])


def test_autoscaling_is_applied_in_order_and_the_scaler_owns_the_copy_count(env: Env) -> None:
    (env.directory / "shared-gpu" / "llama-chat-autoscaling.yaml").write_text(AUTOSCALING)
    run = env.apply()
    assert run.code == 0, run.out + run.err
    aas = _autoscaling(env)
    (target,) = aas.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"]
    assert target["ResourceId"] == "inference-component/llama-chat"
    assert (target["MinCapacity"], target["MaxCapacity"]) == (0, 3)
    tags = aas.list_tags_for_resource(ResourceARN=target["ScalableTargetARN"])["Tags"]
    assert tags["sagemaker-reconciler/address"] == "ScalableTarget/llama-chat-copies"
    (policy,) = aas.describe_scaling_policies(ServiceNamespace="sagemaker")["ScalingPolicies"]
    assert policy["PolicyName"] == "llama-chat-invocations"
    assert not env.plan_json()["changes"]

    # The scaler moves the copies 2 → 3 → 0: no plan change, and apply writes nothing.
    for copies in (3, 0):
        env.control.scale("inference-component/llama-chat", COPY_COUNT, copies)
        assert _copies(env) == copies
        assert not env.plan_json()["changes"], copies
        code, writes, output = env.writes_during()
        assert code == 0 and writes == {}, output
        assert _copies(env) == copies

    # A new target value: exactly one PutScalingPolicy.
    env.edit("shared-gpu/llama-chat-autoscaling.yaml", "TargetValue: 4.0", "TargetValue: 8.0")
    code, writes, output = env.writes_during()
    assert code == 0, output
    assert writes == {"PutScalingPolicy": 1}
    (policy,) = aas.describe_scaling_policies(ServiceNamespace="sagemaker")["ScalingPolicies"]
    assert policy["TargetTrackingScalingPolicyConfiguration"]["TargetValue"] == 8.0

    # Autoscaling removed from git: the target goes (its policy with it), and the copy
    # count is the manifest's again.
    (env.directory / "shared-gpu" / "llama-chat-autoscaling.yaml").unlink()
    run = env.apply()
    assert run.code == 0, run.out + run.err
    assert aas.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"] == []
    assert aas.describe_scaling_policies(ServiceNamespace="sagemaker")["ScalingPolicies"] == []
    assert _copies(env) == 2
    assert not env.plan_json()["changes"]


VARIANT_AUTOSCALING = (
    target("churn-instances", CHURN, INSTANCE_COUNT, 1, 4)
    + "---\n"
    + target_tracking(
        "churn-invocations", CHURN, INSTANCE_COUNT, 100.0, "SageMakerVariantInvocationsPerInstance"
    )
)


def _instances(env: Env) -> int:
    answer = env.sagemaker().describe_endpoint(EndpointName="churn")
    return int(answer["ProductionVariants"][0]["CurrentInstanceCount"])


def test_an_instance_type_change_on_a_scaled_variant_converges(env: Env) -> None:
    (env.directory / "classic" / "churn-autoscaling.yaml").write_text(VARIANT_AUTOSCALING)
    assert env.apply().code == 0
    env.control.scale(
        "endpoint/churn/variant/AllTraffic", "sagemaker:variant:DesiredInstanceCount", 3
    )
    assert not env.plan_json()["changes"]

    # A new model only: the endpoint moves to a new config and keeps the scaled count;
    # autoscaling is left as it is.
    env.edit("classic/churn.yaml", "sagemaker-xgboost:1.7-1", "sagemaker-xgboost:1.7-2")
    code, writes, output = env.writes_during()
    assert code == 0, output
    assert not [op for op in writes if "Scal" in op], writes
    assert _instances(env) == 3

    # A new instance type: SageMaker refuses it while the variant is a target, so the plan
    # removes the policy and the target, updates, and puts them back.
    env.edit("classic/churn.yaml", "InstanceType: ml.m5.xlarge", "InstanceType: ml.m5.2xlarge")
    plan = env.plan_json()
    reasons = {c["address"]: c["reason_code"] for c in plan["changes"]}
    assert reasons["ScalableTarget/churn-instances"] == "host-changes"
    assert reasons["ScalingPolicy/churn-invocations"] == "host-replaced"
    code, writes, output = env.writes_during()
    assert code == 0, output
    assert writes["DeregisterScalableTarget"] == 1 and writes["RegisterScalableTarget"] == 1
    assert writes["UpdateEndpoint"] == 1 and writes["PutScalingPolicy"] == 1
    aas = _autoscaling(env)
    (target,) = aas.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"]
    assert target["ResourceId"] == "endpoint/churn/variant/AllTraffic"
    assert len(aas.describe_scaling_policies(ServiceNamespace="sagemaker")["ScalingPolicies"]) == 1
    assert not env.plan_json()["changes"]


def test_a_hand_made_target_and_policy_are_exported_and_adopted_with_tags_only(
    env: Env, tmp_path: Any
) -> None:
    assert env.apply().code == 0
    aas = _autoscaling(env)
    aas.register_scalable_target(
        ServiceNamespace="sagemaker",
        ResourceId="inference-component/llama-chat",
        ScalableDimension=COPY_COUNT,
        MinCapacity=1,
        MaxCapacity=3,
    )
    aas.put_scaling_policy(
        PolicyName="by-hand",
        ServiceNamespace="sagemaker",
        ResourceId="inference-component/llama-chat",
        ScalableDimension=COPY_COUNT,
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 3.0,
            "PredefinedMetricSpecification": {
                "PredefinedMetricType": "SageMakerInferenceComponentInvocationsPerCopy"
            },
        },
    )
    out = tmp_path / "exported.yaml"
    run = env.reconciler(
        "export",
        "--kind",
        "ScalableTarget",
        "--kind",
        "ScalingPolicy",
        "--out",
        str(out),
        "--endpoint-url",
        env.url,
    )
    assert run.code == 0, run.err
    import yaml

    documents = list(yaml.safe_load_all(out.read_text()))
    assert {(d["kind"], d["metadata"]["name"]) for d in documents} == {
        ("ScalableTarget", "llama-chat-copies"),
        ("ScalingPolicy", "by-hand"),
    }
    target = next(d for d in documents if d["kind"] == "ScalableTarget")
    # What a person would write: no role AWS filled in, no SuspendedState defaults.
    assert target["spec"] == {
        "ServiceNamespace": "sagemaker",
        "ResourceId": "inference-component/llama-chat",
        "ScalableDimension": COPY_COUNT,
        "MinCapacity": 1,
        "MaxCapacity": 3,
    }
    (env.directory / "shared-gpu" / "autoscaling.yaml").write_text(out.read_text())
    code, writes, output = env.writes_during()
    assert code == 0, output
    assert writes == {"TagResource": 1}, output
    assert not env.plan_json()["changes"]


def test_a_field_dropped_from_a_policy_is_unset_by_putting_the_policy_anew(env: Env) -> None:
    """A policy cannot carry the record of the last apply; a field the manifest dropped is
    still seen (its live value is not AWS's default) and is gone after one apply. The
    defaults AWS may echo (the emulator answers them with ``--server-fields extra``) are
    not drift."""
    env.control.set_server_fields("extra")
    path = env.directory / "shared-gpu" / "llama-chat-autoscaling.yaml"
    path.write_text(AUTOSCALING + "    ScaleInCooldown: 600\n")
    run = env.apply()
    assert run.code == 0, run.out + run.err
    aas = _autoscaling(env)
    (policy,) = aas.describe_scaling_policies(ServiceNamespace="sagemaker")["ScalingPolicies"]
    config = policy["TargetTrackingScalingPolicyConfiguration"]
    assert config["ScaleInCooldown"] == 600
    # Echoed, never sent: the default scale-out cooldown and scale-in enabled.
    assert (config["ScaleOutCooldown"], config["DisableScaleIn"]) == (300, False)
    assert not env.plan_json()["changes"]

    path.write_text(AUTOSCALING)
    planned = env.plan_json()
    (change,) = planned["changes"]
    assert (change["address"], change["action"]) == (
        "ScalingPolicy/llama-chat-invocations",
        "replace",
    )
    assert [(d["path"], d["before"], d["after"]) for d in change["diff"]] == [
        ("TargetTrackingScalingPolicyConfiguration.ScaleInCooldown", 600, None)
    ]
    code, writes, output = env.writes_during()
    assert code == 0, output
    assert writes == {"DeleteScalingPolicy": 1, "PutScalingPolicy": 1}, output
    (policy,) = aas.describe_scaling_policies(ServiceNamespace="sagemaker")["ScalingPolicies"]
    # Back to the default, as a policy put without it has.
    assert policy["TargetTrackingScalingPolicyConfiguration"]["ScaleInCooldown"] == 300
    assert not env.plan_json()["changes"]
    code, writes, output = env.writes_during()
    assert code == 0 and writes == {}, output
