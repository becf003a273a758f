"""Model registry references end to end: a Model whose container names a model package
group (``ModelPackageName: model-package-group/churn:latest-approved``) deploys the group's
newest Approved version; approving a newer one is exactly one plan change (a new Model,
the config and endpoint repointed), which apply and the controller's next pass carry out;
versions that are not Approved change nothing; a group with nothing approved is a plan
problem at the manifest's line, and nothing is written."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import structlog

from reconciler.aws import AwsGateway, AwsSettings
from reconciler.controller.loop import Controller, ControllerSettings
from reconciler.controller.metrics import Metrics
from tests.support.env import Env, serving

IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
REFERENCE = "model-package-group/churn:latest-approved"
PACKAGES = "arn:aws:sagemaker:us-east-1:123456789012:model-package/churn"

MANIFESTS = f"""\
apiVersion: sagemaker-reconciler/v1
kind: Model
metadata:
  name: churn-xgboost
spec:
  ExecutionRoleArn: arn:aws:iam::123456789012:role/SageMakerExecution
  PrimaryContainer:
    ModelPackageName: {REFERENCE}
---
apiVersion: sagemaker-reconciler/v1
kind: EndpointConfig
metadata:
  name: churn
spec:
  ProductionVariants:
    - VariantName: AllTraffic
      ModelName: churn-xgboost
      InstanceType: ml.m5.xlarge
      InitialInstanceCount: 1
---
apiVersion: sagemaker-reconciler/v1
kind: Endpoint
metadata:
  name: churn
spec:
  EndpointConfigName: churn
"""
REFERENCE_LINE = 8  # the line of ModelPackageName in registry.yaml


@pytest.fixture
def env(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[Env]:
    directory = tmp_path / "manifests"
    directory.mkdir()
    (directory / "registry.yaml").write_text(MANIFESTS)
    with serving() as served:
        yield Env(served.url, served.control, directory, capsys)


def register(env: Env, status: str | None = None, group: str = "churn") -> str:
    extra = {"ModelApprovalStatus": status} if status else {}
    answer = env.sagemaker().create_model_package(
        ModelPackageGroupName=group,
        InferenceSpecification={
            "Containers": [{"Image": IMAGE, "ModelDataUrl": "s3://example-models/churn.tar.gz"}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
        **extra,
    )
    return str(answer["ModelPackageArn"])


def approve(env: Env, arn: str) -> None:
    env.sagemaker().update_model_package(ModelPackageArn=arn, ModelApprovalStatus="Approved")


def deployed_package(env: Env) -> str:
    """The package version the endpoint serves: endpoint → config → model → container."""
    sm = env.sagemaker()
    config = sm.describe_endpoint(EndpointName="churn")["EndpointConfigName"]
    variants = sm.describe_endpoint_config(EndpointConfigName=config)["ProductionVariants"]
    model = sm.describe_model(ModelName=variants[0]["ModelName"])
    return str(model["PrimaryContainer"]["ModelPackageName"])


def changes(env: Env) -> dict[str, Any]:
    return {c["address"]: c for c in env.plan_json()["changes"]}


def deployed_with_version_1(env: Env) -> str:
    env.sagemaker().create_model_package_group(ModelPackageGroupName="churn")
    first = register(env, "Approved")
    run = env.apply()
    assert run.code == 0, run.out + run.err
    assert deployed_package(env) == first == f"{PACKAGES}/1"
    assert changes(env) == {}
    return first


def test_approving_a_version_is_exactly_one_replace_and_apply_converges(env: Env) -> None:
    deployed_with_version_1(env)
    old_model = env.sagemaker().list_models()["Models"][0]["ModelName"]
    second = register(env)
    register(env, "Rejected")
    # Versions waiting for approval or rejected are never deployed: nothing to do.
    assert changes(env) == {}

    approve(env, second)
    planned = changes(env)
    assert sorted(planned) == ["Endpoint/churn", "EndpointConfig/churn", "Model/churn-xgboost"]
    model = planned["Model/churn-xgboost"]
    assert model["action"] == "replace"
    assert model["superseded"] == [old_model]
    assert model["resolved"] == [
        {"field": "PrimaryContainer.ModelPackageName", "written": REFERENCE, "resolved": second}
    ]
    assert {"path": "PrimaryContainer.ModelPackageName", "before": f"{PACKAGES}/1"}.items() <= (
        next(d for d in model["diff"] if d["path"] == "PrimaryContainer.ModelPackageName").items()
    )
    assert planned["EndpointConfig/churn"]["action"] == "replace"
    assert planned["Endpoint/churn"]["action"] == "update"
    assert planned["Endpoint/churn"]["operations"] == ["UpdateEndpoint"]
    # The human plan shows what the reference resolved to.
    human = env.reconciler("plan", str(env.directory))
    assert f"resolved: PrimaryContainer.ModelPackageName: {REFERENCE} → {second}" in human.out
    markdown = env.reconciler("plan", str(env.directory), "--format", "markdown")
    assert (
        f"- resolved: `PrimaryContainer.ModelPackageName: {REFERENCE} → {second}`" in markdown.out
    )

    run = env.apply()
    assert run.code == 0, run.out + run.err
    assert deployed_package(env) == second == f"{PACKAGES}/2"
    models = [m["ModelName"] for m in env.sagemaker().list_models()["Models"]]
    assert old_model not in models and len(models) == 1
    assert changes(env) == {}


def test_a_newer_version_that_is_not_approved_changes_nothing(env: Env) -> None:
    first = deployed_with_version_1(env)
    third = register(env, "PendingManualApproval")
    register(env, "Rejected")
    code, writes, out = env.writes_during()
    assert code == 0, out
    assert writes == {}
    assert deployed_package(env) == first != third


def test_the_controller_deploys_a_newly_approved_version_in_its_next_pass(
    env: Env, quiet_logs: None
) -> None:
    deployed_with_version_1(env)
    metrics = Metrics()
    settings = ControllerSettings(
        directory=str(env.directory), owner="default", mode="heal", poll_interval=0.01
    )
    aws = AwsGateway(
        AwsSettings(endpoint_url=env.url, region="us-east-1"), instrument=metrics.instrument
    )
    controller = Controller(settings, aws, metrics=metrics)
    assert controller.reconcile() == "success"

    def drift() -> float | None:
        return metrics.registry.get_sample_value("reconciler_drift_detected_total")

    before = drift() or 0.0
    second = register(env, "Approved")
    # The next pass (a resync: no manifest changed) finds the new version and applies it.
    assert controller.reconcile() == "success"
    assert drift() == before + 1
    assert deployed_package(env) == second
    assert controller.reconcile() == "success"
    assert drift() == before + 1


def test_a_group_with_no_approved_version_is_a_problem_at_the_manifest_line(env: Env) -> None:
    env.sagemaker().create_model_package_group(ModelPackageGroupName="churn")
    register(env)
    register(env, "Rejected")
    run = env.reconciler("plan", str(env.directory))
    assert run.code == 1
    where = f"registry.yaml:{REFERENCE_LINE}: Model/churn-xgboost: spec.PrimaryContainer.ModelPackageName"
    assert where in run.err
    assert "model package group 'churn' has no Approved version" in run.err
    code, writes, out = env.writes_during()
    assert code == 1
    assert writes == {}
    assert "nothing was changed" in out


def test_a_missing_group_is_a_problem_too(env: Env) -> None:
    run = env.reconciler("plan", str(env.directory))
    assert run.code == 1
    assert f"registry.yaml:{REFERENCE_LINE}:" in run.err
    assert "model package group 'churn' does not exist" in run.err


def test_validate_accepts_the_reference_and_refuses_a_misspelled_one(env: Env) -> None:
    assert env.reconciler("validate", str(env.directory)).code == 0
    env.edit("registry.yaml", REFERENCE, "model-package-group/churn:latest")
    run = env.reconciler("validate", str(env.directory))
    assert run.code == 1
    assert f"registry.yaml:{REFERENCE_LINE}:" in run.err
    assert "write model-package-group/<group>:latest-approved" in run.err


def test_status_sees_the_pinned_version_in_sync_and_a_newly_approved_one_out_of_sync(
    env: Env,
) -> None:
    deployed_with_version_1(env)

    def rows() -> dict[str, dict[str, Any]]:
        run = env.reconciler("status", str(env.directory), "--json", "--endpoint-url", env.url)
        assert run.code == 0, run.err
        return {r["address"]: r for r in json.loads(run.out)["resources"]}

    assert {a: r["sync"] for a, r in rows().items()} == {
        "Model/churn-xgboost": "InSync",
        "EndpointConfig/churn": "InSync",
        "Endpoint/churn": "InSync",
    }
    register(env, "Approved")
    assert rows()["Model/churn-xgboost"]["sync"] == "OutOfSync"


def test_a_version_pinned_by_hand_is_deployed_only_while_it_is_approved(env: Env) -> None:
    env.sagemaker().create_model_package_group(ModelPackageGroupName="churn")
    pending = register(env)  # PendingManualApproval
    path = env.directory / "registry.yaml"
    path.write_text(MANIFESTS.replace(REFERENCE, pending))
    setup = env.writes()
    run = env.apply()
    assert run.code == 1
    out = run.out + run.err
    assert f"registry.yaml:{REFERENCE_LINE}: Model/churn-xgboost: " in out
    assert "spec.PrimaryContainer.ModelPackageName" in out
    assert "is PendingManualApproval: only an Approved version is deployed" in out
    assert "nothing was changed" in out
    assert env.writes() == setup
    # Approved by hand: it deploys as written, and the plan pins nothing more.
    approve(env, pending)
    run = env.apply()
    assert run.code == 0, run.out + run.err
    assert deployed_package(env) == pending
    assert changes(env) == {}
    # Rejected later: the Model that runs it was made while it was Approved and is left
    # as it is; the plan says so, at the line, and the target's other changes go on.
    env.sagemaker().update_model_package(ModelPackageArn=pending, ModelApprovalStatus="Rejected")
    plan = env.reconciler("plan", str(env.directory))
    assert plan.code == 0, plan.err
    assert "Warning: " in plan.out
    assert (
        f"registry.yaml:{REFERENCE_LINE}: Model/churn-xgboost: "
        f"spec.PrimaryContainer.ModelPackageName: {pending}: this model package version is "
        "Rejected: only an Approved version is deployed"
    ) in plan.out
    env.edit("registry.yaml", "InitialInstanceCount: 1", "InitialInstanceCount: 2")
    code, writes, out = env.writes_during()
    assert code == 0, out
    assert "is Rejected" in out
    assert writes.get("CreateEndpointConfig") == 1 and "CreateModel" not in writes
    assert deployed_package(env) == pending
    # A new Model of it is refused, at the line, and nothing is written.
    env.edit("registry.yaml", "role/SageMakerExecution", "role/SageMakerExecution2")
    code, writes, out = env.writes_during()
    assert code == 1 and writes == {}
    assert f"registry.yaml:{REFERENCE_LINE}: Model/churn-xgboost: " in out
    assert "is Rejected: only an Approved version is deployed" in out
    assert "nothing was changed" in out


def test_a_deployed_version_rejected_or_deleted_later_freezes_nothing_else(
    env: Env, quiet_logs: None
) -> None:
    env.sagemaker().create_model_package_group(ModelPackageGroupName="churn")
    first = register(env, "Approved")
    (env.directory / "registry.yaml").write_text(MANIFESTS.replace(REFERENCE, first))
    assert env.apply().code == 0
    env.sagemaker().update_model_package(ModelPackageArn=first, ModelApprovalStatus="Rejected")
    # An unrelated change: a tag on the endpoint.
    env.edit(
        "registry.yaml",
        "  name: churn\nspec:\n  Endpoint",
        "  name: churn\n  tags: {team: x}\nspec:\n  Endpoint",
    )
    run = env.apply()
    assert run.code == 0, run.out + run.err
    arn = env.sagemaker().describe_endpoint(EndpointName="churn")["EndpointArn"]
    tags = env.sagemaker().list_tags(ResourceArn=arn)["Tags"]
    assert {"Key": "team", "Value": "x"} in tags
    # Deleted since: the same. The controller keeps healing the target (the endpoint's
    # tag, removed by hand, comes back).
    env.sagemaker().delete_model_package(ModelPackageName=first)
    env.sagemaker().delete_tags(ResourceArn=arn, TagKeys=["team"])
    settings = ControllerSettings(
        directory=str(env.directory), owner="default", mode="heal", poll_interval=0.01
    )
    controller = Controller(
        settings, AwsGateway(AwsSettings(endpoint_url=env.url, region="us-east-1"))
    )
    with structlog.testing.capture_logs() as logs:
        assert controller.reconcile() == "success"
        tags = env.sagemaker().list_tags(ResourceArn=arn)["Tags"]
        assert {"Key": "team", "Value": "x"} in tags
        assert deployed_package(env) == first
        assert controller.reconcile() == "success"  # the same warning: not said again
    warned = [e for e in logs if e["event"] == "plan_warning"]
    assert len(warned) == 1 and "does not exist" in warned[0]["warning"]


def test_a_version_whose_approval_cannot_be_read_is_deployed_with_a_warning(env: Env) -> None:
    # A role without sagemaker:DescribeModelPackage (an upgrade, a package of another
    # account): the plan says it could not check, and CreateModel decides.
    env.sagemaker().create_model_package_group(ModelPackageGroupName="churn")
    first = register(env, "Approved")
    (env.directory / "registry.yaml").write_text(MANIFESTS.replace(REFERENCE, first))
    env.control.add_fault("DescribeModelPackage", "AccessDeniedException")
    run = env.apply()
    assert run.code == 0, run.out + run.err
    assert f"Model/churn-xgboost: spec.PrimaryContainer.ModelPackageName: {first}: " in run.out
    assert "its approval could not be checked (AccessDeniedException" in run.out
    (warning,) = env.plan_json()["warnings"]  # plan JSON says it too
    assert "its approval could not be checked" in warning
    assert deployed_package(env) == first
