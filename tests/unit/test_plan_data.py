"""The plan as data (pure, no AWS): the reason code beside every reason, the replace
strategy, the steps apply runs for each change (a cluster's UpdateCluster request built
from the Describe the plan read), the plan JSON that carries them, the saved-plan file and
the apply summary view."""

from __future__ import annotations

import copy
import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from reconciler.apimodel import compile_pattern, input_shape
from reconciler.kinds import cluster as cluster_kind
from reconciler.observe import LiveState
from reconciler.planning import applied
from reconciler.planning import saved as saved_plan
from reconciler.planning.changes import (
    Action,
    Change,
    Plan,
    ReasonCode,
    Replacement,
    StepOp,
)
from reconciler.planning.desired import RETAIN_TAG, resolve
from reconciler.planning.planner import plan
from reconciler.resources import (
    FAILED_SPEC_TAG,
    OWNER_TAG,
    Annotations,
    Checks,
    DeletionPolicy,
    Invocation,
    Kind,
    Manifest,
    failed_spec_value,
    tag_safe,
)
from reconciler.views import apply as apply_view
from tests.support.planning import IMAGE, converged, fleet
from tests.unit import test_cluster_planning as clusters


def change_of(result: Plan, address: str) -> Change:
    return next(c for c in result.changes if c.address == address)


def steps_of(change: Change) -> list[tuple[StepOp, str, str]]:
    return [(s.op, s.operation, s.target) for s in change.steps]


# -- reason codes ------------------------------------------------------------------------------


def test_every_change_of_a_first_apply_is_not_found_and_of_a_converged_account_matches() -> None:
    first = plan(fleet(), LiveState(), owner="default")
    assert {c.reason_code for c in first.changes} == {ReasonCode.NOT_FOUND}
    again = plan(fleet(), converged(fleet()), owner="default")
    assert {c.reason_code for c in again.changes} == {ReasonCode.MATCHES}


def _failed_endpoint(live: LiveState) -> None:
    endpoint = live.get(Kind.ENDPOINT, "churn")
    assert endpoint is not None and endpoint.description is not None
    endpoint.description.update(EndpointStatus="Failed", FailureReason="image not found")


def _failed_host(live: LiveState) -> None:
    endpoint = live.get(Kind.ENDPOINT, "shared")
    assert endpoint is not None and endpoint.description is not None
    endpoint.description.update(EndpointStatus="Failed", FailureReason="no capacity")


def _no_record(live: LiveState) -> None:
    endpoint = live.get(Kind.ENDPOINT, "shared")
    assert endpoint is not None
    endpoint.tags = {k: v for k, v in endpoint.tags.items() if not applied.is_record_key(k)}


def _unmanaged(live: LiveState) -> None:
    endpoint = live.get(Kind.ENDPOINT, "shared")
    assert endpoint is not None
    endpoint.tags = {}


def _adopt(manifests: list[Any]) -> None:
    manifests[2].annotations = Annotations(adopt=True)


@pytest.mark.parametrize(
    ("edit_manifests", "edit_live", "address", "code", "why"),
    [
        pytest.param(
            lambda m: m[3].spec["RuntimeConfig"].update(CopyCount=3),
            None,
            "InferenceComponent/chat",
            ReasonCode.SPEC_CHANGED,
            "RuntimeConfig.CopyCount changed",
            id="spec-changed",
        ),
        pytest.param(
            lambda m: m[3].spec.update(VariantName="Other"),
            None,
            "InferenceComponent/chat",
            ReasonCode.CREATE_ONLY_CHANGED,
            "VariantName cannot change in place: delete, then create (interrupts chat)",
            id="create-only-changed",
        ),
        pytest.param(
            lambda m: m[2].tags.update(team="search"),
            None,
            "Endpoint/shared",
            ReasonCode.TAGS_CHANGED,
            "tags changed",
            id="tags-changed",
        ),
        pytest.param(
            None,
            _no_record,
            "Endpoint/shared",
            ReasonCode.RECORD_OUTDATED,
            "record what this apply declares (sagemaker-reconciler/declared)",
            id="record-outdated",
        ),
        pytest.param(
            _adopt,
            _unmanaged,
            "Endpoint/shared",
            ReasonCode.ADOPTING,
            "adopt: add ownership tags",
            id="adopting",
        ),
        pytest.param(
            None,
            _failed_endpoint,
            "Endpoint/churn",
            ReasonCode.RESOURCE_FAILED,
            "Endpoint is Failed (image not found); a Failed Endpoint can only be deleted and "
            "created again: delete, then create (interrupts churn)",
            id="resource-failed",
        ),
        pytest.param(
            None,
            _failed_host,
            "InferenceComponent/chat",
            ReasonCode.HOST_REPLACED,
            "its endpoint shared is replaced: delete, then create (interrupts chat)",
            id="host-replaced",
        ),
        pytest.param(
            lambda m: m.pop(3),
            None,
            "InferenceComponent/chat",
            ReasonCode.NO_LONGER_DECLARED,
            "no longer declared in the manifests",
            id="no-longer-declared",
        ),
    ],
)
def test_each_reason_has_its_code(
    edit_manifests: Any, edit_live: Any, address: str, code: ReasonCode, why: str
) -> None:
    live = converged(fleet())
    if edit_live is not None:
        edit_live(live)
    manifests = fleet()
    if edit_manifests is not None:
        edit_manifests(manifests)
    result = plan(manifests, live, owner="default")
    assert not result.problems
    change = change_of(result, address)
    assert (change.reason_code, change.reason) == (code, why)


def test_a_new_content_hash_version_is_spec_changed_and_one_already_there_superseded() -> None:
    live = converged(fleet())
    result = plan(fleet(image=IMAGE + "-new"), live, owner="default")
    model = change_of(result, "Model/llama")
    assert model.reason_code is ReasonCode.SPEC_CHANGED
    # The new version exists already (an apply stopped after creating it): only the old
    # one is left to retire.
    both = converged(fleet())
    for resource in converged(fleet(image=IMAGE + "-new")).of_kind(Kind.MODEL):
        both.add(resource)
    again = change_of(plan(fleet(image=IMAGE + "-new"), both, owner="default"), "Model/llama")
    assert (again.action, again.reason_code) == (Action.REPLACE, ReasonCode.SUPERSEDED)
    assert [s.op for s in again.steps] == [StepOp.RETIRE]


def test_retained_release_failed_before_and_forgotten_failures_have_their_codes() -> None:
    retained = converged(fleet(deletion_policy=DeletionPolicy.RETAIN))
    manifests = [m for m in fleet() if m.kind is not Kind.INFERENCE_COMPONENT]
    release = change_of(plan(manifests, retained, owner="default"), "InferenceComponent/chat")
    assert release.reason_code is ReasonCode.RETAINED

    live = converged(fleet(copies=1))
    failing = fleet(copies=3)
    ic = live.get(Kind.INFERENCE_COMPONENT, "chat")
    assert ic is not None
    ic.tags[FAILED_SPEC_TAG] = change_of(
        plan(failing, live, owner="default"), "InferenceComponent/chat"
    ).attempt
    held = change_of(plan(failing, live, owner="default"), "InferenceComponent/chat")
    assert (held.held, held.reason_code, held.steps) == (True, ReasonCode.FAILED_BEFORE, [])
    back = change_of(plan(fleet(copies=1), live, owner="default"), "InferenceComponent/chat")
    assert back.reason_code is ReasonCode.FAILURE_FORGOTTEN
    assert steps_of(back) == [(StepOp.DELETE_TAGS, "DeleteTags", "chat")]


def test_a_held_spec_says_why_it_failed_even_when_aws_keeps_no_failure_reason() -> None:
    # A revert after failed checks leaves the resource InService with no FailureReason:
    # the reason is the one apply wrote into the failed-spec tag.
    live = converged(fleet(copies=1))
    failing = fleet(copies=3)
    ic = live.get(Kind.INFERENCE_COMPONENT, "chat")
    assert ic is not None
    attempt = change_of(plan(failing, live, owner="default"), "InferenceComponent/chat").attempt
    why = "check chat failed: expected status 200, got 500 (status 500, 3 ms, body 'oops')"
    ic.tags[FAILED_SPEC_TAG] = failed_spec_value(attempt, why)
    held = change_of(plan(failing, live, owner="default"), "InferenceComponent/chat")
    assert held.held and held.reason_code is ReasonCode.FAILED_BEFORE
    assert "failed before (check chat failed: expected status 200 got 500 status 500" in (
        held.reason
    )
    # A tag written before reasons were kept (the digest alone) still holds.
    ic.tags[FAILED_SPEC_TAG] = attempt
    held = change_of(plan(failing, live, owner="default"), "InferenceComponent/chat")
    assert held.held and "(no reason given)" in held.reason
    # Moving the manifest away forgets the failure, whatever the tag says.
    ic.tags[FAILED_SPEC_TAG] = failed_spec_value(attempt, why)
    back = change_of(plan(fleet(copies=1), live, owner="default"), "InferenceComponent/chat")
    assert back.reason_code is ReasonCode.FAILURE_FORGOTTEN


@pytest.mark.parametrize(
    "reason",
    [
        "check smoke failed: expected label = 'cat', got {'x': [1, 2]}; reverted; held",
        "Endpoint e is Failed: 'ml.p5.48xlarge' is not available (quota!) — try later",
        "x" * 1000,
        "",
    ],
)
def test_the_failed_spec_tag_value_is_one_aws_accepts(reason: str) -> None:
    shape = input_shape("AddTags").members["Tags"].member.members["Value"]  # type: ignore[attr-defined]
    pattern = compile_pattern(shape.metadata["pattern"])
    assert pattern is not None
    value = failed_spec_value("0123abcd", reason)
    assert pattern.fullmatch(value) and len(value) <= shape.metadata["max"]
    assert value.startswith("0123abcd")
    assert tag_safe("a,b;c") == "a b c"


def test_a_resource_still_in_a_transition_is_a_no_op_that_awaits_it() -> None:
    live = converged(fleet())
    endpoint = live.get(Kind.ENDPOINT, "shared")
    assert endpoint is not None and endpoint.description is not None
    endpoint.description["EndpointStatus"] = "Creating"
    change = change_of(plan(fleet(), live, owner="default"), "Endpoint/shared")
    assert (change.action, change.reason_code, change.reason) == (
        Action.NOOP,
        ReasonCode.IN_TRANSITION,
        "up to date",
    )
    assert steps_of(change) == [(StepOp.AWAIT_READY, "", "shared")]
    assert change.await_ready and change.operations == []


# -- the replace strategy ----------------------------------------------------------------------


def test_a_content_hash_replace_creates_before_it_deletes() -> None:
    live = converged(fleet())
    old = next(r.name for r in live.of_kind(Kind.MODEL) if r.name.startswith("llama-"))
    model = change_of(plan(fleet(image=IMAGE + "-new"), live, owner="default"), "Model/llama")
    assert (model.replacement, model.interrupting) == (Replacement.CREATE_BEFORE_DELETE, False)
    assert steps_of(model) == [
        (StepOp.CREATE, "CreateModel", model.physical_name),
        (StepOp.RETIRE, "DeleteModel", old),
    ]


def test_a_create_only_replace_deletes_then_creates() -> None:
    manifests = fleet()
    manifests[3].spec["VariantName"] = "Other"
    ic = change_of(plan(manifests, converged(fleet()), owner="default"), "InferenceComponent/chat")
    assert (ic.replacement, ic.interrupting) == (Replacement.DELETE_THEN_CREATE, True)
    assert steps_of(ic) == [
        (StepOp.DELETE, "DeleteInferenceComponent", "chat"),
        (StepOp.CREATE, "CreateInferenceComponent", "chat"),
    ]


def test_only_replaces_have_a_replacement() -> None:
    manifests = fleet(copies=2)
    result = plan(manifests, converged(fleet()), owner="default")
    assert {c.replacement for c in result.changes} == {None}


# -- steps -------------------------------------------------------------------------------------


def test_operations_are_read_off_the_steps() -> None:
    manifests = fleet(copies=2)
    manifests[3].tags["team"] = "search"
    ic = change_of(plan(manifests, converged(fleet()), owner="default"), "InferenceComponent/chat")
    assert steps_of(ic) == [
        (StepOp.UPDATE, "UpdateInferenceComponentRuntimeConfig", "chat"),
        (StepOp.ADD_TAGS, "AddTags", "chat"),
    ]
    assert ic.operations == ["UpdateInferenceComponentRuntimeConfig", "AddTags"]
    # The hosting kinds' updates are built from the desired spec at apply.
    assert ic.steps[0].request is None


def test_an_endpoint_update_is_one_update_step() -> None:
    manifests = fleet()
    manifests[4].spec["PrimaryContainer"]["Image"] = IMAGE + "-v2"
    endpoint = change_of(plan(manifests, converged(fleet()), owner="default"), "Endpoint/churn")
    assert steps_of(endpoint) == [(StepOp.UPDATE, "UpdateEndpoint", "churn")]


def test_a_delete_deletes_every_version_and_a_release_untags_every_version() -> None:
    def with_old_llama() -> tuple[LiveState, list[str]]:
        # An older content-hash version of the llama model, still ours.
        live = converged(fleet())
        live.resources.pop((Kind.INFERENCE_COMPONENT, "chat"))
        for resource in converged(fleet(image=IMAGE + "-old")).of_kind(Kind.MODEL):
            if resource.name.startswith("llama-"):
                live.add(resource)
        return live, sorted(r.name for r in live.of_kind(Kind.MODEL) if r.name.startswith("llama-"))

    manifests = [m for m in fleet() if m.name not in ("llama", "chat")]
    live, versions = with_old_llama()
    assert len(versions) == 2
    deleted = plan(manifests, live, owner="default")
    assert not deleted.problems
    delete = change_of(deleted, "Model/llama")
    assert steps_of(delete) == [(StepOp.DELETE, "DeleteModel", name) for name in versions]
    assert delete.operations == ["DeleteModel", "DeleteModel"]

    # Retained versions (deletion-policy retain, recorded in their tags) are released.
    retained, versions = with_old_llama()
    for name in versions:
        resource = retained.get(Kind.MODEL, name)
        assert resource is not None
        resource.tags[RETAIN_TAG] = "retain"
    released = plan(manifests, retained, owner="default")
    assert not released.problems
    release = change_of(released, "Model/llama")
    assert release.reason_code is ReasonCode.RETAINED
    assert steps_of(release) == [(StepOp.DELETE_TAGS, "DeleteTags", name) for name in versions]
    for step in release.steps:
        resource = retained.get(Kind.MODEL, step.target)
        assert resource is not None and step.request is not None
        assert set(step.request["TagKeys"]) <= set(resource.tags)
        assert {OWNER_TAG, RETAIN_TAG} <= set(step.request["TagKeys"])


def test_a_hand_written_create_gets_its_steps_and_an_update_must_bring_them() -> None:
    create = Change("Model/m", Kind.MODEL, "m", "m", Action.CREATE, ["CreateModel"], "new")
    assert steps_of(create) == [(StepOp.CREATE, "CreateModel", "m")]
    with pytest.raises(ValueError, match="needs its steps"):
        Change("Endpoint/e", Kind.ENDPOINT, "e", "e", Action.UPDATE, ["UpdateEndpoint"], "x")


def test_the_cluster_update_request_is_built_from_the_describe_the_plan_read() -> None:
    before = clusters.spec()
    after = clusters.spec(
        clusters.group("controller", 1, "ml.t3.medium"), clusters.group("workers", 4)
    )
    live = clusters.live_state(before)
    resource = live.get(Kind.CLUSTER, "training")
    assert resource is not None and resource.description is not None
    change = clusters.only_change(plan([clusters.manifest(after)], live, owner="default"))
    [update] = [s for s in change.steps if s.op is StepOp.UPDATE]
    assert (update.operation, update.target) == ("UpdateCluster", "training")
    desired = resolve([clusters.manifest(after)], "default")[0]["Cluster/training"]
    assert update.request == cluster_kind.update_request(
        "training", desired.spec, resource.description
    )
    assert update.request is not None
    assert [g["InstanceGroupName"] for g in update.request["InstanceGroups"]] == ["workers"]
    assert update.request["InstanceGroups"][0]["InstanceCount"] == 4


def test_the_cluster_request_keeps_fields_owned_elsewhere_and_deletes_removed_groups() -> None:
    before = clusters.spec(
        clusters.group("controller", 1, "ml.t3.medium"),
        clusters.group("workers", 2),
        clusters.group("spare", 1),
    )
    live = clusters.live_state(before)
    resource = live.get(Kind.CLUSTER, "training")
    assert resource is not None and resource.description is not None
    # Autoscaling moved the workers to 5; the manifest leaves their count to it.
    workers = next(
        g for g in resource.description["InstanceGroups"] if g["InstanceGroupName"] == "workers"
    )
    workers.update(TargetCount=5, CurrentCount=5)
    after = clusters.spec(
        clusters.group("controller", 1, "ml.t3.medium"),
        clusters.group("workers", 2, LifeCycleConfig={**clusters.LIFECYCLE, "OnCreate": "b.sh"}),
    )
    manifest = clusters.manifest(after, ignore_differences=("InstanceGroups[*].InstanceCount",))
    change = clusters.only_change(plan([manifest], live, owner="default"))
    [update] = [s for s in change.steps if s.op is StepOp.UPDATE]
    assert update.request is not None
    assert update.request["InstanceGroupsToDelete"] == ["spare"]
    [sent] = update.request["InstanceGroups"]
    assert (sent["InstanceGroupName"], sent["InstanceCount"]) == ("workers", 5)
    assert sent["LifeCycleConfig"]["OnCreate"] == "b.sh"


# -- plan JSON ---------------------------------------------------------------------------------


def test_plan_json_adds_reason_code_and_replacement_and_keeps_every_key() -> None:
    manifests = fleet(copies=2)
    manifests[3].spec["VariantName"] = "Other"
    manifests[4].spec["PrimaryContainer"]["Image"] = IMAGE + "-v2"
    result = plan(manifests, converged(fleet()), owner="default")
    plain = {c["address"]: c for c in result.to_json()["changes"]}
    coded = {c["address"]: c for c in result.to_json(with_codes=True)["changes"]}
    assert set(plain) == set(coded)
    for address, doc in plain.items():
        added = {k: v for k, v in coded[address].items() if k not in doc}
        assert {k: coded[address][k] for k in doc} == doc  # every key, the same value
        assert set(added) <= {"reason_code", "replacement"} and "reason_code" in added
    ic = coded["InferenceComponent/chat"]
    assert (ic["reason_code"], ic["replacement"], ic["interrupting"]) == (
        "create-only-changed",
        "delete-then-create",
        True,
    )
    model = coded["Model/churn"]
    assert (model["reason_code"], model["replacement"]) == ("spec-changed", "create-before-delete")
    assert "replacement" not in coded["Endpoint/churn"]


def test_steps_and_their_payload_never_reach_plan_json() -> None:
    manifests = fleet()
    manifests[3].spec["Specification"]["Environment"] = {"HF_TOKEN": "hf_secret_1"}
    live = converged(manifests)
    changed = fleet()
    changed[3].spec["Specification"]["Environment"] = {"HF_TOKEN": "hf_secret_2"}
    result = plan(changed, live, owner="default")
    text = json.dumps(result.to_json(with_fingerprints=True, with_codes=True))
    assert "hf_secret" not in text and "steps" not in text and "request" not in text
    cluster = plan(
        [clusters.manifest(clusters.spec(clusters.group("workers", 9)))],
        clusters.live_state(),
        owner="default",
    )
    assert "InstanceGroupsToDelete" not in json.dumps(cluster.to_json(with_codes=True))


# -- the saved plan ----------------------------------------------------------------------------


def test_a_saved_plan_round_trips_and_is_checked_against_a_fresh_one(tmp_path: Path) -> None:
    live = converged(fleet())
    result = plan(fleet(copies=2), live, owner="default")
    path = str(tmp_path / "plan.json")
    saved_plan.write(path, result, directory=str(tmp_path), digest="d1")
    saved = saved_plan.read(path)
    assert (saved.owner, saved.directory) == ("default", str(tmp_path.resolve()))
    assert saved.document["changes"][0]["reason_code"] == "spec-changed"
    assert saved.document["fingerprints"] == dict(sorted(result.fingerprints.items()))
    saved_plan.check(saved, plan(fleet(copies=2), live, owner="default"), "d1")
    with pytest.raises(saved_plan.SavedPlanError, match="the manifests changed"):
        saved_plan.check(saved, result, "d2")


def test_a_saved_cluster_plan_is_refused_once_the_cluster_moved(tmp_path: Path) -> None:
    after = clusters.spec(clusters.group("controller", 1, "ml.t3.medium"), clusters.group("w", 4))
    live = clusters.live_state()
    result = plan([clusters.manifest(after)], live, owner="default")
    path = str(tmp_path / "plan.json")
    saved_plan.write(path, result, directory=str(tmp_path), digest="d")
    # Someone scales a group between plan and apply: the request the plan built no longer
    # fits, and the fingerprint of the cluster's Describe says so.
    moved = copy.deepcopy(live)
    resource = moved.get(Kind.CLUSTER, "training")
    assert resource is not None and resource.description is not None
    resource.description["InstanceGroups"][0]["TargetCount"] += 1
    fresh = plan([clusters.manifest(after)], moved, owner="default")
    with pytest.raises(saved_plan.SavedPlanError) as refused:
        saved_plan.check(saved_plan.read(path), fresh, "d")
    assert str(refused.value) == (
        "the account changed since the plan was saved (Cluster/training); plan again"
    )


def test_a_file_that_is_not_a_saved_plan_says_so(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text("{}")
    with pytest.raises(saved_plan.SavedPlanError, match=r"plan.json: not a saved plan"):
        saved_plan.read(str(path))


# -- the apply summary -------------------------------------------------------------------------


@dataclass
class _Outcome:
    address: str
    result: str
    detail: str = ""


@dataclass
class _Report:
    outcomes: list[_Outcome] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        order = ("created", "updated", "replaced", "deleted", "unchanged", "skipped", "failed")
        return {r: sum(o.result == r for o in self.outcomes) for r in order}


def test_the_apply_summary_names_failures_and_skips_then_counts() -> None:
    report = _Report(
        [
            _Outcome("Model/m", "created", "does not exist"),
            _Outcome("Endpoint/e", "failed", "ValidationException: bad"),
            _Outcome("InferenceComponent/c", "skipped", "Endpoint/e did not complete"),
            _Outcome("Model/n", "unchanged"),
        ]
    )
    assert apply_view.render(report) == (
        "\n"
        "Endpoint/e: failed: ValidationException: bad\n"
        "InferenceComponent/c: skipped: Endpoint/e did not complete\n"
        "Apply: 1 created, 1 unchanged, 1 skipped, 1 failed.\n"
    )


def test_the_apply_summary_of_the_executors_report() -> None:
    from reconciler.execution.executor import ApplyReport, Outcome, Result

    report = ApplyReport([Outcome("Model/m", Result.CREATED, "x", 1.5)])
    assert apply_view.render(report) == "\nApply: 1 created.\n"


def _churn_with_checks(image: str) -> list[Manifest]:
    """The fleet, churn's endpoint with a check and churn's model of `image`."""
    checks = Checks((Invocation(name="smoke", body="{}"),))
    manifests = []
    for m in fleet():
        if m.address == "Endpoint/churn":
            m = dataclasses.replace(m, checks=checks)
        elif m.address == "Model/churn":
            m = dataclasses.replace(m, spec={**m.spec, "PrimaryContainer": {"Image": image}})
        manifests.append(m)
    return manifests


def _rollout_left_unretired() -> tuple[list[Manifest], Any, str]:
    """The manifests of a new churn model, and an account that runs it while the old
    model and config still exist (an apply stopped before retiring them): the plan's
    desired manifests, the live state, and the old config's name."""
    new, old = _churn_with_checks(IMAGE + "-new"), _churn_with_checks(IMAGE)
    live = converged(new)
    before = converged(old)
    old_config = next(r.name for r in before.of_kind(Kind.ENDPOINT_CONFIG) if "churn" in r.name)
    for kind in (Kind.MODEL, Kind.ENDPOINT_CONFIG):
        for resource in before.of_kind(kind):
            live.add(resource)
    return new, live, old_config


def test_a_rollout_left_unretired_is_checked_unless_its_checks_passed_for_this_spec() -> None:
    from reconciler.resources import VERIFIED_TAG

    new, live, old_config = _rollout_left_unretired()
    endpoint = live.get(Kind.ENDPOINT, "churn")
    assert endpoint is not None and endpoint.description is not None
    # Never checked: the checks run before the old config is retired, and a failure goes
    # back onto it.
    change = change_of(plan(new, live, owner="default"), "Endpoint/churn")
    assert (change.action, change.reason_code, change.steps) == (
        Action.UPDATE,
        ReasonCode.UNVERIFIED,
        [],
    )
    assert change.checks is not None and change.revert_to is not None
    assert change.revert_to["EndpointConfigName"] == old_config
    # Checked and passed for this spec: nothing to do of the endpoint.
    endpoint.tags[VERIFIED_TAG] = change.checks_attempt
    proven = plan(new, live, owner="default")
    assert change_of(proven, "Endpoint/churn").action is Action.NOOP
    # ... unless it is moving now: a marker of an earlier rollout says nothing of that.
    endpoint.description["EndpointStatus"] = "Updating"
    moving = change_of(plan(new, live, owner="default"), "Endpoint/churn")
    assert moving.reason_code is ReasonCode.UNVERIFIED
    endpoint.description["EndpointStatus"] = "InService"
    # Failed its checks and still serving: held, and the old config is kept with it.
    endpoint.tags[FAILED_SPEC_TAG] = failed_spec_value(change.checks_attempt, "check smoke")
    del endpoint.tags[VERIFIED_TAG]
    held = plan(new, live, owner="default")
    assert change_of(held, "Endpoint/churn").held
    config = change_of(held, "EndpointConfig/churn")
    assert config.action is not Action.REPLACE and config.superseded == []
    assert all(step.op is not StepOp.RETIRE for step in config.steps)
