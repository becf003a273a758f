"""Model: immutable (no Update API), content-hashed physical name."""

from __future__ import annotations

from reconciler.kinds.api import KindApi
from reconciler.kinds.base import VPC_UNORDERED, KindInfo, without
from reconciler.resources import JsonDict, Kind


def live_spec(description: JsonDict) -> JsonDict:
    return without(description, "ModelName", "ModelArn", "CreationTime", "DeploymentRecommendation")


INFO = KindInfo(
    kind=Kind.MODEL,
    name_field="ModelName",
    create_operation="CreateModel",
    arn_resource_type="model",
    # Immutable as a whole: the SageMaker API has no UpdateModel operation (botocore
    # sagemaker service-2.json), and terraform-provider-aws aws_sagemaker_model marks every
    # argument but tags ForceNew. A changed spec is a new model under a new hashed name.
    immutable=True,
    live_spec=live_spec,
    # DescribeModel reports these even when the model was created without them.
    server_defaults=(
        "EnableNetworkIsolation",
        "PrimaryContainer.Mode",
        "PrimaryContainer.Environment",
        "Containers[*].Mode",
        "Containers[*].Environment",
    ),
    unordered=VPC_UNORDERED,
)

API = KindApi(INFO)
