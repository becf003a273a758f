"""Apply, then plan, settles on what SageMaker answers — and on more than that.

The emulator answers Describe as AWS does (``aws``: DataCacheConfig on accelerator ICs,
Mode: SingleModel, InitialVariantWeight, variant summaries, ...) or adds further plausible
fields nobody asked for (``extra``). For every example manifest and every kind of edit,
apply writes exactly the edit's calls and the next plan is empty; a field or tag dropped
from a manifest is still planned (and applied) as a change; tags set outside git stay."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e import test_plan_apply as plan_apply
from tests.support.env import Env

# The edits of test_plan_apply (one of each kind), then fields and tags added and dropped.
EDITS: list[tuple[str, str, str, dict[str, int]]] = [
    *plan_apply.EDITS,
    # A field added to an IC (the record of declared fields is rewritten: AddTags) ...
    (
        "shared-gpu/mistral-summarize.yaml",
        "      NumberOfCpuCoresRequired: 2\n",
        "      NumberOfCpuCoresRequired: 2\n"
        "    StartupParameters: {ModelDataDownloadTimeoutInSeconds: 900}\n",
        {"UpdateInferenceComponent": 1, "AddTags": 1},
    ),
    # ... and dropped again: still a change, although SageMaker may still show it.
    (
        "shared-gpu/mistral-summarize.yaml",
        "    StartupParameters: {ModelDataDownloadTimeoutInSeconds: 900}\n",
        "",
        {"UpdateInferenceComponent": 1, "AddTags": 1},
    ),
    # A model's Environment key dropped: a new content-hash model, the IC moves to it.
    (
        "shared-gpu/llama-chat.yaml",
        '      MAX_INPUT_LENGTH: "8192"\n',
        "",
        {"CreateModel": 1, "UpdateInferenceComponent": 1, "DeleteModel": 1},
    ),
    (
        "classic/churn.yaml",
        "tags: {team: retention}\nspec:\n  EndpointConfigName",
        "tags: {team: retention, cost-center: '4711'}\nspec:\n  EndpointConfigName",
        {"AddTags": 1},
    ),
    # A declared tag key dropped: removed (and the record rewritten).
    (
        "classic/churn.yaml",
        "tags: {team: retention, cost-center: '4711'}\nspec:\n  EndpointConfigName",
        "tags: {team: retention}\nspec:\n  EndpointConfigName",
        {"DeleteTags": 1, "AddTags": 1},
    ),
    (
        "hyperpod/cluster.yaml",
        "      InstanceCount: 2\n",
        "      InstanceCount: 3\n",
        {"UpdateCluster": 1},
    ),
    # A group field added, then dropped: UpdateCluster sends the group's complete spec.
    (
        "hyperpod/cluster.yaml",
        "      ThreadsPerCore: 1\n",
        "      ThreadsPerCore: 1\n      OnStartDeepHealthChecks: [InstanceStress]\n",
        {"UpdateCluster": 1, "AddTags": 1},
    ),
    (
        "hyperpod/cluster.yaml",
        "      OnStartDeepHealthChecks: [InstanceStress]\n",
        "",
        {"UpdateCluster": 1, "AddTags": 1},
    ),
    # A create-only field dropped: it keeps its live value (no replace); the record forgets it.
    (
        "hyperpod/cluster.yaml",
        "      ThreadsPerCore: 1\n      SlurmConfig: {NodeType: Compute, PartitionNames: [gpu]}\n",
        "      SlurmConfig: {NodeType: Compute, PartitionNames: [gpu]}\n",
        {"AddTags": 1},
    ),
    # A cluster field dropped: UpdateCluster cannot unset it; it keeps its live value.
    ("hyperpod/cluster.yaml", "  NodeRecovery: Automatic\n", "", {"AddTags": 1}),
]


def settled(env: Env) -> Any:
    return env.reconciler("plan", str(env.directory), "--detailed-exitcode")


@pytest.mark.parametrize("server_fields", ["aws", "extra"])
def test_every_example_and_every_edit_settles(env: Env, server_fields: str) -> None:
    env.control.set_server_fields(server_fields)
    code, writes, output = env.writes_during()
    assert code == 0, output
    after = settled(env)
    assert after.code == 0, after.out + after.err
    for relative, old, new, expected in EDITS:
        env.edit(relative, old, new)
        code, writes, output = env.writes_during()
        assert code == 0, (relative, new, output)
        assert writes == expected, (relative, new, output)
        after = settled(env)
        assert after.code == 0, (relative, new, after.out + after.err)


@pytest.mark.parametrize("server_fields", ["aws", "extra"])
def test_a_dropped_field_is_planned_with_its_live_value(env: Env, server_fields: str) -> None:
    env.control.set_server_fields(server_fields)
    env.edit(
        "shared-gpu/llama-chat.yaml",
        "      NumberOfCpuCoresRequired: 4\n",
        "      NumberOfCpuCoresRequired: 4\n"
        "    StartupParameters: {ContainerStartupHealthCheckTimeoutInSeconds: 600}\n",
    )
    assert env.apply().code == 0
    assert settled(env).code == 0
    env.edit(
        "shared-gpu/llama-chat.yaml",
        "    StartupParameters: {ContainerStartupHealthCheckTimeoutInSeconds: 600}\n",
        "",
    )
    document = env.plan_json()
    [change] = document["changes"]
    assert change["address"] == "InferenceComponent/llama-chat"
    assert change["operations"] == ["UpdateInferenceComponent", "AddTags"]
    assert change["diff"] == [
        {
            "path": "Specification.StartupParameters.ContainerStartupHealthCheckTimeoutInSeconds",
            "before": 600,
            "after": None,
        }
    ]


def test_tags_set_outside_git_are_left_alone(env: Env) -> None:
    assert env.apply().code == 0
    sm = env.sagemaker()
    arn = sm.describe_endpoint(EndpointName="churn")["EndpointArn"]
    sm.add_tags(
        ResourceArn=arn,
        Tags=[
            {"Key": "cost-allocation", "Value": "growth"},
            {"Key": "sagemaker.amazonaws.com/project", "Value": "sdk"},
        ],
    )
    document = env.plan_json()
    assert document["changes"] == [], json.dumps(document["changes"], indent=1)
    tags = {t["Key"] for t in sm.list_tags(ResourceArn=arn)["Tags"]}
    assert {"cost-allocation", "sagemaker.amazonaws.com/project"} <= tags
