"""CreateEndpointConfig / DescribeEndpointConfig / DeleteEndpointConfig / ListEndpointConfigs.

Fidelity over moto: duplicates fail; production variants without ModelName (endpoints
that host inference components) are accepted and need the config's ExecutionRoleArn;
DescribeEndpointConfig returns every field as created (ExecutionRoleArn, VpcConfig,
EnableNetworkIsolation, ManagedInstanceScaling, RoutingConfig, ...); models named by
variants must exist.
"""

from __future__ import annotations

from typing import Any

from reconciler.emulator.errors import already_exists, could_not_find, validation
from reconciler.emulator.sagemaker import Context, operation, tags
from reconciler.emulator.sagemaker.listing import filter_common, list_response
from reconciler.emulator.state import EndpointConfig

JsonDict = dict[str, Any]


def find(ctx: Context, name: str) -> EndpointConfig:
    config = ctx.state.endpoint_configs.get(name)
    if config is None:
        raise could_not_find("endpoint configuration", ctx.state.arn("endpoint-config", name))
    return config


def hosts_inference_components(config: EndpointConfig) -> bool:
    """True when the config's variants carry no model: inference components go there."""
    return all("ModelName" not in v for v in config.request["ProductionVariants"])


def _check_variants(ctx: Context, request: JsonDict) -> None:
    variants = request["ProductionVariants"] + request.get("ShadowProductionVariants", [])
    seen: set[str] = set()
    for variant in variants:
        name = variant["VariantName"]
        if name.lower() in seen:
            raise validation(f"Variant name {name} is duplicated in the endpoint configuration.")
        seen.add(name.lower())
        model = variant.get("ModelName")
        if model is not None and ctx.state.models.get(model) is None:
            raise could_not_find("model", ctx.state.arn("model", model))
    without_model = [v["VariantName"] for v in variants if "ModelName" not in v]
    if without_model and len(without_model) != len(variants):
        raise validation(
            "Either all production variants must specify a ModelName or none of them may "
            "(variants without a model host inference components)."
        )
    if without_model:
        if "ExecutionRoleArn" not in request:
            raise validation(
                "ExecutionRoleArn is required when production variants do not specify a ModelName."
            )
        for variant in variants:
            if "InstanceType" not in variant:
                raise validation(
                    f"Variant {variant['VariantName']} hosts inference components and must specify an InstanceType."
                )


@operation("CreateEndpointConfig")
def create_endpoint_config(ctx: Context, request: JsonDict) -> JsonDict:
    name = request["EndpointConfigName"]
    arn = ctx.state.arn("endpoint-config", name)
    if ctx.state.endpoint_configs.get(name) is not None:
        raise already_exists("endpoint configuration", arn)
    _check_variants(ctx, request)
    tags.check(request.get("Tags"))
    body = {k: v for k, v in request.items() if k not in ("EndpointConfigName", "Tags")}
    ctx.state.endpoint_configs.add(EndpointConfig(name=name, arn=arn, request=body))
    tags.register(ctx, arn, request.get("Tags"))
    return {"EndpointConfigArn": arn}


@operation("DescribeEndpointConfig")
def describe_endpoint_config(ctx: Context, request: JsonDict) -> JsonDict:
    config = find(ctx, request["EndpointConfigName"])
    return {
        **config.request,
        "EndpointConfigName": config.name,
        "EndpointConfigArn": config.arn,
        "CreationTime": config.creation_time,
    }


@operation("DeleteEndpointConfig")
def delete_endpoint_config(ctx: Context, request: JsonDict) -> JsonDict:
    # SageMaker lets a config be deleted while an endpoint runs on it; so do we.
    config = find(ctx, request["EndpointConfigName"])
    ctx.state.endpoint_configs.remove(config.name)
    tags.forget(ctx, config.arn)
    return {}


@operation("ListEndpointConfigs")
def list_endpoint_configs(ctx: Context, request: JsonDict) -> JsonDict:
    items = filter_common(ctx.state.endpoint_configs, request)
    return list_response(
        items,
        request,
        "EndpointConfigs",
        lambda c: {
            "EndpointConfigName": c.name,
            "EndpointConfigArn": c.arn,
            "CreationTime": c.creation_time,
        },
    )
