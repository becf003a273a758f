"""Files → desired state: the manifest loader.

In:  a directory of ``*.yaml`` / ``*.yml`` files (searched recursively, several documents
     per file), or an overlay directory (reconciler.manifests.overlays), and optionally the
     variables for ``${VAR}`` substitution.
Out: :class:`Loaded` — every usable :class:`Manifest`, every :class:`Problem` (sorted by file
     and line), and the files read.

The steps, in order: find and read the files; parse YAML keeping lines; check each
document's envelope, annotations, name, tag count and spec; then SageMaker's rules within
each manifest and the checks across documents (duplicates, inference components against
their endpoint's config and their adapter bases, reference cycles). Nothing stops at the
first problem: a manifest whose envelope is usable is built and checked further even when
something else in it is wrong, so one run reports everything. Pure: no AWS clients, no
network — the API model comes from botocore's bundled data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from reconciler.apimodel import format_path
from reconciler.kinds import KINDS
from reconciler.manifests.annotations import parse_annotations
from reconciler.manifests.checks import cross_document_problems
from reconciler.manifests.declared_checks import read_checks
from reconciler.manifests.envelope import read_envelope, tag_count_problem
from reconciler.manifests.names import name_problem
from reconciler.manifests.overlays import render
from reconciler.manifests.references import ManifestIndex, ResolvedReference
from reconciler.manifests.spec import spec_problems
from reconciler.manifests.substitution import Variables
from reconciler.manifests.yamldoc import Document
from reconciler.resources import Kind, Location, Manifest, Problem


@dataclass
class Loaded:
    """The outcome of :func:`load`.

    manifests: every manifest whose envelope is usable, sorted by file and line — including
               those with problems, so that later checks can run on them
    problems:  everything wrong, sorted by file and line (location-less ones first)
    files:     the files read, as shown in messages (an overlay's: its own, its bases' and
               its patches')
    documents: the documents the manifests were built from (an overlay's: as rendered),
               for ``reconciler render``
    """

    manifests: list[Manifest]
    problems: list[Problem]
    files: list[str]
    documents: list[Document] = field(default_factory=list)

    @cached_property
    def index(self) -> ManifestIndex:
        """The manifests by kind and name (built on first use)."""
        return ManifestIndex(self.manifests)

    @property
    def ok(self) -> bool:
        """No problem at all: safe to plan."""
        return not self.problems

    def get(self, kind: Kind, name: str) -> Manifest | None:
        """The manifest of `kind` named `name` (the first one, if defined twice)."""
        return self.index.get(kind, name)

    def references(self, manifest: Manifest) -> list[ResolvedReference]:
        """``(path, kind, name, is_manifest)`` for each spec field of `manifest` naming
        another resource: a manifest (a dependency edge) or an existing resource."""
        return self.index.references(manifest)


def load(directory: str | Path, variables: Variables | None = None) -> Loaded:
    """Load and check every manifest `directory` declares: plain manifests under it, or,
    when it is an overlay (it holds ``overlay.yaml``), the manifests it renders from its
    bases (reconciler.manifests.overlays). `variables` are the values of ``${VAR}``
    references (a target's): substituted in an overlay always, in a plain directory only
    when given."""
    rendered = render(directory, variables)
    problems = rendered.problems
    manifests: list[Manifest] = []
    for document in rendered.documents:
        manifest, document_problems = build_manifest(document)
        problems += document_problems
        if manifest is not None:
            manifests.append(manifest)
    manifests.sort(key=lambda m: m.location)
    loaded = Loaded(manifests, problems, rendered.files, rendered.documents)
    problems += cross_document_problems(manifests, loaded.index)
    problems.sort(key=_order)
    return loaded


def _order(problem: Problem) -> tuple[int, str, int, str, str]:
    where = problem.location
    return (
        0 if where is None else 1,
        where.file if where else "",
        where.line if where else 0,
        problem.field or "",
        problem.message,
    )


def build_manifest(document: Document) -> tuple[Manifest | None, list[Problem]]:
    """One document → its manifest (``None`` when the envelope is unusable) and problems."""
    envelope = read_envelope(document)
    address = envelope.address
    problems = list(envelope.problems)
    reported_fields = {format_path(issue.path) for issue in document.issues}
    problems += [
        Problem(
            issue.message,
            Location(issue.file or document.file, issue.line),
            address,
            format_path(issue.path) or None,
        )
        for issue in document.issues
    ]
    if envelope.kind is None or envelope.name is None or envelope.spec is None:
        return None, problems
    kind, name = envelope.kind, envelope.name

    reason = name_problem(kind, name)
    if reason is not None:
        problems.append(
            Problem(reason, document.location_of(("metadata", "name")), address, "metadata.name")
        )

    annotations, annotation_problems = parse_annotations(envelope.annotations, kind)
    for key, message in annotation_problems:
        path = ("metadata", "annotations", key)
        problems.append(Problem(message, document.location_of(path), address, format_path(path)))

    parent = KINDS[kind].owned_through
    if parent is not None and envelope.tags:
        problems.append(
            Problem(
                f"a {kind} cannot be tagged: it is ours through its {parent}, whose tags say "
                "whose it is; remove metadata.tags",
                document.location_of(("metadata", "tags")),
                address,
                "metadata.tags",
            )
        )
    checked = "checks" in (document.value if isinstance(document.value, dict) else {})
    too_many = tag_count_problem(kind, envelope.tags, annotations, envelope.spec, checked=checked)
    if too_many is not None:
        problems.append(
            Problem(too_many, document.location_of(("metadata", "tags")), address, "metadata.tags")
        )

    checks = None
    if "checks" in (document.value if isinstance(document.value, dict) else {}):
        assert address is not None
        checks, check_problems = read_checks(envelope.checks, document, kind, address)
        problems += check_problems

    manifest = Manifest(
        kind=kind,
        name=name,
        spec=envelope.spec,
        location=Location(document.file, document.line),
        tags=envelope.tags,
        annotations=annotations,
        lines={path[1:]: line for path, line in document.lines.items() if path[:1] == ("spec",)},
        files={path[1:]: file for path, file in document.files.items() if path[:1] == ("spec",)},
        checks=checks,
    )
    # A value already reported while reading YAML (e.g. an unquoted `on`) is not reported
    # again by the API model check.
    problems += [p for p in spec_problems(manifest) if p.field not in reported_fields]
    return manifest, problems
