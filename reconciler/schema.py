"""JSON Schemas for editors: one for manifests, one for the project file.

In:  the kinds (reconciler.kinds), the botocore shapes ``validate`` checks specs against
     (reconciler.manifests.spec.spec_members), the envelope's fields and the project file's
     model (reconciler.project).
Out: JSON Schema (draft-07, what yaml-language-server and most editors read) documents.

A manifest starting with ``# yaml-language-server: $schema=<path>/manifest.schema.json``
gets completion, hover documentation and checks in VS Code (Red Hat YAML extension),
IntelliJ and others. The schema is a help, not the contract: ``reconciler validate``
remains the judge (cross-document rules, capacity, references are not expressible here), so
where a botocore pattern is written in Java's regex dialect that JSON Schema's (ECMA 262)
cannot read the same way, the pattern is left out rather than translated.
"""

from __future__ import annotations

import re
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape

from reconciler.apimodel import input_shape
from reconciler.kinds import KINDS
from reconciler.manifests.annotations import KNOWN as ANNOTATIONS
from reconciler.manifests.spec import spec_members
from reconciler.project import _Project
from reconciler.resources import API_VERSION, Kind

DRAFT = "http://json-schema.org/draft-07/schema#"
MANIFEST_SCHEMA = "manifest.schema.json"
PROJECT_SCHEMA = "project.schema.json"

# Java-only constructs (reconciler.apimodel translates them for Python; ECMA 262 has
# none of them, or means something else by them).
_JAVA_ONLY = re.compile(r"\\[pPQEzZAhHvVRXGkK]|\\x\{|\(\?<[^=!]|\[[^\]]*\[|&&|[*+?}]\+")
_LONGEST_PATTERN = 2000


def manifest_schema() -> dict[str, Any]:
    """One schema for every manifest document: the envelope, and per kind its spec."""
    definitions: dict[str, Any] = {}
    kinds = [kind.value for kind in Kind]
    per_kind = []
    for kind in Kind:
        info = KINDS[kind]
        properties = {
            name: _schema(shape, info.service, definitions)
            for name, shape in spec_members(kind).items()
        }
        required = [
            name for name in _required(kind) if name in properties and name != info.name_field
        ]
        spec: dict[str, Any] = {
            "type": "object",
            "description": f"The {info.create_operation} request ({info.service}) without "
            "its name and Tags: they come from metadata.",
            "properties": properties,
            "additionalProperties": False,
        }
        if required:
            spec["required"] = required
        definitions[f"spec.{kind.value}"] = spec
        per_kind.append(
            {
                "if": {"properties": {"kind": {"const": kind.value}}, "required": ["kind"]},
                "then": {"properties": {"spec": {"$ref": f"#/definitions/spec.{kind.value}"}}},
            }
        )
    return {
        "$schema": DRAFT,
        "title": "sagemaker-reconciler manifest",
        "type": "object",
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "additionalProperties": False,
        "properties": {
            "apiVersion": {"const": API_VERSION},
            "kind": {"enum": kinds},
            "metadata": {
                "type": "object",
                "required": ["name"],
                "additionalProperties": False,
                "properties": {
                    "name": {"type": "string", "minLength": 1},
                    "tags": {
                        "type": "object",
                        "additionalProperties": {"type": "string", "maxLength": 256},
                        "maxProperties": 50,
                    },
                    "annotations": {
                        "type": "object",
                        "additionalProperties": {"type": "string"},
                        "properties": {key: {"type": "string"} for key in ANNOTATIONS},
                    },
                },
            },
            "spec": {"type": "object"},
        },
        "allOf": per_kind,
        "definitions": definitions,
    }


def project_schema() -> dict[str, Any]:
    """The project file's schema, from the model that reads it (pydantic's JSON Schema)."""
    schema = _Project.model_json_schema(ref_template="#/definitions/{model}")
    schema["definitions"] = schema.pop("$defs", {})
    schema["$schema"] = DRAFT
    schema["title"] = "sagemaker-reconciler project file (reconciler.yaml)"
    return schema


def _required(kind: Kind) -> list[str]:
    """The Create request's required members (those the spec holds)."""
    info = KINDS[kind]
    return list(input_shape(info.create_operation, info.service).required_members)


def _schema(shape: Shape, service: str, definitions: dict[str, Any]) -> dict[str, Any]:
    """A reference to `shape`'s definition (made on first use, so recursion terminates)."""
    if shape.type_name == "structure":
        key = f"{service}.{shape.name}"
        if key not in definitions:
            definitions[key] = {}  # placeholder: a recursive member refers to it
            definitions[key] = _structure(shape, service, definitions)  # type: ignore[arg-type]
        return {"$ref": f"#/definitions/{key}"}
    return _plain(shape, service, definitions)


def _structure(shape: StructureShape, service: str, definitions: dict[str, Any]) -> dict[str, Any]:
    if shape.metadata.get("document"):
        return _described({}, shape)
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {
            name: _schema(member, service, definitions) for name, member in shape.members.items()
        },
        "additionalProperties": False,
    }
    if shape.required_members:
        schema["required"] = list(shape.required_members)
    if shape.metadata.get("union"):
        schema["minProperties"] = schema["maxProperties"] = 1
    return _described(schema, shape)


def _plain(shape: Shape, service: str, definitions: dict[str, Any]) -> dict[str, Any]:
    meta = shape.metadata
    kind = shape.type_name
    schema: dict[str, Any]
    if isinstance(shape, ListShape):
        schema = {"type": "array", "items": _schema(shape.member, service, definitions)}
        _bounds(schema, meta, "minItems", "maxItems")
    elif isinstance(shape, MapShape):
        schema = {
            "type": "object",
            "additionalProperties": _schema(shape.value, service, definitions),
        }
        _bounds(schema, meta, "minProperties", "maxProperties")
    elif kind == "string":
        schema = {"type": "string"}
        enum = getattr(shape, "enum", None)  # botocore.model.StringShape
        if enum:
            schema["enum"] = list(enum)
        _bounds(schema, meta, "minLength", "maxLength")
        pattern = meta.get("pattern")
        if isinstance(pattern, str) and _portable(pattern):
            schema["pattern"] = f"^(?:{pattern})$"
    elif kind in ("integer", "long"):
        schema = {"type": "integer"}
        _bounds(schema, meta, "minimum", "maximum")
    elif kind in ("float", "double"):
        schema = {"type": "number"}
        _bounds(schema, meta, "minimum", "maximum")
    elif kind == "boolean":
        schema = {"type": "boolean"}
    elif kind == "timestamp":
        schema = {"type": ["string", "number"], "description": "ISO 8601 or epoch seconds"}
    else:  # blob and anything newer: no constraint rather than a wrong one
        schema = {}
    return _described(schema, shape)


def _bounds(schema: dict[str, Any], meta: dict[str, Any], low: str, high: str) -> None:
    if isinstance(meta.get("min"), int | float):
        schema[low] = meta["min"]
    if isinstance(meta.get("max"), int | float):
        schema[high] = meta["max"]


def _portable(pattern: str) -> bool:
    """The Java pattern means the same in ECMA 262 and Python (no Java-only construct)."""
    if len(pattern) > _LONGEST_PATTERN or _JAVA_ONLY.search(pattern):
        return False
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


def _described(schema: dict[str, Any], shape: Shape) -> dict[str, Any]:
    text = _text(getattr(shape, "documentation", "") or "")
    if text:
        schema["description"] = text
    return schema


_TAG = re.compile(r"<[^>]+>")


def _text(html: str) -> str:
    """botocore's HTML documentation as one short plain paragraph."""
    plain = " ".join(_TAG.sub(" ", html).split())
    return plain if len(plain) <= 600 else plain[:597].rstrip() + "..."
