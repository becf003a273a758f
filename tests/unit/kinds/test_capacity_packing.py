"""The packing of an endpoint variant (pure): what its inference components use of its
instances — accelerators, CPU cores, memory — now and at the scaling bounds."""

from __future__ import annotations

from typing import Any

from reconciler.kinds.capacity import Count, Usage, packings
from reconciler.resources import Kind, Manifest
from tests.support.planning import manifest

COPIES = "RuntimeConfig.CopyCount"
INSTANCES = "ScaledVariants.AllTraffic.DesiredInstanceCount"


def hosting(instance_type: str = "ml.g5.12xlarge", **variant: Any) -> list[Manifest]:
    return [
        manifest(
            Kind.ENDPOINT_CONFIG,
            "shared",
            {
                "ProductionVariants": [
                    {
                        "VariantName": "AllTraffic",
                        "InstanceType": instance_type,
                        "InitialInstanceCount": 1,
                        **variant,
                    }
                ]
            },
        ),
        manifest(Kind.ENDPOINT, "shared", {"EndpointConfigName": "shared"}),
    ]


def ic(name: str, copies: int, gpus: int, cores: float, mib: int, **extra: Any) -> Manifest:
    return manifest(
        Kind.INFERENCE_COMPONENT,
        name,
        {
            "EndpointName": "shared",
            "Specification": {
                "ModelName": "m",
                "ComputeResourceRequirements": {
                    "NumberOfAcceleratorDevicesRequired": gpus,
                    "NumberOfCpuCoresRequired": cores,
                    "MinMemoryRequiredInMb": mib,
                },
                **extra,
            },
            "RuntimeConfig": {"CopyCount": copies},
        },
    )


def test_the_packing_now_is_the_copies_times_their_needs_of_the_instances() -> None:
    (packing,) = packings([*hosting(), ic("chat", 2, 1, 4, 16384), ic("sum", 1, 1, 4, 16384)])
    assert (packing.endpoint, packing.variant, packing.instance_type) == (
        "shared",
        "AllTraffic",
        "ml.g5.12xlarge",
    )
    # ml.g5.12xlarge: 4 GPUs, 48 vCPUs, 196608 MiB (reconciler/data/instance_types.json).
    assert packing.now == (
        Usage("gpu", 3, 4),
        Usage("cpu", 12, 48),
        Usage("mem", 49152, 196608),
    )
    assert not packing.scales
    assert packing.addresses == (
        "Endpoint/shared",
        "EndpointConfig/shared",
        "InferenceComponent/chat",
        "InferenceComponent/sum",
    )


def test_live_copies_count_now_and_the_scaler_s_most_at_the_bounds() -> None:
    manifests = [*hosting(), ic("chat", 2, 1, 4, 16384), ic("sum", 1, 1, 4, 16384)]
    counts = {("InferenceComponent/chat", COPIES): Count(now=3, most=5, by="ScalableTarget/c")}
    (packing,) = packings(manifests, counts)
    assert packing.now[0] == Usage("gpu", 4, 4)
    assert packing.at_most[0] == Usage("gpu", 6, 4)
    assert packing.at_most[0].over and not packing.now[0].over
    assert packing.scales
    # A change of the scaler (a new MaxCapacity) touches this packing too.
    assert packing.addresses[-1] == "ScalableTarget/c"


def test_a_scaled_variant_has_its_live_instances_now_and_its_most_at_the_bounds() -> None:
    counts = {("Endpoint/shared", INSTANCES): Count(now=2, most=4)}
    (packing,) = packings([*hosting(), ic("chat", 2, 1, 4, 16384)], counts)
    assert (packing.instances, packing.most_instances) == (2, 4)
    assert packing.now[0] == Usage("gpu", 2, 8)
    assert packing.at_most[0] == Usage("gpu", 2, 16)


def test_managed_instance_scaling_grows_to_its_maximum_at_the_bounds() -> None:
    scaling = {"Status": "ENABLED", "MinInstanceCount": 0, "MaxInstanceCount": 3}
    (packing,) = packings([*hosting(ManagedInstanceScaling=scaling), ic("chat", 1, 1, 4, 16384)])
    assert (packing.instances, packing.most_instances) == (1, 3)
    assert packing.at_most[0] == Usage("gpu", 1, 12)


def test_a_cpu_instance_shows_no_accelerators_and_an_adapter_needs_nothing() -> None:
    adapter = ic("adapter", 3, 0, 0, 0, BaseInferenceComponentName="chat")
    (packing,) = packings([*hosting("ml.m5.xlarge"), ic("chat", 1, 0, 0.5, 2048), adapter])
    assert packing.now == (Usage("cpu", 0.5, 4), Usage("mem", 2048, 16384))


def test_variants_whose_capacity_is_unknown_are_left_out() -> None:
    assert packings([*hosting("ml.unknown.xlarge"), ic("chat", 1, 1, 4, 16384)]) == []
    classic = hosting(ModelName="churn")
    assert packings([*classic, ic("chat", 1, 1, 4, 16384)]) == []
