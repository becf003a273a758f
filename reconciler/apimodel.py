"""Validate JSON-like values against botocore service-model shapes, the way the AWS server does.

What goes in
    A plain Python value as decoded from a JSON request body or a YAML manifest (``dict``,
    ``list``, ``str``, ``int``, ``float``, ``bool``, ``None``; ``datetime``/``bytes`` are also
    accepted where the model says *timestamp*/*blob*) and a ``botocore.model.Shape`` to check it
    against -- normally the input shape of an operation, from :func:`input_shape`.

What comes out
    A list of :class:`ShapeProblem`, one per violation, each carrying the path to the offending
    value (``("ProductionVariants", 0, "InstanceType")``), a stable machine-readable ``code`` and
    a human ``message``.  Validation never stops at the first problem: everything wrong with the
    value is reported at once.  An empty list means the value is valid.

Who calls it
    * the SageMaker API emulator (``reconciler.emulator``), to reject incoming request bodies
      server-side with the same ``ValidationException`` SageMaker would raise;
    * the manifest loader, to validate a manifest's ``spec`` -- a SageMaker ``Create*`` request
      minus the fields the reconciler fills in itself (the resource name, ``Tags``), which it
      passes as ``ignore_members`` so they are not reported as missing.

The module is pure: it only reads the JSON service models bundled with botocore (no network, no
credentials, no clients), and caches the loaded models, compiled patterns and enum sets.

Rules (``code`` in brackets)
    * ``None`` anywhere is rejected ["type"]: AWS has no null members.
    * structure: must be a ``dict``; keys that are not members ["unknown-field"] (with a
      did-you-mean suggestion); missing ``required`` members ["required"] unless listed in
      ``ignore_members`` (top level only).  A tagged union must have exactly one member set
      (none -> ["required"], several -> ["type"]).  Document-typed structures accept anything.
    * list: must be a ``list``; ``min``/``max`` bound the number of items ["min-length",
      "max-length"]; items are validated with their index as path element.
    * map: must be a ``dict``; ``min``/``max`` bound the number of entries; keys are validated
      against the key shape (message prefixed with ``key '...':``) and values against the value
      shape; the key string is the path element.
    * string: must be a ``str``; ``enum`` ["enum"]; ``min``/``max`` are lengths in characters
      ["min-length", "max-length"]; ``pattern`` is a Java regex that must match the *whole*
      value ["pattern"] (see :func:`compile_pattern` for the translation to Python ``re``).
    * integer/long: ``int`` (not ``bool``); float/double: ``int`` or finite ``float`` (not
      ``bool``); both honour ``min``/``max`` ["min", "max"]; an integer/long must also fit
      in 32/64 bits and a float in single precision ["min", "max"] where the shape declares
      no tighter bound.  boolean: ``bool``.
      timestamp: ``datetime``/``date``, an ISO 8601 string or epoch seconds.  blob: ``bytes``
      or ``str``.  Wrong Python types are ["type"].
"""

from __future__ import annotations

import datetime as _dt
import difflib
import functools
import itertools
import json
import math
import re
import unicodedata
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, TypeAlias

import botocore.session
from botocore.model import (
    ListShape,
    MapShape,
    ServiceModel,
    Shape,
    StringShape,
    StructureShape,
)

__all__ = [
    "PROBLEM_CODES",
    "Path",
    "PathElement",
    "ShapeProblem",
    "compile_pattern",
    "format_path",
    "input_shape",
    "service_model",
    "validate",
]

PathElement: TypeAlias = str | int
"""A structure member or map key (``str``) or a list index (``int``)."""

Path: TypeAlias = tuple[PathElement, ...]
"""Location of a value inside the validated value; ``()`` is the value itself."""

PROBLEM_CODES: Final[frozenset[str]] = frozenset(
    {
        "unknown-field",
        "required",
        "type",
        "enum",
        "min",
        "max",
        "min-length",
        "max-length",
        "pattern",
    }
)
"""Every value :attr:`ShapeProblem.code` can take."""

_NO_NAMES: Final[frozenset[str]] = frozenset()


# --------------------------------------------------------------------------- model access


@functools.cache
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


@functools.cache
def _service_model(service: str) -> ServiceModel:
    return _session().get_service_model(service)


def service_model(service: str = "sagemaker") -> ServiceModel:
    """The botocore service model for ``service``, loaded once per process from botocore's data."""
    return _service_model(service)


@functools.cache
def _input_shape(operation: str, service: str) -> StructureShape:
    shape = _service_model(service).operation_model(operation).input_shape
    if shape is None:
        raise ValueError(f"{service} operation {operation} takes no input")
    return shape


def input_shape(operation: str, service: str = "sagemaker") -> StructureShape:
    """The (cached) request shape of ``operation``, e.g. ``input_shape("CreateEndpointConfig")``.

    Raises ``botocore.model.OperationNotFoundError`` for an unknown operation and ``ValueError``
    for an operation without input.  The same shape object is returned on every call, so the
    member dictionaries botocore builds lazily on it are built only once.
    """
    return _input_shape(operation, service)


# --------------------------------------------------------------------------- problems and paths


@dataclass(frozen=True)
class ShapeProblem:
    """One violation found by :func:`validate`."""

    path: Path
    """Where the problem is: member names / map keys (``str``) and list indexes (``int``)."""

    code: str
    """Machine-readable kind of problem; one of :data:`PROBLEM_CODES`."""

    message: str
    """Human explanation, without the path (e.g. ``"must be >= 1, got 0"``)."""

    @property
    def dotted_path(self) -> str:
        """The path as ``"ProductionVariants[0].InstanceType"``; ``""`` for the root value."""
        return format_path(self.path)

    def __str__(self) -> str:
        where = self.dotted_path
        return f"{where}: {self.message}" if where else self.message


_PLAIN_NAME = re.compile(r"[A-Za-z0-9_-]+")


def format_path(path: Path) -> str:
    """Render ``path`` as ``a.b[0].c``.

    ``int`` elements become ``[i]``; ``str`` elements are joined with dots, except names with
    characters other than letters, digits, ``_`` and ``-`` (possible in map keys), which are
    rendered as ``["json string"]`` so the result stays unambiguous.  ``()`` renders as ``""``.
    """
    parts: list[str] = []
    for element in path:
        if isinstance(element, int):
            parts.append(f"[{element}]")
        elif _PLAIN_NAME.fullmatch(element):
            parts.append(f".{element}" if parts else element)
        else:
            parts.append(f"[{json.dumps(element, ensure_ascii=False)}]")
    return "".join(parts)


# --------------------------------------------------------------------------- validation


def validate(
    value: object,
    shape: Shape,
    *,
    path: Path = (),
    ignore_members: frozenset[str] = frozenset(),
) -> list[ShapeProblem]:
    """Check ``value`` against ``shape`` and return every problem found (``[]`` if valid).

    ``path`` is prepended to every reported path (for validating a fragment of a larger
    document).  ``ignore_members`` names top-level structure members the caller supplies
    itself: they are not reported as missing, but are still validated if present.
    """
    problems: list[ShapeProblem] = []
    _check(value, shape, path, None, problems, ignore_members)
    return problems


def _check(
    value: object,
    shape: Shape,
    path: Path,
    label: str | None,
    out: list[ShapeProblem],
    ignore: frozenset[str] = _NO_NAMES,
) -> None:
    """Validate one value; ``label`` is the member name used in enum messages."""
    if value is None:
        out.append(ShapeProblem(path, "type", "must not be null"))
    elif isinstance(shape, StringShape):
        _check_string(value, shape, path, label, out)
    elif isinstance(shape, StructureShape):
        _check_structure(value, shape, path, out, ignore)
    elif isinstance(shape, ListShape):
        _check_list(value, shape, path, out)
    elif isinstance(shape, MapShape):
        _check_map(value, shape, path, out)
    else:
        kind = shape.type_name
        if kind in ("integer", "long"):
            if isinstance(value, bool) or not isinstance(value, int):
                out.append(_type_problem(path, "an integer", value))
            else:
                _check_range(value, shape.metadata, path, out)
                _check_width(value, kind, shape.metadata, path, out)
        elif kind in ("float", "double"):
            if isinstance(value, bool) or not isinstance(value, int | float):
                out.append(_type_problem(path, "a number", value))
            elif isinstance(value, float) and not math.isfinite(value):
                out.append(_type_problem(path, "a finite number", value))
            else:
                _check_range(value, shape.metadata, path, out)
                if kind == "float":
                    _check_float_width(value, shape.metadata, path, out)
        elif kind == "boolean":
            if not isinstance(value, bool):
                out.append(_type_problem(path, "a boolean", value))
        elif kind == "timestamp":
            if not _is_timestamp(value):
                out.append(
                    _type_problem(
                        path, "a timestamp (ISO 8601 string, datetime or epoch seconds)", value
                    )
                )
        elif kind == "blob" and not isinstance(value, bytes | bytearray | memoryview | str):
            out.append(_type_problem(path, "bytes or a base64 string", value))
        # Any other type (none in current models) is accepted as is.


def _check_structure(
    value: object,
    shape: StructureShape,
    path: Path,
    out: list[ShapeProblem],
    ignore: frozenset[str],
) -> None:
    if shape.is_document_type:
        return
    if not isinstance(value, dict):
        out.append(_type_problem(path, "an object", value))
        return
    members = shape.members
    for key, item in value.items():
        member = members.get(key) if isinstance(key, str) else None
        if member is None:
            out.append(
                ShapeProblem(
                    (*path, str(key)), "unknown-field", _unknown_field_message(key, members)
                )
            )
        else:
            _check(item, member, (*path, key), key, out)
    for name in shape.required_members:
        if name not in value and name not in ignore:
            out.append(ShapeProblem((*path, name), "required", "is required"))
    if shape.is_tagged_union:
        chosen = [k for k, v in value.items() if k in members and v is not None]
        if not chosen:
            out.append(
                ShapeProblem(
                    path,
                    "required",
                    f"exactly one of {preview(list(members), 'members')} must be set",
                )
            )
        elif len(chosen) > 1:
            out.append(
                ShapeProblem(
                    path,
                    "type",
                    f"only one member may be set, got {', '.join(chosen)}",
                )
            )


def _check_list(value: object, shape: ListShape, path: Path, out: list[ShapeProblem]) -> None:
    if not isinstance(value, list):
        out.append(_type_problem(path, "a list", value))
        return
    _check_count(len(value), shape.metadata, "item", path, out)
    member = shape.member
    for index, item in enumerate(value):
        _check(item, member, (*path, index), None, out)


def _check_map(value: object, shape: MapShape, path: Path, out: list[ShapeProblem]) -> None:
    if not isinstance(value, dict):
        out.append(_type_problem(path, "an object", value))
        return
    _check_count(len(value), shape.metadata, "entry", path, out)
    key_shape = shape.key
    value_shape = shape.value
    for key, item in value.items():
        key_path = (*path, str(key))
        key_problems: list[ShapeProblem] = []
        _check(key, key_shape, key_path, None, key_problems)
        out.extend(
            ShapeProblem(p.path, p.code, f"key {show_value(key)}: {p.message}")
            for p in key_problems
        )
        _check(item, value_shape, key_path, None, out)


def _check_string(
    value: object, shape: StringShape, path: Path, label: str | None, out: list[ShapeProblem]
) -> None:
    if not isinstance(value, str):
        out.append(_type_problem(path, "a string", value))
        return
    meta = shape.metadata
    enum: list[str] | None = meta.get("enum")
    if enum and value not in _enum_set(enum):
        out.append(ShapeProblem(path, "enum", _enum_message(value, enum, label or shape.name)))
        return
    low = meta.get("min")
    if low is not None and len(value) < low:
        out.append(
            ShapeProblem(
                path,
                "min-length",
                f"must be at least {_count(low, 'character')} long, got {len(value)}",
            )
        )
    high = meta.get("max")
    if high is not None and len(value) > high:
        out.append(
            ShapeProblem(
                path,
                "max-length",
                f"must be at most {_count(high, 'character')} long, got {len(value)}",
            )
        )
    pattern: str | None = meta.get("pattern")
    if pattern is not None:
        compiled = compile_pattern(pattern)
        if compiled is not None and compiled.fullmatch(value) is None:
            out.append(ShapeProblem(path, "pattern", f"must match pattern {pattern}"))


def _check_range(
    value: float, meta: Mapping[str, object], path: Path, out: list[ShapeProblem]
) -> None:
    low = meta.get("min")
    if isinstance(low, int | float) and value < low:
        out.append(ShapeProblem(path, "min", f"must be >= {low}, got {value!r}"))
    high = meta.get("max")
    if isinstance(high, int | float) and value > high:
        out.append(ShapeProblem(path, "max", f"must be <= {high}, got {value!r}"))


# The widths of the model's integer types (Smithy's "integer" is a 32-bit and "long" a 64-bit
# signed integer, https://smithy.io/2.0/spec/simple-types.html; the SDKs generated from these
# models hold them in int32/int64, e.g. Java's Integer/Long): a value outside cannot reach
# SageMaker, whatever the shape's own min/max say.
_WIDTHS: Final[dict[str, tuple[int, int]]] = {
    "integer": (-(2**31), 2**31 - 1),
    "long": (-(2**63), 2**63 - 1),
}


def _check_width(
    value: int, kind: str, meta: Mapping[str, object], path: Path, out: list[ShapeProblem]
) -> None:
    """A value beyond its type's width, where the shape's own bounds did not already say so."""
    low, high = _WIDTHS[kind]
    bits = 32 if kind == "integer" else 64
    own_low, own_high = meta.get("min"), meta.get("max")
    if value < low and not (isinstance(own_low, int | float) and own_low >= low):
        out.append(
            ShapeProblem(path, "min", f"must be >= {low} (a {bits}-bit {kind}), got {value!r}")
        )
    if value > high and not (isinstance(own_high, int | float) and own_high <= high):
        out.append(
            ShapeProblem(path, "max", f"must be <= {high} (a {bits}-bit {kind}), got {value!r}")
        )


# Smithy's "float" is an IEEE-754 single-precision number: its largest finite value.
_FLOAT32_MAX: Final = 3.4028234663852886e38


def _check_float_width(
    value: float, meta: Mapping[str, object], path: Path, out: list[ShapeProblem]
) -> None:
    """A "float" beyond single precision, where the shape's own bounds did not say so."""
    own_low, own_high = meta.get("min"), meta.get("max")
    if value < -_FLOAT32_MAX and not (
        isinstance(own_low, int | float) and own_low >= -_FLOAT32_MAX
    ):
        out.append(
            ShapeProblem(
                path, "min", f"must be >= {-_FLOAT32_MAX:g} (a 32-bit float), got {value!r}"
            )
        )
    if value > _FLOAT32_MAX and not (
        isinstance(own_high, int | float) and own_high <= _FLOAT32_MAX
    ):
        out.append(
            ShapeProblem(
                path, "max", f"must be <= {_FLOAT32_MAX:g} (a 32-bit float), got {value!r}"
            )
        )


def _check_count(
    count: int, meta: Mapping[str, object], noun: str, path: Path, out: list[ShapeProblem]
) -> None:
    low = meta.get("min")
    if isinstance(low, int) and count < low:
        out.append(
            ShapeProblem(path, "min-length", f"must have at least {_count(low, noun)}, got {count}")
        )
    high = meta.get("max")
    if isinstance(high, int) and count > high:
        out.append(
            ShapeProblem(path, "max-length", f"must have at most {_count(high, noun)}, got {count}")
        )


def _is_timestamp(value: object) -> bool:
    if isinstance(value, _dt.date):  # datetime is a subclass of date
        return True
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return math.isfinite(value)
    if isinstance(value, str):
        try:
            _dt.datetime.fromisoformat(value)
        except ValueError:
            return False
        return True
    return False


# --------------------------------------------------------------------------- messages

_ENUM_SETS: dict[int, tuple[list[str], frozenset[str]]] = {}
_PREVIEW_ALL: Final = 10  # lists up to this long are shown in full
_PREVIEW_HEAD: Final = 8  # otherwise this many are shown, then "... (N values)"


def _enum_set(enum: list[str]) -> frozenset[str]:
    """A frozenset of ``enum``, cached by the identity of the model's list.

    The list object comes straight from the loaded JSON model and is shared by every Shape
    built for that enum, so identity is a cheap, stable key (the cache holds a reference, so
    the id cannot be reused while cached).
    """
    hit = _ENUM_SETS.get(id(enum))
    if hit is not None and hit[0] is enum:
        return hit[1]
    values = frozenset(enum)
    _ENUM_SETS[id(enum)] = (enum, values)
    return values


def _count(n: object, noun: str) -> str:
    if n == 1:
        return f"1 {noun}"
    plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{n} {plural}"


def preview(names: Sequence[str], noun: str) -> str:
    if len(names) <= _PREVIEW_ALL:
        return ", ".join(names)
    return f"{', '.join(names[:_PREVIEW_HEAD])}, ... ({len(names)} {noun})"


def show_value(value: object) -> str:
    """Short description of a value for messages: repr for scalars, the kind for containers."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    if value is None:
        return "null"
    if isinstance(value, str | bytes):
        if len(value) > 60:
            return f"{value[:50]!r}... ({len(value)} characters)"
        return repr(value)
    if isinstance(value, bool | int | float):
        return repr(value)
    return f"a {type(value).__name__}"


def _type_problem(path: Path, expected: str, value: object) -> ShapeProblem:
    return ShapeProblem(path, "type", f"expected {expected}, got {show_value(value)}")


def _normalise(name: str) -> str:
    return name.lower().replace("_", "").replace("-", "")


@functools.lru_cache(maxsize=1024)
def _name_index(names: tuple[str, ...]) -> dict[str, str]:
    """Normalised (lower-case, no ``_``/``-``) name -> model name; first one wins."""
    index: dict[str, str] = {}
    for name in names:
        index.setdefault(_normalise(name), name)
    return index


def suggest(word: str, names: Iterable[str], cutoff: float) -> str | None:
    """The model name ``word`` most likely meant: same name up to case/``_``/``-``, else the
    closest one by ``difflib`` (``None`` if nothing is close enough)."""
    index = _name_index(tuple(names))
    key = _normalise(word)
    if key in index:
        return index[key]
    close = difflib.get_close_matches(key, list(index), n=1, cutoff=cutoff)
    return index[close[0]] if close else None


def _unknown_field_message(key: object, members: Mapping[str, Shape]) -> str:
    text = f"unknown field {show_value(key) if not isinstance(key, str) else repr(key)}"
    if not members:
        return f"{text}; no fields are allowed here"
    suggestion = suggest(str(key), members, cutoff=0.6)
    if suggestion is not None:
        return f"{text}; did you mean {suggestion!r}?"
    return f"{text}; expected one of {preview(list(members), 'fields')}"


def _enum_message(value: str, enum: list[str], label: str) -> str:
    text = f"{show_value(value)} is not a valid {label}; expected one of {preview(enum, 'values')}"
    suggestion = suggest(value, enum, cutoff=0.8)
    if suggestion is not None:
        text += f"; did you mean {suggestion!r}?"
    return text


# --------------------------------------------------------------------------- Java patterns
#
# AWS models carry Java (java.util.regex) patterns which the service applies with
# Matcher.matches(), i.e. to the whole value.  Most are valid Python regexes with the same
# meaning; the translation below covers the differences that occur in practice:
#
# * \p{L}, \p{Lu}, \p{IsL}, \P{...} (Unicode general categories) and the POSIX classes
#   \p{Alnum}, \p{Punct}, ... (ASCII in Java) become explicit code-point ranges;
# * UTF-16 surrogate pairs such as \uD800\uDC00 become the code point (\U00010000);
# * "." excludes all Java line terminators (\n \r \x85 \u2028 \u2029), not just \n;
# * \d \w \s \b are ASCII-only in Java, hence re.ASCII;
# * a quantifier on an anchor ("$" followed by {1,128}, seen in CustomerMetadataKey) is dropped;
# * \z -> \Z, \x{h..h} -> \U, \Q...\E quoting, (?<name>...) -> (?P<name>...).
#
# Nested or intersected classes ([a[b]], [a&&b]) and Java-only escapes (\h, \R, \X, ...) are
# not translated: such patterns are skipped (compile_pattern returns None).


class _Untranslatable(Exception):
    """The Java pattern uses a construct the translator does not handle."""


_MAX_CODE_POINT: Final = 0x10FFFF
_JAVA_DOT: Final = r"[^\n\r\x85\u2028\u2029]"
_ANCHOR_QUANTIFIER = re.compile(r"(?:\{(\d+)(?:,\d*)?\}|([?*+]))[?+]?")
_SURROGATE_PAIR = re.compile(r"\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})", re.IGNORECASE)
_HEX_BRACED = re.compile(r"\\x\{([0-9a-fA-F]{1,6})\}")
_JAVA_ONLY_ESCAPES: Final = frozenset("hHvVRXGkK")

_Ranges: TypeAlias = tuple[tuple[int, int], ...]

_POSIX_CLASSES: Final[dict[str, _Ranges]] = {
    "Lower": ((0x61, 0x7A),),
    "Upper": ((0x41, 0x5A),),
    "ASCII": ((0x00, 0x7F),),
    "Alpha": ((0x41, 0x5A), (0x61, 0x7A)),
    "Digit": ((0x30, 0x39),),
    "Alnum": ((0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)),
    "Punct": ((0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)),
    "Graph": ((0x21, 0x7E),),
    "Print": ((0x20, 0x7E),),
    "Blank": ((0x09, 0x09), (0x20, 0x20)),
    "Cntrl": ((0x00, 0x1F), (0x7F, 0x7F)),
    "XDigit": ((0x30, 0x39), (0x41, 0x46), (0x61, 0x66)),
    "Space": ((0x09, 0x0D), (0x20, 0x20)),
}

# Planes 4-13 are unassigned and planes 15-16 are private use in every Unicode version so far,
# so only planes 0-3 and the first block of plane 14 need scanning (~40 ms instead of ~250 ms).
_SCANNED_BLOCKS: Final = (range(0x40000), range(0xE0000, 0xE1000))
_FIXED_RANGES: Final[dict[str, _Ranges]] = {
    "Cn": (
        (0x40000, 0xDFFFF),
        (0xE1000, 0xEFFFF),
        (0xFFFFE, 0xFFFFF),
        (0x10FFFE, 0x10FFFF),
    ),
    "Co": ((0xF0000, 0xFFFFD), (0x100000, 0x10FFFD)),
}


@functools.cache
def _category_ranges() -> dict[str, _Ranges]:
    """Code-point ranges of every Unicode general category (``Lu``...) and major class (``L``)."""
    found: dict[str, list[tuple[int, int]]] = {}
    for block in _SCANNED_BLOCKS:
        start = block.start
        categories = map(unicodedata.category, map(chr, block))
        for category, run in itertools.groupby(categories):
            length = sum(1 for _ in run)
            found.setdefault(category, []).append((start, start + length - 1))
            start += length
    for category, extra in _FIXED_RANGES.items():
        found.setdefault(category, []).extend(extra)
    table = {category: _merge(ranges) for category, ranges in found.items()}
    for major in {category[0] for category in found}:
        table[major] = _merge(r for c, rs in found.items() if c[0] == major for r in rs)
    return table


def _merge(ranges: Iterable[tuple[int, int]]) -> _Ranges:
    merged: list[tuple[int, int]] = []
    for low, high in sorted(ranges):
        if merged and low <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return tuple(merged)


def _complement(ranges: _Ranges) -> _Ranges:
    result: list[tuple[int, int]] = []
    next_low = 0
    for low, high in ranges:
        if low > next_low:
            result.append((next_low, low - 1))
        next_low = high + 1
    if next_low <= _MAX_CODE_POINT:
        result.append((next_low, _MAX_CODE_POINT))
    return tuple(result)


def _render(ranges: _Ranges) -> str:
    """Ranges as the inside of a Python character class."""
    return "".join(
        f"\\U{low:08x}" if low == high else f"\\U{low:08x}-\\U{high:08x}" for low, high in ranges
    )


def _named_class(name: str) -> _Ranges:
    if name in _POSIX_CLASSES:
        return _POSIX_CLASSES[name]
    for prefix in ("general_category=", "gc=", "Is"):
        if name.startswith(prefix):
            name = name[len(prefix) :]
            break
    table = _category_ranges()
    if name in table:
        return table[name]
    raise _Untranslatable(f"unsupported class \\p{{{name}}}")


def _translate(pattern: str) -> str:
    """Rewrite a Java regex as an equivalent Python ``re`` pattern (see the notes above)."""
    out: list[str] = []
    i = 0
    n = len(pattern)
    in_class = False
    class_start = False  # just after "[" or "[^": a "]" here is a literal in Python
    while i < n:
        c = pattern[i]
        if c == "\\":
            if i + 1 >= n:
                raise _Untranslatable("trailing backslash")
            e = pattern[i + 1]
            class_start = False
            if e in "pP":
                if pattern.startswith("{", i + 2):
                    end = pattern.find("}", i + 3)
                    if end < 0:
                        raise _Untranslatable("unterminated \\p{")
                    name, i = pattern[i + 3 : end], end + 1
                elif i + 2 < n:
                    name, i = pattern[i + 2], i + 3
                else:
                    raise _Untranslatable("dangling \\p")
                ranges = _named_class(name)
                body = _render(_complement(ranges) if e == "P" else ranges)
                out.append(body if in_class else f"[{body}]")
                continue
            if e == "u" and (pair := _SURROGATE_PAIR.match(pattern, i)):
                high, low = int(pair.group(1), 16), int(pair.group(2), 16)
                out.append(f"\\U{0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00):08x}")
                i = pair.end()
                continue
            if e == "x" and (braced := _HEX_BRACED.match(pattern, i)):
                out.append(f"\\U{int(braced.group(1), 16):08x}")
                i = braced.end()
                continue
            if e == "Q":
                end = pattern.find("\\E", i + 2)
                literal = pattern[i + 2 : end if end >= 0 else n]
                out.append(re.escape(literal))
                i = end + 2 if end >= 0 else n
                continue
            if e == "z":
                out.append("\\Z")
                i += 2
                continue
            if e in _JAVA_ONLY_ESCAPES:
                raise _Untranslatable(f"unsupported escape \\{e}")
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            if c == "[" or pattern.startswith("&&", i):
                raise _Untranslatable("nested or intersected character class")
            if c == "]" and not class_start:
                in_class = False
            class_start = False
            out.append(c)
            i += 1
            continue
        if c == "[":
            in_class = class_start = True
            out.append(c)
            i += 1
            if pattern.startswith("^", i):
                out.append("^")
                i += 1
            continue
        if c == ".":
            out.append(_JAVA_DOT)
            i += 1
            continue
        if c in "^$":
            out.append(c)
            i += 1
            quantifier = _ANCHOR_QUANTIFIER.match(pattern, i)
            if quantifier:
                minimum = quantifier.group(1)
                if quantifier.group(2) in ("?", "*") or minimum == "0":
                    out.pop()  # zero repetitions allowed: the anchor asserts nothing
                i = quantifier.end()
            continue
        if pattern.startswith("(?<", i) and not pattern.startswith(("(?<=", "(?<!"), i):
            out.append("(?P<")
            i += 3
            continue
        out.append(c)
        i += 1
    if in_class:
        raise _Untranslatable("unterminated character class")
    return "".join(out)


@functools.cache
def compile_pattern(pattern: str) -> re.Pattern[str] | None:
    """Compile an AWS-model (Java) regex for use with ``fullmatch``; ``None`` if unsupported.

    Cached per pattern string.  ``None`` means the pattern could not be translated or compiled;
    :func:`validate` then skips the pattern check rather than report false problems.
    """
    try:
        source = _translate(pattern)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            return re.compile(source, re.ASCII)
    except (_Untranslatable, re.error, OverflowError, RecursionError):
        return None
