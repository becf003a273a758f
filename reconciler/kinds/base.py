"""What a kind module declares about its SageMaker resource type (static knowledge only).

The generic layers (loading, validation, planning, execution) read a kind's facts from its
:class:`KindInfo` and never special-case a kind by name; adding a kind is adding a module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from reconciler.diff import FieldChange, compare, covered
from reconciler.resources import JsonDict, Kind, SpecPath

# A reference path may contain "*" for "every item of this list".
ReferencePattern = tuple[str, ...]


@dataclass(frozen=True)
class Reference:
    """A spec field that names another resource.

    path: where, e.g. ("ProductionVariants", "*", "ModelName")
    kind: the kind it names
    """

    path: ReferencePattern
    kind: Kind

    def find_in(self, spec: JsonDict) -> list[tuple[SpecPath, str]]:
        """Every (path, name) this reference pattern matches in `spec`."""
        found: list[tuple[SpecPath, str]] = []

        def walk(value: object, rest: ReferencePattern, path: SpecPath) -> None:
            if not rest:
                if isinstance(value, str):
                    found.append((path, value))
                return
            head, tail = rest[0], rest[1:]
            if head == "*":
                if isinstance(value, list):
                    for index, item in enumerate(value):
                        walk(item, tail, (*path, index))
            elif isinstance(value, dict) and head in value:
                walk(value[head], tail, (*path, head))

        walk(spec, self.path, ())
        return found

    def matches(self, spec_path: SpecPath) -> bool:
        return len(spec_path) == len(self.path) and all(
            (want == "*" and isinstance(got, int)) or want == got
            for want, got in zip(self.path, spec_path, strict=True)
        )


@dataclass(frozen=True)
class KindInfo:
    """Static facts of a kind.

    name_field:        the request member holding the name (left out of ``spec``)
    create_operation:  its Create operation; the spec is that request's shape
    update_only:       extra spec fields from other requests: field → (operation, member)
    immutable:         no Update API: the physical name is ``<name>-<hash8>``
    arn_resource_type: the resource type in its ARN ("endpoint-config")
    references:        fields that name other resources (edges of the dependency graph)
    create_only:       spec fields that cannot change without replacing the resource; dotted
                       paths with [*] for list items reach inside ("InstanceGroups[*].InstanceType")
    write_only:        spec fields sent on create/update but not read back (never compared)
    live_spec:         Describe answer → the Create-request shape, for comparison
    server_defaults:   fields (dotted, [*] for list items) SageMaker fills in when omitted
    unordered:         list fields whose order carries no meaning
    keyed:             list fields whose items are matched by a key field, not by position
                       (list path → key field, e.g. "InstanceGroups" → "InstanceGroupName")
    export_defaults:   what ``reconciler export`` leaves out because SageMaker filled it in:
                       dotted path ([*] for list items) → the value SageMaker answers when
                       the field was omitted, or a test ``(value, holder, spec) -> bool``
                       for defaults that depend on other fields (holder: the object that
                       holds the field; spec: the whole spec)
    """

    kind: Kind
    name_field: str
    create_operation: str
    arn_resource_type: str
    immutable: bool = False
    update_only: dict[str, tuple[str, str]] = field(default_factory=dict)
    references: tuple[Reference, ...] = ()
    create_only: tuple[str, ...] = ()
    write_only: tuple[str, ...] = ()
    live_spec: Callable[[JsonDict], JsonDict] = lambda description: dict(description)
    server_defaults: tuple[str, ...] = ()
    unordered: tuple[str, ...] = ()
    keyed: dict[str, str] = field(default_factory=dict)
    export_defaults: dict[str, object] = field(default_factory=dict)

    @property
    def max_name_length(self) -> int:
        """63 for SageMaker names; 54 when the name gets a ``-<8 hex>`` suffix."""
        return 54 if self.immutable else 63

    def comparable(self, spec: JsonDict) -> JsonDict:
        """The part of a desired spec that a Describe answer can confirm."""
        skip = set(self.update_only) | set(self.write_only)
        return {k: v for k, v in spec.items() if k not in skip}

    def differences(
        self, spec: JsonDict, description: JsonDict, ignore: tuple[str, ...] = ()
    ) -> list[FieldChange]:
        """What it takes to turn the described live resource into `spec` (both sides in the
        Create-request shape; the kind's defaults, unordered and keyed lists respected)."""
        return compare(
            self.comparable(spec),
            self.live_spec(description),
            ignore=ignore,
            server_defaults=self.server_defaults,
            unordered=self.unordered,
            keyed=self.keyed,
        )

    def create_only_changes(self, changes: list[FieldChange]) -> list[FieldChange]:
        """The changes that touch a create-only field (each means replacing the resource)."""
        return [c for c in changes if covered(c.path, self.create_only)]


def without(description: JsonDict, *fields: str) -> JsonDict:
    """A Describe answer minus the fields that are not part of the spec."""
    return {k: v for k, v in description.items() if k not in fields and k != "ResponseMetadata"}


VPC_UNORDERED = ("VpcConfig.SecurityGroupIds", "VpcConfig.Subnets")
