"""The top-level ``checks:`` section of an Endpoint or InferenceComponent manifest.

In:  the section as written (a YAML mapping, from the envelope), the document (for lines)
     and the kind.
Out: :class:`~reconciler.resources.Checks`, or None when the section is unusable, and the
     problems found, each at the ``file:line`` of the field concerned.

The spelling (camelCase, like the envelope's ``apiVersion``; the section is ours, not an
API request, so it does not use the API's PascalCase)::

    checks:
      invocations:
        - name: smoke                       # optional; reports name it
          body: '{"inputs": "hello"}'       # a string, or a mapping/list sent as JSON
          contentType: application/json
          accept: application/json
          targetVariant: AllTraffic         # Endpoint only
          inferenceComponent: llama-chat    # Endpoint only: invoke one of its components
          expect:
            status: 200                     # default 200
            json: {predictions.0.label: cat}   # dotted path → value
            bodyMatches: 'label'            # a regular expression, searched in the body
            maxLatencyMs: 2000
      alarms: [llama-latency-high]          # CloudWatch alarms that must stay OK...
      bakeSeconds: 60                       # ... this long after the invocations (default 60)

Which kinds take checks, and which targeting fields they may set, are each kind's facts
(``KindInfo.invoked_as``, ``KindInfo.check_targets``); this module names no kind.
"""

from __future__ import annotations

import json
import re
from typing import Any

from reconciler.apimodel import Path, format_path
from reconciler.kinds import KINDS
from reconciler.manifests.wording import quoting_hint, show, unknown
from reconciler.manifests.yamldoc import Document
from reconciler.resources import (
    CHECKED_ALARM_KIND,
    CHECKED_COMPONENT_KIND,
    Checks,
    Invocation,
    Kind,
    Problem,
)

SECTION_FIELDS = ("invocations", "alarms", "bakeSeconds")
INVOCATION_FIELDS = (
    "name",
    "body",
    "contentType",
    "accept",
    "targetVariant",
    "inferenceComponent",
    "expect",
)
EXPECT_FIELDS = ("status", "json", "bodyMatches", "maxLatencyMs")
# The invocation fields that say what to invoke, and the KindInfo.check_targets name of each.
TARGET_FIELDS = {"targetVariant": "target_variant", "inferenceComponent": "inference_component"}
# What a check names by a resource's name, under ``checks:``: the alarms it watches, and
# the inference component an Endpoint's invocation targets ("*": every list item). An
# overlay's namePrefix/nameSuffix renames them with the documents they name.
NAMED_BY_CHECKS: tuple[tuple[tuple[str, ...], Kind], ...] = (
    (("alarms", "*"), CHECKED_ALARM_KIND),
    (("invocations", "*", "inferenceComponent"), CHECKED_COMPONENT_KIND),
)
DEFAULT_BAKE_SECONDS = 60
# InvokeEndpoint takes a body of at most 25 MB (InvokeEndpoint API reference: "Maximum
# payload size"); a check's body is far smaller in practice, but AWS's bound is the limit.
MAX_BODY_BYTES = 25 * 1024 * 1024


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def kinds_with_checks() -> tuple[str, ...]:
    return tuple(str(kind) for kind, info in KINDS.items() if info.invoked_as is not None)


class _Reader:
    """Collects problems at lines of the document, under ``checks``."""

    def __init__(self, document: Document, address: str) -> None:
        self.document = document
        self.address = address
        self.problems: list[Problem] = []

    def problem(self, path: Path, message: str) -> None:
        full = ("checks", *path)
        self.problems.append(
            Problem(message, self.document.location_of(full), self.address, format_path(full))
        )

    def mapping(self, value: object, path: Path, fields: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.problem(path, f"expected a mapping, got {show(value)}")
            return {}
        for key in value:
            if key not in fields:
                self.problem((*path, str(key)), unknown("field", str(key), fields))
        return {k: v for k, v in value.items() if k in fields}

    def string(self, value: object, path: Path) -> str | None:
        if not isinstance(value, str) or not value:
            wrong = "must not be empty" if value == "" else f"expected a string, got {show(value)}"
            self.problem(path, wrong + quoting_hint(value))
            return None
        return value

    def integer(self, value: object, path: Path, least: int, most: int) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(path, f"expected a whole number, got {show(value)}")
            return None
        if not least <= value <= most:
            self.problem(path, f"must be between {least} and {most}, got {value}")
            return None
        return value


def read_checks(
    section: object, document: Document, kind: Kind, address: str
) -> tuple[Checks | None, list[Problem]]:
    """The checks `section` declares for a resource of `kind` (None: unusable)."""
    reader = _Reader(document, address)
    info = KINDS[kind]
    if info.invoked_as is None:
        reader.problem(
            (),
            f"a {kind} takes no checks; checks are declared on "
            f"{', '.join(kinds_with_checks())} manifests",
        )
        return None, reader.problems
    fields = reader.mapping(section, (), SECTION_FIELDS)
    if isinstance(section, dict) and not fields.get("invocations") and not fields.get("alarms"):
        reader.problem((), "declares nothing to check: add invocations, alarms or both")
    invocations: list[Invocation] = []
    raw_invocations = fields.get("invocations", [])
    if not isinstance(raw_invocations, list):
        reader.problem(("invocations",), f"expected a list, got {show(raw_invocations)}")
        raw_invocations = []
    names: set[str] = set()
    for index, raw in enumerate(raw_invocations):
        call = _invocation(reader, raw, ("invocations", index), info.check_targets, str(kind))
        if call is None:
            continue
        if call.name in names:
            reader.problem(("invocations", index, "name"), f"{call.name!r} is used twice")
        names.add(call.name)
        invocations.append(call)
    alarms: list[str] = []
    raw_alarms = fields.get("alarms", [])
    if not isinstance(raw_alarms, list):
        reader.problem(("alarms",), f"expected a list of alarm names, got {show(raw_alarms)}")
        raw_alarms = []
    for index, name in enumerate(raw_alarms):
        text = reader.string(name, ("alarms", index))
        if text is not None:
            alarms.append(text)
    bake = DEFAULT_BAKE_SECONDS
    if "bakeSeconds" in fields:
        found = reader.integer(fields["bakeSeconds"], ("bakeSeconds",), 0, 3600)
        bake = found if found is not None else bake
        if not alarms:
            reader.problem(("bakeSeconds",), "is the time alarms must stay OK: name alarms too")
    if reader.problems:
        return None, reader.problems
    return Checks(tuple(invocations), tuple(alarms), bake), []


def _invocation(
    reader: _Reader, raw: object, path: Path, targets: tuple[str, ...], kind: str
) -> Invocation | None:
    before = len(reader.problems)
    fields = reader.mapping(raw, path, INVOCATION_FIELDS)
    if not isinstance(raw, dict):
        return None
    name = f"checks.{format_path(path)}"
    if "name" in fields:
        name = reader.string(fields["name"], (*path, "name")) or name
    body = fields.get("body")
    text: str | None = None
    if body is None:
        reader.problem((*path, "body"), "is required: the request body to send")
    elif isinstance(body, str):
        text = body
    elif isinstance(body, dict | list):
        text = json.dumps(body)
    else:
        reader.problem((*path, "body"), f"expected a string or a mapping, got {show(body)}")
    if text is not None and len(text.encode()) > MAX_BODY_BYTES:
        reader.problem((*path, "body"), "is larger than InvokeEndpoint's 25 MB payload limit")
    headers: dict[str, str | None] = {}
    for key in ("contentType", "accept", *TARGET_FIELDS):
        headers[key] = reader.string(fields[key], (*path, key)) if key in fields else None
    for key, target in TARGET_FIELDS.items():
        if key in fields and target not in targets:
            reader.problem(
                (*path, key),
                f"cannot be set: {_article(kind)} {kind}'s checks invoke the {kind} itself",
            )
    expect = reader.mapping(fields.get("expect", {}), (*path, "expect"), EXPECT_FIELDS)
    status = 200
    if "status" in expect:
        status = reader.integer(expect["status"], (*path, "expect", "status"), 100, 599) or 200
    matches: tuple[tuple[str, Any], ...] = ()
    if "json" in expect:
        raw_json = expect["json"]
        if not isinstance(raw_json, dict) or not raw_json:
            reader.problem(
                (*path, "expect", "json"),
                f"expected a mapping of dotted paths to values, got {show(raw_json)}",
            )
        else:
            matches = tuple((str(k), v) for k, v in raw_json.items())
    pattern = None
    if "bodyMatches" in expect:
        pattern = reader.string(expect["bodyMatches"], (*path, "expect", "bodyMatches"))
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as err:
                reader.problem(
                    (*path, "expect", "bodyMatches"), f"is not a regular expression: {err}"
                )
    latency = None
    if "maxLatencyMs" in expect:
        latency = reader.integer(
            expect["maxLatencyMs"], (*path, "expect", "maxLatencyMs"), 1, 600000
        )
    if len(reader.problems) > before or text is None:
        return None
    return Invocation(
        name=name,
        body=text,
        content_type=headers["contentType"],
        accept=headers["accept"],
        target_variant=headers["targetVariant"],
        inference_component=headers["inferenceComponent"],
        status=status,
        json=matches,
        body_matches=pattern,
        max_latency_ms=latency,
        location=reader.document.location_of(("checks", *path)),
    )
