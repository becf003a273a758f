"""The plan as data.

A :class:`Change` is one resource's decision. ``action`` says what happens to it:

- ``create``  — it does not exist: Create it (tags are part of the Create request);
- ``update``  — it exists and is changed in place (Update*, AddTags, DeleteTags);
- ``replace`` — it must be a new resource, in one of two ways (``replacement``):
  ``create-before-delete`` for Models/EndpointConfigs (a new content-hash name is created
  and the superseded one deleted once its dependants have moved: no downtime), or
  ``delete-then-create`` for the other kinds, which interrupts it (``interrupting``);
- ``delete``  — it is ours and no longer declared;
- ``no-op``   — it matches.

Beside the human ``reason`` every change carries a :class:`ReasonCode`, and the planner
writes the ordered :class:`Step` list apply runs for it: apply never decides again what a
change means (a cluster's UpdateCluster request, for one, is built from the Describe the
plan read). ``operations`` — the SageMaker operations apply will call, in order — is read
off the steps. ``diff`` holds field changes with ``before`` (live) and ``after``
(desired); sensitive values are already masked there, so no view can print them. The
steps' requests and the desired spec are execution payload: never in plan JSON or a view.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from reconciler.diff import FieldChange
from reconciler.kinds.api import Pin
from reconciler.resources import Checks, JsonDict, Kind, Problem

FORMAT_VERSION = "1"


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    REPLACE = "replace"
    DELETE = "delete"
    NOOP = "no-op"


class Replacement(StrEnum):
    """How a replace is made (terraform's CreateThenDelete and DeleteThenCreate)."""

    # A new resource under a new name first; the old one goes once nothing uses it.
    CREATE_BEFORE_DELETE = "create-before-delete"
    # The resource keeps its name, so the old one must go first: traffic stops meanwhile.
    DELETE_THEN_CREATE = "delete-then-create"


class ReasonCode(StrEnum):
    """Why a change was chosen, for machines (``reason`` says it in words)."""

    NOT_FOUND = "not-found"  # create: nothing under its physical name
    SPEC_CHANGED = "spec-changed"  # update in place, or a new content-hash version
    SUPERSEDED = "superseded"  # this version exists already; older ones are retired
    CREATE_ONLY_CHANGED = "create-only-changed"  # replace: a field that cannot change in place
    HOST_REPLACED = "host-replaced"  # replace: what it lives on is replaced
    HOST_CHANGES = "host-changes"  # replace: its host's update is refused while it is there
    RESOURCE_FAILED = "resource-failed"  # replace: a Failed resource can only be recreated
    FAILED_BEFORE = "failed-before"  # held: this very spec failed before
    FAILURE_FORGOTTEN = "failure-forgotten"  # the manifest moved off the spec that failed
    TAGS_CHANGED = "tags-changed"  # declared tags differ
    ADOPTING = "adopting"  # an unmanaged resource taken over: ownership tags added
    RECORD_OUTDATED = "record-outdated"  # only the record of declared fields is rewritten
    NO_LONGER_DECLARED = "no-longer-declared"  # delete: ours, no manifest any more
    RETAINED = "retained"  # no longer declared, deletion-policy retain: released
    MATCHES = "matches"  # no-op
    IN_TRANSITION = "in-transition"  # no-op, but still Creating/Updating: apply waits for it
    UNVERIFIED = "unverified"  # its rollout's checks never finished: they run before retiring


class StepOp(StrEnum):
    """What one step of a change does."""

    CREATE = "create"  # Create* with the desired spec and every tag
    UPDATE = "update"  # one of the kind's update operations
    DELETE_TAGS = "delete-tags"
    ADD_TAGS = "add-tags"
    DELETE = "delete"  # the resource itself (a delete, or the first half of delete-then-create)
    RETIRE = "retire"  # a superseded version, once its dependants have moved
    AWAIT_READY = "await-ready"  # nothing to send: wait until it is ready


@dataclass(frozen=True)
class Step:
    """One thing apply does for a change, in the change's order.

    op:        what it is
    operation: the SageMaker operation it calls ("" for await-ready, which only reads)
    target:    the physical name it acts on
    request:   the request built at plan time (a cluster's whole UpdateCluster request;
               the ``TagKeys`` a release removes), or None when apply sends the change's
               own payload (the desired spec, tags_to_add / tags_to_remove)
    """

    op: StepOp
    operation: str
    target: str
    request: JsonDict | None = None


@dataclass(frozen=True)
class Scaled:
    """A count of the resource that a declared resource (its scaler) owns.

    path:  the taken-over spec path (``RuntimeConfig.CopyCount``)
    what:  what it counts, in words (``copies``, ``AllTraffic instances``)
    live:  its value in the account now (None: not created yet, or not answered)
    least / most: the bounds the scaler keeps it within (None: not declared)
    by:    the scaler's address (``ScalableTarget/llama-chat-copies``)

    Like live_status it is for views (plan, status), never in plan JSON: the scaler moves
    it at any time, and a saved plan must not go stale for that.
    """

    path: str
    what: str
    live: int | None
    least: int | None
    most: int | None
    by: str

    def to_json(self) -> JsonDict:
        return {
            "path": self.path,
            "what": self.what,
            "live": self.live,
            "min": self.least,
            "max": self.most,
            "by": self.by,
        }


@dataclass
class Change:
    """One resource's decision.

    The plan data (in plan JSON):

    address:        ``Kind/name`` (logical name; for resources found only in the account,
                    the address their tags give)
    physical_name:  the SageMaker name acted on (the new one for a replace)
    reason / reason_code: why this action, in words and as a :class:`ReasonCode`
    replacement:    for a replace: create-before-delete or delete-then-create
    depends_on:     addresses that must be done first
    diff:           field changes (masked)
    superseded:     physical names of old versions this change retires (or, for a delete,
                    deletes too)
    delete_after:   for a replace: addresses whose changes its delete half waits for; for
                    an endpoint update: the inference-component removals it waits for
    warnings:       anything the user should know (in-flight transitions, failures)
    held:           not attempted: the same spec failed before (apply reports it failed)
    checks:         the manifest's checks, which apply runs once the create or update is
                    ready and before anything it superseded is retired (None: none; plan
                    JSON: ``checks``)
    steps:          what apply runs, in order (plan JSON lists their ``operations``,
                    read off them; the steps themselves are not printed)
    revert_to:      what apply goes back to when the checks fail: the live resource as
                    this plan read it before changing it, or for a rollout whose checks
                    never ran, what it superseded (None: nothing to go back to; the
                    resource is kept and its spec held). Never printed.

    The execution payload (never printed):

    desired_spec:   the resolved spec to send (None for deletes)
    tags_to_add / tags_to_remove: the tag calls' payload
    sensitive_keys: Environment keys annotated sensitive (besides the ones that look it)
    ignore_differences: fields owned elsewhere, which updates must not reset
    attempt:        digest of the comparable desired spec (recorded on a failure of its
                    own: a refused or rolled-back create or update)
    checks_attempt: digest of that spec and the checks that judge it ("" without checks):
                    recorded when the checks fail (so that fixing a check's expectation
                    tries again) and when they pass (the rollout is proven)
    dropped:        diff paths of fields the last apply declared and the manifest dropped

    For views only: live_status / live_failure, what the account says of it now, and
    scaled, the counts a declared scaler owns (:class:`Scaled`) with their live values.

    A change written by hand with ``operations`` and no ``steps`` (a create or a delete,
    as tests write them) gets the steps its action means.
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
    warnings: list[str] = field(default_factory=list)
    desired_spec: JsonDict | None = None
    tags_to_add: dict[str, str] = field(default_factory=dict)
    tags_to_remove: list[str] = field(default_factory=list)
    sensitive_keys: tuple[str, ...] = ()
    ignore_differences: tuple[str, ...] = ()
    attempt: str = ""
    checks_attempt: str = ""
    held: bool = False
    dropped: list[str] = field(default_factory=list)
    live_status: str | None = None
    live_failure: str | None = None
    reason_code: ReasonCode | None = None
    replacement: Replacement | None = None
    steps: list[Step] = field(default_factory=list)
    scaled: list[Scaled] = field(default_factory=list)
    pins: list[Pin] = field(default_factory=list)
    checks: Checks | None = None
    revert_to: JsonDict | None = None

    def __post_init__(self) -> None:
        if self.steps:
            self.operations = operations_of(self.steps)
        elif self.operations:
            self.steps = _steps_of_action(self)

    @property
    def interrupting(self) -> bool:
        """The change stops traffic to the resource for a while."""
        return self.replacement is Replacement.DELETE_THEN_CREATE

    @property
    def await_ready(self) -> bool:
        """A no-op on a resource still in a transition (Creating, Updating): apply waits
        for it to be ready before its dependants start."""
        return any(s.op is StepOp.AWAIT_READY for s in self.steps)

    def to_json(self, *, with_codes: bool = False) -> JsonDict:
        """Its plan JSON; `with_codes` adds ``reason_code`` and ``replacement`` (what the
        CLI writes; without them it is the document of format 1 as first specified)."""
        doc: JsonDict = {
            "address": self.address,
            "kind": str(self.kind),
            "name": self.name,
            "physical_name": self.physical_name,
            "action": str(self.action),
            "operations": list(self.operations),
            "reason": self.reason,
        }
        if with_codes and self.reason_code is not None:
            doc["reason_code"] = str(self.reason_code)
        if with_codes and self.replacement is not None:
            doc["replacement"] = str(self.replacement)
        doc["depends_on"] = list(self.depends_on)
        doc["diff"] = [c.to_json() for c in self.diff]
        if self.pins:
            doc["resolved"] = [p.to_json() for p in self.pins]
        if self.superseded:
            doc["superseded"] = list(self.superseded)
        if self.delete_after:
            doc["delete_after"] = list(self.delete_after)
        if self.interrupting:
            doc["interrupting"] = True
        if self.held:
            doc["held"] = True
        if self.checks is not None:
            doc["checks"] = self.checks.to_json()
        if self.warnings:
            doc["warnings"] = list(self.warnings)
        return doc


def operations_of(steps: list[Step]) -> list[str]:
    """The SageMaker operations the steps call, in order (what plan JSON lists)."""
    return [s.operation for s in steps if s.operation]


def _steps_of_action(change: Change) -> list[Step]:
    """The steps of a hand-written create or delete (its action says it all)."""
    if change.action is Action.CREATE:
        return [Step(StepOp.CREATE, op, change.physical_name) for op in change.operations]
    if change.action is Action.DELETE:
        names = [change.physical_name, *change.superseded]
        return [
            Step(StepOp.DELETE, op, name)
            for op, name in zip(change.operations, names, strict=False)
        ]
    raise ValueError(
        f"{change.address}: a {change.action} change needs its steps, not only operations"
    )


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

    def to_json(self, *, with_fingerprints: bool = False, with_codes: bool = False) -> JsonDict:
        """The plan JSON (``--out`` adds the fingerprints; the CLI adds the codes)."""
        doc: dict[str, Any] = {
            "format_version": FORMAT_VERSION,
            "owner": self.owner,
            "changes": [
                c.to_json(with_codes=with_codes)
                for c in self.changes
                if c.action is not Action.NOOP
            ],
            "summary": self.summary(),
        }
        if self.warnings:
            # What the plan says without refusing and of no one change (a deployed
            # package version rejected since): an added key, only when there is one.
            doc["warnings"] = list(self.warnings)
        if with_fingerprints:
            doc["fingerprints"] = dict(sorted(self.fingerprints.items()))
        return doc
