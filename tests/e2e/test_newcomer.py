"""What a newcomer hits first: `status` on a plan with problems, the apply summary of a
resource skipped because what it needs failed, and reading tags in batches."""

from __future__ import annotations

import json

from reconciler.resources import OWNER_TAG
from tests.support.env import Env


def test_the_apply_summary_names_a_skipped_resource_once(env: Env) -> None:
    env.control.add_fault("CreateEndpointConfig", "AccessDeniedException")
    run = env.apply()
    assert run.code == 1
    assert "skipped: skipped:" not in run.out
    skipped = [line for line in run.out.splitlines() if line.startswith("Endpoint/churn: ")]
    assert skipped == ["Endpoint/churn: skipped: EndpointConfig/churn did not complete"]


def status(env: Env, *args: str) -> tuple[int, list[dict[str, object]], str]:
    run = env.reconciler("status", str(env.directory), "--json", "--endpoint-url", env.url, *args)
    rows = json.loads(run.out)["resources"] if run.out else []
    return run.code, rows, run.err


def test_status_lists_every_resource_when_the_plan_has_problems(env: Env) -> None:
    assert env.apply().code == 0
    # Someone else's tooling takes one inference component over (its owner tag now
    # names another owner): the plan refuses to touch it.
    sm = env.sagemaker()
    arn = sm.describe_inference_component(InferenceComponentName="llama-chat")[
        "InferenceComponentArn"
    ]
    sm.add_tags(ResourceArn=arn, Tags=[{"Key": OWNER_TAG, "Value": "team-b"}])

    code, rows, err = status(env)
    assert code == 0, err
    by_address = {r["address"]: r for r in rows}
    declared = {
        "Model/churn-xgboost",
        "EndpointConfig/churn",
        "Endpoint/churn",
        "Model/llama-model",
        "Model/mistral-model",
        "EndpointConfig/shared-gpu",
        "Endpoint/shared-gpu",
        "InferenceComponent/llama-chat",
        "InferenceComponent/mistral-summarize",
        "Cluster/research-training",
    }
    assert set(by_address) == declared, sorted(by_address)
    refused = by_address["InferenceComponent/llama-chat"]
    assert (refused["sync"], refused["health"], refused["status"]) == (
        "OutOfSync",
        "Healthy",
        "InService",
    )
    assert refused["physical_name"] == "llama-chat"
    assert "managed by owner team-b, not default" in str(refused["reason"])
    others = {a: r["sync"] for a, r in by_address.items() if a != refused["address"]}
    assert set(others.values()) == {"InSync"}, others
    assert "managed by owner team-b" in err  # the problem, with its file and line

    # The human table says the same.
    run = env.reconciler("status", str(env.directory), "--endpoint-url", env.url)
    assert run.code == 0
    assert "problem: " in run.out and "managed by owner team-b" in run.out


def test_status_reads_tags_in_batches(env: Env) -> None:
    assert env.apply().code == 0
    before = env.control.calls()
    code, rows, err = status(env)
    assert code == 0, err
    after = env.control.calls()

    def made(op: str) -> int:
        return after.get(op, 0) - before.get(op, 0)

    assert len(rows) >= 10
    assert made("GetResources") >= 1
    assert made("ListTags") == 0


def test_status_exits_1_only_when_the_account_cannot_be_read(env: Env) -> None:
    assert env.apply().code == 0
    env.control.add_fault("ListEndpoints", "AccessDeniedException")
    run = env.reconciler("status", str(env.directory), "--endpoint-url", env.url)
    assert run.code == 1
    assert "Traceback" not in run.err
    assert run.err.strip().splitlines()[-1].startswith("reconciler: cannot read the account")
