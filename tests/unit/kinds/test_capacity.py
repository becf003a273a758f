"""Tests for reconciler.kinds.capacity: the packaged instance table and the preflight that says
when the inference components declared for an endpoint cannot fit on its instances."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.model import StringShape
from botocore.session import get_session

from reconciler.kinds.capacity import (
    InstanceCapacity,
    check_capacity,
    load_instance_types,
    unknown_instance_types,
)
from reconciler.resources import Annotations, Kind, Location, Manifest, Problem

CONFIG = "shared-gpu-config"
ENDPOINT = "shared-gpu"
COPY_COUNT = ("RuntimeConfig", "CopyCount")


def variant(
    name: str = "AllTraffic",
    instance_type: str = "ml.g5.12xlarge",
    count: int = 1,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "VariantName": name,
        "InstanceType": instance_type,
        "InitialInstanceCount": count,
        **extra,
    }


def config(*variants: dict[str, Any], name: str = CONFIG, line: int = 1) -> Manifest:
    spec = {"ProductionVariants": list(variants) or [variant()]}
    return Manifest(Kind.ENDPOINT_CONFIG, name, spec, Location("configs.yaml", line))


def endpoint(name: str = ENDPOINT, config_name: str = CONFIG, line: int = 1) -> Manifest:
    spec = {"EndpointConfigName": config_name}
    return Manifest(Kind.ENDPOINT, name, spec, Location("endpoints.yaml", line))


def component(
    name: str,
    *,
    line: int,
    copies: int = 1,
    accelerators: float | None = None,
    cpus: float | None = None,
    memory: int = 1024,
    endpoint_name: str = ENDPOINT,
    variant_name: str | None = "AllTraffic",
    base: str | None = None,
    autoscaled: bool = False,
) -> Manifest:
    """An IC written at `line` of ics.yaml; its CopyCount is on `line + 8`."""
    requirements: dict[str, Any] = {"MinMemoryRequiredInMb": memory}
    if accelerators is not None:
        requirements["NumberOfAcceleratorDevicesRequired"] = accelerators
    if cpus is not None:
        requirements["NumberOfCpuCoresRequired"] = cpus
    specification: dict[str, Any] = {"ModelName": f"{name}-model"}
    if base is not None:
        specification = {"BaseInferenceComponentName": base}
    else:
        specification["ComputeResourceRequirements"] = requirements
    spec: dict[str, Any] = {
        "EndpointName": endpoint_name,
        "Specification": specification,
        "RuntimeConfig": {"CopyCount": copies},
    }
    if variant_name is not None:
        spec["VariantName"] = variant_name
    ignored = ("RuntimeConfig.CopyCount",) if autoscaled else ()
    return Manifest(
        Kind.INFERENCE_COMPONENT,
        name,
        spec,
        Location("ics.yaml", line),
        annotations=Annotations(ignore_differences=ignored),
        lines={(): line + 4, ("RuntimeConfig",): line + 7, COPY_COUNT: line + 8},
    )


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


# --- the table ---------------------------------------------------------------------------


def hosting_instance_types() -> list[str]:
    shape = get_session().get_service_model("sagemaker").shape_for("ProductionVariantInstanceType")
    assert isinstance(shape, StringShape)
    return list(shape.enum)


def test_table_rows_are_hosting_types_with_positive_numbers() -> None:
    table = load_instance_types()
    hosting = set(hosting_instance_types())

    assert table, "the packaged table is empty"
    assert set(table) <= hosting, sorted(set(table) - hosting)
    for name, capacity in table.items():
        assert capacity.vcpus > 0, name
        assert capacity.memory_mib > 0, name
        assert capacity.accelerators >= 0, name


def test_table_knows_the_accelerators_sagemaker_counts() -> None:
    table = load_instance_types()

    assert table["ml.g5.12xlarge"] == InstanceCapacity(48, 196608, 4)
    assert table["ml.p4d.24xlarge"].accelerators == 8
    assert table["ml.inf2.48xlarge"].accelerators == 12  # Inferentia2 chips
    assert table["ml.trn1.32xlarge"].accelerators == 16  # Trainium chips
    assert table["ml.m5.large"] == InstanceCapacity(2, 8192, 0)
    assert table["ml.c4.8xlarge"] == InstanceCapacity(36, 61440, 0)
    assert table["ml.t2.medium"] == InstanceCapacity(2, 4096, 0)


def test_table_is_a_fresh_copy_each_time() -> None:
    first = load_instance_types()
    first.pop("ml.g5.12xlarge")

    assert "ml.g5.12xlarge" in load_instance_types()


# --- fits --------------------------------------------------------------------------------


def test_components_that_fit_give_no_problem() -> None:
    manifests = [
        config(variant(count=1)),
        endpoint(),
        component("llama-chat", line=1, accelerators=2, cpus=8, memory=65536),
        component("mistral", line=20, accelerators=1, copies=2, cpus=4, memory=32768),
    ]

    assert check_capacity(manifests) == []


def test_exactly_full_instances_fit() -> None:
    # 4 accelerators, 48 vCPUs and 196608 MiB per ml.g5.12xlarge, two of them.
    manifests = [
        config(variant(count=2)),
        endpoint(),
        component("llama-chat", line=1, accelerators=2, cpus=24, memory=98304, copies=4),
    ]

    assert check_capacity(manifests) == []


# --- overflows, one dimension at a time --------------------------------------------------


def test_accelerator_overflow_names_the_numbers_and_blames_the_tipping_component() -> None:
    manifests = [
        config(variant()),
        endpoint(),
        component("llama-chat", line=1, accelerators=2),
        component("mistral", line=20, accelerators=4),
    ]

    problem = only(check_capacity(manifests))

    assert problem.message == (
        "Endpoint/shared-gpu variant AllTraffic: needs 6 accelerators, "
        "ml.g5.12xlarge x 1 has 4 (llama-chat 2 x 1, mistral 4 x 1)"
    )
    assert problem.address == "InferenceComponent/mistral"
    assert problem.location == Location("ics.yaml", 28)
    assert problem.field == "spec.RuntimeConfig.CopyCount"
    assert str(problem).startswith("ics.yaml:28: InferenceComponent/mistral: ")


def test_tipping_component_follows_manifest_order_not_list_order() -> None:
    manifests = [
        config(variant()),
        endpoint(),
        component("second", line=30, accelerators=3),
        component("first", line=2, accelerators=3),
    ]

    problem = only(check_capacity(manifests))

    assert problem.address == "InferenceComponent/second"
    assert "(first 3 x 1, second 3 x 1)" in problem.message


def test_cpu_overflow() -> None:
    manifests = [
        config(variant(instance_type="ml.m5.xlarge", count=2)),
        endpoint(),
        component("api", line=1, cpus=1.5, copies=6, memory=512),
    ]

    problem = only(check_capacity(manifests))

    assert problem.message == (
        "Endpoint/shared-gpu variant AllTraffic: needs 9 CPU cores, "
        "ml.m5.xlarge x 2 has 8 (api 1.5 x 6)"
    )


def test_memory_overflow_in_mib() -> None:
    manifests = [
        config(variant(instance_type="ml.g5.xlarge")),
        endpoint(),
        component("small", line=1, accelerators=None, memory=10240, copies=2),
    ]

    problem = only(check_capacity(manifests))

    assert problem.message == (
        "Endpoint/shared-gpu variant AllTraffic: needs 20480 MiB of memory, "
        "ml.g5.xlarge x 1 has 16384 (small 10240 x 2)"
    )


def test_several_dimensions_make_one_problem_per_variant() -> None:
    manifests = [
        config(variant()),
        endpoint(),
        component("llama-chat", line=1, accelerators=3, memory=131072),
        component("mistral", line=20, accelerators=3, memory=131072),
    ]

    problem = only(check_capacity(manifests))

    assert problem.message == (
        "Endpoint/shared-gpu variant AllTraffic: "
        "needs 6 accelerators, ml.g5.12xlarge x 1 has 4 (llama-chat 3 x 1, mistral 3 x 1); "
        "needs 262144 MiB of memory, ml.g5.12xlarge x 1 has 196608 "
        "(llama-chat 131072 x 1, mistral 131072 x 1)"
    )


def test_a_copy_larger_than_one_instance_never_fits() -> None:
    # Two instances have 8 accelerators between them, but a copy cannot span instances.
    manifests = [
        config(variant(count=2)),
        endpoint(),
        component("big", line=1, accelerators=8),
    ]

    problem = only(check_capacity(manifests))

    assert problem.message == (
        "Endpoint/shared-gpu variant AllTraffic: one copy of big needs 8 accelerators, "
        "one ml.g5.12xlarge has 4"
    )
    assert problem.address == "InferenceComponent/big"


def test_copies_that_add_up_but_do_not_pack() -> None:
    # 4 x 3 = 12 accelerators on 3 x 4, but only one 3-accelerator copy fits an instance.
    manifests = [
        config(variant(count=3)),
        endpoint(),
        component("big", line=1, accelerators=3, copies=4),
    ]

    problem = only(check_capacity(manifests))

    assert problem.message == (
        "Endpoint/shared-gpu variant AllTraffic: big needs 4 copies of 3 accelerators, "
        "one ml.g5.12xlarge has 4 (room for 1), so ml.g5.12xlarge x 3 holds at most 3"
    )


# --- instance counts ---------------------------------------------------------------------


def test_managed_instance_scaling_counts_its_maximum() -> None:
    scaling = {"Status": "ENABLED", "MinInstanceCount": 1, "MaxInstanceCount": 2}
    components = [
        component("llama-chat", line=1, accelerators=2),
        component("mistral", line=20, accelerators=4),
    ]

    grown = [config(variant(ManagedInstanceScaling=scaling)), endpoint(), *components]
    assert check_capacity(grown) == []

    disabled = {**scaling, "Status": "DISABLED"}
    fixed = [config(variant(ManagedInstanceScaling=disabled)), endpoint(), *components]
    assert "ml.g5.12xlarge x 1 has 4" in only(check_capacity(fixed)).message


def test_managed_instance_scaling_over_its_maximum() -> None:
    scaling = {"Status": "ENABLED", "MinInstanceCount": 1, "MaxInstanceCount": 2}
    manifests = [
        config(variant(ManagedInstanceScaling=scaling)),
        endpoint(),
        component("llama-chat", line=1, accelerators=4, copies=3),
    ]

    problem = only(check_capacity(manifests))

    assert "needs 12 accelerators, ml.g5.12xlarge x 2 has 8" in problem.message


# --- which components count where -------------------------------------------------------


def test_each_variant_is_checked_with_its_own_components() -> None:
    manifests = [
        config(variant("Big", "ml.g5.12xlarge"), variant("Small", "ml.g5.xlarge")),
        endpoint(),
        component("on-big", line=1, accelerators=4, variant_name="Big"),
        component("on-small", line=20, accelerators=1, copies=2, variant_name="Small"),
    ]

    problem = only(check_capacity(manifests))

    assert problem.message == (
        "Endpoint/shared-gpu variant Small: needs 2 accelerators, "
        "ml.g5.xlarge x 1 has 1 (on-small 1 x 2)"
    )
    assert problem.address == "InferenceComponent/on-small"


def test_component_without_variant_name_belongs_to_the_only_variant() -> None:
    manifests = [
        config(variant()),
        endpoint(),
        component("llama-chat", line=1, accelerators=5, variant_name=None),
    ]

    assert "one copy of llama-chat needs 5 accelerators" in only(check_capacity(manifests)).message


def test_component_without_variant_name_is_not_guessed_among_several() -> None:
    manifests = [
        config(variant("A"), variant("B")),
        endpoint(),
        component("llama-chat", line=1, accelerators=5, variant_name=None),
    ]

    assert check_capacity(manifests) == []


def test_every_endpoint_on_the_config_is_checked() -> None:
    manifests = [
        config(variant()),
        endpoint("blue", line=1),
        endpoint("green", line=10),
        component("on-blue", line=1, accelerators=2, endpoint_name="blue"),
        component("on-green", line=20, accelerators=3, copies=2, endpoint_name="green"),
    ]

    problem = only(check_capacity(manifests))

    assert problem.message.startswith("Endpoint/green variant AllTraffic: needs 6 accelerators")


def test_adapters_need_nothing_of_their_own() -> None:
    manifests = [
        config(variant()),
        endpoint(),
        component("llama-base", line=1, accelerators=4),
        component("llama-sql", line=20, base="llama-base", copies=3),
    ]

    assert check_capacity(manifests) == []

    manifests.append(component("mistral", line=40, accelerators=1))
    problem = only(check_capacity(manifests))
    assert "(llama-base 4 x 1, mistral 1 x 1)" in problem.message


def test_autoscaled_components_count_their_manifest_copies() -> None:
    manifests = [
        config(variant()),
        endpoint(),
        component("llama-chat", line=1, accelerators=2, copies=3, autoscaled=True),
    ]

    problem = only(check_capacity(manifests))

    assert "needs 6 accelerators" in problem.message
    assert "(llama-chat 2 x 3 [autoscaled])" in problem.message


def test_variants_serving_a_model_are_not_checked() -> None:
    manifests = [
        config(variant(ModelName="llama-model")),
        endpoint(),
        component("llama-chat", line=1, accelerators=8),
    ]

    assert check_capacity(manifests) == []


def test_specifications_per_instance_type_use_the_variants_entry() -> None:
    ic = component("llama-chat", line=1)
    del ic.spec["Specification"]
    ic.spec["Specifications"] = [
        {"InstanceType": "ml.p4d.24xlarge", "ComputeResourceRequirements": {
            "MinMemoryRequiredInMb": 1024, "NumberOfAcceleratorDevicesRequired": 8}},
        {"InstanceType": "ml.g5.12xlarge", "ComputeResourceRequirements": {
            "MinMemoryRequiredInMb": 1024, "NumberOfAcceleratorDevicesRequired": 3}},
    ]  # fmt: skip
    ic.spec["RuntimeConfig"]["CopyCount"] = 2

    problem = only(check_capacity([config(variant()), endpoint(), ic]))

    assert "needs 6 accelerators, ml.g5.12xlarge x 1 has 4 (llama-chat 3 x 2)" in problem.message


def test_mig_partitioned_variants_skip_whole_accelerator_counting() -> None:
    layouts = [{"AcceleratorPartitionProfiles": ["mig-3g.40gb"]}]
    manifests = [
        config(variant(instance_type="ml.p4d.24xlarge", AcceleratorPartitionLayouts=layouts)),
        endpoint(),
        component("slice", line=1, accelerators=1, copies=16),
    ]

    assert check_capacity(manifests) == []


# --- what is not ours to judge -----------------------------------------------------------


def test_unknown_instance_type_is_not_checked_but_listed() -> None:
    manifests = [
        config(variant(instance_type="ml.future.48xlarge"), variant("Known")),
        endpoint(),
        component("llama-chat", line=1, accelerators=64),
    ]

    assert check_capacity(manifests) == []
    assert unknown_instance_types(manifests) == ["ml.future.48xlarge"]


def test_unknown_instance_types_ignores_model_variants() -> None:
    manifests = [config(variant(instance_type="ml.future.48xlarge", ModelName="m"))]

    assert unknown_instance_types(manifests) == []


def test_component_on_endpoint_whose_config_is_live_is_left_to_plan() -> None:
    manifests = [
        config(variant()),
        endpoint(config_name="live-config-in-the-account"),
        component("llama-chat", line=1, accelerators=64),
    ]

    assert check_capacity(manifests) == []


def test_component_on_endpoint_that_is_not_a_manifest_is_left_to_plan() -> None:
    manifests = [
        config(variant()),
        endpoint(),
        component("llama-chat", line=1, accelerators=64, endpoint_name="live-endpoint"),
    ]

    assert check_capacity(manifests) == []


@pytest.mark.parametrize(
    "broken",
    [
        {"InitialInstanceCount": None},
        {"InitialInstanceCount": "two"},
        {"ManagedInstanceScaling": {"Status": "ENABLED"}},
        {"InstancePools": [{"InstanceType": "ml.g5.xlarge", "Priority": 1}]},
    ],
)
def test_variants_without_a_knowable_capacity_are_skipped(broken: dict[str, Any]) -> None:
    manifests = [
        config({**variant(), **broken}),
        endpoint(),
        component("llama-chat", line=1, accelerators=64),
    ]

    assert check_capacity(manifests) == []


def test_problems_come_in_manifest_order() -> None:
    manifests = [
        config(variant(), name="late-config", line=50),
        config(variant(), name="early-config", line=1),
        endpoint("late", config_name="late-config", line=1),
        endpoint("early", config_name="early-config", line=10),
        component("on-late", line=1, accelerators=8, endpoint_name="late"),
        component("on-early", line=20, accelerators=8, endpoint_name="early"),
    ]

    addresses = [p.address for p in check_capacity(manifests)]

    assert addresses == ["InferenceComponent/on-early", "InferenceComponent/on-late"]


def test_a_max_capacity_the_variant_can_never_hold_is_refused_at_the_target() -> None:
    from reconciler.kinds.capacity import check_capacity
    from reconciler.resources import Kind, Location, Manifest

    def document(kind: Kind, name: str, spec: dict[str, object], line: int) -> Manifest:
        return Manifest(
            kind, name, spec, Location("m.yaml", line), lines={(): line, ("MaxCapacity",): line + 5}
        )

    manifests = [
        document(
            Kind.ENDPOINT_CONFIG,
            "gpu",
            {
                "ExecutionRoleArn": "arn:aws:iam::123456789012:role/R",
                "ProductionVariants": [
                    {
                        "VariantName": "AllTraffic",
                        "InstanceType": "ml.g5.12xlarge",
                        "InitialInstanceCount": 1,
                    }
                ],
            },
            1,
        ),
        document(Kind.ENDPOINT, "gpu", {"EndpointConfigName": "gpu"}, 20),
        document(
            Kind.INFERENCE_COMPONENT,
            "chat",
            {
                "EndpointName": "gpu",
                "VariantName": "AllTraffic",
                "Specification": {
                    "ModelName": "m",
                    "ComputeResourceRequirements": {
                        "MinMemoryRequiredInMb": 1024,
                        "NumberOfAcceleratorDevicesRequired": 1,
                    },
                },
                "RuntimeConfig": {"CopyCount": 1},
            },
            30,
        ),
    ]

    def target(maximum: int) -> Manifest:
        return document(
            Kind.SCALABLE_TARGET,
            "chat-copies",
            {
                "ServiceNamespace": "sagemaker",
                "ResourceId": "inference-component/chat",
                "ScalableDimension": "sagemaker:inference-component:DesiredCopyCount",
                "MinCapacity": 0,
                "MaxCapacity": maximum,
            },
            50,
        )

    assert check_capacity([*manifests, target(4)]) == []  # 4 copies of 1 GPU on 4 GPUs
    (problem,) = check_capacity([*manifests, target(5)])
    assert problem.address == "ScalableTarget/chat-copies"
    assert problem.field == "spec.MaxCapacity"
    assert problem.location == Location("m.yaml", 55)
    assert problem.message.startswith(
        "MaxCapacity 5 can never be reached (ScalableTarget/chat-copies scales "
        "InferenceComponent/chat): at the scaling bounds, Endpoint/gpu variant AllTraffic: "
        "needs 5 accelerators, ml.g5.12xlarge x 1 has 4"
    )
