"""The SageMaker resources a scalable target scales, read and moved through the same state
DescribeInferenceComponent and DescribeEndpoint answer from.

ResourceId formats and dimensions (AAS model, RegisterScalableTargetRequest.ResourceId and
the ScalableDimension enum): ``endpoint/<endpoint>/variant/<variant>`` with
``sagemaker:variant:DesiredInstanceCount`` (instance-based variant) or
``sagemaker:variant:DesiredProvisionedConcurrency`` (serverless variant), and
``inference-component/<name>`` with ``sagemaker:inference-component:DesiredCopyCount``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from reconciler.emulator.errors import validation
from reconciler.emulator.lifecycle import is_busy, settle
from reconciler.emulator.state import Endpoint, InferenceComponent, RegionState

JsonDict = dict[str, Any]

COPY_COUNT = "sagemaker:inference-component:DesiredCopyCount"
INSTANCE_COUNT = "sagemaker:variant:DesiredInstanceCount"
PROVISIONED_CONCURRENCY = "sagemaker:variant:DesiredProvisionedConcurrency"
DIMENSIONS_BY_TYPE = {
    "inference-component": (COPY_COUNT,),
    "variant": (INSTANCE_COUNT, PROVISIONED_CONCURRENCY),
}
# AWS's wording is UNVERIFIED; this is moto's (applicationautoscaling/models.py
# _target_params_are_valid), also quoted from real use in getmoto/moto#3304.
UNSUPPORTED = "Unsupported service namespace, resource type or scalable dimension"

_VARIANT_ID = re.compile(r"^endpoint/(?P<endpoint>[^/]+)/variant/(?P<variant>[^/]+)$")
_IC_ID = re.compile(r"^inference-component/(?P<name>[^/]+)$")


@dataclass(frozen=True)
class Scaled:
    """What a ResourceId names: an inference component, or a variant of an endpoint."""

    kind: str  # "inference-component" | "variant"
    name: str  # the component's or the endpoint's name
    variant: str = ""


def parse(resource_id: str, dimension: str) -> Scaled:
    """The resource a (ResourceId, ScalableDimension) pair names; ValidationException when
    the id has no SageMaker form or the dimension does not fit its resource type."""
    match = _IC_ID.match(resource_id)
    if match:
        scaled = Scaled("inference-component", match["name"])
    elif match := _VARIANT_ID.match(resource_id):
        scaled = Scaled("variant", match["endpoint"], match["variant"])
    else:
        raise validation(UNSUPPORTED)
    if dimension not in DIMENSIONS_BY_TYPE[scaled.kind]:
        raise validation(UNSUPPORTED)
    return scaled


def _component(state: RegionState, name: str) -> InferenceComponent | None:
    component = state.inference_components.get(name)
    if component is not None:
        settle(component)
    return state.inference_components.get(name)


def _endpoint(state: RegionState, name: str) -> Endpoint | None:
    endpoint = state.endpoints.get(name)
    if endpoint is not None:
        settle(endpoint)
    return state.endpoints.get(name)


def _variant_names(state: RegionState, endpoint: Endpoint) -> dict[str, JsonDict]:
    """The production variants of the endpoint's current config, by name (from the
    deployed summaries; from the config while the endpoint is still Creating)."""
    if endpoint.variants:
        return {v["VariantName"]: v for v in endpoint.variants}
    config = state.endpoint_configs.get(endpoint.config_name)
    variants = config.request["ProductionVariants"] if config is not None else []
    return {v["VariantName"]: v for v in variants}


def check_exists(state: RegionState, scaled: Scaled, dimension: str) -> None:
    """RegisterScalableTarget refuses a SageMaker resource that does not exist with a
    ValidationException: the operation declares no ObjectNotFoundException (AAS model,
    RegisterScalableTarget errors). The messages are OURS (AWS's wording UNVERIFIED)."""
    if scaled.kind == "inference-component":
        if _component(state, scaled.name) is None:
            raise validation(f"Inference component {scaled.name} does not exist.")
        return
    endpoint = _endpoint(state, scaled.name)
    if endpoint is None:
        raise validation(f"Endpoint {scaled.name} does not exist.")
    variants = _variant_names(state, endpoint)
    variant = variants.get(scaled.variant)
    if variant is None:
        raise validation(
            f"Variant {scaled.variant} does not exist in endpoint {scaled.name} "
            f"(its variants: {', '.join(variants) or 'none'})."
        )
    serverless = "ServerlessConfig" in variant or "CurrentServerlessConfig" in variant
    # OUR rule, UNVERIFIED on AWS: the AAS model describes DesiredInstanceCount as "the
    # number of EC2 instances for a SageMaker model endpoint variant" and
    # DesiredProvisionedConcurrency as "the provisioned concurrency for a SageMaker
    # serverless endpoint", so each fits one kind of variant only.
    if serverless != (dimension == PROVISIONED_CONCURRENCY):
        raise validation(UNSUPPORTED)


def current_capacity(state: RegionState, scaled: Scaled, dimension: str) -> int | None:
    """The live capacity, or None when the resource is not active (not InService, or busy)."""
    if scaled.kind == "inference-component":
        component = _component(state, scaled.name)
        if component is None or component.status != "InService" or is_busy(component):
            return None
        if "RuntimeConfig" not in component.request:
            return None
        return component.desired_copy_count
    endpoint = _endpoint(state, scaled.name)
    if endpoint is None or endpoint.status != "InService" or is_busy(endpoint):
        return None
    summary = next((v for v in endpoint.variants if v["VariantName"] == scaled.variant), None)
    if summary is None:
        return None
    if dimension == PROVISIONED_CONCURRENCY:
        value = summary.get("DesiredServerlessConfig", {}).get("ProvisionedConcurrency")
        return int(value) if value is not None else None
    value = summary.get("DesiredInstanceCount")
    return int(value) if value is not None else None


def set_capacity(state: RegionState, scaled: Scaled, dimension: str, capacity: int) -> None:
    """Move the live capacity as the scaler does, at once (the emulator models no scaling
    delay): the IC's desired and current copy counts (RuntimeConfig in
    DescribeInferenceComponent, and the CopyCount a later update keeps), or the variant's
    desired and current instance count / provisioned concurrency in DescribeEndpoint."""
    if scaled.kind == "inference-component":
        component = _component(state, scaled.name)
        if component is None:
            return
        component.desired_copy_count = component.current_copy_count = capacity
        component.request = {
            **component.request,
            "RuntimeConfig": {**component.request.get("RuntimeConfig", {}), "CopyCount": capacity},
        }
        component.touch()
        return
    endpoint = _endpoint(state, scaled.name)
    if endpoint is None:
        return
    for summary in endpoint.variants:
        if summary["VariantName"] != scaled.variant:
            continue
        if dimension == PROVISIONED_CONCURRENCY:
            for field in ("DesiredServerlessConfig", "CurrentServerlessConfig"):
                if field in summary:
                    summary[field] = {**summary[field], "ProvisionedConcurrency": capacity}
        else:
            summary["DesiredInstanceCount"] = summary["CurrentInstanceCount"] = capacity
        endpoint.touch()
