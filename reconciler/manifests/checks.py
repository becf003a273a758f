"""Checks that need more than one field, or more than one manifest: the generic checker that
runs each kind's own rules (``KindInfo.rules``), and the one check no kind owns.

In:  the usable manifests and their :class:`ManifestIndex`.
Out: :class:`Problem` s, each at the line of the field concerned.

- one manifest per kind and name (SageMaker names are case-insensitive);
- each kind's rules, kind by kind in registry order: its rules over all the manifests
  (``fleet``: adapter reference cycles), then, manifest by manifest in file and line order,
  its rules within one manifest (``document``) and against the others (``across``);
- once every manifest is valid, each kind's ``preflight`` (:func:`preflight_problems`: the
  capacity of an endpoint's instances for its inference components).

What the rules are is each kind's knowledge (``reconciler/kinds/<kind>_rules.py``); this
module names no kind.
"""

from __future__ import annotations

from collections.abc import Sequence

from reconciler.kinds import KINDS
from reconciler.manifests.references import ManifestIndex
from reconciler.resources import Kind, Manifest, Problem


def duplicate_problems(manifests: list[Manifest]) -> list[Problem]:
    """A problem at every manifest whose kind and name an earlier one already has."""
    first: dict[tuple[Kind, str], Manifest] = {}
    problems: list[Problem] = []
    for manifest in sorted(manifests, key=lambda m: m.location):
        key = (manifest.kind, manifest.name.lower())
        earlier = first.setdefault(key, manifest)
        if earlier is manifest:
            continue
        message = f"defined twice: at {earlier.location} and at {manifest.location}"
        if earlier.name != manifest.name:
            message += (
                f" ({earlier.name!r} and {manifest.name!r}: SageMaker names are case-insensitive)"
            )
        problems.append(Problem(message, manifest.location, manifest.address, "metadata.name"))
    return problems


def cross_document_problems(manifests: list[Manifest], index: ManifestIndex) -> list[Problem]:
    """Duplicates, then every kind's rules over `manifests`."""
    problems = duplicate_problems(manifests)
    for info in KINDS.values():
        if info.rules.fleet is not None:
            problems += info.rules.fleet(manifests, index)
    for manifest in manifests:
        rules = KINDS[manifest.kind].rules
        if rules.document is not None:
            problems += rules.document(manifest)
        if rules.across is not None:
            problems += rules.across(manifest, index)
    return problems


def preflight_problems(manifests: Sequence[Manifest]) -> list[Problem]:
    """Every kind's preflight over `manifests` (valid ones: run when nothing else is wrong),
    in registry order."""
    problems: list[Problem] = []
    for info in KINDS.values():
        if info.rules.preflight is not None:
            problems += info.rules.preflight(manifests)
    return problems
