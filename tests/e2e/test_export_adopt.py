"""Onboarding: resources made by hand (in the shapes the SageMaker Python SDK makes them)
are exported, adopted with only ownership tags added, then managed like anything else."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.env import Env

ROLE = "arn:aws:iam::123456789012:role/SageMakerExecution"
IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.4.0-tgi2.4.0-gpu-py311-cu124-ubuntu22.04"


def sdk_style_deployment(sm: Any) -> None:
    """What `Model.deploy()` (classic) and `ModelBuilder` + inference components create."""
    sm.create_model(
        ModelName="xgb-2026-11-27-10-00-00-123",
        PrimaryContainer={
            "Image": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
            "ModelDataUrl": "s3://bucket/xgb/model.tar.gz",
            "Environment": {},
        },
        ExecutionRoleArn=ROLE,
        Tags=[{"Key": "project", "Value": "churn"}],
    )
    sm.create_endpoint_config(
        EndpointConfigName="xgb-2026-11-27-10-00-00-123",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": "xgb-2026-11-27-10-00-00-123",
                "InitialInstanceCount": 1,
                "InstanceType": "ml.m5.xlarge",
                "InitialVariantWeight": 1.0,
            }
        ],
    )
    sm.create_endpoint(
        EndpointName="xgb-endpoint", EndpointConfigName="xgb-2026-11-27-10-00-00-123"
    )

    sm.create_model(
        ModelName="llm-2026-11-27",
        PrimaryContainer={
            "Image": IMAGE,
            "Environment": {"HF_MODEL_ID": "meta-llama/Llama-3-8B", "HF_TOKEN": "hf_live_secret"},
        },
        ExecutionRoleArn=ROLE,
    )
    sm.create_endpoint_config(
        EndpointConfigName="llm-endpoint-config",
        ExecutionRoleArn=ROLE,
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "InstanceType": "ml.g5.12xlarge",
                "InitialInstanceCount": 1,
                "ManagedInstanceScaling": {
                    "Status": "ENABLED",
                    "MinInstanceCount": 1,
                    "MaxInstanceCount": 2,
                },
                "RoutingConfig": {"RoutingStrategy": "LEAST_OUTSTANDING_REQUESTS"},
            }
        ],
    )
    sm.create_endpoint(EndpointName="llm-endpoint", EndpointConfigName="llm-endpoint-config")
    sm.get_waiter("endpoint_in_service").wait(
        EndpointName="llm-endpoint", WaiterConfig={"Delay": 0.01}
    )
    sm.create_inference_component(
        InferenceComponentName="llm-ic",
        EndpointName="llm-endpoint",
        VariantName="AllTraffic",
        Specification={
            "ModelName": "llm-2026-11-27",
            "StartupParameters": {"ModelDataDownloadTimeoutInSeconds": 1200},
            "ComputeResourceRequirements": {
                "NumberOfAcceleratorDevicesRequired": 1,
                "MinMemoryRequiredInMb": 8192,
            },
        },
        RuntimeConfig={"CopyCount": 1},
    )


def test_export_adopt_apply_then_manage(env: Env, tmp_path: Path) -> None:
    sm = env.sagemaker()
    sdk_style_deployment(sm)
    shutil.rmtree(env.directory)
    out = tmp_path / "exported"
    run = env.reconciler(
        "export", "--out", str(out), "--layout", "per-endpoint", "--endpoint-url", env.url
    )
    assert run.code == 0, run.err
    assert "HF_TOKEN looks secret and was replaced by a placeholder" in run.err
    assert sorted(p.name for p in out.iterdir()) == ["llm-endpoint.yaml", "xgb-endpoint.yaml"]
    documents = [d for p in sorted(out.iterdir()) for d in yaml.safe_load_all(p.read_text())]
    assert {(d["kind"], d["metadata"]["name"]) for d in documents} == {
        ("Model", "llm-2026-11-27"),
        ("EndpointConfig", "llm-endpoint-config"),
        ("Endpoint", "llm-endpoint"),
        ("InferenceComponent", "llm-ic"),
        ("Model", "xgb-2026-11-27-10-00-00-123"),
        ("EndpointConfig", "xgb-2026-11-27-10-00-00-123"),
        ("Endpoint", "xgb-endpoint"),
    }
    config = next(
        d
        for d in documents
        if d["metadata"]["name"] == "xgb-2026-11-27-10-00-00-123" and d["kind"] == "EndpointConfig"
    )
    # Only what a person would write: no ARNs, no times, no server defaults.
    assert config["spec"] == {
        "ProductionVariants": [
            {
                "VariantName": "AllTraffic",
                "ModelName": "xgb-2026-11-27-10-00-00-123",
                "InitialInstanceCount": 1,
                "InstanceType": "ml.m5.xlarge",
            }
        ]
    }
    assert "hf_live_secret" not in "".join(p.read_text() for p in out.iterdir())

    # The user puts the secret back (from wherever they keep it) and commits.
    llm = out / "llm-endpoint.yaml"
    llm.write_text(
        llm.read_text().replace(
            "'<redacted: set the real value before applying>'", "hf_live_secret"
        )
    )
    env.directory = out

    document = env.plan_json()
    assert document["summary"] == {"create": 0, "update": 7, "replace": 0, "delete": 0, "no-op": 0}
    assert {tuple(c["operations"]) for c in document["changes"]} == {("AddTags",)}
    assert all(c["reason"] == "adopt: add ownership tags" for c in document["changes"])

    code, writes, _ = env.writes_during()
    assert code == 0
    assert writes == {"AddTags": 7}
    assert env.reconciler("plan", str(out), "--detailed-exitcode").code == 0

    # Managed now: an edit behaves like any other, and the adopted names give way to
    # content-hash names once the spec changes.
    env.edit("xgb-endpoint.yaml", "InstanceType: ml.m5.xlarge", "InstanceType: ml.m5.2xlarge")
    env.edit("llm-endpoint.yaml", "CopyCount: 1", "CopyCount: 2")
    code, writes, output = env.writes_during()
    assert code == 0, output
    assert writes == {
        "CreateEndpointConfig": 1,
        "UpdateEndpoint": 1,
        "DeleteEndpointConfig": 1,
        "UpdateInferenceComponentRuntimeConfig": 1,
    }
    configs = {c["EndpointConfigName"] for c in sm.list_endpoint_configs()["EndpointConfigs"]}
    assert "xgb-2026-11-27-10-00-00-123" not in configs
    assert any(c.startswith("xgb-2026-11-27-10-00-00-123-") for c in configs)
    assert env.reconciler("plan", str(out), "--detailed-exitcode").code == 0


def test_adopting_refuses_a_create_only_difference(env: Env, tmp_path: Path) -> None:
    sm = env.sagemaker()
    sdk_style_deployment(sm)
    out = tmp_path / "exported"
    assert (
        env.reconciler(
            "export", "--out", str(out), "--layout", "per-resource", "--endpoint-url", env.url
        ).code
        == 0
    )
    ic = out / "inferencecomponent" / "llm-ic.yaml"
    ic.write_text(ic.read_text().replace("VariantName: AllTraffic", "VariantName: Blue"))
    config = out / "endpointconfig" / "llm-endpoint-config.yaml"
    config.write_text(config.read_text().replace("VariantName: AllTraffic", "VariantName: Blue"))
    for path in (out / "model").glob("llm*.yaml"):
        path.write_text(
            path.read_text().replace(
                "'<redacted: set the real value before applying>'", "hf_live_secret"
            )
        )
    env.directory = out
    run = env.reconciler("plan", str(out))
    assert run.code == 1
    assert (
        "cannot adopt InferenceComponent llm-ic: VariantName differs (live AllTraffic, manifest Blue)"
        in run.err
    )


def _exported_files(directory: Path) -> list[str]:
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*.yaml"))


PER_RESOURCE = [
    "endpoint/llm-endpoint.yaml",
    "endpoint/xgb-endpoint.yaml",
    "endpointconfig/llm-endpoint-config.yaml",
    "endpointconfig/xgb-2026-11-27-10-00-00-123.yaml",
    "inferencecomponent/llm-ic.yaml",
    "model/llm-2026-11-27.yaml",
    "model/xgb-2026-11-27-10-00-00-123.yaml",
]


@pytest.mark.parametrize("layout", ["stream", "per-resource", "per-endpoint"])
@pytest.mark.parametrize("existing", [False, True], ids=["trailing-slash", "existing-dir"])
def test_export_into_a_directory_writes_files_into_it(
    env: Env, tmp_path: Path, layout: str, existing: bool
) -> None:
    sdk_style_deployment(env.sagemaker())
    out = tmp_path / "exported"
    if existing:
        out.mkdir()
        target = str(out)
    else:
        target = str(out) + "/"
    run = env.reconciler("export", "--out", target, "--layout", layout, "--endpoint-url", env.url)
    assert run.code == 0, run.err
    assert out.is_dir()
    expected = {
        # A stream has no file name to go by in a directory: one file per resource.
        "stream": PER_RESOURCE,
        "per-resource": PER_RESOURCE,
        "per-endpoint": ["llm-endpoint.yaml", "xgb-endpoint.yaml"],
    }[layout]
    assert _exported_files(out) == expected
    documents = [d for p in sorted(out.rglob("*.yaml")) for d in yaml.safe_load_all(p.read_text())]
    assert len(documents) == 7


def test_export_stream_to_a_new_file_name_still_writes_one_file(env: Env, tmp_path: Path) -> None:
    sdk_style_deployment(env.sagemaker())
    out = tmp_path / "all.yaml"
    run = env.reconciler("export", "--out", str(out), "--endpoint-url", env.url)
    assert run.code == 0, run.err
    assert out.is_file()
    assert len(list(yaml.safe_load_all(out.read_text()))) == 7


def test_export_files_into_an_existing_file_is_a_clear_error(env: Env, tmp_path: Path) -> None:
    sdk_style_deployment(env.sagemaker())
    out = tmp_path / "taken.yaml"
    out.write_text("keep me\n")
    run = env.reconciler(
        "export", "--out", str(out), "--layout", "per-resource", "--endpoint-url", env.url
    )
    assert run.code == 1
    assert run.err.strip().splitlines()[-1].startswith(f"reconciler: --out {out} is a file")
    assert out.read_text() == "keep me\n"
