"""Live resources → manifests a person would write (pure; ``reconciler export`` reads the
account and calls :func:`to_manifest`).

The spec is the kind's Describe answer mapped back to its Create request (the kind
module's ``live_spec``), minus what SageMaker fills in by default (the kind module's
``server_defaults``), minus read-only fields, with names instead of ARNs; tags that AWS or
its SDK own are left out. Models and EndpointConfigs keep their existing names through
``physical-name``, so adopting them plans no replacement; everything is annotated
``adopt`` so the first apply only adds our ownership tags. Secret-looking Environment
values are replaced by a placeholder, and reported, never written out.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from reconciler.diff import drop_defaults
from reconciler.kinds import HOSTING_KINDS, KINDS
from reconciler.kinds.base import Reference, put_value
from reconciler.manifests.names import name_problem
from reconciler.planning.sensitive import mask_spec
from reconciler.resources import API_VERSION, TAG_PREFIX, JsonDict, Kind

PLACEHOLDER = "<redacted: set the real value before applying>"


@dataclass
class Exported:
    """document: the manifest as a dict, ready for YAML; warnings: what the user must do."""

    kind: Kind
    name: str
    document: JsonDict
    warnings: list[str] = field(default_factory=list)


Key = tuple[Kind, str]  # (kind, lower-cased physical name)


def brought_by(specs: dict[Key, JsonDict], start: Key) -> set[Key]:
    """What exporting `start` brings along (`specs`: each listed resource's live spec, or
    its List item when not described): a resource others live on (an endpoint) brings what
    lives on it (its inference components) and everything those and it use, reference by
    reference (config, models); any other resource only itself."""
    chosen = {start}
    if start[0] not in HOSTING_KINDS:
        return chosen
    chosen |= {key for key, spec in specs.items() if start in KINDS[key[0]].hosts(spec)}
    todo = list(chosen)
    while todo:
        key = todo.pop()
        for used in KINDS[key[0]].referenced(specs[key]) if key in specs else set():
            if used in specs and used not in chosen:
                chosen.add(used)
                todo.append(used)
    return chosen


def kinds_brought(kinds: list[Kind]) -> list[Kind]:
    """`kinds` and the kinds their resources may bring along (see :func:`brought_by`)."""
    hosting = HOSTING_KINDS & set(kinds)
    if not hosting:
        return list(kinds)
    found = list(kinds)
    found += [
        kind
        for kind, info in KINDS.items()
        if kind not in found and any(r.kind in hosting for r in info.references)
    ]
    for kind in found:  # grows while it is walked: references, followed
        found += [r.kind for r in KINDS[kind].references if r.kind not in found]
    return list(dict.fromkeys(found))


def logical_name(kind: Kind, physical: str) -> str:
    """The metadata.name for a resource: its own name when it fits the kind's limit."""
    info = KINDS[kind]
    limit = info.max_name_length
    name = info.export_name(physical) if info.export_name is not None else physical
    return name if len(name) <= limit else name[:limit].rstrip("-")


# Tag keys that belong to AWS or to AWS's own tooling, never exported: ``aws:`` (reserved
# by AWS, "cannot be prefixed with aws:", CloudFormation AWS::SageMaker::Endpoint Tag), and
# those the SageMaker Python SDK sets: ``sagemaker.amazonaws.com/model-source``
# (sagemaker-serve model_reuse.py MODEL_SOURCE_TAG_KEY, added by ModelBuilder.deploy),
# ``sagemaker-sdk:`` (JumpStart model id/version/config, optimization and fine-tuning
# tags: sagemaker-core jumpstart/enums.py JumpStartTag and enums.py Tag), the older
# JumpStart ``aws-jumpstart-`` URIs (JumpStartTag.INFERENCE_MODEL_URI, ...) and
# ``sagemaker:`` (Studio project tags, sagemaker-core _studio.py ``sagemaker:project-id``).
FOREIGN_TAG_PREFIXES = (
    "aws:",
    "sagemaker.amazonaws.com/",
    "sagemaker-sdk:",
    "aws-jumpstart-",
    "sagemaker:",
)


def is_foreign_tag(key: str) -> bool:
    return key.lower().startswith(FOREIGN_TAG_PREFIXES)


def to_manifest(
    kind: Kind,
    name: str,
    description: JsonDict,
    tags: dict[str, str],
    logical_names: dict[tuple[Kind, str], str],
    by_arn: dict[tuple[Kind, str], str] | None = None,
) -> Exported:
    """The manifest for one live resource.

    logical_names: (kind, physical name) → metadata.name of every exported resource, so
                   that references point at manifests
    by_arn:        (kind, lower-cased ARN) → physical name of every exported resource, so
                   that a field holding a resource's ARN once applied (an alarm action's
                   scaling policy) names its manifest as a person writes it
    """
    info = KINDS[kind]
    spec = drop_defaults(info.live_spec(copy.deepcopy(description)), info.server_defaults)
    for reference in info.references:
        for path, target in reference.find_in(spec):
            logical = logical_names.get((reference.kind, target))
            if logical is not None and logical != target:
                reference.put(spec, path, logical)
    _name_by_arn(info.references, spec, logical_names, by_arn or {})
    masked: list[str] = []
    spec = mask_spec(spec, replacement=PLACEHOLDER, found=masked)
    metadata: JsonDict = {"name": logical_names.get((kind, name), logical_name(kind, name))}
    user_tags = {
        k: v
        for k, v in sorted(tags.items())
        if not is_foreign_tag(k) and not k.startswith(TAG_PREFIX)
    }
    if user_tags:
        metadata["tags"] = user_tags
    annotations = {"sagemaker-reconciler/adopt": "true"}
    if info.immutable:
        annotations["sagemaker-reconciler/physical-name"] = name
    metadata["annotations"] = annotations
    document = {"apiVersion": API_VERSION, "kind": str(kind), "metadata": metadata, "spec": spec}
    warnings = [
        f"{kind}/{metadata['name']}: spec.{path} looks secret and was replaced by a placeholder; "
        "put the real value (or a reference your deployment fills in) before applying"
        for path in masked
    ]
    if name_problem(kind, str(metadata["name"])) is not None:
        warnings.append(f"{kind}/{name}: its name does not fit the manifest name rules; rename it")
    return Exported(kind, str(metadata["name"]), document, warnings)


def _name_by_arn(
    references: tuple[Reference, ...],
    spec: JsonDict,
    logical_names: dict[tuple[Kind, str], str],
    by_arn: dict[tuple[Kind, str], str],
) -> None:
    """Each ARN in an ``arn_at_apply`` field of `spec` that is an exported resource's,
    written as the reference a manifest gives it (``ScalingPolicy/<name>``): apply reads the
    ARN again, so the manifest keeps naming the resource when AWS gives it a new ARN. An
    ARN of anything not exported (an SNS topic, a policy left out) stays as it is."""
    for reference in references:
        if not reference.arn_at_apply:
            continue
        for path, value in reference.values_in(spec):
            physical = by_arn.get((reference.kind, value.lower()))
            logical = logical_names.get((reference.kind, physical)) if physical else None
            if logical is not None:
                put_value(spec, path, reference.written(logical))
