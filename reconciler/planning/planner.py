"""Decide, per resource, what apply must do and why (pure: manifests + live state → Plan).

Steps, in order:
1. resolve manifests into desired resources (physical names, resolved specs, tags);
2. check every desired resource against what exists under its physical name: ownership
   (ours, someone else's, unmanaged → adopt or refuse) and external references;
3. compare each desired resource with its live twin and choose an action, its reason
   (words and a code) and the steps apply runs (requests built from what was read);
4. find our resources that are no longer declared (prune) and old content-hash versions
   superseded by new ones;
5. order the changes and record what each delete must wait for.

The planner names no kind: what differs between kinds is each kind module's facts
(reconciler/kinds): its create/delete operations, statuses, create-only fields, which
update operations a diff needs (``plan_update``), whether a replace destroys more than the
resource (``destructive_replace``, a cluster and its nodes: refused unless annotated
``allow-replace``), and its references, from which the delete order follows (what lives
on a resource goes first; an old version goes once its users have moved).
"""

from __future__ import annotations

import copy
import dataclasses
import heapq
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from graphlib import TopologicalSorter

from reconciler.apimodel import format_path
from reconciler.diff import ABSENT, FieldChange, covered
from reconciler.kinds import KINDS
from reconciler.kinds.base import DestructiveReplace, KindInfo, UpdateInput, put_value
from reconciler.naming import content_hash
from reconciler.observe import LiveResource, LiveState
from reconciler.planning import applied
from reconciler.planning.changes import (
    Action,
    Change,
    Plan,
    ReasonCode,
    Replacement,
    Scaled,
    Step,
    StepOp,
    operations_of,
)
from reconciler.planning.desired import RETAIN_TAG, Desired, resolve, spec_hash
from reconciler.planning.sensitive import mask_changes
from reconciler.resources import (
    ADDRESS_TAG,
    CHECKED_ALARM_KIND,
    FAILED_SPEC_TAG,
    OWNER_TAG,
    PHYSICAL_NAME_TAG,
    SPEC_HASH_TAG,
    TAG_PREFIX,
    VERIFIED_TAG,
    Checks,
    JsonDict,
    Kind,
    Manifest,
    Problem,
    SpecPath,
    failed_spec_parts,
)

# Kinds this planner manages, in dependency order (creates go this way, deletes reverse):
# the registry's order (reconciler/kinds).
PLANNED_KINDS = tuple(KINDS)
_RANK = {kind: rank for rank, kind in enumerate(PLANNED_KINDS)}


@dataclass(frozen=True)
class Observation:
    """What the observer must read for a set of manifests.

    wanted:          (kind, lower-cased physical name) of every desired resource
    expected_hashes: spec hash an immutable resource must carry to be known equal unread

    addresses:       every desired address (see Observer.observe)
    desired / problems: the manifests resolved without the account (what `wanted` is
                     made of); the plan uses this resolution again unless a manifest's
                     name depends on the account (an adopted ``physical-name``)
    """

    wanted: set[tuple[Kind, str]]
    expected_hashes: dict[tuple[Kind, str], str]
    addresses: frozenset[str]
    kinds: tuple[Kind, ...] = PLANNED_KINDS
    desired: dict[str, Desired] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def observation_for(manifests: list[Manifest], owner: str) -> Observation:
    desired, problems = resolve(_planned(manifests), owner)
    wanted = {(d.kind, d.physical_name.lower()) for d in desired.values()}
    for manifest in manifests:
        if manifest.annotations.physical_name:
            wanted.add((manifest.kind, manifest.annotations.physical_name.lower()))
    hashes = {
        (d.kind, d.physical_name.lower()): d.spec_hash for d in desired.values() if d.info.immutable
    }
    return Observation(wanted, hashes, frozenset(desired), desired=desired, problems=problems)


def _planned(manifests: Iterable[Manifest]) -> list[Manifest]:
    return [m for m in manifests if m.kind in _RANK]


def _live_changes(desired: Desired, live: LiveResource) -> list[FieldChange]:
    """Field changes between a desired resource and its described live twin: the declared
    fields that differ, and the live fields the last apply declared and the manifest has
    dropped since (the record in the live tags says which)."""
    assert live.description is not None
    record = applied.read(live.tags)
    return desired.info.differences(
        desired.compared if desired.compared is not None else desired.spec,
        live.description,
        desired.ignore,
        dropped=record.declared if record is not None else None,
    )


def identifies(resource: LiveResource) -> bool:
    """Our address tag names this very resource — not one our tags were copied onto.

    An Endpoint, InferenceComponent or Cluster has its manifest's name; a Model or
    EndpointConfig has ``<name>-<8 hex>``, or the name it was adopted under (recorded in
    the physical-name tag). Anything else is never pruned or retired."""
    kind_name, _, name = (resource.address or "").partition("/")
    if kind_name != resource.kind or not name:
        return False
    info = KINDS[resource.kind]
    if info.identity is not None:
        # Named by what it is attached to (a scalable target): the tag is all there is; a
        # kind that also has a name (a scaling policy's PolicyName) must carry that name.
        given = resource.summary.get(info.name_field) if info.name_field else None
        return given is None or str(given).lower() == name.lower()
    if not info.immutable:
        return resource.name.lower() == name.lower()
    hashed = re.fullmatch(re.escape(name) + r"-[0-9a-f]{8}", resource.name, flags=re.IGNORECASE)
    return hashed is not None or resource.tags.get(PHYSICAL_NAME_TAG) == resource.name


# AWS's limit of tags per SageMaker resource (AddTags reference: "Tags: up to 50").
MAX_TAGS = 50

RECORD_REASON = "record what this apply declares (sagemaker-reconciler/declared)"


# A reason in words and its code.
Reason = tuple[ReasonCode, str]


def _tags_reason(to_add: dict[str, str], to_remove: list[str], adopting: bool) -> Reason | None:
    """Why the tag calls: adopting, a tag a person declared, or only the record of the
    last apply (a resource from before records were kept, or declared fields changed)."""
    if adopting:
        return ReasonCode.ADOPTING, "adopt: add ownership tags"
    visible = {k for k in to_add if not applied.is_record_key(k)} | (
        set(to_remove) - {FAILED_SPEC_TAG, VERIFIED_TAG}
    )
    if visible:
        return ReasonCode.TAGS_CHANGED, "tags changed"
    return (ReasonCode.RECORD_OUTDATED, RECORD_REASON) if to_add else None


# Which kinds refer to each kind (its referrers), from the kinds' reference patterns.
_REFERRERS: dict[Kind, set[Kind]] = {
    kind: {other for other, info in KINDS.items() for r in info.references if r.kind is kind}
    for kind in KINDS
}


def _movers(kind: Kind) -> set[Kind]:
    """The kinds that must move off an old version of an immutable `kind` before it is
    deleted: its referrers, and, through referrers that are immutable themselves (a new
    config for a new model), theirs (the endpoint that deploys the new config)."""
    found: set[Kind] = set()
    todo = [kind]
    while todo:
        for referrer in _REFERRERS[todo.pop()]:
            if referrer not in found:
                found.add(referrer)
                if KINDS[referrer].immutable:
                    todo.append(referrer)
    return found


def _updates_spec(change: Change) -> bool:
    return any(s.op is StepOp.UPDATE for s in change.steps)


def _attempt(desired: Desired) -> str:
    """Digest of what an apply of `desired` sends and can confirm (failed-spec marker)."""
    return content_hash(desired.info.canonical(desired.info.comparable(desired.spec)))


def _checks_attempt(desired: Desired) -> str:
    """Digest of that and of the checks that judge it ("" without checks): the marker of
    a check's verdict. A spec held after its checks failed is tried again when the checks
    change (their expectation may have been what was wrong); one that failed on its own
    (refused, rolled back) is not."""
    checks = desired.manifest.checks
    return "" if checks is None else content_hash([_attempt(desired), _judged_by(checks)])


def _failed_as(change: Change, failed: str | None) -> bool:
    """The failed-spec marker names this change's spec: it failed on its own, or its
    checks failed it as they stand."""
    return failed is not None and failed in (change.attempt, change.checks_attempt or None)


def _judged_by(checks: Checks) -> JsonDict:
    """What of `checks` decides a verdict: everything but where it is written."""
    found = dataclasses.asdict(checks)
    for call in found["invocations"]:
        call.pop("line", None)
        call.pop("location", None)
    return found


def _internal(reason: str | None) -> bool:
    """A failure caused by the service itself is worth retrying with the same spec."""
    return bool(reason) and "internal" in str(reason).lower()


def _tag_delta(want: dict[str, str], have: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """Tags to add (new or changed value) and keys to remove. We own the keys we declared,
    not the resource's whole tag set: a key is removed only when it is one of ours
    (``sagemaker-reconciler/...``) or the record of the last apply says the manifest
    declared it and has dropped it since. Keys set outside git (cost allocation, the
    SageMaker SDK's ``sagemaker.amazonaws.com/...``, ``aws:``) are left alone, and the
    failed-spec marker is apply's (it clears it itself, see plan_mutable)."""
    record = applied.read(have)
    to_add = {k: v for k, v in want.items() if have.get(k) != v}
    to_remove = sorted(
        k
        for k in have
        if k not in want
        and k not in (FAILED_SPEC_TAG, VERIFIED_TAG)
        and (k.startswith(TAG_PREFIX) or (record is not None and record.declared_tag(k)))
    )
    return to_add, to_remove


def _tag_steps(
    info: KindInfo, name: str, to_add: dict[str, str], to_remove: list[str]
) -> list[Step]:
    # Removals first: the record of declared keys (written by AddTags) must never forget
    # a key that is still on the resource, or a failed DeleteTags would leave it for good.
    if info.owned_through is not None:
        return []  # no tags of its own: its parent's say whose it is
    add, remove = info.tag_calls
    return ([Step(StepOp.DELETE_TAGS, remove, name)] if to_remove else []) + (
        [Step(StepOp.ADD_TAGS, add, name)] if to_add else []
    )


@dataclass
class _Specs:
    """What the plan knows of other resources (kinds.base.PlannedSpecs)."""

    specs: dict[tuple[Kind, str], JsonDict]
    state: LiveState

    def desired(self, kind: Kind, name: str) -> JsonDict | None:
        return self.specs.get((kind, name.lower()))

    def live(self, kind: Kind, name: str) -> JsonDict | None:
        resource = self.state.get(kind, name)
        if resource is None:
            return None
        if resource.description is None:
            return None
        spec: JsonDict = KINDS[kind].live_spec(resource.description)
        return spec


class _Planner:
    def __init__(
        self,
        manifests: list[Manifest],
        live: LiveState,
        owner: str,
        prune: bool,
        observation: Observation | None = None,
    ) -> None:
        self.manifests = _planned(manifests)
        self.observation = observation
        self.unplanned = [m for m in manifests if m.kind not in _RANK]
        self.live = live
        self.owner = owner
        self.prune = prune
        self.plan = Plan(owner=owner)
        # Every desired resource by address, once resolved (run).
        self.desired: dict[str, Desired] = {}
        # (kind, lower-cased physical name) of what this plan replaces (delete, create).
        self.replaced: set[tuple[Kind, str]] = set()
        self.specs = _Specs({}, live)
        # (kind, lower-cased physical name) → who uses it after this apply: see uses_of.
        self.users: dict[
            tuple[Kind, str], list[tuple[str, Desired | None, tuple[str | int, ...]]]
        ] = {}
        # (kind, lower-cased physical name) → its change, as planned so far (references
        # first: the desired resources come in dependency order).
        self.planned: dict[tuple[Kind, str], Change] = {}

    # -- helpers -----------------------------------------------------------------------
    def problem(self, desired: Desired, message: str, path: tuple[str | int, ...] = ()) -> None:
        manifest = desired.manifest
        field = "spec." + format_path(path) if path else None
        self.plan.problems.append(
            Problem(message, manifest.location_of(path), manifest.address, field)
        )

    def keep_name(self, manifest: Manifest, name: str, spec: JsonDict) -> bool:
        """An adopted Model/EndpointConfig keeps its own name until its spec changes: before
        the first apply, while its declared fields match; after it, while the spec hash
        recorded then is the spec's (a dropped field changes the hash, not the fields)."""
        live = self.live.get(manifest.kind, name)
        if live is None:
            return False
        info = KINDS[manifest.kind]
        if live.owner == self.owner and live.spec_hash is not None:
            return live.spec_hash == spec_hash(info, spec)
        if live.description is None:
            return False
        return not info.differences(spec, live.description, manifest.annotations.ignore_differences)

    def ownership(self, desired: Desired, live: LiveResource) -> bool | None:
        """True when adopting, False when already ours, None when refused (a problem)."""
        what = f"{desired.kind} {live.name}"
        if live.owner is None:
            if desired.manifest.annotations.adopt:
                return True
            self.problem(
                desired,
                f"{what} exists and is not managed by owner {self.owner}; annotate "
                'sagemaker-reconciler/adopt: "true" to take it over',
            )
            return None
        if live.owner != self.owner:
            self.problem(
                desired, f"{what} exists and is managed by owner {live.owner}, not {self.owner}"
            )
            return None
        if live.address != desired.address:
            self.problem(
                desired,
                f"{what} carries owner {self.owner}'s tags for {live.address}, not "
                f"{desired.address}; refusing to touch it (were the tags copied?)",
            )
            return None
        return False

    def find_users(self, desired: dict[str, Desired]) -> None:
        """Who will still use each resource once this plan is applied: every declared
        resource by its resolved references (a physical name written in a manifest — a
        content-hash name as the console shows it — included), and every live resource we
        read that stays as it is — another owner's, an unmanaged one, one of ours that is
        retained or not pruned. Ours that are declared are counted by their desired spec
        (they move); ours that are pruned go first."""
        for item in desired.values():
            for reference in item.references:
                key = (reference.kind, reference.physical_name.lower())
                self.users.setdefault(key, []).append((item.address, item, reference.path))
        for resource in self.live.resources.values():
            if resource.description is None:
                continue
            ours = resource.owner == self.owner and identifies(resource)
            if ours and (resource.address in desired):
                continue
            if ours and self.prune and resource.tags.get(RETAIN_TAG) != "retain":
                continue
            info = KINDS[resource.kind]
            spec = info.live_spec(resource.description)
            for pattern in info.references:
                for path, name in pattern.find_in(spec):
                    key = (pattern.kind, name.lower())
                    user = f"{resource.kind} {resource.name} (in the account)"
                    self.users.setdefault(key, []).append((user, None, path))

    def users_of(self, kind: Kind, name: str) -> list[str]:
        return sorted({user for user, _, _ in self.users.get((kind, name.lower()), [])})

    def not_in_use(self, resources: list[LiveResource]) -> list[LiveResource]:
        """`resources` minus those something still uses (kept, with a warning: a later
        pass retires them once nothing does)."""
        free = []
        for resource in resources:
            users = self.users_of(resource.kind, resource.name)
            if users:
                self.plan.warnings.append(
                    f"{resource.kind} {resource.name} is superseded but still used by "
                    f"{', '.join(users)}; kept until nothing uses it"
                )
            else:
                free.append(resource)
        return free

    def tags_fit(
        self, desired: Desired, live: LiveResource, to_add: dict[str, str], to_remove: list[str]
    ) -> bool:
        """AWS allows 50 tags per resource, counting the ones set outside git: a plan whose
        AddTags would pass that is a problem now, not a failed apply later. One place is
        kept free for the failed-spec marker apply may have to write, and one more for the
        verified marker of a resource with checks."""
        after = (set(live.tags) - set(to_remove)) | set(to_add)
        foreign = sorted(k for k in live.tags if k not in desired.tags and k not in to_remove)
        markers = [FAILED_SPEC_TAG, *([VERIFIED_TAG] if desired.manifest.checks else [])]
        room = MAX_TAGS - sum(1 for marker in markers if marker not in after)
        if len(after) <= room:
            return True
        self.problem(
            desired,
            f"{desired.kind} {live.name} would carry {len(after)} tags, more than AWS's "
            f"{MAX_TAGS} per resource (keeping room for {' and '.join(markers)}): "
            f"{len(foreign)} set outside git ({', '.join(foreign[:5])}"
            f"{', ...' if len(foreign) > 5 else ''}) plus {len(desired.tags)} from the manifest "
            "and the reconciler; remove some",
        )
        return False

    def superseded(self, desired: Desired) -> list[LiveResource]:
        return sorted(
            (
                r
                for r in self.live.of_kind(desired.kind)
                if r.owner == self.owner
                and r.address == desired.address
                and r.name.lower() != desired.physical_name.lower()
                and identifies(r)
            ),
            key=lambda r: r.name,
        )

    def change(
        self, desired: Desired, action: Action, steps: list[Step], code: ReasonCode, reason: str
    ) -> Change:
        return Change(
            address=desired.address,
            kind=desired.kind,
            name=desired.manifest.name,
            physical_name=desired.physical_name,
            action=action,
            operations=[],
            reason=reason,
            reason_code=code,
            steps=steps,
            depends_on=desired.depends_on,
            desired_spec=desired.spec,
            sensitive_keys=desired.manifest.annotations.sensitive,
            ignore_differences=desired.ignore,
            attempt=_attempt(desired),
            checks_attempt=_checks_attempt(desired),
            # A create (or the create half of a replace) sends every tag with it.
            tags_to_add=dict(desired.tags) if action in (Action.CREATE, Action.REPLACE) else {},
        )

    def update_step(
        self, desired: Desired, live: LiveResource, operation: str, dropped: list[str]
    ) -> Step:
        """One of the kind's update operations, with its request when the kind builds it
        from the Describe this plan read (a cluster's UpdateCluster: the groups to send and
        to delete are the difference to the cluster as the plan saw it)."""
        build = desired.info.update_request
        if build is None or live.description is None:
            return Step(StepOp.UPDATE, operation, desired.physical_name)
        request = build(
            UpdateInput(
                operation=operation,
                name=desired.physical_name,
                spec=desired.spec,
                description=live.description,
                ignore=desired.manifest.annotations.ignore_differences,
                dropped=tuple(dropped),
            )
        )
        return Step(StepOp.UPDATE, operation, desired.physical_name, request)

    # -- per desired resource ----------------------------------------------------------
    def check_references(self, desired: Desired) -> bool:
        ok = True
        for reference in desired.references:
            if reference.in_manifests:
                continue
            if reference.kind is desired.info.owned_through:
                # It cannot be tagged, so it is ours only through a parent we own: never
                # written on a parent that is not declared here.
                self.problem(
                    desired,
                    f"is on {reference.kind} {reference.name}, which is not declared in the "
                    f"manifests: declare (or adopt) the {reference.kind} too",
                    reference.path,
                )
                ok = False
                continue
            if self.live.get(reference.kind, reference.name) is None:
                self.problem(
                    desired,
                    f"refers to {reference.target}, which is neither declared in the manifests "
                    "nor exists in the account",
                    reference.path,
                )
                ok = False
        return ok

    def known_arns(self, desired: Desired) -> JsonDict | None:
        """`desired.spec` with the live ARN of each resource an ``arn_at_apply`` reference
        names, for comparing with the live resource (None: it has no such reference). A
        resource this plan creates or replaces has no ARN yet: the reference stays, so the
        field differs and is written again once apply has read the new ARN."""
        patterns = [r for r in desired.info.references if r.arn_at_apply]
        if not patterns:
            return None
        spec = copy.deepcopy(desired.spec)
        for pattern in patterns:
            for path, name in pattern.find_in(desired.spec):
                planned = self.planned.get((pattern.kind, name.lower()))
                if planned is not None and planned.action in (Action.CREATE, Action.REPLACE):
                    continue
                live = self.live.get(pattern.kind, name)
                if live is not None:
                    put_value(spec, path, live.arn)
        return spec

    def plan_desired(self, desired: Desired) -> Change | None:
        if not self.check_references(desired):
            return None
        desired.compared = self.known_arns(desired)
        live = self.live.get(desired.kind, desired.physical_name)
        change = self._decide(desired, live)
        if change is not None:
            self.planned[(desired.kind, desired.physical_name.lower())] = change
            change.scaled = self.scaled(desired, live)
            # A create or an update of what it serves is proven by the manifest's checks;
            # an update that fails them goes back to the resource as read here, before
            # this apply changes it. (Read while an update is in flight, that is still
            # what it ran: DescribeEndpoint keeps the old EndpointConfigName until the
            # update ends and shows the new one under PendingDeploymentSummary, API
            # reference. The plan's diff says it differs from what is declared.)
            if (
                desired.manifest.checks is not None
                and not change.held
                and any(s.op in (StepOp.CREATE, StepOp.UPDATE) for s in change.steps)
            ):
                change.checks = desired.manifest.checks
                if change.action is Action.UPDATE and live is not None:
                    change.revert_to = live.description
        if change is not None and live is not None:
            change.live_status = live.status
            change.live_failure = (live.description or {}).get("FailureReason") or (
                live.description or {}
            ).get("FailureMessage")
        return change

    def verify_unproven(self, desired: dict[str, Desired]) -> None:
        """A resource with checks that already runs its manifest's spec, while a version
        it moved off is still to be retired, has a rollout whose checks never finished
        (an apply stopped, or timed out, between the update and the checks): its checks
        run now, before anything it superseded is retired, and fail as they would have
        (revert to that version when its kind can tell what it was, else keep and hold).
        If that very spec failed its checks already and still serves (nothing could be
        reverted), it is held, and so is the retirement: the superseded version is what a
        person would go back to."""
        for item in desired.values():
            checks = item.manifest.checks
            change = self.planned.get((item.kind, item.physical_name.lower()))
            live = self.live.get(item.kind, item.physical_name)
            if checks is None or change is None or live is None or live.description is None:
                continue
            if change.held or change.action is Action.DELETE:
                continue
            moved_off = self.moved_off(item)
            if change.checks is not None:
                if change.action is Action.UPDATE and change.revert_to is None:
                    # Read while it was moving: what it moves off is what it ran.
                    change.revert_to = self.before(item, live.description, moved_off)
                continue
            proven = live.tags.get(VERIFIED_TAG) == change.checks_attempt
            if not moved_off or (proven and live.status not in item.info.transitional):
                # Nothing waits for the checks, or they passed for this very spec (and it
                # is not moving: a marker from an earlier rollout of the same spec says
                # nothing of an update in flight now).
                continue
            failed, recorded = failed_spec_parts(live.tags.get(FAILED_SPEC_TAG))
            change.action = Action.UPDATE
            if _failed_as(change, failed):
                kept = ", ".join(n for _, names in moved_off for n in names)
                change.held = True
                change.reason_code = ReasonCode.FAILED_BEFORE
                change.reason = (
                    f"held: this spec failed its checks ({recorded or 'no reason given'}) "
                    f"and still serves; {kept} is kept until the manifest changes"
                )
                self.keep_superseded(item, f"what {item.address} would go back to")
                continue
            change.checks = checks
            change.reason_code = ReasonCode.UNVERIFIED
            change.reason = (
                "its rollout has not passed its checks (an earlier apply stopped before "
                "them): they run before "
                f"{', '.join(n for _, names in moved_off for n in names)} is retired"
            )
            change.revert_to = self.before(item, live.description, moved_off)

    @staticmethod
    def before(
        desired: Desired, live: JsonDict, moved_off: list[tuple[SpecPath, list[str]]]
    ) -> JsonDict | None:
        """The resource as it was before it moved off those versions, if its kind can tell
        (KindInfo.before_version) and only one version is to be retired: of several (an
        update SageMaker rolled back, then another cut short), which one served is not
        known, and going back to one that never did would be a guess."""
        hook = desired.info.before_version
        for path, names in moved_off if hook is not None else ():
            assert hook is not None
            found = hook(live, path, names[0]) if len(names) == 1 else None
            if found is not None:
                return found
        return None

    def keep_superseded(self, desired: Desired, why: str) -> None:
        """Retire none of the old versions of what `desired` references, this pass."""
        for reference in desired.references:
            target = self.planned.get((reference.kind, reference.physical_name.lower()))
            if not reference.in_manifests or target is None or not target.superseded:
                continue
            target.warnings.append(f"{', '.join(target.superseded)} kept: {why}")
            target.steps = [s for s in target.steps if s.op is not StepOp.RETIRE]
            target.operations = operations_of(target.steps)
            target.superseded = []
            if not any(s.op is StepOp.CREATE for s in target.steps):
                # Nothing retired, nothing made: no replace any more.
                target.replacement = None
                if target.steps:
                    target.action, target.reason_code = Action.UPDATE, ReasonCode.TAGS_CHANGED
                    target.reason = "tags changed"
                else:
                    target.action, target.reason_code = Action.NOOP, ReasonCode.MATCHES
                    target.reason = "up to date"

    def moved_off(self, desired: Desired) -> list[tuple[SpecPath, list[str]]]:
        """(reference path, versions) for what `desired` references that this plan
        retires older versions of: what the resource ran before its current version is
        among them (it is that version when there is one)."""
        found: list[tuple[SpecPath, list[str]]] = []
        for reference in desired.references:
            target = self.planned.get((reference.kind, reference.physical_name.lower()))
            if reference.in_manifests and target is not None and target.superseded:
                found.append((reference.path, list(target.superseded)))
        return found

    def scaled(self, desired: Desired, live: LiveResource | None) -> list[Scaled]:
        """The counts of `desired` that a declared resource took over, with their live
        values (the kind reads them off its Describe; None before it exists) and the
        bounds the taker keeps them within."""
        read = desired.info.scaled_count
        if read is None:
            return []
        description = live.description if live is not None else None
        found = []
        for path, by in sorted(desired.taken_over.items()):
            counted = read(description or {}, path)
            if counted is None:
                continue
            what, value = counted
            least, most = None, None
            taker = self.desired.get(by)
            if taker is not None and taker.info.scaling_bounds is not None:
                least, most = taker.info.scaling_bounds(taker.spec)
            found.append(Scaled(path, what, value, least, most, by))
        return found

    def _decide(self, desired: Desired, live: LiveResource | None) -> Change | None:
        if desired.info.immutable:
            return self.plan_immutable(desired, live)
        if live is None:
            return self.create(desired)
        adopting = self.ownership(desired, live)
        if adopting is None:
            return None
        if adopting and not self.adoptable(desired, live):
            return None
        return self.plan_mutable(desired, live, adopting)

    def adoptable(self, desired: Desired, live: LiveResource) -> bool:
        """Adopting takes over a resource as it is: a difference in a field that cannot
        change in place would make the first apply replace it — refuse instead."""
        if live.description is None:
            return True
        changes = _live_changes(desired, live)
        fixed = desired.info.create_only_changes(changes, desired.spec)
        beyond = _set_beyond(desired.info, changes)
        for change in beyond:
            self.problem(
                desired,
                f"cannot adopt {desired.kind} {live.name}: {change.path} is set ({change.before}) "
                "and the manifest leaves it out, which only replacing it can make true; declare "
                "it in the manifest",
                _spec_path(desired.spec, change.path.rsplit(".", 1)[0], set()),
            )
        for change in fixed:
            self.problem(
                desired,
                f"cannot adopt {desired.kind} {live.name}: {change.path} differs (live {change.before}, "
                f"manifest {change.after}) and cannot change without replacing it; make the manifest match",
                _spec_path(desired.spec, change.path, set(desired.info.keyed.values())),
            )
        return not fixed and not beyond

    def create(self, desired: Desired) -> Change:
        return self.change(
            desired,
            Action.CREATE,
            [_create_step(desired)],
            ReasonCode.NOT_FOUND,
            f"{desired.kind} {desired.physical_name} does not exist",
        )

    def plan_immutable(self, desired: Desired, live: LiveResource | None) -> Change | None:
        old = self.not_in_use(self.superseded(desired))
        delete = desired.info.delete_operation
        retire = [Step(StepOp.RETIRE, delete, r.name) for r in old]
        if live is None:
            if not old:
                return self.create(desired)
            change = self.change(
                desired,
                Action.REPLACE,
                [_create_step(desired), *retire],
                ReasonCode.SPEC_CHANGED,
                f"spec changed: {desired.physical_name} replaces {', '.join(r.name for r in old)} "
                "(dependants move to it first; no downtime)",
            )
            change.replacement = Replacement.CREATE_BEFORE_DELETE
            previous = next((r for r in old if r.description is not None), None)
            if previous is not None:
                # For display: what this version changes against the one it replaces.
                assert previous.description is not None
                change.diff = desired.info.shown_differences(
                    desired.spec,
                    previous.description,
                    desired.ignore,
                )
            change.superseded = [r.name for r in old]
            return change
        adopting = self.ownership(desired, live)
        if adopting is None:
            return None
        differs = adopting or live.spec_hash != desired.spec_hash
        if differs and live.description is not None and _live_changes(desired, live):
            self.problem(
                desired,
                f"{desired.kind} {live.name} exists with content that differs from the manifest; "
                "its name is content-addressed, so it should not: delete it or change the manifest",
            )
            return None
        to_add, to_remove = _tag_delta(desired.tags, live.tags)
        if not self.tags_fit(desired, live, to_add, to_remove):
            return None
        tag_steps = _tag_steps(desired.info, desired.physical_name, to_add, to_remove)
        if old:
            change = self.change(
                desired,
                Action.REPLACE,
                [*tag_steps, *retire],
                ReasonCode.SUPERSEDED,
                f"{desired.physical_name} already exists; superseded {', '.join(r.name for r in old)} "
                "deleted once dependants moved",
            )
            change.replacement = Replacement.CREATE_BEFORE_DELETE
            change.superseded = [r.name for r in old]
        elif tag_steps:
            code, reason = _tags_reason(to_add, to_remove, adopting) or (
                ReasonCode.TAGS_CHANGED,
                "tags changed",
            )
            change = self.change(desired, Action.UPDATE, tag_steps, code, reason)
        else:
            change = self.change(desired, Action.NOOP, [], ReasonCode.MATCHES, "up to date")
        change.tags_to_add, change.tags_to_remove = to_add, to_remove
        change.diff.extend(_tag_diff(to_add, to_remove, live.tags))
        return change

    def plan_mutable(self, desired: Desired, live: LiveResource, adopting: bool) -> Change | None:
        kind = desired.kind
        status = live.status or ""
        diff = _live_changes(desired, live) if live.description is not None else []
        warnings = []
        described = live.description or {}
        failure = described.get("FailureReason") or described.get("FailureMessage")
        create_only = desired.info.create_only_changes(diff, desired.spec)
        kept = desired.info.dropped_create_only(diff, desired.spec)
        if kept:
            warnings.append(
                f"{', '.join(c.path for c in kept)} no longer declared: it cannot change "
                "without replacing the resource, so it keeps its live value"
            )
            diff = [c for c in diff if c not in kept]

        attempts = {_attempt(desired), _checks_attempt(desired)} - {""}
        failed_spec, recorded = failed_spec_parts(live.tags.get(FAILED_SPEC_TAG))
        failed_before = failed_spec in attempts and not _internal(failure)
        if failed_before and (status == "Failed" or diff):
            # The same spec failed last time: trying it again would only fail again.
            change = self.change(
                desired,
                Action.UPDATE,
                [],
                ReasonCode.FAILED_BEFORE,
                f"held: this spec failed before ({failure or recorded or 'no reason given'}); "
                "change the manifest to try again",
            )
            change.held = True
            change.diff = diff
            return change

        replace_reason: Reason | None = None
        if status == "Failed":
            replace_reason = (
                ReasonCode.RESOURCE_FAILED,
                f"{kind} is Failed ({failure or 'no reason given'}); a Failed {kind} can only be "
                "deleted and created again",
            )
        elif create_only:
            fields = ", ".join(c.path for c in create_only)
            replace_reason = ReasonCode.CREATE_ONLY_CHANGED, f"{fields} cannot change in place"
        elif beyond := _set_beyond(desired.info, diff):
            fields = ", ".join(c.path for c in beyond)
            replace_reason = (
                ReasonCode.CREATE_ONLY_CHANGED,
                f"{fields} no longer declared, and a put keeps what it leaves out",
            )
        else:
            host = self.replaced_host(desired)
            moves_out = desired.info.moves_out
            why_out = moves_out(desired.spec, self.specs) if moves_out is not None else None
            if host is not None:
                replace_reason = ReasonCode.HOST_REPLACED, f"its {host} is replaced"
            elif why_out is not None:
                replace_reason = ReasonCode.HOST_CHANGES, why_out
        destructive = desired.info.destructive_replace
        if replace_reason is not None and destructive is not None and status != "Failed":
            if not desired.manifest.annotations.allow_replace:
                self.refuse_replace(desired, create_only, destructive)
                return None
            warnings.append(
                f"replacing {kind} {desired.physical_name} {destructive.warning}; "
                "allowed by allow-replace"
            )
        if replace_reason is not None:
            self.replaced.add((kind, desired.physical_name.lower()))
            effect = (
                destructive.effect.format(name=desired.physical_name)
                if destructive is not None
                else f"interrupts {desired.physical_name}"
            )
            code, why = replace_reason
            change = self.change(
                desired,
                Action.REPLACE,
                [
                    Step(StepOp.DELETE, desired.info.delete_operation, desired.physical_name),
                    _create_step(desired),
                ],
                code,
                f"{why}: delete, then create ({effect})",
            )
            change.replacement = Replacement.DELETE_THEN_CREATE
            change.diff = diff
            change.warnings = warnings
            return change

        if status in KINDS[kind].transitional:
            warnings.append(f"{kind} is {status}: apply waits for it to settle before changing it")
        if failure and status == "InService":
            warnings.append(f"its last deployment failed and rolled back: {failure}")

        steps: list[Step] = []
        reasons: list[Reason] = []
        dropped = [c.path for c in diff if c.after is ABSENT]
        if diff:
            planner = desired.info.plan_update
            if planner is None:  # a kind that changes in place must say how
                raise TypeError(f"{kind} has a diff but no plan_update in its kind module")
            update = planner(diff)
            steps.extend(
                self.update_step(desired, live, operation, dropped)
                for operation in update.operations
            )
            reasons.extend([(ReasonCode.SPEC_CHANGED, update.reason)] if update.reason else [])
            warnings.extend(update.warnings)
        to_add, to_remove = _tag_delta(desired.tags, live.tags)
        if not self.tags_fit(desired, live, to_add, to_remove):
            return None
        if failed_spec is not None and (steps or failed_spec not in attempts):
            # A new attempt, or the manifest has moved away from the spec that failed (the
            # hold means "unchanged since it failed"): forget the old failure, so that
            # moving back later tries that spec again.
            to_remove.append(FAILED_SPEC_TAG)
            if not steps:
                reasons.append(
                    (
                        ReasonCode.FAILURE_FORGOTTEN,
                        "the manifest moved away from the spec that failed: forget it",
                    )
                )
        updating = bool(steps)
        steps.extend(_tag_steps(desired.info, desired.physical_name, to_add, to_remove))
        tags_reason = _tags_reason(to_add, to_remove, adopting)
        if tags_reason and (not updating or tags_reason[1] != RECORD_REASON):
            # (The record is rewritten with every update that changes the declared fields;
            # said only when it is all there is to do.)
            reasons.append(tags_reason)
        if steps:
            # The first reason is the change's code (the spec's, when it changes).
            code = reasons[0][0] if reasons else ReasonCode.SPEC_CHANGED
            change = self.change(
                desired, Action.UPDATE, steps, code, "; ".join(why for _, why in reasons)
            )
        elif status in KINDS[kind].transitional:
            # Still Creating/Updating (an earlier apply gave up waiting, --timeout): nothing
            # to send, but whatever depends on it must wait until it is ready.
            wait = Step(StepOp.AWAIT_READY, "", desired.physical_name)
            change = self.change(
                desired, Action.NOOP, [wait], ReasonCode.IN_TRANSITION, "up to date"
            )
        else:
            change = self.change(desired, Action.NOOP, [], ReasonCode.MATCHES, "up to date")
        change.diff = diff + _tag_diff(to_add, to_remove, live.tags)
        change.dropped = dropped
        change.tags_to_add, change.tags_to_remove = to_add, to_remove
        change.warnings = warnings
        return change

    def replaced_host(self, desired: Desired) -> str | None:
        """The resource this one lives on (a create-only reference: an inference
        component's endpoint) when that is replaced in this plan: it goes with it."""
        fields = desired.info.create_only_fields(desired.spec)
        for reference in desired.references:
            if not covered(format_path(reference.path), fields):
                continue
            if (reference.kind, reference.physical_name.lower()) in self.replaced:
                return f"{reference.kind.lower()} {reference.physical_name}"
        return None

    def refuse_replace(
        self, desired: Desired, create_only: list[FieldChange], destructive: DestructiveReplace
    ) -> None:
        """A plan problem: the change needs a new resource, and replacing this kind destroys
        more than it, which the manifest does not allow."""
        changes = " and ".join(
            f"{c.path} ({_shown(c.before)} → {_shown(c.after)})" for c in create_only
        )
        where = (
            _spec_path(desired.spec, create_only[0].path, set(desired.info.keyed.values()))
            if create_only
            else ()
        )
        self.problem(
            desired,
            f"changing {changes or 'its host'} {destructive.refusal}; annotate "
            'sagemaker-reconciler/allow-replace: "true" to allow it',
            where,
        )

    def refuse_prune(
        self,
        resource: LiveResource,
        users: list[tuple[str, Desired | None, tuple[str | int, ...]]],
    ) -> None:
        """A plan problem: deleting a resource that is no longer declared would break what
        still uses it."""
        for user, desired, path in users:
            message = (
                f"uses {resource.kind} {resource.name}, which is no longer declared "
                f"({resource.address}) and would be deleted; declare it again or stop using it"
            )
            if desired is not None:
                self.problem(desired, message, path)
            else:
                self.plan.problems.append(Problem(f"{user} {message}"))

    # -- prune -------------------------------------------------------------------------
    def plan_prune(self, desired: dict[str, Desired]) -> None:
        """Changes for our resources that no longer have a manifest."""
        orphans: dict[str, list[LiveResource]] = {}
        for resource in self.live.owned_by(self.owner):
            address = resource.address or ""
            if not identifies(resource):
                self.plan.warnings.append(
                    f"{resource.kind} {resource.name} carries owner {self.owner}'s tags for "
                    f"{address or 'no address'}; left alone"
                )
                continue
            if address in desired or resource.kind not in _RANK:
                continue
            users = self.users.get((resource.kind, resource.name.lower()), [])
            if users:
                self.refuse_prune(resource, users)
                continue
            orphans.setdefault(address, []).append(resource)
        for address, resources in orphans.items():
            resources.sort(key=lambda r: r.name)
            first = resources[0]
            kind = first.kind
            name = address.partition("/")[2]
            if first.tags.get(RETAIN_TAG) == "retain":
                # Every version is released, each of the ownership tags it carries.
                change = Change(
                    address,
                    kind,
                    name,
                    first.name,
                    Action.UPDATE,
                    [],
                    "no longer declared; deletion-policy retain: release it (remove ownership tags), keep it",
                    reason_code=ReasonCode.RETAINED,
                    steps=[
                        Step(
                            StepOp.DELETE_TAGS,
                            KINDS[kind].tag_calls[1],
                            r.name,
                            {"TagKeys": _ownership_tags(r)},
                        )
                        for r in resources
                    ],
                    tags_to_remove=_ownership_tags(first),
                )
            elif not self.prune:
                self.plan.warnings.append(
                    f"{address} is no longer declared; not deleted (--no-prune)"
                )
                continue
            else:
                delete = KINDS[kind].delete_operation
                change = Change(
                    address,
                    kind,
                    name,
                    first.name,
                    Action.DELETE,
                    [],
                    "no longer declared in the manifests",
                    reason_code=ReasonCode.NO_LONGER_DECLARED,
                    steps=[Step(StepOp.DELETE, delete, r.name) for r in resources],
                    superseded=[r.name for r in resources[1:]],
                )
            self.plan.changes.append(change)

    # -- ordering ----------------------------------------------------------------------
    def link_checked_alarms(self) -> None:
        """A change whose checks watch a declared alarm runs after that alarm's change: the
        bake reads it, so it must exist. Not when the alarm itself waits for the change (an
        alarm on a scaling policy of the very component checked): that would be a cycle,
        and such an alarm exists only from the next pass on."""
        changes = {c.address: c for c in self.plan.changes}
        alarms = {
            c.physical_name: c.address
            for c in self.plan.changes
            if c.kind is CHECKED_ALARM_KIND and c.action is not Action.DELETE
        }

        def reaches(start: str, goal: str) -> bool:
            seen, todo = set(), [start]
            while todo:
                address = todo.pop()
                if address == goal:
                    return True
                if address in seen or address not in changes:
                    continue
                seen.add(address)
                todo.extend(changes[address].depends_on)
            return False

        for change in self.plan.changes:
            for name in change.checks.alarms if change.checks is not None else ():
                address = alarms.get(name)
                if (
                    address is not None
                    and address not in change.depends_on
                    and not reaches(address, change.address)
                ):
                    change.depends_on.append(address)

    def order_and_link(self) -> None:
        """Creates/updates in dependency order, deletes after them in reverse kind order;
        record what each delete (and each replace's delete half) must wait for."""
        changes = self.plan.changes
        live_of = {c.address: self.live.get(c.kind, c.physical_name) for c in changes}
        by_arn = {(r.kind, r.arn.lower()): r for r in self.live.resources.values() if r.arn}

        def names_in_live(change: Change) -> set[tuple[Kind, str]]:
            """What the live resource of `change` refers to, by its kind's references (its
            Describe answer, or its List summary when it was not described)."""
            resource = live_of.get(change.address)
            if resource is None:
                return set()
            info = KINDS[change.kind]
            spec = (
                info.live_spec(resource.description) if resource.description else resource.summary
            )
            named = {(r.kind, n.lower()) for r in info.references for _, n in r.find_in(spec)}
            # A field that holds ARNs once applied names the live resource with that ARN.
            for r in info.references:
                if r.arn_at_apply:
                    for _, value in r.values_in(spec):
                        target = by_arn.get((r.kind, value.lower()))
                        if target is not None:
                            named.add((r.kind, target.name.lower()))
            return named

        def removing(change: Change) -> bool:
            return change.action is Action.DELETE or (
                change.action is Action.REPLACE and change.interrupting
            )

        # A held change counts too: its node fails, and what waits for it is skipped (an
        # old version it still runs on is not retired).
        moving = [c for c in changes if c.action in (Action.UPDATE, Action.REPLACE, Action.DELETE)]
        for change in changes:
            info = KINDS[change.kind]
            this = (change.kind, change.physical_name.lower())
            waits: set[str] = set()
            if info.immutable and change.action in (Action.DELETE, Action.REPLACE):
                # An old version goes once whatever may use it has moved.
                kinds = _movers(change.kind)
                waits = {c.address for c in moving if c.kind in kinds}
            elif (
                change.action is Action.DELETE
                or removing(change)
                or (change.action is Action.UPDATE and _updates_spec(change))
            ):
                # A resource (or its new spec) goes once what lives on it is removed:
                # inference components before their endpoint, adapters before their base;
                # an endpoint's new config may need its inference components gone.
                waits = {
                    c.address
                    for c in moving
                    if c.kind in _REFERRERS[change.kind]
                    and removing(c)
                    and this in names_in_live(c)
                }
            waits.discard(change.address)
            if change.action is Action.DELETE:
                change.depends_on = sorted(waits)
            elif (
                change.action is Action.REPLACE and (change.superseded or change.interrupting)
            ) or (change.action is Action.UPDATE and waits):
                change.delete_after = sorted(waits)

        # Shown as apply goes: creates and updates kind by kind, deletes in reverse kind
        # order, each change after those it waits for (a rollback alarm before the
        # endpoint that names it, although alarms come after endpoints in kind order).
        forward = [c for c in changes if c.action is not Action.DELETE]
        deletes = [c for c in changes if c.action is Action.DELETE]
        self.plan.changes = _in_order(forward, lambda c: _RANK.get(c.kind, len(_RANK))) + _in_order(
            deletes, lambda c: -_RANK.get(c.kind, 0)
        )

    # -- the whole pass ----------------------------------------------------------------
    def run(self) -> Plan:
        # Resolve with live knowledge: annotated physical names are kept while they match.
        # Without such a name, the resolution the observation was made of is the same.
        if self.observation is not None and not any(
            m.annotations.physical_name for m in self.manifests
        ):
            desired, problems = self.observation.desired, list(self.observation.problems)
        else:
            desired, problems = resolve(self.manifests, self.owner, self.keep_name)
        self.plan.problems.extend(problems)
        self.desired = desired
        self.specs = _Specs(
            {(d.kind, d.physical_name.lower()): d.spec for d in desired.values()}, self.live
        )
        # Know what stays in use before deciding what may be retired or pruned.
        self.find_users(desired)
        for item in desired.values():
            change = self.plan_desired(item)
            if change is not None:
                self.plan.changes.append(change)
        for manifest in self.unplanned:
            self.plan.warnings.append(
                f"{manifest.address}: planning of this kind is not supported yet; skipped"
            )
        self.verify_unproven(desired)
        self.plan_prune(desired)
        self.link_checked_alarms()
        self.order_and_link()
        sensitive = {d.address: d.manifest.annotations.sensitive for d in desired.values()}
        for change in self.plan.changes:
            change.diff = mask_changes(change.diff, sensitive.get(change.address, ()))
        relevant = {(c.kind, c.physical_name.lower()) for c in self.plan.changes}
        relevant |= {(c.kind, n.lower()) for c in self.plan.changes for n in c.superseded}
        self.plan.fingerprints = {
            f"{r.kind}/{r.name}": r.fingerprint()
            for key, r in sorted(self.live.resources.items())
            if key in relevant
        }
        return self.plan


def _set_beyond(info: KindInfo, diff: list[FieldChange]) -> list[FieldChange]:
    """The live fields a kind that keeps no record has beyond its manifest (see
    ``KindInfo.dropped_from_live``): only a new resource is without them."""
    return [c for c in diff if c.after is ABSENT] if info.dropped_from_live else []


def _in_order(changes: list[Change], rank: Callable[[Change], int]) -> list[Change]:
    """`changes`, each after those of them it depends on, and otherwise by `rank` and
    address: of the changes whose dependencies are shown, the lowest rank goes next, so
    kinds stay together wherever their references allow (a base inference component
    before its adapters, an endpoint's rollback alarm before the endpoint)."""
    by_address = {c.address: c for c in changes}
    sorter = TopologicalSorter(
        {c.address: {d for d in c.depends_on if d in by_address} for c in changes}
    )
    sorter.prepare()
    ready = [(rank(by_address[a]), a) for a in sorter.get_ready()]
    heapq.heapify(ready)
    ordered: list[Change] = []
    while ready:
        _, address = heapq.heappop(ready)
        ordered.append(by_address[address])
        sorter.done(address)
        for freed in sorter.get_ready():
            heapq.heappush(ready, (rank(by_address[freed]), freed))
    return ordered


def _ownership_tags(resource: LiveResource) -> list[str]:
    """The reconciler's tags on `resource` that say it is ours (removed on release)."""
    ours = (
        OWNER_TAG,
        ADDRESS_TAG,
        SPEC_HASH_TAG,
        RETAIN_TAG,
        PHYSICAL_NAME_TAG,
        FAILED_SPEC_TAG,
        VERIFIED_TAG,
    )
    return [k for k in ours if k in resource.tags]


def _create_step(desired: Desired) -> Step:
    return Step(StepOp.CREATE, desired.info.create_operation, desired.physical_name)


def _shown(value: object) -> str:
    if value is ABSENT or value is None:
        return "absent"
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)


def _spec_path(spec: JsonDict, dotted: str, keys: set[str]) -> tuple[str | int, ...]:
    """The spec path of a diff path, for the line of a message: list steps by key
    (``InstanceGroups[gpu]``) become the index of that item in `spec`."""
    path: list[str | int] = []
    value: object = spec
    for part in dotted.split("."):
        name, _, rest = part.partition("[")
        path.append(name)
        value = value.get(name) if isinstance(value, dict) else None
        for step in rest.rstrip("]").split("][") if rest else []:
            items = value if isinstance(value, list) else []
            index = next(
                (
                    i
                    for i, item in enumerate(items)
                    if (step.isdigit() and i == int(step))
                    or (isinstance(item, dict) and any(item.get(k) == step for k in keys))
                ),
                None,
            )
            if index is None:
                return tuple(path)
            path.append(index)
            value = items[index]
    return tuple(path)


def _tag_diff(
    to_add: dict[str, str], to_remove: list[str], have: dict[str, str]
) -> list[FieldChange]:
    """The tag changes a person reads; the record of the last apply is bookkeeping (its
    codes mean nothing to read) and is left out."""
    changes = [
        FieldChange(f"tags.{k}", have.get(k, ABSENT), v)
        for k, v in sorted(to_add.items())
        if not applied.is_record_key(k)
    ]
    changes += [FieldChange(f"tags.{k}", have[k], ABSENT) for k in to_remove]
    return changes


def plan(
    manifests: list[Manifest],
    live: LiveState,
    *,
    owner: str,
    prune: bool = True,
    observation: Observation | None = None,
) -> Plan:
    """The plan that makes `live` match `manifests` for `owner`; `observation`: what
    ``observation_for(manifests, owner)`` answered before `live` was read (its resolution
    is used again where the account cannot change it)."""
    return _Planner(manifests, live, owner, prune, observation).run()
