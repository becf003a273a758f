"""Autoscaling planned as part of the deployment (pure: the account is built by hand): a
scalable target and its policy are created after what they scale, the scaler owns the
copy count it moves, a policy is ours only through a target we declare, and what our
targets hold but git no longer declares is removed."""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

from reconciler.kinds import KINDS
from reconciler.observe import owned_through_parents
from reconciler.planning.changes import Action
from reconciler.planning.planner import plan
from reconciler.resources import OWNER_TAG, Kind, Manifest
from tests.support.planning import changes_of, converged, fleet, manifest

COPY_COUNT = "sagemaker:inference-component:DesiredCopyCount"
TARGET_NAME = f"sagemaker/inference-component/chat/{COPY_COUNT}"


def target(minimum: int = 0, maximum: int = 4) -> Manifest:
    return manifest(
        Kind.SCALABLE_TARGET,
        "chat-copies",
        {
            "ServiceNamespace": "sagemaker",
            "ResourceId": "inference-component/chat",
            "ScalableDimension": COPY_COUNT,
            "MinCapacity": minimum,
            "MaxCapacity": maximum,
        },
    )


def policy(value: float = 5.0, resource: str = "inference-component/chat") -> Manifest:
    return Manifest(
        Kind.SCALING_POLICY,
        "chat-invocations",
        {
            "ServiceNamespace": "sagemaker",
            "ResourceId": resource,
            "ScalableDimension": COPY_COUNT,
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": value,
                "PredefinedMetricSpecification": {
                    "PredefinedMetricType": "SageMakerInferenceComponentInvocationsPerCopy"
                },
            },
        },
        fleet()[0].location,
    )


def scaled(copies: int, *extra: Manifest) -> list[Manifest]:
    return [*fleet(), target(), policy(), *extra]


def live_copies(state: Any, copies: int) -> None:
    ic = state.get(Kind.INFERENCE_COMPONENT, "chat")
    ic.description["RuntimeConfig"] = {"DesiredCopyCount": copies, "CurrentCopyCount": copies}


def test_a_target_is_named_by_what_it_scales_and_a_policy_by_its_target_and_name() -> None:
    result = plan(scaled(1), converged([]), owner="default")
    by_address = {c.address: c for c in result.changes}
    assert by_address["ScalableTarget/chat-copies"].physical_name == TARGET_NAME
    assert (
        by_address["ScalingPolicy/chat-invocations"].physical_name
        == f"{TARGET_NAME}/chat-invocations"
    )


def test_the_target_is_registered_after_its_component_and_the_policy_after_the_target() -> None:
    result = plan(scaled(1), converged([]), owner="default")
    assert not result.problems
    order = [c.address for c in result.changes]
    assert order.index("InferenceComponent/chat") < order.index("ScalableTarget/chat-copies")
    assert order.index("ScalableTarget/chat-copies") < order.index("ScalingPolicy/chat-invocations")
    by_address = {c.address: c for c in result.changes}
    assert "InferenceComponent/chat" in by_address["ScalableTarget/chat-copies"].depends_on
    assert "ScalableTarget/chat-copies" in by_address["ScalingPolicy/chat-invocations"].depends_on
    assert changes_of(result)["ScalableTarget/chat-copies"] == (
        "create",
        ["RegisterScalableTarget"],
    )
    assert changes_of(result)["ScalingPolicy/chat-invocations"] == ("create", ["PutScalingPolicy"])


def test_right_after_apply_nothing_changes_although_aws_filled_in_the_role() -> None:
    manifests = scaled(1)
    assert not plan(manifests, converged(manifests), owner="default").has_changes


def test_the_scaler_owns_the_copy_count_of_a_targeted_component() -> None:
    manifests = scaled(1)
    live = converged(manifests)
    live_copies(live, 3)  # the scaler moved it
    assert not plan(manifests, live, owner="default").has_changes
    # Without a target, the manifest's count is put back: the rule is the target's.
    plain = fleet()
    live = converged(plain)
    live_copies(live, 3)
    assert changes_of(plan(plain, live, owner="default"))["InferenceComponent/chat"] == (
        "update",
        ["UpdateInferenceComponentRuntimeConfig"],
    )


def test_changing_the_target_value_is_one_put_scaling_policy() -> None:
    live = converged(scaled(1))
    manifests = [*fleet(), target(), policy(value=8.0)]
    assert changes_of(plan(manifests, live, owner="default")) == {
        "ScalingPolicy/chat-invocations": ("update", ["PutScalingPolicy"])
    }


def test_changing_the_bounds_registers_the_target_again() -> None:
    live = converged(scaled(1))
    manifests = [*fleet(), target(maximum=8), policy()]
    assert changes_of(plan(manifests, live, owner="default")) == {
        "ScalableTarget/chat-copies": ("update", ["RegisterScalableTarget"])
    }


def test_a_policy_on_a_target_not_declared_is_refused() -> None:
    manifests = [*fleet(), policy()]
    result = plan(manifests, converged(fleet()), owner="default")
    (problem,) = result.problems
    assert problem.address == "ScalingPolicy/chat-invocations"
    assert "not declared in the manifests" in problem.message


def test_removing_autoscaling_removes_what_our_target_holds_and_keeps_others() -> None:
    manifests = scaled(1)
    live = converged(manifests)
    # A hand-made policy on our target is ours through it; one on someone else's is not.
    stray = copy.deepcopy(live.get(Kind.SCALING_POLICY, f"{TARGET_NAME}/chat-invocations"))
    assert stray is not None
    stray.name = f"{TARGET_NAME}/by-hand"
    stray.summary = {**stray.summary, "PolicyName": "by-hand"}
    live.add(stray)
    foreign_target = copy.deepcopy(live.get(Kind.SCALABLE_TARGET, TARGET_NAME))
    assert foreign_target is not None
    foreign_target.name = TARGET_NAME.replace("/chat/", "/other/")
    foreign_target.summary = {**foreign_target.summary, "ResourceId": "inference-component/other"}
    foreign_target.tags = {OWNER_TAG: "someone-else"}
    live.add(foreign_target)
    owned_through_parents(live)  # as the observer gives untaggable resources their owner
    changes = changes_of(plan(manifests, live, owner="default"))
    assert changes == {"ScalingPolicy/by-hand": ("delete", ["DeleteScalingPolicy"])}

    result = plan(fleet(), live, owner="default")
    deleted = [c.address for c in result.changes if c.action is Action.DELETE]
    assert set(deleted) == {
        "ScalableTarget/chat-copies",
        "ScalingPolicy/chat-invocations",
        "ScalingPolicy/by-hand",
    }


def test_a_policy_lives_on_its_target_and_a_target_on_its_component() -> None:
    spec = policy().spec
    assert KINDS[Kind.SCALING_POLICY].hosts(spec) >= {(Kind.SCALABLE_TARGET, TARGET_NAME.lower())}
    assert KINDS[Kind.SCALABLE_TARGET].hosts(target().spec) == {(Kind.INFERENCE_COMPONENT, "chat")}


def test_an_endpoint_with_a_scaled_variant_keeps_its_live_instance_counts_on_update() -> None:
    from reconciler.kinds import APIS
    from reconciler.kinds.api import UpdateCall
    from tests.support.gateway import FakeGateway

    variant_target = manifest(
        Kind.SCALABLE_TARGET,
        "churn-instances",
        {
            "ServiceNamespace": "sagemaker",
            "ResourceId": "endpoint/churn/variant/AllTraffic",
            "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
            "MinCapacity": 1,
            "MaxCapacity": 4,
        },
    )
    live = converged([*fleet(), variant_target])
    # A new model for the churn endpoint: a new config, an UpdateEndpoint that keeps the
    # instance count the scaler set.
    manifests = [*fleet(), variant_target]
    churn = next(m for m in manifests if m.kind is Kind.MODEL and m.name == "churn")
    churn.spec["PrimaryContainer"] = {"Image": churn.spec["PrimaryContainer"]["Image"] + "-2"}
    result = plan(manifests, live, owner="default")
    (endpoint,) = [c for c in result.changes if c.address == "Endpoint/churn"]
    assert endpoint.action is Action.UPDATE
    aws = FakeGateway({"UpdateEndpoint": {}})
    assert endpoint.desired_spec is not None
    APIS[Kind.ENDPOINT].update(
        aws,
        "churn",
        UpdateCall("UpdateEndpoint", endpoint.desired_spec, endpoint.ignore_differences),
    )
    (request,) = aws.requests("UpdateEndpoint")
    assert request["RetainAllVariantProperties"] is True


def _variant_scaled() -> list[Manifest]:
    spec = {
        "ServiceNamespace": "sagemaker",
        "ResourceId": "endpoint/churn/variant/AllTraffic",
        "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
    }
    return [
        *fleet(),
        manifest(
            Kind.SCALABLE_TARGET, "churn-instances", {**spec, "MinCapacity": 1, "MaxCapacity": 4}
        ),
        Manifest(
            Kind.SCALING_POLICY,
            "churn-invocations",
            {
                **spec,
                "PolicyType": "TargetTrackingScaling",
                "TargetTrackingScalingPolicyConfiguration": {
                    "TargetValue": 100.0,
                    "PredefinedMetricSpecification": {
                        "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"
                    },
                },
            },
            fleet()[0].location,
        ),
    ]


def _churn_config(manifests: list[Manifest]) -> Manifest:
    return next(m for m in manifests if m.kind is Kind.ENDPOINT_CONFIG and m.name == "churn")


def test_an_instance_type_change_on_a_scaled_variant_moves_autoscaling_out_and_back() -> None:
    live = converged(_variant_scaled())
    manifests = _variant_scaled()
    _churn_config(manifests).spec["ProductionVariants"][0]["InstanceType"] = "ml.c5.xlarge"
    result = plan(manifests, live, owner="default")
    assert not result.problems
    by_address = {c.address: c for c in result.changes}
    target_change = by_address["ScalableTarget/churn-instances"]
    policy_change = by_address["ScalingPolicy/churn-invocations"]
    endpoint = by_address["Endpoint/churn"]
    assert target_change.action is Action.REPLACE and target_change.interrupting
    assert str(target_change.reason_code) == "host-changes"
    assert "ml.m5.xlarge → ml.c5.xlarge" in target_change.reason
    assert (
        policy_change.action is Action.REPLACE and str(policy_change.reason_code) == "host-replaced"
    )
    # delete policies → deregister → update → register → put policies
    assert "ScalingPolicy/churn-invocations" in target_change.delete_after
    assert "ScalableTarget/churn-instances" in endpoint.delete_after
    assert "Endpoint/churn" in target_change.depends_on
    assert "ScalableTarget/churn-instances" in policy_change.depends_on
    assert target_change.operations == ["DeregisterScalableTarget", "RegisterScalableTarget"]


def test_a_model_change_on_a_scaled_variant_leaves_autoscaling_alone() -> None:
    live = converged(_variant_scaled())
    manifests = _variant_scaled()
    churn = next(m for m in manifests if m.kind is Kind.MODEL and m.name == "churn")
    churn.spec["PrimaryContainer"] = {"Image": churn.spec["PrimaryContainer"]["Image"] + "-2"}
    changes = changes_of(plan(manifests, live, owner="default"))
    assert not [a for a in changes if a.startswith(("ScalableTarget/", "ScalingPolicy/"))]
    assert changes["Endpoint/churn"][0] == "update"


def test_adopting_a_target_is_one_tag_resource_and_its_policy_follows_it() -> None:
    manifests = [
        dataclasses.replace(m, annotations=dataclasses.replace(m.annotations, adopt=True))
        if m.kind in (Kind.SCALABLE_TARGET, Kind.SCALING_POLICY)
        else m
        for m in scaled(1)
    ]
    live = converged(manifests)
    by_hand = live.get(Kind.SCALABLE_TARGET, TARGET_NAME)
    assert by_hand is not None
    by_hand.tags = {}  # made by hand: nobody's
    owned_through_parents(live)
    assert changes_of(plan(manifests, live, owner="default")) == {
        "ScalableTarget/chat-copies": ("update", ["TagResource"])
    }


POLICY_NAME = f"{TARGET_NAME}/chat-invocations"


def tracking(state: Any) -> dict[str, Any]:
    live = state.get(Kind.SCALING_POLICY, POLICY_NAME)
    assert live is not None and live.description is not None
    config: dict[str, Any] = live.description["TargetTrackingScalingPolicyConfiguration"]
    return config


def with_cooldown(seconds: int) -> Manifest:
    declared = policy()
    declared.spec["TargetTrackingScalingPolicyConfiguration"]["ScaleInCooldown"] = seconds
    return declared


def test_a_field_dropped_from_a_policy_replaces_it_although_no_record_can_say_so() -> None:
    # Applied with a scale-in cooldown of 600 s; the manifest drops it. A policy carries no
    # record (it cannot be tagged): the live value, which is not AWS's default, says so.
    live = converged([*fleet(), target(), with_cooldown(600)])
    owned_through_parents(live)
    result = plan(scaled(1), live, owner="default")
    assert changes_of(result) == {
        "ScalingPolicy/chat-invocations": ("replace", ["DeleteScalingPolicy", "PutScalingPolicy"])
    }
    (change,) = [c for c in result.changes if c.action is Action.REPLACE]
    assert [(d.path, d.before) for d in change.diff] == [
        ("TargetTrackingScalingPolicyConfiguration.ScaleInCooldown", 600)
    ]
    assert "ScaleInCooldown no longer declared" in change.reason


def test_what_aws_fills_in_a_policy_is_no_dropped_field() -> None:
    # DescribeScalingPolicies may echo the documented defaults nobody sent (unverified):
    # 300 s cooldowns and scale-in enabled are no change.
    live = converged(scaled(1))
    owned_through_parents(live)
    tracking(live).update(
        {"ScaleInCooldown": 300, "ScaleOutCooldown": 300, "DisableScaleIn": False}
    )
    assert not plan(scaled(1), live, owner="default").has_changes
    # A value other than the default was declared once (or set by hand): a change.
    tracking(live)["DisableScaleIn"] = True
    assert changes_of(plan(scaled(1), live, owner="default")) == {
        "ScalingPolicy/chat-invocations": ("replace", ["DeleteScalingPolicy", "PutScalingPolicy"])
    }
    # A field the answer has that is no PutScalingPolicy member is never one.
    tracking(live).pop("DisableScaleIn")
    tracking(live)["FromANewerRelease"] = "x"
    assert not plan(scaled(1), live, owner="default").has_changes


def test_a_declared_field_that_changes_is_still_one_put() -> None:
    live = converged([*fleet(), target(), with_cooldown(600)])
    owned_through_parents(live)
    assert changes_of(plan([*fleet(), target(), with_cooldown(900)], live, owner="default")) == {
        "ScalingPolicy/chat-invocations": ("update", ["PutScalingPolicy"])
    }


def test_adopting_a_policy_set_beyond_its_manifest_is_refused() -> None:
    manifests = [
        dataclasses.replace(m, annotations=dataclasses.replace(m.annotations, adopt=True))
        if m.kind in (Kind.SCALABLE_TARGET, Kind.SCALING_POLICY)
        else m
        for m in scaled(1)
    ]
    live = converged([*fleet(), target(), with_cooldown(600)])
    by_hand = live.get(Kind.SCALABLE_TARGET, TARGET_NAME)
    assert by_hand is not None
    by_hand.tags = {}
    owned_through_parents(live)
    result = plan(manifests, live, owner="default")
    (problem,) = result.problems
    assert problem.address == "ScalingPolicy/chat-invocations"
    assert "ScaleInCooldown is set (600)" in problem.message
    assert "declare it" in problem.message
