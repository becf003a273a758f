"""The generic checker (reconciler.manifests.checks): it runs what each kind declares in
``KindInfo.rules`` — within a manifest, against the others, over all of them, and the
preflight once everything is valid — so a kind's new rule needs no edit in manifests/."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from reconciler.kinds import KINDS
from reconciler.kinds.validation import KindRules, ManifestLookup, problem
from reconciler.manifests import load, preflight_problems
from reconciler.resources import Kind, Location, Manifest, Problem
from reconciler.service import problems_of

ENDPOINTS = """\
apiVersion: sagemaker-reconciler/v1
kind: Endpoint
metadata:
  name: ep
spec:
  EndpointConfigName: cfg
"""


def _declare(monkeypatch: pytest.MonkeyPatch, kind: Kind, rules: KindRules) -> None:
    monkeypatch.setitem(KINDS, kind, dataclasses.replace(KINDS[kind], rules=rules))


def _no_config_named_cfg(manifest: Manifest, index: ManifestLookup) -> list[Problem]:
    if index.get(Kind.ENDPOINT_CONFIG, "cfg") is not None:
        return []
    return [problem(manifest, ("EndpointConfigName",), "no such config among the manifests")]


def test_a_kinds_declared_rules_are_reported_at_file_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "endpoints.yaml").write_text(ENDPOINTS, encoding="utf-8")
    rules = KindRules(
        document=lambda m: [problem(m, (), "document rule")],
        across=_no_config_named_cfg,
        fleet=lambda manifests, index: [problem(manifests[0], (), f"fleet of {len(manifests)}")],
    )
    _declare(monkeypatch, Kind.ENDPOINT, rules)
    file = str(tmp_path / "endpoints.yaml")
    assert [str(p) for p in load(tmp_path).problems] == [
        f"{file}:5: Endpoint/ep: spec: document rule",
        f"{file}:5: Endpoint/ep: spec: fleet of 1",
        f"{file}:6: Endpoint/ep: spec.EndpointConfigName: no such config among the manifests",
    ]


def test_the_preflight_runs_only_when_the_manifests_are_valid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "endpoints.yaml").write_text(ENDPOINTS, encoding="utf-8")
    preflight = KindRules(preflight=lambda ms: [Problem(f"preflight saw {len(ms)}")])
    _declare(monkeypatch, Kind.ENDPOINT, preflight)
    problems, _ = problems_of(str(tmp_path))
    assert [p.message for p in problems] == ["preflight saw 1"]

    rules = dataclasses.replace(preflight, document=lambda m: [problem(m, (), "invalid")])
    _declare(monkeypatch, Kind.ENDPOINT, rules)
    problems, _ = problems_of(str(tmp_path))
    assert [p.message for p in problems] == ["invalid"]


def test_preflight_problems_include_the_capacity_of_an_ic_variant() -> None:
    config = Manifest(
        Kind.ENDPOINT_CONFIG,
        "cfg",
        {
            "ProductionVariants": [
                {"VariantName": "v", "InstanceType": "ml.g5.xlarge", "InitialInstanceCount": 1}
            ]
        },
        Location("c.yaml", 1),
    )
    endpoint = Manifest(Kind.ENDPOINT, "ep", {"EndpointConfigName": "cfg"}, Location("e.yaml", 1))
    requirements = {"MinMemoryRequiredInMb": 1024, "NumberOfAcceleratorDevicesRequired": 2}
    ic_spec = {
        "EndpointName": "ep",
        "Specification": {"ModelName": "m", "ComputeResourceRequirements": requirements},
        "RuntimeConfig": {"CopyCount": 1},
    }
    ic = Manifest(Kind.INFERENCE_COMPONENT, "ic", ic_spec, Location("i.yaml", 1))
    [found] = preflight_problems([config, endpoint, ic])
    assert (found.address, found.field) == ("InferenceComponent/ic", "spec.RuntimeConfig.CopyCount")
    assert found.message.startswith(
        "Endpoint/ep variant v: needs 2 accelerators, ml.g5.xlarge x 1 has 1"
    )
