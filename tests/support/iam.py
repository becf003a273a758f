"""IAM policy evaluation for the tests: @cloud-copilot/iam-simulate (npm), run by node, and
a tap on the AWS edge that records every call a real run makes with what IAM would see of
it — the action, the resource's ARN, the tags the request sends and the tags the resource
carries at that moment.

The simulator is found in ``$RECONCILER_IAM_SIMULATE`` (a directory whose node_modules
holds it; ``.ci/run`` installs it there), or installed once with npm into a cache directory.
Without node the tests that need it are skipped, saying so.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from reconciler import permissions
from reconciler.aws import AwsGateway
from reconciler.commands import iam_policy
from reconciler.kinds import KINDS
from reconciler.resources import JsonDict

SIMULATOR = "@cloud-copilot/iam-simulate"
SIMULATOR_VERSION = "0.1.173"
RUNNER = Path(__file__).with_name("iam_simulate.cjs")
ENV = "RECONCILER_IAM_SIMULATE"


def simulator_directory() -> Path:
    """Where the simulator is installed; skips the test without node."""
    if shutil.which("node") is None:
        pytest.skip(
            "node is not installed: the IAM policy evaluator (@cloud-copilot/iam-simulate) runs on node"
        )
    given = os.environ.get(ENV)
    if given:
        return Path(given)
    if os.environ.get("CI"):
        pytest.fail(f"CI: .ci/run installs {SIMULATOR} and sets {ENV}")
    directory = (
        Path.home() / ".cache" / "sagemaker-reconciler" / f"iam-simulate-{SIMULATOR_VERSION}"
    )
    if not (directory / "node_modules" / "@cloud-copilot" / "iam-simulate").is_dir():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not installed: cannot install the IAM policy evaluator")
        directory.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                npm,
                "install",
                "--silent",
                "--prefix",
                str(directory),
                f"{SIMULATOR}@{SIMULATOR_VERSION}",
            ],
            check=True,
            timeout=300,
        )
    return directory


@dataclass(frozen=True)
class Request:
    """One request as IAM sees it."""

    action: str
    resource: str
    context: JsonDict = field(default_factory=dict)

    def with_context(self, **changes: Any) -> Request:
        context = {k: v for k, v in self.context.items() if k not in changes}
        context.update({k: v for k, v in changes.items() if v is not None})
        return Request(self.action, self.resource, context)


def simulate(policy: JsonDict, account: str, requests: list[Request]) -> list[str]:
    """The simulator's decision on each request: Allowed, ImplicitlyDenied, ..."""
    directory = simulator_directory()
    payload = {
        "policy": policy,
        "account": account,
        "requests": [
            {"action": r.action, "resource": r.resource, "context": r.context} for r in requests
        ],
    }
    done = subprocess.run(
        ["node", str(RUNNER), str(directory)],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    decisions: list[str] = json.loads(done.stdout)
    assert len(decisions) == len(requests)
    # A request the simulator refuses to evaluate is a broken test, never a denial.
    errors = [(r, d) for r, d in zip(requests, decisions, strict=True) if d.startswith("error")]
    assert not errors, errors
    return decisions


# -- the tap ----------------------------------------------------------------------------
def tag_context(tags: dict[str, str], prefix: str) -> JsonDict:
    return {f"{prefix}/{key}": value for key, value in tags.items()}


def _tags_of(value: object) -> dict[str, str]:
    """Tags as a request or an answer carries them: [{Key, Value}] or a map."""
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    if isinstance(value, list):
        return {str(t["Key"]): str(t.get("Value", "")) for t in value}
    return {}


@dataclass
class Call:
    """A recorded call: operation, request, and what IAM would evaluate (one Request per
    resource it acts on; a create's resource has no tags)."""

    service: str
    operation: str
    request: JsonDict
    requests: list[Request]

    @property
    def action(self) -> str:
        return permissions.iam_action(self.service, self.operation)


class Tap:
    """Records the calls of every AwsGateway (monkeypatched ``call`` and ``pages``); reads
    each resource's ARN and tags just before the call with clients of its own, which the
    recording does not see."""

    def __init__(self, url: str, region: str, account: str) -> None:
        self.url, self.region, self.account = url, region, account
        self.calls: list[Call] = []
        self._clients: dict[str, Any] = {}
        self._targets: dict[tuple[str, str], str] = {}

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = boto3.client(
                service, endpoint_url=self.url, region_name=self.region
            )
        return self._clients[service]

    @contextmanager
    def recording(self, monkeypatch: pytest.MonkeyPatch) -> Iterator[Tap]:
        original_call, original_pages = AwsGateway.call, AwsGateway.pages
        tap = self

        def call(gateway: AwsGateway, service: str, operation: str, **request: Any) -> JsonDict:
            before = tap.before(service, operation, request)
            answer = original_call(gateway, service, operation, **request)
            tap.record(service, operation, request, before, answer)
            return answer

        def pages(
            gateway: AwsGateway, service: str, operation: str, **request: Any
        ) -> Iterator[JsonDict]:
            before = tap.before(service, operation, request)
            for page in original_pages(gateway, service, operation, **request):
                tap.remember(page)
                yield page
            tap.record(service, operation, request, before, {})

        monkeypatch.setattr(AwsGateway, "call", call)
        monkeypatch.setattr(AwsGateway, "pages", pages)
        try:
            yield self
        finally:
            monkeypatch.setattr(AwsGateway, "call", original_call)
            monkeypatch.setattr(AwsGateway, "pages", original_pages)

    def remember(self, answer: JsonDict) -> None:
        for target in answer.get("ScalableTargets", []):
            self._targets[(target["ResourceId"], target["ScalableDimension"])] = target[
                "ScalableTargetARN"
            ]

    # What each call acts on, and the tags it carries now (None: does not exist yet).
    def before(
        self, service: str, operation: str, request: JsonDict
    ) -> list[tuple[str, dict[str, str] | None]]:
        if "ResourceArn" in request or "ResourceARN" in request:
            arn = request.get("ResourceArn") or request["ResourceARN"]
            return [(arn, self.live_tags(service, arn))]
        if service == "sagemaker":
            return self._sagemaker(operation, request)
        if service == "application-autoscaling":
            if "ResourceId" not in request or "ScalableDimension" not in request:
                return [("*", None)]
            found = self._target_arn(request)
            return [(found or "", self.live_tags(service, found) if found else None)]
        if service == "cloudwatch":
            names = request.get("AlarmNames") or (
                [request["AlarmName"]] if "AlarmName" in request else []
            )
            if not names:
                return [("*", None)]
            found = []
            for name in names:
                alarms = self.client("cloudwatch").describe_alarms(AlarmNames=[name])[
                    "MetricAlarms"
                ]
                arn = f"arn:aws:cloudwatch:{self.region}:{self.account}:alarm:{name}"
                found.append(
                    (arn, self.live_tags(service, alarms[0]["AlarmArn"]) if alarms else None)
                )
            return found
        if service == "dynamodb":
            return [
                (f"arn:aws:dynamodb:{self.region}:{self.account}:table/{request['TableName']}", {})
            ]
        return [("*", None)]

    def _sagemaker(
        self, operation: str, request: JsonDict
    ) -> list[tuple[str, dict[str, str] | None]]:
        """The resource the operation is on (the kind whose noun it names: the longest,
        CreateEndpointConfig is on an endpoint-config), then the others its request names
        at the top level (CreateEndpoint's config, CreateInferenceComponent's endpoint),
        which IAM authorizes too (Service Authorization Reference: their resource types)."""
        kinds = [i for i in KINDS.values() if i.service == "sagemaker" and i.noun in operation]
        if not kinds:
            return [("*", None)]
        primary = max(kinds, key=lambda i: len(i.noun))
        found = []
        for info in [
            primary,
            *(i for i in KINDS.values() if i.service == "sagemaker" and i is not primary),
        ]:
            if info.name_field not in request:
                continue
            name = request[info.name_field]
            if info is primary and operation == info.create_operation:
                found.append(("", None))  # its ARN is the answer's
                continue
            try:
                described = getattr(self.client("sagemaker"), _snake(info.describe_operation))(
                    **info.key_of(name)
                )
            except ClientError:
                arn = f"arn:aws:sagemaker:{self.region}:{self.account}:{info.arn_resource_type}/{name}"
                found.append((arn, None))
                continue
            arn = described[info.arn_key]
            found.append((arn, self.live_tags("sagemaker", arn)))
        return found or [("*", None)]

    def _target_arn(self, request: JsonDict) -> str | None:
        key = (request["ResourceId"], request["ScalableDimension"])
        answer = self.client("application-autoscaling").describe_scalable_targets(
            ServiceNamespace=request.get("ServiceNamespace", "sagemaker"),
            ResourceIds=[key[0]],
            ScalableDimension=key[1],
        )
        self.remember(answer)
        return self._targets.get(key)

    def live_tags(self, service: str, arn: str) -> dict[str, str] | None:
        client = self.client(service)
        try:
            if service == "sagemaker":
                return _tags_of(client.list_tags(ResourceArn=arn)["Tags"])
            return _tags_of(client.list_tags_for_resource(ResourceARN=arn)["Tags"])
        except ClientError:
            return None

    def record(
        self,
        service: str,
        operation: str,
        request: JsonDict,
        before: list[tuple[str, dict[str, str] | None]],
        answer: JsonDict,
    ) -> None:
        action = permissions.iam_action(service, operation)
        sent = _tags_of(request.get("Tags"))
        requests = []
        if not iam_policy.facts(action).resources:
            # No resource-level permissions: IAM authorizes it on "*" (Service
            # Authorization Reference), whatever it names.
            before = [("*", None)]
        for arn, tags in before:
            resource = arn or _created_arn(answer)
            context: JsonDict = {}
            if tags is not None:
                context.update(tag_context(tags, "aws:ResourceTag"))
            if sent:
                context.update(tag_context(sent, "aws:RequestTag"))
                context["aws:TagKeys"] = sorted(sent)
            if "TagKeys" in request:
                context["aws:TagKeys"] = list(request["TagKeys"])
            requests.append(Request(action, resource, context))
        self.calls.append(Call(service, operation, dict(request), requests))


def _created_arn(answer: JsonDict) -> str:
    for key, value in answer.items():
        if key.endswith(("Arn", "ARN")) and isinstance(value, str):
            return value
    raise AssertionError(f"no ARN in the create's answer {answer}")


def _snake(operation: str) -> str:
    from botocore import xform_name

    return str(xform_name(operation))
