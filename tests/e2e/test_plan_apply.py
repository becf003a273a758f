"""What a user does with plan and apply, end to end against the emulator: the examples
converge, every kind of edit produces exactly its operations, and the next plan is empty."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.env import Env
from tests.support.factories import hand_made_endpoint


def test_examples_plan_with_changes_then_apply_then_nothing_left(env: Env) -> None:
    run = env.reconciler("plan", str(env.directory), "--detailed-exitcode")
    assert run.code == 2, run.err
    assert "Plan: 10 to create, 0 to update, 0 to replace, 0 to delete, 0 unchanged." in run.out

    document = json.loads(env.reconciler("plan", str(env.directory), "--json").out)
    assert document["format_version"] == "1" and document["owner"] == "default"
    assert document["summary"] == {"create": 10, "update": 0, "replace": 0, "delete": 0, "no-op": 0}
    ic = next(c for c in document["changes"] if c["address"] == "InferenceComponent/llama-chat")
    assert ic["operations"] == ["CreateInferenceComponent"]
    assert ic["depends_on"] == ["Endpoint/shared-gpu", "Model/llama-model"]

    code, writes, output = env.writes_during()
    assert code == 0, output
    assert writes == {
        "CreateModel": 3,
        "CreateEndpointConfig": 2,
        "CreateEndpoint": 2,
        "CreateInferenceComponent": 2,
        "CreateCluster": 1,
    }
    assert "Apply: 10 created." in output

    again = env.reconciler("plan", str(env.directory), "--detailed-exitcode")
    assert again.code == 0, again.out + again.err
    assert "No changes. 10 resources match the manifests." in again.out
    sm = env.sagemaker()
    ic_live = sm.describe_inference_component(InferenceComponentName="llama-chat")
    assert ic_live["InferenceComponentStatus"] == "InService"
    assert ic_live["RuntimeConfig"]["CurrentCopyCount"] == 2
    tags = {
        t["Key"]: t["Value"]
        for t in sm.list_tags(ResourceArn=ic_live["InferenceComponentArn"])["Tags"]
    }
    assert tags["sagemaker-reconciler/owner"] == "default"
    assert tags["sagemaker-reconciler/address"] == "InferenceComponent/llama-chat"
    assert tags["team"] == "ml-platform"


# One edit of each kind: (file, old, new, the writes its apply makes).
EDITS: list[tuple[str, str, str, dict[str, int]]] = [
    (
        "shared-gpu/llama-chat.yaml",
        "RuntimeConfig: {CopyCount: 2}",
        "RuntimeConfig: {CopyCount: 3}",
        {"UpdateInferenceComponentRuntimeConfig": 1},
    ),
    (
        "shared-gpu/mistral-summarize.yaml",
        "NumberOfCpuCoresRequired: 4",
        "NumberOfCpuCoresRequired: 2",
        {"UpdateInferenceComponent": 1},
    ),
    (
        "shared-gpu/endpoint.yaml",
        "InitialInstanceCount: 1",
        "InitialInstanceCount: 2",
        {"CreateEndpointConfig": 1, "UpdateEndpoint": 1, "DeleteEndpointConfig": 1},
    ),
    (
        "classic/churn.yaml",
        "sagemaker-xgboost:1.7-1",
        "sagemaker-xgboost:1.7-2",
        {
            "CreateModel": 1,
            "CreateEndpointConfig": 1,
            "UpdateEndpoint": 1,
            "DeleteEndpointConfig": 1,
            "DeleteModel": 1,
        },
    ),
    (
        "shared-gpu/llama-chat.yaml",
        'MAX_INPUT_LENGTH: "4096"',
        'MAX_INPUT_LENGTH: "8192"',
        {"CreateModel": 1, "UpdateInferenceComponent": 1, "DeleteModel": 1},
    ),
    (
        "classic/churn.yaml",
        "tags: {team: growth}\nspec:\n  EndpointConfigName",
        "tags: {team: retention}\nspec:\n  EndpointConfigName",
        {"AddTags": 1},
    ),
]


def test_each_edit_applies_exactly_its_operations_and_settles(env: Env) -> None:
    assert env.apply().code == 0
    for relative, old, new, expected in EDITS:
        env.edit(relative, old, new)
        code, writes, output = env.writes_during()
        assert code == 0, output
        assert writes == expected, (relative, new, output)
        settled = env.reconciler("plan", str(env.directory), "--detailed-exitcode")
        assert settled.code == 0, (relative, new, settled.out + settled.err)


def test_removing_an_inference_component_deletes_it(env: Env) -> None:
    assert env.apply().code == 0
    (env.directory / "shared-gpu" / "mistral-summarize.yaml").write_text(
        (env.directory / "shared-gpu" / "mistral-summarize.yaml").read_text().split("---")[0]
    )
    code, writes, output = env.writes_during()
    assert code == 0, output
    assert writes == {"DeleteInferenceComponent": 1}
    assert env.reconciler("plan", str(env.directory), "--detailed-exitcode").code == 0


def test_an_existing_unmanaged_endpoint_is_refused_and_nothing_is_written(env: Env) -> None:
    hand_made_endpoint(env.sagemaker(), "churn", config="hand-made", model="hand-made")
    code, writes, output = env.writes_during()
    assert code == 1
    assert writes == {}
    assert "churn.yaml:" in output
    assert "Endpoint/churn: Endpoint churn exists and is not managed by owner default" in output


def test_saved_plan_applies_and_a_stale_one_is_refused(env: Env, tmp_path: Path) -> None:
    planfile = tmp_path / "plan.json"
    run = env.reconciler("plan", str(env.directory), "--out", str(planfile))
    assert run.code == 0, run.err
    saved = json.loads(planfile.read_text())
    assert saved["summary"]["create"] == 10 and "fingerprints" in saved
    assert env.reconciler("apply", str(planfile), "--auto-approve").code == 0

    env.edit(
        "shared-gpu/llama-chat.yaml",
        "RuntimeConfig: {CopyCount: 2}",
        "RuntimeConfig: {CopyCount: 1}",
    )
    assert env.reconciler("plan", str(env.directory), "--out", str(planfile)).code == 0
    # Someone changes the account between plan and apply.
    env.sagemaker().update_inference_component_runtime_config(
        InferenceComponentName="llama-chat", DesiredRuntimeConfig={"CopyCount": 4}
    )
    stale = env.reconciler("apply", str(planfile), "--auto-approve")
    assert stale.code == 1
    assert (
        "the account changed since the plan was saved (InferenceComponent/llama-chat)" in stale.err
    )


def test_a_rolled_back_endpoint_update_fails_the_apply_with_its_reason(env: Env) -> None:
    assert env.apply().code == 0
    env.control.fail("Endpoint", "churn", "Image pull failed for the new model")
    env.edit("classic/churn.yaml", "InitialInstanceCount: 1", "InitialInstanceCount: 2")
    code, writes, output = env.writes_during()
    assert code == 1
    assert (
        "UpdateEndpoint of churn failed and rolled back: Image pull failed for the new model"
        in output
    )
    # The old config is kept: the endpoint still runs on it.
    assert "DeleteEndpointConfig" not in writes

    # The next pass does not retry the same spec: no UpdateEndpoint, still a failure.
    code, writes, output = env.writes_during()
    assert code == 1
    assert "UpdateEndpoint" not in writes
    assert "held: this spec failed before (Image pull failed for the new model)" in output

    # A changed spec is tried again, and succeeds; the failure marker goes away.
    env.edit("classic/churn.yaml", "InitialInstanceCount: 2", "InitialInstanceCount: 3")
    code, writes, output = env.writes_during()
    assert code == 0, output
    assert writes["UpdateEndpoint"] == 1
    assert env.reconciler("plan", str(env.directory), "--detailed-exitcode").code == 0


def test_empty_manifests_never_delete_without_allow_empty(env: Env) -> None:
    assert env.apply().code == 0
    for path in env.directory.rglob("*.yaml"):
        path.unlink()
    code, writes, output = env.writes_during()
    assert code == 1 and writes == {}
    assert "refusing (pass --allow-empty" in output
    code, writes, output = env.writes_during("--max-deletes", "3", "--allow-empty")
    assert code == 1 and writes == {}
    assert "more than --max-deletes 3" in output


def test_apply_without_a_terminal_needs_auto_approve(env: Env) -> None:
    run = env.reconciler("apply", str(env.directory))
    assert run.code == 1
    assert "pass --auto-approve" in run.err
    assert env.writes() == {}
