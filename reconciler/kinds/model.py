"""Model: immutable (no Update API), content-hashed physical name."""

from __future__ import annotations

import re

from reconciler.errors import AwsError
from reconciler.gateway import Gateway
from reconciler.kinds import model_rules
from reconciler.kinds.api import KindApi, Pin
from reconciler.kinds.base import VPC_UNORDERED, AccountReference, KindInfo, values_at, without
from reconciler.resources import JsonDict, Kind, SpecPath


def live_spec(description: JsonDict) -> JsonDict:
    return without(description, "ModelName", "ModelArn", "CreationTime", "DeploymentRecommendation")


def _derived_from_model_data_url(value: object, container: JsonDict, spec: JsonDict) -> bool:
    """A ModelDataSource that only restates the container's ModelDataUrl, which "must point
    to a single gzip compressed tar archive" (botocore ContainerDefinition.ModelDataUrl):
    terraform-provider-aws marks model_data_source Optional+Computed, i.e. AWS fills it in.
    The exact S3DataType/CompressionType AWS derives is unverified."""
    url = container.get("ModelDataUrl")
    derived = {"S3DataSource": {"S3Uri": url, "S3DataType": "S3Object", "CompressionType": "Gzip"}}
    return url is not None and value == derived


# What DescribeModel answers for fields the creator left out, so export leaves them out:
# EnableNetworkIsolation false and container Mode SingleModel (ACK sagemaker-controller's
# recorded DescribeModel answers and custom_delta.go "Default value of Mode is
# SingleModel"; terraform-provider-aws container.mode Default SingleModel); an empty
# Environment; InferenceExecutionConfig Serial for multi-container models (developer guide
# dg/multi-container-create.html: "The default mode is Serial"); a metrics endpoint's
# publish frequency 60 (botocore MetricsEndpoint.MetricPublishFrequencyInSeconds
# "Defaults to 60"); a ModelDataSource derived from ModelDataUrl.
_CONTAINER_DEFAULTS: dict[str, object] = {
    "Mode": "SingleModel",
    "Environment": {},
    "ModelDataSource": _derived_from_model_data_url,
    "ContainerMetricsConfig.MetricsEndpoints[*].MetricPublishFrequencyInSeconds": 60,
}
SERVER_DEFAULTS: dict[str, object] = {
    "EnableNetworkIsolation": False,
    "InferenceExecutionConfig": {"Mode": "Serial"},
    **{f"PrimaryContainer.{k}": v for k, v in _CONTAINER_DEFAULTS.items()},
    **{f"Containers[*].{k}": v for k, v in _CONTAINER_DEFAULTS.items()},
}


# A container may name a model package group instead of a version, meaning the group's
# newest Approved version: ``ModelPackageName: model-package-group/<group>:latest-approved``
# (README "Model registry references"). ContainerDefinition.ModelPackageName takes a
# package name or ARN (botocore VersionedArnOrName); the reference spelling is no such
# value (":" is in no SageMaker name), so it cannot be mistaken for one, and its prefix is
# the group ARN's resource part (``arn:...:model-package-group/<group>``). The group name's
# pattern is botocore's ModelPackageGroupName (EntityName).
_GROUP = r"(?P<name>[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62})"
LATEST_APPROVED = ":latest-approved"
# A versioned model package's ARN (botocore ModelPackageArn; the version is a number).
VERSION_ARN = re.compile(
    r"arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:model-package/[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}/\d+"
)
GROUP_PREFIX = "model-package-group/"
ACCOUNT_REFERENCES = tuple(
    AccountReference(
        path=(*container, "ModelPackageName"),
        prefix=GROUP_PREFIX,
        spelling=f"{GROUP_PREFIX}{_GROUP}{LATEST_APPROVED}",
        example=f"{GROUP_PREFIX}<group>{LATEST_APPROVED}",
    )
    for container in (("PrimaryContainer",), ("Containers", "*"))
)


INFO = KindInfo(
    kind=Kind.MODEL,
    name_field="ModelName",
    create_operation="CreateModel",
    # ListModels has no status; CreationTime changes only with a new model of that name.
    change_markers=("CreationTime",),
    arn_resource_type="model",
    # Immutable as a whole: the SageMaker API has no UpdateModel operation (botocore
    # sagemaker service-2.json), and terraform-provider-aws aws_sagemaker_model marks every
    # argument but tags ForceNew. A changed spec is a new model under a new hashed name.
    immutable=True,
    live_spec=live_spec,
    server_defaults=SERVER_DEFAULTS,
    unordered=VPC_UNORDERED,
    rules=model_rules.RULES,
    # Overlay patches merge containers by hostname (CreateModel ContainerDefinition).
    merge_keys={"Containers": "ContainerHostname"},
    account_references=ACCOUNT_REFERENCES,
)


# DescribeModelPackage of a package that does not exist: ValidationException "ModelPackage
# <arn> does not exist." (a recorded botocore ClientError, kyopark2014/llama3-rag
# deployment.md, for an unversioned package; UNVERIFIED for a version ARN, and whether
# AWS ever answers ResourceNotFound here). moto answers ValidationError "Model package
# <arn> not found"; SageMaker's usual "Could not find ..." is read by reconciler.errors.
# DescribeModelPackage names one package, so a validation error that says it is not
# there is about that package.
_MISSING_PACKAGE = re.compile(r"\b(does not exist|not found)\b", re.IGNORECASE)


def missing_package(err: AwsError) -> bool:
    """Whether DescribeModelPackage's error `err` says the package does not exist."""
    return err.not_found or (
        err.code in ("ValidationException", "ValidationError")
        and bool(_MISSING_PACKAGE.search(err.aws_message))
    )


class ModelApi(KindApi):
    """A Model's calls, and the model registry read that pins its package references."""

    def reads_account(self, spec: JsonDict) -> bool:
        return super().reads_account(spec) or bool(self.versions_in(spec))

    def versions_in(self, spec: JsonDict) -> list[tuple[SpecPath, str]]:
        """Package versions pinned by hand: a container's ModelPackageName that is a
        versioned package's ARN (``...:model-package/<group>/<version>``; DescribeModel
        Package API reference, ModelPackageArn)."""
        return [
            (path, value)
            for reference in self.info.account_references
            for path, value in values_at(spec, reference.path)
            if VERSION_ARN.fullmatch(value)
        ]

    def pins(self, aws: Gateway, spec: JsonDict) -> list[Pin]:
        # A version pinned by hand is deployed only while it is Approved, as a reference
        # to the latest Approved one is (README "Model registry references").
        pins = [p for path, arn in self.versions_in(spec) if (p := self.approved(aws, path, arn))]
        for reference in self.info.account_references:
            for path, written in reference.found_in(spec):
                group = reference.name_in(written)
                if group is None:  # validate refuses it first; a Pin must not guess
                    pins.append(Pin(path, written, None, f"write {reference.example}"))
                    continue
                pins.append(self.latest_approved(aws, path, written, group))
        return pins

    def approved(self, aws: Gateway, path: SpecPath, arn: str) -> Pin | None:
        """None when version `arn` may be deployed (it is Approved); else a Pin, taken as
        written, that says why not. CreateModelPackage, ModelApprovalStatus: "For versioned
        models, the value of this parameter must be set to Approved to deploy the model"
        (API reference).

        Only a new Model is refused (``only_for_new``): one that runs the version already
        was made while it was Approved, and a version rejected (or deleted) later must not
        freeze every other change of the target; the plan warns of it instead. A version
        whose approval cannot be read (DescribeModelPackage refused: no
        sagemaker:DescribeModelPackage, a package of another account) is a warning:
        CreateModel, which reads the package itself, says what AWS thinks of it. A
        temporary error is raised (the account cannot be read now)."""
        try:
            found = self.call(aws, "DescribeModelPackage", ModelPackageName=arn)
        except AwsError as err:
            if err.temporary:
                raise
            if not missing_package(err):
                return Pin(
                    path,
                    arn,
                    arn,
                    warning=f"its approval could not be checked ({err}); CreateModel decides",
                )
            return Pin(path, arn, arn, "this model package version does not exist", True)
        status = found.get("ModelApprovalStatus")
        if status in (None, "Approved"):
            return None
        return Pin(
            path,
            arn,
            arn,
            f"this model package version is {status}: only an Approved version is deployed "
            "(approve it with UpdateModelPackage ModelApprovalStatus=Approved, or name "
            "another)",
            only_for_new=True,
        )

    def latest_approved(
        self, aws: Gateway, path: tuple[str | int, ...], written: str, group: str
    ) -> Pin:
        """The newest Approved version of `group`: ListModelPackages of the group, Approved
        only, by CreationTime newest first (ListModelPackages' ModelPackageGroupName,
        ModelApprovalStatus, SortBy and SortOrder filters, API reference; the model
        registry's "latest approved" read of the SageMaker MLOps project templates). A
        version that is not Approved is never chosen: the filter leaves it out, and the
        answer's status is checked again."""
        answer = self.call(
            aws,
            "ListModelPackages",
            ModelPackageGroupName=group,
            ModelApprovalStatus="Approved",
            ModelPackageType="Versioned",
            SortBy="CreationTime",
            SortOrder="Descending",
            MaxResults=1,
        )
        approved = [
            p
            for p in answer.get("ModelPackageSummaryList", [])
            if p.get("ModelApprovalStatus") == "Approved"
        ]
        if approved:
            return Pin(path, written, str(approved[0]["ModelPackageArn"]))
        try:
            self.call(aws, "DescribeModelPackageGroup", ModelPackageGroupName=group)
        except AwsError as err:
            if not err.not_found:
                raise
            return Pin(path, written, None, f"model package group {group!r} does not exist")
        return Pin(
            path,
            written,
            None,
            f"model package group {group!r} has no Approved version: nothing to deploy "
            "(approve one with UpdateModelPackage ModelApprovalStatus=Approved)",
        )


API = ModelApi(INFO)
