"""Model's rules (reconciler.kinds.model_rules): one container or a pipeline, exactly one."""

from __future__ import annotations

from reconciler.kinds import KINDS
from reconciler.kinds.model_rules import model_problems
from reconciler.resources import Kind
from tests.unit.kinds.rules_support import fields, manifest

CONTAINER = {"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/serve:1"}
ROLE = "arn:aws:iam::123456789012:role/SageMakerExecution"


def test_a_model_with_one_container_passes() -> None:
    model = manifest(Kind.MODEL, "m", {"ExecutionRoleArn": ROLE, "PrimaryContainer": CONTAINER})
    assert model_problems(model) == []


def test_a_pipeline_passes() -> None:
    model = manifest(Kind.MODEL, "m", {"Containers": [CONTAINER, CONTAINER]})
    assert model_problems(model) == []


def test_a_container_and_a_pipeline_together_are_refused_at_containers() -> None:
    model = manifest(Kind.MODEL, "m", {"PrimaryContainer": CONTAINER, "Containers": [CONTAINER]})
    [problem] = model_problems(model)
    assert (problem.address, problem.field) == ("Model/m", "spec.Containers")
    assert "not both" in problem.message


def test_a_model_without_a_container_is_refused_at_primary_container() -> None:
    [problem] = model_problems(manifest(Kind.MODEL, "m", {"ExecutionRoleArn": ROLE}))
    assert fields([problem]) == ["spec.PrimaryContainer"]
    assert problem.message.startswith("is required: a Model needs PrimaryContainer")


def test_the_model_kind_declares_its_rule() -> None:
    assert KINDS[Kind.MODEL].rules.document is model_problems
