"""CreateEndpoint / DescribeEndpoint / UpdateEndpoint / DeleteEndpoint / ListEndpoints.

Endpoints are asynchronous: Creating → InService (or Failed), Updating → InService,
Deleting → gone. While busy, UpdateEndpoint and DeleteEndpoint are refused with SageMaker's
in-progress error. A failure armed through ``/_emulator/fail`` makes the next create end
Failed, and the next update roll back: InService again on the *old* config, with
FailureReason set — exactly what a client must detect on AWS.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from reconciler.emulator.errors import already_exists, could_not_find, validation
from reconciler.emulator.lifecycle import begin, is_busy, settle
from reconciler.emulator.sagemaker import Context, operation, tags
from reconciler.emulator.sagemaker import endpoint_configs as configs
from reconciler.emulator.sagemaker.listing import filter_common, list_response
from reconciler.emulator.state import Endpoint, EndpointConfig, utcnow

JsonDict = dict[str, Any]


def find(ctx: Context, name: str, *, described: bool = False) -> Endpoint:
    endpoint = ctx.state.endpoints.get(name)
    if endpoint is None:
        raise could_not_find("endpoint", ctx.state.arn("endpoint", name))
    settle(endpoint, described=described)
    # The transition may have removed it (Deleting → gone).
    if ctx.state.endpoints.get(name) is None:
        raise could_not_find("endpoint", ctx.state.arn("endpoint", name))
    return endpoint


def deployed_image(image: str, when: dt.datetime) -> JsonDict:
    digest = hashlib.sha256(image.encode()).hexdigest()
    return {
        "SpecifiedImage": image,
        "ResolvedImage": f"{image.split(':')[0]}@sha256:{digest}",
        "ResolutionTime": when,
    }


def _variant_summaries(
    ctx: Context, config: EndpointConfig, previous: list[JsonDict] | None
) -> list[JsonDict]:
    """ProductionVariantSummary list for an endpoint running `config`.

    `previous` (RetainAllVariantProperties) keeps the live instance counts and weights
    of variants that exist in both, as SageMaker does for autoscaled endpoints.
    """
    kept = {v["VariantName"]: v for v in previous or []}
    now = utcnow()
    summaries = []
    for variant in config.request["ProductionVariants"]:
        name = variant["VariantName"]
        summary: JsonDict = {"VariantName": name}
        model_name = variant.get("ModelName")
        model = ctx.state.models.get(model_name) if model_name else None
        if model is not None:
            containers = model.request.get("Containers") or [
                model.request.get("PrimaryContainer") or {}
            ]
            summary["DeployedImages"] = [
                deployed_image(c["Image"], now) for c in containers if "Image" in c
            ]
        weight = float(variant.get("InitialVariantWeight", 1.0))
        summary["CurrentWeight"] = summary["DesiredWeight"] = weight
        if "ServerlessConfig" in variant:
            summary["CurrentServerlessConfig"] = summary["DesiredServerlessConfig"] = variant[
                "ServerlessConfig"
            ]
        else:
            count = variant.get("InitialInstanceCount", 1)
            summary["CurrentInstanceCount"] = summary["DesiredInstanceCount"] = count
        for field in ("ManagedInstanceScaling", "RoutingConfig"):
            if field in variant:
                summary[field] = variant[field]
        if name in kept:
            for field in (
                "CurrentWeight",
                "DesiredWeight",
                "CurrentInstanceCount",
                "DesiredInstanceCount",
            ):
                if field in kept[name]:
                    summary[field] = kept[name][field]
        summaries.append(summary)
    return summaries


def _check_models_exist(ctx: Context, config: EndpointConfig) -> None:
    """SageMaker resolves the config's models when it deploys: a deleted one fails."""
    for variant in config.request["ProductionVariants"]:
        name = variant.get("ModelName")
        if name is not None and ctx.state.models.get(name) is None:
            raise could_not_find("model", ctx.state.arn("model", name))


def _busy_error(endpoint: Endpoint) -> Exception:
    # SageMaker words it "update" for DeleteEndpoint too.
    return validation(f'Cannot update in-progress endpoint "{endpoint.arn}".')


@operation("CreateEndpoint")
def create_endpoint(ctx: Context, request: JsonDict) -> JsonDict:
    name = request["EndpointName"]
    arn = ctx.state.arn("endpoint", name)
    if ctx.state.endpoints.get(name) is not None:
        raise already_exists("endpoint", arn)
    config = configs.find(ctx, request["EndpointConfigName"])
    _check_models_exist(ctx, config)
    tags.check(request.get("Tags"))
    endpoint = Endpoint(
        name=name,
        arn=arn,
        request={k: v for k, v in request.items() if k not in ("EndpointName", "Tags")},
        config_name=config.name,
        last_deployment_config=request.get("DeploymentConfig"),
    )
    failure = ctx.control.take_failure("Endpoint", name)

    def finish() -> None:
        endpoint.touch()
        if failure is not None:
            endpoint.status, endpoint.failure_reason = "Failed", failure
        else:
            endpoint.status = "InService"
            endpoint.variants = _variant_summaries(ctx, config, None)

    ctx.state.endpoints.add(endpoint)
    tags.register(ctx, arn, request.get("Tags"))
    begin(endpoint, "Creating", finish, ctx.transitions)
    return {"EndpointArn": arn}


@operation("DescribeEndpoint")
def describe_endpoint(ctx: Context, request: JsonDict) -> JsonDict:
    endpoint = find(ctx, request["EndpointName"], described=True)
    response: JsonDict = {
        "EndpointName": endpoint.name,
        "EndpointArn": endpoint.arn,
        "EndpointConfigName": endpoint.config_name,
        "EndpointStatus": endpoint.status,
        "CreationTime": endpoint.creation_time,
        "LastModifiedTime": endpoint.last_modified_time,
    }
    if endpoint.variants:
        response["ProductionVariants"] = endpoint.variants
    if endpoint.failure_reason:
        response["FailureReason"] = endpoint.failure_reason
    if endpoint.last_deployment_config:
        response["LastDeploymentConfig"] = endpoint.last_deployment_config
    if endpoint.pending_config_name is not None:
        response["PendingDeploymentSummary"] = {
            "EndpointConfigName": endpoint.pending_config_name,
            "StartTime": endpoint.pending_since,
        }
    config = ctx.state.endpoint_configs.get(endpoint.config_name)
    if config is not None:
        for field in (
            "DataCaptureConfig",
            "AsyncInferenceConfig",
            "ExplainerConfig",
            "MetricsConfig",
        ):
            if field in config.request:
                response[field] = config.request[field]
    return response


@operation("UpdateEndpoint")
def update_endpoint(ctx: Context, request: JsonDict) -> JsonDict:
    endpoint = find(ctx, request["EndpointName"])
    if is_busy(endpoint):
        raise _busy_error(endpoint)
    if endpoint.status == "Failed":
        raise validation(
            f'Cannot update failed endpoint "{endpoint.arn}": a Failed endpoint can only be deleted.'
        )
    config = configs.find(ctx, request["EndpointConfigName"])
    _check_models_exist(ctx, config)
    if any(
        ic.endpoint_name.lower() == endpoint.name.lower() for ic in ctx.state.inference_components
    ) and not configs.hosts_inference_components(config):
        raise validation(
            f'Cannot update endpoint "{endpoint.arn}" to endpoint configuration {config.name}: '
            "it hosts inference components and the new configuration's variants specify a ModelName."
        )
    previous_variants = endpoint.variants if request.get("RetainAllVariantProperties") else None
    deployment = request.get("DeploymentConfig")
    if deployment is None and request.get("RetainDeploymentConfig"):
        deployment = endpoint.last_deployment_config
    failure = ctx.control.take_failure("Endpoint", endpoint.name)
    endpoint.pending_config_name = config.name
    endpoint.pending_since = utcnow()
    endpoint.touch()

    def finish() -> None:
        endpoint.pending_config_name = endpoint.pending_since = None
        endpoint.status = "InService"
        endpoint.touch()
        endpoint.last_deployment_config = deployment
        if failure is not None:
            # Rolled back: still on the old config, and the reason says why.
            endpoint.failure_reason = failure
            return
        endpoint.failure_reason = None
        endpoint.config_name = config.name
        endpoint.variants = _variant_summaries(ctx, config, previous_variants)

    begin(endpoint, "Updating", finish, ctx.transitions)
    return {"EndpointArn": endpoint.arn}


@operation("DeleteEndpoint")
def delete_endpoint(ctx: Context, request: JsonDict) -> JsonDict:
    endpoint = find(ctx, request["EndpointName"])
    if is_busy(endpoint):
        raise _busy_error(endpoint)
    attached = sorted(
        ic.name
        for ic in ctx.state.inference_components
        if ic.endpoint_name.lower() == endpoint.name.lower()
    )
    if attached:
        raise validation(
            f'Cannot delete endpoint "{endpoint.arn}" because it has inference components '
            f"({', '.join(attached)}); delete them first."
        )

    def finish() -> None:
        ctx.state.endpoints.remove(endpoint.name)
        tags.forget(ctx, endpoint.arn)

    begin(endpoint, "Deleting", finish, ctx.transitions)
    return {}


@operation("ListEndpoints")
def list_endpoints(ctx: Context, request: JsonDict) -> JsonDict:
    items = filter_common(ctx.state.endpoints, request)
    # A transition may have deleted some while filtering.
    items = [e for e in items if ctx.state.endpoints.get(e.name) is e]
    return list_response(
        items,
        request,
        "Endpoints",
        lambda e: {
            "EndpointName": e.name,
            "EndpointArn": e.arn,
            "CreationTime": e.creation_time,
            "LastModifiedTime": e.last_modified_time,
            "EndpointStatus": e.status,
        },
    )
