"""The ``checks:`` section of Endpoint and InferenceComponent manifests: what it reads into
(:class:`~reconciler.resources.Checks`), and each mistake reported at its ``file:line``
and field, with a did-you-mean for a misspelt key. Checks are not part of the spec."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from reconciler.manifests import load
from reconciler.resources import Checks, Invocation, Kind, Location

ENDPOINT = """\
apiVersion: sagemaker-reconciler/v1
kind: Endpoint
metadata:
  name: shop
spec:
  EndpointConfigName: shop-config
"""
COMPONENT = """\
apiVersion: sagemaker-reconciler/v1
kind: InferenceComponent
metadata:
  name: chat
spec:
  EndpointName: shared
  VariantName: AllTraffic
  Specification:
    ModelName: chat-model
    ComputeResourceRequirements: {MinMemoryRequiredInMb: 1024}
  RuntimeConfig: {CopyCount: 1}
"""
MODEL = """\
apiVersion: sagemaker-reconciler/v1
kind: Model
metadata:
  name: m
spec:
  ExecutionRoleArn: arn:aws:iam::123456789012:role/SageMakerExecution
  PrimaryContainer:
    Image: 763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:0.29.0
"""


def _load(tmp_path: Path, document: str, checks: str) -> list[str]:
    (tmp_path / "m.yaml").write_text(document + textwrap.dedent(checks))
    return [str(p) for p in load(tmp_path).problems if "checks" in str(p)]


def test_checks_are_read_beside_the_spec_and_stay_out_of_it(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(
        ENDPOINT
        + textwrap.dedent(
            """\
            checks:
              invocations:
                - name: smoke
                  body: {"inputs": [1, 2]}
                  contentType: application/json
                  accept: application/json
                  targetVariant: AllTraffic
                  expect:
                    status: 200
                    json: {predictions.0.label: cat}
                    bodyMatches: 'cat|dog'
                    maxLatencyMs: 800
              alarms: [shop-5xx]
              bakeSeconds: 30
            """
        )
    )
    loaded = load(tmp_path)
    [manifest] = [m for m in loaded.manifests if m.kind is Kind.ENDPOINT]
    assert manifest.spec == {"EndpointConfigName": "shop-config"}
    file = manifest.location.file
    assert manifest.checks == Checks(
        invocations=(
            Invocation(
                name="smoke",
                body='{"inputs": [1, 2]}',
                content_type="application/json",
                accept="application/json",
                target_variant="AllTraffic",
                status=200,
                json=(("predictions.0.label", "cat"),),
                body_matches="cat|dog",
                max_latency_ms=800,
                location=Location(file, 9),
            ),
        ),
        alarms=("shop-5xx",),
        bake_seconds=30,
    )


def test_a_misspelt_key_is_named_with_its_line_and_a_suggestion(tmp_path: Path) -> None:
    problems = _load(
        tmp_path,
        ENDPOINT,
        """\
        checks:
          invocation:
            - body: hi
        """,
    )
    assert (
        "m.yaml:8: Endpoint/shop: checks.invocation: unknown field 'invocation'; "
        "did you mean 'invocations'?"
    ).replace("m.yaml", str(tmp_path / "m.yaml")) in problems


@pytest.mark.parametrize(
    ("checks", "expected"),
    [
        (
            "checks:\n  invocations:\n    - body: hi\n      expect: {stauts: 200}\n",
            "10: Endpoint/shop: checks.invocations[0].expect.stauts: unknown field 'stauts'; "
            "did you mean 'status'?",
        ),
        (
            "checks:\n  invocations:\n    - contentType: text/csv\n",
            "9: Endpoint/shop: checks.invocations[0].body: is required",
        ),
        (
            "checks:\n  invocations:\n    - body: hi\n      expect:\n        status: '200'\n",
            "11: Endpoint/shop: checks.invocations[0].expect.status: expected a whole number",
        ),
        (
            "checks:\n  invocations:\n    - body: hi\n      expect:\n        bodyMatches: '('\n",
            "11: Endpoint/shop: checks.invocations[0].expect.bodyMatches: is not a regular "
            "expression",
        ),
        (
            "checks:\n  alarms: [a]\n  bakeSeconds: -1\n",
            "9: Endpoint/shop: checks.bakeSeconds: must be between 0 and 3600, got -1",
        ),
        (
            "checks:\n  bakeSeconds: 10\n",
            "7: Endpoint/shop: checks: declares nothing to check",
        ),
        (
            "checks:\n  invocations:\n    - name: a\n      body: x\n    - name: a\n      body: y\n",
            "11: Endpoint/shop: checks.invocations[1].name: 'a' is used twice",
        ),
    ],
)
def test_each_mistake_is_reported_at_its_line(tmp_path: Path, checks: str, expected: str) -> None:
    problems = _load(tmp_path, ENDPOINT, checks)
    line, rest = expected.split(": ", 1)
    want = f"{tmp_path / 'm.yaml'}:{line}: {rest}"
    assert any(p.startswith(want) for p in problems), problems


def test_a_kind_that_serves_nothing_takes_no_checks(tmp_path: Path) -> None:
    problems = _load(tmp_path, MODEL, "checks:\n  invocations:\n    - body: hi\n")
    assert problems == [
        f"{tmp_path / 'm.yaml'}:9: Model/m: checks: a Model takes no checks; checks are "
        "declared on Endpoint, InferenceComponent manifests"
    ]


def test_an_inference_components_check_invokes_the_component_itself(tmp_path: Path) -> None:
    problems = _load(
        tmp_path,
        COMPONENT,
        "checks:\n  invocations:\n    - body: hi\n      inferenceComponent: other\n",
    )
    assert problems == [
        f"{tmp_path / 'm.yaml'}:15: InferenceComponent/chat: "
        "checks.invocations[0].inferenceComponent: cannot be set: an InferenceComponent's "
        "checks invoke the InferenceComponent itself"
    ]


def test_a_misspelt_section_name_is_caught_by_the_envelope(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(ENDPOINT + "check:\n  invocations: []\n")
    problems = [str(p) for p in load(tmp_path).problems]
    assert any("unknown field 'check'; did you mean 'checks'?" in p for p in problems), problems


CONFIG_FOR_COMPONENTS = """\
---
apiVersion: sagemaker-reconciler/v1
kind: EndpointConfig
metadata:
  name: shop-config
spec:
  ExecutionRoleArn: arn:aws:iam::123456789012:role/SageMakerExecution
  ProductionVariants:
    - VariantName: AllTraffic
      InstanceType: ml.g5.2xlarge
      InitialInstanceCount: 1
"""
CONFIG_FOR_A_MODEL = """\
---
apiVersion: sagemaker-reconciler/v1
kind: EndpointConfig
metadata:
  name: shop-config
spec:
  ProductionVariants:
    - VariantName: AllTraffic
      ModelName: m
      InstanceType: ml.m5.large
      InitialInstanceCount: 1
"""


def _endpoint_with(tmp_path: Path, config: str, invocation: str, extra: str = "") -> list[str]:
    checks = "checks:\n  invocations:\n    - body: hi\n" + textwrap.indent(
        textwrap.dedent(invocation), "      "
    )
    (tmp_path / "m.yaml").write_text(ENDPOINT + checks + config + extra)
    return [str(p) for p in load(tmp_path).problems]


def test_a_check_on_an_endpoint_for_inference_components_must_name_one(
    tmp_path: Path,
) -> None:
    # InvokeEndpoint refuses such an endpoint without the component header: validate says
    # so, where apply would have failed after the rollout.
    problems = _endpoint_with(tmp_path, CONFIG_FOR_COMPONENTS, "contentType: text/plain\n")
    assert problems == [
        f"{tmp_path / 'm.yaml'}:9: Endpoint/shop: checks.invocations[0].inferenceComponent: "
        "is required: EndpointConfig/shop-config hosts inference components, and "
        "InvokeEndpoint refuses such an endpoint without one; or declare the check on the "
        "InferenceComponent manifest"
    ]
    # A component of the account's (not declared here) may be named.
    assert _endpoint_with(tmp_path, CONFIG_FOR_COMPONENTS, "inferenceComponent: theirs\n") == []


def test_a_check_names_a_declared_component_on_its_own_manifest_not_the_endpoints(
    tmp_path: Path,
) -> None:
    component = "---\n" + COMPONENT.replace("EndpointName: shared", "EndpointName: shop")
    problems = _endpoint_with(
        tmp_path, CONFIG_FOR_COMPONENTS, "inferenceComponent: chat\n", component
    )
    assert [p.split(": ", 1)[1] for p in problems] == [
        "Endpoint/shop: checks.invocations[0].inferenceComponent: InferenceComponent/chat "
        "is declared: declare this check on its manifest (an Endpoint's checks run before "
        "its InferenceComponents are created or updated)"
    ]


def test_a_check_targets_only_what_the_endpoints_config_has(tmp_path: Path) -> None:
    problems = _endpoint_with(
        tmp_path, CONFIG_FOR_A_MODEL, "targetVariant: Canary\ninferenceComponent: chat\n"
    )
    assert sorted(p.split(": ", 1)[1] for p in problems) == [
        "Endpoint/shop: checks.invocations[0].inferenceComponent: cannot be set: the "
        "variants of EndpointConfig/shop-config host models (ModelName), not inference "
        "components",
        "Endpoint/shop: checks.invocations[0].targetVariant: EndpointConfig/shop-config "
        "has no variant 'Canary' (its variants: AllTraffic)",
    ]
    assert _endpoint_with(tmp_path, CONFIG_FOR_A_MODEL, "targetVariant: AllTraffic\n") == []
