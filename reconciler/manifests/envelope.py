"""The Kubernetes-style envelope of a manifest document: apiVersion, kind, metadata, spec.

In:  a :class:`~reconciler.manifests.yamldoc.Document`.
Out: an :class:`Envelope` — kind, name, spec, tags and raw annotations as far as they are
     usable — and the problems found, each with the ``file:line`` of the offending field.

The shape is declared with pydantic (strict: YAML ``5`` is not the string ``"5"``); its
errors are reworded here into our messages, with did-you-mean suggestions, instead of being
shown as pydantic prints them. Tag rules that pydantic does not express (reserved prefixes,
the 50-tag limit, AWS's key/value pattern) are checked after it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Literal

from botocore.model import Shape
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import ErrorDetails

from reconciler.apimodel import Path, format_path, input_shape, validate
from reconciler.kinds import KINDS
from reconciler.manifests.wording import quoting_hint, show, unknown
from reconciler.manifests.yamldoc import Document
from reconciler.planning import applied
from reconciler.resources import (
    API_VERSION,
    PHYSICAL_NAME_TAG,
    RECONCILER_TAGS,
    RETAIN_TAG,
    TAG_PREFIX,
    VERIFIED_TAG,
    Annotations,
    DeletionPolicy,
    JsonDict,
    Kind,
    Problem,
)

# AWS allows 50 tags per resource ("Tagging your AWS resources", Tag restrictions: "Maximum
# number of tags per resource - 50"; botocore's TagList: max 50), and the reconciler's own
# tags (resources.RECONCILER_TAGS) count too.
MAX_TAGS = 50
KIND_NAMES = tuple(kind.value for kind in Kind)


class _Metadata(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    name: str = Field(min_length=1)
    tags: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)


class _Envelope(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    apiVersion: Literal["sagemaker-reconciler/v1"]  # the YAML key as written
    kind: Kind = Field(strict=False)  # strict enums would only accept Kind instances
    metadata: _Metadata
    spec: dict[str, Any]
    # What proves a rollout (reconciler.manifests.declared_checks reads it): beside the
    # spec, which stays the API request.
    checks: Any = None


_FIELDS: dict[Path, tuple[str, ...]] = {
    (): tuple(_Envelope.model_fields),
    ("metadata",): tuple(_Metadata.model_fields),
}


@dataclass
class Envelope:
    """What a document declares, as far as it could be read.

    kind, name, spec: ``None`` when missing or invalid; the manifest is usable (can be
                      built and checked further) only when all three are set
    tags:             the valid ``metadata.tags`` entries
    annotations:      the string-valued ``metadata.annotations`` entries, not yet parsed
    checks:           the ``checks`` section as written (None: none), not yet read
    problems:         everything wrong with the envelope
    """

    kind: Kind | None = None
    name: str | None = None
    spec: JsonDict | None = None
    tags: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    checks: object = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def address(self) -> str | None:
        return f"{self.kind}/{self.name}" if self.kind and self.name else None

    @property
    def usable(self) -> bool:
        return self.address is not None and self.spec is not None


def read_envelope(document: Document) -> Envelope:
    """Check the envelope of `document` and extract what is usable from it."""
    value = document.value
    if not isinstance(value, dict):
        message = (
            "a manifest must be a mapping with apiVersion, kind, metadata and spec, "
            f"got {show(value)}"
        )
        return Envelope(problems=[Problem(message, document.location_of(()))])
    errors: list[ErrorDetails] = []
    try:
        _Envelope.model_validate(value)
    except ValidationError as err:
        errors = err.errors()
    envelope = _salvage(value)
    for error in errors:
        path: Path = tuple(error["loc"])
        envelope.problems.append(
            Problem(
                _reword(error),
                document.location_of(path),
                envelope.address,
                format_path(path),
            )
        )
    for path, message in tag_problems(envelope.tags):
        envelope.problems.append(
            Problem(
                message,
                document.location_of(("metadata", "tags", *path)),
                envelope.address,
                format_path(("metadata", "tags", *path)),
            )
        )
    return envelope


def _salvage(value: dict[str, Any]) -> Envelope:
    """The valid parts of an envelope, so that the rest of a manifest can still be checked
    when, say, one tag is wrong (pydantic gives all or nothing)."""
    envelope = Envelope()
    kind = value.get("kind")
    if kind in KIND_NAMES:
        envelope.kind = Kind(kind)
    metadata = value.get("metadata")
    if isinstance(metadata, dict):
        name = metadata.get("name")
        if isinstance(name, str) and name:
            envelope.name = name
        for key, target in (("tags", envelope.tags), ("annotations", envelope.annotations)):
            entries = metadata.get(key)
            if isinstance(entries, dict):
                target.update((k, v) for k, v in entries.items() if isinstance(v, str))
    spec = value.get("spec")
    if isinstance(spec, dict):
        envelope.spec = spec
    envelope.checks = value.get("checks")
    return envelope


def _reword(error: ErrorDetails) -> str:
    """Our message for one pydantic error (pydantic's own text only for unforeseen ones)."""
    kind, loc, given = error["type"], error["loc"], error.get("input")
    if kind == "missing":
        if loc == ("kind",):
            return f"is required: one of {', '.join(KIND_NAMES)}"
        if loc == ("apiVersion",):
            return f"is required: {API_VERSION}"
        return "is required"
    if kind == "extra_forbidden":
        return unknown("field", str(loc[-1]), _FIELDS.get(tuple(loc[:-1]), ()))
    if kind == "enum":
        if isinstance(given, str):
            return unknown("kind", given, KIND_NAMES)
        return f"expected one of {', '.join(KIND_NAMES)}, got {show(given)}"
    if kind == "literal_error":
        return f"must be {API_VERSION!r}, got {show(given)}"
    if kind == "string_type":
        return f"expected a string, got {show(given)}{quoting_hint(given)}"
    if kind in ("dict_type", "model_type"):
        return f"expected a mapping, got {show(given)}"
    if kind == "string_too_short":
        return "must not be empty"
    return str(error["msg"])


@functools.cache
def _tag_shape() -> Shape:
    # AddTags is what the reconciler will call with these tags: its model says what AWS takes.
    return input_shape("AddTags").members["Tags"]


def tag_problems(tags: dict[str, str]) -> list[tuple[Path, str]]:
    """Problems of ``metadata.tags`` beyond its type: (path under ``metadata.tags``, message).

    Reserved prefixes (``aws:`` is AWS's, ``sagemaker-reconciler/`` ours) and the key and
    value rules of the AWS Tag shape; the count is :func:`tag_count_problem` (it depends on
    the annotations).
    """
    found: list[tuple[Path, str]] = []
    keys = list(tags)
    for key in keys:
        if key.lower().startswith("aws:"):
            found.append(((key,), "tag keys starting with 'aws:' are reserved by AWS"))
        elif key.startswith(TAG_PREFIX):
            found.append(
                ((key,), f"tag keys starting with {TAG_PREFIX!r} are set by the reconciler")
            )
    as_requested = [{"Key": key, "Value": value} for key, value in tags.items()]
    for problem in validate(as_requested, _tag_shape()):
        if len(problem.path) == 2:  # (index, "Key" | "Value"); the count is checked above
            index, part = problem.path
            found.append(((keys[int(index)],), f"tag {str(part).lower()} {problem.message}"))
    return found


def reconciler_tags(kind: Kind, annotations: Annotations, checked: bool = False) -> tuple[str, ...]:
    """The keys of ``resources.RECONCILER_TAGS`` the reconciler may write on a resource of
    `kind` so annotated, besides its ``metadata.tags``: all of them (ownership, and
    ``failed-spec`` after any failed create or update) but ``deletion-policy``, written only
    when retained, ``physical-name``, only on an immutable kind kept under its annotated
    name, and ``verified``, only on a resource with checks (`checked`). A key added to
    RECONCILER_TAGS counts on every resource until it is listed here."""
    only_when = {
        RETAIN_TAG: annotations.deletion_policy is DeletionPolicy.RETAIN,
        PHYSICAL_NAME_TAG: KINDS[kind].immutable and annotations.physical_name is not None,
        VERIFIED_TAG: checked,
    }
    return tuple(key for key in RECONCILER_TAGS if only_when.get(key, True))


def tag_count_problem(
    kind: Kind,
    tags: dict[str, str],
    annotations: Annotations,
    spec: JsonDict | None = None,
    *,
    checked: bool = False,
) -> str | None:
    """Why ``metadata.tags`` holds too many tags, once the reconciler's own are added —
    the record of declared fields among them, which takes more than one tag for a long
    spec (planning/applied.py)."""
    ours = reconciler_tags(kind, annotations, checked)
    info = KINDS[kind]
    declared = info.declared_paths(spec) if isinstance(spec, dict) and not info.immutable else []
    extra_record_tags = applied.tag_count([*declared, *(f"tags.{k}" for k in tags)]) - 1
    ours += tuple(applied.tag_key(i) for i in range(1, 1 + extra_record_tags))
    allowed = MAX_TAGS - len(ours)
    if len(tags) <= allowed:
        return None
    return (
        f"{len(tags)} tags: at most {allowed} of your own, since the reconciler adds up to "
        f"{len(ours)} of its own ({', '.join(ours)}) and AWS allows {MAX_TAGS} per resource"
    )
