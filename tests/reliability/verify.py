"""What "converged" means in this suite: the next plan is empty, and the account holds
exactly the resources `reconciler status --json` lists (no duplicates, nothing missing,
nothing extra) — each carrying our owner tag and the address of the manifest that
declares it. That is tests/e2e's `assert_converged_exactly` plus the tags, with one plan
instead of two (its plan --detailed-exitcode and plan --json say the same thing)."""

from __future__ import annotations

import json
from typing import Any

from reconciler.resources import ADDRESS_TAG, OWNER_TAG
from tests.support.account import account_names
from tests.support.env import Env

ARN_KEYS = {
    "Model": ("describe_model", "ModelName", "ModelArn"),
    "EndpointConfig": ("describe_endpoint_config", "EndpointConfigName", "EndpointConfigArn"),
    "Endpoint": ("describe_endpoint", "EndpointName", "EndpointArn"),
    "InferenceComponent": (
        "describe_inference_component",
        "InferenceComponentName",
        "InferenceComponentArn",
    ),
}


def tags_of(env: Env, kind: str, name: str, sm: Any = None) -> dict[str, str]:
    sm = sm or env.sagemaker()
    method, param, arn_key = ARN_KEYS[kind]
    arn = getattr(sm, method)(**{param: name})[arn_key]
    return {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=arn)["Tags"]}


def account_tags(env: Env) -> dict[str, dict[str, str]]:
    """Every hosting resource in the account (Kind/physical-name) → its tags."""
    sm = env.sagemaker()
    result = {}
    for entry in sorted(account_names(env)):
        kind, name = entry.split("/", 1)
        result[entry] = tags_of(env, kind, name, sm)
    return result


def status_rows(env: Env) -> list[dict[str, Any]]:
    run = env.reconciler("status", str(env.directory), "--json", "--endpoint-url", env.url)
    assert run.code == 0, run.err
    rows: list[dict[str, Any]] = json.loads(run.out)["resources"]
    return rows


def assert_account_matches(env: Env, rows: list[dict[str, Any]], owner: str = "default") -> None:
    """`status --json` rows all InSync (so the plan is empty: status lists every change,
    deletes as Orphaned), and the account holds exactly those resources, each ours and
    under its own address."""
    assert {r["sync"] for r in rows} == {"InSync"}, rows
    expected = {f"{r['address'].split('/')[0]}/{r['physical_name']}": r["address"] for r in rows}
    tags = account_tags(env)
    assert set(tags) == set(expected)
    assert {name: t.get(ADDRESS_TAG) for name, t in tags.items()} == expected
    assert {name: t.get(OWNER_TAG) for name, t in tags.items()} == dict.fromkeys(tags, owner)


def assert_converged(env: Env, owner: str = "default") -> None:
    changes = env.plan_json()["changes"]
    assert changes == [], changes
    assert_account_matches(env, status_rows(env), owner)
