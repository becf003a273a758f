"""Endpoint: runs an EndpointConfig; UpdateEndpoint moves it to another one."""

from __future__ import annotations

from reconciler.kinds.base import KindInfo, Reference
from reconciler.resources import Kind

INFO = KindInfo(
    kind=Kind.ENDPOINT,
    name_field="EndpointName",
    create_operation="CreateEndpoint",
    arn_resource_type="endpoint",
    update_only={
        "RetainAllVariantProperties": ("UpdateEndpoint", "RetainAllVariantProperties"),
        "ExcludeRetainedVariantProperties": ("UpdateEndpoint", "ExcludeRetainedVariantProperties"),
        "RetainDeploymentConfig": ("UpdateEndpoint", "RetainDeploymentConfig"),
    },
    references=(Reference(("EndpointConfigName",), Kind.ENDPOINT_CONFIG),),
)
