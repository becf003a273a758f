"""Ownership: resources under the examples' names that are not ours — (a) without owner
tags, (b) with another owner's, (c) with our tags copied from a resource of another
address — make plan and apply exit 1 naming each of them, and nothing is written at all.
And (d) our tags copied onto resources that are not the examples' must never make those
a prune candidate (DESIGN.md: the address tag is "self-identifying, so a tag copied onto
another resource can never make it a prune candidate")."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from reconciler.resources import OWNER_TAG, OWNERSHIP_TAGS
from tests.reliability.support import tally
from tests.reliability.verify import ARN_KEYS, account_tags, tags_of
from tests.support.calls import delta, writes_of
from tests.support.env import Env
from tests.support.factories import hand_made_endpoint

ROLE = "arn:aws:iam::123456789012:role/SageMakerExecution"
XGBOOST = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"


def _arn(sm: Any, entry: str) -> str:
    kind, name = entry.split("/", 1)
    method, param, key = ARN_KEYS[kind]
    return str(getattr(sm, method)(**{param: name})[key])


def _tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def _strip_our_tags(env: Env, tags: dict[str, dict[str, str]]) -> None:
    sm = env.sagemaker()
    for entry in tags:
        sm.delete_tags(ResourceArn=_arn(sm, entry), TagKeys=list(OWNERSHIP_TAGS))


def _another_owner(env: Env, tags: dict[str, dict[str, str]]) -> None:
    sm = env.sagemaker()
    for entry in tags:
        sm.add_tags(ResourceArn=_arn(sm, entry), Tags=[{"Key": OWNER_TAG, "Value": "team-b"}])


def _tags_copied_across(env: Env, tags: dict[str, dict[str, str]]) -> None:
    """Each resource gets the ownership tags of another resource of its kind."""
    sm = env.sagemaker()
    by_kind: dict[str, list[str]] = {}
    for entry in sorted(tags):
        by_kind.setdefault(entry.split("/")[0], []).append(entry)
    for entries in by_kind.values():
        for index, entry in enumerate(entries):
            source = tags[entries[(index + 1) % len(entries)]]
            copied = {k: v for k, v in source.items() if k in OWNERSHIP_TAGS}
            sm.add_tags(ResourceArn=_arn(sm, entry), Tags=_tag_list(copied))


# case → (how the fleet's resources stop being ours, what each refusal says)
CASES: dict[str, tuple[Callable[[Env, dict[str, dict[str, str]]], None], str]] = {
    "a-no-owner-tags": (_strip_our_tags, "exists and is not managed by owner default"),
    "b-another-owner": (_another_owner, "exists and is managed by owner team-b, not default"),
    "c-tags-of-another-address": (_tags_copied_across, "carries owner default's tags for"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_resources_we_do_not_own_are_refused_and_never_written(fleet: Env, case: str) -> None:
    take_away, refusal = CASES[case]
    take_away(fleet, account_tags(fleet))
    snapshot = account_tags(fleet)
    before = fleet.control.calls()
    for argv in (["plan", str(fleet.directory)], ["apply", str(fleet.directory), "--auto-approve"]):
        run = fleet.reconciler(*argv)
        assert run.code == 1, run.out + run.err
        refused = [line for line in run.err.splitlines() if refusal in line]
        # Every one of the 9 resources is named, at its manifest's line.
        assert len(refused) == 9, run.err
        assert all(re.search(r"\.yaml:\d+: ", line) for line in refused), refused
    assert writes_of(delta(before, fleet.control.calls())) == {}
    assert account_tags(fleet) == snapshot
    tally("ownership: fleets not ours (a, b, c) refused by plan and apply, each with 0 writes")


def test_a_hand_made_endpoint_under_a_desired_name_stops_the_whole_apply(env: Env) -> None:
    """Nothing is created around the conflict either (no half-applied fleet)."""
    sm = env.sagemaker()
    hand_made_endpoint(sm, "churn")
    before = env.control.calls()
    run = env.apply()
    assert run.code == 1
    assert "Endpoint churn exists and is not managed by owner default" in run.err
    assert writes_of(delta(before, env.control.calls())) == {}
    assert sm.describe_endpoint(EndpointName="churn")["EndpointConfigName"] == "hand-config"


def _copy_churn_tags_onto_legacy_resources(env: Env) -> dict[str, dict[str, str]]:
    """A hand-made model, config and endpoint ("legacy-*") that carry the ownership tags
    of Model/churn-xgboost, EndpointConfig/churn and Endpoint/churn, e.g. copied by a
    script that cloned the churn endpoint. Returns their tags."""
    sm = env.sagemaker()
    ours = {
        entry.split("/")[0]: tags
        for entry, tags in account_tags(env).items()
        if entry.split("/")[1].startswith("churn")
    }
    sm.create_model(
        ModelName="legacy-model",
        ExecutionRoleArn=ROLE,
        PrimaryContainer={"Image": XGBOOST},
        Tags=_tag_list(ours["Model"]),
    )
    sm.create_endpoint_config(
        EndpointConfigName="legacy-config",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": "legacy-model",
                "InstanceType": "ml.m5.xlarge",
                "InitialInstanceCount": 1,
            }
        ],
        Tags=_tag_list(ours["EndpointConfig"]),
    )
    sm.create_endpoint(
        EndpointName="legacy-endpoint",
        EndpointConfigName="legacy-config",
        Tags=_tag_list(ours["Endpoint"]),
    )
    sm.describe_endpoint(EndpointName="legacy-endpoint")  # InService (describes:1)
    return {
        "Model/legacy-model": tags_of(env, "Model", "legacy-model"),
        "EndpointConfig/legacy-config": tags_of(env, "EndpointConfig", "legacy-config"),
        "Endpoint/legacy-endpoint": tags_of(env, "Endpoint", "legacy-endpoint"),
    }


def test_copied_tags_do_not_make_foreign_resources_superseded_versions(fleet: Env) -> None:
    legacy = _copy_churn_tags_onto_legacy_resources(fleet)
    before = fleet.control.calls()
    run = fleet.apply()
    # Left alone with a warning, or refused: either way, never written. Today: "Model/
    # churn-xgboost: replace ... superseded legacy-model deleted once dependants moved"
    # (and the same for legacy-config), with no manifest changed.
    assert "Traceback" not in run.err
    assert writes_of(delta(before, fleet.control.calls())) == {}
    assert {k: v for k, v in account_tags(fleet).items() if k in legacy} == legacy


def test_copied_tags_do_not_make_foreign_resources_prune_candidates(fleet: Env) -> None:
    legacy = _copy_churn_tags_onto_legacy_resources(fleet)
    (fleet.directory / "classic" / "churn.yaml").unlink()
    before = fleet.control.calls()
    run = fleet.apply()
    assert run.code == 0, run.out + run.err
    # Today: "Endpoint/churn: delete ... calls: DeleteEndpoint, DeleteEndpoint; retires:
    # legacy-endpoint" — the hand-made endpoint, config and model are deleted too.
    assert writes_of(delta(before, fleet.control.calls())) == {
        "DeleteEndpoint": 1,
        "DeleteEndpointConfig": 1,
        "DeleteModel": 1,
    }
    assert {k: v for k, v in account_tags(fleet).items() if k in legacy} == legacy
