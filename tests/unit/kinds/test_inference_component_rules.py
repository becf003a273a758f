"""InferenceComponent's rules (reconciler.kinds.inference_component_rules): within one IC,
against the endpoint and config it names, among adapters; and its capacity preflight."""

from __future__ import annotations

from typing import Any

from reconciler.kinds import KINDS
from reconciler.kinds.capacity import check_capacity
from reconciler.kinds.inference_component_rules import (
    adapter_problems,
    endpoint_problems,
    inference_component_problems,
)
from reconciler.manifests import ManifestIndex
from reconciler.resources import Kind, Manifest
from tests.unit.kinds.rules_support import fields, manifest

ROLE = "arn:aws:iam::123456789012:role/SageMakerExecution"
COMPUTE = {"MinMemoryRequiredInMb": 1024}


def model_ic(name: str = "ic", endpoint: str = "ep", **spec: Any) -> Manifest:
    specification = {"ModelName": "m", "ComputeResourceRequirements": COMPUTE}
    body = {
        "EndpointName": endpoint,
        "Specification": specification,
        "RuntimeConfig": {"CopyCount": 1},
    }
    return manifest(Kind.INFERENCE_COMPONENT, name, {**body, **spec})


def adapter(name: str, base: str, endpoint: str = "ep", **spec: Any) -> Manifest:
    body = {"EndpointName": endpoint, "Specification": {"BaseInferenceComponentName": base}}
    return manifest(Kind.INFERENCE_COMPONENT, name, {**body, **spec})


def hosting(*variants: dict[str, Any], config_name: str = "cfg") -> list[Manifest]:
    """An Endpoint `ep` on the config `config_name` with these production variants."""
    config_spec = {"ExecutionRoleArn": ROLE, "ProductionVariants": list(variants)}
    return [
        manifest(Kind.ENDPOINT_CONFIG, config_name, config_spec),
        manifest(Kind.ENDPOINT, "ep", {"EndpointConfigName": config_name}),
    ]


# -- within one IC --------------------------------------------------------------------------


def test_a_model_ic_and_an_adapter_pass() -> None:
    assert inference_component_problems(model_ic()) == []
    assert inference_component_problems(adapter("a", base="ic")) == []


def test_specification_and_specifications_exclude_each_other() -> None:
    both = model_ic(Specifications=[{"ModelName": "m", "ComputeResourceRequirements": COMPUTE}])
    [problem] = inference_component_problems(both)
    assert problem.field == "spec.Specifications"
    assert "not both" in problem.message


def test_a_model_ic_needs_a_model_compute_and_copies() -> None:
    bare = manifest(Kind.INFERENCE_COMPONENT, "ic", {"EndpointName": "ep", "Specification": {}})
    assert fields(inference_component_problems(bare)) == [
        "spec.Specification.ModelName",
        "spec.Specification.ComputeResourceRequirements",
        "spec.RuntimeConfig",
    ]


def test_an_adapter_gives_no_compute_copies_or_variant() -> None:
    spec = {"BaseInferenceComponentName": "ic", "ComputeResourceRequirements": COMPUTE}
    wrong = adapter(
        "a", base="ic", Specification=spec, RuntimeConfig={"CopyCount": 1}, VariantName="v"
    )
    assert fields(inference_component_problems(wrong)) == [
        "spec.Specification.ComputeResourceRequirements",
        "spec.RuntimeConfig",
        "spec.VariantName",
    ]


# -- against its endpoint's config ----------------------------------------------------------


def test_an_ic_on_a_declared_ic_variant_passes() -> None:
    ic = model_ic(VariantName="AllTraffic")
    index = ManifestIndex([*hosting({"VariantName": "AllTraffic"}), ic])
    assert endpoint_problems(ic, index) == []


def test_an_ic_naming_a_variant_its_config_lacks_is_refused() -> None:
    ic = model_ic(VariantName="Blue")
    index = ManifestIndex([*hosting({"VariantName": "AllTraffic"}), ic])
    [problem] = endpoint_problems(ic, index)
    assert problem.field == "spec.VariantName"
    assert problem.message == (
        "Endpoint/ep runs EndpointConfig/cfg, which has no variant 'Blue' (its variants: AllTraffic)"
    )


def test_an_ic_on_a_model_endpoint_is_refused_at_its_endpoint_name() -> None:
    ic = model_ic()
    index = ManifestIndex([*hosting({"VariantName": "AllTraffic", "ModelName": "m"}), ic])
    [problem] = endpoint_problems(ic, index)
    assert problem.field == "spec.EndpointName"
    assert problem.message.startswith("Endpoint/ep cannot host inference components")


def test_an_ic_on_an_endpoint_in_the_account_is_left_to_plan() -> None:
    ic = model_ic(VariantName="Blue")
    assert endpoint_problems(ic, ManifestIndex([ic])) == []


# -- among adapters ---------------------------------------------------------------------------


def test_an_adapter_on_its_bases_endpoint_passes() -> None:
    manifests = [model_ic("base"), adapter("a", base="base")]
    assert adapter_problems(manifests, ManifestIndex(manifests)) == []


def test_an_adapter_naming_itself_is_refused() -> None:
    manifests = [adapter("a", base="a")]
    [problem] = adapter_problems(manifests, ManifestIndex(manifests))
    assert problem.field == "spec.Specification.BaseInferenceComponentName"
    assert problem.message.startswith("names InferenceComponent/a itself as its base")


def test_a_cycle_of_adapters_is_refused_at_each() -> None:
    manifests = [adapter("a", base="b"), adapter("b", base="a")]
    problems = adapter_problems(manifests, ManifestIndex(manifests))
    assert [p.address for p in problems] == ["InferenceComponent/a", "InferenceComponent/b"]
    assert all("reference cycle among adapter inference components" in p.message for p in problems)


def test_an_adapter_as_base_or_on_another_endpoint_is_refused() -> None:
    manifests = [
        model_ic("base"),
        adapter("a", base="base"),
        adapter("b", base="a", endpoint="other"),
    ]
    problems = adapter_problems(manifests, ManifestIndex(manifests))
    assert [(p.address, p.message.split(":")[0]) for p in problems] == [
        ("InferenceComponent/b", "InferenceComponent/a is an adapter and cannot be a base"),
        ("InferenceComponent/b", "InferenceComponent/a runs on endpoint 'ep', not on 'other'"),
    ]


# -- what the kind declares -------------------------------------------------------------------


def test_the_inference_component_kind_declares_its_rules_and_the_capacity_preflight() -> None:
    rules = KINDS[Kind.INFERENCE_COMPONENT].rules
    assert rules.document is inference_component_problems
    assert rules.across is endpoint_problems
    assert rules.fleet is adapter_problems
    assert rules.preflight is check_capacity
