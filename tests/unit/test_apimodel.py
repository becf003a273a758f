"""Tests for reconciler.apimodel against the real SageMaker model bundled with botocore.

Constraints used in expectations are read from the model where they could drift between
botocore releases (e.g. the minimum of InferenceComponentCopyCount), so the tests check the
validator's behaviour rather than a snapshot of the model.
"""

from __future__ import annotations

import bisect
import copy
import datetime as dt
import time
import unicodedata
from typing import Any

import pytest
from botocore.model import OperationNotFoundError, Shape, StringShape

from reconciler import apimodel
from reconciler.apimodel import (
    PROBLEM_CODES,
    ShapeProblem,
    compile_pattern,
    format_path,
    input_shape,
    service_model,
    validate,
)

NAME_PATTERN = "[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}"
ROLE = "arn:aws:iam::123456789012:role/SageMakerExecution"


def shape(name: str) -> Shape:
    return service_model().shape_for(name)


def variant(i: int = 0) -> dict[str, Any]:
    return {
        "VariantName": f"variant-{i}",
        "ModelName": f"model-{i}",
        "InitialInstanceCount": 1,
        "InstanceType": "ml.g5.xlarge",
        "InitialVariantWeight": 1.0,
        "ModelDataDownloadTimeoutInSeconds": 600,
        "ContainerStartupHealthCheckTimeoutInSeconds": 600,
        "RoutingConfig": {"RoutingStrategy": "LEAST_OUTSTANDING_REQUESTS"},
        "ManagedInstanceScaling": {
            "Status": "ENABLED",
            "MinInstanceCount": 1,
            "MaxInstanceCount": 4,
        },
    }


def endpoint_config(variants: int = 1) -> dict[str, Any]:
    return {
        "EndpointConfigName": "my-endpoint-config",
        "ProductionVariants": [variant(i) for i in range(variants)],
        "ExecutionRoleArn": ROLE,
        "DataCaptureConfig": {
            "EnableCapture": True,
            "InitialSamplingPercentage": 20,
            "DestinationS3Uri": "s3://bucket/capture",
            "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
        },
        "Tags": [{"Key": "team", "Value": "ml-platform"}, {"Key": "Équipe", "Value": "数据 1"}],
    }


def inference_component() -> dict[str, Any]:
    return {
        "InferenceComponentName": "llama-ic",
        "EndpointName": "my-endpoint",
        "VariantName": "variant-0",
        "Specification": {
            "ModelName": "llama-model",
            "Container": {
                "Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/llm:latest",
                "ArtifactUrl": "s3://bucket/model.tar.gz",
                "Environment": {"HF_MODEL_ID": "/opt/ml/model", "MAX_TOKENS": "4096"},
            },
            "StartupParameters": {"ModelDataDownloadTimeoutInSeconds": 1200},
            "ComputeResourceRequirements": {
                "NumberOfAcceleratorDevicesRequired": 1,
                "NumberOfCpuCoresRequired": 2.5,
                "MinMemoryRequiredInMb": 1024,
            },
        },
        "RuntimeConfig": {"CopyCount": 2},
        "Tags": [{"Key": "team", "Value": "ml"}],
    }


def cluster() -> dict[str, Any]:
    return {
        "ClusterName": "hyperpod-1",
        "InstanceGroups": [
            {
                "InstanceCount": 2,
                "InstanceGroupName": "workers",
                "InstanceType": "ml.p5.48xlarge",
                "LifeCycleConfig": {
                    "SourceS3Uri": "s3://bucket/lifecycle/",
                    "OnCreate": "on_create.sh",
                },
                "ExecutionRole": ROLE,
                "ThreadsPerCore": 1,
                "InstanceStorageConfigs": [{"EbsVolumeConfig": {"VolumeSizeInGB": 500}}],
                "KubernetesConfig": {"Labels": {"example.com/pool": "gpu"}},
            }
        ],
        "VpcConfig": {"SecurityGroupIds": ["sg-0123456789abcdef0"], "Subnets": ["subnet-0abc"]},
        "Orchestrator": {
            "Eks": {"ClusterArn": "arn:aws:eks:us-east-1:123456789012:cluster/my-eks"}
        },
        "NodeRecovery": "Automatic",
        "Tags": [{"Key": "team", "Value": "ml"}],
    }


def as_tuples(problems: list[ShapeProblem]) -> list[tuple[str, str]]:
    return [(p.dotted_path, p.code) for p in problems]


# --------------------------------------------------------------------------- model access


def test_model_access_is_cached() -> None:
    assert service_model() is service_model("sagemaker")
    assert input_shape("CreateEndpointConfig") is input_shape("CreateEndpointConfig", "sagemaker")
    assert input_shape("CreateEndpointConfig").name == "CreateEndpointConfigInput"


def test_unknown_operation_raises() -> None:
    with pytest.raises(OperationNotFoundError, match="CreateNothing"):
        input_shape("CreateNothing")


# --------------------------------------------------------------------------- valid requests


@pytest.mark.parametrize(
    ("operation", "request_body"),
    [
        ("CreateInferenceComponent", inference_component()),
        ("CreateEndpointConfig", endpoint_config(variants=10)),
        ("CreateCluster", cluster()),
        ("CreateEndpoint", {"EndpointName": "ep", "EndpointConfigName": "cfg"}),
    ],
)
def test_valid_requests_have_no_problems(operation: str, request_body: dict[str, Any]) -> None:
    assert validate(request_body, input_shape(operation)) == []


# --------------------------------------------------------------------------- one rule at a time


def _set(body: dict[str, Any], path: tuple[str | int, ...], value: object) -> dict[str, Any]:
    body = copy.deepcopy(body)
    target: Any = body
    for element in path[:-1]:
        target = target[element]
    target[path[-1]] = value
    return body


def _delete(body: dict[str, Any], path: tuple[str | int, ...]) -> dict[str, Any]:
    body = copy.deepcopy(body)
    target: Any = body
    for element in path[:-1]:
        target = target[element]
    del target[path[-1]]
    return body


COPY_COUNT_MIN = shape("InferenceComponentCopyCount").metadata["min"]
NAME_MAX = shape("InferenceComponentName").metadata["max"]
TAG_KEY_MIN = shape("TagKey").metadata["min"]
VARIANTS_MAX = shape("ProductionVariantList").metadata["max"]

EC = "CreateEndpointConfig"
IC = "CreateInferenceComponent"
CL = "CreateCluster"

# (id, operation, request, expected dotted path, expected code, expected message)
SINGLE_PROBLEM_CASES: list[tuple[str, str, dict[str, Any], str, str, str]] = [
    (
        "enum",
        EC,
        _set(endpoint_config(), ("ProductionVariants", 0, "InstanceType"), "ml.x9.huge"),
        "ProductionVariants[0].InstanceType",
        "enum",
        "'ml.x9.huge' is not a valid InstanceType; expected one of ml.t2.medium, ml.t2.large, "
        "ml.t2.xlarge, ml.t2.2xlarge, ml.m4.xlarge, ml.m4.2xlarge, ml.m4.4xlarge, "
        f"ml.m4.10xlarge, ... ({len(shape('ProductionVariantInstanceType').metadata['enum'])} "
        "values)",
    ),
    (
        "enum-short-list-and-case-suggestion",
        EC,
        _set(
            endpoint_config(),
            ("ProductionVariants", 0, "RoutingConfig", "RoutingStrategy"),
            "least_outstanding_requests",
        ),
        "ProductionVariants[0].RoutingConfig.RoutingStrategy",
        "enum",
        "'least_outstanding_requests' is not a valid RoutingStrategy; expected one of "
        + ", ".join(shape("RoutingStrategy").metadata["enum"])
        + "; did you mean 'LEAST_OUTSTANDING_REQUESTS'?",
    ),
    (
        "enum-in-list-uses-shape-name",
        EC,
        _set(endpoint_config(), ("DataCaptureConfig", "CaptureOptions", 1, "CaptureMode"), "Both"),
        "DataCaptureConfig.CaptureOptions[1].CaptureMode",
        "enum",
        "'Both' is not a valid CaptureMode; expected one of "
        + ", ".join(shape("CaptureMode").metadata["enum"]),
    ),
    (
        "integer-below-min",
        IC,
        _set(inference_component(), ("RuntimeConfig", "CopyCount"), COPY_COUNT_MIN - 1),
        "RuntimeConfig.CopyCount",
        "min",
        f"must be >= {COPY_COUNT_MIN}, got {COPY_COUNT_MIN - 1}",
    ),
    (
        "integer-below-min-in-list",
        EC,
        _set(endpoint_config(), ("ProductionVariants", 0, "InitialInstanceCount"), 0),
        "ProductionVariants[0].InitialInstanceCount",
        "min",
        "must be >= 1, got 0",
    ),
    (
        "integer-above-max",
        EC,
        _set(endpoint_config(), ("DataCaptureConfig", "InitialSamplingPercentage"), 101),
        "DataCaptureConfig.InitialSamplingPercentage",
        "max",
        "must be <= 100, got 101",
    ),
    (
        "float-below-min",
        IC,
        _set(
            inference_component(),
            ("Specification", "ComputeResourceRequirements", "NumberOfCpuCoresRequired"),
            0.1,
        ),
        "Specification.ComputeResourceRequirements.NumberOfCpuCoresRequired",
        "min",
        "must be >= 0.25, got 0.1",
    ),
    (
        "misspelt-member",
        IC,
        {
            **_delete(inference_component(), ("Specification",)),
            "Specificaton": inference_component()["Specification"],
        },
        "Specificaton",
        "unknown-field",
        "unknown field 'Specificaton'; did you mean 'Specification'?",
    ),
    (
        "wrong-case-member",
        IC,
        _set(
            _delete(inference_component(), ("Specification", "ModelName")),
            ("Specification", "modelname"),
            "llama-model",
        ),
        "Specification.modelname",
        "unknown-field",
        "unknown field 'modelname'; did you mean 'ModelName'?",
    ),
    (
        "unknown-member-without-suggestion",
        IC,
        _set(inference_component(), ("RuntimeConfig", "Zzz"), 1),
        "RuntimeConfig.Zzz",
        "unknown-field",
        "unknown field 'Zzz'; expected one of CopyCount",
    ),
    (
        "missing-required",
        IC,
        _delete(inference_component(), ("EndpointName",)),
        "EndpointName",
        "required",
        "is required",
    ),
    (
        "missing-required-nested",
        IC,
        _delete(inference_component(), ("RuntimeConfig", "CopyCount")),
        "RuntimeConfig.CopyCount",
        "required",
        "is required",
    ),
    (
        "wrong-type-in-nested-map",
        IC,
        _set(inference_component(), ("Specification", "Container", "Environment", "WORKERS"), 4),
        "Specification.Container.Environment.WORKERS",
        "type",
        "expected a string, got 4",
    ),
    (
        "map-key-fails-pattern",
        IC,
        _set(inference_component(), ("Specification", "Container", "Environment", "1-BAD"), "x"),
        "Specification.Container.Environment.1-BAD",
        "pattern",
        "key '1-BAD': must match pattern [a-zA-Z_][a-zA-Z0-9_]*",
    ),
    (
        "map-key-with-dots-is-quoted-in-path",
        CL,
        _set(
            cluster(),
            ("InstanceGroups", 0, "KubernetesConfig", "Labels", "example.com/pool"),
            "-gpu",
        ),
        'InstanceGroups[0].KubernetesConfig.Labels["example.com/pool"]',
        "pattern",
        "must match pattern " + shape("ClusterKubernetesLabelValue").metadata["pattern"],
    ),
    (
        "name-fails-pattern",
        IC,
        _set(inference_component(), ("EndpointName",), "my_endpoint"),
        "EndpointName",
        "pattern",
        f"must match pattern {NAME_PATTERN}",
    ),
    (
        "name-too-long",
        IC,
        _set(inference_component(), ("InferenceComponentName",), "a" * (NAME_MAX + 1)),
        "InferenceComponentName",
        "max-length",
        f"must be at most {NAME_MAX} characters long, got {NAME_MAX + 1}",
    ),
    (
        "string-too-short",
        EC,
        _set(endpoint_config(), ("Tags", 0, "Key"), ""),
        "Tags[0].Key",
        "min-length",
        f"must be at least {TAG_KEY_MIN} character long, got 0",
    ),
    (
        "unicode-class-pattern",
        EC,
        _set(endpoint_config(), ("Tags", 0, "Value"), "ml!platform"),
        "Tags[0].Value",
        "pattern",
        "must match pattern " + shape("TagValue").metadata["pattern"],
    ),
    (
        "list-too-short",
        EC,
        _set(endpoint_config(), ("ProductionVariants",), []),
        "ProductionVariants",
        "min-length",
        "must have at least 1 item, got 0",
    ),
    (
        "list-too-long",
        EC,
        endpoint_config(variants=VARIANTS_MAX + 1),
        "ProductionVariants",
        "max-length",
        f"must have at most {VARIANTS_MAX} items, got {VARIANTS_MAX + 1}",
    ),
    (
        "integer-given-string",
        EC,
        _set(endpoint_config(), ("ProductionVariants", 0, "InitialInstanceCount"), "two"),
        "ProductionVariants[0].InitialInstanceCount",
        "type",
        "expected an integer, got 'two'",
    ),
    (
        "integer-given-bool",
        EC,
        _set(endpoint_config(), ("ProductionVariants", 0, "InitialInstanceCount"), True),
        "ProductionVariants[0].InitialInstanceCount",
        "type",
        "expected an integer, got True",
    ),
    (
        "integer-given-float",
        EC,
        _set(endpoint_config(), ("ProductionVariants", 0, "InitialInstanceCount"), 1.0),
        "ProductionVariants[0].InitialInstanceCount",
        "type",
        "expected an integer, got 1.0",
    ),
    (
        "float-given-string",
        EC,
        _set(endpoint_config(), ("ProductionVariants", 0, "InitialVariantWeight"), "1"),
        "ProductionVariants[0].InitialVariantWeight",
        "type",
        "expected a number, got '1'",
    ),
    (
        "boolean-given-string",
        EC,
        _set(endpoint_config(), ("DataCaptureConfig", "EnableCapture"), "true"),
        "DataCaptureConfig.EnableCapture",
        "type",
        "expected a boolean, got 'true'",
    ),
    (
        "string-given-number",
        EC,
        _set(endpoint_config(), ("EndpointConfigName",), 42),
        "EndpointConfigName",
        "type",
        "expected a string, got 42",
    ),
    (
        "null-member",
        EC,
        _set(endpoint_config(), ("ExecutionRoleArn",), None),
        "ExecutionRoleArn",
        "type",
        "must not be null",
    ),
    (
        "null-required-member-is-one-problem",
        EC,
        _set(endpoint_config(), ("EndpointConfigName",), None),
        "EndpointConfigName",
        "type",
        "must not be null",
    ),
    (
        "null-list-item",
        EC,
        _set(endpoint_config(), ("ProductionVariants", 0), None),
        "ProductionVariants[0]",
        "type",
        "must not be null",
    ),
    (
        "structure-given-scalar",
        IC,
        _set(inference_component(), ("RuntimeConfig",), 3),
        "RuntimeConfig",
        "type",
        "expected an object, got 3",
    ),
    (
        "list-given-object",
        EC,
        _set(endpoint_config(), ("ProductionVariants",), {"VariantName": "v"}),
        "ProductionVariants",
        "type",
        "expected a list, got an object",
    ),
    (
        "map-given-list",
        IC,
        _set(inference_component(), ("Specification", "Container", "Environment"), ["A=1"]),
        "Specification.Container.Environment",
        "type",
        "expected an object, got a list",
    ),
    (
        "union-with-no-member",
        CL,
        _set(cluster(), ("InstanceGroups", 0, "InstanceStorageConfigs", 0), {}),
        "InstanceGroups[0].InstanceStorageConfigs[0]",
        "required",
        "exactly one of EbsVolumeConfig, FsxLustreConfig, FsxOpenZfsConfig must be set",
    ),
    (
        "union-with-two-members",
        CL,
        _set(
            cluster(),
            ("InstanceGroups", 0, "InstanceStorageConfigs", 0, "FsxOpenZfsConfig"),
            {"DnsName": "fs-0123456789abcdef0.fsx.us-east-1.amazonaws.com"},
        ),
        "InstanceGroups[0].InstanceStorageConfigs[0]",
        "type",
        "only one member may be set, got EbsVolumeConfig, FsxOpenZfsConfig",
    ),
]


@pytest.mark.parametrize(
    ("operation", "request_body", "path", "code", "message"),
    [case[1:] for case in SINGLE_PROBLEM_CASES],
    ids=[case[0] for case in SINGLE_PROBLEM_CASES],
)
def test_single_problem(
    operation: str, request_body: dict[str, Any], path: str, code: str, message: str
) -> None:
    problems = validate(request_body, input_shape(operation))
    assert [(p.dotted_path, p.code, p.message) for p in problems] == [(path, code, message)]
    assert problems[0].code in PROBLEM_CODES


def test_path_elements_keep_their_types() -> None:
    body = _set(endpoint_config(), ("ProductionVariants", 0, "InstanceType"), "ml.x9.huge")
    [problem] = validate(body, input_shape(EC))
    assert problem.path == ("ProductionVariants", 0, "InstanceType")


def test_close_enum_value_gets_a_suggestion() -> None:
    body = _set(endpoint_config(), ("ProductionVariants", 0, "InstanceType"), "ml.g5.xlarg")
    [problem] = validate(body, input_shape(EC))
    assert problem.message.endswith("; did you mean 'ml.g5.xlarge'?")


def test_snake_case_member_suggests_the_model_name() -> None:
    body = {**_delete(inference_component(), ("RuntimeConfig",)), "runtime_config": {}}
    problems = validate(body, input_shape(IC))
    assert [(p.dotted_path, p.code, p.message) for p in problems] == [
        (
            "runtime_config",
            "unknown-field",
            "unknown field 'runtime_config'; did you mean 'RuntimeConfig'?",
        )
    ]


# --------------------------------------------------------------------------- many problems at once


def test_all_problems_are_reported_at_once() -> None:
    body = {
        "EndpointConfigName": "bad_name" * 10,  # too long AND fails the pattern
        "ProductionVariants": [
            variant(0),
            {
                "VariantName": "v1",
                "InstanceType": "ml.x9.huge",
                "InitialInstanceCount": 0,
                "ModelNme": "model",
                "ServerlessConfig": {"MemorySizeInMB": 512},
            },
        ],
        "Tags": [{"Key": "team"}],
        "KmsKeyId": None,
    }
    problems = validate(body, input_shape(EC))
    assert as_tuples(problems) == [
        ("EndpointConfigName", "max-length"),
        ("EndpointConfigName", "pattern"),
        ("ProductionVariants[1].InstanceType", "enum"),
        ("ProductionVariants[1].InitialInstanceCount", "min"),
        ("ProductionVariants[1].ModelNme", "unknown-field"),
        ("ProductionVariants[1].ServerlessConfig.MemorySizeInMB", "min"),
        ("ProductionVariants[1].ServerlessConfig.MaxConcurrency", "required"),
        ("Tags[0].Value", "required"),
        ("KmsKeyId", "type"),
    ]
    assert all(p.code in PROBLEM_CODES for p in problems)


def test_name_too_long_for_its_pattern_reports_length_and_pattern() -> None:
    problems = validate(
        {"EndpointName": "a" * 64, "EndpointConfigName": "cfg"}, input_shape("CreateEndpoint")
    )
    assert [(p.dotted_path, p.code, p.message) for p in problems] == [
        ("EndpointName", "max-length", "must be at most 63 characters long, got 64"),
        ("EndpointName", "pattern", f"must match pattern {NAME_PATTERN}"),
    ]


def test_empty_request_reports_every_required_member() -> None:
    problems = validate({}, input_shape(IC))
    required = input_shape(IC).required_members
    assert as_tuples(problems) == [(name, "required") for name in required]


# --------------------------------------------------------------------------- options


def test_ignore_members_makes_top_level_members_optional() -> None:
    body = _delete(_delete(inference_component(), ("InferenceComponentName",)), ("Tags",))
    shape_ = input_shape(IC)
    assert as_tuples(validate(body, shape_)) == [("InferenceComponentName", "required")]
    assert (
        validate(body, shape_, ignore_members=frozenset({"InferenceComponentName", "Tags"})) == []
    )


def test_ignored_members_are_still_validated_when_present() -> None:
    body = _set(inference_component(), ("InferenceComponentName",), "bad name")
    problems = validate(body, input_shape(IC), ignore_members=frozenset({"InferenceComponentName"}))
    assert as_tuples(problems) == [("InferenceComponentName", "pattern")]


def test_ignore_members_applies_to_the_top_level_only() -> None:
    # Tag.Key is required inside every tag even though "Key" is in ignore_members.
    body = _set(inference_component(), ("Tags",), [{"Value": "x"}])
    problems = validate(body, input_shape(IC), ignore_members=frozenset({"Key", "CopyCount"}))
    assert as_tuples(problems) == [("Tags[0].Key", "required")]
    body = _delete(inference_component(), ("RuntimeConfig", "CopyCount"))
    problems = validate(body, input_shape(IC), ignore_members=frozenset({"CopyCount"}))
    assert as_tuples(problems) == [("RuntimeConfig.CopyCount", "required")]


def test_path_prefix_is_prepended() -> None:
    body = _set(inference_component(), ("RuntimeConfig", "CopyCount"), "x")
    [problem] = validate(body, input_shape(IC), path=("spec",))
    assert problem.path == ("spec", "RuntimeConfig", "CopyCount")
    assert str(problem) == "spec.RuntimeConfig.CopyCount: expected an integer, got 'x'"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "must not be null"),
        ([], "expected an object, got a list"),
        ("CreateEndpoint", "expected an object, got 'CreateEndpoint'"),
    ],
)
def test_root_problems_have_an_empty_path(value: object, message: str) -> None:
    [problem] = validate(value, input_shape("CreateEndpoint"))
    assert (problem.path, problem.dotted_path, problem.code, problem.message) == (
        (),
        "",
        "type",
        message,
    )
    assert str(problem) == message


# --------------------------------------------------------------------------- scalar shapes


@pytest.mark.parametrize(
    ("shape_name", "value", "expected"),
    [
        ("Timestamp", dt.datetime(2024, 5, 1, tzinfo=dt.UTC), None),
        ("Timestamp", dt.date(2024, 5, 1), None),
        ("Timestamp", "2024-05-01T12:00:00Z", None),
        ("Timestamp", "2024-05-01", None),
        ("Timestamp", 1714564800, None),
        ("Timestamp", 1714564800.5, None),
        ("Timestamp", "yesterday", "type"),
        ("Timestamp", True, "type"),
        ("Gid", 1001, None),
        ("Gid", 1000, "min"),
        ("Gid", 4000001, "max"),
        ("Gid", 2**40, "max"),
        ("Double", 1, None),
        ("Double", 1.5, None),
        ("Double", float("nan"), "type"),
        ("Double", False, "type"),
        ("Boolean", False, None),
        ("Boolean", 0, "type"),
        ("EndpointName", "", "pattern"),  # min 0 in the model, but the pattern needs a character
    ],
)
def test_scalar_shapes(shape_name: str, value: object, expected: str | None) -> None:
    problems = validate(value, shape(shape_name))
    assert [p.code for p in problems] == ([expected] if expected else [])


@pytest.mark.parametrize(
    ("shape_name", "value", "expected"),
    [
        # "integer" is 32-bit, "long" 64-bit: beyond, nothing can carry the value to SageMaker.
        # InitialTaskCount (ProductionVariant.InitialInstanceCount): min 1, no max.
        ("InitialTaskCount", 2**31 - 1, []),
        (
            "InitialTaskCount",
            2**31,
            ["must be <= 2147483647 (a 32-bit integer), got 2147483648"],
        ),
        (
            "InferenceComponentCopyCount",
            2**31,
            ["must be <= 2147483647 (a 32-bit integer), got 2147483648"],
        ),
        # The model's own bound is tighter: reported alone, not twice.
        ("InferenceComponentCopyCount", -(2**31) - 1, ["must be >= 0, got -2147483649"]),
        ("ServerlessMaxConcurrency", 2**40, ["must be <= 200, got 1099511627776"]),
        ("Long", 2**63 - 1, []),
        ("Long", -(2**63), []),
        (
            "Long",
            2**63,
            ["must be <= 9223372036854775807 (a 64-bit long), got 9223372036854775808"],
        ),
        (
            "Long",
            -(2**63) - 1,
            ["must be >= -9223372036854775808 (a 64-bit long), got -9223372036854775809"],
        ),
    ],
)
def test_integers_fit_their_width(shape_name: str, value: int, expected: list[str]) -> None:
    assert [p.message for p in validate(value, shape(shape_name))] == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3.4e38, []),
        (1e39, ["must be <= 3.40282e+38 (a 32-bit float), got 1e+39"]),
        (
            10**40,
            [
                "must be <= 3.40282e+38 (a 32-bit float), got 10000000000000000000000000000000000000000"
            ],
        ),
    ],
)
def test_a_float_fits_single_precision(value: float, expected: list[str]) -> None:
    # VariantWeight (ProductionVariant.InitialVariantWeight) is a "float" with min 0, no max.
    assert [p.message for p in validate(value, shape("VariantWeight"))] == expected


@pytest.mark.parametrize(
    ("value", "ok"), [(b"\x00\x01", True), (bytearray(b"x"), True), ("aGk=", True), (1, False)]
)
def test_blob_shape(value: object, ok: bool) -> None:
    blob = Shape("Blob", {"type": "blob"})
    assert (validate(value, blob) == []) is ok


def test_map_key_of_wrong_type() -> None:
    problems = validate({1: "x"}, shape("EnvironmentMap"))
    assert [(p.dotted_path, p.code, p.message) for p in problems] == [
        ("1", "type", "key 1: expected a string, got 1")
    ]


def test_long_values_are_truncated_in_messages() -> None:
    [problem] = validate("x" * 500, shape("Boolean"))
    assert problem.message == "expected a boolean, got " + repr("x" * 50) + "... (500 characters)"


# --------------------------------------------------------------------------- paths


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ((), ""),
        (("EndpointName",), "EndpointName"),
        (("ProductionVariants", 0, "InstanceType"), "ProductionVariants[0].InstanceType"),
        ((0, "A"), "[0].A"),
        (("Environment", "HF_MODEL_ID"), "Environment.HF_MODEL_ID"),
        (("Labels", "example.com/pool"), 'Labels["example.com/pool"]'),
        (("Labels", ""), 'Labels[""]'),
        (("Labels", "a b", 1), 'Labels["a b"][1]'),
    ],
)
def test_format_path(path: tuple[str | int, ...], expected: str) -> None:
    assert format_path(path) == expected
    assert ShapeProblem(path, "type", "m").dotted_path == expected


# --------------------------------------------------------------------------- Java patterns


def test_every_pattern_in_the_model_compiles() -> None:
    model = service_model()
    patterns = {
        s.metadata["pattern"]
        for s in (model.shape_for(n) for n in model.shape_names)
        if "pattern" in s.metadata
    }
    assert patterns  # sanity
    assert sorted(p for p in patterns if compile_pattern(p) is None) == []


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        # Unicode general categories (TagKey / TagValue)
        (r"([\p{L}\p{Z}\p{N}_.:/=+\-@]*)", "Équipe 1 数据 ٣", True),
        (r"([\p{L}\p{Z}\p{N}_.:/=+\-@]*)", "a!b", False),
        (r"([\p{L}\p{Z}\p{N}_.:/=+\-@]*)", "tab\there", False),
        (r"[\p{L}\p{M}\p{S}\p{N}\p{P}]+", "grp-€", True),
        (r"\P{L}+", "123", True),
        (r"\P{L}+", "12a", False),
        (r"\pL+", "abc", True),
        # POSIX classes are ASCII-only in Java
        (r"arn:[\p{Alnum}\-]+:lambda:x", "arn:aws-cn:lambda:x", True),
        (r"arn:[\p{Alnum}\-]+:lambda:x", "arn:é:lambda:x", False),
        # a quantifier on "$" (CustomerMetadataKey) is dropped
        (r"([\p{L}\p{Z}\p{N}_.:\/=+\-@]*)${1,128}", "key", True),
        # UTF-16 surrogate pairs
        (r"[\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF\t]*", "db 😀\t", True),
        (r"[\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF\t]*", "a\nb", False),
        # whole-value match, Java "." and ASCII \w
        (NAME_PATTERN, "my-endpoint", True),
        (NAME_PATTERN, "my-endpoint-", False),
        (NAME_PATTERN, "x" * 64, False),
        (".*", "a\rb", False),
        (r"[\w-]+", "naïve", False),
        (r"\x{41}\Q.*\E\z", "A.*", True),
        (r"(?<word>a+)b", "aab", True),
    ],
)
def test_java_pattern_translation(pattern: str, value: str, matches: bool) -> None:
    compiled = compile_pattern(pattern)
    assert compiled is not None
    assert (compiled.fullmatch(value) is not None) is matches


@pytest.mark.parametrize(
    "pattern", [r"[a-z&&[^x]]", r"[a[b]]", r"\h+", r"\p{IsLatin}", r"(unclosed"]
)
def test_untranslatable_patterns_are_skipped(pattern: str) -> None:
    assert compile_pattern(pattern) is None
    string = StringShape("S", {"type": "string", "pattern": pattern})
    assert validate("anything", string) == []


def test_category_tables_match_unicodedata() -> None:
    # Planes 4-13 and 15-16 are not scanned but filled in from known Cn/Co ranges; sample the
    # whole code space (including those planes) against unicodedata.
    table = apimodel._category_ranges()

    def contains(category: str, cp: int) -> bool:
        ranges = table[category]
        index = bisect.bisect_right(ranges, (cp, 0x10FFFF)) - 1
        return index >= 0 and ranges[index][0] <= cp <= ranges[index][1]

    for cp in [*range(0, 0x110000, 31), 0x40000, 0xDFFFF, 0xF0000, 0xFFFFE, 0x10FFFF]:
        category = unicodedata.category(chr(cp))
        assert contains(category, cp), (hex(cp), category)
        assert contains(category[0], cp), (hex(cp), category)


# --------------------------------------------------------------------------- speed


def test_validating_ten_variants_is_fast() -> None:
    body = endpoint_config(variants=10)
    shape_ = input_shape(EC)
    assert validate(body, shape_) == []  # warm the caches
    runs = 200
    start = time.perf_counter()
    for _ in range(runs):
        validate(body, shape_)
    per_call = (time.perf_counter() - start) / runs
    assert per_call < 0.002, f"{per_call * 1000:.3f} ms per validation"
