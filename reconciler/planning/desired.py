"""Manifests → desired resources: physical names, resolved specs, tags.

A reference to another manifest is replaced by that manifest's physical name, in
dependency order, so a Model change gives the Model a new content-hash name, which changes
the resolved spec (and so the name) of every EndpointConfig using it, which makes each
Endpoint on those configs an UpdateEndpoint: one edit cascades exactly as far as it must.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter

from reconciler.kinds import KINDS, KindInfo
from reconciler.naming import content_hash
from reconciler.planning import applied
from reconciler.resources import (
    ADDRESS_TAG,
    OWNER_TAG,
    PHYSICAL_NAME_TAG,
    SPEC_HASH_TAG,
    DeletionPolicy,
    JsonDict,
    Kind,
    Manifest,
    Problem,
    SpecPath,
)

# Re-exported: the planner imports it from here.
from reconciler.resources import RETAIN_TAG as RETAIN_TAG


@dataclass(frozen=True)
class ResolvedReference:
    """path: where in the spec; target: ``Kind/name`` of the referenced resource;
    physical_name: the name put in the resolved spec; in_manifests: False for a reference
    to an existing resource outside git (plan checks it exists)."""

    path: SpecPath
    kind: Kind
    name: str
    physical_name: str
    in_manifests: bool

    @property
    def target(self) -> str:
        return f"{self.kind}/{self.name}"


@dataclass
class Desired:
    """One desired resource, ready to compare and to send.

    spec:          resolved spec (references → physical names), update-only options included
    spec_hash:     value of the spec-hash tag: the whole spec for immutable kinds, the
                   create-only fields for the others (stable across in-place updates)
    tags:          metadata.tags plus our ownership tags
    taken_over:    spec paths another declared resource owns → its address (the copy
                   count a scalable target scales); compared and sent as ignored fields
    """

    manifest: Manifest
    physical_name: str
    spec: JsonDict
    spec_hash: str
    tags: dict[str, str]
    references: list[ResolvedReference] = field(default_factory=list)
    taken_over: dict[str, str] = field(default_factory=dict)

    @property
    def kind(self) -> Kind:
        return self.manifest.kind

    @property
    def address(self) -> str:
        return self.manifest.address

    @property
    def info(self) -> KindInfo:
        return KINDS[self.manifest.kind]

    @property
    def ignore(self) -> tuple[str, ...]:
        """Fields owned elsewhere: ``ignore-differences`` and what is taken over."""
        declared = self.manifest.annotations.ignore_differences
        return (*declared, *(p for p in self.taken_over if p not in declared))

    @property
    def depends_on(self) -> list[str]:
        return sorted({r.target for r in self.references if r.in_manifests})


# Decides whether an immutable manifest annotated ``physical-name`` keeps that name:
# called with the manifest, the annotated name and the resolved spec.
KeepName = Callable[[Manifest, str, JsonDict], bool]


def spec_hash(info: KindInfo, spec: JsonDict) -> str:
    """The whole spec's hash for immutable kinds (their name suffix), the create-only
    fields' for the others; unordered lists (subnets, security groups) sorted first."""
    canonical = info.canonical(spec)
    if info.immutable:
        return content_hash(canonical)
    return content_hash({k: canonical[k] for k in info.create_only_fields(spec) if k in canonical})


def _link_physical_names(resolved: dict[str, Desired]) -> None:
    """A reference that names a declared resource by its physical name (the content-hash
    name the console shows) is a reference to that manifest too: an edge of the graph,
    not an outside resource that plan must find in the account."""
    by_physical = {(d.kind, d.physical_name.lower()): d for d in resolved.values()}
    for desired in resolved.values():
        for index, reference in enumerate(desired.references):
            target = by_physical.get((reference.kind, reference.name.lower()))
            if reference.in_manifests or target is None or target is desired:
                continue
            desired.references[index] = ResolvedReference(
                reference.path, reference.kind, target.manifest.name, target.physical_name, True
            )


def resolve(
    manifests: list[Manifest], owner: str, keep_name: KeepName | None = None
) -> tuple[dict[str, Desired], list[Problem]]:
    """Resolve every manifest; problems for reference cycles."""
    by_key = {(m.kind, m.name): m for m in manifests}
    # Kinds named by what they are (a scalable target) are found by that too, so that a
    # reference made of several fields (a policy's target) orders the resolution as well.
    for m in manifests:
        if KINDS[m.kind].identity is not None:
            by_key.setdefault((m.kind, KINDS[m.kind].physical_name(m.name, m.spec)), m)
    edges: dict[str, set[str]] = {}
    for manifest in manifests:
        deps = set()
        for reference in KINDS[manifest.kind].references:
            for _, name in reference.find_in(manifest.spec):
                target = by_key.get((reference.kind, name))
                if target is not None and target is not manifest:
                    deps.add(target.address)
        edges[manifest.address] = deps
    try:
        order = list(TopologicalSorter(edges).static_order())
    except CycleError as err:
        cycle = " → ".join(str(a) for a in err.args[1])
        first = next(m for m in manifests if m.address == err.args[1][0])
        return {}, [Problem(f"reference cycle: {cycle}", first.location, first.address)]

    by_address = {m.address: m for m in manifests}
    resolved: dict[str, Desired] = {}
    for address in order:
        manifest = by_address[address]
        info = KINDS[manifest.kind]
        spec = copy.deepcopy(manifest.spec)
        references = []
        for reference in info.references:
            for path, name in reference.find_in(manifest.spec):
                known = resolved.get(f"{reference.kind}/{name}")
                physical = known.physical_name if known is not None else name
                if known is not None:
                    reference.put(spec, path, physical)
                references.append(
                    ResolvedReference(path, reference.kind, name, physical, known is not None)
                )
        physical_name = info.physical_name(manifest.name, spec)
        digest = spec_hash(info, spec)
        if info.immutable:
            physical_name = f"{manifest.name}-{digest}"
            annotated = manifest.annotations.physical_name
            if annotated and keep_name is not None and keep_name(manifest, annotated, spec):
                physical_name = annotated
        if info.owned_through is not None:
            # It cannot be tagged: these are what the observer says of it when its parent
            # is ours (reconciler.observe), so that they match.
            ownership = {OWNER_TAG: owner, ADDRESS_TAG: manifest.address}
            resolved[address] = Desired(
                manifest, physical_name, spec, digest, ownership, references
            )
            continue
        tags = dict(manifest.tags)
        tags.update({OWNER_TAG: owner, ADDRESS_TAG: manifest.address, SPEC_HASH_TAG: digest})
        # Immutable kinds need no record of their spec: any change renames them.
        declared = [] if info.immutable else info.declared_paths(spec)
        tags.update(applied.record_tags(declared, manifest.tags))
        if manifest.annotations.deletion_policy is DeletionPolicy.RETAIN:
            tags[RETAIN_TAG] = "retain"
        if info.immutable and physical_name == manifest.annotations.physical_name:
            tags[PHYSICAL_NAME_TAG] = physical_name
        resolved[address] = Desired(manifest, physical_name, spec, digest, tags, references)
    _link_physical_names(resolved)
    _take_over(resolved)
    return resolved, []


def _take_over(resolved: dict[str, Desired]) -> None:
    """Fields a declared resource takes over from another (a scalable target, the copy
    count of the inference component it scales) are the taker's from now on: the other's
    plan never resets them, as if annotated ``ignore-differences``."""
    by_physical = {(d.kind, d.physical_name.lower()): d for d in resolved.values()}
    for taker in resolved.values():
        if taker.info.takes_over is None:
            continue
        for kind, name, path in taker.info.takes_over(taker.spec):
            taken = by_physical.get((kind, name.lower()))
            if taken is not None:
                taken.taken_over[path] = taker.address
