"""Model: immutable (no Update API), content-hashed physical name."""

from __future__ import annotations

from reconciler.kinds import model_rules
from reconciler.kinds.api import KindApi
from reconciler.kinds.base import VPC_UNORDERED, KindInfo, without
from reconciler.resources import JsonDict, Kind


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
)

API = KindApi(INFO)
