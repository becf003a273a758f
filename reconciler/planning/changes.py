"""The plan as data.

A :class:`Change` is one resource's decision. ``action`` says what happens to it:

- ``create``  — it does not exist: Create it (tags are part of the Create request);
- ``update``  — it exists and is changed in place (Update*, AddTags, DeleteTags);
- ``replace`` — it must be a new resource: for Models/EndpointConfigs a new content-hash
  name is created and the superseded one deleted once its dependants have moved (no
  downtime); for the other kinds delete-then-create, which interrupts it (``interrupting``);
- ``delete``  — it is ours and no longer declared;
- ``no-op``   — it matches.

``operations`` lists, in order, the SageMaker operations apply will call for it. ``diff``
holds field changes with ``before`` (live) and ``after`` (desired); sensitive values are
already masked here, so no view can print them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from reconciler.diff import FieldChange
from reconciler.resources import JsonDict, Kind, Problem

FORMAT_VERSION = "1"


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    REPLACE = "replace"
    DELETE = "delete"
    NOOP = "no-op"


@dataclass
class Change:
    """One resource's decision.

    address:        ``Kind/name`` (logical name; for resources found only in the account,
                    the address their tags give)
    physical_name:  the SageMaker name acted on (the new one for a replace)
    reason:         why this action, in words
    depends_on:     addresses that must be done first
    diff:           field changes (masked)
    superseded:     physical names of old Models/EndpointConfigs this change retires
    delete_after:   for a replace: addresses whose changes its delete half waits for; for
                    an endpoint update: the inference-component removals it waits for
    interrupting:   the change stops traffic to the resource for a while
    warnings:       anything the user should know (in-flight transitions, failures)
    desired_spec:   the resolved spec to send (None for deletes)
    tags_to_add / tags_to_remove: the tag calls' payload
    sensitive_keys: Environment keys annotated sensitive (besides the ones that look it)
    ignore_differences: fields owned elsewhere, which updates must not reset
    attempt:        digest of the comparable desired spec (recorded on failure)
    held:           not attempted: the same spec failed before (apply reports it failed)
    await_ready:    a no-op on a resource still in a transition (Creating, Updating): apply
                    waits for it to be ready before its dependants start
    dropped:        diff paths of fields the last apply declared and the manifest dropped
    live_status / live_failure: what the account says of it now (for status views)
    """

    address: str
    kind: Kind
    name: str
    physical_name: str
    action: Action
    operations: list[str]
    reason: str
    depends_on: list[str] = field(default_factory=list)
    diff: list[FieldChange] = field(default_factory=list)
    superseded: list[str] = field(default_factory=list)
    delete_after: list[str] = field(default_factory=list)
    interrupting: bool = False
    warnings: list[str] = field(default_factory=list)
    desired_spec: JsonDict | None = None
    tags_to_add: dict[str, str] = field(default_factory=dict)
    tags_to_remove: list[str] = field(default_factory=list)
    sensitive_keys: tuple[str, ...] = ()
    ignore_differences: tuple[str, ...] = ()
    attempt: str = ""
    held: bool = False
    await_ready: bool = False
    dropped: list[str] = field(default_factory=list)
    live_status: str | None = None
    live_failure: str | None = None

    def to_json(self) -> JsonDict:
        doc: JsonDict = {
            "address": self.address,
            "kind": str(self.kind),
            "name": self.name,
            "physical_name": self.physical_name,
            "action": str(self.action),
            "operations": list(self.operations),
            "reason": self.reason,
            "depends_on": list(self.depends_on),
            "diff": [c.to_json() for c in self.diff],
        }
        if self.superseded:
            doc["superseded"] = list(self.superseded)
        if self.delete_after:
            doc["delete_after"] = list(self.delete_after)
        if self.interrupting:
            doc["interrupting"] = True
        if self.held:
            doc["held"] = True
        if self.warnings:
            doc["warnings"] = list(self.warnings)
        return doc


@dataclass
class Plan:
    """owner: whose resources these are; changes: every resource, no-ops included, in
    dependency order; problems: why the plan cannot be applied (empty when it can);
    fingerprints: what each observed resource looked like (``Kind/physical-name`` → hash)."""

    owner: str
    changes: list[Change] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    fingerprints: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        return any(c.action is not Action.NOOP for c in self.changes)

    def summary(self) -> dict[str, int]:
        counts = {str(a): 0 for a in Action}
        for change in self.changes:
            counts[str(change.action)] += 1
        return counts

    def to_json(self, *, with_fingerprints: bool = False) -> JsonDict:
        doc: dict[str, Any] = {
            "format_version": FORMAT_VERSION,
            "owner": self.owner,
            "changes": [c.to_json() for c in self.changes if c.action is not Action.NOOP],
            "summary": self.summary(),
        }
        if with_fingerprints:
            doc["fingerprints"] = dict(sorted(self.fingerprints.items()))
        return doc
