"""Overlays: a directory that builds its manifests from bases, as a kustomization does.

In:  a directory — plain manifests, or an overlay (it holds ``overlay.yaml``) — and,
     optionally, the variables for ``${VAR}`` substitution (a target's).
Out: :class:`Rendered` — the final documents (each value with the file and line it was
     written at, base or overlay), the problems met while rendering, and every file read.

An overlay directory holds ``overlay.yaml``::

    apiVersion: sagemaker-reconciler/v1
    kind: Overlay
    bases: [../../base]            # directories: plain manifests or overlays themselves
    patches:                       # patch files (partial documents), or patches inline
      - patches/endpoint.yaml
      - kind: InferenceComponent
        metadata: {name: llama-chat}
        spec: {RuntimeConfig: {CopyCount: 1}}
    remove:                        # documents of the bases this overlay leaves out
      - {kind: Endpoint, name: churn}
    namePrefix: staging-
    nameSuffix: ""
    tags: {environment: staging}

and any other ``*.yaml`` files in it (patch files and bases within it aside) are documents
it adds. The steps, in order: the bases (each rendered, an overlay
base with its own steps) and the added documents; the common ``tags`` (the overlay's value
wins over a document's own, as kustomize's commonLabels do; kinds that cannot be tagged,
``owned_through`` another, get none); the patches (:mod:`~reconciler.manifests.patches`:
they may set a document's tags, which then win); ``remove``; then ``namePrefix`` and
``nameSuffix`` on every ``metadata.name`` and on every reference that names one of these
documents (references to anything else — an existing resource, an ARN — are left alone).
Once the outermost overlay is rendered, ``${VAR}`` substitution runs over every value
(:mod:`~reconciler.manifests.substitution`). A plain directory is substituted only when
variables are given, so that a directory loaded as it was before overlays existed reads the
same.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from reconciler.apimodel import format_path
from reconciler.kinds import KINDS
from reconciler.manifests.declared_checks import NAMED_BY_CHECKS
from reconciler.manifests.files import ManifestFile, display_path, find_files, read_text
from reconciler.manifests.located import Node, document_of, plain_value, tree
from reconciler.manifests.patches import Patcher, address_of, remove
from reconciler.manifests.substitution import Variables, substitute
from reconciler.manifests.wording import show, unknown
from reconciler.manifests.yamldoc import Document, parse
from reconciler.resources import API_VERSION, Kind, Location, Problem

OVERLAY_FILES = ("overlay.yaml", "overlay.yml")
OVERLAY_KIND = "Overlay"
OVERLAY_FIELDS = (
    "apiVersion",
    "kind",
    "bases",
    "patches",
    "remove",
    "namePrefix",
    "nameSuffix",
    "tags",
)


@dataclass
class Rendered:
    """documents: the final documents; problems: what rendering met (the documents' own
    problems are the loader's to find); files: every file read, overlay files included."""

    documents: list[Document] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


def overlay_file(directory: str | Path) -> Path | None:
    """The overlay file of `directory`, when it is an overlay."""
    for name in OVERLAY_FILES:
        path = Path(directory) / name
        if path.is_file():
            return path
    return None


def render(directory: str | Path, variables: Variables | None = None) -> Rendered:
    """The documents `directory` declares: an overlay rendered, or plain manifests read;
    ``${VAR}`` substituted from `variables` in an overlay always (unset: an error), in a
    plain directory when `variables` is given."""
    rendered = Rendered()
    if overlay_file(directory) is None:
        documents = _read_plain(Path(directory), rendered, exclude=set())
        if variables is None:
            rendered.documents = documents
            return rendered
        roots = [tree(document) for document in documents]
    else:
        roots = _once(_render_overlay(Path(directory), [], rendered), rendered.problems)
    values: Mapping[str, object] = variables or {}
    for root in roots:
        address = address_of(root)
        rendered.problems += substitute(root, values, "/".join(address) if address else None)
    rendered.documents = [document_of(root) for root in roots]
    return rendered


def _once(roots: list[Node], problems: list[Problem]) -> list[Node]:
    """`roots` without the second of two documents that are one written document reached
    twice under one name (two overlays of one base, both among the bases, neither renaming
    it: kustomize's "already registered id"); two overlays that give a base's documents
    different names may both be bases (kustomize issue #1083's aggregate)."""
    seen: dict[tuple[str, str], Location] = {}
    kept: list[Node] = []
    for root in roots:
        address = address_of(root)
        if address is not None and seen.get(address) == root.where:
            problems.append(
                Problem(
                    f"{'/'.join(address)} is this one document reached twice through the "
                    "bases, under one name: include its base once, or give the overlays "
                    "that include it different name prefixes",
                    root.where,
                )
            )
            continue
        if address is not None:
            seen.setdefault(address, root.where)
        kept.append(root)
    return kept


def _read_plain(directory: Path, rendered: Rendered, exclude: set[Path]) -> list[Document]:
    """The documents of the manifest files under `directory`, but those in `exclude` (an
    overlay's own files) and those of an overlay within (which a plain directory does not
    render: it is somebody's overlay, not manifests)."""
    files, problems = find_files(directory)
    rendered.problems += problems
    documents: list[Document] = []
    for file in files:
        if _absolute(file.path) in exclude:
            continue
        if any(_absolute(file.path).is_relative_to(path) for path in exclude if path.is_dir()):
            continue
        if file.path.name in OVERLAY_FILES:
            rendered.problems.append(
                Problem(
                    f"an overlay within a directory of manifests: give the overlay's directory "
                    f"({display_path(file.path.parent)}) as the manifests to load, or move it out",
                    Location(file.display, 1),
                )
            )
            continue
        documents += _parse_file(file, rendered)
    return documents


def _parse_file(file: ManifestFile, rendered: Rendered) -> list[Document]:
    rendered.files.append(file.display)
    text = read_text(file)
    if isinstance(text, Problem):
        rendered.problems.append(text)
        return []
    documents, problems = parse(text, file.display)
    rendered.problems += problems
    return documents


def _absolute(path: Path) -> Path:
    return Path(os.path.abspath(path))


@dataclass
class _Overlay:
    """What ``overlay.yaml`` says (the parts that are right), each with where it says it."""

    bases: list[tuple[str, Node]] = field(default_factory=list)
    patch_files: list[tuple[str, Node]] = field(default_factory=list)
    inline_patches: list[Node] = field(default_factory=list)
    removes: list[tuple[str, str, Node]] = field(default_factory=list)
    prefix: str = ""
    suffix: str = ""
    tags: dict[str, Node] = field(default_factory=dict)


def _render_overlay(directory: Path, chain: list[Path], rendered: Rendered) -> list[Node]:
    """The documents of the overlay in `directory`; `chain`: the overlay files on the way
    here (a base that is one of them is a cycle)."""
    path = overlay_file(directory)
    assert path is not None
    file = ManifestFile(path, display_path(path))
    known = len(rendered.problems)
    documents = _parse_file(file, rendered)
    if not documents:
        if len(rendered.problems) == known:  # not a syntax error, already reported
            rendered.problems.append(
                Problem("an overlay file must hold one document", Location(file.display, 1))
            )
        return []
    if len(documents) > 1:
        rendered.problems.append(
            Problem("an overlay file holds one document", Location(file.display, documents[1].line))
        )
    # Its YAML issues (a duplicate key, an unquoted `on`) are reported here, inline patches'
    # included: they are the overlay file's, wherever their values go.
    document = documents[0]
    rendered.problems += [
        Problem(issue.message, Location(file.display, issue.line), field=format_path(issue.path))
        for issue in document.issues
    ]
    document.issues = []
    overlay = _read_overlay(tree(document), rendered.problems)
    # Identities are resolved paths, so that a symlinked base cannot hide a cycle.
    here = [*chain, path.resolve()]

    # Render the bases, each a plain directory or an overlay.
    roots: list[Node] = []
    exclude = {_absolute(path)}
    for base, node in overlay.bases:
        base_dir = Path(os.path.normpath(directory / base))
        exclude.add(_absolute(base_dir))
        if not base_dir.is_dir():
            what = "does not exist" if not base_dir.exists() else "is not a directory"
            rendered.problems.append(
                Problem(
                    f"base {base!r}: {display_path(base_dir)} {what}", node.where, field="bases"
                )
            )
            continue
        base_overlay = overlay_file(base_dir)
        if base_overlay is not None and base_overlay.resolve() in here:
            cycle = [*here[here.index(base_overlay.resolve()) :], base_overlay.resolve()]
            rendered.problems.append(
                Problem(
                    "overlay cycle: " + " → ".join(display_path(p) for p in cycle),
                    node.where,
                    field="bases",
                )
            )
            continue
        if base_overlay is not None:
            roots += _render_overlay(base_dir, here, rendered)
        else:
            roots += [tree(d) for d in _read_plain(base_dir, rendered, exclude=set())]

    # Read the patch files, and add the overlay's own documents.
    patches: list[Node] = []
    for patch_file, node in overlay.patch_files:
        patch_path = Path(os.path.normpath(directory / patch_file))
        exclude.add(_absolute(patch_path))
        if not patch_path.is_file():
            rendered.problems.append(
                Problem(f"patch file {patch_file!r} does not exist", node.where, field="patches")
            )
            continue
        patches += [
            tree(d)
            for d in _parse_file(ManifestFile(patch_path, display_path(patch_path)), rendered)
        ]
    patches += overlay.inline_patches
    roots += [tree(d) for d in _read_plain(directory, rendered, exclude=exclude)]

    # Tag, patch, remove, rename (common tags before patches: a patch's own tag wins).
    _add_tags(roots, overlay.tags)
    patcher = Patcher(roots, rendered.problems)
    for patch in patches:
        patcher.apply(patch)
    for kind, name, node in overlay.removes:
        problem = remove(roots, kind, name, node.where)
        if problem is not None:
            rendered.problems.append(problem)
    if overlay.prefix or overlay.suffix:
        rename(roots, overlay.prefix, overlay.suffix)
    return roots


def _read_overlay(root: Node, problems: list[Problem]) -> _Overlay:
    overlay = _Overlay()
    fields = root.mapping
    if fields is None:
        problems.append(
            Problem(f"an overlay must be a mapping, got {show(root.value)}", root.where)
        )
        return overlay

    def problem(message: str, node: Node, name: str) -> None:
        problems.append(Problem(message, node.where, field=name))

    for key, node in fields.items():
        if key not in OVERLAY_FIELDS:
            problem(unknown("field", key, OVERLAY_FIELDS), node, key)
    version, kind = fields.get("apiVersion"), fields.get("kind")
    if version is None or version.value != API_VERSION:
        problem(f"must be {API_VERSION!r}", version or root, "apiVersion")
    if kind is None or kind.value != OVERLAY_KIND:
        problem(f"must be {OVERLAY_KIND!r} in an overlay file", kind or root, "kind")
    for name in ("namePrefix", "nameSuffix"):
        affix = fields.get(name)
        if affix is None:
            continue
        if not isinstance(affix.value, str):
            problem(f"expected a string, got {show(affix.value)}", affix, name)
        elif name == "namePrefix":
            overlay.prefix = affix.value
        else:
            overlay.suffix = affix.value
    for item in _list(fields, "bases", problem):
        if isinstance(item.value, str) and item.value:
            overlay.bases.append((item.value, item))
        else:
            problem(f"a base is a directory, got {show(item.value)}", item, "bases")
    for item in _list(fields, "patches", problem):
        if isinstance(item.value, str) and item.value:
            overlay.patch_files.append((item.value, item))
        elif item.mapping is not None:
            overlay.inline_patches.append(item)
        else:
            problem(
                f"a patch is a file or a patch document, got {show(item.value)}", item, "patches"
            )
    for item in _list(fields, "remove", problem):
        kind_name, name_of = item.text("kind"), item.text("name")
        extra = [k for k in (item.mapping or {}) if k not in ("kind", "name")]
        if kind_name is None or name_of is None or extra:
            problem("an item of remove is {kind: K, name: N}", item, "remove")
        elif kind_name not in tuple(Kind):
            problem(unknown("kind", kind_name, tuple(k.value for k in Kind)), item, "remove")
        else:
            overlay.removes.append((kind_name, name_of, item))
    tags = fields.get("tags")
    if tags is not None:
        if tags.mapping is None:
            problem(f"expected a mapping, got {show(tags.value)}", tags, "tags")
        else:
            for key, value in tags.mapping.items():
                if isinstance(value.value, str):
                    overlay.tags[key] = value
                else:
                    problem(
                        f"a tag value is a string, got {show(value.value)}", value, f"tags.{key}"
                    )
    return overlay


def _list(
    fields: dict[str, Node], name: str, problem: Callable[[str, Node, str], None]
) -> list[Node]:
    node = fields.get(name)
    if node is None:
        return []
    if node.items is None:
        problem(f"expected a list, got {show(node.value)}", node, name)
        return []
    return node.items


def _add_tags(roots: list[Node], tags: dict[str, Node]) -> None:
    """Each taggable document gets `tags`, over its own tags of the same keys."""
    if not tags:
        return
    for root in roots:
        kind = root.text("kind")
        if kind not in tuple(Kind) or KINDS[Kind(kind)].owned_through is not None:
            continue
        fields = root.mapping
        assert fields is not None  # it has a kind
        metadata = fields.setdefault("metadata", Node({}, root.where))
        if metadata.mapping is None:
            continue  # the envelope check reports it
        own = metadata.mapping.setdefault("tags", Node({}, next(iter(tags.values())).where))
        if own.mapping is None:
            continue
        # Each document its own nodes: later steps (substitution) change values in place.
        own.mapping.update((k, Node(v.value, v.where, v.plain)) for k, v in tags.items())


def rename(roots: list[Node], prefix: str, suffix: str) -> None:
    """`prefix` + name + `suffix` for every document of `roots`, and for every reference
    in them that names one of them."""
    renamed: dict[tuple[str, str], str] = {}
    for root in roots:
        address = address_of(root)
        if address is None:
            continue
        renamed[address] = prefix + address[1] + suffix
    for root in roots:
        address = address_of(root)
        if address is None:
            continue
        name = root.get("metadata", "name")
        assert name is not None
        name.value = renamed[address]
        spec = root.get("spec")
        if address[0] not in tuple(Kind) or spec is None or spec.mapping is None:
            continue
        value = plain_value(spec)
        assert isinstance(value, dict)
        for reference in KINDS[Kind(address[0])].references:
            if reference.derive is not None:
                continue  # made of fields that carry references of their own
            for path, named in reference.find_in(value):
                new = renamed.get((reference.kind.value, named))
                node = spec.get(*path)
                if new is None or node is None or not isinstance(node.value, str):
                    continue
                node.value = reference.renamed(node.value, new)
        for value_pattern in KINDS[Kind(address[0])].named_values:
            field, wanted = value_pattern.when
            for holder in _nodes_at(spec, value_pattern.path):
                said, value = holder.get(field), holder.get(value_pattern.key)
                if said is None or said.value != wanted or value is None:
                    continue
                if isinstance(value.value, str):
                    key = (value_pattern.kind.value, value.value)
                    value.value = renamed.get(key, value.value)
        _rename_in_checks(root.get("checks"), renamed)


def _rename_in_checks(checks: Node | None, renamed: dict[tuple[str, str], str]) -> None:
    """The names a ``checks:`` section gives of renamed documents, renamed with them."""
    for path, kind in NAMED_BY_CHECKS:
        for node in _nodes_at(checks, path):
            if isinstance(node.value, str):
                node.value = renamed.get((kind.value, node.value), node.value)


def _nodes_at(node: Node | None, path: tuple[str, ...]) -> list[Node]:
    """The nodes at `path` under `node` ("*": each item of a list)."""
    if node is None:
        return []
    if not path:
        return [node]
    step, rest = path[0], path[1:]
    if step == "*":
        items = node.value if isinstance(node.value, list) else []
        return [found for item in items for found in _nodes_at(item, rest)]
    return _nodes_at(node.get(step), rest)
