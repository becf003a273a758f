"""The emulator as one WSGI application: control API, our operations, moto.

A request goes, in order:
1. ``/_emulator/...``            → the control API (calls, reset, faults, fail, config,
   scale, alarm-state, invocations);
2. every AWS request is counted by operation and may draw an injected fault;
3. an operation our extension answers — SageMaker's hosting operations
   (``X-Amz-Target: SageMaker.<Op>``, JSON 1.1), the Resource Groups Tagging API
   (Smithy RPC v2 CBOR as botocore sends it, or JSON 1.1 from older clients), which
   answers for our resources and moto's together, and Application Auto Scaling for
   namespace ``sagemaker`` (``X-Amz-Target: AnyScaleFrontendService.<Op>``, JSON 1.1; see
   :mod:`reconciler.emulator.autoscaling`) — is validated against the API model and
   handled by us; so is SageMaker Runtime's InvokeEndpoint (REST-JSON
   ``POST /endpoints/<name>/invocations``, :mod:`reconciler.emulator.runtime`), answered
   from what ``/_emulator/invocations`` set;
4. anything else (other SageMaker operations, DynamoDB, S3, ...) → moto's server app;
   CloudWatch's PutMetricAlarm is moto's with AWS's alarm state and tag rules restored
   around it (:mod:`reconciler.emulator.autoscaling.alarms`).

The same app serves HTTP (:mod:`server`) and in-process boto3 clients (:mod:`inprocess`).
"""

from __future__ import annotations

import io
import json
import os
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from werkzeug.datastructures import Headers

from reconciler import apimodel
from reconciler.emulator import events, protocol, runtime, sts
from reconciler.emulator.autoscaling import SERVICE as AUTOSCALING
from reconciler.emulator.autoscaling import alarms
from reconciler.emulator.autoscaling import load_all as load_autoscaling
from reconciler.emulator.autoscaling import resources as scaled_resources
from reconciler.emulator.control import Control, ControlError
from reconciler.emulator.errors import AwsError
from reconciler.emulator.lifecycle import Transitions
from reconciler.emulator.sagemaker import Context, Handler, NotHandled, load_all
from reconciler.emulator.sagemaker import tags as sagemaker_tags
from reconciler.emulator.state import EmulatorState

StartResponse = Callable[..., Any]
Environ = dict[str, Any]

DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"
TAG_OPERATIONS = ("AddTags", "ListTags", "DeleteTags")
# How long a "Hang" fault holds a call at most (a test clears the faults to release it).
HANG_SECONDS = 60.0
MOTO_RESET_PATH = "/moto-api/reset"
_RPC_V2_PATH = re.compile(r"^/service/(?P<prefix>[^/]+)/operation/(?P<operation>[^/]+)$")
_SERVICE_BY_PREFIX = {
    "SageMaker": "sagemaker",
    "ResourceGroupsTaggingAPI_20170126": "resourcegroupstaggingapi",
    "AnyScaleFrontendService": AUTOSCALING,
    "GraniteServiceVersion20100801": "cloudwatch",
    "AWSEvents": events.SERVICE,  # botocore events model: targetPrefix
}


def _moto_app() -> Any:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    return DomainDispatcherApplication(create_backend_app)


def _reset_moto() -> None:
    from moto.moto_api._internal.models import moto_api_backend

    moto_api_backend.reset()


@dataclass(frozen=True)
class AwsRequest:
    """What the app knows of an AWS request.

    operation: the API operation (None for REST-style calls such as S3's)
    service:   botocore's name of the service when we know it from the target prefix
    cbor:      Smithy RPC v2 CBOR instead of JSON 1.1 (answers must match)
    wire:      the protocol errors are answered in (see :func:`protocol.encode_error`)
    """

    operation: str | None
    service: str | None = None
    cbor: bool = False
    wire: protocol.Wire | None = None


def _classify(environ: Environ, body: bytes) -> AwsRequest:
    # SageMaker Runtime is REST-JSON (botocore's sagemaker-runtime model): the operation is
    # in the path, the request is signed for "sagemaker".
    if (
        environ.get("REQUEST_METHOD") == "POST"
        and runtime.INVOCATIONS_PATH.match(environ.get("PATH_INFO", ""))
        and _credential_scope(environ)[1] == "sagemaker"
    ):
        return AwsRequest(runtime.OPERATION, runtime.SERVICE, wire="rest-json")
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        prefix, _, operation = str(target).rpartition(".")
        return AwsRequest(operation, _SERVICE_BY_PREFIX.get(prefix), wire="json")
    match = _RPC_V2_PATH.match(environ.get("PATH_INFO", ""))
    if match and environ.get("HTTP_SMITHY_PROTOCOL") == "rpc-v2-cbor":
        return AwsRequest(match["operation"], _SERVICE_BY_PREFIX.get(match["prefix"]), cbor=True)
    # Everything else is moto's; its errors are worded in the protocol of the service the
    # request was signed for (IAM, STS: query XML; S3: rest-xml; Lambda: rest-json; ...).
    _, signing_name = _credential_scope(environ)
    wire = protocol.wire_protocol(signing_name)
    content_type = environ.get("CONTENT_TYPE", "")
    if content_type.startswith("application/x-www-form-urlencoded") and body:
        action = parse_qs(body.decode("utf-8", "replace")).get("Action")
        if action:
            return AwsRequest(action[0], wire=wire or "query")
    return AwsRequest(None, wire=wire)


def _credential_scope(environ: Environ) -> tuple[str | None, str | None]:
    """(region, service) from a SigV4 Authorization header."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    try:
        scope = auth.split(",")[0].split()[1]
        _, _, region, service, _ = scope.split("/")
    except (IndexError, ValueError):
        return None, None
    return region, service


def _put_alarm_name(environ: Environ, request: AwsRequest, body: bytes) -> str | None:
    """The AlarmName of a CloudWatch PutMetricAlarm (JSON 1.0, CBOR or query), else None."""
    if request.operation != "PutMetricAlarm":
        return None
    _, signing_name = _credential_scope(environ)
    if request.service != "cloudwatch" and signing_name != "monitoring":
        return None
    if request.wire == "query" or request.service is None:
        name = parse_qs(body.decode("utf-8", "replace")).get("AlarmName")
        return name[0] if name else None
    try:
        decoded = protocol.decode(body, cbor=request.cbor)
    except ValueError:
        return None
    value = decoded.get("AlarmName")
    return value if isinstance(value, str) else None


def _account(environ: Environ) -> str:
    """The account a request acts in, decided as moto decides it for its own services
    (moto.core.responses.BaseResponse.get_current_account): MOTO_ACCOUNT_ID, the
    x-moto-account-id header, else the account of the access key — credentials from STS
    AssumeRole belong to the role's account, as on AWS — else the default account."""
    named = os.environ.get("MOTO_ACCOUNT_ID") or environ.get("HTTP_X_MOTO_ACCOUNT_ID")
    if named:
        return named
    key = _access_key(environ)
    if key is None:
        return DEFAULT_ACCOUNT
    from moto.iam.models import get_account_id_from

    return get_account_id_from(key)


def _access_key(environ: Environ) -> str | None:
    """The access key id of a SigV4 Authorization header (``Credential=AKID/date/...``)."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    marker = "Credential="
    start = auth.find(marker)
    if start < 0:
        return None
    return auth[start + len(marker) :].split("/", 1)[0] or None


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
        self.handlers: dict[tuple[str, str], Handler] = {
            **{("sagemaker", name): handler for name, handler in self.operations.items()},
            ("resourcegroupstaggingapi", "GetResources"): sagemaker_tags.get_resources,
            ("resourcegroupstaggingapi", "TagResources"): sagemaker_tags.tag_resources,
            ("resourcegroupstaggingapi", "UntagResources"): sagemaker_tags.untag_resources,
            ("resourcegroupstaggingapi", "GetTagKeys"): sagemaker_tags.get_tag_keys,
            ("resourcegroupstaggingapi", "GetTagValues"): sagemaker_tags.get_tag_values,
            **{(AUTOSCALING, name): handler for name, handler in load_autoscaling().items()},
            **events.HANDLERS,
        }
        self.invocations = runtime.Invocations()
        self.strict = strict
        self._moto = _moto_app()

    # -- WSGI --------------------------------------------------------------------------
    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_emulator/"):
            return self._control_api(environ, start_response)
        if path == MOTO_RESET_PATH and environ.get("REQUEST_METHOD") == "POST":
            # moto's own reset (what its server-mode test decorators call between tests)
            # empties our resources too; the control plane's counters and faults stay,
            # they belong to whoever drives the emulator (/_emulator/reset clears them).
            with self.lock:
                self.state.reset()

        # Read the body once; moto gets a fresh stream of the same bytes.
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        request = _classify(environ, body)

        fault = None
        release = self.control.release
        if request.operation is not None:
            with self.lock:
                self.control.record_call(request.operation)
                fault = self.control.draw_fault(request.operation)
                release = self.control.release
        if fault is None:
            return self._dispatch(environ, start_response, request, body)
        if fault.after:
            # Carry the call out, drop its answer, and fail it.
            self._dispatch(environ, lambda *args, **kwargs: None, request, body)
        if fault.error == "Hang":
            release.wait(HANG_SECONDS)
            return self._error(
                start_response,
                AwsError("InternalFailure", "The call was held, then released"),
                request,
            )
        return self._error(
            start_response, AwsError(fault.error, fault.message, fault.status), request
        )

    def _dispatch(
        self, environ: Environ, start_response: StartResponse, request: AwsRequest, body: bytes
    ) -> Iterable[bytes]:
        if request.service == runtime.SERVICE:
            return self._invoke(environ, start_response, request, body)
        if request.operation == "AssumeRole" and _credential_scope(environ)[1] == "sts":
            with self.lock:
                refused = sts.refusal(body, _account(environ))
            if refused is not None:
                return self._error(start_response, refused, request)
        key = (request.service or "", request.operation or "")
        if key in self.handlers:
            try:
                return self._handle(environ, start_response, request, body)
            except NotHandled:
                if request.operation in TAG_OPERATIONS:
                    return self._moto_tags(environ, start_response, request)
        environ["wsgi.input"] = io.BytesIO(body)
        alarm_name = _put_alarm_name(environ, request, body)
        if alarm_name is not None:
            region, _ = _credential_scope(environ)
            with self.lock:
                return alarms.around_put(
                    _account(environ),
                    region or DEFAULT_REGION,
                    alarm_name,
                    lambda: self._call_moto(environ, start_response, request),
                )
        return self._call_moto(environ, start_response, request)

    def _invoke(
        self, environ: Environ, start_response: StartResponse, request: AwsRequest, body: bytes
    ) -> Iterable[bytes]:
        """SageMaker Runtime InvokeEndpoint (:mod:`runtime`), checked against its input shape
        as AWS checks it (a ValidationError: the runtime's code for a bad request); the
        model's latency is waited out without the emulator's lock."""
        region, _ = _credential_scope(environ)
        account = _account(environ)
        problem = protocol.request_problem(
            runtime.OPERATION, runtime.request_of(environ, body), runtime.SERVICE
        )
        if problem is not None:
            return self._error(
                start_response, AwsError("ValidationError", problem.message), request
            )
        try:
            with self.lock:
                answer = runtime.invoke(
                    self.state.region(account, region or DEFAULT_REGION),
                    self.invocations,
                    environ,
                    account=account,
                    region=region or DEFAULT_REGION,
                )
        except AwsError as err:
            return self._error(start_response, err, request)
        if answer.latency_ms:
            time.sleep(answer.latency_ms / 1000)
        return self._send(start_response, answer.status, answer.body, answer.headers)

    def _call_moto(
        self, environ: Environ, start_response: StartResponse, request: AwsRequest
    ) -> Iterable[bytes]:
        """moto's answer; a crash inside moto is an InternalFailure (over HTTP werkzeug
        would turn it into a 500 page; in-process it would reach the caller raw)."""
        from werkzeug.test import run_wsgi_app

        try:
            app_iter, status, headers = run_wsgi_app(self._moto, environ, buffered=True)
            payload = b"".join(app_iter)
        except Exception as err:
            return self._error(
                start_response, AwsError("InternalFailure", f"moto failed: {err!r}"), request
            )
        start_response(status, list(headers.items()))
        return [payload]

    def _moto_tags(
        self, environ: Environ, start_response: StartResponse, request: AwsRequest
    ) -> Iterable[bytes]:
        """Tag calls on resources moto keeps: moto crashes (HTTP 500) on an ARN it does not
        know, where SageMaker answers a ValidationException."""
        from werkzeug.test import run_wsgi_app

        try:
            app_iter, status, headers = run_wsgi_app(self._moto, environ, buffered=True)
            payload = b"".join(app_iter)
        except Exception:
            status, headers, payload = "500 Internal Server Error", Headers(), b""
        if status.startswith("5"):
            return self._error(
                start_response, AwsError("ValidationException", "Resource does not exist"), request
            )
        start_response(status, list(headers.items()))
        return [payload]

    # -- our operations ----------------------------------------------------------------
    def _handle(
        self, environ: Environ, start_response: StartResponse, request: AwsRequest, body: bytes
    ) -> Iterable[bytes]:
        service, operation = request.service or "", request.operation or ""
        try:
            decoded = protocol.decode(body, cbor=request.cbor)
        except ValueError as err:
            return self._error(
                start_response, AwsError("SerializationException", str(err)), request
            )
        problem = protocol.request_problem(operation, decoded, service)
        if problem is not None:
            return self._error(start_response, problem, request)
        region, _ = _credential_scope(environ)
        try:
            with self.lock:
                ctx = Context(
                    state=self.state.region(_account(environ), region or DEFAULT_REGION),
                    control=self.control,
                )
                result = self.handlers[(service, operation)](ctx, decoded) or {}
                shape = apimodel.service_model(service).operation_model(operation).output_shape
                response = protocol.shape_output(result, shape) if shape is not None else {}
        except AwsError as err:
            return self._error(start_response, err, request)
        except NotHandled:
            raise
        except Exception as err:  # an emulator bug: say so loudly, in the AWS way
            return self._error(
                start_response,
                AwsError("InternalFailure", f"emulator error in {operation}: {err!r}"),
                request,
            )
        if self.strict:
            problems = protocol.response_problems(operation, response, service)
            if problems:
                return self._error(
                    start_response,
                    AwsError(
                        "InternalFailure",
                        f"emulator answered {operation} off the API model: {problems}",
                    ),
                    request,
                )
        return self._send(
            start_response, 200, *protocol.encode_response(response, cbor=request.cbor)
        )

    def _send(
        self,
        start_response: StartResponse,
        status: int,
        payload: bytes,
        headers: list[tuple[str, str]],
    ) -> Iterable[bytes]:
        reasons = {
            200: "OK",
            400: "Bad Request",
            424: "Failed Dependency",
            404: "Not Found",
            405: "Method Not Allowed",
            500: "Internal Server Error",
            503: "Service Unavailable",
        }
        start_response(
            f"{status} {reasons.get(status, 'Error')}",
            [
                *headers,
                ("Content-Length", str(len(payload))),
                ("x-amzn-RequestId", str(uuid.uuid4())),
            ],
        )
        return [payload]

    def _error(
        self, start_response: StartResponse, err: AwsError, request: AwsRequest
    ) -> Iterable[bytes]:
        return self._send(
            start_response,
            err.status,
            *protocol.encode_error(err.code, err.message, cbor=request.cbor, wire=request.wire),
        )

    # -- control API -------------------------------------------------------------------
    def reset(self) -> None:
        """Empty every account and region, moto's too, and zero the counters."""
        with self.lock:
            self.state.reset()
            self.control.reset()
            self.invocations.reset()
            _reset_moto()

    def _where(self, body: dict[str, Any]) -> tuple[str, str]:
        account = body.get("Account", os.environ.get("MOTO_ACCOUNT_ID") or DEFAULT_ACCOUNT)
        region = body.get("Region", DEFAULT_REGION)
        if not isinstance(account, str) or not isinstance(region, str):
            raise ControlError("'Account' and 'Region' must be strings")
        return account, region

    def _scale(self, body: dict[str, Any]) -> dict[str, Any]:
        """``POST /_emulator/scale {ResourceId, ScalableDimension, Capacity[, Account,
        Region]}``: move a scalable target's resource as Application Auto Scaling would,
        within the target's [MinCapacity, MaxCapacity] (the scaler never leaves it)."""
        unknown = set(body) - {"ResourceId", "ScalableDimension", "Capacity", "Account", "Region"}
        if unknown:
            raise ControlError(f"unknown scale fields: {', '.join(sorted(unknown))}")
        resource_id, dimension = body.get("ResourceId"), body.get("ScalableDimension")
        capacity = body.get("Capacity")
        if not isinstance(resource_id, str) or not isinstance(dimension, str):
            raise ControlError("'ResourceId' and 'ScalableDimension' must be strings")
        if isinstance(capacity, bool) or not isinstance(capacity, int):
            raise ControlError("'Capacity' must be an integer")
        state = self.state.region(*self._where(body))
        target = state.scalable_targets.get((resource_id, dimension))
        if target is None:
            raise ControlError(f"no scalable target for {resource_id} ({dimension})")
        if not target.min_capacity <= capacity <= target.max_capacity:
            raise ControlError(
                f"capacity {capacity} is outside the target's range "
                f"[{target.min_capacity}, {target.max_capacity}]"
            )
        scaled = scaled_resources.parse(resource_id, dimension)
        if scaled_resources.current_capacity(state, scaled, dimension) is None:
            raise ControlError(f"{resource_id} is not active (not InService, or busy)")
        scaled_resources.set_capacity(state, scaled, dimension, capacity)
        return {"ResourceId": resource_id, "ScalableDimension": dimension, "Capacity": capacity}

    def _alarm_state(self, body: dict[str, Any]) -> dict[str, Any]:
        """``POST /_emulator/alarm-state {AlarmName, StateValue[, StateReason, Account,
        Region]}``: set a CloudWatch alarm's state as its evaluation would."""
        unknown = set(body) - {"AlarmName", "StateValue", "StateReason", "Account", "Region"}
        if unknown:
            raise ControlError(f"unknown alarm-state fields: {', '.join(sorted(unknown))}")
        name, value = body.get("AlarmName"), body.get("StateValue")
        if not isinstance(name, str) or not isinstance(value, str):
            raise ControlError("'AlarmName' and 'StateValue' must be strings")
        reason = str(body.get("StateReason") or f"Set to {value} through the emulator")
        alarms.set_state(*self._where(body), name, value, reason)
        return {"AlarmName": name, "StateValue": value}

    def _control_api(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        route = environ.get("PATH_INFO", "").removeprefix("/_emulator/").strip("/")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""

        def reply(status: int, value: object) -> Iterable[bytes]:
            headers = [("Content-Type", "application/json")]
            return self._send(start_response, status, json.dumps(value).encode(), headers)

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
                    return reply(200, self.control.config())
                if route == "config" and method == "POST":
                    return reply(200, self.control.configure(body))
                if route == "scale" and method == "POST":
                    return reply(200, self._scale(body))
                if route == "alarm-state" and method == "POST":
                    return reply(200, self._alarm_state(body))
                if route == "invocations" and method == "POST":
                    return reply(200, self.invocations.set(body))
        except (ControlError, ValueError) as err:
            return reply(400, {"error": str(err)})
        known = {
            "calls",
            "reset",
            "faults",
            "fail",
            "config",
            "scale",
            "alarm-state",
            "invocations",
        }
        if route in known:
            return reply(405, {"error": f"{method} is not supported on /_emulator/{route}"})
        return reply(404, {"error": f"unknown control route /_emulator/{route}"})
