"""The manifest loader: files → manifests and problems, with the line of everything.

Complements ``tests/test_bad_inputs.py`` (one invalid input per case, checked through
``reconciler validate``) with the behaviour a user and the planner rely on: what is read,
what each manifest holds, the lines messages point at, and what is *not* an error.
"""

from __future__ import annotations

import os
import socket
import textwrap
from pathlib import Path
from typing import Any

import pytest

from reconciler import cli
from reconciler.manifests import Loaded, ResolvedReference, field_path_problem, load
from reconciler.resources import Annotations, DeletionPolicy, Kind, Location, Problem

ROLE = "arn:aws:iam::123456789012:role/SageMakerExecution"
IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:0.29.0-lmi11.0.0-cu124"


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def model_doc(name: str = "my-model", extra: str = "") -> str:
    return f"""\
apiVersion: sagemaker-reconciler/v1
kind: Model
metadata:
  name: {name}
{extra}spec:
  ExecutionRoleArn: {ROLE}
  PrimaryContainer:
    Image: {IMAGE}
"""


def messages(loaded: Loaded) -> list[str]:
    return [str(problem) for problem in loaded.problems]


def only_problem(loaded: Loaded) -> Problem:
    assert len(loaded.problems) == 1, messages(loaded)
    return loaded.problems[0]


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in `tmp_path`, so messages name files relative to it."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --------------------------------------------------------------------------- the valid fleet

# An endpoint hosting two inference components (config without ModelName, with a role),
# beside a classic single-model endpoint. Written the way a user would.
HOSTING = f"""\
apiVersion: sagemaker-reconciler/v1
kind: EndpointConfig
metadata:
  name: shared-gpu
  tags: {{team: ml-platform}}
spec:
  ExecutionRoleArn: {ROLE}
  ProductionVariants:
    - VariantName: AllTraffic
      InstanceType: ml.g5.12xlarge
      InitialInstanceCount: 1
      RoutingConfig: {{RoutingStrategy: LEAST_OUTSTANDING_REQUESTS}}
---
apiVersion: sagemaker-reconciler/v1
kind: Endpoint
metadata:
  name: shared-gpu
  annotations:
    sagemaker-reconciler/deletion-policy: retain
spec:
  EndpointConfigName: shared-gpu
---
apiVersion: sagemaker-reconciler/v1
kind: Model
metadata:
  name: llama-model
spec:
  ExecutionRoleArn: {ROLE}
  PrimaryContainer:
    Image: {IMAGE}
    ModelDataUrl: s3://models/llama/model.tar.gz
    Environment:
      HF_MODEL_ID: meta-llama/Llama-3.1-8B-Instruct
      HF_TOKEN: hf_xxx
---
apiVersion: sagemaker-reconciler/v1
kind: InferenceComponent
metadata:
  name: llama-chat
  annotations:
    sagemaker-reconciler/ignore-differences: RuntimeConfig.CopyCount
    sagemaker-reconciler/sensitive: HF_TOKEN
    example.com/owner: alice
spec:
  EndpointName: shared-gpu
  VariantName: AllTraffic
  Specification:
    ModelName: llama-model
    ComputeResourceRequirements: {{MinMemoryRequiredInMb: 16384, NumberOfAcceleratorDevicesRequired: 1}}
  RuntimeConfig: {{CopyCount: 2}}
---
apiVersion: sagemaker-reconciler/v1
kind: InferenceComponent
metadata:
  name: llama-batch
spec:
  EndpointName: shared-gpu
  VariantName: AllTraffic
  Specification:
    ModelName: llama-model
    ComputeResourceRequirements:
      MinMemoryRequiredInMb: 8192
      NumberOfAcceleratorDevicesRequired: 1
  RuntimeConfig: {{CopyCount: 1}}
  DeploymentConfig:
    RollingUpdatePolicy:
      MaximumBatchSize: {{Type: COPY_COUNT, Value: 1}}
      WaitIntervalInSeconds: 60
"""

CLASSIC = f"""\
apiVersion: sagemaker-reconciler/v1
kind: Model
metadata:
  name: fraud-xgb
  tags:
    team: risk
    cost-center: "4711"
spec:
  ExecutionRoleArn: {ROLE}
  PrimaryContainer:
    Image: 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1
    ModelDataUrl: s3://models/fraud/model.tar.gz
---
apiVersion: sagemaker-reconciler/v1
kind: EndpointConfig
metadata:
  name: fraud
spec:
  ProductionVariants:
    - VariantName: AllTraffic
      ModelName: fraud-xgb
      InstanceType: ml.m5.xlarge
      InitialInstanceCount: 2
---
apiVersion: sagemaker-reconciler/v1
kind: Endpoint
metadata:
  name: fraud
spec:
  EndpointConfigName: fraud
  DeploymentConfig:
    BlueGreenUpdatePolicy:
      TrafficRoutingConfiguration: {{Type: ALL_AT_ONCE, WaitIntervalInSeconds: 300}}
  RetainAllVariantProperties: true
"""


@pytest.fixture
def fleet(in_tmp: Path) -> Path:
    write(in_tmp, "manifests/hosting.yaml", HOSTING)
    write(in_tmp, "manifests/fraud/classic.yml", CLASSIC)
    return in_tmp / "manifests"


def test_realistic_fleet_is_valid(fleet: Path) -> None:
    loaded = load(fleet)

    assert messages(loaded) == []
    assert loaded.ok
    assert loaded.files == ["manifests/fraud/classic.yml", "manifests/hosting.yaml"]
    assert [m.address for m in loaded.manifests] == [
        "Model/fraud-xgb",
        "EndpointConfig/fraud",
        "Endpoint/fraud",
        "EndpointConfig/shared-gpu",
        "Endpoint/shared-gpu",
        "Model/llama-model",
        "InferenceComponent/llama-chat",
        "InferenceComponent/llama-batch",
    ]


def test_validate_prints_the_count_and_exits_0(
    fleet: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["validate", str(fleet)]) == 0

    out, err = capsys.readouterr()
    assert out == "8 resources in 2 files are valid\n"
    assert err == ""


def test_validate_makes_no_network_call(
    fleet: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("validate opened a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens there

    assert cli.main(["validate", str(fleet)]) == 0


def test_manifest_holds_the_envelope_and_spec_as_written(fleet: Path) -> None:
    loaded = load(fleet)
    chat = loaded.get(Kind.INFERENCE_COMPONENT, "llama-chat")
    assert chat is not None

    assert chat.name == "llama-chat"
    assert chat.spec["RuntimeConfig"] == {"CopyCount": 2}
    assert chat.location == Location("manifests/hosting.yaml", 36)
    assert chat.tags == {}
    assert chat.annotations == Annotations(
        ignore_differences=("RuntimeConfig.CopyCount",), sensitive=("HF_TOKEN",)
    )
    model = loaded.get(Kind.MODEL, "fraud-xgb")
    assert model is not None
    assert model.tags == {"team": "risk", "cost-center": "4711"}
    endpoint = loaded.get(Kind.ENDPOINT, "shared-gpu")
    assert endpoint is not None
    assert endpoint.annotations.deletion_policy is DeletionPolicy.RETAIN


def test_references_resolve_to_manifests_or_the_account(fleet: Path) -> None:
    write(
        fleet,
        "external.yaml",
        """\
        apiVersion: sagemaker-reconciler/v1
        kind: InferenceComponent
        metadata: {name: adapter}
        spec:
          EndpointName: someone-elses-endpoint
          Specification:
            BaseInferenceComponentName: someone-elses-base
            Container: {ArtifactUrl: s3://models/adapter.tar.gz}
        """,
    )
    loaded = load(fleet)
    assert loaded.ok, messages(loaded)

    def refs(kind: Kind, name: str) -> list[ResolvedReference]:
        manifest = loaded.get(kind, name)
        assert manifest is not None
        return loaded.references(manifest)

    assert refs(Kind.INFERENCE_COMPONENT, "llama-chat") == [
        (("EndpointName",), Kind.ENDPOINT, "shared-gpu", True),
        (("Specification", "ModelName"), Kind.MODEL, "llama-model", True),
    ]
    assert refs(Kind.ENDPOINT_CONFIG, "fraud") == [
        (("ProductionVariants", 0, "ModelName"), Kind.MODEL, "fraud-xgb", True)
    ]
    # A name with no manifest is an existing resource, checked by plan, not by validate.
    assert refs(Kind.INFERENCE_COMPONENT, "adapter") == [
        (("EndpointName",), Kind.ENDPOINT, "someone-elses-endpoint", False),
        (
            ("Specification", "BaseInferenceComponentName"),
            Kind.INFERENCE_COMPONENT,
            "someone-elses-base",
            False,
        ),
    ]
    assert refs(Kind.MODEL, "llama-model") == []


# --------------------------------------------------------------------------- finding files


def test_files_are_found_recursively_with_several_documents_each(in_tmp: Path) -> None:
    write(in_tmp, "m/a.yaml", model_doc("a") + "---\n" + model_doc("b"))
    write(in_tmp, "m/deep/er/c.yml", model_doc("c"))
    write(in_tmp, "m/notes.txt", "not: a manifest\n")
    write(in_tmp, "m/README.md", "# docs\n")
    write(in_tmp, "m/.git/config.yaml", "broken: [\n")
    write(in_tmp, "m/.hidden.yaml", "broken: [\n")

    loaded = load("m")

    assert messages(loaded) == []
    assert loaded.files == ["m/a.yaml", "m/deep/er/c.yml"]
    assert [(m.name, str(m.location)) for m in loaded.manifests] == [
        ("a", "m/a.yaml:1"),
        ("b", "m/a.yaml:10"),
        ("c", "m/deep/er/c.yml:1"),
    ]


def test_empty_documents_and_comments_are_skipped(in_tmp: Path) -> None:
    write(in_tmp, "m/a.yaml", "---\n# nothing yet\n---\n" + model_doc() + "---\n...\n")
    write(in_tmp, "m/empty.yaml", "")

    loaded = load("m")

    assert messages(loaded) == []
    assert [str(m.location) for m in loaded.manifests] == ["m/a.yaml:4"]


def test_empty_directory_is_valid_with_no_resources(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (in_tmp / "m").mkdir()

    assert cli.main(["validate", "m"]) == 0
    assert capsys.readouterr().out == "0 resources in 0 files are valid\n"


def test_order_of_files_and_documents_does_not_matter(tmp_path: Path) -> None:
    documents = [HOSTING.split("---\n")[i] for i in range(5)]  # config, endpoint, model, two ICs
    forward, backward = tmp_path / "forward", tmp_path / "backward"
    for index, document in enumerate(documents):
        write(forward, f"{index}.yaml", document)
    write(backward, "all.yaml", "---\n".join(reversed(documents)))

    def essence(loaded: Loaded) -> set[tuple[str, str]]:
        return {(m.address, repr(m.spec)) for m in loaded.manifests}

    one, other = load(forward), load(backward)
    assert one.ok and other.ok, messages(one) + messages(other)
    assert essence(one) == essence(other)


def test_missing_directory_is_a_problem_without_location(in_tmp: Path) -> None:
    problem = only_problem(load("nowhere"))
    assert problem.location is None
    assert str(problem) == "nowhere: directory does not exist"


def test_a_file_is_not_a_directory(in_tmp: Path) -> None:
    write(in_tmp, "m.yaml", model_doc())
    problem = only_problem(load("m.yaml"))
    assert problem.location is None
    assert "not a directory" in problem.message


def test_symlinked_directory_is_followed(in_tmp: Path) -> None:
    write(in_tmp, "shared/model.yaml", model_doc())
    (in_tmp / "m").mkdir()
    (in_tmp / "m" / "linked").symlink_to(in_tmp / "shared", target_is_directory=True)

    loaded = load("m")

    assert messages(loaded) == []
    assert loaded.files == ["m/linked/model.yaml"]


def test_symlink_loop_is_reported_not_followed(in_tmp: Path) -> None:
    write(in_tmp, "m/sub/model.yaml", model_doc())
    (in_tmp / "m" / "sub" / "back").symlink_to(in_tmp / "m", target_is_directory=True)

    loaded = load("m")

    assert [m.address for m in loaded.manifests] == ["Model/my-model"]
    assert messages(loaded) == [
        "m/sub/back: symlink loop: it leads back to a directory that contains it; remove the link"
    ]


def test_broken_symlink_to_a_manifest_is_reported(in_tmp: Path) -> None:
    (in_tmp / "m").mkdir()
    (in_tmp / "m" / "gone.yaml").symlink_to(in_tmp / "missing.yaml")
    assert (
        str(only_problem(load("m"))) == "m/gone.yaml:1: cannot read: broken symlink or not a file"
    )


def test_unreadable_file_is_reported_with_the_reason(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(in_tmp, "m/a.yaml", model_doc("a"))
    write(in_tmp, "m/secret.yaml", model_doc("b"))
    read_bytes = Path.read_bytes

    def deny(path: Path) -> bytes:
        if path.name == "secret.yaml":
            raise PermissionError(13, "Permission denied")
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", deny)
    loaded = load("m")

    assert messages(loaded) == ["m/secret.yaml:1: cannot read: Permission denied"]
    assert [m.name for m in loaded.manifests] == ["a"]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file_is_reported(in_tmp: Path) -> None:
    path = write(in_tmp, "m/secret.yaml", model_doc())
    path.chmod(0)
    try:
        problem = only_problem(load("m"))
    finally:
        path.chmod(0o644)
    assert str(problem) == "m/secret.yaml:1: cannot read: Permission denied"


def test_paths_outside_the_current_directory_are_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "m/a.yaml", model_doc(extra="  tags: {aws:x: y}\n"))
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")

    problem = only_problem(load(tmp_path / "m"))

    assert problem.location == Location(str(tmp_path / "m" / "a.yaml"), 5)


# --------------------------------------------------------------------------- YAML and lines


def test_lines_of_nested_spec_fields_and_list_items(in_tmp: Path) -> None:
    write(in_tmp, "m/x.yaml", HOSTING)
    loaded = load("m")
    config = loaded.get(Kind.ENDPOINT_CONFIG, "shared-gpu")
    batch = loaded.get(Kind.INFERENCE_COMPONENT, "llama-batch")
    assert config is not None and batch is not None

    assert config.lines[()] == 6  # the "spec:" line
    assert config.lines[("ProductionVariants",)] == 8
    assert config.lines[("ProductionVariants", 0)] == 9
    assert config.lines[("ProductionVariants", 0, "VariantName")] == 9
    assert config.lines[("ProductionVariants", 0, "RoutingConfig", "RoutingStrategy")] == 12
    path = ("DeploymentConfig", "RollingUpdatePolicy", "MaximumBatchSize", "Value")
    assert batch.lines[path] == 67
    # A missing field points at its parent.
    assert config.line_of(("ProductionVariants", 0, "ModelName")) == 9


def test_every_spec_path_has_a_line(fleet: Path) -> None:
    def paths(value: object, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
        found = [path]
        if isinstance(value, dict):
            for key, item in value.items():
                found += paths(item, (*path, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                found += paths(item, (*path, index))
        return found

    for manifest in load(fleet).manifests:
        assert set(paths(manifest.spec)) == set(manifest.lines), manifest.address


def test_scalars_are_read_as_json_would_hold_them(in_tmp: Path) -> None:
    write(
        in_tmp,
        "m/a.yaml",
        model_doc(
            extra="""\
  tags:
    account: 0123456789
    since: 2024-01-01
    mode: "on"
    ratio: "1.5"
"""
        ),
    )
    write(
        in_tmp,
        "m/b.yaml",
        """\
        apiVersion: sagemaker-reconciler/v1
        kind: EndpointConfig
        metadata: {name: scalars}
        spec:
          ProductionVariants:
            - VariantName: v
              ModelName: m
              InstanceType: ml.m5.large
              InitialInstanceCount: 1
              InitialVariantWeight: 1e0
              ContainerStartupHealthCheckTimeoutInSeconds: 600
        """,
    )
    loaded = load("m")
    assert messages(loaded) == []
    model = loaded.get(Kind.MODEL, "my-model")
    config = loaded.get(Kind.ENDPOINT_CONFIG, "scalars")
    assert model is not None and config is not None
    # Leading zeros, dates and quoted text stay strings (YAML 1.1 would make 1234567890 or
    # 342391 of the account id and a date object of `since`).
    assert model.tags == {
        "account": "0123456789",
        "since": "2024-01-01",
        "mode": "on",
        "ratio": "1.5",
    }
    variant = config.spec["ProductionVariants"][0]
    assert variant["InitialVariantWeight"] == 1.0
    assert variant["InitialInstanceCount"] == 1
    assert type(variant["InitialInstanceCount"]) is int


def test_yaml_11_booleans_are_reported_not_guessed(in_tmp: Path) -> None:
    write(
        in_tmp,
        "m/a.yaml",
        model_doc(
            extra="  tags:\n    enabled: yes\n",
        ).replace("  PrimaryContainer:", "  EnableNetworkIsolation: off\n  PrimaryContainer:"),
    )
    loaded = load("m")
    assert messages(loaded) == [
        "m/a.yaml:6: Model/my-model: metadata.tags.enabled: 'yes' is a boolean in YAML 1.1 "
        "but a string in YAML 1.2; write 'yes' in quotes for the string, or true/false for "
        "a boolean",
        "m/a.yaml:9: Model/my-model: spec.EnableNetworkIsolation: 'off' is a boolean in "
        "YAML 1.1 but a string in YAML 1.2; write 'off' in quotes for the string, or "
        "true/false for a boolean",
    ]


def test_anchors_aliases_and_merge_keys(in_tmp: Path) -> None:
    write(
        in_tmp,
        "m/a.yaml",
        f"""\
        apiVersion: sagemaker-reconciler/v1
        kind: EndpointConfig
        metadata: {{name: merged}}
        spec:
          ProductionVariants:
            - &base
              VariantName: blue
              ModelName: m
              InstanceType: ml.m5.large
              InitialInstanceCount: 1
            - <<: *base
              VariantName: green
          ExecutionRoleArn: {ROLE}
        """,
    )
    loaded = load("m")
    assert messages(loaded) == []
    config = loaded.manifests[0]
    blue, green = config.spec["ProductionVariants"]
    assert green == {**blue, "VariantName": "green"}
    assert config.lines[("ProductionVariants", 1, "VariantName")] == 12
    assert config.lines[("ProductionVariants", 1, "ModelName")] == 8  # from the anchor


def test_alias_bombs_are_refused(in_tmp: Path) -> None:
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 8)]
    write(in_tmp, "m/bomb.yaml", "\n".join(levels) + "\n")

    problem = only_problem(load("m"))

    assert "document too large" in problem.message


# --------------------------------------------------------------------------- envelope


def test_all_problems_are_reported_sorted_by_file_and_line(in_tmp: Path) -> None:
    write(
        in_tmp,
        "m/b.yaml",
        """\
        apiVersion: sagemaker-reconciler/v2
        kind: Model
        metadata:
          name: my_model
          tags: {aws:team: x}
        spec:
          PrimaryContainer: {Imag: x}
        """,
    )
    write(in_tmp, "m/a.yaml", "kind: Endpoint\n")

    loaded = load("m")

    assert not loaded.ok
    assert [str(p.location) for p in loaded.problems] == [
        "m/a.yaml:1",  # apiVersion, metadata and spec are missing
        "m/a.yaml:1",
        "m/a.yaml:1",
        "m/b.yaml:1",
        "m/b.yaml:4",
        "m/b.yaml:5",
        "m/b.yaml:7",
    ]
    # The manifest is still returned: its envelope is usable, so its spec was checked too.
    assert [m.address for m in loaded.manifests] == ["Model/my_model"]


def test_problem_text_names_file_line_address_and_field(in_tmp: Path) -> None:
    write(in_tmp, "m/a.yaml", model_doc().replace("    Image:", "    Imagee:"))
    assert messages(load("m")) == [
        "m/a.yaml:8: Model/my-model: spec.PrimaryContainer.Imagee: "
        "unknown field 'Imagee'; did you mean 'Image'?"
    ]


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ("apiVersion: v1\n", "apiVersion: must be 'sagemaker-reconciler/v1', got 'v1'"),
        ("kind: Modle\n", "kind: unknown kind 'Modle'; did you mean 'Model'?"),
        ("kind: endpoint\n", "kind: unknown kind 'endpoint'; did you mean 'Endpoint'?"),
        ("specs: {}\n", "specs: unknown field 'specs'; did you mean 'spec'?"),
        ("metadata: {nam: x}\n", "metadata.nam: unknown field 'nam'; did you mean 'name'?"),
        ("metadata: {name: ''}\n", "metadata.name: must not be empty"),
        ("metadata: {name: x, tags: []}\n", "metadata.tags: expected a mapping, got a list"),
        ("spec: 5\n", "spec: expected a mapping, got 5"),
    ],
)
def test_envelope_problems_are_worded_for_the_user(
    in_tmp: Path, document: str, expected: str
) -> None:
    write(in_tmp, "m/a.yaml", document)
    assert any(expected in text for text in messages(load("m"))), messages(load("m"))


def test_pydantic_wording_never_reaches_the_user(in_tmp: Path) -> None:
    write(
        in_tmp,
        "m/a.yaml",
        """\
        apiVersion: 1
        kind: [Model]
        metadata: {name: 5, tags: {a: 1}, annotations: {b: true}, labels: {}}
        spec: null
        extra: 1
        """,
    )
    text = "\n".join(messages(load("m")))
    for pydantic_phrase in ("Input should", "Field required", "Extra inputs", "pydantic"):
        assert pydantic_phrase not in text


def test_tag_rules(in_tmp: Path) -> None:
    # 50 per resource, less the reconciler's 3 ownership tags, the record and failed-spec.
    tags = "".join(f"    t{i}: v\n" for i in range(45))
    write(in_tmp, "m/ok.yaml", model_doc("forty-five", extra=f"  tags:\n{tags}"))
    write(
        in_tmp,
        "m/bad.yaml",
        model_doc(
            extra="""\
  tags:
    AWS:created-by: me
    sagemaker-reconciler/address: Model/other
    team: "ml<platform>"
    "": empty
"""
        ),
    )
    found = messages(load("m"))
    assert found == [
        'm/bad.yaml:6: Model/my-model: metadata.tags["AWS:created-by"]: '
        "tag keys starting with 'aws:' are reserved by AWS",
        'm/bad.yaml:7: Model/my-model: metadata.tags["sagemaker-reconciler/address"]: '
        "tag keys starting with 'sagemaker-reconciler/' are set by the reconciler",
        "m/bad.yaml:8: Model/my-model: metadata.tags.team: "
        "tag value must match pattern ([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)",
        'm/bad.yaml:9: Model/my-model: metadata.tags[""]: '
        "tag key must be at least 1 character long, got 0",
    ]


# --------------------------------------------------------------------------- annotations


def test_annotations_are_parsed(in_tmp: Path) -> None:
    write(
        in_tmp,
        "m/a.yaml",
        model_doc(
            extra="""\
  annotations:
    sagemaker-reconciler/deletion-policy: retain
    sagemaker-reconciler/adopt: "true"
    sagemaker-reconciler/allow-replace: "false"
    sagemaker-reconciler/physical-name: my-model-2023
    sagemaker-reconciler/sensitive: "HF_TOKEN, API_KEY,"
    sagemaker-reconciler/ignore-differences: >-
      PrimaryContainer.Environment.HF_TOKEN, Containers[0].Image,
      Containers.ModelDataUrl
    kubernetes.io/description: any text the user likes
"""
        ),
    )
    loaded = load("m")
    assert messages(loaded) == []
    assert loaded.manifests[0].annotations == Annotations(
        deletion_policy=DeletionPolicy.RETAIN,
        adopt=True,
        allow_replace=False,
        physical_name="my-model-2023",
        sensitive=("HF_TOKEN", "API_KEY"),
        ignore_differences=(
            "PrimaryContainer.Environment.HF_TOKEN",
            "Containers[0].Image",
            "Containers.ModelDataUrl",
        ),
    )


def test_a_wrong_annotation_falls_back_to_its_default(in_tmp: Path) -> None:
    write(
        in_tmp,
        "m/a.yaml",
        model_doc(extra="  annotations: {sagemaker-reconciler/deletion-policy: keep}\n"),
    )
    loaded = load("m")
    assert messages(loaded) == [
        'm/a.yaml:5: Model/my-model: metadata.annotations["sagemaker-reconciler/deletion-policy"]'
        ": unknown deletion policy 'keep'; expected one of delete, retain"
    ]
    assert loaded.manifests[0].annotations.deletion_policy is DeletionPolicy.DELETE


@pytest.mark.parametrize(
    "path",
    [
        "RuntimeConfig.CopyCount",
        "Specification.Container.Environment.ANY_KEY",
        "Specification.ComputeResourceRequirements.MinMemoryRequiredInMb",
        "DeploymentConfig.RollingUpdatePolicy.WaitIntervalInSeconds",  # update-only
        "Specifications[0].ModelName",
        "Specifications[*].ModelName",
        "Specifications.ModelName",
    ],
)
def test_ignore_differences_accepts_fields_of_the_spec(path: str) -> None:
    assert field_path_problem(Kind.INFERENCE_COMPONENT, path) is None


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("RuntimeConfig.Copycount", "in RuntimeConfig: unknown field 'Copycount'; did you mean"),
        ("InferenceComponentName", "unknown field 'InferenceComponentName'"),
        ("Tags", "unknown field 'Tags'"),
        ("RuntimeConfig.CopyCount.X", "RuntimeConfig.CopyCount has no fields"),
        ("RuntimeConfig[0]", "RuntimeConfig is not a list"),
        ("RuntimeConfig..CopyCount", "not a dotted field path"),
        (".RuntimeConfig", "not a dotted field path"),
        ("RuntimeConfig.", "not a dotted field path"),
    ],
)
def test_ignore_differences_refuses_other_paths(path: str, expected: str) -> None:
    problem = field_path_problem(Kind.INFERENCE_COMPONENT, path)
    assert problem is not None and expected in problem


# --------------------------------------------------------------------------- spec


def test_update_only_options_are_accepted_and_checked(in_tmp: Path) -> None:
    write(
        in_tmp,
        "m/a.yaml",
        """\
        apiVersion: sagemaker-reconciler/v1
        kind: Endpoint
        metadata: {name: ep}
        spec:
          EndpointConfigName: cfg
          RetainAllVariantProperties: true
          RetainDeploymentConfig: false
          ExcludeRetainedVariantProperties:
            - VariantPropertyType: DesiredInstanceCount
            - VariantPropertyType: DesiredSize
        """,
    )
    assert messages(load("m")) == [
        "m/a.yaml:10: Endpoint/ep: spec.ExcludeRetainedVariantProperties[1]"
        ".VariantPropertyType: 'DesiredSize' is not a valid VariantPropertyType; expected one "
        "of DesiredInstanceCount, DesiredWeight, DataCaptureConfig"
    ]


def test_unknown_spec_field_suggests_update_only_options_but_not_name_or_tags(
    in_tmp: Path,
) -> None:
    write(
        in_tmp,
        "m/a.yaml",
        """\
        apiVersion: sagemaker-reconciler/v1
        kind: Endpoint
        metadata: {name: ep}
        spec:
          EndpointConfigName: cfg
          RetainAllVariantProperty: true
          Foo: 1
        """,
    )
    assert messages(load("m")) == [
        "m/a.yaml:6: Endpoint/ep: spec.RetainAllVariantProperty: unknown field "
        "'RetainAllVariantProperty'; did you mean 'RetainAllVariantProperties'?",
        "m/a.yaml:7: Endpoint/ep: spec.Foo: unknown field 'Foo'; expected one of "
        "EndpointConfigName, DeploymentConfig, RetainAllVariantProperties, "
        "ExcludeRetainedVariantProperties, RetainDeploymentConfig",
    ]


def test_name_field_and_tags_belong_in_metadata(in_tmp: Path) -> None:
    write(
        in_tmp,
        "m/a.yaml",
        """\
        apiVersion: sagemaker-reconciler/v1
        kind: Endpoint
        metadata: {name: ep}
        spec:
          EndpointName: ep
          EndpointConfigName: cfg
          Tags: [{Key: team, Value: ml}]
        """,
    )
    assert messages(load("m")) == [
        "m/a.yaml:5: Endpoint/ep: spec.EndpointName: the name comes from metadata.name; "
        "set the name in metadata.name",
        "m/a.yaml:7: Endpoint/ep: spec.Tags: set tags in metadata.tags (a map), which the "
        "reconciler keeps in sync",
    ]


def test_missing_required_field_points_at_its_parent(in_tmp: Path) -> None:
    write(
        in_tmp,
        "m/a.yaml",
        """\
        apiVersion: sagemaker-reconciler/v1
        kind: InferenceComponent
        metadata: {name: ic}
        spec:
          Specification:
            ModelName: m
            ComputeResourceRequirements: {MinMemoryRequiredInMb: 1024}
          RuntimeConfig: {CopyCount: 1}
        """,
    )
    assert messages(load("m")) == [
        "m/a.yaml:4: InferenceComponent/ic: spec.EndpointName: is required"
    ]


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("kind", "length", "ok"),
    [
        (Kind.MODEL, 54, True),
        (Kind.MODEL, 55, False),
        (Kind.ENDPOINT_CONFIG, 55, False),
        (Kind.ENDPOINT, 63, True),
        (Kind.ENDPOINT, 64, False),
        (Kind.INFERENCE_COMPONENT, 63, True),
    ],
)
def test_name_length_leaves_room_for_the_hash_suffix(
    in_tmp: Path, kind: Kind, length: int, ok: bool
) -> None:
    name = "n" * length
    write(
        in_tmp,
        "m/a.yaml",
        f"apiVersion: sagemaker-reconciler/v1\nkind: {kind}\n"
        f"metadata: {{name: {name}}}\nspec: {{}}\n",
    )
    found = [p for p in load("m").problems if p.field == "metadata.name"]
    assert (found == []) is ok
    if kind.value in ("Model", "EndpointConfig") and not ok:
        assert "leaves room for the -<8 hex> content-hash suffix" in found[0].message


@pytest.mark.parametrize("name", ["a", "A-1", "a--b", "x" * 54])
def test_valid_names(in_tmp: Path, name: str) -> None:
    write(in_tmp, "m/a.yaml", model_doc(name))
    assert messages(load("m")) == []


@pytest.mark.parametrize("name", ["-a", "a-", "a_b", "a.b", "ä", "'a b'"])
def test_invalid_names(in_tmp: Path, name: str) -> None:
    write(in_tmp, "m/a.yaml", model_doc(name))
    assert "is not a valid name" in only_problem(load("m")).message


# --------------------------------------------------------------------------- across documents


def test_duplicate_kind_and_name_names_both_places(in_tmp: Path) -> None:
    write(in_tmp, "m/a.yaml", model_doc())
    write(in_tmp, "m/b/b.yaml", "# the same model again\n" + model_doc())
    write(
        in_tmp,
        "m/c.yaml",
        model_doc().replace("kind: Model", "kind: Endpoint").split("spec:")[0]
        + "spec: {EndpointConfigName: x}\n",
    )  # same name, other kind: fine

    assert messages(load("m")) == [
        "m/b/b.yaml:2: Model/my-model: metadata.name: defined twice: at m/a.yaml:1 and at "
        "m/b/b.yaml:2"
    ]


def _ic(variant: str | None = "AllTraffic", endpoint: str = "shared-gpu") -> str:
    variant_line = f"  VariantName: {variant}\n" if variant else ""
    return f"""\
apiVersion: sagemaker-reconciler/v1
kind: InferenceComponent
metadata: {{name: extra}}
spec:
  EndpointName: {endpoint}
{variant_line}  Specification: {{ModelName: llama-model, ComputeResourceRequirements: {{MinMemoryRequiredInMb: 1024}}}}
  RuntimeConfig: {{CopyCount: 1}}
"""


def test_inference_component_variant_must_exist_in_its_endpoint_config(in_tmp: Path) -> None:
    write(in_tmp, "m/hosting.yaml", HOSTING)
    write(in_tmp, "m/ic.yaml", _ic("Blue"))
    assert messages(load("m")) == [
        "m/ic.yaml:6: InferenceComponent/extra: spec.VariantName: Endpoint/shared-gpu runs "
        "EndpointConfig/shared-gpu, which has no variant 'Blue' (its variants: AllTraffic)"
    ]


def test_inference_component_without_variant_name_is_fine(in_tmp: Path) -> None:
    write(in_tmp, "m/hosting.yaml", HOSTING)
    write(in_tmp, "m/ic.yaml", _ic(None))
    assert messages(load("m")) == []


def test_inference_component_on_an_external_endpoint_is_not_checked(in_tmp: Path) -> None:
    write(in_tmp, "m/ic.yaml", _ic("Blue", endpoint="theirs"))
    assert messages(load("m")) == []


def test_inference_component_on_a_single_model_endpoint(in_tmp: Path) -> None:
    write(in_tmp, "m/classic.yaml", CLASSIC)
    write(in_tmp, "m/ic.yaml", _ic(endpoint="fraud"))
    assert messages(load("m")) == [
        "m/ic.yaml:5: InferenceComponent/extra: spec.EndpointName: Endpoint/fraud cannot host "
        "inference components: the variants of EndpointConfig/fraud have a ModelName (a "
        "config for inference components leaves ModelName out and sets ExecutionRoleArn)"
    ]


def test_config_for_inference_components_needs_a_role(in_tmp: Path) -> None:
    write(
        in_tmp, "m/hosting.yaml", HOSTING.replace(f"  ExecutionRoleArn: {ROLE}\n  Prod", "  Prod")
    )
    assert messages(load("m")) == [
        "m/hosting.yaml:8: EndpointConfig/shared-gpu: spec.ProductionVariants[0]: has no "
        "ModelName, so this config hosts inference components, which needs "
        "spec.ExecutionRoleArn (SageMaker refuses the config without it)"
    ]


def test_checks_across_documents_run_on_manifests_with_other_problems(in_tmp: Path) -> None:
    write(
        in_tmp,
        "m/hosting.yaml",
        HOSTING.replace(
            "name: shared-gpu\n  tags: {team: ml-platform}", "name: shared-gpu\n  tags: {aws:x: y}"
        ),
    )
    write(in_tmp, "m/ic.yaml", _ic("Blue"))
    fields = [p.field for p in load("m").problems]
    assert fields == ['metadata.tags["aws:x"]', "spec.VariantName"]


# --------------------------------------------------------------------------- CLI output


def test_validate_prints_every_problem_to_stderr_and_exits_1(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(in_tmp, "m/a.yaml", model_doc("bad_name").replace("kind: Model", "kind: Model\nfoo: 1"))

    assert cli.main(["validate", "m"]) == 1

    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [
        "m/a.yaml:3: Model/bad_name: foo: unknown field 'foo'; expected one of apiVersion, "
        "kind, metadata, spec, checks",
        "m/a.yaml:5: Model/bad_name: metadata.name: 'bad_name' is not a valid name: use "
        "letters, digits and hyphens, starting and ending with a letter or digit, at most 63 "
        "characters (^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$)",
    ]


# --------------------------------------------------------------------------- SageMaker's rules


def _adapter(name: str, base: str, endpoint: str = "shared-gpu", extra: str = "") -> str:
    return f"""\
apiVersion: sagemaker-reconciler/v1
kind: InferenceComponent
metadata: {{name: {name}}}
spec:
  EndpointName: {endpoint}
  Specification:
    BaseInferenceComponentName: {base}
    Container: {{ArtifactUrl: s3://models/adapters/{name}.tar.gz}}
{extra}"""


def test_an_adapter_on_its_base_is_valid(in_tmp: Path) -> None:
    write(in_tmp, "m/hosting.yaml", HOSTING)
    write(in_tmp, "m/adapter.yaml", _adapter("sql", "llama-chat"))
    assert messages(load("m")) == []


def test_every_adapter_in_a_reference_cycle_is_named_at_its_line(in_tmp: Path) -> None:
    write(in_tmp, "m/hosting.yaml", HOSTING)
    write(in_tmp, "m/self.yaml", _adapter("loop", "loop"))
    write(in_tmp, "m/pair.yaml", _adapter("left", "right") + "---\n" + _adapter("right", "left"))
    # An adapter of a healthy base, beside the cycles, is not reported.
    write(in_tmp, "m/fine.yaml", _adapter("sql", "llama-chat"))

    assert messages(load("m")) == [
        "m/pair.yaml:7: InferenceComponent/left: spec.Specification.BaseInferenceComponentName: "
        "reference cycle among adapter inference components: left (m/pair.yaml:7) → right "
        "(m/pair.yaml:16) → left; each names the next as its base, so none can be created "
        "first",
        "m/pair.yaml:16: InferenceComponent/right: spec.Specification.BaseInferenceComponentName: "
        "reference cycle among adapter inference components: right (m/pair.yaml:16) → left "
        "(m/pair.yaml:7) → right; each names the next as its base, so none can be created "
        "first",
        "m/self.yaml:7: InferenceComponent/loop: spec.Specification.BaseInferenceComponentName: "
        "names InferenceComponent/loop itself as its base: an adapter's base is another "
        "inference component, one that hosts the model",
    ]


def test_a_cycle_through_specifications_is_found(in_tmp: Path) -> None:
    several = """\
apiVersion: sagemaker-reconciler/v1
kind: InferenceComponent
metadata: {name: multi}
spec:
  EndpointName: shared-gpu
  Specifications:
    - InstanceType: ml.g5.12xlarge
      BaseInferenceComponentName: sql
"""
    write(in_tmp, "m/hosting.yaml", HOSTING)
    write(in_tmp, "m/a.yaml", several + "---\n" + _adapter("sql", "multi"))
    found = [(p.location, p.address, p.field) for p in load("m").problems]
    assert found == [
        (
            Location("m/a.yaml", 8),
            "InferenceComponent/multi",
            "spec.Specifications[0].BaseInferenceComponentName",
        ),
        (
            Location("m/a.yaml", 16),
            "InferenceComponent/sql",
            "spec.Specification.BaseInferenceComponentName",
        ),
    ]


def test_an_adapter_of_an_adapter_and_on_another_endpoint(in_tmp: Path) -> None:
    write(in_tmp, "m/hosting.yaml", HOSTING)
    write(
        in_tmp,
        "m/a.yaml",
        _adapter("sql", "llama-chat")
        + "---\n"
        + _adapter("sql-strict", "sql")
        + "---\n"
        + _adapter("elsewhere", "llama-chat", endpoint="other"),
    )
    assert [(p.address, p.message) for p in load("m").problems] == [
        (
            "InferenceComponent/sql-strict",
            "InferenceComponent/sql is an adapter and cannot be a base: name the inference "
            "component that hosts the model it adapts",
        ),
        (
            "InferenceComponent/elsewhere",
            "InferenceComponent/llama-chat runs on endpoint 'shared-gpu', not on 'other': an "
            "adapter runs on its base's endpoint",
        ),
    ]


@pytest.mark.parametrize(
    ("annotations", "allowed"),
    [
        ("", 45),  # 3 ownership tags + the record of declared fields + failed-spec
        ("    sagemaker-reconciler/deletion-policy: retain\n", 44),
        ("    sagemaker-reconciler/physical-name: from-console\n", 44),
        (
            "    sagemaker-reconciler/deletion-policy: retain\n"
            "    sagemaker-reconciler/physical-name: from-console\n",
            43,
        ),
    ],
)
def test_tags_leave_room_for_every_tag_the_reconciler_may_write(
    in_tmp: Path, annotations: str, allowed: int
) -> None:
    def doc(count: int) -> str:
        tags = "".join(f"    t{i}: v\n" for i in range(count))
        extra = f"  annotations:\n{annotations}" if annotations else ""
        return model_doc(f"tags-{count}", extra=f"{extra}  tags:\n{tags}")

    write(in_tmp, "m/ok.yaml", doc(allowed))
    write(in_tmp, "m/bad.yaml", doc(allowed + 1))
    [problem] = load("m").problems
    assert (problem.address, problem.field) == (f"Model/tags-{allowed + 1}", "metadata.tags")
    assert problem.message.startswith(
        f"{allowed + 1} tags: at most {allowed} of your own, since the reconciler adds up to "
        f"{50 - allowed} of its own (sagemaker-reconciler/owner, "
    )


def test_an_endpoint_has_no_physical_name_tag_to_leave_room_for(in_tmp: Path) -> None:
    tags = "".join(f"    t{i}: v\n" for i in range(44))
    write(
        in_tmp,
        "m/e.yaml",
        f"""\
apiVersion: sagemaker-reconciler/v1
kind: Endpoint
metadata:
  name: e
  annotations: {{sagemaker-reconciler/deletion-policy: retain}}
  tags:
{tags}spec: {{EndpointConfigName: c}}
""",
    )
    assert messages(load("m")) == []


def test_valid_serverless_and_shadow_configs_and_pipelines_are_accepted(in_tmp: Path) -> None:
    containers = "".join(f"    - Image: {IMAGE}\n" for _ in range(15))  # botocore's max
    write(in_tmp, "m/classic.yaml", CLASSIC)
    write(
        in_tmp,
        "m/more.yaml",
        f"""\
apiVersion: sagemaker-reconciler/v1
kind: EndpointConfig
metadata: {{name: serverless}}
spec:
  ProductionVariants:
    - VariantName: AllTraffic
      ModelName: fraud-xgb
      ServerlessConfig: {{MemorySizeInMB: 6144, MaxConcurrency: 20, ProvisionedConcurrency: 20}}
---
apiVersion: sagemaker-reconciler/v1
kind: EndpointConfig
metadata: {{name: shadowed}}
spec:
  ProductionVariants:
    - {{VariantName: live, ModelName: fraud-xgb, InstanceType: ml.m5.xlarge, InitialInstanceCount: 1}}
  ShadowProductionVariants:
    - {{VariantName: shadow, ModelName: fraud-xgb, InstanceType: ml.m5.xlarge, InitialInstanceCount: 1}}
---
apiVersion: sagemaker-reconciler/v1
kind: Model
metadata: {{name: pipeline}}
spec:
  ExecutionRoleArn: {ROLE}
  Containers:
{containers}""",
    )
    assert messages(load("m")) == []


def test_one_config_reports_each_broken_variant(in_tmp: Path) -> None:
    write(in_tmp, "m/classic.yaml", CLASSIC)
    write(
        in_tmp,
        "m/c.yaml",
        """\
apiVersion: sagemaker-reconciler/v1
kind: EndpointConfig
metadata: {name: c}
spec:
  ProductionVariants:
    - VariantName: a
      ModelName: fraud-xgb
      InstanceType: ml.m5.xlarge
      InitialInstanceCount: 1
    - VariantName: A
      ModelName: fraud-xgb
      ServerlessConfig: {MemorySizeInMB: 1000, MaxConcurrency: 1}
      InitialInstanceCount: 1
""",
    )
    assert [(p.location.line if p.location else 0, p.field) for p in load("m").problems] == [
        (10, "spec.ProductionVariants[1].VariantName"),
        (12, "spec.ProductionVariants[1].ServerlessConfig.MemorySizeInMB"),  # the model's min
        (13, "spec.ProductionVariants[1].InitialInstanceCount"),
    ]


def test_every_tag_key_the_reconciler_writes_is_counted() -> None:
    from reconciler import resources
    from reconciler.planning import desired

    keys = {
        value
        for name, value in vars(resources).items()
        if name.endswith("_TAG") and isinstance(value, str)
    }
    assert keys == set(resources.RECONCILER_TAGS)
    assert all(key.startswith(resources.TAG_PREFIX) for key in keys)
    assert desired.RETAIN_TAG is resources.RETAIN_TAG  # one definition, not two
