"""The AWS JSON 1.1 protocol as SageMaker speaks it: request checks and response shaping.

- :func:`request_problem` validates a request body against the operation's input shape
  (server-side, as AWS does: required members, types, enums — instance types included —,
  lengths, ranges, name patterns) and words the answer like AWS.
- :func:`shape_output` keeps only what the operation's output shape defines, so that the
  emulator cannot answer with a field AWS would not send.
- :func:`encode_response` turns datetimes into the epoch seconds the protocol uses.
- :func:`encode_error` words an error in the protocol of the service asked (XML for IAM,
  STS, S3, EC2; JSON or CBOR otherwise), so that botocore parses it into a ClientError.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import uuid
from typing import Any
from xml.sax.saxutils import escape

from reconciler import apimodel
from reconciler.emulator.errors import AwsError, status_for, validation

JsonDict = dict[str, Any]


def _describe_value(value: object) -> str:
    text = json.dumps(value, default=str) if not isinstance(value, str) else value
    return text if len(text) <= 80 else text[:77] + "..."


def _value_at(body: object, path: tuple[str | int, ...]) -> object:
    current: Any = body
    for part in path:
        try:
            current = current[part]
        except (KeyError, IndexError, TypeError):
            return None
    return current


def request_problem(operation: str, body: JsonDict, service: str = "sagemaker") -> AwsError | None:
    """A ValidationException for everything wrong with `body`, or None when it is valid."""
    shape = apimodel.input_shape(operation, service)
    problems = apimodel.validate(body, shape)
    if not problems:
        return None
    details = [
        f"Value '{_describe_value(_value_at(body, p.path))}' at '{p.dotted_path}' failed to "
        f"satisfy constraint: {p.message}"
        for p in problems
    ]
    count = len(details)
    noun = "error" if count == 1 else "errors"
    return validation(f"{count} validation {noun} detected: " + "; ".join(details))


def shape_output(value: Any, shape: Any) -> Any:
    """`value` reduced to what `shape` (a botocore output shape) defines."""
    if shape is None or value is None:
        return value
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return value
        return {
            name: shape_output(value[name], member)
            for name, member in shape.members.items()
            if value.get(name) is not None
        }
    if kind == "list" and isinstance(value, list):
        return [shape_output(item, shape.member) for item in value]
    if kind == "map" and isinstance(value, dict):
        return {k: shape_output(v, shape.value) for k, v in value.items()}
    return value


def response_problems(operation: str, response: JsonDict, service: str = "sagemaker") -> list[str]:
    """What is wrong with a response the emulator built (used in strict mode)."""
    shape = apimodel.service_model(service).operation_model(operation).output_shape
    if shape is None:
        return []
    return [f"{p.dotted_path}: {p.message}" for p in apimodel.validate(response, shape)]


def _default(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.timestamp()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


JSON_HEADERS = [("Content-Type", "application/x-amz-json-1.1")]
CBOR_HEADERS = [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor")]


def decode(body: bytes, *, cbor: bool) -> JsonDict:
    """A request body as a dict (JSON 1.1, or Smithy RPC v2 CBOR); ValueError if malformed."""
    if not body:
        return {}
    if cbor:
        import cbor2

        try:
            value = cbor2.loads(body)
        except Exception as err:  # cbor2 raises several error types for bad input
            raise ValueError(f"Malformed CBOR body: {err}") from err
    else:
        try:
            value = json.loads(body)
        except ValueError as err:
            raise ValueError("Malformed JSON body") from err
    if not isinstance(value, dict):
        raise ValueError("Expected an object")
    return value


def encode_response(value: object, *, cbor: bool) -> tuple[bytes, list[tuple[str, str]]]:
    if cbor:
        import cbor2

        return cbor2.dumps(value, datetime_as_timestamp=True, timezone=dt.UTC), CBOR_HEADERS
    return json.dumps(value, default=_default).encode(), JSON_HEADERS


# The wire protocols botocore's service models name (``metadata.protocol``).
Wire = str
XML_HEADERS = [("Content-Type", "text/xml")]


@functools.cache
def wire_protocol(service: str | None) -> Wire | None:
    """The protocol a service speaks, from botocore's model of it (``query`` for IAM and
    STS, ``rest-xml`` for S3, ``ec2``, ``json``, ``rest-json``); None when the name (the
    SigV4 signing name) is not a service botocore knows by that name."""
    if not service:
        return None
    try:
        return str(apimodel.service_model(service).protocol)
    except Exception:  # botocore's UnknownServiceError and friends
        return None


def encode_error(
    code: str, message: str, *, cbor: bool = False, wire: Wire | None = None
) -> tuple[bytes, list[tuple[str, str]]]:
    """An error body in the request's own protocol, the way botocore's parser for that
    protocol reads it (botocore/parsers.py: QueryParser, EC2QueryParser, RestXMLParser,
    BaseJSONParser): XML ``<ErrorResponse><Error>`` for query services, ``<Response><Errors>``
    for EC2, ``<Error>`` for S3, ``{"__type", "message"}`` for JSON (with the
    ``x-amzn-ErrorType`` header rest-json parsers read), CBOR for RPC v2 CBOR."""
    if cbor or wire == "smithy-rpc-v2-cbor":
        return encode_response({"__type": code, "message": message}, cbor=True)
    fields = f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
    request_id = f"<RequestId>{uuid.uuid4()}</RequestId>"
    if wire == "query":
        sender = "Receiver" if status_for(code) >= 500 else "Sender"
        body = f"<ErrorResponse><Error><Type>{sender}</Type>{fields}</Error>{request_id}</ErrorResponse>"
        return body.encode(), XML_HEADERS
    if wire == "ec2":
        body = f"<Response><Errors><Error>{fields}</Error></Errors><RequestID>{uuid.uuid4()}</RequestID></Response>"
        return body.encode(), XML_HEADERS
    if wire == "rest-xml":
        return f"<Error>{fields}{request_id}</Error>".encode(), XML_HEADERS
    payload, headers = encode_response({"__type": code, "message": message}, cbor=False)
    if wire == "rest-json":
        headers = [("Content-Type", "application/json"), ("x-amzn-ErrorType", code)]
    return payload, headers
