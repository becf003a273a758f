"""The model registry: versioned packages in a group, approval status, the ListModelPackages
filters and sort orders the reconciler's "latest approved" read relies on, and CreateModel
from a package version."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.support.factories import ARN_PREFIX, IMAGE, ROLE_ARN, assert_error


def register(sm: Any, group: str, status: str | None = None) -> str:
    """A new version in `group` (approval status as given, or left out)."""
    extra = {"ModelApprovalStatus": status} if status else {}
    answer = sm.create_model_package(
        ModelPackageGroupName=group,
        InferenceSpecification={
            "Containers": [{"Image": IMAGE, "ModelDataUrl": f"s3://models/{group}/model.tar.gz"}],
            "SupportedContentTypes": ["application/json"],
            "SupportedResponseMIMETypes": ["application/json"],
        },
        **extra,
    )
    return str(answer["ModelPackageArn"])


def test_versions_count_up_within_a_group_and_wait_for_approval(sm: Any) -> None:
    sm.create_model_package_group(ModelPackageGroupName="churn")
    first, second = register(sm, "churn"), register(sm, "churn", "Approved")
    assert first == f"{ARN_PREFIX}:model-package/churn/1"
    assert second == f"{ARN_PREFIX}:model-package/churn/2"

    described = sm.describe_model_package(ModelPackageName=first)
    assert described["ModelPackageGroupName"] == "churn"
    assert described["ModelPackageVersion"] == 1
    assert described["ModelPackageName"] == "churn"
    assert described["ModelApprovalStatus"] == "PendingManualApproval"
    assert described["ModelPackageStatus"] == "Completed"
    assert described["InferenceSpecification"]["Containers"][0]["Image"] == IMAGE
    assert sm.describe_model_package(ModelPackageName=second)["ModelApprovalStatus"] == "Approved"

    group = sm.describe_model_package_group(ModelPackageGroupName="churn")
    assert group["ModelPackageGroupArn"] == f"{ARN_PREFIX}:model-package-group/churn"
    assert group["ModelPackageGroupStatus"] == "Completed"


def test_a_version_needs_an_existing_group(sm: Any) -> None:
    with pytest.raises(ClientError) as exc:
        register(sm, "nowhere")
    assert_error(exc.value, "ValidationException", "Could not find model package group")


def test_approval_changes_with_update_model_package(sm: Any) -> None:
    sm.create_model_package_group(ModelPackageGroupName="churn")
    arn = register(sm, "churn")
    sm.update_model_package(
        ModelPackageArn=arn, ModelApprovalStatus="Approved", ApprovalDescription="AUC 0.91"
    )
    described = sm.describe_model_package(ModelPackageName=arn)
    assert described["ModelApprovalStatus"] == "Approved"
    assert described["ApprovalDescription"] == "AUC 0.91"
    sm.update_model_package(ModelPackageArn=arn, ModelApprovalStatus="Rejected")
    assert sm.describe_model_package(ModelPackageName=arn)["ModelApprovalStatus"] == "Rejected"

    with pytest.raises(ClientError) as exc:
        sm.update_model_package(
            ModelPackageArn=f"{ARN_PREFIX}:model-package/churn/9", ModelApprovalStatus="Approved"
        )
    assert_error(exc.value, "ValidationException", "Could not find model package")


def test_describing_a_missing_package_says_it_does_not_exist(sm: Any) -> None:
    # AWS's wording (reconciler.emulator.sagemaker.model_packages.find_package).
    missing = f"{ARN_PREFIX}:model-package/churn/9"
    with pytest.raises(ClientError) as exc:
        sm.describe_model_package(ModelPackageName=missing)
    assert_error(exc.value, "ValidationException", f"ModelPackage {missing} does not exist.")


def test_list_filters_by_group_and_approval_and_sorts_newest_first(sm: Any) -> None:
    sm.create_model_package_group(ModelPackageGroupName="churn")
    sm.create_model_package_group(ModelPackageGroupName="fraud")
    v1 = register(sm, "churn", "Approved")
    v2 = register(sm, "churn", "Approved")
    register(sm, "churn", "Rejected")
    register(sm, "churn")
    register(sm, "fraud", "Approved")

    def arns(**request: Any) -> list[str]:
        answer = sm.list_model_packages(ModelPackageGroupName="churn", **request)
        return [p["ModelPackageArn"] for p in answer["ModelPackageSummaryList"]]

    # The default order is CreationTime, Ascending (API reference ListModelPackages).
    assert arns() == [f"{ARN_PREFIX}:model-package/churn/{v}" for v in (1, 2, 3, 4)]
    assert arns(ModelApprovalStatus="Approved") == [v1, v2]
    newest = arns(
        ModelApprovalStatus="Approved", SortBy="CreationTime", SortOrder="Descending", MaxResults=1
    )
    assert newest == [v2]
    summary = sm.list_model_packages(ModelPackageGroupName="churn", MaxResults=1)[
        "ModelPackageSummaryList"
    ][0]
    assert summary["ModelPackageVersion"] == 1
    assert summary["ModelApprovalStatus"] == "Approved"
    # A group ARN names the group as well as its name does.
    by_arn = sm.list_model_packages(ModelPackageGroupName=f"{ARN_PREFIX}:model-package-group/churn")
    assert len(by_arn["ModelPackageSummaryList"]) == 4
    assert sm.list_model_packages(ModelPackageGroupName="none")["ModelPackageSummaryList"] == []


def test_list_pages(sm: Any) -> None:
    sm.create_model_package_group(ModelPackageGroupName="churn")
    for _ in range(5):
        register(sm, "churn", "Approved")
    pages = sm.get_paginator("list_model_packages").paginate(
        ModelPackageGroupName="churn", PaginationConfig={"PageSize": 2}
    )
    versions = [p["ModelPackageVersion"] for page in pages for p in page["ModelPackageSummaryList"]]
    assert versions == [1, 2, 3, 4, 5]
    with pytest.raises(ClientError) as exc:
        sm.list_model_packages(ModelPackageGroupName="churn", MaxResults=101)
    assert_error(exc.value, "ValidationException", contains="MaxResults")


def test_create_model_from_an_approved_version(sm: Any) -> None:
    sm.create_model_package_group(ModelPackageGroupName="churn")
    arn = register(sm, "churn", "Approved")
    sm.create_model(
        ModelName="churn-model",
        ExecutionRoleArn=ROLE_ARN,
        PrimaryContainer={"ModelPackageName": arn},
    )
    described = sm.describe_model(ModelName="churn-model")
    assert described["PrimaryContainer"]["ModelPackageName"] == arn
    # Pipelines may name package versions too.
    sm.create_model(
        ModelName="churn-pipeline",
        ExecutionRoleArn=ROLE_ARN,
        Containers=[{"ModelPackageName": arn}, {"Image": IMAGE}],
    )


@pytest.mark.parametrize("status", ["PendingManualApproval", "Rejected"])
def test_create_model_refuses_a_version_that_is_not_approved(sm: Any, status: str) -> None:
    sm.create_model_package_group(ModelPackageGroupName="churn")
    arn = register(sm, "churn", status)
    with pytest.raises(ClientError) as exc:
        sm.create_model(
            ModelName="churn-model",
            ExecutionRoleArn=ROLE_ARN,
            PrimaryContainer={"ModelPackageName": arn},
        )
    assert_error(exc.value, "ValidationException", contains=status)
    with pytest.raises(ClientError):
        sm.describe_model(ModelName="churn-model")


def test_create_model_refuses_an_unknown_package(sm: Any) -> None:
    with pytest.raises(ClientError) as exc:
        sm.create_model(
            ModelName="churn-model",
            ExecutionRoleArn=ROLE_ARN,
            Containers=[{"ModelPackageName": f"{ARN_PREFIX}:model-package/churn/7"}],
        )
    assert_error(exc.value, "ValidationException", contains="Containers.1.ModelPackageName")


def test_a_group_with_versions_is_not_deleted(sm: Any) -> None:
    sm.create_model_package_group(ModelPackageGroupName="churn")
    arn = register(sm, "churn")
    with pytest.raises(ClientError) as exc:
        sm.delete_model_package_group(ModelPackageGroupName="churn")
    assert_error(exc.value, "ConflictException")
    sm.delete_model_package(ModelPackageName=arn)
    sm.delete_model_package_group(ModelPackageGroupName="churn")
    with pytest.raises(ClientError):
        sm.describe_model_package_group(ModelPackageGroupName="churn")
