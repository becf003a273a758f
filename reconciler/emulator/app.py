"""The emulator as one WSGI application: control API, our SageMaker operations, moto.

A request goes, in order:
1. ``/_emulator/...``            → the control API (calls, reset, faults, fail, config);
2. every AWS request is counted by operation and may draw an injected fault;
3. ``X-Amz-Target: SageMaker.<Op>`` for an operation in :data:`sagemaker.OPERATIONS`
   → validated against the API model and handled by our extension;
4. anything else (other SageMaker operations, DynamoDB, S3, ...) → moto's server app.

The same app serves HTTP (:mod:`server`) and in-process boto3 clients (:mod:`inprocess`).
"""

from __future__ import annotations

import io
import json
import os
import threading
import uuid
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from reconciler import apimodel
from reconciler.emulator import protocol
from reconciler.emulator.control import Control, ControlError, FaultRule
from reconciler.emulator.errors import AwsError
from reconciler.emulator.lifecycle import Transitions
from reconciler.emulator.sagemaker import Context, NotHandled, load_all
from reconciler.emulator.state import EmulatorState

StartResponse = Callable[..., Any]
Environ = dict[str, Any]

DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"
JSON_CONTENT_TYPE = "application/x-amz-json-1.1"
# How long a "Hang" fault holds a call at most (a test clears the faults to release it).
HANG_SECONDS = 60.0
TAG_OPERATIONS = ("AddTags", "ListTags", "DeleteTags")


def _moto_app() -> Any:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    return DomainDispatcherApplication(create_backend_app)


def _reset_moto() -> None:
    from moto.moto_api._internal.models import moto_api_backend

    moto_api_backend.reset()


def _credential_scope(environ: Environ) -> tuple[str | None, str | None]:
    """(region, service) from a SigV4 Authorization header."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    try:
        scope = auth.split(",")[0].split()[1]
        _, _, region, service, _ = scope.split("/")
    except (IndexError, ValueError):
        return None, None
    return region, service


def _account(environ: Environ) -> str:
    return (
        os.environ.get("MOTO_ACCOUNT_ID")
        or environ.get("HTTP_X_MOTO_ACCOUNT_ID")
        or DEFAULT_ACCOUNT
    )


def _operation_name(environ: Environ, body: bytes) -> str | None:
    """The API operation of a request: from X-Amz-Target (JSON protocols) or the query
    protocol's Action parameter; None for REST-style requests (S3)."""
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return str(target.rsplit(".", 1)[-1])
    content_type = environ.get("CONTENT_TYPE", "")
    if content_type.startswith("application/x-www-form-urlencoded") and body:
        action = parse_qs(body.decode("utf-8", "replace")).get("Action")
        if action:
            return action[0]
    return None


class EmulatorApp:
    """The whole emulator. `strict` checks every response against the API model's output
    shape and answers 500 when the emulator itself is wrong (on in tests)."""

    def __init__(
        self,
        transitions: Transitions | None = None,
        *,
        seed: int | None = None,
        strict: bool = False,
    ) -> None:
        self.lock = threading.RLock()
        self.control = Control(transitions or Transitions(), seed=seed)
        self.state = EmulatorState()
        self.operations = load_all()
        self.strict = strict
        self._moto = _moto_app()

    # -- WSGI --------------------------------------------------------------------------
    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_emulator/"):
            return self._control_api(environ, start_response)

        # Read the body once; moto gets a fresh stream of the same bytes.
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        operation = _operation_name(environ, body)

        fault = None
        release = self.control.release
        if operation is not None:
            with self.lock:
                self.control.record_call(operation)
                fault = self.control.draw_fault(operation)
                release = self.control.release
        if fault is not None:
            if fault.after:
                # Carry the call out, drop its answer, and fail it.
                from werkzeug.test import run_wsgi_app

                environ["wsgi.input"] = io.BytesIO(body)
                app_iter, _, _ = run_wsgi_app(
                    self._dispatcher(operation, body), environ, buffered=True
                )
                b"".join(app_iter)
            return self._fault(start_response, fault, release)
        return self._dispatch(environ, start_response, operation, body)

    def _fault(
        self, start_response: StartResponse, fault: FaultRule, release: threading.Event
    ) -> Iterable[bytes]:
        if fault.error == "Hang":
            release.wait(HANG_SECONDS)
            return self._error(
                start_response, AwsError("InternalFailure", "The call was held, then released")
            )
        return self._error(start_response, AwsError(fault.error, fault.message, fault.status))

    def _dispatcher(self, operation: str | None, body: bytes) -> Callable[..., Iterable[bytes]]:
        def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
            return self._dispatch(environ, start_response, operation, body)

        return app

    def _dispatch(
        self, environ: Environ, start_response: StartResponse, operation: str | None, body: bytes
    ) -> Iterable[bytes]:
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if (
            operation is not None
            and target.startswith("SageMaker.")
            and operation in self.operations
        ):
            try:
                return self._sagemaker(environ, start_response, operation, body)
            except NotHandled:
                if operation in TAG_OPERATIONS:
                    return self._moto_tags(environ, start_response)
        return self._moto(environ, start_response)  # type: ignore[no-any-return]

    def _moto_tags(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        """Tag calls on resources moto keeps: moto crashes (HTTP 500) on an ARN it does not
        know, where SageMaker answers a ValidationException."""
        from werkzeug.test import run_wsgi_app

        app_iter, status, headers = run_wsgi_app(self._moto, environ, buffered=True)
        payload = b"".join(app_iter)
        if status.startswith("5"):
            return self._error(
                start_response, AwsError("ValidationException", "Resource does not exist")
            )
        start_response(status, list(headers.items()))
        return [payload]

    # -- SageMaker ---------------------------------------------------------------------
    def _sagemaker(
        self, environ: Environ, start_response: StartResponse, operation: str, body: bytes
    ) -> Iterable[bytes]:
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            return self._error(
                start_response, AwsError("SerializationException", "Malformed JSON body")
            )
        if not isinstance(request, dict):
            return self._error(
                start_response, AwsError("SerializationException", "Expected a JSON object")
            )
        problem = protocol.request_problem(operation, request)
        if problem is not None:
            return self._error(start_response, problem)
        region, _ = _credential_scope(environ)
        try:
            with self.lock:
                ctx = Context(
                    state=self.state.region(_account(environ), region or DEFAULT_REGION),
                    control=self.control,
                )
                result = self.operations[operation](ctx, request) or {}
                shape = apimodel.service_model().operation_model(operation).output_shape
                response = protocol.shape_output(result, shape) if shape is not None else {}
        except AwsError as err:
            return self._error(start_response, err)
        except NotHandled:
            raise
        except Exception as err:  # an emulator bug: say so loudly, in the AWS way
            return self._error(
                start_response,
                AwsError("InternalFailure", f"emulator error in {operation}: {err!r}"),
            )
        if self.strict:
            problems = protocol.response_problems(operation, response)
            if problems:
                return self._error(
                    start_response,
                    AwsError(
                        "InternalFailure",
                        f"emulator answered {operation} off the API model: {problems}",
                    ),
                )
        return self._send(start_response, 200, protocol.encode(response))

    def _send(
        self,
        start_response: StartResponse,
        status: int,
        payload: bytes,
        content_type: str = JSON_CONTENT_TYPE,
    ) -> Iterable[bytes]:
        reasons = {
            200: "OK",
            400: "Bad Request",
            404: "Not Found",
            405: "Method Not Allowed",
            500: "Internal Server Error",
            503: "Service Unavailable",
        }
        start_response(
            f"{status} {reasons.get(status, 'Error')}",
            [
                ("Content-Type", content_type),
                ("Content-Length", str(len(payload))),
                ("x-amzn-RequestId", str(uuid.uuid4())),
            ],
        )
        return [payload]

    def _error(self, start_response: StartResponse, err: AwsError) -> Iterable[bytes]:
        return self._send(start_response, err.status, protocol.error_body(err.code, err.message))

    # -- control API -------------------------------------------------------------------
    def reset(self) -> None:
        """Empty every account and region, moto's too, and zero the counters."""
        with self.lock:
            self.state.reset()
            self.control.reset()
            _reset_moto()

    def _control_api(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        route = environ.get("PATH_INFO", "").removeprefix("/_emulator/").strip("/")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""

        def reply(status: int, value: object) -> Iterable[bytes]:
            return self._send(
                start_response, status, json.dumps(value).encode(), "application/json"
            )

        try:
            body = json.loads(raw) if raw.strip() else {}
        except ValueError:
            return reply(400, {"error": "body must be JSON"})
        if not isinstance(body, dict):
            return reply(400, {"error": "body must be a JSON object"})
        try:
            with self.lock:
                if route == "calls" and method == "GET":
                    return reply(200, dict(self.control.calls))
                if route == "reset" and method == "POST":
                    self.reset()
                    return reply(200, {"reset": True})
                if route == "faults" and method == "POST":
                    rule = self.control.add_fault(body)
                    return reply(200, {"id": rule.id})
                if route == "faults" and method == "GET":
                    return reply(200, {"faults": self.control.fault_list()})
                if route == "faults" and method == "DELETE":
                    self.control.clear_faults()
                    return reply(200, {"faults": []})
                if route == "fail" and method == "POST":
                    self.control.add_failure(body)
                    return reply(200, {"armed": True})
                if route == "config" and method == "GET":
                    return reply(200, {"transitions": str(self.control.transitions)})
                if route == "config" and method == "POST":
                    if "transitions" in body:
                        self.control.transitions = Transitions.parse(str(body["transitions"]))
                    return reply(200, {"transitions": str(self.control.transitions)})
        except (ControlError, ValueError) as err:
            return reply(400, {"error": str(err)})
        known = {"calls", "reset", "faults", "fail", "config"}
        if route in known:
            return reply(405, {"error": f"{method} is not supported on /_emulator/{route}"})
        return reply(404, {"error": f"unknown control route /_emulator/{route}"})
