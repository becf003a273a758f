"""InferenceComponent: a model packed on an endpoint's variant with its own resources and
copy count. EndpointName and VariantName are create-only.

Describe answers in its own shape — ``RuntimeConfig.DesiredCopyCount``/``CurrentCopyCount``
instead of ``CopyCount`` and ``Container.DeployedImage`` instead of ``Container.Image`` —
so :func:`live_spec` maps it back to the Create request before comparing.
"""

from __future__ import annotations

import copy

from reconciler.diff import FieldChange
from reconciler.gateway import Gateway
from reconciler.kinds import inference_component_rules
from reconciler.kinds.api import KindApi, Revert, UpdateCall
from reconciler.kinds.base import KindInfo, Reference, UpdatePlan
from reconciler.kinds.endpoint import without_auto_rollback
from reconciler.resources import JsonDict, Kind

TRANSITIONAL = ("Creating", "Updating", "Deleting")
COPY_COUNT = "RuntimeConfig.CopyCount"


def _specification(summary: JsonDict) -> JsonDict:
    spec = copy.deepcopy(summary)
    container = spec.get("Container")
    if isinstance(container, dict) and "DeployedImage" in container:
        deployed = container.pop("DeployedImage") or {}
        if "SpecifiedImage" in deployed:
            container["Image"] = deployed["SpecifiedImage"]
    return spec


def live_spec(description: JsonDict) -> JsonDict:
    spec: JsonDict = {
        "EndpointName": description["EndpointName"],
        "VariantName": description["VariantName"],
    }
    if "Specification" in description:
        spec["Specification"] = _specification(description["Specification"])
    if "Specifications" in description:
        spec["Specifications"] = [_specification(s) for s in description["Specifications"]]
    runtime = description.get("RuntimeConfig")
    if runtime is not None and "DesiredCopyCount" in runtime:
        spec["RuntimeConfig"] = {"CopyCount": runtime["DesiredCopyCount"]}
    return spec


def scaled_count(description: JsonDict, path: str) -> tuple[str, int | None] | None:
    """The copy count a scalable target scales, as the account has it now: the
    ``DesiredCopyCount`` the scaler last set (DescribeInferenceComponent RuntimeConfig;
    ``CurrentCopyCount`` trails it while copies start)."""
    if path != COPY_COUNT:
        return None
    runtime = description.get("RuntimeConfig")
    count = runtime.get("DesiredCopyCount") if isinstance(runtime, dict) else None
    return "copies", count if isinstance(count, int) else None


def _of_an_adapter(value: object, specification: JsonDict, spec: JsonDict) -> bool:
    """An adapter "uses the compute resources of the base inference component" and names
    none (botocore InferenceComponentSpecification.ComputeResourceRequirements: "Omit this
    parameter if your request is meant to create an adapter inference component"), so
    what Describe shows there is its base's."""
    return bool(specification.get("BaseInferenceComponentName"))


def _variant_of_an_adapter(value: object, holder: JsonDict, spec: JsonDict) -> bool:
    """An adapter lives on its base's variant and names none (AWS's adapter examples call
    CreateInferenceComponent without VariantName; issue 12 records AWS refusing one):
    the VariantName Describe answers is inherited."""
    specification = spec.get("Specification")
    return isinstance(specification, dict) and _of_an_adapter(value, specification, spec)


# What DescribeInferenceComponent answers for fields the creator left out, so export leaves
# them out: DataCacheConfig {EnableCaching: true} (issue 12 records AWS answering it on
# accelerator instances; the API reference documents no default — unverified, and on a CPU
# instance a declared EnableCaching true is dropped too), empty StartupParameters, a
# container metrics endpoint's publish frequency 60 (botocore MetricsEndpoint
# "Defaults to 60"), and what an adapter inherits from its base.
_SPECIFICATION_DEFAULTS: dict[str, object] = {
    "DataCacheConfig": {"EnableCaching": True},
    "StartupParameters": {},
    "ComputeResourceRequirements": _of_an_adapter,
    "Container.Environment": {},
    "Container.ContainerMetricsConfig.MetricsEndpoints[*].MetricPublishFrequencyInSeconds": 60,
}
SERVER_DEFAULTS: dict[str, object] = {
    "VariantName": _variant_of_an_adapter,
    **{f"Specification.{k}": v for k, v in _SPECIFICATION_DEFAULTS.items()},
    **{f"Specifications[*].{k}": v for k, v in _SPECIFICATION_DEFAULTS.items()},
}


def plan_update(diff: list[FieldChange]) -> UpdatePlan:
    """Only the copy count changed: UpdateInferenceComponentRuntimeConfig (no redeploy);
    anything in the specification: UpdateInferenceComponent (a rolling redeploy, with the
    manifest's DeploymentConfig)."""
    if all(c.path == COPY_COUNT for c in diff):
        return UpdatePlan(["UpdateInferenceComponentRuntimeConfig"], f"{COPY_COUNT} changed")
    changed = ", ".join(sorted({c.path.split(".")[0] for c in diff}))
    return UpdatePlan(["UpdateInferenceComponent"], f"{changed} changed")


INFO = KindInfo(
    kind=Kind.INFERENCE_COMPONENT,
    name_field="InferenceComponentName",
    create_operation="CreateInferenceComponent",
    status_key="InferenceComponentStatus",
    transitional=TRANSITIONAL,
    change_markers=("LastModifiedTime", "InferenceComponentStatus"),
    timeout=3600.0,
    plan_update=plan_update,
    arn_resource_type="inference-component",
    update_only={"DeploymentConfig": ("UpdateInferenceComponent", "DeploymentConfig")},
    references=(
        Reference(("EndpointName",), Kind.ENDPOINT),
        Reference(("Specification", "ModelName"), Kind.MODEL),
        Reference(("Specification", "BaseInferenceComponentName"), Kind.INFERENCE_COMPONENT),
        Reference(("Specifications", "*", "ModelName"), Kind.MODEL),
        Reference(("Specifications", "*", "BaseInferenceComponentName"), Kind.INFERENCE_COMPONENT),
    ),
    # UpdateInferenceComponent takes Specification(s), RuntimeConfig and DeploymentConfig
    # but not EndpointName or VariantName (botocore sagemaker service-2.json, the
    # UpdateInferenceComponentInput shape); terraform-provider-aws
    # aws_sagemaker_inference_component marks endpoint_name and variant_name ForceNew.
    # (CloudFormation's AWS::SageMaker::InferenceComponent schema lists no
    # createOnlyProperties at all; unverified how it moves a component.)
    create_only=("EndpointName", "VariantName"),
    live_spec=live_spec,
    server_defaults=SERVER_DEFAULTS,
    rules=inference_component_rules.RULES,
    scaled_count=scaled_count,
    # An inference component is invoked through its endpoint with InferenceComponentName
    # (InvokeEndpoint API reference, botocore sagemaker-runtime InvokeEndpointInput).
    invoked_as=lambda name, spec: {
        "EndpointName": spec["EndpointName"],
        "InferenceComponentName": name,
    },
)


class InferenceComponentApi(KindApi):
    def update(self, aws: Gateway, name: str, call: UpdateCall) -> None:
        spec, ignore = call.spec, call.ignore
        if call.operation == "UpdateInferenceComponentRuntimeConfig":
            self.call(
                aws,
                call.operation,
                InferenceComponentName=name,
                DesiredRuntimeConfig={"CopyCount": spec["RuntimeConfig"]["CopyCount"]},
            )
            return
        request: JsonDict = {
            k: spec[k] for k in ("Specification", "Specifications", "DeploymentConfig") if k in spec
        }
        # A copy count owned by autoscaling (ignore-differences) is not reset by our update.
        if "RuntimeConfig" in spec and COPY_COUNT not in ignore and "RuntimeConfig" not in ignore:
            request["RuntimeConfig"] = spec["RuntimeConfig"]
        self.call(aws, "UpdateInferenceComponent", InferenceComponentName=name, **request)

    def revert(self, aws: Gateway, name: str, before: JsonDict, call: UpdateCall) -> Revert | None:
        # What the update changed goes back to what was live before this apply: the copy
        # count with UpdateInferenceComponentRuntimeConfig (no redeploy) after a count
        # change; the Specification(s) with UpdateInferenceComponent (their model still
        # exists: retirement waits for the checks), deployed as the update was, and the
        # count with them when that update changed it too. A count owned by a scaler
        # (ignore-differences) is never touched.
        previous = live_spec(before)
        models = ", ".join(_models_of(previous)) or name
        owned = COPY_COUNT not in call.ignore and "RuntimeConfig" not in call.ignore
        count = (previous.get("RuntimeConfig") or {}).get("CopyCount")
        asked = (call.spec.get("RuntimeConfig") or {}).get("CopyCount")
        count_back = owned and isinstance(count, int) and asked != count
        if call.operation == "UpdateInferenceComponentRuntimeConfig":
            if not count_back:
                return None  # nothing it changed may be undone
            self.call(
                aws,
                call.operation,
                InferenceComponentName=name,
                DesiredRuntimeConfig={"CopyCount": count},
            )
            return Revert(
                call.operation, models, {"RuntimeConfig": {"CopyCount": count}}, f"{count} copies"
            )
        if call.operation != "UpdateInferenceComponent":
            return None
        back: JsonDict = {
            k: previous[k] for k in ("Specification", "Specifications") if k in previous
        }
        request: JsonDict = dict(back)
        deployment = without_auto_rollback(call.spec.get("DeploymentConfig"))
        if deployment is not None:
            request["DeploymentConfig"] = deployment
        summary = f"model {models}"
        if count_back and "RuntimeConfig" in call.spec:
            back["RuntimeConfig"] = request["RuntimeConfig"] = {"CopyCount": count}
            summary += f" and {count} copies"
        self.call(aws, "UpdateInferenceComponent", InferenceComponentName=name, **request)
        return Revert("UpdateInferenceComponent", models, back, summary)


def _models_of(spec: JsonDict) -> list[str]:
    """The models a component's specification(s) name."""
    specifications = [spec.get("Specification"), *(spec.get("Specifications") or [])]
    return [
        str(s["ModelName"]) for s in specifications if isinstance(s, dict) and s.get("ModelName")
    ]


API = InferenceComponentApi(INFO)
