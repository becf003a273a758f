"""The executor runs the plan's steps and decides nothing again (pure: a fake gateway, no
AWS): a cluster's UpdateCluster is the request the plan built, a release untags
every version it names, and a change's halves run in the order its replacement says."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from reconciler.execution.executor import Executor, Result
from reconciler.execution.waiting import WaitPolicy
from reconciler.planning.changes import (
    Action,
    Change,
    Plan,
    ReasonCode,
    Replacement,
    Step,
    StepOp,
)
from reconciler.planning.planner import plan
from reconciler.resources import OWNER_TAG, Kind
from tests.support.gateway import FakeGateway, not_found
from tests.unit import test_cluster_planning as clusters

ACCOUNT = "arn:aws:sagemaker:us-east-1:123456789012"
WRITES = ("Create", "Update", "Delete", "AddTags")


def writes(aws: FakeGateway) -> list[tuple[str, dict[str, Any]]]:
    return [(op, request) for _, op, request in aws.calls if op.startswith(WRITES)]


def apply(aws: FakeGateway, changes: list[Change]) -> dict[str, tuple[Result, str]]:
    policy = WaitPolicy(initial=0.001, maximum=0.01, jitter=0.0, timeout=5.0)
    report = Executor(aws, wait_policy=policy).apply(Plan(owner="default", changes=changes))
    return {o.address: (o.result, o.detail) for o in report.outcomes}


def models(resources: dict[str, dict[str, Any]]) -> FakeGateway:
    """Models by name: Describe answers them, Create and Delete change them."""

    def describe(request: dict[str, Any]) -> dict[str, Any]:
        name = request["ModelName"]
        if name not in resources:
            raise not_found("DescribeModel", name)
        return copy.deepcopy(resources[name])

    def create(request: dict[str, Any]) -> dict[str, Any]:
        resources[request["ModelName"]] = _model(request["ModelName"])
        return {}

    def delete(request: dict[str, Any]) -> dict[str, Any]:
        resources.pop(request["ModelName"], None)
        return {}

    return FakeGateway(
        {
            "DescribeModel": describe,
            "CreateModel": create,
            "DeleteModel": delete,
            "DeleteTags": {},
            "AddTags": {},
        }
    )


def _model(name: str) -> dict[str, Any]:
    return {"ModelName": name, "ModelArn": f"{ACCOUNT}:model/{name}"}


def test_a_cluster_update_sends_the_request_the_plan_built() -> None:
    after = clusters.spec(
        clusters.group("controller", 1, "ml.t3.medium"), clusters.group("workers", 4)
    )
    live = clusters.live_state()
    resource = live.get(Kind.CLUSTER, "training")
    assert resource is not None and resource.description is not None
    change = clusters.only_change(plan([clusters.manifest(after)], live, owner="default"))
    [step] = [s for s in change.steps if s.op is StepOp.UPDATE]
    # The cluster as apply finds it (as the plan read it), then InService with the new
    # count once the update is made.
    described = copy.deepcopy(resource.description)

    def update_cluster(request: dict[str, Any]) -> dict[str, Any]:
        for group in described["InstanceGroups"]:
            if group["InstanceGroupName"] == "workers":
                group.update(TargetCount=4, CurrentCount=4)
        return {"ClusterArn": clusters.ARN}

    aws = FakeGateway(
        {
            "DescribeCluster": lambda request: copy.deepcopy(described),
            "UpdateCluster": update_cluster,
            "AddTags": {},
        }
    )
    outcomes = apply(aws, [change])
    assert outcomes["Cluster/training"][0] is Result.UPDATED, outcomes
    assert aws.requests("UpdateCluster") == [step.request]


def test_a_cluster_step_without_its_request_fails_instead_of_guessing() -> None:
    change = Change(
        "Cluster/training",
        Kind.CLUSTER,
        "training",
        "training",
        Action.UPDATE,
        [],
        "instance group workers changed",
        reason_code=ReasonCode.SPEC_CHANGED,
        steps=[Step(StepOp.UPDATE, "UpdateCluster", "training")],
        desired_spec=clusters.spec(),
    )
    described = clusters.describe_as_aws(clusters.spec())
    aws = FakeGateway({"DescribeCluster": described, "AddTags": {}})
    result, detail = apply(aws, [change])["Cluster/training"]
    assert result is Result.FAILED
    assert "carries no request" in detail
    assert aws.requests("UpdateCluster") == []


def test_a_release_untags_every_version_with_its_own_keys() -> None:
    aws = models(
        {"llama-00000001": _model("llama-00000001"), "llama-00000002": _model("llama-00000002")}
    )
    change = Change(
        "Model/llama",
        Kind.MODEL,
        "llama",
        "llama-00000001",
        Action.UPDATE,
        [],
        "no longer declared; deletion-policy retain: release it",
        reason_code=ReasonCode.RETAINED,
        steps=[
            Step(StepOp.DELETE_TAGS, "DeleteTags", "llama-00000001", {"TagKeys": [OWNER_TAG]}),
            Step(
                StepOp.DELETE_TAGS,
                "DeleteTags",
                "llama-00000002",
                {"TagKeys": [OWNER_TAG, "sagemaker-reconciler/failed-spec"]},
            ),
        ],
    )
    assert apply(aws, [change])["Model/llama"][0] is Result.UPDATED
    assert writes(aws) == [
        (
            "DeleteTags",
            {"ResourceArn": f"{ACCOUNT}:model/llama-00000001", "TagKeys": [OWNER_TAG]},
        ),
        (
            "DeleteTags",
            {
                "ResourceArn": f"{ACCOUNT}:model/llama-00000002",
                "TagKeys": [OWNER_TAG, "sagemaker-reconciler/failed-spec"],
            },
        ),
    ]


@pytest.mark.parametrize(
    ("replacement", "order"),
    [
        (Replacement.CREATE_BEFORE_DELETE, ["CreateModel", "DeleteModel"]),
        (Replacement.DELETE_THEN_CREATE, ["DeleteModel", "CreateModel"]),
    ],
)
def test_the_halves_of_a_replace_run_in_the_order_its_replacement_says(
    replacement: Replacement, order: list[str]
) -> None:
    old, new = "llama-00000001", "llama-00000002"
    target = old if replacement is Replacement.DELETE_THEN_CREATE else new
    half = StepOp.DELETE if replacement is Replacement.DELETE_THEN_CREATE else StepOp.RETIRE
    create = Step(StepOp.CREATE, "CreateModel", target)
    delete = Step(half, "DeleteModel", old)
    change = Change(
        "Model/llama",
        Kind.MODEL,
        "llama",
        target,
        Action.REPLACE,
        [],
        "spec changed",
        reason_code=ReasonCode.SPEC_CHANGED,
        replacement=replacement,
        steps=[create, delete] if half is StepOp.RETIRE else [delete, create],
        desired_spec={"ExecutionRoleArn": "arn:aws:iam::123456789012:role/r"},
    )
    aws = models({old: _model(old)})
    assert apply(aws, [change])["Model/llama"][0] is Result.REPLACED
    assert [op for op, _ in writes(aws)] == order
