"""EndpointConfig: immutable, content-hashed physical name; its variants name models."""

from __future__ import annotations

from reconciler.kinds import endpoint_config_rules
from reconciler.kinds.api import KindApi
from reconciler.kinds.base import VPC_UNORDERED, KindInfo, Reference, without
from reconciler.resources import JsonDict, Kind


def live_spec(description: JsonDict) -> JsonDict:
    return without(description, "EndpointConfigName", "EndpointConfigArn", "CreationTime")


def hosts_inference_components(spec: JsonDict) -> bool:
    """Variants without ModelName host inference components."""
    variants = spec.get("ProductionVariants") or []
    return bool(variants) and all("ModelName" not in v for v in variants)


def _on_a_serverless_variant(value: object, variant: JsonDict, spec: JsonDict) -> bool:
    """VolumeSizeInGB cannot be given with ServerlessConfig, yet DescribeEndpointConfig
    answers one (ACK sagemaker-controller PR #193 and its recorded answer
    testdata/sdkapi/describe/sucess_serverless.json): whatever its value, SageMaker put it."""
    return "ServerlessConfig" in variant


# What DescribeEndpointConfig answers for fields the creator left out, so export leaves
# them out: a variant's weight 1.0 (botocore ProductionVariant.InitialVariantWeight "If
# unspecified, it defaults to 1.0"), EnableNetworkIsolation false (ACK's recorded
# answers), a serverless variant's VolumeSizeInGB, and MetricsConfig's documented
# defaults (botocore MetricsConfig: EnableEnhancedMetrics "The default is False",
# MetricPublishFrequencyInSeconds "Defaults to 60").
_VARIANT_DEFAULTS: dict[str, object] = {
    "InitialVariantWeight": 1.0,
    "VolumeSizeInGB": _on_a_serverless_variant,
}
SERVER_DEFAULTS: dict[str, object] = {
    "EnableNetworkIsolation": False,
    "MetricsConfig.EnableEnhancedMetrics": False,
    "MetricsConfig.MetricPublishFrequencyInSeconds": 60,
    **{f"ProductionVariants[*].{k}": v for k, v in _VARIANT_DEFAULTS.items()},
    **{f"ShadowProductionVariants[*].{k}": v for k, v in _VARIANT_DEFAULTS.items()},
}


INFO = KindInfo(
    kind=Kind.ENDPOINT_CONFIG,
    name_field="EndpointConfigName",
    create_operation="CreateEndpointConfig",
    change_markers=("CreationTime",),
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
    server_defaults=SERVER_DEFAULTS,
    unordered=VPC_UNORDERED,
    rules=endpoint_config_rules.RULES,
    # Overlay patches merge variants by name (CreateEndpointConfig ProductionVariant).
    merge_keys={"ProductionVariants": "VariantName", "ShadowProductionVariants": "VariantName"},
)

API = KindApi(INFO)
