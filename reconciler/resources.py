"""The desired-state types every layer shares: kinds, manifest locations, problems, and
the :class:`Manifest` — one resource as declared in git.

Produced by :mod:`reconciler.manifests` (files → manifests), consumed by validation
checks, the planner and the views. Pure data; no AWS here.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

API_VERSION = "sagemaker-reconciler/v1"
ANNOTATION_PREFIX = "sagemaker-reconciler/"
TAG_PREFIX = "sagemaker-reconciler/"
OWNER_TAG = "sagemaker-reconciler/owner"
ADDRESS_TAG = "sagemaker-reconciler/address"
SPEC_HASH_TAG = "sagemaker-reconciler/spec-hash"
OWNERSHIP_TAGS = (OWNER_TAG, ADDRESS_TAG, SPEC_HASH_TAG)
# Set by apply on a resource whose create/update failed: the digest of the spec that
# failed, so that later passes do not retry the same spec in a loop, then (after a space)
# why it failed, so that the hold can say so when AWS keeps no FailureReason (a revert
# after failed checks leaves the resource InService). See failed_spec_value.
FAILED_SPEC_TAG = "sagemaker-reconciler/failed-spec"
# Set by apply on a resource whose checks passed: the digest of the spec and checks they
# passed for (Change.checks_attempt). A later plan that finds a version this resource moved
# off still unretired knows the rollout was proven (an apply stopped after the checks,
# before the retirement; or the retirement failed) and does not run the checks again.
VERIFIED_TAG = "sagemaker-reconciler/verified"
# A tag value AWS accepts: the SageMaker Tag shape's Value, pattern
# ``([\p{L}\p{Z}\p{N}_.:/=+\-@]*)``, at most 256 characters (botocore's sagemaker
# service-2.json, shape TagValue). CloudWatch's TagValue (alarms) allows more, at the same
# length, so a value fit for SageMaker is fit for both.
TAG_VALUE_MAX = 256
_TAG_VALUE_PUNCTUATION = frozenset("_.:/=+-@")


def tag_safe(text: str, limit: int = TAG_VALUE_MAX) -> str:
    """`text` as a tag value: every character the pattern refuses becomes a space, runs
    of spaces one, cut to `limit` characters (with "..." when cut)."""
    kept = "".join(
        ch if unicodedata.category(ch)[0] in "LNZ" or ch in _TAG_VALUE_PUNCTUATION else " "
        for ch in text
    )
    words = " ".join(kept.split())
    return words if len(words) <= limit else words[: limit - 3].rstrip() + "..."


def failed_spec_value(digest: str, reason: str | None) -> str:
    """The failed-spec tag's value: the spec's digest, then why it failed (when known)."""
    why = tag_safe(reason or "", TAG_VALUE_MAX - len(digest) - 1)
    return f"{digest} {why}" if why else digest


def failed_spec_parts(value: str | None) -> tuple[str | None, str | None]:
    """(digest, reason) of a failed-spec tag value; a value written before reasons were
    kept is a digest alone."""
    if value is None:
        return None, None
    digest, _, reason = value.partition(" ")
    return digest, reason or None


# On a Model/EndpointConfig adopted under its own name (physical-name annotation): that name,
# so that the ownership tags identify this very resource, as the hash suffix does otherwise.
PHYSICAL_NAME_TAG = "sagemaker-reconciler/physical-name"
# What the last apply declared (codes of spec leaf paths and tag keys; see
# planning/applied.py), so that a field or tag dropped from a manifest is still a change.
# A long record continues in ``...-2``, ``...-3``.
DECLARED_TAG = "sagemaker-reconciler/declared"
# On a resource annotated ``deletion-policy: retain``, so that a later pass (even from
# another checkout) knows not to delete it.
RETAIN_TAG = "sagemaker-reconciler/deletion-policy"
# Every tag key the reconciler may write on a resource, besides the manifest's own
# metadata.tags: they count against AWS's 50 tags per resource (the record may take more
# than one, see planning/applied.py).
RECONCILER_TAGS = (
    *OWNERSHIP_TAGS,
    DECLARED_TAG,
    RETAIN_TAG,
    FAILED_SPEC_TAG,
    VERIFIED_TAG,
    PHYSICAL_NAME_TAG,
)

JsonDict = dict[str, Any]
# A path into a spec: ("ProductionVariants", 0, "InstanceType").
SpecPath = tuple[str | int, ...]


class Kind(StrEnum):
    MODEL = "Model"
    ENDPOINT_CONFIG = "EndpointConfig"
    ENDPOINT = "Endpoint"
    INFERENCE_COMPONENT = "InferenceComponent"
    CLUSTER = "Cluster"
    SCALABLE_TARGET = "ScalableTarget"
    SCALING_POLICY = "ScalingPolicy"
    SCHEDULED_ACTION = "ScheduledAction"
    ALARM = "Alarm"


@dataclass(frozen=True, order=True)
class Location:
    """Where something is written: a file and a 1-based line."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, reported as
    ``file:line: Kind/name: spec.Path.To.Field: message`` (parts that are unknown omitted).

    location: where it is written (None when it concerns no file, e.g. a missing directory)
    address:  ``Kind/name`` of the resource concerned, if any
    field:    dotted path of the field, e.g. ``spec.ProductionVariants[0].InstanceType``
    message:  what is wrong, and what would be right when we know it
    """

    message: str
    location: Location | None = None
    address: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        parts = [str(self.location)] if self.location else []
        if self.address:
            parts.append(self.address)
        if self.field:
            parts.append(self.field)
        parts.append(self.message)
        return ": ".join(parts)


class DeletionPolicy(StrEnum):
    DELETE = "delete"
    RETAIN = "retain"


@dataclass(frozen=True)
class Annotations:
    """The policy knobs under ``metadata.annotations`` (keys ``sagemaker-reconciler/...``).

    deletion_policy:    ``retain`` — never delete, just stop managing
    adopt:              take over an existing resource that carries no owner tag
    ignore_differences: dotted spec paths owned by someone else (e.g. RuntimeConfig.CopyCount)
    allow_replace:      permit destructive replacement
    physical_name:      keep an adopted Model/EndpointConfig under this name until its spec changes
    sensitive:          extra Environment keys whose values are never printed
    """

    deletion_policy: DeletionPolicy = DeletionPolicy.DELETE
    adopt: bool = False
    ignore_differences: tuple[str, ...] = ()
    allow_replace: bool = False
    physical_name: str | None = None
    sensitive: tuple[str, ...] = ()


@dataclass(frozen=True)
class Invocation:
    """One InvokeEndpoint a check sends, and what passes.

    name:          how reports name it (``checks.invocations[0]`` when not named)
    body:          the request body, as written
    content_type / accept: the Content-Type and Accept headers (None: not sent)
    target_variant: the production variant to invoke (an Endpoint's check only)
    inference_component: the inference component to invoke on an Endpoint (an
                   InferenceComponent's check always invokes that component)
    status:        the HTTP status that passes (200: the model answered; anything else
                   is the OriginalStatusCode of the ModelError SageMaker answers)
    json:          dotted path into the JSON body (``predictions.0.label``) → the value it
                   must hold
    body_matches:  a regular expression the body must contain a match of
    max_latency_ms: the longest the call may take, measured by the caller
    location:      where it is written: file and line (an overlay's patch that added it:
                   the patch's file, not the document's); None when it is not written
                   anywhere (built in code)
    """

    name: str
    body: str
    content_type: str | None = None
    accept: str | None = None
    target_variant: str | None = None
    inference_component: str | None = None
    status: int = 200
    json: tuple[tuple[str, Any], ...] = ()
    body_matches: str | None = None
    max_latency_ms: int | None = None
    location: Location | None = None

    @property
    def line(self) -> int:
        """The line it is written at (0: not written anywhere)."""
        return self.location.line if self.location is not None else 0


# The kind whose resources ``checks.alarms`` name (by their AlarmName): a declared one is
# put before the checks that watch it.
CHECKED_ALARM_KIND = Kind.ALARM
# The kind an Endpoint check's ``inferenceComponent`` names (by its InferenceComponentName,
# InvokeEndpoint's header X-Amzn-SageMaker-Inference-Component).
CHECKED_COMPONENT_KIND = Kind.INFERENCE_COMPONENT


@dataclass(frozen=True)
class Checks:
    """What proves a rollout of an Endpoint or InferenceComponent (the manifest's top-level
    ``checks:``): invocations that must pass once it is InService, and CloudWatch alarms
    that must stay OK for ``bake_seconds`` after them. Not part of the spec, its hash or
    drift; apply runs them before it retires what the rollout superseded."""

    invocations: tuple[Invocation, ...] = ()
    alarms: tuple[str, ...] = ()
    bake_seconds: int = 0

    def to_json(self) -> JsonDict:
        """What plan JSON says of the checks (``checks`` of a change)."""
        doc: JsonDict = {
            "invocations": [
                {
                    "name": call.name,
                    **({"target_variant": call.target_variant} if call.target_variant else {}),
                    **(
                        {"inference_component": call.inference_component}
                        if call.inference_component
                        else {}
                    ),
                    "expect": {
                        "status": call.status,
                        **({"json": dict(call.json)} if call.json else {}),
                        **({"body_matches": call.body_matches} if call.body_matches else {}),
                        **(
                            {"max_latency_ms": call.max_latency_ms}
                            if call.max_latency_ms is not None
                            else {}
                        ),
                    },
                }
                for call in self.invocations
            ]
        }
        if self.alarms:
            doc["alarms"] = list(self.alarms)
            doc["bake_seconds"] = self.bake_seconds
        return doc

    def summary(self) -> list[str]:
        """One line per check, for plans: ``invoke smoke (expects 200, ≤ 500 ms)``."""
        lines = []
        for call in self.invocations:
            expects = [f"status {call.status}"]
            expects += [f"{path} = {value!r}" for path, value in call.json]
            if call.body_matches is not None:
                expects.append(f"body ~ /{call.body_matches}/")
            if call.max_latency_ms is not None:
                expects.append(f"<= {call.max_latency_ms} ms")
            lines.append(f"invoke {call.name} (expects {', '.join(expects)})")
        if self.alarms:
            lines.append(f"alarms {', '.join(self.alarms)} stay OK for {self.bake_seconds} s")
        return lines


@dataclass
class Manifest:
    """One declared resource.

    kind, name:  identity; ``address`` is ``Kind/name``
    spec:        the Create request of the kind minus the name field and Tags (plus the
                 kind's update-only options), exactly as written
    tags:        ``metadata.tags``
    annotations: parsed ``metadata.annotations``
    location:    where the document starts (its ``apiVersion`` line... the first line)
    lines:       line of each spec path as written, for messages (``()`` is ``spec:``)
    files:       the file of a spec path written in another file than ``location.file``
                 (a value an overlay's patch put there: the patch's file)
    checks:      the top-level ``checks:`` section (None: none declared)
    """

    kind: Kind
    name: str
    spec: JsonDict
    location: Location
    tags: dict[str, str] = field(default_factory=dict)
    annotations: Annotations = field(default_factory=Annotations)
    lines: dict[SpecPath, int] = field(default_factory=dict)
    files: dict[SpecPath, str] = field(default_factory=dict)
    checks: Checks | None = None

    @property
    def address(self) -> str:
        return f"{self.kind}/{self.name}"

    def line_of(self, path: SpecPath) -> int:
        """Line of the deepest written prefix of `path` (a missing field points at its parent)."""
        return self.location_of(path).line

    def location_of(self, path: SpecPath) -> Location:
        """File and line of the deepest written prefix of `path`."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return Location(self.files.get(path[:end], self.location.file), line)
        return self.location
