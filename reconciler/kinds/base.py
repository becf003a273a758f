"""What a kind module declares about its SageMaker resource type (static knowledge only).

The generic layers (loading, validation, planning, execution) read a kind's facts from its
:class:`KindInfo` and never special-case a kind by name; adding a kind is adding a module.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reconciler.resources import Kind, SpecPath

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
    create_only:       spec fields that cannot change without replacing the resource
    """

    kind: Kind
    name_field: str
    create_operation: str
    arn_resource_type: str
    immutable: bool = False
    update_only: dict[str, tuple[str, str]] = field(default_factory=dict)
    references: tuple[Reference, ...] = ()
    create_only: tuple[str, ...] = ()

    @property
    def max_name_length(self) -> int:
        """63 for SageMaker names; 54 when the name gets a ``-<8 hex>`` suffix."""
        return 54 if self.immutable else 63
