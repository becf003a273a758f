"""InferenceComponent: a model packed on an endpoint's variant with its own resources and
copy count. EndpointName and VariantName are create-only."""

from __future__ import annotations

from reconciler.kinds.base import KindInfo, Reference
from reconciler.resources import Kind

INFO = KindInfo(
    kind=Kind.INFERENCE_COMPONENT,
    name_field="InferenceComponentName",
    create_operation="CreateInferenceComponent",
    arn_resource_type="inference-component",
    update_only={"DeploymentConfig": ("UpdateInferenceComponent", "DeploymentConfig")},
    references=(
        Reference(("EndpointName",), Kind.ENDPOINT),
        Reference(("Specification", "ModelName"), Kind.MODEL),
        Reference(("Specification", "BaseInferenceComponentName"), Kind.INFERENCE_COMPONENT),
        Reference(("Specifications", "*", "ModelName"), Kind.MODEL),
        Reference(("Specifications", "*", "BaseInferenceComponentName"), Kind.INFERENCE_COMPONENT),
    ),
    create_only=("EndpointName", "VariantName"),
)
