"""Model registry references, pure: how a Model's ``model-package-group/<g>:latest-approved``
is resolved (the read it makes, what it never chooses), how the pinned version becomes part
of the Model's content hash and so of every name that depends on it, and how validate
treats the spelling."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reconciler.errors import AwsError, classify
from reconciler.kinds import APIS
from reconciler.manifests import load
from reconciler.planning.changes import Plan
from reconciler.planning.desired import resolve
from reconciler.planning.planner import plan
from reconciler.resources import Kind
from reconciler.service import AccountUnreadable, pin_references, settle_pins
from tests.support.planning import ROLE, changes_of, converged, manifest

GROUP_ARN = "arn:aws:sagemaker:us-east-1:123456789012:model-package-group/churn"
VERSION = "arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/{}"
REFERENCE = "model-package-group/churn:latest-approved"


class Registry:
    """A gateway that answers the model registry's two reads from a list of versions and
    records the calls made."""

    def __init__(
        self,
        versions: list[tuple[int, str]],
        group: bool = True,
        careless: bool = False,
        refuse: AwsError | None = None,
    ) -> None:
        self.versions = versions
        self.group = group
        self.careless = careless
        self.refuse = refuse  # DescribeModelPackage's error, if any
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def call(self, service: str, operation: str, **request: Any) -> dict[str, Any]:
        assert service == "sagemaker"
        self.calls.append((operation, request))
        if operation == "DescribeModelPackageGroup":
            if not self.group:
                raise AwsError(
                    operation,
                    "ValidationException",
                    "Could not find",
                    temporary=False,
                    not_found=True,
                )
            return {"ModelPackageGroupArn": GROUP_ARN}
        if operation == "DescribeModelPackage":
            if self.refuse is not None:
                raise self.refuse
            arn = request["ModelPackageName"]
            found = [s for v, s in self.versions if VERSION.format(v) == arn]
            if not found:
                # AWS's wording (README "Model registry references"), which the
                # service's "Could not find" rule does not read as not found.
                raise AwsError(
                    operation,
                    "ValidationException",
                    f"ModelPackage {arn} does not exist.",
                    temporary=False,
                )
            return {"ModelPackageArn": arn, "ModelApprovalStatus": found[0]}
        assert operation == "ListModelPackages"
        # Newest first, of the status asked for (a careless answer ignores the status
        # filter: what it answers must still not be chosen).
        items = [
            {
                "ModelPackageArn": VERSION.format(v),
                "ModelApprovalStatus": s,
                "ModelPackageVersion": v,
            }
            for v, s in sorted(self.versions, reverse=True)
            if self.careless or s == request["ModelApprovalStatus"]
        ]
        return {"ModelPackageSummaryList": items[: request.get("MaxResults", 100)]}

    def pages(self, service: str, operation: str, **request: Any) -> Iterator[dict[str, Any]]:
        yield self.call(service, operation, **request)

    def pool_size(self, service: str) -> int:
        return 1


def model(package: str = REFERENCE) -> Any:
    return manifest(
        Kind.MODEL,
        "churn",
        {"ExecutionRoleArn": ROLE, "PrimaryContainer": {"ModelPackageName": package}},
    )


def config() -> Any:
    return manifest(
        Kind.ENDPOINT_CONFIG,
        "churn",
        {
            "ProductionVariants": [
                {
                    "VariantName": "AllTraffic",
                    "ModelName": "churn",
                    "InstanceType": "ml.m5.xlarge",
                    "InitialInstanceCount": 1,
                }
            ]
        },
    )


def test_the_reference_resolves_to_the_newest_approved_version_with_one_filtered_read() -> None:
    aws = Registry([(1, "Approved"), (2, "Approved")])
    (pin,) = APIS[Kind.MODEL].pins(aws, model().spec)
    assert pin.value == VERSION.format(2)
    assert pin.path == ("PrimaryContainer", "ModelPackageName")
    assert pin.written == REFERENCE
    assert aws.calls == [
        (
            "ListModelPackages",
            {
                "ModelPackageGroupName": "churn",
                "ModelApprovalStatus": "Approved",
                "ModelPackageType": "Versioned",
                "SortBy": "CreationTime",
                "SortOrder": "Descending",
                "MaxResults": 1,
            },
        )
    ]


def test_a_version_that_is_not_approved_is_never_chosen() -> None:
    for status in ("PendingManualApproval", "Rejected"):
        (pin,) = APIS[Kind.MODEL].pins(Registry([(1, "Approved"), (2, status)]), model().spec)
        assert pin.value == VERSION.format(1)
        (pin,) = APIS[Kind.MODEL].pins(Registry([(1, status)]), model().spec)
        assert pin.value is None
        assert "has no Approved version" in pin.problem
    # Even from an answer that ignored the status filter.
    careless = Registry([(1, "Approved"), (2, "PendingManualApproval")], careless=True)
    (pin,) = APIS[Kind.MODEL].pins(careless, model().spec)
    assert pin.value is None


def test_a_missing_group_says_so() -> None:
    (pin,) = APIS[Kind.MODEL].pins(Registry([], group=False), model().spec)
    assert pin.value is None
    assert pin.problem == "model package group 'churn' does not exist"


def test_a_version_arn_is_taken_as_written_and_every_pipeline_container_is_resolved() -> None:
    assert APIS[Kind.MODEL].pins(Registry([(1, "Approved")]), model(VERSION.format(1)).spec) == []
    spec = {
        "ExecutionRoleArn": ROLE,
        "Containers": [
            {"ModelPackageName": REFERENCE},
            {"Image": "x"},
            {"ModelPackageName": REFERENCE},
        ],
    }
    pins = APIS[Kind.MODEL].pins(Registry([(3, "Approved")]), spec)
    assert [(p.path, p.value) for p in pins] == [
        (("Containers", 0, "ModelPackageName"), VERSION.format(3)),
        (("Containers", 2, "ModelPackageName"), VERSION.format(3)),
    ]


def test_the_pinned_version_is_part_of_the_content_hash_of_the_model_and_its_users() -> None:
    def names(versions: list[tuple[int, str]]) -> tuple[str, str, dict[str, Any]]:
        pinned = pin_references([model(), config()], Registry(versions))
        assert pinned.problems == []
        desired, problems = resolve(pinned.manifests, "default")
        assert problems == []
        return (
            desired["Model/churn"].physical_name,
            desired["EndpointConfig/churn"].physical_name,
            desired["Model/churn"].spec,
        )

    model_1, config_1, spec_1 = names([(1, "Approved")])
    assert spec_1["PrimaryContainer"]["ModelPackageName"] == VERSION.format(1)
    # The same version again: the same names (nothing to do).
    assert names([(1, "Approved"), (2, "Rejected")])[:2] == (model_1, config_1)
    model_2, config_2, _ = names([(1, "Approved"), (2, "Approved")])
    assert model_2 != model_1 and config_2 != config_1
    assert model_2.startswith("churn-") and config_2.startswith("churn-")


def test_an_unresolvable_reference_is_a_problem_at_its_line_and_the_manifest_stays_as_written() -> (
    None
):
    written = model()
    written.lines[("PrimaryContainer", "ModelPackageName")] = 9
    pinned = pin_references([written, config()], Registry([(1, "Rejected")]))
    (problem,) = pinned.problems
    assert str(problem).startswith(
        "churn.yaml:9: Model/churn: spec.PrimaryContainer.ModelPackageName: " + REFERENCE
    )
    assert "nothing was changed" in str(problem)
    assert pinned.manifests[0] is written


def test_manifests_without_references_make_no_call() -> None:
    aws = Registry([])
    pinned = pin_references([model("my-unversioned-package"), config()], aws)
    assert aws.calls == [] and pinned.problems == [] and pinned.pins == {}


def _planned(
    versions: list[tuple[int, str]], deployed: list[Any] | None = None, **registry: Any
) -> Plan:
    """The plan of the Model pinned to version 1 by hand (at line 9) and its config, with
    the account as `deployed` left it (nothing when None)."""
    written = model(VERSION.format(1))
    written.lines[("PrimaryContainer", "ModelPackageName")] = 9
    manifests = [written, config()]
    pinned = pin_references(manifests, Registry(versions, **registry))
    result = plan(pinned.manifests, converged(deployed or []), owner="default")
    settle_pins(result, pinned)
    return result


@pytest.mark.parametrize("status", ["PendingManualApproval", "Rejected"])
def test_a_new_model_of_a_version_pinned_by_hand_that_is_not_approved_is_refused(
    status: str,
) -> None:
    aws = Registry([(1, status)])
    pinned = pin_references([model(VERSION.format(1))], aws)
    assert aws.calls == [("DescribeModelPackage", {"ModelPackageName": VERSION.format(1)})]
    # Whether it refuses the plan waits for the plan: a new Model would be made of it.
    assert pinned.problems == [] and pinned.pins == {"Model/churn": []}
    result = _planned([(1, status)])
    (problem,) = result.problems
    assert str(problem).startswith(
        "churn.yaml:9: Model/churn: spec.PrimaryContainer.ModelPackageName: "
        f"{VERSION.format(1)}: this model package version is {status}: only an Approved "
        "version is deployed"
    )
    assert str(problem).endswith("; nothing was changed")
    # Approved: taken as written, nothing pinned, nothing to say.
    approved = _planned([(1, "Approved")])
    assert approved.problems == [] and approved.warnings == []


@pytest.mark.parametrize("status", ["Rejected", "PendingManualApproval"])
def test_a_deployed_version_that_is_not_approved_any_more_is_a_warning(status: str) -> None:
    # Deployed while Approved; now not: the running Model stays, the plan warns, and the
    # target's other changes go on.
    deployed = pin_references([model(VERSION.format(1)), config()], Registry([(1, "Approved")]))
    edited = config()
    edited.spec["ProductionVariants"][0]["InitialInstanceCount"] = 2
    written = model(VERSION.format(1))
    written.lines[("PrimaryContainer", "ModelPackageName")] = 9
    pinned = pin_references([written, edited], Registry([(1, status)]))
    result = plan(pinned.manifests, converged(deployed.manifests), owner="default")
    settle_pins(result, pinned)
    assert result.problems == []
    assert changes_of(result) == {
        "EndpointConfig/churn": ("replace", ["CreateEndpointConfig", "DeleteEndpointConfig"])
    }
    (warning,) = result.warnings
    assert warning.startswith(
        "churn.yaml:9: Model/churn: spec.PrimaryContainer.ModelPackageName: "
        f"{VERSION.format(1)}: this model package version is {status}"
    )
    assert "has this spec already and is left as it is (a new one would be refused)" in warning


def test_a_rejected_deployed_version_warns_also_while_an_older_model_awaits_retirement() -> None:
    # The Model's plan is a replace that only retires the older version (DeleteModel): it
    # makes nothing of the rejected version, so the plan warns and goes on.
    older = pin_references([model(VERSION.format(0)), config()], Registry([(0, "Approved")]))
    deployed = pin_references([model(VERSION.format(1)), config()], Registry([(1, "Approved")]))
    live = converged(deployed.manifests)
    for resource in converged(older.manifests).of_kind(Kind.MODEL):
        live.add(resource)
    written = model(VERSION.format(1))
    written.lines[("PrimaryContainer", "ModelPackageName")] = 9
    pinned = pin_references([written, config()], Registry([(1, "Rejected")]))
    result = plan(pinned.manifests, live, owner="default")
    settle_pins(result, pinned)
    assert changes_of(result) == {"Model/churn": ("replace", ["DeleteModel"])}
    assert result.problems == []
    (warning,) = result.warnings
    assert "is Rejected" in warning and "left as it is" in warning


def test_a_missing_version_is_told_by_aws_s_wording_and_moto_s() -> None:
    assert "does not exist; nothing was changed" in str(_planned([]).problems[0])
    for code, message in [
        ("ValidationException", f"ModelPackage {VERSION.format(1)} does not exist."),
        ("ValidationError", f"Model package {VERSION.format(1)} not found"),
        ("ValidationException", "Could not find model package"),
    ]:
        error = classify_answer("DescribeModelPackage", code, message)
        (problem,) = _planned([], refuse=error).problems
        assert "this model package version does not exist" in str(problem), message
    # Once the Model exists, a version deleted since is a warning like a rejected one.
    deployed = pin_references([model(VERSION.format(1)), config()], Registry([(1, "Approved")]))
    result = _planned([], deployed.manifests)
    assert result.problems == []
    (warning,) = result.warnings
    assert "this model package version does not exist" in warning


def test_a_version_whose_approval_cannot_be_read_is_a_warning_and_the_plan_goes_on() -> None:
    # A role without sagemaker:DescribeModelPackage, a package of another account:
    # CreateModel reads the package itself and says what AWS thinks of it.
    denied = classify_answer(
        "DescribeModelPackage", "AccessDeniedException", "not authorized to perform it"
    )
    result = _planned([(1, "Approved")], refuse=denied)
    assert result.problems == []
    assert changes_of(result)["Model/churn"][0] == "create"
    (warning,) = result.warnings
    assert warning == (
        f"Model/churn: spec.PrimaryContainer.ModelPackageName: {VERSION.format(1)}: its "
        "approval could not be checked (AccessDeniedException: not authorized to perform "
        "it); CreateModel decides"
    )
    # A read that may pass later is no answer: the account cannot be read now.
    throttled = classify_answer("DescribeModelPackage", "ThrottlingException", "slow down")
    with pytest.raises(AccountUnreadable):
        pin_references([model(VERSION.format(1))], Registry([], refuse=throttled))


def classify_answer(operation: str, code: str, message: str) -> AwsError:
    """AWS's answer as the gateway turns it into an AwsError (SageMaker's rules)."""
    answer = {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {}}
    return classify(type("ClientError", (Exception,), {"response": answer})(), operation)


def _validate(tmp_path: Path, package: str) -> list[str]:
    (tmp_path / "churn.yaml").write_text(
        "apiVersion: sagemaker-reconciler/v1\n"
        "kind: Model\n"
        "metadata:\n"
        "  name: churn\n"
        "spec:\n"
        f"  ExecutionRoleArn: {ROLE}\n"
        "  PrimaryContainer:\n"
        f"    ModelPackageName: {package}\n"
    )
    return [str(p) for p in load(tmp_path).problems]


def test_validate_accepts_the_reference_and_a_version_arn(tmp_path: Path) -> None:
    assert _validate(tmp_path, REFERENCE) == []
    assert _validate(tmp_path, VERSION.format(4)) == []


def test_validate_names_the_line_of_a_misspelled_reference(tmp_path: Path) -> None:
    for wrong in (
        "model-package-group/churn",
        "model-package-group/churn:latest",
        "model-package-group/-x:latest-approved",
    ):
        (problem,) = _validate(tmp_path, wrong)
        assert "churn.yaml:8: Model/churn: spec.PrimaryContainer.ModelPackageName:" in problem
        assert "write model-package-group/<group>:latest-approved" in problem
    # Anything else is still held to the API model's pattern.
    (problem,) = _validate(tmp_path, "not a package")
    assert "must match pattern" in problem
