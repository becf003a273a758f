"""How apply judges one check's InvokeEndpoint answer (Executor.invoke, through the fake
gateway): the request it sends, and the evidence a failure carries — status, body excerpt,
latency — for each kind of expectation."""

from __future__ import annotations

import io
import time

import boto3
import pytest

from reconciler.errors import AwsError
from reconciler.execution.executor import Executor
from reconciler.resources import Invocation
from tests.support.gateway import FakeGateway

TARGET = {"EndpointName": "shared", "InferenceComponentName": "chat"}


def _judge(answer: object, call: Invocation) -> tuple[str | None, FakeGateway]:
    aws = FakeGateway({"InvokeEndpoint": answer})  # type: ignore[dict-item]
    return Executor(aws).invoke(TARGET, call), aws


def test_the_request_names_the_target_and_the_declared_headers() -> None:
    call = Invocation("smoke", '{"x": 1}', content_type="application/json", accept="text/csv")
    failure, aws = _judge({"Body": b"{}"}, call)
    assert failure is None
    assert aws.requests("InvokeEndpoint") == [
        {**TARGET, "Body": b'{"x": 1}', "ContentType": "application/json", "Accept": "text/csv"}
    ]


@pytest.mark.parametrize(
    ("body", "call", "expected"),
    [
        (b'{"predictions": [{"label": "cat"}]}', {"json": (("predictions.0.label", "cat"),)}, None),
        (
            b'{"predictions": [{"label": "dog"}]}',
            {"json": (("predictions.0.label", "cat"),)},
            "expected predictions.0.label = 'cat', got 'dog' (status 200,",
        ),
        (b"<html>", {"json": (("a", 1),)}, "the body is not JSON (status 200,"),
        (b"hello world", {"body_matches": "wor.d"}, None),
        (b"hello", {"body_matches": "^bye"}, "the body does not match /^bye/"),
    ],
)
def test_each_expectation_passes_or_fails_with_its_evidence(
    body: bytes, call: dict[str, object], expected: str | None
) -> None:
    failure, _ = _judge({"Body": body}, Invocation("c", "{}", **call))  # type: ignore[arg-type]
    if expected is None:
        assert failure is None
    else:
        assert failure is not None and failure.startswith(expected), failure
        assert repr(body.decode())[:10] in failure  # the body excerpt


def test_a_model_error_is_judged_by_its_original_status() -> None:
    error = AwsError(
        "InvokeEndpoint",
        "ModelError",
        "Received server error (500) from primary",
        temporary=False,
        details={"OriginalStatusCode": 500, "OriginalMessage": "out of memory"},
    )
    failure, _ = _judge(error, Invocation("c", "{}"))
    assert failure is not None
    assert failure.startswith("expected status 200, got 500 (status 500,")
    assert "'out of memory'" in failure
    # A check that expects the model's 4xx/5xx passes on it.
    assert _judge(error, Invocation("c", "{}", status=500))[0] is None


def test_a_refused_invocation_fails_with_aws_words() -> None:
    error = AwsError(
        "InvokeEndpoint",
        "ValidationError",
        "Endpoint shared of account 123456789012 not found.",
        temporary=False,
    )
    failure, _ = _judge(error, Invocation("c", "{}"))
    assert failure == (
        "InvokeEndpoint refused: ValidationError: Endpoint shared of account 123456789012 "
        "not found."
    )


def test_a_long_body_is_cut_in_the_evidence() -> None:
    failure, _ = _judge({"Body": b"x" * 1000}, Invocation("c", "{}", body_matches="y"))
    assert failure is not None and "x" * 200 + "..." in failure and "x" * 201 not in failure


def test_a_slow_answer_fails_the_latency_bound() -> None:
    def slow(request: dict[str, object]) -> dict[str, object]:
        time.sleep(0.05)
        return {"Body": b"{}"}

    failure, _ = _judge(slow, Invocation("c", "{}", max_latency_ms=10))
    assert failure is not None and failure.startswith("took "), failure
    assert "more than 10 ms" in failure
    assert _judge(slow, Invocation("c", "{}", max_latency_ms=5000))[0] is None


def test_a_body_cut_short_in_transit_is_a_failed_check_not_a_crash() -> None:
    # The answer promises more bytes than arrive: botocore's StreamingBody raises as the
    # body is read (IncompleteReadError), which the gateway reads at the edge.
    from botocore.awsrequest import AWSResponse, HeadersDict

    from reconciler.aws import AwsGateway

    def cut_short(request: object, **kwargs: object) -> AWSResponse:
        headers = HeadersDict({"Content-Type": "application/json", "Content-Length": "100"})
        return AWSResponse("https://runtime", 200, headers, io.BytesIO(b'{"la'))  # type: ignore[arg-type]

    runtime = boto3.client("sagemaker-runtime", region_name="us-east-1")
    runtime.meta.events.register_first("before-send", cut_short)
    aws = AwsGateway(clients={"sagemaker-runtime": runtime})
    failure = Executor(aws).invoke(TARGET, Invocation("c", "{}"))
    assert failure is not None and failure.startswith("InvokeEndpoint refused: "), failure
    assert "100" in failure  # botocore's words: expected 100 bytes, got 4
