"""The reconcile service: what every way of running the reconciler shares — plan, apply,
status and the controller alike.

One straight pass: manifests (read and checked, no AWS call) → what to read → the live
account → the plan; and what a plan says of each resource's sync and health. Below the
controller and the commands, above planning and the observer (the import-linter contracts
in ``.importlinter`` keep it so). The errors a user can act on are raised here as
:class:`UserError`; the CLI maps them to exit codes.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from reconciler.apimodel import format_path
from reconciler.errors import AwsError, PermanentError, TemporaryError, from_aws
from reconciler.gateway import Gateway
from reconciler.kinds import APIS, KINDS
from reconciler.kinds.api import Pin
from reconciler.kinds.base import put_value
from reconciler.kinds.capacity import Count, Packing, packings
from reconciler.manifests import load, preflight_problems
from reconciler.observe import DescriptionCache, LiveState, ObserveError, Observer
from reconciler.planning.changes import Action, Change, Plan, StepOp
from reconciler.planning.desired import resolve
from reconciler.planning.planner import Observation, observation_for, plan
from reconciler.resources import Kind, Manifest, Problem


class UserError(PermanentError):
    """An error the user can act on; printed as ``reconciler: <message>``, exit code 1."""


class AccountUnreadable(TemporaryError):
    """The account could not be read for a reason that may pass (throttling, 5xx, network)."""


class InvalidManifests(UserError):
    """The manifests have problems (already printed, one per line)."""


@dataclass
class ValidManifests:
    """manifests: every declared resource; files: the files read; digest: sha256 over the
    files' paths and contents (a saved plan records it to notice later edits)."""

    manifests: list[Manifest]
    files: list[str]
    digest: str


def _digest(files: list[str]) -> str:
    sha = hashlib.sha256()
    for name in sorted(files):
        sha.update(name.encode() + b"\0")
        try:
            sha.update(Path(name).read_bytes())
        except OSError:
            sha.update(b"<unreadable>")
        sha.update(b"\0")
    return sha.hexdigest()


def problems_of(
    directory: str, *, variables: Mapping[str, str] | None = None
) -> tuple[list[Problem], ValidManifests]:
    """Every problem of the manifests in `directory` (no AWS call); `variables`: a
    target's values for ``${VAR}`` in them."""
    loaded = load(directory, variables)
    problems = list(loaded.problems)
    if not problems:
        problems.extend(preflight_problems(loaded.manifests))
    return problems, ValidManifests(loaded.manifests, loaded.files, _digest(loaded.files))


def physical_names(manifests: list[Manifest], owner: str) -> dict[tuple[str, str], Manifest]:
    """The AWS name each manifest gives its resource, by kind (names compared as SageMaker
    compares them, without case), no AWS call: what two targets in one account must not share."""
    resolved, _ = resolve(manifests, owner)
    return {
        (str(desired.kind), desired.physical_name.lower()): desired.manifest
        for desired in resolved.values()
    }


@dataclass
class Pinned:
    """The manifests with their account references pinned (``KindInfo.account_references``:
    a Model's ``model-package-group/<group>:latest-approved``): specs hold the values the
    account answered now, so names, hashes and the plan follow them.

    pins:     address → its references as resolved (shown by the plan; a reference taken
              as written is not)
    problems: references the plan must not deploy (a group with no Approved version),
              each at its manifest's file:line; their manifests stay as written, and a
              plan with problems is never applied
    new_only: address → problems that refuse only a new resource of that spec
              (``Pin.only_for_new``); :func:`settle_pins` decides them once the plan knows
              the change
    warnings: what the plan should say without refusing anything (``Pin.warning``)
    """

    manifests: list[Manifest]
    pins: dict[str, list[Pin]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    new_only: dict[str, list[Problem]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def pin_references(manifests: list[Manifest], aws: Gateway) -> Pinned:
    """Resolve every manifest's account references by reading the account (one read per
    reference). Raises UserError / AccountUnreadable when the account cannot be read."""
    pinned = Pinned([])
    for manifest in manifests:
        info = KINDS.get(manifest.kind)
        if info is None or not APIS[manifest.kind].reads_account(manifest.spec):
            pinned.manifests.append(manifest)
            continue
        try:
            pins = APIS[manifest.kind].pins(aws, manifest.spec)
        except AwsError as err:
            error = from_aws(err, f"{err.operation} for {manifest.address}")
            kind = AccountUnreadable if error.temporary else UserError
            raise kind(f"cannot read the account: {error}") from err
        spec = copy.deepcopy(manifest.spec)
        for pin in pins:
            where = "spec." + format_path(pin.path)
            if pin.problem or pin.value is None:
                problem = Problem(
                    f"{pin.written}: {pin.problem}",
                    manifest.location_of(pin.path),
                    manifest.address,
                    where,
                )
                if pin.only_for_new and pin.value is not None:
                    pinned.new_only.setdefault(manifest.address, []).append(problem)
                else:
                    pinned.problems.append(_refused(problem))
            if pin.warning:
                pinned.warnings.append(f"{manifest.address}: {where}: {pin.written}: {pin.warning}")
            if pin.value is not None:
                put_value(spec, pin.path, pin.value)
        pinned.pins[manifest.address] = [p for p in pins if p.value != p.written]
        failed = any(p.value is None for p in pins)
        pinned.manifests.append(manifest if failed else dataclasses.replace(manifest, spec=spec))
    return pinned


def _makes_new(change: Change) -> bool:
    """The change creates a resource of the desired spec (a create, or a replace's create
    step; a replace that only retires old versions of a live one makes nothing)."""
    return any(step.op is StepOp.CREATE for step in change.steps)


def settle_pins(result: Plan, pinned: Pinned) -> None:
    """Put what pinning found into the plan made from ``pinned.manifests``: its problems
    and warnings, each change's resolved references, and each ``only_for_new`` problem
    as a problem where the change makes a new resource of that spec (or the plan has no
    change for it), as a warning where the live resource has that spec already."""
    result.problems.extend(pinned.problems)
    result.warnings.extend(pinned.warnings)
    for change in result.changes:
        change.pins = list(pinned.pins.get(change.address, ()))
    planned = {change.address: change for change in result.changes}
    for address, problems in pinned.new_only.items():
        live = planned.get(address)
        for problem in problems:
            if live is None or _makes_new(live):
                result.problems.append(_refused(problem))
                continue
            kept = (
                f"{problem.message}; {live.kind} {live.physical_name} has this spec "
                "already and is left as it is (a new one would be refused)"
            )
            result.warnings.append(str(dataclasses.replace(problem, message=kept)))


def _refused(problem: Problem) -> Problem:
    return dataclasses.replace(problem, message=f"{problem.message}; nothing was changed")


def observe(
    *,
    manifests: list[Manifest],
    aws: Gateway,
    owner: str,
    parallelism: int = 10,
    batched_tags: bool = True,
    cache: DescriptionCache | None = None,
) -> LiveState:
    """Read what the manifests need from the account. Raises UserError when the account
    cannot be read."""
    pinned = pin_references(manifests, aws).manifests
    return _read(observation_for(pinned, owner), aws, owner, parallelism, batched_tags, cache)


def _read(
    observation: Observation,
    aws: Gateway,
    owner: str,
    parallelism: int,
    batched_tags: bool,
    cache: DescriptionCache | None,
) -> LiveState:
    try:
        observer = Observer(aws, parallelism=parallelism, batched_tags=batched_tags, cache=cache)
        return observer.observe(
            observation.kinds,
            wanted=observation.wanted,
            owner=owner,
            expected_hashes=observation.expected_hashes,
            addresses=observation.addresses,
        )
    except ObserveError as err:
        kind = AccountUnreadable if err.error.temporary else UserError
        raise kind(f"cannot read the account: {err}") from err


def observe_and_plan(
    *,
    manifests: list[Manifest],
    aws: Gateway,
    owner: str,
    prune: bool = True,
    parallelism: int = 10,
    batched_tags: bool = True,
    cache: DescriptionCache | None = None,
) -> Plan:
    """Read what the manifests need from the account and plan, in one straight pass:
    manifests → their account references pinned (:func:`pin_references`) → desired state
    (resolved once) and what to read → live state → plan.
    Raises UserError when the account cannot be read."""
    pinned = pin_references(manifests, aws)
    observation = observation_for(pinned.manifests, owner)
    live = _read(observation, aws, owner, parallelism, batched_tags, cache)
    result = plan(pinned.manifests, live, owner=owner, prune=prune, observation=observation)
    settle_pins(result, pinned)
    return result


SYNC = {
    Action.NOOP: "InSync",
    Action.CREATE: "Missing",
    Action.UPDATE: "OutOfSync",
    Action.REPLACE: "OutOfSync",
    Action.DELETE: "Orphaned",
}


def health(change: Change) -> str:
    if change.action is Action.CREATE and change.live_status is None:
        return "Missing"
    return health_of(change.kind, change.live_status, change.live_failure)


def health_of(kind: Kind, status: str | None, failure: str | None) -> str:
    api = APIS[kind]
    if status is None:
        return "Healthy"
    if status in api.failed:
        return "Degraded"
    if status in api.transitional:
        return "Progressing"
    if failure:
        return "Degraded"
    return "Healthy"


def refused_by_guards(plan: Plan, *, allow_empty: bool, max_deletes: int | None) -> str | None:
    """Why applying `plan` is refused by the prune guards, for apply and the controller
    alike (None: it is not): manifests that declare nothing delete nothing without
    ``--allow-empty``, and no plan deletes more than ``--max-deletes``."""
    deletes = sum(1 for c in plan.changes if c.action is Action.DELETE)
    declared = sum(1 for c in plan.changes if c.action is not Action.DELETE)
    if deletes and declared == 0 and not allow_empty:
        return (
            f"the manifests declare nothing and {deletes} resource(s) would be deleted; "
            "refusing (pass --allow-empty if that is what you want)"
        )
    if max_deletes is not None and deletes > max_deletes:
        return f"the plan deletes {deletes} resources, more than --max-deletes {max_deletes}"
    return None


def packings_of(manifests: list[Manifest], plan: Plan) -> list[Packing]:
    """How the declared inference components pack their variants' instances, now (the
    live counts the plan read for scaled ones) and at the scaling bounds."""
    counts = {
        (change.address, scaled.path): Count(scaled.live, scaled.most, scaled.by)
        for change in plan.changes
        for scaled in change.scaled
    }
    return packings(manifests, counts)
