"""References between manifests: spec fields that name another resource.

In:  manifests (for the index) and one manifest (for its references).
Out: each reference as ``(spec path, kind, name, is_manifest)``: a reference to a manifest is
     an edge of the dependency graph; any other names an existing resource in the account,
     which plan checks (validate makes no AWS call, so it cannot).

Which fields are references is each kind's own knowledge (``KindInfo.references``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import NamedTuple

from reconciler.kinds import KINDS
from reconciler.kinds.base import ReferencePattern
from reconciler.resources import Kind, Manifest, SpecPath


class ResolvedReference(NamedTuple):
    """A spec field naming another resource.

    path:        where in the referring spec, e.g. ``("ProductionVariants", 0, "ModelName")``
    kind, name:  what it names (``name`` as written: a manifest's ``metadata.name`` or an
                 existing resource's name)
    is_manifest: a manifest of that kind and name exists
    """

    path: SpecPath
    kind: Kind
    name: str
    is_manifest: bool


def spec_references(manifest: Manifest) -> Iterator[tuple[SpecPath, Kind, str]]:
    """``(path, kind, name)`` of every string-valued reference field in `manifest.spec`."""
    for reference in KINDS[manifest.kind].references:
        for path, value in _expand(manifest.spec, reference.path, ()):
            if isinstance(value, str):
                yield path, reference.kind, value


def _expand(
    value: object, pattern: ReferencePattern, path: SpecPath
) -> Iterator[tuple[SpecPath, object]]:
    """The values at `pattern` (``"*"`` = every list item) under `value`, with their paths."""
    if not pattern:
        yield path, value
        return
    step, rest = pattern[0], pattern[1:]
    if step == "*":
        if isinstance(value, list):
            for index, item in enumerate(value):
                yield from _expand(item, rest, (*path, index))
    elif isinstance(value, dict) and step in value:
        yield from _expand(value[step], rest, (*path, step))


class ManifestIndex:
    """Manifests by kind and name; for duplicates, the first one (by file and line) wins."""

    def __init__(self, manifests: Iterable[Manifest]) -> None:
        self._by_key: dict[tuple[Kind, str], Manifest] = {}
        for manifest in sorted(manifests, key=lambda m: m.location):
            self._by_key.setdefault((manifest.kind, manifest.name), manifest)

    def get(self, kind: Kind, name: str) -> Manifest | None:
        """The manifest of `kind` named `name`, if there is one."""
        return self._by_key.get((kind, name))

    def references(self, manifest: Manifest) -> list[ResolvedReference]:
        """Every reference of `manifest`, each marked as to a manifest or to the account."""
        return [
            ResolvedReference(path, kind, name, (kind, name) in self._by_key)
            for path, kind, name in spec_references(manifest)
        ]

    def referenced(self, manifest: Manifest, path: SpecPath) -> Manifest | None:
        """The manifest that the reference field at `path` of `manifest` names, if any."""
        for ref_path, kind, name in spec_references(manifest):
            if ref_path == path:
                return self.get(kind, name)
        return None
