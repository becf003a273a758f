"""What counts as drift: the fields and tags the manifest declares, and nothing else —
except what the last apply declared and the manifest has dropped since (pure: LiveState
built by hand, as SageMaker would answer, with fields nobody asked for)."""

from __future__ import annotations

import copy
from typing import Any

from reconciler.kinds import KINDS
from reconciler.observe import LiveResource, LiveState
from reconciler.planning import applied
from reconciler.planning.changes import Action
from reconciler.planning.desired import resolve
from reconciler.planning.planner import plan
from reconciler.resources import (
    ADDRESS_TAG,
    DECLARED_TAG,
    FAILED_SPEC_TAG,
    OWNER_TAG,
    Kind,
    Location,
    Manifest,
)
from tests.support.planning import ARN, ROLE, changes_of, converged, fleet, manifest


def ic_live(state: LiveState) -> LiveResource:
    resource = state.get(Kind.INFERENCE_COMPONENT, "chat")
    assert resource is not None and resource.description is not None
    return resource


def with_server_fields(state: LiveState) -> LiveState:
    """The account as AWS answers it: fields SageMaker fills in, and one nobody knows yet."""
    ic = ic_live(state)
    assert ic.description is not None
    ic.description["Specification"]["DataCacheConfig"] = {"EnableCaching": True}
    ic.description["Specification"]["FieldFromNextYear"] = {"Mode": "Auto"}
    ic.description["RuntimeConfig"]["CurrentCopyCount"] = 1
    endpoint = state.get(Kind.ENDPOINT, "shared")
    assert endpoint is not None and endpoint.description is not None
    endpoint.description["ProductionVariants"] = [
        {"VariantName": "AllTraffic", "CurrentWeight": 1.0, "DesiredInstanceCount": 1}
    ]
    return state


def ic_change(manifests: list[Manifest], live: LiveState) -> Any:
    result = plan(manifests, live, owner="default")
    assert not result.problems, result.problems
    return next(c for c in result.changes if c.address == "InferenceComponent/chat")


def test_fields_sagemaker_fills_in_are_never_drift() -> None:
    result = plan(fleet(), with_server_fields(converged(fleet())), owner="default")
    assert not result.problems and not result.has_changes


def test_a_field_dropped_from_the_manifest_is_still_a_change() -> None:
    declared = fleet()
    declared[3].spec["Specification"]["StartupParameters"] = {
        "ModelDataDownloadTimeoutInSeconds": 600
    }
    live = with_server_fields(converged(declared))
    # Apply recorded the declared fields; the server still shows the old value.
    ic = ic_live(live)
    assert ic.description is not None
    ic.description["Specification"]["StartupParameters"] = {
        "ModelDataDownloadTimeoutInSeconds": 600
    }
    assert not plan(declared, live, owner="default").has_changes

    change = ic_change(fleet(), live)  # the manifest without StartupParameters
    assert change.action is Action.UPDATE
    assert change.operations == ["UpdateInferenceComponent", "AddTags"]
    assert [(d.path, d.to_json()["before"], d.to_json()["after"]) for d in change.diff] == [
        ("Specification.StartupParameters.ModelDataDownloadTimeoutInSeconds", 600, None)
    ]
    # The record written with the update no longer names it.
    new_record = applied.read(change.tags_to_add)
    assert new_record is not None
    assert not new_record.declared(
        "Specification.StartupParameters.ModelDataDownloadTimeoutInSeconds"
    )


def test_without_a_record_nothing_is_known_to_be_dropped() -> None:
    """A resource from before records were kept: the record is written, nothing reset."""
    live = with_server_fields(converged(fleet()))
    ic = ic_live(live)
    for key in [k for k in ic.tags if applied.is_record_key(k)]:
        del ic.tags[key]
    change = ic_change(fleet(), live)
    assert change.operations == ["AddTags"]
    assert change.reason.startswith("record what this apply declares")
    assert change.diff == []  # the record is bookkeeping, not shown


def test_the_check_after_an_update_ignores_fields_sagemaker_fills_in() -> None:
    desired, _ = resolve(fleet(), "default")
    ic = desired["InferenceComponent/chat"]
    described = ic_live(with_server_fields(converged(fleet()))).description
    assert described is not None
    from reconciler.kinds import APIS

    assert APIS[Kind.INFERENCE_COMPONENT].rolled_back(described, ic.spec) is None
    rolled_back = copy.deepcopy(described)
    rolled_back["Specification"]["ModelName"] = "llama-00000000"
    rolled_back["FailureReason"] = "model failed to load"
    assert APIS[Kind.INFERENCE_COMPONENT].rolled_back(rolled_back, ic.spec) == (
        "model failed to load"
    )


def test_tags_set_outside_git_are_left_alone() -> None:
    live = converged(fleet())
    ic = ic_live(live)
    ic.tags["cost-center"] = "1234"
    ic.tags["sagemaker.amazonaws.com/project"] = "sdk"
    assert not plan(fleet(), live, owner="default").has_changes


def test_a_declared_tag_key_dropped_from_the_manifest_is_removed() -> None:
    live = converged(fleet())
    ic = ic_live(live)
    ic.tags["cost-center"] = "1234"
    manifests = fleet()
    manifests[3].tags.pop("team")
    change = ic_change(manifests, live)
    assert change.tags_to_remove == ["team"]
    assert change.operations == ["DeleteTags", "AddTags"]


def test_foreign_tags_count_against_the_50_tag_limit() -> None:
    live = converged(fleet())
    ic = ic_live(live)
    for index in range(44):
        ic.tags[f"billing-{index}"] = "x"
    manifests = fleet()
    manifests[3].tags["owner-team"] = "search"
    result = plan(manifests, live, owner="default")
    (problem,) = result.problems
    assert problem.address == "InferenceComponent/chat"
    assert "more than AWS's 50 per resource" in problem.message
    assert "44 set outside git" in problem.message


def test_reordered_subnets_rename_nothing() -> None:
    vpc = {"SecurityGroupIds": ["sg-2", "sg-1"], "Subnets": ["subnet-b", "subnet-a"]}
    model = manifest(
        Kind.MODEL,
        "llama",
        {"ExecutionRoleArn": ROLE, "PrimaryContainer": {"Image": "img"}, "VpcConfig": vpc},
    )
    reordered = copy.deepcopy(model)
    reordered.spec["VpcConfig"] = {
        "SecurityGroupIds": ["sg-1", "sg-2"],
        "Subnets": ["subnet-a", "subnet-b"],
    }
    (first,), (second,) = (resolve([m], "default")[0].values() for m in (model, reordered))
    assert first.physical_name == second.physical_name
    assert KINDS[Kind.MODEL].unordered  # sets in diffs too


def test_reordered_cluster_subnets_keep_the_create_only_fingerprint() -> None:
    def cluster(subnets: list[str]) -> Manifest:
        return Manifest(
            Kind.CLUSTER,
            "training",
            {
                "VpcConfig": {"SecurityGroupIds": ["sg-1"], "Subnets": subnets},
                "InstanceGroups": [
                    {
                        "InstanceGroupName": "workers",
                        "InstanceType": "ml.g5.8xlarge",
                        "InstanceCount": 1,
                        "LifeCycleConfig": {"SourceS3Uri": "s3://b/", "OnCreate": "x.sh"},
                        "ExecutionRole": ROLE,
                    }
                ],
            },
            Location("c.yaml", 1),
        )

    (a,) = resolve([cluster(["subnet-1", "subnet-2"])], "default")[0].values()
    (b,) = resolve([cluster(["subnet-2", "subnet-1"])], "default")[0].values()
    assert a.spec_hash == b.spec_hash


def test_a_failed_spec_is_tried_again_after_the_manifest_moved_away_and_back() -> None:
    failing = fleet(copies=3)
    live = converged(fleet(copies=1))
    ic = ic_live(live)
    attempt = ic_change(failing, live).attempt
    ic.tags[FAILED_SPEC_TAG] = attempt
    assert ic_change(failing, live).held  # unchanged since it failed: held

    # The manifest moves back to what runs: the hold is forgotten ...
    back = ic_change(fleet(copies=1), live)
    assert back.operations == ["DeleteTags"] and back.tags_to_remove == [FAILED_SPEC_TAG]
    del ic.tags[FAILED_SPEC_TAG]
    # ... so moving forward again tries the spec once more.
    again = ic_change(failing, live)
    assert not again.held
    assert again.operations == ["UpdateInferenceComponentRuntimeConfig"]


def test_a_resource_still_in_a_transition_makes_its_dependants_wait() -> None:
    manifests = fleet()
    live = converged(manifests)
    endpoint = live.get(Kind.ENDPOINT, "shared")
    assert endpoint is not None and endpoint.description is not None
    endpoint.description["EndpointStatus"] = "Creating"
    live.resources.pop((Kind.INFERENCE_COMPONENT, "chat"))
    result = plan(manifests, live, owner="default")
    change = next(c for c in result.changes if c.address == "Endpoint/shared")
    assert (change.action, change.await_ready) == (Action.NOOP, True)


def _pinned_config(model_physical_name: str) -> Manifest:
    return manifest(
        Kind.ENDPOINT_CONFIG,
        "pinned",
        {
            "ProductionVariants": [
                {
                    "VariantName": "AllTraffic",
                    "ModelName": model_physical_name,
                    "InstanceType": "ml.m5.xlarge",
                    "InitialInstanceCount": 1,
                }
            ]
        },
    )


def test_a_physical_name_in_a_manifest_is_a_reference_to_that_manifest() -> None:
    manifests = fleet()
    desired, _ = resolve(manifests, "default")
    churn = desired["Model/churn"].physical_name
    result = plan([*manifests, _pinned_config(churn)], LiveState(), owner="default")
    assert not result.problems  # not "neither declared nor exists"
    pinned = next(c for c in result.changes if c.address == "EndpointConfig/pinned")
    assert "Model/churn" in pinned.depends_on


def test_a_superseded_version_still_used_by_name_is_not_retired() -> None:
    manifests = fleet()
    desired, _ = resolve(manifests, "default")
    old_churn = desired["Model/churn"].physical_name
    live = converged([*manifests, _pinned_config(old_churn)])
    edited = fleet()
    edited[4].spec["PrimaryContainer"]["Image"] = "new-image"
    result = plan([*edited, _pinned_config(old_churn)], live, owner="default")
    assert not result.problems
    model = next(c for c in result.changes if c.address == "Model/churn")
    assert model.action is Action.CREATE  # the new version; the old one is kept
    assert model.superseded == []
    assert any(old_churn in w and "EndpointConfig/pinned" in w for w in result.warnings)
    assert all(
        old_churn not in c.superseded and c.physical_name != old_churn
        for c in result.changes
        if c.action is Action.DELETE
    )


def test_pruning_what_a_declared_resource_still_uses_is_refused() -> None:
    manifests = fleet()
    desired, _ = resolve(manifests, "default")
    churn = desired["Model/churn"].physical_name
    live = converged(manifests)
    # The churn stack is gone from git, but a new config names its model by physical name.
    remaining = [m for m in manifests if not m.address.endswith("/churn")]
    remaining.append(_pinned_config(churn))
    result = plan(remaining, live, owner="default")
    assert [p.address for p in result.problems] == ["EndpointConfig/pinned"]
    assert "no longer declared" in result.problems[0].message
    assert result.problems[0].field == "spec.ProductionVariants[0].ModelName"


def test_an_endpoint_update_waits_for_the_inference_components_it_drops() -> None:
    manifests = fleet()
    live = converged(manifests)
    # The endpoint moves to a config with a model variant; its IC is no longer declared.
    edited = [m for m in fleet() if m.address != "InferenceComponent/chat"]
    edited[2].spec["EndpointConfigName"] = "churn"
    result = plan(edited, live, owner="default")
    assert not result.problems
    endpoint = next(c for c in result.changes if c.address == "Endpoint/shared")
    assert endpoint.operations == ["UpdateEndpoint"]
    assert endpoint.delete_after == ["InferenceComponent/chat"]
    assert changes_of(result)["InferenceComponent/chat"] == ("delete", ["DeleteInferenceComponent"])


def test_the_record_is_written_on_create() -> None:
    result = plan(fleet(), LiveState(), owner="default")
    ic = next(c for c in result.changes if c.address == "InferenceComponent/chat")
    record = applied.read(ic.tags_to_add)
    assert record is not None and DECLARED_TAG in ic.tags_to_add
    assert record.declared("Specification.ComputeResourceRequirements.MinMemoryRequiredInMb")
    assert record.declared_tag("team")
    assert not record.declared("Specification.DataCacheConfig.EnableCaching")
    assert {OWNER_TAG, ADDRESS_TAG} <= set(ic.tags_to_add)
    assert ARN  # the fleet's ARNs come from test_planner


def test_a_long_record_continues_in_further_tags_and_reads_back_whole() -> None:
    paths = [f"InstanceGroups[g{i}].InstanceCount" for i in range(120)]
    tags = applied.record_tags(paths, ["team"])
    assert list(tags) == [DECLARED_TAG, f"{DECLARED_TAG}-2", f"{DECLARED_TAG}-3"]
    assert all(len(v) <= 256 for v in tags.values())
    assert applied.tag_count([*paths, "tags.team"]) == 3
    record = applied.read({**tags, "team": "ml"})
    assert record is not None
    assert all(record.declared(p) for p in paths) and record.declared_tag("team")
    assert not record.declared("InstanceGroups[g0].LifeCycleConfig.OnCreate")
    assert not applied.is_record_key(f"{DECLARED_TAG}-x")


def test_validate_counts_every_tag_a_long_record_takes() -> None:
    from reconciler.manifests.envelope import tag_count_problem
    from reconciler.resources import Annotations

    groups = [
        {
            "InstanceGroupName": f"g{i}",
            "InstanceType": "ml.g5.8xlarge",
            "InstanceCount": 1,
            "LifeCycleConfig": {"SourceS3Uri": "s3://b/", "OnCreate": "x.sh"},
            "ExecutionRole": ROLE,
        }
        for i in range(6)  # 36 field paths + 45 tag keys: a record of 2 tags
    ]
    spec = {"InstanceGroups": groups}
    tags = {f"t{i}": "v" for i in range(45)}
    message = tag_count_problem(Kind.CLUSTER, tags, Annotations(), spec)
    assert message is not None and "at most 44 of your own" in message
    assert f"{DECLARED_TAG}-2" in message
    assert (
        tag_count_problem(Kind.CLUSTER, dict(list(tags.items())[:44]), Annotations(), spec) is None
    )
