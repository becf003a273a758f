"""Apply a plan: its changes become graph nodes, walked in dependency order.

Each change becomes one node, or two when its halves must be ordered apart:

- a create-before-delete replace (a Model/EndpointConfig): ``main`` (the new
  content-hash name) first; ``retire`` (delete the superseded names) only after the
  dependants in ``delete_after`` have moved;
- a delete-then-create replace: ``delete`` (after ``delete_after``), then ``main``.

A node runs its change's steps (the planner's, in order) and decides nothing again: what
each step sends is in the step or in the change's payload.

``graphlib.TopologicalSorter`` hands out a node once every node it depends on is done;
when one fails, everything that depends on it is skipped and reported as such, while
independent branches go on. Every ready node starts at once, on a thread of its own (up
to ``NODE_THREADS``): ``parallelism`` bounds the *write calls* in flight (Create*,
Update*, Delete*, AddTags, DeleteTags), not the nodes, so a node waiting for SageMaker
(polling, :mod:`waiting`, or the pause before retrying a create that did not see its
dependency yet) holds no slot. Describe calls need no write slot; all calls together are
bounded by the client's HTTP connection pool. Throttling and transient errors are
botocore's retry mode's business, not ours. Every call goes through the gateway
(reconciler.gateway), whose errors are :class:`~reconciler.errors.AwsError`.
"""

from __future__ import annotations

import contextlib
import contextvars
import copy
import dataclasses
import json
import queue
import re
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from graphlib import CycleError, TopologicalSorter
from typing import Any

from reconciler.apimodel import format_path
from reconciler.errors import AwsError, ReconcilerError
from reconciler.execution.waiting import WaitPolicy, WaitTimeout, poll
from reconciler.gateway import Gateway
from reconciler.kinds import APIS, KINDS
from reconciler.kinds.api import KindApi, Revert, UpdateCall
from reconciler.kinds.base import put_value
from reconciler.planning.changes import Action, Change, Plan, Replacement, Step, StepOp
from reconciler.resources import (
    FAILED_SPEC_TAG,
    VERIFIED_TAG,
    Invocation,
    JsonDict,
    failed_spec_value,
)


class Result(StrEnum):
    """What happened to a resource, in the past tense."""

    CREATED = "created"
    UPDATED = "updated"
    REPLACED = "replaced"
    DELETED = "deleted"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"
    FAILED = "failed"


_DONE = {
    Action.CREATE: Result.CREATED,
    Action.UPDATE: Result.UPDATED,
    Action.REPLACE: Result.REPLACED,
    Action.DELETE: Result.DELETED,
    Action.NOOP: Result.UNCHANGED,
}


class ApplyFailure(Exception):
    """A change could not be made (the message says why, in SageMaker's words)."""


class Recorded(ApplyFailure):
    """An ApplyFailure whose failed-spec marker is written already."""


class Replan(Exception):
    """The resource changed under the plan: nothing is decided of it, nothing is marked;
    the next plan sees it as it is."""


@dataclass
class Outcome:
    """address / result / detail: what happened and why; seconds: wall time of its nodes."""

    address: str
    result: Result
    detail: str = ""
    seconds: float = 0.0


@dataclass
class ApplyReport:
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.result is Result.FAILED]

    def counts(self) -> dict[str, int]:
        counts = {str(r): 0 for r in Result}
        for outcome in self.outcomes:
            counts[str(outcome.result)] += 1
        return counts


# Progress hook: (event, address, fields) — e.g. ("waiting", "Endpoint/x", {"status": "Creating"}).
Progress = Callable[[str, str, dict[str, Any]], None]


def _quiet(event: str, address: str, fields: dict[str, Any]) -> None:
    return None


# How many nodes may be in flight at once, waiting included (one thread each); ready nodes
# beyond it queue. Far above what a plan has ready at once (a node is ready only when its
# dependencies are done), it bounds threads and the Describe load of a huge first apply.
NODE_THREADS = 256

# The main thread waits for nodes in slices this long, so that it stays responsive to
# signals (SIGTERM, SIGINT) while nodes run.
SLICE = 0.5


@dataclass
class _Node:
    key: str
    change: Change
    part: str  # "main" | "retire" | "delete"
    deps: set[str]
    steps: list[Step] = field(default_factory=list)


class Executor:
    def __init__(
        self,
        aws: Gateway,
        *,
        parallelism: int = 10,
        wait_policy: WaitPolicy | None = None,
        progress: Progress = _quiet,
        before_write: Callable[[], None] | None = None,
        skip_checks: bool = False,
    ) -> None:
        """before_write: called right before each write call, in its slot; what it raises
        fails that node instead of the call being sent (the lease lock's ``assert_held``: a
        writer whose lease may have run out starts no new write)."""
        self.aws = aws
        self.skip_checks = skip_checks
        self.parallelism = max(1, parallelism)
        self.policy = wait_policy or WaitPolicy()
        self.progress = progress
        self.before_write = before_write
        # Held around each write call only (see the module docstring).
        self._writes = threading.BoundedSemaphore(self.parallelism)
        # Held around every call: no more calls in flight than the client's HTTP pool has
        # connections (urllib3 would open and discard extra ones, warning each time), but
        # never fewer than the writes allowed.
        # The kinds' services share one bound, the smallest of their clients' pools.
        pool = min(aws.pool_size(s) for s in {info.service for info in KINDS.values()})
        self._calls = threading.BoundedSemaphore(max(self.parallelism, pool))

    @contextlib.contextmanager
    def _write(self) -> Iterator[None]:
        with self._writes, self._calls:
            if self.before_write is not None:
                self.before_write()
            yield

    # -- the graph ---------------------------------------------------------------------
    def nodes(self, plan: Plan) -> dict[str, _Node]:
        # No-ops need no node, except on a resource still in a transition: its dependants
        # wait for it to be ready (a rerun after an apply that gave up waiting).
        changes = {
            c.address: c for c in plan.changes if c.action is not Action.NOOP or c.await_ready
        }
        nodes: dict[str, _Node] = {}

        def main_of(address: str) -> str | None:
            # Dependencies on no-op changes are satisfied already.
            return address if address in changes else None

        def delete_half_of(address: str) -> str | None:
            # What a delete waits for is the *removal* its dependants make: the delete
            # half of an interrupting replace, the main node of anything else.
            change = changes.get(address)
            if change is None:
                return None
            if change.replacement is Replacement.DELETE_THEN_CREATE:
                return f"{address}#delete"
            return address

        for address, change in changes.items():
            before = delete_half_of if change.action is Action.DELETE else main_of
            deps = {d for d in map(before, change.depends_on) if d}
            waits = {d for d in map(delete_half_of, change.delete_after) if d}
            # The steps a half of the change runs: the delete of delete-then-create, the
            # retirements of create-before-delete; the main node runs the others.
            half = (
                StepOp.DELETE
                if change.replacement is Replacement.DELETE_THEN_CREATE
                else StepOp.RETIRE
                if change.replacement is Replacement.CREATE_BEFORE_DELETE
                else None
            )
            first = [s for s in change.steps if s.op is half]
            rest = [s for s in change.steps if s.op is not half]
            if half is StepOp.DELETE:
                delete = f"{address}#delete"
                nodes[delete] = _Node(delete, change, "delete", waits, first)
                nodes[address] = _Node(address, change, "main", deps | {delete}, rest)
            elif half is StepOp.RETIRE and first:
                nodes[address] = _Node(address, change, "main", deps, rest)
                retire = f"{address}#retire"
                nodes[retire] = _Node(retire, change, "retire", waits | {address}, first)
            elif change.action is Action.UPDATE:
                # An update may have to wait for removals too (an endpoint moving to a
                # config without the variant its inference components are on).
                nodes[address] = _Node(address, change, "main", deps | waits, rest)
            else:
                nodes[address] = _Node(address, change, "main", deps, rest)
        return nodes

    def apply(self, plan: Plan) -> ApplyReport:
        nodes = self.nodes(plan)
        state: dict[str, str] = {}  # key → "ok" | "failed" | "skipped"
        errors: dict[str, str] = {}
        started: dict[str, float] = {}
        elapsed: dict[str, float] = {}
        sorter = TopologicalSorter({key: node.deps for key, node in nodes.items()})
        # On a cycle, get_ready() still hands out every node the cycle does not block; the
        # nodes it never hands out are reported below: a cycle fails, it never hangs.
        with contextlib.suppress(CycleError):
            sorter.prepare()
        finished: queue.SimpleQueue[tuple[str, BaseException | None]] = queue.SimpleQueue()

        def run(node: _Node) -> None:
            error: BaseException | None = None
            try:
                self.run_node(node)
            except BaseException as err:  # reported per resource, never raised
                error = err
            finished.put((node.key, error))

        threads = max(self.parallelism, min(len(nodes), NODE_THREADS), 1)
        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="apply") as pool:
            while sorter.is_active():
                skipped_any = False
                for key in sorter.get_ready():
                    blocker = next((d for d in sorted(nodes[key].deps) if state[d] != "ok"), None)
                    if blocker is not None:
                        state[key] = "skipped"
                        errors[key] = f"{blocker.split('#')[0]} did not complete"
                        sorter.done(key)  # its dependants are handed out, and skipped too
                        skipped_any = True
                        continue
                    started[key] = time.monotonic()
                    # In the caller's context: its log fields (a target's name) go on.
                    pool.submit(contextvars.copy_context().run, run, nodes[key])
                if skipped_any:
                    continue
                # Nodes are running (is_active() says so): wait for the next to finish.
                try:
                    key, error = finished.get(timeout=SLICE)
                except queue.Empty:
                    continue
                elapsed[key] = time.monotonic() - started[key]
                if error is None:
                    state[key] = "ok"
                else:
                    state[key] = "failed"
                    errors[key] = _describe_error(error)
                    self.progress(
                        "failed",
                        nodes[key].change.address,
                        {"error": errors[key], "duration": round(elapsed[key], 3)},
                    )
                sorter.done(key)
        for key in nodes:
            if key not in state:  # never handed out: in a cycle, or depends on one
                state[key] = "failed"
                errors[key] = "dependency cycle in the plan"
        return self._report(plan, nodes, state, errors, elapsed)

    def _report(
        self,
        plan: Plan,
        nodes: dict[str, _Node],
        state: dict[str, str],
        errors: dict[str, str],
        elapsed: dict[str, float],
    ) -> ApplyReport:
        report = ApplyReport()
        keys_of: dict[int, list[str]] = {}  # id(change) → its nodes' keys
        for key, node in nodes.items():
            keys_of.setdefault(id(node.change), []).append(key)
        for change in plan.changes:
            keys = keys_of.get(id(change), [])
            seconds = sum(elapsed.get(k, 0.0) for k in keys)
            if not keys:
                report.outcomes.append(Outcome(change.address, Result.UNCHANGED))
                continue
            failed = [k for k in keys if state.get(k) == "failed"]
            skipped = [k for k in keys if state.get(k) == "skipped"]
            if failed:
                report.outcomes.append(
                    Outcome(change.address, Result.FAILED, errors[failed[0]], seconds)
                )
            elif skipped:
                report.outcomes.append(
                    Outcome(change.address, Result.SKIPPED, errors[skipped[0]], seconds)
                )
            else:
                report.outcomes.append(
                    Outcome(change.address, _DONE[change.action], change.reason, seconds)
                )
        return report

    # -- one node ----------------------------------------------------------------------
    def run_node(self, node: _Node) -> None:
        change = node.change
        api = APIS[change.kind]
        began = time.monotonic()
        self.progress("start", change.address, {"action": str(change.action), "part": node.part})
        if node.part == "main" and change.held:
            raise ApplyFailure(change.reason)
        if node.part == "main" and change.action in (Action.CREATE, Action.UPDATE, Action.REPLACE):
            try:
                self.run_steps(api, change, node.steps)
                if change.checks is not None and not _writes(node.steps):
                    # A rollout whose checks never ran (the plan says so): prove what runs,
                    # once it is what the plan saw (an update in flight may be taking it
                    # elsewhere: a revert of a crashed apply).
                    self.still_as_planned(api, change)
            except ApplyFailure as err:
                self.remember_failure(api, change, change.attempt, str(err))
                raise
            try:
                # What it was before, to go back to when its checks fail: read by the plan
                # (a create, an interrupting replace, or a rollout the plan found half done
                # of a kind that cannot tell its past, has none).
                self.verify(api, change, change.revert_to)
            except Recorded:
                raise
            except ApplyFailure as err:
                self.remember_failure(api, change, change.checks_attempt, str(err))
                raise
        else:
            self.run_steps(api, change, node.steps)
        self.progress(
            "done",
            change.address,
            {
                "action": str(change.action),
                "part": node.part,
                "result": str(_DONE[change.action]) if node.part == "main" else f"{node.part} done",
                "duration": round(time.monotonic() - began, 3),
            },
        )

    # -- checks ------------------------------------------------------------------------
    def verify(self, api: KindApi, change: Change, previous: JsonDict | None) -> None:
        """Run the change's checks on the ready resource (its node still holds back every
        retirement of what it superseded: those nodes depend on it). When one fails, put
        the resource back as `previous` and fail with the checks' evidence."""
        checks = change.checks
        if checks is None:
            return
        if self.skip_checks:
            self.progress("checks-skipped", change.address, {"checks": len(checks.summary())})
            return
        invoked_as = KINDS[change.kind].invoked_as
        assert invoked_as is not None and change.desired_spec is not None
        target = invoked_as(change.physical_name, change.desired_spec)
        failures: list[str] = []
        for call in checks.invocations:
            self.progress(
                "call", change.address, {"operation": "InvokeEndpoint", "check": call.name}
            )
            failure = self.invoke(target, call)
            if failure is not None:
                failures.append(f"check {call.name} failed: {failure}")
        if not failures and checks.alarms:
            failures += self.bake(change, checks.alarms, checks.bake_seconds)
        if not failures:
            self.progress("checked", change.address, {"checks": len(checks.summary())})
            self.remember_verified(api, change)
            return
        if previous is None:
            kept = "as created" if change.action is not Action.UPDATE else "as it runs"
            raise ApplyFailure(
                "; ".join(failures) + f"; nothing to revert to: the {change.kind} is kept "
                f"{kept}, and its spec is held until the manifest changes"
            )
        self.progress("reverting", change.address, {"failures": failures})
        evidence = "; ".join(failures)
        # Held before the revert is sent: should this process die with the revert in
        # flight, the next passes must not roll the failing spec out again.
        self.remember_failure(api, change, change.checks_attempt, evidence)
        try:
            reverted = self.revert(api, change, previous, evidence)
        except ApplyFailure as err:
            raise Recorded(str(err)) from err
        if reverted is None:
            raise Recorded(f"{evidence}; not reverted (nothing to undo); the new spec is held")
        how = f"reverted with {reverted.operation} to {reverted.summary}"
        # Notifications turn this into a revert event (reconciler.notify.watch).
        self.progress(
            "reverted",
            change.address,
            {
                "message": f"{how}: {evidence}",
                "failures": failures,
                "operation": reverted.operation,
                "reverted_to": reverted.reverted_to,
            },
        )
        raise Recorded(f"{evidence}; {how}; the new spec is held")

    def revert(
        self, api: KindApi, change: Change, previous: JsonDict, evidence: str
    ) -> Revert | None:
        """Undo the change's update (the kind knows how, given the update it made), wait
        for it, and check that it took effect: SageMaker may roll a revert back as any
        update, and then the failing version is still live. The revert sent (None: there
        was nothing to undo); a revert that failed raises, with the checks' `evidence`
        (the spec is still held: run_node tags it)."""
        if change.desired_spec is None:
            return None
        # The update as the kind's update received it (see _update_once); without an
        # update step (the update was an earlier apply's, whose checks never ran) the
        # operation is "": the kind tells from `previous` what to go back to, if it can.
        step = next((s for s in change.steps if s.op is StepOp.UPDATE), None)
        made = UpdateCall(
            step.operation if step is not None else "",
            change.desired_spec,
            change.ignore_differences,
            tuple(change.dropped),
            step.request if step is not None else None,
        )
        try:
            with self._write():
                reverted = api.revert(self.aws, change.physical_name, previous, made)
            if reverted is None:
                return None
            after = self.wait_ready(api, change, change.physical_name)
        except (AwsError, ApplyFailure, WaitTimeout) as err:
            raise ApplyFailure(
                f"{evidence}; the revert failed: {err}; the new spec is held"
            ) from err
        reason = api.rolled_back(after, reverted.spec, change.ignore_differences)
        if reason is not None:
            # A rollback like the forward path's: notifications report it.
            self.progress(
                "rolled_back",
                change.address,
                {
                    "operation": reverted.operation,
                    "resource": change.physical_name,
                    "reason": reason,
                },
            )
            raise ApplyFailure(
                f"{evidence}; the revert failed: {reverted.operation} back to "
                f"{reverted.summary} rolled back: {reason}; the failing version is still "
                "live, and the new spec is held"
            )
        return reverted

    def invoke(self, target: JsonDict, call: Invocation) -> str | None:
        """Send one check's InvokeEndpoint; why it failed, with its evidence (status, body
        excerpt, latency), or None when it passed."""
        request: JsonDict = {**target, "Body": call.body.encode()}
        for key, value in (
            ("ContentType", call.content_type),
            ("Accept", call.accept),
            ("TargetVariant", call.target_variant),
            ("InferenceComponentName", call.inference_component),
        ):
            if value is not None:
                request[key] = value
        began = time.monotonic()
        try:
            with self._calls:
                answer = self.aws.call(RUNTIME, "InvokeEndpoint", **request)
            status, body = 200, _text(answer.get("Body", b""))
        except AwsError as err:
            original = err.details.get("OriginalStatusCode")
            if err.code != "ModelError" or not isinstance(original, int):
                return f"InvokeEndpoint refused: {err}"
            status, body = original, str(err.details.get("OriginalMessage", ""))
        latency = round((time.monotonic() - began) * 1000)
        evidence = f"(status {status}, {latency} ms, body {_excerpt(body)})"
        if status != call.status:
            return f"expected status {call.status}, got {status} {evidence}"
        if call.json:
            try:
                document = json.loads(body)
            except ValueError:
                return f"the body is not JSON {evidence}"
            for path, expected in call.json:
                found = _at(document, path)
                if found != expected:
                    return f"expected {path} = {expected!r}, got {found!r} {evidence}"
        if call.body_matches is not None and not re.search(call.body_matches, body):
            return f"the body does not match /{call.body_matches}/ {evidence}"
        if call.max_latency_ms is not None and latency > call.max_latency_ms:
            return f"took {latency} ms, more than {call.max_latency_ms} ms {evidence}"
        return None

    def bake(self, change: Change, alarms: tuple[str, ...], seconds: int) -> list[str]:
        """Watch `alarms` for `seconds` (at least once): why the bake failed (an alarm in
        ALARM, one that does not exist, or alarms that cannot be read), or nothing."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                with self._calls:
                    answer = self.aws.call("cloudwatch", "DescribeAlarms", AlarmNames=list(alarms))
            except AwsError as err:
                # Alarms nobody can read prove nothing (AccessDenied, throttling beyond
                # botocore's retries): a failed check, so that the change is reverted and
                # held like any other that failed its checks, never an unverified success.
                return [f"DescribeAlarms refused: {err}"]
            found = {a["AlarmName"]: a for a in answer.get("MetricAlarms", [])}
            found.update({a["AlarmName"]: a for a in answer.get("CompositeAlarms", [])})
            failures = [f"alarm {name} does not exist" for name in alarms if name not in found]
            failures += [
                f"alarm {name} is in ALARM: {alarm.get('StateReason', 'no reason given')}"
                for name, alarm in found.items()
                if alarm.get("StateValue") == "ALARM"
            ]
            if failures:
                return failures
            left = deadline - time.monotonic()
            if left <= 0:
                return []
            self.progress("baking", change.address, {"seconds_left": round(left)})
            if self.policy.stop.wait(min(left, max(self.policy.initial, 1.0))):
                # Stopping is no verdict: nothing is reverted or marked, and the next
                # pass runs the checks again (the rollout is unverified until then).
                raise WaitTimeout("the bake was interrupted: the checks run again next time")

    def remember_failure(self, api: KindApi, change: Change, digest: str, reason: str) -> None:
        """Tag the resource with the digest of what failed (the spec, or the spec as its
        checks judged it) and why, so that the next pass holds it back, saying why,
        instead of failing the same way again (best effort)."""
        self._mark(api, change, {FAILED_SPEC_TAG: failed_spec_value(digest, reason)})

    def remember_verified(self, api: KindApi, change: Change) -> None:
        """Tag the resource with the digest its checks passed for, so that a later plan
        that still finds what it superseded (an apply stopped before the retirement) does
        not run them again (best effort: without it they run once more)."""
        self._mark(api, change, {VERIFIED_TAG: change.checks_attempt})

    def _mark(self, api: KindApi, change: Change, tags: dict[str, str]) -> None:
        try:
            described = self._describe(api, change.physical_name)
            if described is not None:
                with self._write():
                    api.add_tags(self.aws, api.arn(described), tags)
        except ReconcilerError:
            pass

    def still_as_planned(self, api: KindApi, change: Change) -> None:
        """Wait for the resource to be ready, and make sure it is still what the plan saw
        it running (its desired spec); else fail without a verdict: plan again."""
        after = self.wait_ready(api, change, change.physical_name)
        if change.desired_spec is not None and not api.satisfied(
            after, change.desired_spec, change.ignore_differences
        ):
            raise Replan(
                f"{change.kind} {change.physical_name} no longer runs what the plan saw (an "
                "update in flight took it elsewhere): its checks wait for the next plan"
            )

    def _describe(self, api: KindApi, name: str) -> JsonDict | None:
        with self._calls:
            return api.describe(self.aws, name)

    def wait_settled(self, api: KindApi, change: Change, name: str) -> JsonDict | None:
        """Wait until the resource is in no transitional state (or gone)."""
        if not api.transitional:
            return self._describe(api, name)

        def settled(answer: JsonDict | None) -> bool:
            if answer is None:
                return True
            status = api.status(answer)
            if status in api.transitional:
                self.progress("waiting", change.address, {"status": status})
                return False
            return True

        return poll(
            change.kind,
            lambda: self._describe(api, name),
            settled,
            self.policy,
            f"{change.address} to settle",
        )

    def wait_ready(self, api: KindApi, change: Change, name: str) -> JsonDict:
        answer = self.wait_settled(api, change, name)
        if answer is None:
            raise ApplyFailure(
                f"{change.kind} {name} disappeared while it was being created or updated"
            )
        status = api.status(answer)
        if status is not None and status != api.ready:
            reason = (
                answer.get("FailureReason") or answer.get("FailureMessage") or "no reason given"
            )
            raise ApplyFailure(f"{change.kind} {name} is {status}: {reason}")
        return answer

    def run_steps(self, api: KindApi, change: Change, steps: list[Step]) -> None:
        # What each target looked like after its last step (updates and tag calls need it
        # settled, and its ARN).
        described: dict[str, JsonDict] = {}
        if any(step.op in (StepOp.CREATE, StepOp.UPDATE) for step in steps):
            change = self.with_arns(change)
        for step in steps:
            if step.op is StepOp.CREATE:
                self.create(api, change, step.target)
            elif step.op in (StepOp.DELETE, StepOp.RETIRE):
                self.delete(api, change, step.target)
            elif step.op is StepOp.AWAIT_READY:
                self.wait_ready(api, change, step.target)
            else:
                before = described.get(step.target) or self.settled(api, change, step.target)
                described[step.target] = self.write_step(api, change, step, before)

    def with_arns(self, change: Change) -> Change:
        """`change` with the ARN of every resource its spec names by an ``arn_at_apply``
        reference (an alarm's scaling policy), read now with that kind's Describe: the
        resource may have been created a moment ago by this apply, and its ARN is AWS's
        to make (the plan holds the reference, never a built ARN)."""
        patterns = [r for r in KINDS[change.kind].references if r.arn_at_apply]
        if not patterns or change.desired_spec is None:
            return change
        spec = copy.deepcopy(change.desired_spec)
        for pattern in patterns:
            for path, name in pattern.find_in(change.desired_spec):
                named = APIS[pattern.kind]
                found = self._describe(named, name)
                if found is None:
                    raise ApplyFailure(
                        f"{pattern.kind} {name}, which spec.{format_path(path)} names, does "
                        "not exist: its ARN cannot be read; plan again"
                    )
                put_value(spec, path, named.arn(found))
        return dataclasses.replace(change, desired_spec=spec)

    def settled(self, api: KindApi, change: Change, name: str) -> JsonDict:
        described = self.wait_settled(api, change, name)
        if described is None:
            raise ApplyFailure(f"{change.kind} {name} no longer exists; plan again")
        return described

    def write_step(self, api: KindApi, change: Change, step: Step, described: JsonDict) -> JsonDict:
        """An update or a tag call on the settled resource; returns it as it is after."""
        self.progress("call", change.address, {"operation": step.operation})
        if step.op is StepOp.UPDATE:
            assert change.desired_spec is not None
            self._update_once(api, change, step)
            after = self.wait_ready(api, change, step.target)
            reason = api.rolled_back(after, change.desired_spec, change.ignore_differences)
            if reason is not None:
                # Said as an event of its own too: notifications report rollbacks.
                self.progress(
                    "rolled_back",
                    change.address,
                    {"operation": step.operation, "resource": step.target, "reason": reason},
                )
                raise ApplyFailure(
                    f"{step.operation} of {step.target} failed and rolled back: {reason}"
                )
            return after
        arn = api.arn(described)
        with self._write():
            if step.op is StepOp.DELETE_TAGS:
                keys = step.request["TagKeys"] if step.request else change.tags_to_remove
                api.remove_tags(self.aws, arn, list(keys))
            else:
                api.add_tags(self.aws, arn, change.tags_to_add)
        return described

    def create(self, api: KindApi, change: Change, name: str) -> None:
        assert change.desired_spec is not None
        self.progress("call", change.address, {"operation": api.info.create_operation})
        self._create_with_consistency_retry(api, change, name)
        if api.status_key:
            self.wait_ready(api, change, name)

    def _create_with_consistency_retry(self, api: KindApi, change: Change, name: str) -> None:
        # A resource created a moment ago (the config an endpoint names, the endpoint an
        # inference component names) may not be visible yet: SageMaker is eventually
        # consistent. Retry "not found" on create a few times; nothing else.
        assert change.desired_spec is not None
        delay = self.policy.initial
        for attempt in range(5):
            try:
                with self._write():
                    api.create(self.aws, name, change.desired_spec, change.tags_to_add)
                return
            except AwsError as err:
                if not err.not_found or attempt == 4:
                    raise
                if self.policy.stop.wait(delay):  # the pause holds no write slot
                    raise
                delay = min(delay * 2, self.policy.maximum)

    def _update_once(self, api: KindApi, change: Change, step: Step) -> None:
        """Call `operation`; when SageMaker says the resource is busy — typically because
        an earlier attempt whose answer was lost is running — wait for it to settle and
        call again only if the resource is not yet what the plan asks for."""
        assert change.desired_spec is not None
        name = step.target
        for attempt in range(3):
            try:
                with self._write():
                    api.update(
                        self.aws,
                        name,
                        UpdateCall(
                            step.operation,
                            change.desired_spec,
                            change.ignore_differences,
                            tuple(change.dropped),
                            step.request,
                        ),
                    )
                return
            except AwsError as err:
                if not err.busy or attempt == 2:
                    raise
            described = self.wait_settled(api, change, name)
            if described is not None and api.satisfied(
                described, change.desired_spec, change.ignore_differences
            ):
                return

    def delete(self, api: KindApi, change: Change, name: str) -> None:
        self.wait_settled(api, change, name)
        self.progress("call", change.address, {"operation": api.delete_operation, "name": name})
        try:
            with self._write():
                api.delete(self.aws, name)
        except AwsError as err:
            # Busy: most likely an earlier attempt (answer lost) is deleting it already.
            if not err.busy:
                raise
            self.wait_settled(api, change, name)
            with self._write():
                api.delete(self.aws, name)
        if api.status_key:
            poll(
                change.kind,
                lambda: self._describe(api, name),
                lambda answer: answer is None,
                self.policy,
                f"{change.kind} {name} to be deleted",
            )


def _writes(steps: list[Step]) -> bool:
    return any(step.op in (StepOp.CREATE, StepOp.UPDATE) for step in steps)


# The service checks invoke (botocore's name for SageMaker Runtime).
RUNTIME = "sagemaker-runtime"
EXCERPT = 200


def _text(body: object) -> str:
    return body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)


def _excerpt(body: str) -> str:
    return repr(body if len(body) <= EXCERPT else body[:EXCERPT] + "...")


def _at(document: object, path: str) -> object:
    """The value at a dotted path (``predictions.0.label``: list items by index)."""
    current = document
    for part in path.split("."):
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return None
    return current


def _describe_error(err: BaseException) -> str:
    if isinstance(err, ApplyFailure | Replan | WaitTimeout | ReconcilerError):
        return str(err)
    return f"{type(err).__name__}: {err}"


__all__ = ["KINDS", "ApplyFailure", "ApplyReport", "Executor", "Outcome", "Result"]
