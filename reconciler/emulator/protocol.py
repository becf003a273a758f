"""The AWS JSON 1.1 protocol as SageMaker speaks it: request checks and response shaping.

- :func:`request_problem` validates a request body against the operation's input shape
  (server-side, as AWS does: required members, types, enums — instance types included —,
  lengths, ranges, name patterns) and words the answer like AWS.
- :func:`shape_output` keeps only what the operation's output shape defines, so that the
  emulator cannot answer with a field AWS would not send.
- :func:`encode` turns datetimes into the epoch seconds the protocol uses.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from reconciler import apimodel
from reconciler.emulator.errors import AwsError, validation

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


def encode_error(code: str, message: str, *, cbor: bool) -> tuple[bytes, list[tuple[str, str]]]:
    return encode_response({"__type": code, "message": message}, cbor=cbor)
