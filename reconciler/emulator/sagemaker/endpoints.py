"""CreateEndpoint / DescribeEndpoint / UpdateEndpoint / UpdateEndpointWeightsAndCapacities /
DeleteEndpoint / ListEndpoints.

Endpoints are asynchronous: Creating → InService (or Failed), Updating → InService,
Deleting → gone. While busy, UpdateEndpoint, UpdateEndpointWeightsAndCapacities and
DeleteEndpoint are refused with SageMaker's in-progress error. A failure armed through
``/_emulator/fail`` makes the next create end Failed, and the next update roll back:
InService again on the *old* config, with FailureReason set — exactly what a client must
detect on AWS.

DescribeEndpoint answers in its own shapes, as SageMaker does: ProductionVariantSummary
items (weights, instance counts, DeployedImages with a resolved digest), a
PendingDeploymentSummary while an update runs, and DataCaptureConfigSummary instead of the
config's DataCaptureConfig.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
from typing import Any

from reconciler.emulator.autoscaling import targets as autoscaling_targets
from reconciler.emulator.errors import already_exists, could_not_find, validation
from reconciler.emulator.lifecycle import begin, is_busy, settle
from reconciler.emulator.sagemaker import Context, operation, server_fields, tags
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
    """A DeployedImage: SageMaker resolves the image's tag to a digest when it deploys.

    Shape from ACK's recorded DescribeEndpoint answers (pkg/resource/endpoint/testdata/
    sdkapi/describe/*.json): ResolvedImage is the repository without its tag, then
    ``@sha256:<64 hex>``. Our digest is a stable hash of the image name (not a real one).
    """
    digest = hashlib.sha256(image.encode()).hexdigest()
    repository, _, last = image.rpartition("/")
    name = last.split("@")[0].split(":")[0]
    resolved = f"{repository}/{name}" if repository else name
    return {
        "SpecifiedImage": image,
        "ResolvedImage": image if "@sha256:" in image else f"{resolved}@sha256:{digest}",
        "ResolutionTime": when,
    }


def _images_of(ctx: Context, variant: JsonDict, now: dt.datetime) -> list[JsonDict] | None:
    """DeployedImages of a variant that serves a model (None for inference-component hosts)."""
    model_name = variant.get("ModelName")
    model = ctx.state.models.get(model_name) if model_name else None
    if model is None:
        return None
    containers = model.request.get("Containers") or [model.request.get("PrimaryContainer") or {}]
    return [deployed_image(c["Image"], now) for c in containers if "Image" in c]


def _variant_summaries(
    ctx: Context,
    variants: list[JsonDict],
    previous: list[JsonDict] | None,
    excluded: frozenset[str] = frozenset(),
) -> list[JsonDict]:
    """ProductionVariantSummary list for an endpoint running `variants`.

    Fields per the botocore ProductionVariantSummary shape; an InService variant has no
    VariantStatus (ACK's recorded answers: inservice_no_failure_reason.json has none,
    update_deployment_config.json has "VariantStatus": null). Weight is the config's
    InitialVariantWeight, 1.0 when not given (botocore ProductionVariant
    .InitialVariantWeight: "If unspecified, it defaults to 1.0"). `previous`
    (RetainAllVariantProperties) keeps the live instance counts and weights of variants
    that exist in both, as SageMaker does for autoscaled endpoints ("production variants
    with the same name will are updated with the most recent DesiredInstanceCount from the
    response from the call to DescribeEndpoint, regardless of the values of the
    InitialInstanceCount field in the new EndpointConfig", SM DG endpoint-scaling-update);
    except the properties listed in ExcludeRetainedVariantProperties (`excluded`), which
    the new config's values override: DesiredInstanceCount → InitialInstanceCount,
    DesiredWeight → InitialVariantWeight; DataCaptureConfig is "(Not currently supported.)"
    (SM model VariantProperty.VariantPropertyType), so it changes nothing.
    """
    kept = {v["VariantName"]: v for v in previous or []}
    now = utcnow()
    summaries = []
    for variant in variants:
        name = variant["VariantName"]
        summary: JsonDict = {"VariantName": name}
        images = _images_of(ctx, variant, now)
        if images is not None:
            summary["DeployedImages"] = images
        weight = float(variant.get("InitialVariantWeight", 1.0))
        summary["CurrentWeight"] = summary["DesiredWeight"] = weight
        if "ServerlessConfig" in variant:
            summary["CurrentServerlessConfig"] = dict(variant["ServerlessConfig"])
            summary["DesiredServerlessConfig"] = dict(variant["ServerlessConfig"])
        else:
            count = variant.get("InitialInstanceCount", 1)
            summary["CurrentInstanceCount"] = summary["DesiredInstanceCount"] = count
        for field in ("ManagedInstanceScaling", "RoutingConfig", "CapacityReservationConfig"):
            if field in variant:
                summary[field] = variant[field]
        if name in kept:
            retained = []
            if "DesiredWeight" not in excluded:
                retained += ["CurrentWeight", "DesiredWeight"]
            if "DesiredInstanceCount" not in excluded:
                retained += ["CurrentInstanceCount", "DesiredInstanceCount"]
            for field in retained:
                if field in kept[name] and field in summary:
                    summary[field] = kept[name][field]
        summaries.append(summary)
    return summaries


def _pending_summaries(ctx: Context, variants: list[JsonDict]) -> list[JsonDict]:
    """PendingProductionVariantSummary list of the config an update moves to.

    As ACK's recorded answer of an endpoint mid-update shows
    (pkg/resource/endpoint/testdata/sdkapi/describe/update_deployment_config.json): the new
    fleet starts at CurrentInstanceCount 0 and CurrentWeight 0, with its InstanceType and a
    VariantStatus of Creating, "Launching N instance(s)."
    """
    now = utcnow()
    pending = []
    for variant in variants:
        summary: JsonDict = {"VariantName": variant["VariantName"]}
        images = _images_of(ctx, variant, now)
        if images is not None:
            summary["DeployedImages"] = images
        summary["CurrentWeight"] = 0.0
        summary["DesiredWeight"] = float(variant.get("InitialVariantWeight", 1.0))
        if "ServerlessConfig" in variant:
            summary["DesiredServerlessConfig"] = dict(variant["ServerlessConfig"])
            message = "Creating serverless capacity."
        else:
            count = variant.get("InitialInstanceCount", 1)
            summary["CurrentInstanceCount"] = 0
            summary["DesiredInstanceCount"] = count
            message = f"Launching {count} instance(s)."
        for field in ("InstanceType", "AcceleratorType", "ManagedInstanceScaling", "RoutingConfig"):
            if field in variant:
                summary[field] = variant[field]
        summary["VariantStatus"] = [
            {"Status": "Creating", "StatusMessage": message, "StartTime": now}
        ]
        pending.append(summary)
    return pending


def _data_capture_summary(config: JsonDict) -> JsonDict:
    """DescribeEndpoint shows the config's DataCaptureConfig as a DataCaptureConfigSummary
    (botocore DescribeEndpointOutput.DataCaptureConfig → DataCaptureConfigSummary:
    EnableCapture, CaptureStatus Started|Stopped, CurrentSamplingPercentage,
    DestinationS3Uri, KmsKeyId). EnableCapture "defaults to enabled" (botocore
    DataCaptureConfig.EnableCapture). UNVERIFIED: that a capture just deployed already
    shows Started (we show Started at once when enabled, Stopped when disabled)."""
    enabled = bool(config.get("EnableCapture", True))
    summary: JsonDict = {
        "EnableCapture": enabled,
        "CaptureStatus": "Started" if enabled else "Stopped",
        "CurrentSamplingPercentage": config["InitialSamplingPercentage"],
        "DestinationS3Uri": config["DestinationS3Uri"],
        # KmsKeyId is a required member of DataCaptureConfigSummary (botocore; API reference
        # "Required: Yes"), so SageMaker always sends one. UNVERIFIED: what it sends when
        # the capture names no key — we answer an empty string (the member's pattern and
        # length allow it).
        "KmsKeyId": config.get("KmsKeyId", ""),
    }
    return summary


def _deploy(
    ctx: Context,
    endpoint: Endpoint,
    config: EndpointConfig,
    retain: bool,
    excluded: frozenset[str] = frozenset(),
) -> None:
    """The endpoint now runs `config`: its variant summaries and what it took from it."""
    previous = endpoint.variants if retain else None
    previous_shadow = endpoint.shadow_variants if retain else None
    endpoint.config_name = config.name
    endpoint.variants = _variant_summaries(
        ctx, config.request["ProductionVariants"], previous, excluded
    )
    endpoint.shadow_variants = _variant_summaries(
        ctx, config.request.get("ShadowProductionVariants", []), previous_shadow, excluded
    )
    endpoint.instance_types = {
        v["VariantName"]: v["InstanceType"]
        for v in config.request["ProductionVariants"]
        if "InstanceType" in v
    }
    endpoint.variant_models = {
        v["VariantName"]: v["ModelName"]
        for v in config.request["ProductionVariants"]
        if "ModelName" in v
    }
    deployed: JsonDict = {}
    if "DataCaptureConfig" in config.request:
        deployed["DataCaptureConfig"] = _data_capture_summary(config.request["DataCaptureConfig"])
    for field in ("AsyncInferenceConfig", "ExplainerConfig"):
        if field in config.request:
            deployed[field] = config.request[field]
    if "MetricsConfig" in config.request:
        deployed["MetricsConfig"] = configs.described_metrics_config(
            config.request["MetricsConfig"]
        )
    endpoint.deployed = deployed


def _check_models_exist(ctx: Context, config: EndpointConfig) -> None:
    """SageMaker resolves the config's models when it deploys: a deleted one fails."""
    variants = config.request["ProductionVariants"] + config.request.get(
        "ShadowProductionVariants", []
    )
    for variant in variants:
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
            _deploy(ctx, endpoint, config, retain=False)

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
    # While Creating there are no variant summaries yet (ACK's recorded answer
    # creating_after_create.json: "ProductionVariants": null).
    if endpoint.variants:
        response["ProductionVariants"] = copy.deepcopy(endpoint.variants)
    if endpoint.shadow_variants:
        response["ShadowProductionVariants"] = copy.deepcopy(endpoint.shadow_variants)
    if endpoint.failure_reason:
        response["FailureReason"] = endpoint.failure_reason
    if endpoint.last_deployment_config:
        response["LastDeploymentConfig"] = endpoint.last_deployment_config
    if endpoint.pending_config_name is not None:
        pending: JsonDict = {
            "EndpointConfigName": endpoint.pending_config_name,
            "StartTime": endpoint.pending_since,
        }
        if endpoint.pending_variants:
            pending["ProductionVariants"] = copy.deepcopy(endpoint.pending_variants)
        if endpoint.pending_shadow_variants:
            pending["ShadowProductionVariants"] = copy.deepcopy(endpoint.pending_shadow_variants)
        response["PendingDeploymentSummary"] = pending
    response.update(copy.deepcopy(endpoint.deployed))
    return server_fields.finish(ctx, "Endpoint", response)


def _check_scalable_targets(ctx: Context, endpoint: Endpoint, config: EndpointConfig) -> None:
    """ "If the update would change the instance type for any model that is a target for
    auto scaling, the update fails"; removing such a variant needs a deregister first too;
    "If you change the model for a variant that is configured for auto scaling, Amazon
    SageMaker AI auto scaling allows the update." (SM DG "Update endpoints that use auto
    scaling", endpoint-scaling-update.html). The ValidationException's message is OURS:
    AWS's wording is UNVERIFIED."""
    new = {v["VariantName"]: v for v in config.request["ProductionVariants"]}
    for variant, target in sorted(
        autoscaling_targets.targets_of_endpoint(ctx, endpoint.name).items()
    ):
        if variant not in new:
            raise validation(
                f'Cannot update endpoint "{endpoint.arn}": the update removes variant {variant}, '
                f"which is registered as a scalable target ({target.resource_id}). Deregister the "
                "scalable target before updating the endpoint."
            )
        before = endpoint.instance_types.get(variant)
        after = new[variant].get("InstanceType")
        if before is not None and before != after:
            raise validation(
                f'Cannot update endpoint "{endpoint.arn}": the update changes the instance type of '
                f"variant {variant} from {before} to {after}, and the variant is registered as a "
                f"scalable target ({target.resource_id}). Deregister the scalable target before "
                "updating the endpoint."
            )


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
    _check_scalable_targets(ctx, endpoint, config)
    retain = bool(request.get("RetainAllVariantProperties"))
    excluded = frozenset(
        p["VariantPropertyType"] for p in request.get("ExcludeRetainedVariantProperties") or []
    )
    deployment = request.get("DeploymentConfig")
    if deployment is None and request.get("RetainDeploymentConfig"):
        deployment = endpoint.last_deployment_config
    failure = ctx.control.take_failure("Endpoint", endpoint.name)
    endpoint.pending_config_name = config.name
    endpoint.pending_since = utcnow()
    endpoint.pending_variants = _pending_summaries(ctx, config.request["ProductionVariants"])
    endpoint.pending_shadow_variants = _pending_summaries(
        ctx, config.request.get("ShadowProductionVariants", [])
    )
    endpoint.touch()

    def finish() -> None:
        endpoint.pending_config_name = endpoint.pending_since = None
        endpoint.pending_variants, endpoint.pending_shadow_variants = [], []
        endpoint.status = "InService"
        endpoint.touch()
        endpoint.last_deployment_config = deployment
        if failure is not None:
            # Rolled back: still on the old config, and the reason says why.
            endpoint.failure_reason = failure
            return
        endpoint.failure_reason = None
        _deploy(ctx, endpoint, config, retain, excluded)

    begin(endpoint, "Updating", finish, ctx.transitions)
    return {"EndpointArn": endpoint.arn}


@operation("UpdateEndpointWeightsAndCapacities")
def update_weights_and_capacities(ctx: Context, request: JsonDict) -> JsonDict:
    """Change the weight and capacity of running variants without a new config.

    Per the API reference (API_UpdateEndpointWeightsAndCapacities.html): the endpoint goes
    Updating, then InService; "you cannot call UpdateEndpoint" on it meanwhile — the
    in-progress rule. The Desired* values show at once, the Current* ones follow when the
    update ends; the variant shows VariantStatus Updating meanwhile (botocore
    ProductionVariantStatus: "Updating: Updating capacity for the production variant").
    Messages for an unknown or repeated variant follow moto's
    (sagemaker/models.py update_endpoint_weights_and_capacities).
    """
    endpoint = find(ctx, request["EndpointName"])
    if is_busy(endpoint) or endpoint.status in ("Creating", "Updating", "Deleting"):
        raise _busy_error(endpoint)
    if endpoint.status != "InService":
        raise validation(
            f'Cannot update endpoint "{endpoint.arn}" in {endpoint.status} status: '
            "only an InService endpoint can change its weights and capacities."
        )
    by_name = {v["VariantName"]: v for v in endpoint.variants}
    seen: set[str] = set()
    for change in request["DesiredWeightsAndCapacities"]:
        name = change["VariantName"]
        if name in seen:
            raise validation(f'The variant name "{name}" was non-unique within the request.')
        seen.add(name)
        variant = by_name.get(name)
        if variant is None:
            raise validation(
                f'The variant name(s) "{name}" is/are not present within endpoint '
                f'configuration "{endpoint.config_name}".'
            )
        serverless = "CurrentServerlessConfig" in variant
        # Our own rule (UNVERIFIED wording and existence on AWS): a serverless variant has
        # no instance count, an instance-based one no serverless concurrency.
        if serverless and "DesiredInstanceCount" in change:
            raise validation(
                f"Variant {name} is serverless: update its ServerlessUpdateConfig, not "
                "DesiredInstanceCount."
            )
        if not serverless and "ServerlessUpdateConfig" in change:
            raise validation(
                f"Variant {name} is not serverless: ServerlessUpdateConfig does not apply."
            )
    failure = ctx.control.take_failure("Endpoint", endpoint.name)
    before = copy.deepcopy(endpoint.variants)
    now = utcnow()
    for change in request["DesiredWeightsAndCapacities"]:
        variant = by_name[change["VariantName"]]
        if "DesiredWeight" in change:
            variant["DesiredWeight"] = float(change["DesiredWeight"])
        if "DesiredInstanceCount" in change:
            variant["DesiredInstanceCount"] = change["DesiredInstanceCount"]
        if "ServerlessUpdateConfig" in change:
            variant["DesiredServerlessConfig"] = {
                **variant["DesiredServerlessConfig"],
                **change["ServerlessUpdateConfig"],
            }
        variant["VariantStatus"] = [
            {
                "Status": "Updating",
                "StatusMessage": "Updating the weight and capacity of the production variant.",
                "StartTime": now,
            }
        ]
    endpoint.touch()

    def finish() -> None:
        endpoint.status = "InService"
        endpoint.touch()
        if failure is not None:
            # Rolled back: the variants as they were, and the reason says why.
            endpoint.failure_reason = failure
            endpoint.variants = before
            return
        endpoint.failure_reason = None
        for variant in endpoint.variants:
            variant.pop("VariantStatus", None)
            variant["CurrentWeight"] = variant["DesiredWeight"]
            if "DesiredInstanceCount" in variant:
                variant["CurrentInstanceCount"] = variant["DesiredInstanceCount"]
            if "DesiredServerlessConfig" in variant:
                variant["CurrentServerlessConfig"] = dict(variant["DesiredServerlessConfig"])

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

    # "If you delete an endpoint, Application Auto Scaling checks to see whether any of the
    # models on that endpoint are targets for automatic scaling. If any are ...,
    # Application Auto Scaling deregisters those models as scalable targets without
    # notifying you." (SM DG endpoint-delete-with-scaling.html). Done when the delete is
    # accepted (UNVERIFIED: whether AWS does it at once or when the endpoint is gone).
    autoscaling_targets.deregister_resource(ctx, "variant", endpoint.name)

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
