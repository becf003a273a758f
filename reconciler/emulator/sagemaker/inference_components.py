"""The six inference-component operations (moto has none of them).

CreateInferenceComponent, DescribeInferenceComponent, UpdateInferenceComponent,
UpdateInferenceComponentRuntimeConfig, DeleteInferenceComponent, ListInferenceComponents.

Rules enforced as SageMaker does: the endpoint must exist and be InService, and run a
config whose variants host inference components (no ModelName); the variant must be one
of that config's; the model (or base component) must exist; exactly one of Specification
and Specifications; updates only when InService; deletes refused while Creating or
Updating; a base component cannot be deleted while adapters reference it; an adapter takes
no VariantName (it lives where its base lives). Describe answers in its own shape:
``RuntimeConfig.DesiredCopyCount``/``CurrentCopyCount`` and ``Container.DeployedImage``
instead of what was sent, plus what SageMaker fills in (see :func:`_summary_of_spec`).
"""

from __future__ import annotations

import copy
import re
from typing import Any

from reconciler.emulator.autoscaling import targets as autoscaling_targets
from reconciler.emulator.errors import already_exists, could_not_find, validation
from reconciler.emulator.lifecycle import begin, is_busy, settle
from reconciler.emulator.sagemaker import Context, endpoints, operation, server_fields, tags
from reconciler.emulator.sagemaker import endpoint_configs as configs
from reconciler.emulator.sagemaker.listing import filter_common, list_response
from reconciler.emulator.sagemaker.models import (
    check_container_metrics,
    described_container_metrics,
)
from reconciler.emulator.state import InferenceComponent

JsonDict = dict[str, Any]

NOT_SUPPORTED = (
    "Invalid request provided: Inference Components are not supported in this Endpoint. "
    "Please make sure this endpoint can deploy inference components."
)


def find(ctx: Context, name: str, *, described: bool = False) -> InferenceComponent:
    component = ctx.state.inference_components.get(name)
    if component is not None:
        settle(component, described=described)
    if component is None or ctx.state.inference_components.get(name) is None:
        raise could_not_find("inference component", ctx.state.arn("inference-component", name))
    return component


def _check_specification(
    ctx: Context, component_name: str, endpoint_name: str, spec: JsonDict
) -> None:
    check_container_metrics(spec.get("Container") or {}, "Specification.Container")
    model = spec.get("ModelName")
    if model is not None and ctx.state.models.get(model) is None:
        raise could_not_find("model", ctx.state.arn("model", model))
    base_name = spec.get("BaseInferenceComponentName")
    if base_name is not None:
        base = ctx.state.inference_components.get(base_name)
        if base is None:
            raise could_not_find(
                "inference component", ctx.state.arn("inference-component", base_name)
            )
        if base.endpoint_name.lower() != endpoint_name.lower():
            raise validation(
                f"Base inference component {base_name} is hosted on endpoint {base.endpoint_name}, "
                f"not on {endpoint_name}."
            )
        if base.request.get("Specification", {}).get("BaseInferenceComponentName"):
            raise validation(f"Inference component {base_name} is an adapter and cannot be a base.")
    elif model is None and "Container" not in spec:
        raise validation(
            f"Inference component {component_name} must specify a ModelName, a Container, or a "
            "BaseInferenceComponentName."
        )
    if base_name is None and "ComputeResourceRequirements" not in spec:
        raise validation(
            f"Inference component {component_name} must specify ComputeResourceRequirements."
        )


def _adapter_base(ctx: Context, request: JsonDict) -> InferenceComponent | None:
    """The base component of an adapter create request (None when not an adapter, or when
    the base does not exist: _check_specification reports that)."""
    single = request.get("Specification")
    if not isinstance(single, dict) or "BaseInferenceComponentName" not in single:
        return None
    return ctx.state.inference_components.get(single["BaseInferenceComponentName"])


def _specifications(request: JsonDict) -> list[JsonDict]:
    """The specification(s) of a request: exactly one of Specification / Specifications."""
    single: JsonDict | None = request.get("Specification")
    several: list[JsonDict] | None = request.get("Specifications")
    if (single is None) == (several is None):
        raise validation("Exactly one of Specification and Specifications must be provided.")
    return [single] if single is not None else list(several or [])


def _is_adapter(spec: JsonDict) -> bool:
    return "BaseInferenceComponentName" in spec


# Accelerated instance families (GPU: ml.g*, ml.p*; AWS Inferentia: ml.inf*; AWS Trainium:
# ml.trn*), as the instance-type enum of botocore's ProductionVariantInstanceType names them.
ACCELERATOR_INSTANCE = re.compile(r"^ml\.(g\d|p\d|inf\d|trn\d)")


def is_accelerator(instance_type: str) -> bool:
    return bool(ACCELERATOR_INSTANCE.match(instance_type))


def _summary_of_spec(
    ctx: Context, component: InferenceComponent, spec: JsonDict, when: Any
) -> JsonDict:
    """What Describe shows for a specification (InferenceComponentSpecificationSummary)."""
    summary = copy.deepcopy(spec)
    container = summary.get("Container")
    if container is not None and "Image" in container:
        container["DeployedImage"] = endpoints.deployed_image(container.pop("Image"), when)
    if container is not None and "ContainerMetricsConfig" in container:
        container["ContainerMetricsConfig"] = described_container_metrics(
            container["ContainerMetricsConfig"]
        )
    base_name = summary.get("BaseInferenceComponentName")
    base = ctx.state.inference_components.get(base_name) if base_name else None
    if base is not None:
        # An adapter "uses the compute resources of the base inference component"
        # (botocore InferenceComponentSpecification.ComputeResourceRequirements and
        # .BaseInferenceComponentName), and Describe shows the base's requirements on the
        # adapter (issue 12: "adapters inheriting their base's ComputeResourceRequirements").
        # UNVERIFIED against a recorded AWS answer.
        base_specs = _specs_of(base)
        if base_specs and "ComputeResourceRequirements" in base_specs[0]:
            summary.setdefault(
                "ComputeResourceRequirements",
                copy.deepcopy(base_specs[0]["ComputeResourceRequirements"]),
            )
    instance_type = summary.get("InstanceType") or component.instance_type
    if base_name is None and is_accelerator(instance_type):
        # SageMaker turns on model-data caching for components on accelerated instances
        # and answers Specification.DataCacheConfig {EnableCaching: true} although it was
        # not asked for. Source: issue 12 of this project ("AWS returns
        # Specification.DataCacheConfig: {EnableCaching: true} on accelerator instances");
        # the API reference (API_InferenceComponentDataCacheConfig.html) documents the
        # field but no default, and AWS's container-caching post (ML blog, 2026-06) says
        # caching "is supported for accelerator instance types". UNVERIFIED: which
        # instance families get it, and whether CPU instances answer EnableCaching false.
        summary.setdefault("DataCacheConfig", {"EnableCaching": True})
    return summary


@operation("CreateInferenceComponent")
def create_inference_component(ctx: Context, request: JsonDict) -> JsonDict:
    name = request["InferenceComponentName"]
    arn = ctx.state.arn("inference-component", name)
    if ctx.state.inference_components.get(name) is not None:
        raise already_exists("inference component", arn)
    endpoint = endpoints.find(ctx, request["EndpointName"])
    if endpoint.status != "InService":
        raise validation(
            f'Endpoint "{endpoint.arn}" is in {endpoint.status} status; inference components '
            "can be created only on an endpoint that is InService."
        )
    config = configs.find(ctx, endpoint.config_name)
    variants = [v["VariantName"] for v in config.request["ProductionVariants"]]
    variant = request.get("VariantName")
    adapter_base = _adapter_base(ctx, request)
    if adapter_base is not None:
        # An adapter is loaded by its base and lives on the base's variant, so it names
        # none. Source: issue 12 of this project ("Refuse what AWS refuses there too (e.g.
        # VariantName on an adapter"); AWS's adapter examples (ML blog "Easily deploy and
        # manage hundreds of LoRA adapters with SageMaker efficient multi-adapter
        # inference") call CreateInferenceComponent without VariantName. UNVERIFIED: the
        # wording of AWS's refusal.
        if variant is not None:
            raise validation(
                f"VariantName must not be specified for adapter inference component {name}: "
                f"it is hosted on the variant of its base inference component {adapter_base.name} "
                f"({adapter_base.variant_name})."
            )
        variant = adapter_base.variant_name
    elif variant is None:
        if len(variants) != 1:
            raise validation(
                f"VariantName is required: endpoint {endpoint.name} has variants {', '.join(variants)}."
            )
        variant = variants[0]
    elif variant not in variants:
        raise validation(
            f"Variant {variant} does not exist in endpoint {endpoint.name} "
            f"(its variants: {', '.join(variants)})."
        )
    if not configs.hosts_inference_components(config):
        raise validation(NOT_SUPPORTED)
    specs = _specifications(request)
    for spec in specs:
        _check_specification(ctx, name, endpoint.name, spec)
    runtime = request.get("RuntimeConfig")
    if runtime is None and not all(_is_adapter(s) for s in specs):
        raise validation(f"RuntimeConfig is required for inference component {name}.")
    if runtime is not None and all(_is_adapter(s) for s in specs):
        raise validation("RuntimeConfig cannot be specified for an adapter inference component.")
    tags.check(request.get("Tags"))

    component = InferenceComponent(
        name=name,
        arn=arn,
        request={k: v for k, v in request.items() if k not in ("InferenceComponentName", "Tags")},
        endpoint_name=endpoint.name,
        endpoint_arn=endpoint.arn,
        variant_name=variant,
        instance_type=next(
            (
                v.get("InstanceType", "")
                for v in config.request["ProductionVariants"]
                if v["VariantName"] == variant
            ),
            "",
        ),
        desired_copy_count=(runtime or {}).get("CopyCount", 0),
    )
    failure = ctx.control.take_failure("InferenceComponent", name)

    def finish() -> None:
        component.touch()
        if failure is not None:
            component.status, component.failure_reason = "Failed", failure
            return
        component.status = "InService"
        component.current_copy_count = component.desired_copy_count

    ctx.state.inference_components.add(component)
    tags.register(ctx, arn, request.get("Tags"))
    begin(component, "Creating", finish, ctx.transitions)
    return {"InferenceComponentArn": arn}


@operation("DescribeInferenceComponent")
def describe_inference_component(ctx: Context, request: JsonDict) -> JsonDict:
    component = find(ctx, request["InferenceComponentName"], described=True)
    response: JsonDict = {
        "InferenceComponentName": component.name,
        "InferenceComponentArn": component.arn,
        "EndpointName": component.endpoint_name,
        "EndpointArn": component.endpoint_arn,
        "VariantName": component.variant_name,
        "InferenceComponentStatus": component.status,
        "CreationTime": component.creation_time,
        "LastModifiedTime": component.last_modified_time,
    }
    when = component.creation_time
    if "Specification" in component.request:
        response["Specification"] = _summary_of_spec(
            ctx, component, component.request["Specification"], when
        )
    if "Specifications" in component.request:
        response["Specifications"] = [
            _summary_of_spec(ctx, component, s, when) for s in component.request["Specifications"]
        ]
    if "RuntimeConfig" in component.request:
        response["RuntimeConfig"] = {
            "DesiredCopyCount": component.desired_copy_count,
            "CurrentCopyCount": component.current_copy_count,
        }
    if component.failure_reason:
        response["FailureReason"] = component.failure_reason
    if component.last_deployment_config:
        response["LastDeploymentConfig"] = component.last_deployment_config
    return server_fields.finish(
        ctx, "InferenceComponent", response, instance_type=component.instance_type
    )


def _require_in_service(component: InferenceComponent) -> None:
    if is_busy(component) or component.status != "InService":
        raise validation(
            f'Inference component "{component.arn}" is in {component.status} status; '
            "it can be updated only when InService."
        )


@operation("UpdateInferenceComponent")
def update_inference_component(ctx: Context, request: JsonDict) -> JsonDict:
    component = find(ctx, request["InferenceComponentName"])
    _require_in_service(component)
    new_request = dict(component.request)
    if "Specification" in request or "Specifications" in request:
        specs = _specifications(request)
        for spec in specs:
            _check_specification(ctx, component.name, component.endpoint_name, spec)
        new_request.pop("Specification", None)
        new_request.pop("Specifications", None)
        new_request.update(
            {k: request[k] for k in ("Specification", "Specifications") if k in request}
        )
    if "RuntimeConfig" in request:
        new_request["RuntimeConfig"] = request["RuntimeConfig"]
    desired = new_request.get("RuntimeConfig", {}).get("CopyCount", component.desired_copy_count)
    old_desired = component.desired_copy_count
    failure = ctx.control.take_failure("InferenceComponent", component.name)
    deployment = request.get("DeploymentConfig")
    component.desired_copy_count = desired
    component.touch()

    def finish() -> None:
        component.status = "InService"
        component.touch()
        component.last_deployment_config = deployment
        if failure is not None:
            # Rolled back to what ran before, with the reason.
            component.failure_reason = failure
            component.desired_copy_count = old_desired
            return
        component.failure_reason = None
        component.request = new_request
        component.current_copy_count = desired

    begin(component, "Updating", finish, ctx.transitions)
    return {"InferenceComponentArn": component.arn}


@operation("UpdateInferenceComponentRuntimeConfig")
def update_runtime_config(ctx: Context, request: JsonDict) -> JsonDict:
    component = find(ctx, request["InferenceComponentName"])
    _require_in_service(component)
    if "RuntimeConfig" not in component.request:
        raise validation(
            f"Inference component {component.name} is an adapter; it has no runtime configuration."
        )
    desired = request["DesiredRuntimeConfig"]["CopyCount"]
    component.desired_copy_count = desired
    component.request = {
        **component.request,
        "RuntimeConfig": {**component.request["RuntimeConfig"], "CopyCount": desired},
    }
    component.touch()

    def finish() -> None:
        component.status = "InService"
        component.current_copy_count = desired
        component.touch()

    begin(component, "Updating", finish, ctx.transitions)
    return {"InferenceComponentArn": component.arn}


@operation("DeleteInferenceComponent")
def delete_inference_component(ctx: Context, request: JsonDict) -> JsonDict:
    component = find(ctx, request["InferenceComponentName"])
    if component.status == "Deleting":
        raise validation(f'Inference component "{component.arn}" is in DELETE_IN_PROGRESS state.')
    if is_busy(component):
        raise validation(
            f'Cannot delete inference component "{component.arn}" while it is {component.status}.'
        )
    adapters = sorted(
        ic.name
        for ic in ctx.state.inference_components
        if any(
            (s.get("BaseInferenceComponentName") or "").lower() == component.name.lower()
            for s in _specs_of(ic)
        )
    )
    if adapters:
        raise validation(
            f"Inference component {component.name} is a base inference component for "
            f"{', '.join(adapters)}; delete those adapter inference components first."
        )

    # UNVERIFIED: no AWS source says whether DeleteInferenceComponent deregisters the
    # component's scalable target (issue 14 research §4). The conservative choice mirrors
    # DeleteEndpoint (SM DG endpoint-delete-with-scaling.html): deregister it silently.
    autoscaling_targets.deregister_resource(ctx, "inference-component", component.name)

    def finish() -> None:
        ctx.state.inference_components.remove(component.name)
        tags.forget(ctx, component.arn)

    begin(component, "Deleting", finish, ctx.transitions)
    return {}


def _specs_of(component: InferenceComponent) -> list[JsonDict]:
    if "Specification" in component.request:
        return [component.request["Specification"]]
    return list(component.request.get("Specifications", []))


@operation("ListInferenceComponents")
def list_inference_components(ctx: Context, request: JsonDict) -> JsonDict:
    endpoint = request.get("EndpointNameEquals")
    variant = request.get("VariantNameEquals")
    items = [
        ic
        for ic in filter_common(ctx.state.inference_components, request)
        if ctx.state.inference_components.get(ic.name) is ic
        and (endpoint is None or ic.endpoint_name.lower() == endpoint.lower())
        and (variant is None or ic.variant_name == variant)
    ]
    return list_response(
        items,
        request,
        "InferenceComponents",
        lambda ic: {
            "CreationTime": ic.creation_time,
            "InferenceComponentArn": ic.arn,
            "InferenceComponentName": ic.name,
            "EndpointArn": ic.endpoint_arn,
            "EndpointName": ic.endpoint_name,
            "VariantName": ic.variant_name,
            "InferenceComponentStatus": ic.status,
            "LastModifiedTime": ic.last_modified_time,
        },
    )
