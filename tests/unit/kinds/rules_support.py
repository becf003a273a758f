"""Manifests built by hand for the kinds' rule tests (no YAML: the rules see the spec as the
loader gives it), and what the tests compare of a Problem."""

from __future__ import annotations

from typing import Any

from reconciler.resources import Kind, Location, Manifest, Problem


def manifest(kind: Kind, name: str, spec: dict[str, Any], *, line: int = 1) -> Manifest:
    """A manifest of `kind` written at `line` of ``<kind>.yaml``."""
    return Manifest(kind, name, spec, Location(f"{kind}.yaml", line))


def fields(problems: list[Problem]) -> list[str | None]:
    """The field each problem names, in order."""
    return [p.field for p in problems]
