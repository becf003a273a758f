"""EndpointConfig's rules (reconciler.kinds.endpoint_config_rules): variant names, shadow
variants, model and IC-hosting variants, serverless variants, the role for ICs."""

from __future__ import annotations

from typing import Any

from reconciler.kinds import KINDS
from reconciler.kinds.endpoint_config_rules import endpoint_config_problems
from reconciler.resources import Kind, Manifest
from tests.unit.kinds.rules_support import fields, manifest

ROLE = "arn:aws:iam::123456789012:role/SageMakerExecution"


def variant(name: str = "AllTraffic", **extra: Any) -> dict[str, Any]:
    return {"VariantName": name, "InstanceType": "ml.m5.large", "InitialInstanceCount": 1, **extra}


def config(**spec: Any) -> Manifest:
    return manifest(Kind.ENDPOINT_CONFIG, "cfg", spec)


def test_a_model_config_and_an_ic_config_with_its_role_pass() -> None:
    assert endpoint_config_problems(config(ProductionVariants=[variant(ModelName="m")])) == []
    ic_config = config(ExecutionRoleArn=ROLE, ProductionVariants=[variant()])
    assert endpoint_config_problems(ic_config) == []


def test_a_config_for_ics_without_a_role_is_refused_at_its_first_ic_variant() -> None:
    [problem] = endpoint_config_problems(config(ProductionVariants=[variant()]))
    assert problem.field == "spec.ProductionVariants[0]"
    assert "needs spec.ExecutionRoleArn" in problem.message


def test_variant_names_are_unique_across_production_and_shadow_ignoring_case() -> None:
    spec = config(
        ProductionVariants=[variant("Blue", ModelName="m")],
        ShadowProductionVariants=[variant("blue", ModelName="m")],
    )
    [problem] = endpoint_config_problems(spec)
    assert problem.field == "spec.ShadowProductionVariants[0].VariantName"
    assert "already used by ProductionVariants[0] as 'Blue'" in problem.message


def test_a_shadow_config_has_one_production_variant() -> None:
    spec = config(
        ProductionVariants=[variant("a", ModelName="m"), variant("b", ModelName="m")],
        ShadowProductionVariants=[variant("c", ModelName="m")],
    )
    [problem] = endpoint_config_problems(spec)
    assert problem.field == "spec.ProductionVariants"
    assert problem.message.startswith("has 2 variants; a config with ShadowProductionVariants")


def test_model_and_ic_variants_do_not_mix() -> None:
    spec = config(
        ExecutionRoleArn=ROLE, ProductionVariants=[variant("a", ModelName="m"), variant("b")]
    )
    [problem] = endpoint_config_problems(spec)
    assert problem.field == "spec.ProductionVariants[1]"
    assert problem.message.startswith("has no ModelName but ProductionVariants[0] has one")


def test_a_serverless_variant_takes_no_instances_and_memory_in_1_gb_steps() -> None:
    serverless = {"MemorySizeInMB": 1500, "MaxConcurrency": 2, "ProvisionedConcurrency": 3}
    spec = config(ProductionVariants=[variant(ModelName="m", ServerlessConfig=serverless)])
    assert fields(endpoint_config_problems(spec)) == [
        "spec.ProductionVariants[0].InstanceType",
        "spec.ProductionVariants[0].InitialInstanceCount",
        "spec.ProductionVariants[0].ServerlessConfig.MemorySizeInMB",
        "spec.ProductionVariants[0].ServerlessConfig.ProvisionedConcurrency",
    ]


def test_a_serverless_config_takes_no_data_capture() -> None:
    serverless = {
        "VariantName": "s",
        "ModelName": "m",
        "ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 1},
    }
    spec = config(
        ProductionVariants=[serverless], DataCaptureConfig={"InitialSamplingPercentage": 5}
    )
    [problem] = endpoint_config_problems(spec)
    assert problem.field == "spec.DataCaptureConfig"
    assert problem.message == "is not supported with serverless variants (ProductionVariants[0])"


def test_managed_instance_scaling_is_for_ic_variants() -> None:
    scaling = {"Status": "ENABLED", "MinInstanceCount": 1, "MaxInstanceCount": 2}
    spec = config(ProductionVariants=[variant(ModelName="m", ManagedInstanceScaling=scaling)])
    [problem] = endpoint_config_problems(spec)
    assert problem.field == "spec.ProductionVariants[0].ManagedInstanceScaling"
    with_ics = config(
        ExecutionRoleArn=ROLE, ProductionVariants=[variant(ManagedInstanceScaling=scaling)]
    )
    assert endpoint_config_problems(with_ics) == []


def test_the_endpoint_config_kind_declares_its_rule() -> None:
    assert KINDS[Kind.ENDPOINT_CONFIG].rules.document is endpoint_config_problems
