"""Overlays: a directory rendered from bases with patches, a name prefix and suffix, common
tags and ``${VAR}`` substitution — and every problem at the file and line that caused it,
base or overlay (reconciler.manifests.overlays, patches, substitution)."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler import cli
from reconciler.manifests import Loaded, load
from reconciler.manifests.substitution import substituted
from reconciler.resources import Kind, Location, Manifest
from tests.support.autoscaling import COPY_COUNT, target, target_tracking

ROLE = "arn:aws:iam::123456789012:role/SageMakerExecution"
IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:0.29.0-lmi11.0.0-cu124"

BASE = f"""\
apiVersion: sagemaker-reconciler/v1
kind: Model
metadata:
  name: chat-model
  tags: {{team: ml}}
spec:
  ExecutionRoleArn: {ROLE}
  PrimaryContainer:
    Image: {IMAGE}
    Environment: {{LOG_LEVEL: info, MAX_TOKENS: "512"}}
---
apiVersion: sagemaker-reconciler/v1
kind: EndpointConfig
metadata:
  name: gpu
  tags: {{team: ml, environment: base}}
spec:
  ExecutionRoleArn: {ROLE}
  ProductionVariants:
    - VariantName: AllTraffic
      InstanceType: ml.g5.2xlarge
      InitialInstanceCount: 1
---
apiVersion: sagemaker-reconciler/v1
kind: Endpoint
metadata:
  name: gpu
spec:
  EndpointConfigName: gpu
---
apiVersion: sagemaker-reconciler/v1
kind: InferenceComponent
metadata:
  name: chat
spec:
  EndpointName: gpu
  VariantName: AllTraffic
  Specification:
    ModelName: chat-model
    ComputeResourceRequirements: {{MinMemoryRequiredInMb: 1024, NumberOfAcceleratorDevicesRequired: 1}}
  RuntimeConfig: {{CopyCount: 1}}
---
apiVersion: sagemaker-reconciler/v1
kind: InferenceComponent
metadata:
  name: legacy
spec:
  EndpointName: hand-made-endpoint
  VariantName: AllTraffic
  Specification:
    ModelName: hand-made-model
    ComputeResourceRequirements: {{MinMemoryRequiredInMb: 1024, NumberOfAcceleratorDevicesRequired: 1}}
  RuntimeConfig: {{CopyCount: 1}}
"""

HEAD = "apiVersion: sagemaker-reconciler/v1\nkind: Overlay\n"


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Path]:
    """A repository with ``base/fleet.yaml``; the working directory is its root, so that
    messages name files as a user at the root sees them."""
    write(tmp_path, "base/fleet.yaml", BASE)
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(cwd)


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def overlay(root: Path, directory: str, body: str) -> None:
    write(root, f"{directory}/overlay.yaml", HEAD + textwrap.dedent(body))


def line_of(root: Path, name: str, text: str) -> int:
    """The 1-based line of the first line holding `text` in file `name`."""
    for number, line in enumerate((root / name).read_text().splitlines(), 1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {name}")


def get(loaded: Loaded, kind: Kind, name: str) -> Manifest:
    manifest = loaded.get(kind, name)
    assert manifest is not None, [m.address for m in loaded.manifests]
    return manifest


def messages(loaded: Loaded) -> list[str]:
    return [str(p) for p in loaded.problems]


# --- patches ---------------------------------------------------------------------------


def test_patch_merges_mappings_and_variants_by_name(repo: Path) -> None:
    overlay(repo, "overlays/staging", "bases: [../../base]\npatches: [patches/gpu.yaml]\n")
    write(
        repo,
        "overlays/staging/patches/gpu.yaml",
        """\
        apiVersion: sagemaker-reconciler/v1
        kind: EndpointConfig
        metadata: {name: gpu}
        spec:
          ProductionVariants:
            - VariantName: AllTraffic
              InitialInstanceCount: 3
            - VariantName: Canary
              InstanceType: ml.g5.2xlarge
              InitialInstanceCount: 1
        ---
        kind: Model
        metadata: {name: chat-model}
        spec:
          PrimaryContainer:
            Environment: {LOG_LEVEL: debug}
        """,
    )
    loaded = load("overlays/staging")
    assert loaded.ok, messages(loaded)
    variants = get(loaded, Kind.ENDPOINT_CONFIG, "gpu").spec["ProductionVariants"]
    # The base's variant keeps what the patch does not say; the new one is appended.
    assert variants == [
        {"VariantName": "AllTraffic", "InstanceType": "ml.g5.2xlarge", "InitialInstanceCount": 3},
        {"VariantName": "Canary", "InstanceType": "ml.g5.2xlarge", "InitialInstanceCount": 1},
    ]
    container = get(loaded, Kind.MODEL, "chat-model").spec["PrimaryContainer"]
    assert container["Environment"] == {"LOG_LEVEL": "debug", "MAX_TOKENS": "512"}
    assert container["Image"] == IMAGE
    # The patch file is one of the files read (a saved plan's digest covers it).
    assert "overlays/staging/patches/gpu.yaml" in loaded.files
    assert "base/fleet.yaml" in loaded.files


def test_patch_null_removes_a_key_and_a_list_without_key_is_replaced(repo: Path) -> None:
    write(
        repo,
        "base/scaling.yaml",
        target("chat-copies", "inference-component/chat", COPY_COUNT, 1, 4),
    )
    overlay(
        repo,
        "overlays/staging",
        """\
        bases: [../../base]
        patches:
          - kind: Model
            metadata: {name: chat-model}
            spec:
              PrimaryContainer:
                Environment: {MAX_TOKENS: null}
          - kind: Endpoint
            metadata: {name: gpu}
            spec:
              DeploymentConfig:
                AutoRollbackConfiguration:
                  Alarms: [{AlarmName: latency}]
        """,
    )
    loaded = load("overlays/staging")
    model = get(loaded, Kind.MODEL, "chat-model")
    assert model.spec["PrimaryContainer"]["Environment"] == {"LOG_LEVEL": "info"}
    endpoint = get(loaded, Kind.ENDPOINT, "gpu")
    assert endpoint.spec["DeploymentConfig"]["AutoRollbackConfiguration"]["Alarms"] == [
        {"AlarmName": "latency"}
    ]


def test_delete_marker_removes_a_variant_a_key_and_a_whole_document(repo: Path) -> None:
    write(
        repo,
        "base/two-variants.yaml",
        """\
        apiVersion: sagemaker-reconciler/v1
        kind: EndpointConfig
        metadata: {name: ab}
        spec:
          ProductionVariants:
            - {VariantName: A, ModelName: chat-model, InstanceType: ml.m5.xlarge, InitialInstanceCount: 1}
            - {VariantName: B, ModelName: chat-model, InstanceType: ml.m5.xlarge, InitialInstanceCount: 1}
          KmsKeyId: arn:aws:kms:us-east-1:123456789012:key/abc
        """,
    )
    overlay(
        repo,
        "overlays/dev",
        """\
        bases: [../../base]
        patches:
          - kind: EndpointConfig
            metadata: {name: ab}
            spec:
              ProductionVariants:
                - {VariantName: B, $patch: delete}
              KmsKeyId: {$patch: delete}
          - kind: InferenceComponent
            metadata: {name: legacy}
            $patch: delete
        """,
    )
    loaded = load("overlays/dev")
    assert loaded.ok, messages(loaded)
    config = get(loaded, Kind.ENDPOINT_CONFIG, "ab")
    assert [v["VariantName"] for v in config.spec["ProductionVariants"]] == ["A"]
    assert "KmsKeyId" not in config.spec
    assert loaded.get(Kind.INFERENCE_COMPONENT, "legacy") is None


def test_replace_marker_replaces_a_mapping_whole(repo: Path) -> None:
    overlay(
        repo,
        "overlays/dev",
        """\
        bases: [../../base]
        patches:
          - kind: Model
            metadata: {name: chat-model}
            spec:
              PrimaryContainer:
                Environment: {$patch: replace, ONLY: "1"}
        """,
    )
    loaded = load("overlays/dev")
    assert get(loaded, Kind.MODEL, "chat-model").spec["PrimaryContainer"]["Environment"] == {
        "ONLY": "1"
    }


def test_replace_item_replaces_a_named_list_whole(repo: Path) -> None:
    overlay(
        repo,
        "overlays/dev",
        """\
        bases: [../../base]
        patches:
          - kind: EndpointConfig
            metadata: {name: gpu}
            spec:
              ProductionVariants:
                - $patch: replace
                - {VariantName: Small, InstanceType: ml.g5.xlarge, InitialInstanceCount: 1}
        """,
    )
    loaded = load("overlays/dev")
    variants = get(loaded, Kind.ENDPOINT_CONFIG, "gpu").spec["ProductionVariants"]
    assert variants == [
        {"VariantName": "Small", "InstanceType": "ml.g5.xlarge", "InitialInstanceCount": 1}
    ]


def test_patch_naming_no_document_is_an_error_at_the_patch(repo: Path) -> None:
    overlay(repo, "overlays/staging", "bases: [../../base]\npatches: [patch.yaml]\n")
    write(
        repo,
        "overlays/staging/patch.yaml",
        """\
        # a patch for an endpoint that was renamed in the base
        kind: Endpoint
        metadata:
          name: gpus
        spec: {EndpointConfigName: gpu}
        """,
    )
    loaded = load("overlays/staging")
    line = line_of(repo, "overlays/staging/patch.yaml", "name: gpus")
    assert messages(loaded) == [
        f"overlays/staging/patch.yaml:{line}: metadata.name: the patch names no Endpoint named "
        "'gpus'; did you mean 'gpu'?: a patch changes a document of the bases or of this "
        "overlay, named as they name it (before this overlay's prefix and suffix)"
    ]


def test_delete_of_a_missing_item_and_an_item_without_key_are_errors(repo: Path) -> None:
    overlay(
        repo,
        "overlays/dev",
        """\
        bases: [../../base]
        patches:
          - kind: EndpointConfig
            metadata: {name: gpu}
            spec:
              ProductionVariants:
                - {VariantName: Nope, $patch: delete}
                - {InitialInstanceCount: 2}
        """,
    )
    loaded = load("overlays/dev")
    found = messages(loaded)
    nope = line_of(repo, "overlays/dev/overlay.yaml", "Nope")
    keyless = line_of(repo, "overlays/dev/overlay.yaml", "{InitialInstanceCount: 2}")
    assert any(
        m.startswith(f"overlays/dev/overlay.yaml:{nope}: EndpointConfig/gpu: ")
        and "nothing to delete: no item with VariantName 'Nope'" in m
        for m in found
    ), found
    assert any(
        m.startswith(f"overlays/dev/overlay.yaml:{keyless}: ") and "needs its VariantName" in m
        for m in found
    ), found


def test_invalid_value_from_a_patch_is_reported_at_the_patch_line(repo: Path) -> None:
    overlay(repo, "overlays/prod", "bases: [../../base]\npatches: [patches/size.yaml]\n")
    write(
        repo,
        "overlays/prod/patches/size.yaml",
        """\
        kind: EndpointConfig
        metadata: {name: gpu}
        spec:
          ProductionVariants:
            - VariantName: AllTraffic
              InstanceType: ml.g5.huge
        """,
    )
    loaded = load("overlays/prod")
    line = line_of(repo, "overlays/prod/patches/size.yaml", "ml.g5.huge")
    [problem] = loaded.problems
    assert problem.location == Location("overlays/prod/patches/size.yaml", line)
    assert problem.field == "spec.ProductionVariants[0].InstanceType"
    assert "'ml.g5.huge' is not a valid InstanceType" in problem.message
    # A problem with a value the patch left alone still points at the base.
    config = get(loaded, Kind.ENDPOINT_CONFIG, "gpu")
    count = ("ProductionVariants", 0, "InitialInstanceCount")
    assert config.location_of(count) == Location(
        "base/fleet.yaml", line_of(repo, "base/fleet.yaml", "InitialInstanceCount")
    )


def test_a_patch_gives_one_environment_checks_of_its_own(repo: Path) -> None:
    overlay(repo, "overlays/prod", "bases: [../../base]\npatches: [patches/checks.yaml]\n")
    write(
        repo,
        "overlays/prod/patches/checks.yaml",
        """\
        kind: InferenceComponent
        metadata: {name: chat}
        checks:
          invocations:
            - {name: smoke, body: hi, expect: {maxLatencyMs: 500}}
          alarms: [chat-errors]
        """,
    )
    loaded = load("overlays/prod")
    assert loaded.ok, messages(loaded)
    checks = get(loaded, Kind.INFERENCE_COMPONENT, "chat").checks
    assert checks is not None and checks.alarms == ("chat-errors",)
    [call] = checks.invocations
    assert (call.name, call.body, call.max_latency_ms) == ("smoke", "hi", 500)
    # The base, rendered alone, has none.
    assert get(load("base"), Kind.INFERENCE_COMPONENT, "chat").checks is None


def test_a_check_a_patch_adds_is_refused_at_the_patch_s_file_and_line(repo: Path) -> None:
    overlay(repo, "overlays/prod", "bases: [../../base]\npatches: [patches/checks.yaml]\n")
    write(
        repo,
        "overlays/prod/patches/checks.yaml",
        """\
        kind: Endpoint
        metadata: {name: gpu}
        checks:
          invocations:
            - name: smoke
              body: hi
              targetVariant: Canary
        """,
    )
    loaded = load("overlays/prod")
    where = Location(
        "overlays/prod/patches/checks.yaml",
        line_of(repo, "overlays/prod/patches/checks.yaml", "- name: smoke"),
    )
    # Both of validate's objections to it (kinds/endpoint_rules.py) point at the patch.
    problems = {p.field: p for p in loaded.problems}
    assert set(problems) == {
        "checks.invocations[0].targetVariant",
        "checks.invocations[0].inferenceComponent",
    }, messages(loaded)
    assert {p.location for p in problems.values()} == {where}
    assert (
        "EndpointConfig/gpu has no variant 'Canary'"
        in problems["checks.invocations[0].targetVariant"].message
    )
    checks = get(loaded, Kind.ENDPOINT, "gpu").checks
    assert checks is not None and checks.invocations[0].location == where


def test_remove_drops_a_document_and_names_a_missing_one(repo: Path) -> None:
    overlay(
        repo,
        "overlays/dev",
        """\
        bases: [../../base]
        remove:
          - {kind: InferenceComponent, name: legacy}
          - {kind: InferenceComponent, name: ghost}
        """,
    )
    loaded = load("overlays/dev")
    assert loaded.get(Kind.INFERENCE_COMPONENT, "legacy") is None
    line = line_of(repo, "overlays/dev/overlay.yaml", "ghost")
    assert messages(loaded) == [
        f"overlays/dev/overlay.yaml:{line}: remove: remove names no InferenceComponent named "
        "'ghost'; there are chat"
    ]


# --- names ----------------------------------------------------------------------------


def test_prefix_and_suffix_rename_documents_and_references_to_them_only(repo: Path) -> None:
    write(
        repo,
        "base/scaling.yaml",
        target("chat-copies", "inference-component/chat", COPY_COUNT, 1, 4)
        + "---\n"
        + target_tracking(
            "chat-invocations",
            "inference-component/chat",
            COPY_COUNT,
            5.0,
            "SageMakerInferenceComponentInvocationsPerCopy",
        ),
    )
    overlay(repo, "overlays/staging", "bases: [../../base]\nnamePrefix: staging-\nnameSuffix: -a\n")
    loaded = load("overlays/staging")
    assert loaded.ok, messages(loaded)
    assert sorted(m.name for m in loaded.manifests) == [
        "staging-chat-a",
        "staging-chat-copies-a",
        "staging-chat-invocations-a",
        "staging-chat-model-a",
        "staging-gpu-a",
        "staging-gpu-a",
        "staging-legacy-a",
    ]
    assert get(loaded, Kind.ENDPOINT, "staging-gpu-a").spec["EndpointConfigName"] == "staging-gpu-a"
    chat = get(loaded, Kind.INFERENCE_COMPONENT, "staging-chat-a").spec
    assert chat["EndpointName"] == "staging-gpu-a"
    assert chat["Specification"]["ModelName"] == "staging-chat-model-a"
    # References to resources that are not manifests (existing ones, ARNs) are left alone.
    legacy = get(loaded, Kind.INFERENCE_COMPONENT, "staging-legacy-a").spec
    assert legacy["EndpointName"] == "hand-made-endpoint"
    assert legacy["Specification"]["ModelName"] == "hand-made-model"
    assert get(loaded, Kind.MODEL, "staging-chat-model-a").spec["ExecutionRoleArn"] == ROLE
    # A reference inside a value (an Application Auto Scaling ResourceId) is renamed too.
    copies = get(loaded, Kind.SCALABLE_TARGET, "staging-chat-copies-a").spec
    assert copies["ResourceId"] == "inference-component/staging-chat-a"
    policy = get(loaded, Kind.SCALING_POLICY, "staging-chat-invocations-a").spec
    assert policy["ResourceId"] == "inference-component/staging-chat-a"


def test_nested_overlays_apply_the_inner_prefix_first(repo: Path) -> None:
    overlay(repo, "overlays/eu", "bases: [../../base]\nnamePrefix: eu-\n")
    overlay(
        repo,
        "overlays/eu-prod",
        """\
        bases: [../eu]
        namePrefix: prod-
        patches:
          - kind: InferenceComponent
            metadata: {name: eu-chat}
            spec: {RuntimeConfig: {CopyCount: 2}}
        """,
    )
    loaded = load("overlays/eu-prod")
    assert loaded.ok, messages(loaded)
    chat = get(loaded, Kind.INFERENCE_COMPONENT, "prod-eu-chat")
    assert chat.spec["RuntimeConfig"] == {"CopyCount": 2}
    assert chat.spec["EndpointName"] == "prod-eu-gpu"
    assert "overlays/eu/overlay.yaml" in loaded.files


def test_a_name_made_too_long_by_the_prefix_is_reported_at_the_base(repo: Path) -> None:
    overlay(repo, "overlays/long", f"bases: [../../base]\nnamePrefix: {'x' * 50}-\n")
    loaded = load("overlays/long")
    model = [p for p in loaded.problems if p.address and p.address.startswith("Model/")]
    assert [p.location for p in model] == [
        Location("base/fleet.yaml", line_of(repo, "base/fleet.yaml", "name: chat-model"))
    ]
    assert "Model names can be at most 54" in model[0].message


def test_physical_name_annotation_is_not_renamed(repo: Path) -> None:
    write(
        repo,
        "base/adopted.yaml",
        f"""\
        apiVersion: sagemaker-reconciler/v1
        kind: Model
        metadata:
          name: adopted
          annotations: {{sagemaker-reconciler/adopt: "true", sagemaker-reconciler/physical-name: old-model}}
        spec:
          ExecutionRoleArn: {ROLE}
          PrimaryContainer: {{Image: {IMAGE}}}
        """,
    )
    overlay(repo, "overlays/staging", "bases: [../../base]\nnamePrefix: staging-\n")
    loaded = load("overlays/staging")
    assert get(loaded, Kind.MODEL, "staging-adopted").annotations.physical_name == "old-model"
    # An overlay that should not adopt drops the annotations with a patch (null removes).
    overlay(
        repo,
        "overlays/fresh",
        """\
        bases: [../../base]
        patches:
          - kind: Model
            metadata:
              name: adopted
              annotations: {sagemaker-reconciler/physical-name: null, sagemaker-reconciler/adopt: null}
        """,
    )
    fresh = get(load("overlays/fresh"), Kind.MODEL, "adopted").annotations
    assert fresh.physical_name is None and not fresh.adopt


# --- tags -----------------------------------------------------------------------------


def test_common_tags_win_over_the_documents_own_and_a_patch_wins_over_them(repo: Path) -> None:
    write(
        repo,
        "base/scaling.yaml",
        target("chat-copies", "inference-component/chat", COPY_COUNT, 1, 4)
        + "---\n"
        + target_tracking(
            "chat-invocations",
            "inference-component/chat",
            COPY_COUNT,
            5.0,
            "SageMakerInferenceComponentInvocationsPerCopy",
        ),
    )
    overlay(
        repo,
        "overlays/staging",
        """\
        bases: [../../base]
        tags: {environment: staging, cost-center: "42"}
        patches:
          - kind: Endpoint
            metadata:
              name: gpu
              tags: {environment: staging-blue}
        """,
    )
    loaded = load("overlays/staging")
    assert loaded.ok, messages(loaded)
    config = get(loaded, Kind.ENDPOINT_CONFIG, "gpu")
    assert config.tags == {"team": "ml", "environment": "staging", "cost-center": "42"}
    assert get(loaded, Kind.ENDPOINT, "gpu").tags == {
        "environment": "staging-blue",
        "cost-center": "42",
    }
    # A scaling policy cannot be tagged (it is ours through its target): it gets none.
    assert get(loaded, Kind.SCALING_POLICY, "chat-invocations").tags == {}
    assert get(loaded, Kind.SCALABLE_TARGET, "chat-copies").tags["environment"] == "staging"


def test_a_bad_common_tag_is_reported_at_the_overlay(repo: Path) -> None:
    overlay(repo, "overlays/staging", "bases: [../../base]\ntags: {aws:env: staging}\n")
    loaded = load("overlays/staging")
    line = line_of(repo, "overlays/staging/overlay.yaml", "tags:")
    assert {p.location for p in loaded.problems} == {
        Location("overlays/staging/overlay.yaml", line)
    }
    assert all("reserved by AWS" in p.message for p in loaded.problems)


# --- substitution ---------------------------------------------------------------------


def test_substitution_set_default_typed_and_escaped(repo: Path) -> None:
    write(
        repo,
        "app/model.yaml",
        f"""\
        apiVersion: sagemaker-reconciler/v1
        kind: Model
        metadata:
          name: m
          tags: {{account: "${{ACCOUNT}}"}}
        spec:
          ExecutionRoleArn: arn:aws:iam::${{ACCOUNT}}:role/SageMakerExecution
          PrimaryContainer:
            Image: {IMAGE}
            Environment:
              LOG_LEVEL: ${{LOG_LEVEL:=info}}
              TEMPLATE: "$${{HOME}}/x"
        ---
        apiVersion: sagemaker-reconciler/v1
        kind: EndpointConfig
        metadata: {{name: c}}
        spec:
          ProductionVariants:
            - VariantName: AllTraffic
              ModelName: m
              InstanceType: ml.m5.xlarge
              InitialInstanceCount: ${{COUNT}}
        """,
    )
    loaded = load("app", {"ACCOUNT": "000000000042", "COUNT": 3})
    assert loaded.ok, messages(loaded)
    model = get(loaded, Kind.MODEL, "m")
    assert model.spec["ExecutionRoleArn"] == "arn:aws:iam::000000000042:role/SageMakerExecution"
    assert model.tags == {"account": "000000000042"}  # quoted: stays a string
    assert model.spec["PrimaryContainer"]["Environment"] == {
        "LOG_LEVEL": "info",
        "TEMPLATE": "${HOME}/x",
    }
    config = get(loaded, Kind.ENDPOINT_CONFIG, "c")
    assert config.spec["ProductionVariants"][0]["InitialInstanceCount"] == 3  # plain: a number


def test_a_plain_directory_without_variables_is_read_as_before(repo: Path) -> None:
    write(
        repo,
        "app/model.yaml",
        f"""\
        apiVersion: sagemaker-reconciler/v1
        kind: Model
        metadata: {{name: m}}
        spec:
          ExecutionRoleArn: {ROLE}
          PrimaryContainer:
            Image: {IMAGE}
            Environment: {{SCRIPT: "${{HOME}}/run"}}
        """,
    )
    loaded = load("app")
    assert loaded.ok, messages(loaded)
    assert get(loaded, Kind.MODEL, "m").spec["PrimaryContainer"]["Environment"] == {
        "SCRIPT": "${HOME}/run"
    }


def test_an_unset_variable_is_an_error_at_its_line(repo: Path) -> None:
    overlay(
        repo,
        "overlays/staging",
        """\
        bases: [../../base]
        patches:
          - kind: Model
            metadata: {name: chat-model}
            spec:
              PrimaryContainer:
                Image: ${IMAGE_REPO}/chat:latest
        """,
    )
    loaded = load("overlays/staging")
    line = line_of(repo, "overlays/staging/overlay.yaml", "IMAGE_REPO")
    assert messages(loaded) == [
        f"overlays/staging/overlay.yaml:{line}: Model/chat-model: spec.PrimaryContainer.Image: "
        "variable ${IMAGE_REPO} is not set and has no default: set it in the target's "
        "variables, or write ${IMAGE_REPO:=default}"
    ]
    with_value = load("overlays/staging", {"IMAGE_REPO": "123.dkr.ecr.us-east-1.amazonaws.com"})
    assert with_value.ok, messages(with_value)
    image = get(with_value, Kind.MODEL, "chat-model").spec["PrimaryContainer"]["Image"]
    assert image == "123.dkr.ecr.us-east-1.amazonaws.com/chat:latest"


@pytest.mark.parametrize(
    ("text", "plain", "expected"),
    [
        ("${A}", True, 7),
        ("${A}", False, "7"),
        ("x-${A}-${B:=b}", True, "x-7-b"),
        ("${B:=true}", True, True),
        ("$${A}", True, "${A}"),
        ("cost: ${B:=}", True, "cost: "),
    ],
)
def test_substitution_rules(text: str, plain: bool, expected: object) -> None:
    assert substituted(text, {"A": 7}, plain=plain) == (expected, [])


@pytest.mark.parametrize(
    ("text", "wrong"),
    [
        ("${}", "is not a variable reference"),
        ("${A-b}", "is not a variable reference"),
        ("a ${B", "unclosed"),
    ],
)
def test_malformed_references_are_errors(text: str, wrong: str) -> None:
    _, problems = substituted(text, {"A": 1})
    assert len(problems) == 1 and wrong in problems[0]


# --- the overlay file -----------------------------------------------------------------


def test_a_cycle_of_overlays_is_an_error_naming_the_files(repo: Path) -> None:
    overlay(repo, "overlays/a", "bases: [../b]\n")
    overlay(repo, "overlays/b", "bases: [../a, ../../base]\n")
    loaded = load("overlays/a")
    line = line_of(repo, "overlays/b/overlay.yaml", "bases:")
    assert messages(loaded) == [
        f"overlays/b/overlay.yaml:{line}: bases: overlay cycle: overlays/a/overlay.yaml → "
        "overlays/b/overlay.yaml → overlays/a/overlay.yaml"
    ]


def test_a_base_reached_twice_under_one_name_is_an_error(repo: Path) -> None:
    overlay(repo, "overlays/a", "bases: [../../base]\n")
    overlay(repo, "overlays/b", "bases: [../../base, ../a]\n")
    loaded = load("overlays/b")
    where = get(loaded, Kind.ENDPOINT, "gpu").location
    assert (
        f"{where}: Endpoint/gpu is this one document reached twice through "
        "the bases, under one name: include its base once, or give the overlays that include "
        "it different name prefixes" in messages(loaded)
    )
    assert not [m for m in messages(loaded) if "defined twice" in m]


def test_two_overlays_of_one_base_with_their_own_prefixes_may_be_bases_together(
    repo: Path,
) -> None:
    overlay(repo, "overlays/blue", "bases: [../../base]\nnamePrefix: blue-\n")
    overlay(repo, "overlays/green", "bases: [../../base]\nnamePrefix: green-\n")
    overlay(repo, "overlays/both", "bases: [../blue, ../green]\n")
    loaded = load("overlays/both")
    assert loaded.ok, messages(loaded)
    assert get(loaded, Kind.INFERENCE_COMPONENT, "green-chat").spec["EndpointName"] == "green-gpu"
    assert get(loaded, Kind.INFERENCE_COMPONENT, "blue-chat").spec["EndpointName"] == "blue-gpu"


def test_yaml_issues_of_the_overlay_file_are_reported(repo: Path) -> None:
    overlay(repo, "overlays/a", "bases: [../../base]\nnamePrefix: a-\nnamePrefix: b-\n")
    found = messages(load("overlays/a"))
    assert len(found) == 1 and found[0].startswith("overlays/a/overlay.yaml:5: namePrefix: ")
    assert "duplicate key 'namePrefix'" in found[0]


def test_overlay_file_mistakes_are_reported_with_lines(repo: Path) -> None:
    overlay(
        repo,
        "overlays/bad",
        """\
        bases: [../../base, ../../nowhere]
        namePrefx: staging-
        patches: [missing.yaml]
        """,
    )
    found = messages(load("overlays/bad"))
    assert found == [
        "overlays/bad/overlay.yaml:3: bases: base '../../nowhere': nowhere does not exist",
        "overlays/bad/overlay.yaml:4: namePrefx: unknown field 'namePrefx'; did you mean "
        "'namePrefix'?",
        "overlays/bad/overlay.yaml:5: patches: patch file 'missing.yaml' does not exist",
    ]


def test_overlay_documents_of_its_own_are_added_and_patched(repo: Path) -> None:
    overlay(
        repo,
        "overlays/staging",
        """\
        bases: [../../base]
        namePrefix: s-
        patches:
          - kind: Model
            metadata: {name: extra}
            spec: {PrimaryContainer: {Environment: {MODE: staging}}}
        """,
    )
    write(
        repo,
        "overlays/staging/extra.yaml",
        f"""\
        apiVersion: sagemaker-reconciler/v1
        kind: Model
        metadata: {{name: extra}}
        spec:
          ExecutionRoleArn: {ROLE}
          PrimaryContainer: {{Image: {IMAGE}}}
        """,
    )
    loaded = load("overlays/staging")
    assert loaded.ok, messages(loaded)
    extra = get(loaded, Kind.MODEL, "s-extra")
    assert extra.spec["PrimaryContainer"]["Environment"] == {"MODE": "staging"}
    assert extra.location.file == "overlays/staging/extra.yaml"


def test_an_overlay_inside_a_plain_directory_is_pointed_out(repo: Path) -> None:
    overlay(repo, "overlays/staging", "bases: [../../base]\n")
    loaded = load(".")
    assert any(
        "an overlay within a directory of manifests" in m and "overlays/staging" in m
        for m in messages(loaded)
    ), messages(loaded)


# --- reconciler render ----------------------------------------------------------------


def test_render_prints_manifests_that_validate_as_they_are(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    overlay(
        repo,
        "overlays/staging",
        """\
        bases: [../../base]
        namePrefix: staging-
        tags: {environment: staging}
        patches:
          - kind: InferenceComponent
            metadata: {name: chat}
            spec: {Specification: {ComputeResourceRequirements: {MinMemoryRequiredInMb: 2048}}}
        """,
    )
    assert cli.main(["render", "overlays/staging"]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "# base/fleet.yaml:1\n" in out and "name: staging-chat\n" in out
    write(repo, "rendered/all.yaml", out)
    again = load("rendered")
    assert again.ok, messages(again)
    original = load("overlays/staging")
    assert [(m.address, m.spec, m.tags) for m in again.manifests] == [
        (m.address, m.spec, m.tags) for m in original.manifests
    ]


def test_render_fails_without_output_when_rendering_fails(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    overlay(repo, "overlays/staging", "bases: [../../base]\nremove: [{kind: Model, name: x}]\n")
    assert cli.main(["render", "overlays/staging"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert (
        "overlays/staging/overlay.yaml:4: remove: remove names no Model named 'x'" in captured.err
    )


def test_validate_and_render_report_invalid_rendered_manifests(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    overlay(
        repo,
        "overlays/staging",
        """\
        bases: [../../base]
        patches:
          - kind: InferenceComponent
            metadata: {name: chat}
            spec: {RuntimeConfig: {CopyCount: -1}}
        """,
    )
    line = line_of(repo, "overlays/staging/overlay.yaml", "CopyCount")
    assert cli.main(["render", "overlays/staging"]) == 1
    captured = capsys.readouterr()
    assert "CopyCount: -1" in captured.out  # shown, so that the problem can be seen in place
    assert f"overlays/staging/overlay.yaml:{line}: InferenceComponent/chat:" in captured.err
    assert cli.main(["validate", "overlays/staging"]) == 1
    assert f"overlays/staging/overlay.yaml:{line}: " in capsys.readouterr().err


def test_prefix_renames_what_checks_name_with_the_documents_they_name(repo: Path) -> None:
    write(
        repo,
        "base/checked.yaml",
        """\
        apiVersion: sagemaker-reconciler/v1
        kind: Endpoint
        metadata:
          name: hand-made-endpoint-mirror
        spec:
          EndpointConfigName: hand-made-config
        checks:
          invocations:
            - body: hi
              inferenceComponent: chat
            - body: hi
              inferenceComponent: theirs
          alarms: [chat-errors, hand-made-alarm]
        ---
        apiVersion: sagemaker-reconciler/v1
        kind: Alarm
        metadata:
          name: chat-errors
        spec:
          ComparisonOperator: GreaterThanThreshold
          EvaluationPeriods: 1
          MetricName: Invocation5XXErrors
          Namespace: AWS/SageMaker
          Period: 60
          Statistic: Sum
          Threshold: 1
        """,
    )
    overlay(repo, "overlays/staging", "bases: [../../base]\nnamePrefix: staging-\n")
    loaded = load("overlays/staging")
    assert loaded.ok, messages(loaded)
    checks = get(loaded, Kind.ENDPOINT, "staging-hand-made-endpoint-mirror").checks
    assert checks is not None
    # The declared ones follow their documents; the account's keep their names.
    assert [c.inference_component for c in checks.invocations] == ["staging-chat", "theirs"]
    assert checks.alarms == ("staging-chat-errors", "hand-made-alarm")


def test_prefix_renames_the_resources_an_alarm_watches_by_metric_dimension(repo: Path) -> None:
    write(
        repo,
        "base/alarm.yaml",
        """\
        apiVersion: sagemaker-reconciler/v1
        kind: Alarm
        metadata:
          name: chat-no-capacity
        spec:
          ComparisonOperator: GreaterThanThreshold
          EvaluationPeriods: 1
          MetricName: NoCapacityInvocationFailures
          Namespace: AWS/SageMaker
          Period: 60
          Statistic: Sum
          Threshold: 1
          Dimensions:
            - {Name: InferenceComponentName, Value: chat}
            - {Name: EndpointName, Value: gpu}
            - {Name: VariantName, Value: gpu}
            - {Name: EndpointName, Value: hand-made-endpoint}
        """,
    )
    overlay(repo, "overlays/staging", "bases: [../../base]\nnamePrefix: staging-\n")
    loaded = load("overlays/staging")
    assert loaded.ok, messages(loaded)
    alarm = get(loaded, Kind.ALARM, "staging-chat-no-capacity")
    # The declared component and endpoint follow their documents; a variant name and an
    # endpoint of the account's are values like any other.
    assert alarm.spec["Dimensions"] == [
        {"Name": "InferenceComponentName", "Value": "staging-chat"},
        {"Name": "EndpointName", "Value": "staging-gpu"},
        {"Name": "VariantName", "Value": "gpu"},
        {"Name": "EndpointName", "Value": "hand-made-endpoint"},
    ]
