"""The planner, table by table: given manifests and a live account, the exact actions,
operations, reasons and diffs (pure: LiveState is built by hand, no AWS)."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.observe import LiveResource, LiveState
from reconciler.planning.changes import Action
from reconciler.planning.desired import RETAIN_TAG
from reconciler.planning.planner import observation_for, plan
from reconciler.resources import (
    ADDRESS_TAG,
    OWNER_TAG,
    Annotations,
    DeletionPolicy,
    Kind,
)
from tests.support.planning import ARN, IMAGE, changes_of, converged, fleet


def test_empty_account_creates_everything_in_dependency_order() -> None:
    result = plan(fleet(), LiveState(), owner="default")
    assert not result.problems
    assert changes_of(result) == {
        "Model/llama": ("create", ["CreateModel"]),
        "Model/churn": ("create", ["CreateModel"]),
        "EndpointConfig/shared": ("create", ["CreateEndpointConfig"]),
        "EndpointConfig/churn": ("create", ["CreateEndpointConfig"]),
        "Endpoint/shared": ("create", ["CreateEndpoint"]),
        "Endpoint/churn": ("create", ["CreateEndpoint"]),
        "InferenceComponent/chat": ("create", ["CreateInferenceComponent"]),
    }
    order = [c.address for c in result.changes]
    assert order.index("Model/llama") < order.index("InferenceComponent/chat")
    assert order.index("EndpointConfig/churn") < order.index("Endpoint/churn")
    ic = next(c for c in result.changes if c.address == "InferenceComponent/chat")
    assert ic.depends_on == ["Endpoint/shared", "Model/llama"]
    config = next(c for c in result.changes if c.address == "EndpointConfig/churn")
    model = next(c for c in result.changes if c.address == "Model/churn")
    assert (
        config.physical_name.startswith("churn-") and len(config.physical_name) == len("churn-") + 8
    )
    # The config names the model by its physical name.
    assert config.desired_spec["ProductionVariants"][0]["ModelName"] == model.physical_name
    assert result.summary() == {"create": 7, "update": 0, "replace": 0, "delete": 0, "no-op": 0}


def test_right_after_apply_the_plan_is_empty() -> None:
    result = plan(fleet(), converged(fleet()), owner="default")
    assert not result.problems and not result.has_changes
    assert result.summary()["no-op"] == 7


@pytest.mark.parametrize(
    ("edit", "address", "action", "operations", "diff"),
    [
        pytest.param(
            lambda m: m[3].spec["RuntimeConfig"].update(CopyCount=3),
            "InferenceComponent/chat",
            "update",
            ["UpdateInferenceComponentRuntimeConfig"],
            [("RuntimeConfig.CopyCount", 1, 3)],
            id="copy-count",
        ),
        pytest.param(
            lambda m: (
                m[3]
                .spec["Specification"]["ComputeResourceRequirements"]
                .update(MinMemoryRequiredInMb=2048)
            ),
            "InferenceComponent/chat",
            "update",
            ["UpdateInferenceComponent"],
            [("Specification.ComputeResourceRequirements.MinMemoryRequiredInMb", 1024, 2048)],
            id="ic-spec",
        ),
        pytest.param(
            lambda m: m[3].spec.update(VariantName="Other"),
            "InferenceComponent/chat",
            "replace",
            ["DeleteInferenceComponent", "CreateInferenceComponent"],
            [("VariantName", "AllTraffic", "Other")],
            id="ic-create-only",
        ),
        pytest.param(
            lambda m: m[2].tags.update(team="search"),
            "Endpoint/shared",
            "update",
            ["AddTags"],
            [("tags.team", "ml", "search")],
            id="tags-changed",
        ),
        pytest.param(
            lambda m: m[2].tags.pop("team"),
            "Endpoint/shared",
            "update",
            # DeleteTags, then AddTags of the record of declared keys (without "team").
            ["DeleteTags", "AddTags"],
            [("tags.team", "ml", None)],
            id="tag-removed",
        ),
    ],
)
def test_each_change_type_gives_exactly_its_operations(
    edit: Any, address: str, action: str, operations: list[str], diff: list[tuple[str, Any, Any]]
) -> None:
    live = converged(fleet())
    manifests = fleet()
    edit(manifests)
    result = plan(manifests, live, owner="default")
    assert not result.problems
    assert changes_of(result) == {address: (action, operations)}
    change = next(c for c in result.changes if c.address == address)
    assert [(d.path, d.to_json()["before"], d.to_json()["after"]) for d in change.diff] == diff


def test_copy_count_change_matches_the_documented_plan_json() -> None:
    manifests = fleet(copies=2)
    result = plan(manifests, converged(fleet(copies=1)), owner="default")
    doc = result.to_json()
    assert doc["format_version"] == "1" and doc["owner"] == "default"
    assert doc["changes"] == [
        {
            "address": "InferenceComponent/chat",
            "kind": "InferenceComponent",
            "name": "chat",
            "physical_name": "chat",
            "action": "update",
            "operations": ["UpdateInferenceComponentRuntimeConfig"],
            "reason": "RuntimeConfig.CopyCount changed",
            "depends_on": ["Endpoint/shared", "Model/llama"],
            "diff": [{"path": "RuntimeConfig.CopyCount", "before": 1, "after": 2}],
        }
    ]
    assert doc["summary"] == {"create": 0, "update": 1, "replace": 0, "delete": 0, "no-op": 6}


def test_model_change_cascades_to_a_new_config_and_an_endpoint_update() -> None:
    live = converged(fleet())
    result = plan(fleet(image=IMAGE + "-new"), live, owner="default")
    assert not result.problems
    assert changes_of(result) == {
        "Model/llama": ("replace", ["CreateModel", "DeleteModel"]),
        "InferenceComponent/chat": ("update", ["UpdateInferenceComponent"]),
    }
    model = next(c for c in result.changes if c.address == "Model/llama")
    old = next(r.name for r in live.of_kind(Kind.MODEL) if r.name.startswith("llama-"))
    assert model.superseded == [old] and model.physical_name != old
    # The old model goes only after the IC that used it has moved.
    assert model.delete_after == ["InferenceComponent/chat"]


def test_classic_model_change_moves_the_endpoint_to_a_new_config() -> None:
    live = converged(fleet())
    manifests = fleet()
    manifests[4].spec["PrimaryContainer"]["Image"] = IMAGE + "-v2"
    result = plan(manifests, live, owner="default")
    assert changes_of(result) == {
        "Model/churn": ("replace", ["CreateModel", "DeleteModel"]),
        "EndpointConfig/churn": ("replace", ["CreateEndpointConfig", "DeleteEndpointConfig"]),
        "Endpoint/churn": ("update", ["UpdateEndpoint"]),
    }
    endpoint = next(c for c in result.changes if c.address == "Endpoint/churn")
    config = next(c for c in result.changes if c.address == "EndpointConfig/churn")
    assert endpoint.diff[0].path == "EndpointConfigName"
    assert endpoint.diff[0].after == config.physical_name
    assert config.delete_after == ["Endpoint/churn"]


def test_removed_ic_is_deleted_before_nothing_else() -> None:
    live = converged(fleet())
    manifests = [m for m in fleet() if m.kind is not Kind.INFERENCE_COMPONENT]
    result = plan(manifests, live, owner="default")
    assert changes_of(result) == {
        "InferenceComponent/chat": ("delete", ["DeleteInferenceComponent"])
    }


def test_removed_endpoint_stack_is_deleted_in_reverse_order() -> None:
    live = converged(fleet())
    manifests = [m for m in fleet() if m.name not in ("churn",)]
    result = plan(manifests, live, owner="default")
    deletes = [c for c in result.changes if c.action is Action.DELETE]
    assert [c.address for c in deletes] == ["Endpoint/churn", "EndpointConfig/churn", "Model/churn"]
    assert deletes[1].depends_on == ["Endpoint/churn"]
    assert "EndpointConfig/churn" in deletes[2].depends_on


def test_no_prune_deletes_nothing_and_says_so() -> None:
    live = converged(fleet())
    manifests = [m for m in fleet() if m.kind is not Kind.INFERENCE_COMPONENT]
    result = plan(manifests, live, owner="default", prune=False)
    assert not result.has_changes
    assert result.warnings == [
        "InferenceComponent/chat is no longer declared; not deleted (--no-prune)"
    ]


def test_retained_resource_is_released_not_deleted() -> None:
    retained = fleet(deletion_policy=DeletionPolicy.RETAIN)
    live = converged(retained)
    assert live.get(Kind.INFERENCE_COMPONENT, "chat").tags[RETAIN_TAG] == "retain"  # type: ignore[union-attr]
    manifests = [m for m in fleet() if m.kind is not Kind.INFERENCE_COMPONENT]
    result = plan(manifests, live, owner="default")
    assert changes_of(result) == {"InferenceComponent/chat": ("update", ["DeleteTags"])}


def test_unmanaged_resource_under_a_desired_name_is_refused_unless_adopted() -> None:
    live = converged(fleet())
    endpoint = live.get(Kind.ENDPOINT, "shared")
    assert endpoint is not None
    endpoint.tags = {}
    result = plan(fleet(), live, owner="default")
    assert [str(p) for p in result.problems] == [
        "shared.yaml:1: Endpoint/shared: Endpoint shared exists and is not managed by owner default; "
        'annotate sagemaker-reconciler/adopt: "true" to take it over'
    ]
    manifests = fleet()
    manifests[2].annotations = Annotations(adopt=True)
    adopted = plan(manifests, live, owner="default")
    assert not adopted.problems
    assert changes_of(adopted) == {"Endpoint/shared": ("update", ["AddTags"])}


def test_other_owners_and_copied_tags_are_never_touched() -> None:
    live = converged(fleet())
    ic = live.get(Kind.INFERENCE_COMPONENT, "chat")
    assert ic is not None
    ic.tags[OWNER_TAG] = "team-b"
    endpoint = live.get(Kind.ENDPOINT, "churn")
    assert endpoint is not None
    endpoint.tags[ADDRESS_TAG] = "Endpoint/elsewhere"
    result = plan(fleet(), live, owner="default")
    messages = sorted(p.message for p in result.problems)
    assert messages == [
        "Endpoint churn carries owner default's tags for Endpoint/elsewhere, not Endpoint/churn; refusing to touch it (were the tags copied?)",
        "InferenceComponent chat exists and is managed by owner team-b, not default",
    ]
    # And an owned-looking resource whose address names another kind is not pruned.
    stray = LiveResource(
        Kind.MODEL,
        "stray",
        f"{ARN}:model/stray",
        {},
        {OWNER_TAG: "default", ADDRESS_TAG: "Endpoint/x"},
    )
    live2 = converged(fleet())
    live2.add(stray)
    pruned = plan(fleet(), live2, owner="default")
    assert not pruned.has_changes
    assert pruned.warnings == [
        "Model stray carries owner default's tags for Endpoint/x; left alone"
    ]


def test_failed_endpoint_is_replaced_and_the_plan_says_it_interrupts() -> None:
    live = converged(fleet())
    endpoint = live.get(Kind.ENDPOINT, "churn")
    assert endpoint is not None and endpoint.description is not None
    endpoint.description.update(EndpointStatus="Failed", FailureReason="image not found")
    result = plan(fleet(), live, owner="default")
    change = next(c for c in result.changes if c.address == "Endpoint/churn")
    assert (change.action, change.operations, change.interrupting) == (
        Action.REPLACE,
        ["DeleteEndpoint", "CreateEndpoint"],
        True,
    )
    assert "Failed (image not found)" in change.reason


def test_ignore_differences_leaves_autoscaled_copy_count_alone() -> None:
    live = converged(fleet(copies=5))
    result = plan(
        fleet(copies=1, ignore_differences=("RuntimeConfig.CopyCount",)), live, owner="default"
    )
    assert not result.has_changes


def test_in_flight_transitions_are_reported() -> None:
    live = converged(fleet())
    endpoint = live.get(Kind.ENDPOINT, "shared")
    assert endpoint is not None and endpoint.description is not None
    endpoint.description["EndpointStatus"] = "Updating"
    result = plan(fleet(), live, owner="default")
    change = next(c for c in result.changes if c.address == "Endpoint/shared")
    assert change.warnings == [
        "Endpoint is Updating: apply waits for it to settle before changing it"
    ]


def test_external_references_must_exist_in_the_account() -> None:
    manifests = [m for m in fleet() if m.address != "Model/churn"]
    result = plan(manifests, LiveState(), owner="default")
    assert [str(p) for p in result.problems] == [
        "churn.yaml:1: EndpointConfig/churn: spec.ProductionVariants[0].ModelName: refers to Model/churn, "
        "which is neither declared in the manifests nor exists in the account"
    ]
    live = LiveState()
    live.add(LiveResource(Kind.MODEL, "churn", f"{ARN}:model/churn", {}))
    assert not plan(manifests, live, owner="default").problems


def test_secret_environment_values_never_reach_the_plan() -> None:
    manifests = fleet()
    manifests[0].spec["PrimaryContainer"]["Environment"] = {"HF_TOKEN": "hf_secret_1", "MODE": "a"}
    live = converged(manifests)
    changed = fleet()
    changed[0].spec["PrimaryContainer"]["Environment"] = {"HF_TOKEN": "hf_secret_2", "MODE": "b"}
    result = plan(changed, live, owner="default")
    text = repr(result.to_json())
    assert "hf_secret" not in text
    model = next(c for c in result.changes if c.address == "Model/llama")
    assert {d.path: (d.before, d.after) for d in model.diff}[
        "PrimaryContainer.Environment.HF_TOKEN"
    ] == ("(sensitive)", "(sensitive)")


def test_observation_reads_only_what_the_plan_needs() -> None:
    observation = observation_for(fleet(), "default")
    assert (Kind.ENDPOINT, "shared") in observation.wanted
    assert (Kind.INFERENCE_COMPONENT, "chat") in observation.wanted
    hashes = {k[0] for k in observation.expected_hashes}
    assert hashes == {Kind.MODEL, Kind.ENDPOINT_CONFIG}
