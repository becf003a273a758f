"""EndpointConfig: immutable, content-hashed physical name; its variants name models."""

from __future__ import annotations

from reconciler.kinds.base import KindInfo, Reference
from reconciler.resources import Kind

INFO = KindInfo(
    kind=Kind.ENDPOINT_CONFIG,
    name_field="EndpointConfigName",
    create_operation="CreateEndpointConfig",
    arn_resource_type="endpoint-config",
    immutable=True,
    references=(
        Reference(("ProductionVariants", "*", "ModelName"), Kind.MODEL),
        Reference(("ShadowProductionVariants", "*", "ModelName"), Kind.MODEL),
    ),
)
