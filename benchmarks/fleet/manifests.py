"""The fleets the benchmarks measure, as manifest YAML: shared with the tests (which import
it; it imports nothing of the benchmarks' processes, so a test loads no emulator with it).

- **IC fleet**: ``groups`` groups of 10 documents, one file each: one Model, one
  EndpointConfig (``ExecutionRoleArn``, one variant without ``ModelName`` on
  ``ml.g5.12xlarge`` x 1), one Endpoint, and 7 InferenceComponents on it that run the
  group's model (1 CPU core and 1,024 MiB each, ``CopyCount`` 1 unless told: 7 of the
  instance's 48 vCPUs, so the capacity preflight passes).
- **Classic fleet**: ``endpoints`` single-model endpoints of 3 documents, one file each: a
  Model, an EndpointConfig whose variant names it (``ml.m5.xlarge`` x 1), an Endpoint.

Names: group ``i`` of the IC fleet is ``g{i:04d}`` (``g0000-model``, ``g0000-config``,
``g0000-endpoint``, ``g0000-ic0`` .. ``g0000-ic6``, in ``g0000.yaml``); endpoint ``i`` of the
classic fleet is ``c{i:03d}`` (``c000-model``, ``c000-config``, ``c000``, in ``c000.yaml``).
Every resource carries the tag ``team: bench``.
"""

from __future__ import annotations

from pathlib import Path

ICS_PER_GROUP = 7
RESOURCES_PER_GROUP = ICS_PER_GROUP + 3
RESOURCES_PER_CLASSIC_ENDPOINT = 3
ROLE = "arn:aws:iam::123456789012:role/SageMakerExecution"
GPU_IMAGE = (
    "763104351884.dkr.ecr.us-east-1.amazonaws.com/"
    "huggingface-pytorch-tgi-inference:2.4.0-tgi2.4.0-gpu-py311-cu124-ubuntu22.04"
)
XGBOOST_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"


def document(kind: str, name: str, spec: str) -> str:
    """One manifest document: the envelope (every resource tagged ``team: bench``) around
    `spec`, the spec's YAML lines at two spaces of indentation."""
    return (
        f"apiVersion: sagemaker-reconciler/v1\nkind: {kind}\n"
        f"metadata:\n  name: {name}\n  tags: {{team: bench}}\nspec:\n{spec}"
    )


def _model(name: str, image: str, data: str) -> str:
    container = f"    Image: {image}\n    ModelDataUrl: s3://bench-models/{data}/model.tar.gz\n"
    return document("Model", name, f"  ExecutionRoleArn: {ROLE}\n  PrimaryContainer:\n{container}")


def _config(name: str, variant: str, *, role: bool = False) -> str:
    """An EndpointConfig of one variant, AllTraffic x 1; `variant` holds its other lines;
    `role`: with ``ExecutionRoleArn`` (inference components need it)."""
    lines = (f"  ExecutionRoleArn: {ROLE}\n" if role else "") + "  ProductionVariants:\n"
    lines += "    - VariantName: AllTraffic\n" + variant + "      InitialInstanceCount: 1\n"
    return document("EndpointConfig", name, lines)


def ic_group(index: int, copy_counts: dict[int, int] | None = None) -> str:
    """One group of the IC fleet: Model, EndpointConfig, Endpoint and 7 ICs (10 documents).
    `copy_counts` maps an IC's number (0 to 6) to its CopyCount (default 1)."""
    group = f"g{index:04d}"
    docs = [
        _model(f"{group}-model", GPU_IMAGE, group),
        _config(f"{group}-config", "      InstanceType: ml.g5.12xlarge\n", role=True),
        document("Endpoint", f"{group}-endpoint", f"  EndpointConfigName: {group}-config\n"),
    ]
    for ic in range(ICS_PER_GROUP):
        copies = (copy_counts or {}).get(ic, 1)
        spec = (
            f"  EndpointName: {group}-endpoint\n"
            "  VariantName: AllTraffic\n"
            "  Specification:\n"
            f"    ModelName: {group}-model\n"
            "    ComputeResourceRequirements:\n"
            "      MinMemoryRequiredInMb: 1024\n"
            "      NumberOfCpuCoresRequired: 1\n"
            f"  RuntimeConfig: {{CopyCount: {copies}}}\n"
        )
        docs.append(document("InferenceComponent", f"{group}-ic{ic}", spec))
    return "---\n".join(docs)


def classic_group(index: int) -> str:
    """One classic endpoint: Model, EndpointConfig naming it, Endpoint (3 documents)."""
    name = f"c{index:03d}"
    variant = f"      ModelName: {name}-model\n      InstanceType: ml.m5.xlarge\n"
    docs = [
        _model(f"{name}-model", XGBOOST_IMAGE, name),
        _config(f"{name}-config", variant),
        document("Endpoint", name, f"  EndpointConfigName: {name}-config\n"),
    ]
    return "---\n".join(docs)


def write_ic_fleet(directory: Path, groups: int) -> int:
    """Write `groups` group files into `directory`; returns the number of resources."""
    directory.mkdir(parents=True, exist_ok=True)
    for index in range(groups):
        (directory / f"g{index:04d}.yaml").write_text(ic_group(index))
    return groups * RESOURCES_PER_GROUP


def write_classic_fleet(directory: Path, endpoints: int) -> int:
    """Write `endpoints` endpoint files into `directory`; returns the number of resources."""
    directory.mkdir(parents=True, exist_ok=True)
    for index in range(endpoints):
        (directory / f"c{index:03d}.yaml").write_text(classic_group(index))
    return endpoints * RESOURCES_PER_CLASSIC_ENDPOINT
