"""Overlays end to end: one base (the example hosting fleet) and two overlays, staging and
prod, planned and applied against one emulator account — each set under its own prefix and
owner, side by side, without a name clash, and each second plan empty."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.controller import run_argv
from tests.support.env import Env, copy_examples, serving

STAGING = """\
apiVersion: sagemaker-reconciler/v1
kind: Overlay
bases: [../../base]
namePrefix: staging-
tags: {environment: staging}
patches:
  - kind: InferenceComponent
    metadata: {name: llama-chat}
    spec:
      RuntimeConfig: {CopyCount: 1}
"""

PROD = """\
apiVersion: sagemaker-reconciler/v1
kind: Overlay
bases: [../../base]
namePrefix: prod-
tags: {environment: prod}
patches: [patches/capacity.yaml]
"""

PROD_CAPACITY = """\
apiVersion: sagemaker-reconciler/v1
kind: EndpointConfig
metadata: {name: shared-gpu}
spec:
  ProductionVariants:
    - VariantName: AllTraffic
      InitialInstanceCount: ${GPU_INSTANCES:=2}
"""


@pytest.fixture
def repo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[Env]:
    """``base/`` (the example fleet without the HyperPod cluster), ``overlays/staging`` and
    ``overlays/prod``; the Env's directory is the repository root."""
    copy_examples(tmp_path / "base", hosting_only=True)
    for name, text in (
        ("overlays/staging/overlay.yaml", STAGING),
        ("overlays/prod/overlay.yaml", PROD),
        ("overlays/prod/patches/capacity.yaml", PROD_CAPACITY),
    ):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    with serving() as served:
        yield Env(served.url, served.control, tmp_path, capsys)


def plan(env: Env, overlay: str, owner: str) -> dict[str, Any]:
    run = env.reconciler("plan", str(env.directory / overlay), "--json", "--owner", owner)
    assert run.code == 0, run.err
    document: dict[str, Any] = json.loads(run.out)
    return document


def apply(env: Env, overlay: str, owner: str) -> None:
    run = env.reconciler("apply", str(env.directory / overlay), "--auto-approve", "--owner", owner)
    assert run.code == 0, run.out + run.err


def test_two_overlays_of_one_base_live_side_by_side(repo: Env) -> None:
    staging = plan(repo, "overlays/staging", "staging")
    assert staging["summary"]["create"] == 9 and staging["summary"]["delete"] == 0
    assert all(c["name"].startswith("staging-") for c in staging["changes"])
    apply(repo, "overlays/staging", "staging")

    # Prod's plan sees staging's resources as someone else's: nothing of them to delete.
    prod = plan(repo, "overlays/prod", "prod")
    assert prod["summary"]["create"] == 9 and prod["summary"]["delete"] == 0
    apply(repo, "overlays/prod", "prod")

    for overlay, owner in (("overlays/staging", "staging"), ("overlays/prod", "prod")):
        again = repo.reconciler(
            "plan", str(repo.directory / overlay), "--owner", owner, "--detailed-exitcode"
        )
        assert again.code == 0, again.out + again.err
        assert "No changes. 9 resources match the manifests." in again.out

    sm = repo.sagemaker()
    endpoints = {e["EndpointName"] for e in sm.list_endpoints()["Endpoints"]}
    assert endpoints == {"staging-shared-gpu", "staging-churn", "prod-shared-gpu", "prod-churn"}
    copies = {
        name: sm.describe_inference_component(InferenceComponentName=name)["RuntimeConfig"][
            "CurrentCopyCount"
        ]
        for name in ("staging-llama-chat", "prod-llama-chat")
    }
    assert copies == {"staging-llama-chat": 1, "prod-llama-chat": 2}
    for prefix, instances in (("staging-", 1), ("prod-", 2)):
        endpoint = sm.describe_endpoint(EndpointName=f"{prefix}shared-gpu")
        config = sm.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
        assert config["ProductionVariants"][0]["InitialInstanceCount"] == instances
        ic = sm.describe_inference_component(InferenceComponentName=f"{prefix}llama-chat")
        assert ic["EndpointName"] == f"{prefix}shared-gpu"
        assert ic["Specification"]["ModelName"].startswith(f"{prefix}llama-model-")
        tags = {
            t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=endpoint["EndpointArn"])["Tags"]
        }
        assert tags["environment"] == prefix.rstrip("-")
        assert tags["team"] == "ml-platform"
        assert tags["sagemaker-reconciler/address"] == f"Endpoint/{prefix}shared-gpu"


def test_an_edit_to_the_base_changes_both_and_to_an_overlay_only_its_own(repo: Env) -> None:
    apply(repo, "overlays/staging", "staging")
    apply(repo, "overlays/prod", "prod")

    repo.edit(
        "base/shared-gpu/mistral-summarize.yaml",
        "NumberOfCpuCoresRequired: 4",
        "NumberOfCpuCoresRequired: 2",
    )
    for overlay, owner in (("overlays/staging", "staging"), ("overlays/prod", "prod")):
        changed = [c for c in plan(repo, overlay, owner)["changes"] if c["action"] != "no-op"]
        prefix = owner + "-"
        assert [(c["address"], c["operations"]) for c in changed] == [
            (f"InferenceComponent/{prefix}mistral-summarize", ["UpdateInferenceComponent"])
        ]
        apply(repo, overlay, owner)

    repo.edit(
        "overlays/staging/overlay.yaml",
        "RuntimeConfig: {CopyCount: 1}",
        "RuntimeConfig: {CopyCount: 2}",
    )
    staging = [
        c for c in plan(repo, "overlays/staging", "staging")["changes"] if c["action"] != "no-op"
    ]
    assert [(c["address"], c["operations"]) for c in staging] == [
        ("InferenceComponent/staging-llama-chat", ["UpdateInferenceComponentRuntimeConfig"])
    ]
    assert all(c["action"] == "no-op" for c in plan(repo, "overlays/prod", "prod")["changes"])


def test_the_controller_of_an_overlay_follows_an_edit_to_its_base_outside_it(repo: Env) -> None:
    """`reconciler run overlays/staging` reads ../../base too: an edit there starts a pass
    at once, not at the next resync (an hour here)."""
    from tests.support.controller import copies, wait_for
    from tests.support.controller import serving as running

    argv = [
        *(
            a if a != str(repo.directory) else str(repo.directory / "overlays/prod")
            for a in run_argv(repo)
        ),
        "--owner",
        "prod",
        "--interval",
        "1h",
        "--poll-interval",
        "0.01",
        "--debounce",
        "0.2",
    ]
    with running(argv) as (process, _):
        wait_for(lambda: _exists(repo, "prod-llama-chat"), what="the first pass")
        wait_for(lambda: copies(repo, "prod-llama-chat") == 2, what="the base's count")
        base = repo.directory / "base" / "shared-gpu" / "llama-chat.yaml"
        base.write_text(base.read_text().replace("CopyCount: 2", "CopyCount: 3"))
        wait_for(lambda: copies(repo, "prod-llama-chat") == 3, what="the base's edit")
        process.terminate()
        assert process.wait(timeout=15) == 0


def _exists(env: Env, component: str) -> bool:
    names = env.sagemaker().list_inference_components()["InferenceComponents"]
    return any(c["InferenceComponentName"] == component for c in names)
