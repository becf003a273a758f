"""SageMaker Runtime ``InvokeEndpoint``, answered from responses set through the control API.

In:  a REST-JSON request ``POST /endpoints/{EndpointName}/invocations`` (botocore service
     ``sagemaker-runtime``, signing name ``sagemaker``) with the headers its model names
     (Content-Type, Accept, X-Amzn-SageMaker-Target-Variant,
     X-Amzn-SageMaker-Inference-Component), and the emulator's SageMaker state.
Out: an :class:`Answer` — HTTP status, headers and the raw body — or an :class:`AwsError`.

What a "model" answers is set with ``POST /_emulator/invocations`` {"endpoint", "component"
| null, "model" | null, "status", "body", "latency_ms"} (DESIGN.md §Emulator), per endpoint
or per inference component, and optionally only while a given model serves it: ``model`` is
a SageMaker model name (the physical name, e.g. the reconciler's content-hash
``churn-xgboost-1a2b3c4d``; matched whole, case-insensitively, never as a prefix). The
model serving an invocation is, for an inference component, its ``Specification.ModelName``
(or any of its ``Specifications``' models), and for an endpoint the ``ModelName`` of the
invoked variant (``TargetVariant``, else the first) in the config the endpoint runs now —
during an update, the old config's, as the old fleet serves until traffic has shifted. So a
test can set a bad answer for a new model and a good one for the old, and see the old one
answer again after a revert without setting anything anew. The most specific answer wins:
component+model, component, endpoint+model (the model serving the invocation, a
component's included), endpoint. With nothing set the model answers 200,
``Content-Type: application/json`` and the body ``{}`` (our choice: the smallest JSON
document, so that a check that expects only a status passes).

AWS's rules kept here (botocore's sagemaker-runtime model, ``InvokeEndpoint`` and its error
shapes, is the source of codes and HTTP statuses; messages as cited per rule):
- an unknown endpoint is ``ValidationError`` "Endpoint <name> of account <account> not
  found." (the wording users quote in aws/amazon-sagemaker-examples issues #293, #559,
  #1477);
- an endpoint that is not serving (Creating, Failed, OutOfService, Deleting): the same
  answer (UNVERIFIED: we found no quote of the answer for an endpoint in these states).
  An endpoint that is Updating, SystemUpdating or RollingBack is answered: an update is a
  blue/green deployment in which the old fleet serves until traffic has shifted to the new
  one (SageMaker Developer Guide, "Use deployment guardrails" / "Blue/Green Deployments");
- an endpoint made for inference components invoked without the inference component
  header: ``ValidationError`` "Inference Component Name header is required for endpoints
  to which you plan to deploy inference components. Please include Inference Component
  Name header or consider using SageMaker models." (quoted in langchain-ai/langchain#16150
  and BerriAI/litellm#37766);
- an unknown inference component, one on another endpoint, or one not InService/Updating:
  ``ValidationError`` (the wording is UNVERIFIED);
- a TargetVariant the endpoint does not have: ``ValidationError`` (wording UNVERIFIED);
- the model answering a status other than 200: ``ModelError`` (HTTP 424) with
  OriginalStatusCode, OriginalMessage and LogStreamArn (botocore's ModelError shape); its
  message "Received client|server error (<status>) from primary with message "<body>".
  See <CloudWatch URL> in account <account> for more information." is as users quote it
  (aws/amazon-sagemaker-examples issue #235 and others; UNVERIFIED in its details).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from reconciler.emulator.errors import AwsError
from reconciler.emulator.lifecycle import settle
from reconciler.emulator.state import Endpoint, RegionState

JsonDict = dict[str, Any]

SERVICE = "sagemaker-runtime"
OPERATION = "InvokeEndpoint"
INVOCATIONS_PATH = re.compile(r"^/endpoints/(?P<name>[^/]+)/invocations$")

# Endpoint statuses in which the endpoint serves traffic (during an update it serves on
# the config it had; DescribeEndpoint's EndpointStatus enum).
SERVING = ("InService", "Updating", "SystemUpdating", "RollingBack")
COMPONENT_SERVING = ("InService", "Updating")
DEFAULT_BODY = "{}"
DEFAULT_CONTENT_TYPE = "application/json"
IC_HEADER_REQUIRED = (
    "Inference Component Name header is required for endpoints to which you plan to deploy "
    "inference components. Please include Inference Component Name header or consider using "
    "SageMaker models."
)


@dataclass(frozen=True)
class ModelAnswer:
    """What the model behind an endpoint or inference component answers (control API)."""

    status: int = 200
    body: str = DEFAULT_BODY
    latency_ms: int = 0
    content_type: str = DEFAULT_CONTENT_TYPE


@dataclass
class Invocations:
    """The answers set through ``POST /_emulator/invocations``, by (endpoint, component,
    model) lower-cased (SageMaker names are case-insensitive); component None: the
    endpoint's; model None: whichever model serves."""

    answers: dict[tuple[str, str | None, str | None], ModelAnswer] = field(default_factory=dict)

    def set(self, body: JsonDict) -> JsonDict:
        fields = {"endpoint", "component", "model", "status", "body", "latency_ms"}
        unknown = set(body) - fields
        if unknown:
            raise ValueError(f"unknown invocations fields: {', '.join(sorted(unknown))}")
        endpoint, component, model = body.get("endpoint"), body.get("component"), body.get("model")
        status = body.get("status", 200)
        text = body.get("body", DEFAULT_BODY)
        latency = body.get("latency_ms", 0)
        if not isinstance(endpoint, str) or not endpoint:
            raise ValueError("'endpoint' must be the endpoint name")
        if component is not None and (not isinstance(component, str) or not component):
            raise ValueError("'component' must be null or an inference component name")
        if model is not None and (not isinstance(model, str) or not model):
            raise ValueError("'model' must be null or a SageMaker model name")
        if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
            raise ValueError("'status' must be an HTTP status (100-599)")
        if not isinstance(text, str):
            raise ValueError("'body' must be a string")
        if isinstance(latency, bool) or not isinstance(latency, int) or latency < 0:
            raise ValueError("'latency_ms' must be a non-negative integer")
        key = (endpoint.lower(), component.lower() if component else None, _lower(model))
        self.answers[key] = ModelAnswer(status, text, latency)
        return {"endpoint": endpoint, "component": component, "model": model, "status": status}

    def answer_for(
        self, endpoint: str, component: str | None, models: tuple[str, ...] = ()
    ) -> ModelAnswer:
        """The most specific answer for an invocation of `endpoint` (or its `component`)
        served by `models`: component+model, component, endpoint+model, endpoint."""
        served = [m.lower() for m in models]
        scopes = [component.lower(), None] if component is not None else [None]
        for scope in scopes:
            for model in [*served, None]:
                found = self.answers.get((endpoint.lower(), scope, model))
                if found is not None:
                    return found
        return ModelAnswer()

    def reset(self) -> None:
        self.answers.clear()


def _lower(name: str | None) -> str | None:
    return name.lower() if name else None


@dataclass(frozen=True)
class Answer:
    """An HTTP answer: status, headers, raw body, and how long the model takes first."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    latency_ms: int = 0


def _header(environ: JsonDict, name: str) -> str | None:
    if name == "Content-Type":
        value = environ.get("CONTENT_TYPE")
    else:
        value = environ.get("HTTP_" + name.upper().replace("-", "_"))
    return str(value) if value else None


def _not_found(name: str, account: str) -> AwsError:
    return AwsError("ValidationError", f"Endpoint {name} of account {account} not found.")


def _hosts_components(state: RegionState, endpoint: Endpoint) -> bool:
    """An endpoint whose config's variants name no model is made for inference components
    (CreateEndpointConfig: ModelName is left out of such variants)."""
    config = state.endpoint_configs.get(endpoint.config_name)
    if config is not None:
        variants = config.request.get("ProductionVariants") or []
        return any("ModelName" not in v for v in variants)
    return any(
        str(ic.request.get("EndpointName", "")).lower() == endpoint.name.lower()
        for ic in state.inference_components
    )


def _models_of(request: JsonDict) -> tuple[str, ...]:
    """The models an inference component serves: its specification's (a component made
    with Specifications, one per model, serves each)."""
    specifications = [request.get("Specification"), *(request.get("Specifications") or [])]
    return tuple(
        str(s["ModelName"]) for s in specifications if isinstance(s, dict) and s.get("ModelName")
    )


# The request members InvokeEndpoint takes in headers (botocore's InvokeEndpointInput).
_HEADER_MEMBERS = {
    "ContentType": "Content-Type",
    "Accept": "Accept",
    "CustomAttributes": "X-Amzn-SageMaker-Custom-Attributes",
    "TargetModel": "X-Amzn-SageMaker-Target-Model",
    "TargetVariant": "X-Amzn-SageMaker-Target-Variant",
    "TargetContainerHostname": "X-Amzn-SageMaker-Target-Container-Hostname",
    "InferenceId": "X-Amzn-SageMaker-Inference-Id",
    "EnableExplanations": "X-Amzn-SageMaker-Enable-Explanations",
    "InferenceComponentName": "X-Amzn-SageMaker-Inference-Component",
    "SessionId": "X-Amzn-SageMaker-Session-Id",
}


def request_of(environ: JsonDict, body: bytes) -> JsonDict:
    """The InvokeEndpoint request as its input shape has it (path, headers, payload), for
    the server-side check against the API model."""
    match = INVOCATIONS_PATH.match(environ.get("PATH_INFO", ""))
    assert match is not None
    request: JsonDict = {"EndpointName": unquote(match["name"]), "Body": body}
    for member, header in _HEADER_MEMBERS.items():
        value = _header(environ, header)
        if value:
            request[member] = str(value)
    return request


def invoke(
    state: RegionState,
    invocations: Invocations,
    environ: JsonDict,
    *,
    account: str,
    region: str,
) -> Answer:
    """Answer one InvokeEndpoint (raises :class:`AwsError` for AWS's refusals)."""
    match = INVOCATIONS_PATH.match(environ.get("PATH_INFO", ""))
    assert match is not None
    name = unquote(match["name"])
    endpoint = state.endpoints.get(name)
    if endpoint is not None:
        settle(endpoint)
        endpoint = state.endpoints.get(name)
    if endpoint is None or endpoint.status not in SERVING:
        raise _not_found(name, account)
    component_name = _header(environ, "X-Amzn-SageMaker-Inference-Component")
    variant = _header(environ, "X-Amzn-SageMaker-Target-Variant")
    if component_name is None and _hosts_components(state, endpoint):
        raise AwsError("ValidationError", IC_HEADER_REQUIRED)
    models: tuple[str, ...] = ()
    if component_name is not None:
        component = state.inference_components.get(component_name)
        if component is not None:
            settle(component)
        on_endpoint = component is not None and (
            str(component.request.get("EndpointName", "")).lower() == name.lower()
        )
        if component is None or not on_endpoint:
            # Wording UNVERIFIED (see the module docstring).
            raise AwsError(
                "ValidationError",
                f"Inference Component {component_name} not found for endpoint {name} "
                f"of account {account}.",
            )
        if component.status not in COMPONENT_SERVING:
            raise AwsError(
                "ValidationError",
                f"Inference Component {component_name} is in {component.status} status and "
                "cannot serve requests.",
            )
        models = _models_of(component.request)
    variants = [str(v.get("VariantName")) for v in endpoint.variants]
    if variant is not None and variant.lower() not in {v.lower() for v in variants}:
        raise AwsError(
            "ValidationError",
            f"Target variant {variant} not found for endpoint {name} of account {account}.",
        )
    invoked = variant or (variants[0] if variants else "AllTraffic")
    if component_name is None:
        models = tuple(
            model
            for served, model in endpoint.variant_models.items()
            if served.lower() == invoked.lower()
        )
    answer = invocations.answer_for(name, component_name, models)
    if answer.status != 200:
        kind = "client" if answer.status < 500 else "server"
        logs = (
            f"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}"
            f"#logEventViewer:group=/aws/sagemaker/Endpoints/{name}"
        )
        error = {
            "__type": "ModelError",
            "message": (
                f"Received {kind} error ({answer.status}) from primary with message "
                f'"{answer.body}". See {logs} in account {account} for more information.'
            ),
            "OriginalStatusCode": answer.status,
            "OriginalMessage": answer.body,
            "LogStreamArn": (
                f"arn:aws:logs:{region}:{account}:log-group:/aws/sagemaker/Endpoints/{name}"
            ),
        }
        return Answer(
            424,
            [("Content-Type", "application/json"), ("x-amzn-ErrorType", "ModelError")],
            json.dumps(error).encode(),
            answer.latency_ms,
        )
    return Answer(
        200,
        [
            ("Content-Type", answer.content_type),
            ("x-Amzn-Invoked-Production-Variant", invoked),
        ],
        answer.body.encode(),
        answer.latency_ms,
    )
