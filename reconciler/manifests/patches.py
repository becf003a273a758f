"""An overlay's patches: partial documents merged strategically into the documents of its
bases, as kustomize's strategic merge patches are.

In:  the located documents (:class:`~reconciler.manifests.located.Node` roots) and one patch
     document (a located tree too, from a patch file or inline in ``overlay.yaml``).
Out: the documents, patched in place; :class:`Problem` s at the patch's file and line.

The rules (kustomize's, with the AWS name keys as merge keys):

- a patch names its document by ``kind`` and ``metadata.name`` (the name as the bases give
  it, before this overlay's own prefix and suffix); a patch that names no document is an
  error;
- mappings merge key by key, recursively; a ``null`` value removes the key;
- a list whose items carry an AWS name key (``VariantName``, ``InstanceGroupName``,
  ``ContainerHostname``, ...: each kind's :attr:`~reconciler.kinds.base.KindInfo.patch_keys`)
  merges item by item on that key; an item whose key is new is appended; any other list is
  replaced whole;
- ``$patch: delete`` deletes what it is in: a list item (with its key), a mapping value, or,
  at the top of the patch, the whole document; ``$patch: replace`` replaces a mapping whole
  instead of merging into it, and, as an item of its own, a named list whole;
- scalars are replaced;
- a patch may change a document's ``checks:`` too, by the same rules (its ``invocations``
  and ``alarms`` are lists without an AWS name key: replaced whole), so that one
  environment can prove its rollouts with checks of its own.

A value a patch brings keeps the patch's file and line, so that a problem with it (an
invalid InstanceType) is reported there.
"""

from __future__ import annotations

from reconciler.apimodel import Path, format_path
from reconciler.kinds import KINDS
from reconciler.manifests.located import Node
from reconciler.manifests.wording import did_you_mean, one_of, show, unknown
from reconciler.resources import API_VERSION, Kind, Location, Problem

MARKER = "$patch"
DELETE = "delete"
REPLACE = "replace"
MARKERS = (DELETE, REPLACE)
PATCH_FIELDS = ("apiVersion", "kind", "metadata", "spec", "checks", MARKER)
PATCH_METADATA = ("name", "tags", "annotations")


def address_of(root: Node) -> tuple[str, str] | None:
    """``(kind, metadata.name)`` of a document, when both are strings."""
    kind, name = root.text("kind"), root.text("metadata", "name")
    return (kind, name) if kind is not None and name is not None else None


def list_pattern(path: Path) -> str | None:
    """The ``patch_keys`` pattern of a list at `path` of a document (``spec.`` dropped, list
    items as ``[*]``); None outside the spec."""
    if path[:1] != ("spec",):
        return None
    parts: list[str] = []
    for step in path[1:]:
        if isinstance(step, int):
            if parts:
                parts[-1] += "[*]"
        else:
            parts.append(step)
    return ".".join(parts)


class Patcher:
    """Applies patches to a set of documents, reporting problems as it goes."""

    def __init__(self, documents: list[Node], problems: list[Problem]) -> None:
        self.documents = documents
        self.problems = problems

    def problem(
        self, message: str, node: Node, path: Path = (), address: str | None = None
    ) -> None:
        self.problems.append(Problem(message, node.where, address, format_path(path) or None))

    def apply(self, patch: Node) -> None:
        """Merge one patch document into the document it names."""
        fields = patch.mapping
        if fields is None:
            self.problem(
                f"a patch must be a mapping with kind, metadata.name and what to change, got "
                f"{show(patch.value)}",
                patch,
            )
            return
        if not self._envelope_ok(patch, fields):
            return
        address = address_of(patch)
        assert address is not None
        target = self._target(patch, address)
        if target is None:
            return
        shown = "/".join(address)
        marker = fields.get(MARKER)
        if marker is not None:
            if marker.value == DELETE:
                self.documents.remove(target)
            else:
                self.problem(
                    f"at the top of a patch only {MARKER}: {DELETE} is allowed",
                    marker,
                    (MARKER,),
                    shown,
                )
            return
        metadata = fields.get("metadata")
        changes = {
            key: value
            for key, value in fields.items()
            if key in ("metadata", "spec", "checks") and value is not metadata
        }
        if metadata is not None and metadata.mapping is not None:
            rest = {k: v for k, v in metadata.mapping.items() if k != "name"}
            if rest:
                changes["metadata"] = Node(rest, metadata.where)
        merged = self.merge(target, Node(changes, patch.where), (), shown, Kind(address[0]))
        assert merged is target  # a document's root is a mapping and is merged into

    def _envelope_ok(self, patch: Node, fields: dict[str, Node]) -> bool:
        ok = True
        for key, node in fields.items():
            if key not in PATCH_FIELDS:
                self.problem(unknown("field of a patch", key, PATCH_FIELDS), node, (key,))
                ok = False
        version = fields.get("apiVersion")
        if version is not None and version.value != API_VERSION:
            self.problem(
                f"must be {API_VERSION!r}, got {show(version.value)}", version, ("apiVersion",)
            )
            ok = False
        kind = patch.text("kind")
        if kind is None:
            self.problem("a patch needs the kind of the document it changes", patch, ("kind",))
            return False
        if kind not in tuple(Kind):
            self.problem(
                unknown("kind", kind, tuple(k.value for k in Kind)),
                patch.get("kind") or patch,
                ("kind",),
            )
            return False
        metadata = fields.get("metadata")
        if metadata is None or patch.text("metadata", "name") is None:
            self.problem(
                "a patch needs metadata.name: the name of the document it changes",
                metadata or patch,
                ("metadata", "name"),
            )
            return False
        for key, node in (metadata.mapping or {}).items():
            if key not in PATCH_METADATA:
                self.problem(unknown("field", key, PATCH_METADATA), node, ("metadata", key))
                ok = False
        return ok

    def _target(self, patch: Node, address: tuple[str, str]) -> Node | None:
        for document in self.documents:
            if address_of(document) == address:
                return document
        message = missing("the patch names no", *address, self.documents)
        self.problem(
            f"{message}: a patch changes a document of the bases or of this overlay, named "
            "as they name it (before this overlay's prefix and suffix)",
            patch.get("metadata", "name") or patch,
            ("metadata", "name"),
        )
        return None

    def merge(self, target: Node, patch: Node, path: Path, address: str, kind: Kind) -> Node | None:
        """`patch` merged into `target` (None: delete it)."""
        fields = patch.mapping
        if fields is not None:
            marker = fields.get(MARKER)
            if marker is not None:
                if marker.value == DELETE:
                    return None
                if marker.value != REPLACE:
                    self.problem(
                        unknown(f"{MARKER} value", str(marker.value), MARKERS),
                        marker,
                        (*path, MARKER),
                        address,
                    )
                    return target
                return self.added(
                    Node({k: v for k, v in fields.items() if k != MARKER}, patch.where)
                )
            own = target.mapping
            if own is None:
                return self.added(patch)
            for key, change in fields.items():
                if change.value is None:  # null removes the key
                    own.pop(key, None)
                elif key in own:
                    merged = self.merge(own[key], change, (*path, key), address, kind)
                    if merged is None:
                        del own[key]
                    else:
                        own[key] = merged
                elif _deletes(change):
                    self.problem(
                        f"nothing to delete: there is no {key!r} here",
                        change,
                        (*path, key),
                        address,
                    )
                else:
                    own[key] = self.added(change)
            return target
        items = patch.items
        if items is not None and target.items is not None:
            pattern = list_pattern(path)
            item_key = KINDS[kind].patch_keys.get(pattern) if pattern is not None else None
            if item_key is not None:
                self._merge_items(target.items, items, item_key, path, address, kind)
                return target
        return self.added(patch)

    def _merge_items(
        self, own: list[Node], items: list[Node], key: str, path: Path, address: str, kind: Kind
    ) -> None:
        # An item `{$patch: replace}` alone makes the patch's items the whole list
        # (kustomize's list directive), instead of merging them.
        if any(_is_replace_directive(item) for item in items):
            own[:] = [self.added(item) for item in items if not _is_replace_directive(item)]
            return
        for index, item in enumerate(items):
            name = item.text(key)
            if name is None:
                self.problem(
                    f"an item of this list needs its {key}: the patch merges items by {key}",
                    item,
                    (*path, index),
                    address,
                )
                continue
            at = next((i for i, mine in enumerate(own) if mine.text(key) == name), None)
            if at is None:
                if _deletes(item):
                    self.problem(
                        f"nothing to delete: no item with {key} {name!r}",
                        item,
                        (*path, index),
                        address,
                    )
                else:
                    own.append(self.added(item))
                continue
            merged = self.merge(own[at], item, (*path, at), address, kind)
            if merged is None:
                del own[at]
            else:
                own[at] = merged

    def added(self, patch: Node) -> Node:
        """A patch value taken as it is: its markers dropped (a ``delete`` inside a new value
        has nothing to delete), its nulls too."""
        if patch.mapping is not None:
            kept = {
                key: self.added(value)
                for key, value in patch.mapping.items()
                if key != MARKER and value.value is not None and not _deletes(value)
            }
            return Node(kept, patch.where, issues=patch.issues)
        if patch.items is not None:
            return Node(
                [self.added(v) for v in patch.items if not _deletes(v)],
                patch.where,
                issues=patch.issues,
            )
        return patch


def _is_replace_directive(node: Node) -> bool:
    return (
        node.mapping is not None
        and list(node.mapping) == [MARKER]
        and (node.mapping[MARKER].value == REPLACE)
    )


def _deletes(node: Node) -> bool:
    marker = node.get(MARKER)
    return marker is not None and marker.value == DELETE


def remove(documents: list[Node], kind: str, name: str, where: Location) -> Problem | None:
    """Remove the document `kind`/`name` (an overlay's ``remove``); the problem when there
    is none."""
    for document in documents:
        if address_of(document) == (kind, name):
            documents.remove(document)
            return None
    return Problem(missing("remove names no", kind, name, documents), where, field="remove")


def missing(what: str, kind: str, name: str, documents: list[Node]) -> str:
    """``<what> Endpoint named 'x'; did you mean 'y'?`` (or the names there are)."""
    names = [a[1] for d in documents if (a := address_of(d)) is not None and a[0] == kind]
    text = f"{what} {kind} named {name!r}"
    suggestion = did_you_mean(name, names)
    if suggestion is not None:
        return f"{text}; did you mean {suggestion!r}?"
    if names:
        return f"{text}; there are {one_of(names)}"
    return f"{text}; there is no {kind} at all"
