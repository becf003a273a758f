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
