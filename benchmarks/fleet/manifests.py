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


def _model(name: str, image: str, data: str) -> str:
    return f"""apiVersion: sagemaker-reconciler/v1
kind: Model
metadata:
  name: {name}
  tags: {{team: bench}}
spec:
  ExecutionRoleArn: {ROLE}
  PrimaryContainer:
    Image: {image}
    ModelDataUrl: s3://bench-models/{data}/model.tar.gz
"""


def _endpoint(name: str, config: str) -> str:
    return f"""apiVersion: sagemaker-reconciler/v1
kind: Endpoint
metadata:
  name: {name}
  tags: {{team: bench}}
spec:
  EndpointConfigName: {config}
"""


def ic_group(index: int, copy_counts: dict[int, int] | None = None) -> str:
    """One group of the IC fleet: Model, EndpointConfig, Endpoint and 7 ICs (10 documents)."""
    group = f"g{index:04d}"
    docs = [
        _model(f"{group}-model", GPU_IMAGE, group),
        f"""apiVersion: sagemaker-reconciler/v1
kind: EndpointConfig
metadata:
  name: {group}-config
  tags: {{team: bench}}
spec:
  ExecutionRoleArn: {ROLE}
  ProductionVariants:
    - VariantName: AllTraffic
      InstanceType: ml.g5.12xlarge
      InitialInstanceCount: 1
""",
        _endpoint(f"{group}-endpoint", f"{group}-config"),
    ]
    for ic in range(ICS_PER_GROUP):
        copies = (copy_counts or {}).get(ic, 1)
        docs.append(
            f"""apiVersion: sagemaker-reconciler/v1
kind: InferenceComponent
metadata:
  name: {group}-ic{ic}
  tags: {{team: bench}}
spec:
  EndpointName: {group}-endpoint
  VariantName: AllTraffic
  Specification:
    ModelName: {group}-model
    ComputeResourceRequirements:
      MinMemoryRequiredInMb: 1024
      NumberOfCpuCoresRequired: 1
  RuntimeConfig: {{CopyCount: {copies}}}
"""
        )
    return "---\n".join(docs)


def classic_group(index: int) -> str:
    """One classic endpoint: Model, EndpointConfig naming it, Endpoint (3 documents)."""
    name = f"c{index:03d}"
    config = f"""apiVersion: sagemaker-reconciler/v1
kind: EndpointConfig
metadata:
  name: {name}-config
  tags: {{team: bench}}
spec:
  ProductionVariants:
    - VariantName: AllTraffic
      ModelName: {name}-model
      InstanceType: ml.m5.xlarge
      InitialInstanceCount: 1
"""
    docs = [_model(f"{name}-model", XGBOOST_IMAGE, name), config, _endpoint(name, f"{name}-config")]
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
