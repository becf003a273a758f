"""Documents as trees of located values: what overlays work on, so that every value keeps
the file and line it was written at while documents from several files are merged.

In:  a :class:`~reconciler.manifests.yamldoc.Document` (one file's document).
Out: a :class:`Node` tree — each value with its :class:`Location` (a mapping entry: its
     key's line), whether it was a plain scalar, and the YAML issues met on it — and back:
     a Document whose ``lines`` and ``files`` say where each path was written (a value a
     patch put there: the patch's file and line).

Called by :mod:`reconciler.manifests.overlays`, :mod:`~reconciler.manifests.patches` and
:mod:`~reconciler.manifests.substitution`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reconciler.apimodel import Path
from reconciler.manifests.yamldoc import Document, Issue
from reconciler.resources import Location


@dataclass
class Node:
    """One value and where it was written.

    value:  ``dict[str, Node]``, ``list[Node]`` or a scalar (str, int, float, bool, None)
    where:  the file and line of the value (a mapping entry: its key's line)
    plain:  a string written as a plain (unquoted) scalar
    issues: YAML issues met on this value (each with its own file and line)
    """

    value: object
    where: Location
    plain: bool = False
    issues: list[Issue] = field(default_factory=list)

    @property
    def mapping(self) -> dict[str, Node] | None:
        return self.value if isinstance(self.value, dict) else None

    @property
    def items(self) -> list[Node] | None:
        return self.value if isinstance(self.value, list) else None

    def get(self, *path: str | int) -> Node | None:
        """The node at `path` under this one, if there is one."""
        node: Node | None = self
        for step in path:
            if node is None:
                return None
            if isinstance(step, str) and isinstance(node.value, dict):
                node = node.value.get(step)
            elif isinstance(step, int) and isinstance(node.value, list):
                node = node.value[step] if 0 <= step < len(node.value) else None
            else:
                return None
        return node

    def text(self, *path: str | int) -> str | None:
        """The string at `path`, if there is a string there."""
        node = self.get(*path)
        return node.value if node is not None and isinstance(node.value, str) else None


def plain_value(node: Node) -> object:
    """The JSON-like value of `node` (what the manifest layers read)."""
    if isinstance(node.value, dict):
        return {key: plain_value(child) for key, child in node.value.items()}
    if isinstance(node.value, list):
        return [plain_value(child) for child in node.value]
    return node.value


def tree(document: Document) -> Node:
    """`document` as a tree of located values."""

    def build(value: object, path: Path) -> Node:
        where = document.location_of(path)
        if isinstance(value, dict):
            return Node({k: build(v, (*path, k)) for k, v in value.items()}, where)
        if isinstance(value, list):
            return Node([build(v, (*path, i)) for i, v in enumerate(value)], where)
        return Node(value, where, plain=path in document.plain)

    root = build(document.value, ())
    for issue in document.issues:
        holder = root
        for step in issue.path:  # the deepest node of the issue's path that exists
            child = holder.get(step)
            if child is None:
                break
            holder = child
        holder.issues.append(Issue((), issue.line, issue.message, issue.file or document.file))
    return root


def document_of(root: Node) -> Document:
    """The Document `root` is (its file and first line: the root's)."""
    file = root.where.file
    document = Document(file=file, line=root.where.line, value=None)

    def walk(node: Node, path: Path) -> object:
        if path:
            document.lines[path] = node.where.line
            if node.where.file != file:
                document.files[path] = node.where.file
        if node.plain:
            document.plain.add(path)
        for issue in node.issues:
            own = None if issue.file == file else issue.file
            document.issues.append(Issue(path, issue.line, issue.message, own))
        if isinstance(node.value, dict):
            return {key: walk(child, (*path, key)) for key, child in node.value.items()}
        if isinstance(node.value, list):
            return [walk(child, (*path, index)) for index, child in enumerate(node.value)]
        return node.value

    document.value = walk(root, ())
    return document
