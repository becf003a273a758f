"""YAML text → JSON-like documents that remember the line of every value.

In:  the text of one file and the name messages give it.
Out: a :class:`Document` per non-empty YAML document (``---``): its value (``dict``,
     ``list``, ``str``, ``int``, ``float``, ``bool``, ``None`` only), the 1-based line of every
     path in it, and the :class:`Issue` s met while converting; or a :class:`Problem` for a
     syntax error, with the line of the YAML error mark.

Why not ``yaml.safe_load``: it forgets lines, silently keeps the last of two equal keys, and
reads YAML 1.1 scalars into types a SageMaker request cannot hold (``on`` → ``True``,
``2024-01-01`` → ``date``, ``0755`` → ``493``). So the text is only *composed* (nodes carry
marks), with a resolver that knows the JSON-like scalars of YAML 1.2 and nothing else, and
the nodes are converted here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from reconciler.apimodel import Path
from reconciler.resources import Location, Problem

# libyaml's parser is several times faster; the pure-Python one gives the same nodes and marks.
_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

NULL = "tag:yaml.org,2002:null"
BOOL = "tag:yaml.org,2002:bool"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
STR = "tag:yaml.org,2002:str"
MAP = "tag:yaml.org,2002:map"
SEQ = "tag:yaml.org,2002:seq"
MERGE = "tag:yaml.org,2002:merge"
# A plain scalar that YAML 1.1 tools read as a boolean and YAML 1.2 tools as a string.
AMBIGUOUS_BOOL = "tag:sagemaker-reconciler,2024:yaml11-bool"

# A document whose aliases expand beyond this many values is refused ("billion laughs").
MAX_VALUES_PER_DOCUMENT = 100_000


class JsonLikeLoader(_BaseLoader):  # type: ignore[misc]
    """A SafeLoader that resolves only YAML 1.2's JSON-like scalars: null, true/false, ints,
    floats; everything else plain is a string. YAML 1.1's yes/no/on/off get a tag of their
    own so that they are reported instead of read either way silently."""

    yaml_implicit_resolvers: ClassVar[dict[Any, Any]] = {}


_RESOLVERS: tuple[tuple[str, str, list[str]], ...] = (
    (NULL, r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    (BOOL, r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    (AMBIGUOUS_BOOL, r"^(?:yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF)$", list("yYnNoO")),
    # Ints before floats: the first matching resolver wins. No leading zeros (0755 is octal
    # in YAML 1.1), so account ids and the like stay strings.
    (INT, r"^[-+]?(?:0|[1-9][0-9]*)$", list("-+0123456789")),
    (
        FLOAT,
        r"^[-+]?(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9]+(?:[eE][-+]?[0-9]+)?)$",
        list("-+.0123456789"),
    ),
    (MERGE, r"^<<$", ["<"]),
)
for _tag, _pattern, _first in _RESOLVERS:
    JsonLikeLoader.add_implicit_resolver(_tag, re.compile(_pattern), _first)


def plain_scalar(text: str) -> object:
    """`text` as this module reads it written as a plain scalar: a number, true/false or
    null when it is one of YAML 1.2's JSON-like scalars, else the string itself."""
    for tag, pattern, _ in _RESOLVERS:
        if not re.fullmatch(pattern, text):
            continue
        if tag == NULL:
            return None
        if tag == BOOL:
            return text.lower() == "true"
        if tag == INT:
            return int(text)
        if tag == FLOAT:
            return float(text)
        break
    return text


@dataclass(frozen=True)
class Issue:
    """Something wrong found while converting a document, before its meaning is known.

    path: where in the document (``("spec", "Environment", "DEBUG")``)
    line: 1-based line
    """

    path: Path
    line: int
    message: str
    file: str | None = None  # None: the document's own file (an overlay's patch: its file)


@dataclass
class Document:
    """One YAML document of a file.

    file:   the file's name as shown in messages
    line:   where the document's content starts
    value:  the converted value
    lines:  1-based line of every path in `value` (a mapping entry: its key's line)
    files:  the file of a path written in another file than `file` (a value an overlay's
            patch put there: the patch's file; reconciler.manifests.overlays)
    plain:  the paths of plain (unquoted) string scalars: where an overlay's ``${VAR}``
            standing alone is read as YAML reads a plain scalar (``3`` is a number)
    issues: problems met while converting (duplicate keys, unsupported tags, ...)
    """

    file: str
    line: int
    value: object
    lines: dict[Path, int] = field(default_factory=dict)
    files: dict[Path, str] = field(default_factory=dict)
    plain: set[Path] = field(default_factory=set)
    issues: list[Issue] = field(default_factory=list)

    def line_of(self, path: Path) -> int:
        """Line of the deepest written prefix of `path` (a missing field: its parent's)."""
        return self.location_of(path).line

    def location_of(self, path: Path) -> Location:
        """File and line of the deepest written prefix of `path`."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return Location(self.files.get(path[:end], self.file), line)
        return Location(self.file, self.line)


def parse(text: str, file: str) -> tuple[list[Document], list[Problem]]:
    """The non-empty documents of `text`, and the syntax error that stopped reading, if any.

    Documents before a syntax error are kept, so that their own problems are reported too.
    """
    documents: list[Document] = []
    problems: list[Problem] = []
    loader = JsonLikeLoader(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None or (isinstance(node, ScalarNode) and node.tag == NULL):
                continue  # an empty document ("---" alone, or only comments)
            try:
                documents.append(_convert_document(node, file))
            except _TooLarge:
                problems.append(
                    Problem(
                        "document too large: its aliases expand to more than "
                        f"{MAX_VALUES_PER_DOCUMENT} values",
                        Location(file, node.start_mark.line + 1),
                    )
                )
    except yaml.MarkedYAMLError as err:
        problems.append(_syntax_problem(err, text, file))
    except yaml.reader.ReaderError as err:
        line = text.count("\n", 0, err.position) + 1
        problems.append(
            Problem(
                f"invalid character {chr(err.character)!r} (#x{err.character:04x}) in YAML",
                Location(file, line),
            )
        )
    except yaml.YAMLError as err:  # anything else libyaml may raise, still with no traceback
        problems.append(Problem(f"invalid YAML: {err}", Location(file, 1)))
    finally:
        loader.dispose()
    return documents, problems


def _syntax_problem(err: yaml.MarkedYAMLError, text: str, file: str) -> Problem:
    mark = err.problem_mark or err.context_mark
    line = mark.line + 1 if mark else 1
    message = f"invalid YAML: {err.problem or 'syntax error'}"
    if err.context:
        where = f", line {err.context_mark.line + 1}" if err.context_mark else ""
        message += f" ({err.context}{where})"
    if mark is not None:
        source_lines = text.splitlines()
        if mark.line < len(source_lines) and "\t" in source_lines[mark.line][: mark.column + 1]:
            message += "; YAML does not allow tabs for indentation, use spaces"
    return Problem(message, Location(file, line))


class _TooLarge(Exception):
    """The document's aliases expand beyond MAX_VALUES_PER_DOCUMENT values."""


def _convert_document(node: Node, file: str) -> Document:
    document = Document(file=file, line=node.start_mark.line + 1, value=None)
    document.value = _Converter(document).value(node, ())
    return document


class _Converter:
    """Turns the nodes of one document into plain values, filling its lines and issues."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.budget = MAX_VALUES_PER_DOCUMENT
        self.active: set[int] = set()  # collection nodes being converted: an alias loop guard

    def issue(self, path: Path, node: Node, message: str) -> None:
        self.document.issues.append(Issue(path, node.start_mark.line + 1, message))

    def value(self, node: Node, path: Path) -> object:
        self.budget -= 1
        if self.budget < 0:
            raise _TooLarge
        if isinstance(node, ScalarNode):
            return self.scalar(node, path)
        if id(node) in self.active:
            self.issue(path, node, "recursive alias: a value cannot contain itself")
            return None
        self.active.add(id(node))
        try:
            if node.tag not in (MAP, SEQ):
                self.issue(path, node, f"unsupported YAML tag {_short(node.tag)}")
            if isinstance(node, MappingNode):
                return self.mapping(node, path)
            if isinstance(node, SequenceNode):
                return self.sequence(node, path)
            return None  # no other node kinds exist
        finally:
            self.active.discard(id(node))

    def mapping(self, node: MappingNode, path: Path) -> dict[str, object]:
        lines = self.document.lines
        merged: dict[str, object] = {}
        result: dict[str, object] = {}
        first_line: dict[str, int] = {}
        explicit: list[tuple[str, int, Node]] = []
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode) and key_node.tag == MERGE:
                # YAML 1.1 merge key ("<<: *defaults"): explicit keys win over merged ones.
                self.merge(value_node, path, merged)
                continue
            if not isinstance(key_node, ScalarNode):
                self.issue(path, key_node, "mapping keys must be plain strings")
                continue
            # JSON keys are strings: "1:" or "true:" as a key is the text as written.
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in first_line:
                self.issue(
                    (*path, key),
                    key_node,
                    f"duplicate key {key!r} (first at line {first_line[key]}); "
                    "YAML tools disagree on which one wins, keep one",
                )
                continue
            first_line[key] = line
            explicit.append((key, line, value_node))
        # Merged values first, so that the lines of explicit keys overwrite theirs.
        result.update(merged)
        for key, line, value_node in explicit:
            lines[(*path, key)] = line
            result[key] = self.value(value_node, (*path, key))
        return result

    def merge(self, source: Node, path: Path, into: dict[str, object]) -> None:
        """Add the entries of a ``<<`` source (a mapping or a list of them) that `into` lacks;
        in a list the first mapping wins, as YAML 1.1 says."""
        sources = source.value if isinstance(source, SequenceNode) else [source]
        for item in sources:
            if not isinstance(item, MappingNode):
                self.issue(path, item, "a merge key (<<) takes a mapping or a list of mappings")
                continue
            value = self.value(item, path)
            if isinstance(value, dict):
                for key, entry in value.items():
                    into.setdefault(key, entry)

    def sequence(self, node: SequenceNode, path: Path) -> list[object]:
        lines = self.document.lines
        items: list[object] = []
        for index, item in enumerate(node.value):
            lines[(*path, index)] = item.start_mark.line + 1
            items.append(self.value(item, (*path, index)))
        return items

    def scalar(self, node: ScalarNode, path: Path) -> object:
        tag, text = node.tag, node.value
        if tag == STR:
            if not node.style:  # None (pure-Python parser) or "" (libyaml): plain
                self.document.plain.add(path)
            return text
        if tag == NULL:
            return None
        if tag == BOOL:
            if text.lower() in ("true", "false"):
                return text.lower() == "true"
        elif tag == INT:
            try:
                return int(text)
            except ValueError:
                pass
        elif tag == FLOAT:
            try:
                return float(text)
            except ValueError:
                pass
        elif tag == AMBIGUOUS_BOOL:
            self.issue(
                path,
                node,
                f"{text!r} is a boolean in YAML 1.1 but a string in YAML 1.2; "
                f"write '{text}' in quotes for the string, or true/false for a boolean",
            )
            return text
        else:
            # Timestamps, binary, sets, custom tags (!Ref): not values a request can hold.
            self.issue(path, node, f"unsupported YAML tag {_short(tag)}; write a plain value")
            return text
        self.issue(path, node, f"{text!r} is not a valid {_short(tag)}")
        return text


def _short(tag: str) -> str:
    """``tag:yaml.org,2002:int`` as written in YAML: ``!!int``."""
    prefix = "tag:yaml.org,2002:"
    return "!!" + tag[len(prefix) :] if tag.startswith(prefix) else tag
