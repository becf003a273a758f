"""EndpointConfig: immutable, content-hashed physical name; its variants name models."""

from __future__ import annotations

from reconciler.kinds.api import KindApi
from reconciler.kinds.base import VPC_UNORDERED, KindInfo, Reference, without
from reconciler.resources import JsonDict, Kind


def live_spec(description: JsonDict) -> JsonDict:
    return without(description, "EndpointConfigName", "EndpointConfigArn", "CreationTime")


def hosts_inference_components(spec: JsonDict) -> bool:
    """Variants without ModelName host inference components."""
    variants = spec.get("ProductionVariants") or []
    return bool(variants) and all("ModelName" not in v for v in variants)


INFO = KindInfo(
    kind=Kind.ENDPOINT_CONFIG,
    name_field="EndpointConfigName",
    create_operation="CreateEndpointConfig",
    arn_resource_type="endpoint-config",
    # Immutable as a whole: the SageMaker API has no UpdateEndpointConfig operation
    # (botocore sagemaker service-2.json); an endpoint moves to a new config with
    # UpdateEndpoint instead.
    immutable=True,
    references=(
        Reference(("ProductionVariants", "*", "ModelName"), Kind.MODEL),
        Reference(("ShadowProductionVariants", "*", "ModelName"), Kind.MODEL),
    ),
    live_spec=live_spec,
    server_defaults=(
        "ProductionVariants[*].InitialVariantWeight",
        "ShadowProductionVariants[*].InitialVariantWeight",
        "EnableNetworkIsolation",
    ),
    unordered=VPC_UNORDERED,
)

API = KindApi(INFO)
