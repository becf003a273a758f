"""How a kind declares its validation: the rules SageMaker applies that the API model cannot
express, in the shape the generic checker (``reconciler.manifests.checks``) calls.

In:  nothing at import; a kind module builds a :class:`KindRules` and sets it as
     ``KindInfo.rules``.
Out: the vocabulary rules are written in — :func:`problem` (a Problem at a spec path, at its
     line), :class:`ManifestLookup` (the other declared manifests, by kind and name, as
     ``reconciler.manifests.ManifestIndex`` answers), :func:`exactly_one_of` and
     :func:`is_int`.

Kinds sit below ``reconciler.manifests`` (which imports them); what a rule needs of the
manifest machinery is given here as an interface, so no kind imports ``manifests``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeGuard

from reconciler.apimodel import format_path
from reconciler.resources import Kind, Manifest, Problem, SpecPath


class ManifestLookup(Protocol):
    """The declared manifests, by kind and name (the first one, if defined twice)."""

    def get(self, kind: Kind, name: str) -> Manifest | None:
        """The manifest of `kind` named `name`, if there is one."""
        ...

    def referenced(self, manifest: Manifest, path: SpecPath) -> Manifest | None:
        """The manifest that the reference field at `path` of `manifest` names, if any."""
        ...


DocumentRule = Callable[[Manifest], list[Problem]]
CrossDocumentRule = Callable[[Manifest, ManifestLookup], list[Problem]]
FleetRule = Callable[[Sequence[Manifest], ManifestLookup], list[Problem]]
Preflight = Callable[[Sequence[Manifest]], list[Problem]]


@dataclass(frozen=True)
class KindRules:
    """A kind's validation, each part optional; the checker calls them kind by kind in
    registry order, every manifest in file and line order.

    document:  one manifest of this kind → its problems (fields that go together or
               exclude each other, values the service refuses although the shape allows)
    across:    one manifest of this kind and the other declared manifests → its problems
               (what it names must suit it: an IC's variant on its endpoint's config)
    fleet:     every declared manifest (any kind) → problems that need the whole set (a
               reference cycle among this kind's manifests)
    preflight: every declared manifest → problems worth checking only once all of them are
               valid (the capacity preflight); run by validate and plan before any AWS call
    """

    document: DocumentRule | None = None
    across: CrossDocumentRule | None = None
    fleet: FleetRule | None = None
    preflight: Preflight | None = None


def problem(manifest: Manifest, path: SpecPath, message: str) -> Problem:
    """A problem at `path` of `manifest.spec` (the line of its deepest written prefix)."""
    dotted = format_path(path)
    return Problem(
        message,
        manifest.location_of(path),
        manifest.address,
        f"spec.{dotted}" if dotted else "spec",
    )


def exactly_one_of(
    manifest: Manifest, one: str, other: str, *, both: str, neither: str
) -> list[Problem]:
    """A problem when `manifest.spec` gives both top-level fields (at `other`, with the
    message `both`) or neither (at `one`, with `neither`); none when it gives one."""
    given = [field in manifest.spec for field in (one, other)]
    if all(given):
        return [problem(manifest, (other,), both)]
    if not any(given):
        return [problem(manifest, (one,), neither)]
    return []


def is_int(value: object) -> TypeGuard[int]:
    """An integer as YAML gives it (a bool is not one)."""
    return isinstance(value, int) and not isinstance(value, bool)
