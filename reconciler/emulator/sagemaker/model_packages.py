"""The model registry: model package groups and model packages with their approval status.

CreateModelPackageGroup / DescribeModelPackageGroup / ListModelPackageGroups /
DeleteModelPackageGroup, CreateModelPackage / DescribeModelPackage / ListModelPackages /
UpdateModelPackage / DeleteModelPackage, and what CreateModel requires of a package it
names (:func:`deployable`).

Answered here rather than by moto so that CreateModel (reconciler.emulator.sagemaker.models)
can see the packages and their approval, and so that versions, approval filters and sort
orders follow the API reference (moto's versions of these calls keep their own state,
which CreateModel here cannot read). Packages settle at once: AWS moves a new package
through Pending and InProgress to Completed (ModelPackageSummary.ModelPackageStatus);
the emulator answers Completed from the start (UNVERIFIED how long AWS takes).
"""

from __future__ import annotations

import re
from typing import Any

from reconciler.emulator.errors import AwsError, already_exists, could_not_find, validation
from reconciler.emulator.sagemaker import Context, operation, tags
from reconciler.emulator.sagemaker.listing import filter_common, page
from reconciler.emulator.state import ModelPackage, ModelPackageGroup, RegionState

JsonDict = dict[str, Any]

# ModelApprovalStatus "Valid Values: Approved | Rejected | PendingManualApproval"
# (API reference, ModelPackageSummary and UpdateModelPackage). botocore checks the enum
# on the client side; the emulator checks it too for callers that do not (raw HTTP).
APPROVAL_STATUSES = ("Approved", "Rejected", "PendingManualApproval")

# A versioned package's ARN: ``arn:<partition>:sagemaker:<region>:<account>:
# model-package/<group>/<version>`` (API reference ModelPackageSummary.ModelPackageArn
# pattern ``...:model-package/[\S]{1,2048}``; the group/version tail is what
# DescribeModelPackage examples in the developer guide's model registry pages show).
_PACKAGE_ARN = re.compile(
    r"arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]*:[0-9]{12}:model-package/(?P<name>[^/]+(?:/[0-9]+)?)"
)
_GROUP_ARN = re.compile(
    r"arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]*:[0-9]{12}:model-package-group/(?P<name>.+)"
)


def _check_approval(value: object, where: str) -> None:
    if value is not None and value not in APPROVAL_STATUSES:
        raise validation(
            f"1 validation error detected: Value '{value}' at '{where}' failed to satisfy "
            f"constraint: Member must satisfy enum value set: [{', '.join(APPROVAL_STATUSES)}]"
        )


def _group_named(state: RegionState, name_or_arn: str) -> ModelPackageGroup | None:
    match = _GROUP_ARN.fullmatch(name_or_arn)
    return state.model_package_groups.get(match.group("name") if match else name_or_arn)


def find_group(ctx: Context, name_or_arn: str) -> ModelPackageGroup:
    group = _group_named(ctx.state, name_or_arn)
    if group is None:
        # UNVERIFIED: the exact wording; SageMaker's hosting calls answer a missing
        # resource with ValidationException "Could not find ..." (reconciler.emulator.errors).
        raise could_not_find(
            "model package group", ctx.state.arn("model-package-group", name_or_arn)
        )
    return group


def package_named(state: RegionState, name_or_arn: str) -> ModelPackage | None:
    """The package a ModelPackageName names: its ARN, or an unversioned package's name
    (DescribeModelPackage ModelPackageName: "The name or Amazon Resource Name (ARN) of the
    model package"; a versioned package is named by its ARN)."""
    match = _PACKAGE_ARN.fullmatch(name_or_arn)
    if match:
        return state.model_packages.get(match.group("name"))
    package = state.model_packages.get(name_or_arn)
    return package if package is not None and not package.group else None


def find_package(ctx: Context, name_or_arn: str, *, described: bool = False) -> ModelPackage:
    package = package_named(ctx.state, name_or_arn)
    if package is None:
        arn = (
            name_or_arn
            if name_or_arn.startswith("arn:")
            else ctx.state.arn("model-package", name_or_arn)
        )
        if described:
            # DescribeModelPackage's own wording: ValidationException "ModelPackage <arn>
            # does not exist." (a recorded botocore ClientError, kyopark2014/llama3-rag
            # deployment.md, for an unversioned package; UNVERIFIED for a version ARN).
            raise validation(f"ModelPackage {arn} does not exist.")
        # UNVERIFIED: the wording of the other calls (DeleteModelPackage).
        raise could_not_find("model package", arn)
    return package


def deployable(ctx: Context, name_or_arn: str, where: str) -> None:
    """Refuse a CreateModel container whose ModelPackageName cannot be deployed: a package
    that does not exist, or a versioned one that is not Approved. CreateModelPackage's
    ModelApprovalStatus: "For versioned models, the value of this parameter must be set to
    Approved to deploy the model" (API reference). UNVERIFIED: that CreateModel itself
    (rather than a later step) refuses it, and AWS's wording of the refusal."""
    package = package_named(ctx.state, name_or_arn)
    if package is None:
        raise validation(f"Could not find model package {name_or_arn!r} at '{where}'.")
    if package.group and package.approval != "Approved":
        raise validation(
            f"Model package {package.arn} at '{where}' has ModelApprovalStatus "
            f"{package.approval}; only an Approved model package version can be deployed."
        )


# -- groups -----------------------------------------------------------------------------


@operation("CreateModelPackageGroup")
def create_model_package_group(ctx: Context, request: JsonDict) -> JsonDict:
    name = request["ModelPackageGroupName"]
    arn = ctx.state.arn("model-package-group", name)
    if ctx.state.model_package_groups.get(name) is not None:
        raise already_exists("model package group", arn)
    tags.check(request.get("Tags"))
    body = {k: v for k, v in request.items() if k not in ("ModelPackageGroupName", "Tags")}
    # ModelPackageGroupStatus: Pending | InProgress | Completed | Failed | Deleting |
    # DeleteFailed (API reference DescribeModelPackageGroup); settles at once here.
    group = ModelPackageGroup(name=name, arn=arn, request=body, status="Completed")
    ctx.state.model_package_groups.add(group)
    tags.register(ctx, arn, request.get("Tags"))
    return {"ModelPackageGroupArn": arn}


def _group_summary(group: ModelPackageGroup) -> JsonDict:
    summary: JsonDict = {
        "ModelPackageGroupName": group.name,
        "ModelPackageGroupArn": group.arn,
        "CreationTime": group.creation_time,
        "ModelPackageGroupStatus": group.status,
    }
    if "ModelPackageGroupDescription" in group.request:
        summary["ModelPackageGroupDescription"] = group.request["ModelPackageGroupDescription"]
    return summary


@operation("DescribeModelPackageGroup")
def describe_model_package_group(ctx: Context, request: JsonDict) -> JsonDict:
    group = find_group(ctx, request["ModelPackageGroupName"])
    # CreatedBy is required in the API reference's answer; who created it is unknown here
    # (UNVERIFIED what AWS answers for a caller without a Studio user profile).
    return {**_group_summary(group), "CreatedBy": {}}


@operation("ListModelPackageGroups")
def list_model_package_groups(ctx: Context, request: JsonDict) -> JsonDict:
    items = filter_common(ctx.state.model_package_groups, request)
    return _listed(items, request, "ModelPackageGroupSummaryList", _group_summary)


@operation("DeleteModelPackageGroup")
def delete_model_package_group(ctx: Context, request: JsonDict) -> JsonDict:
    group = find_group(ctx, request["ModelPackageGroupName"])
    if any(p.group.lower() == group.name.lower() for p in ctx.state.model_packages):
        # UNVERIFIED wording; a group is deleted only once its versions are (developer
        # guide "Delete a Model Group": delete the model versions first).
        raise AwsError(
            "ConflictException", f"Model package group {group.arn} still has model packages."
        )
    ctx.state.model_package_groups.remove(group.name)
    tags.forget(ctx, group.arn)
    return {}


# -- packages ---------------------------------------------------------------------------


@operation("CreateModelPackage")
def create_model_package(ctx: Context, request: JsonDict) -> JsonDict:
    _check_approval(request.get("ModelApprovalStatus"), "modelApprovalStatus")
    tags.check(request.get("Tags"))
    group_name = request.get("ModelPackageGroupName")
    body = {
        k: v
        for k, v in request.items()
        if k not in ("ModelPackageName", "ModelPackageGroupName", "ModelApprovalStatus", "Tags")
    }
    if group_name:
        # A versioned package: "For a versioned model, the name is automatically generated
        # by SageMaker Model Registry and follows the format
        # 'ModelPackageGroupName/ModelPackageVersion'" (API reference ModelPackage
        # .ModelPackageName); versions count 1, 2, 3... within the group
        # (ModelPackageVersion). ModelApprovalStatus "is optional for versioned models";
        # left out, a version waits for approval: PendingManualApproval (developer guide,
        # "Update the Approval Status of a Model"; UNVERIFIED beyond that page's wording).
        group = find_group(ctx, group_name)
        group.versions += 1
        name = f"{group.name}/{group.versions}"
        package = ModelPackage(
            name=name,
            arn=ctx.state.arn("model-package", name),
            request=body,
            status="Completed",
            group=group.name,
            version=group.versions,
            approval=request.get("ModelApprovalStatus") or "PendingManualApproval",
        )
    else:
        name = request.get("ModelPackageName") or ""
        if not name:
            # "ModelPackageName ... This parameter is required for unversioned models"
            # (API reference CreateModelPackage). UNVERIFIED wording.
            raise validation("ModelPackageName is required for an unversioned model package.")
        arn = ctx.state.arn("model-package", name)
        if ctx.state.model_packages.get(name) is not None:
            raise already_exists("model package", arn)
        # ModelApprovalStatus "does not apply to unversioned models" (API reference).
        package = ModelPackage(name=name, arn=arn, request=body, status="Completed")
    ctx.state.model_packages.add(package)
    tags.register(ctx, package.arn, request.get("Tags"))
    return {"ModelPackageArn": package.arn}


def _package_summary(package: ModelPackage) -> JsonDict:
    """A ModelPackageSummary (API reference): versioned packages carry their group and
    version; unversioned ones have no approval status."""
    summary: JsonDict = {
        # A versioned package is answered under its group's name: the answer's
        # ModelPackageName is an EntityName (botocore ModelPackageSummary and
        # DescribeModelPackageOutput, pattern ``[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}``: no
        # "/"), whatever the API reference's "ModelPackageGroupName/ModelPackageVersion"
        # prose says; its ARN and ModelPackageVersion tell the versions apart.
        "ModelPackageName": package.group or package.name,
        "ModelPackageArn": package.arn,
        "CreationTime": package.creation_time,
        "ModelPackageStatus": package.status,
    }
    if package.group:
        summary["ModelPackageGroupName"] = package.group
        summary["ModelPackageVersion"] = package.version
        summary["ModelApprovalStatus"] = package.approval
    if "ModelPackageDescription" in package.request:
        summary["ModelPackageDescription"] = package.request["ModelPackageDescription"]
    return summary


@operation("DescribeModelPackage")
def describe_model_package(ctx: Context, request: JsonDict) -> JsonDict:
    package = find_package(ctx, request["ModelPackageName"], described=True)
    answer: JsonDict = {
        **package.request,
        **_package_summary(package),
        "LastModifiedTime": package.last_modified_time,
        "ModelPackageStatusDetails": {"ValidationStatuses": [], "ImageScanStatuses": []},
    }
    if package.approval_description is not None:
        answer["ApprovalDescription"] = package.approval_description
    return answer


@operation("UpdateModelPackage")
def update_model_package(ctx: Context, request: JsonDict) -> JsonDict:
    """UpdateModelPackage "Updates a versioned model": ModelApprovalStatus and
    ApprovalDescription (API reference; ModelPackageArn is an ARN, pattern
    ``...:model-package/.*``)."""
    arn = request["ModelPackageArn"]
    package = package_named(ctx.state, arn) if arn.startswith("arn:") else None
    if package is None:
        raise could_not_find("model package", arn)
    status = request.get("ModelApprovalStatus")
    _check_approval(status, "modelApprovalStatus")
    if status is not None:
        if not package.group:
            # UNVERIFIED wording: approval "does not apply to unversioned models".
            raise validation("ModelApprovalStatus does not apply to an unversioned model package.")
        package.approval = status
    if "ApprovalDescription" in request:
        package.approval_description = request["ApprovalDescription"]
    package.touch()
    return {"ModelPackageArn": package.arn}


@operation("DeleteModelPackage")
def delete_model_package(ctx: Context, request: JsonDict) -> JsonDict:
    package = find_package(ctx, request["ModelPackageName"])
    ctx.state.model_packages.remove(package.name)
    tags.forget(ctx, package.arn)
    return {}


# ListModelPackages SortBy "Name | CreationTime", "The default is CreationTime"; SortOrder
# "Ascending | Descending", "The default is Ascending" (API reference ListModelPackages).
_SORT_BY = {
    "Name": lambda p: p.name.lower(),
    "CreationTime": lambda p: (p.creation_time, p.version),
}


def _sorted(items: list[Any], request: JsonDict) -> list[Any]:
    by = request.get("SortBy") or "CreationTime"
    order = request.get("SortOrder") or "Ascending"
    if by not in _SORT_BY or order not in ("Ascending", "Descending"):
        raise validation(f"Invalid SortBy {by!r} or SortOrder {order!r}")
    return sorted(items, key=_SORT_BY[by], reverse=order == "Descending")


def _listed(items: list[Any], request: JsonDict, key: str, summary: Any) -> JsonDict:
    # MaxResults' range 1..100 is checked against the API model before any handler runs.
    chunk, next_token = page(_sorted(items, request), request)
    response: JsonDict = {key: [summary(item) for item in chunk]}
    if next_token:
        response["NextToken"] = next_token
    return response


@operation("ListModelPackages")
def list_model_packages(ctx: Context, request: JsonDict) -> JsonDict:
    """ListModelPackages filters (API reference): ModelApprovalStatus, ModelPackageGroupName
    (a name or ARN: "returns only model versions that belong to the specified model
    group"), ModelPackageType (Versioned | Unversioned | Both; "UNVERSIONED ... is the
    default value if no ModelPackageType is specified"), NameContains and creation times.
    With a group named and no type, its versions are listed: the model registry's
    documented way to find the latest approved version is ListModelPackages with
    ModelPackageGroupName, ModelApprovalStatus Approved and SortBy CreationTime and no
    type (the SageMaker MLOps project templates' deploy step, ``get_approved_package``).
    UNVERIFIED: how AWS reconciles that with the documented Unversioned default."""
    _check_approval(request.get("ModelApprovalStatus"), "modelApprovalStatus")
    group_name = request.get("ModelPackageGroupName")
    group = _group_named(ctx.state, group_name) if group_name else None
    kind = request.get("ModelPackageType") or ("Versioned" if group_name else "Unversioned")
    items = []
    for package in filter_common(ctx.state.model_packages, request):
        if kind == "Versioned" and not package.group:
            continue
        if kind == "Unversioned" and package.group:
            continue
        if group_name and (group is None or package.group.lower() != group.name.lower()):
            continue
        approval = request.get("ModelApprovalStatus")
        if approval is not None and package.approval != approval:
            continue
        items.append(package)
    return _listed(items, request, "ModelPackageSummaryList", _package_summary)
