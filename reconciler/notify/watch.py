"""When to notify: the events an apply and a controller pass produce.

- :func:`notifying_progress` wraps an executor progress hook: the executor's
  ``rolled_back`` event (an update SageMaker rolled back) becomes a ``rollback`` event,
  and ``reverted`` (the seam for verified apply: emit ``progress("reverted", address,
  {"message": ..., **details})`` after reverting a change whose checks failed) becomes a
  ``revert`` event. Everything is passed on to the wrapped hook unchanged.
- :func:`apply_events`: what one apply says — each held spec, then the result (with the
  addresses whose checks ``--skip-checks`` skipped).
- :class:`PassWatch`: what the controller says after each pass. It remembers what it
  said, because a pass repeats what the last one saw: a held spec is notified once per
  spec, drift (detect mode) when the set of drifted resources changes, a resource when it
  turns Degraded (from anything else; on the first pass, when it is Degraded already), a
  failed apply when it fails differently from the pass before (a successful apply that
  wrote something always).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reconciler.execution.executor import ApplyReport, Progress, Result
from reconciler.notify import events
from reconciler.notify.delivery import Notifier
from reconciler.notify.events import Event, Origin
from reconciler.planning.changes import Action, Change, Plan
from reconciler.service import health


def notifying_progress(progress: Progress, notifier: Notifier, origin: Origin) -> Progress:
    def hook(event: str, address: str, fields: dict[str, Any]) -> None:
        progress(event, address, fields)
        if event == "rolled_back":
            notifier.emit(
                events.rollback(
                    origin,
                    address,
                    str(fields.get("operation", "")),
                    str(fields.get("resource", "")),
                    str(fields.get("reason", "")),
                )
            )
        elif event == "reverted":
            details = {k: v for k, v in fields.items() if k != "message"}
            notifier.emit(
                events.revert(origin, address, str(fields.get("message", "reverted")), details)
            )

    return hook


def _outcomes(report: ApplyReport) -> list[dict[str, Any]]:
    return [
        {"address": o.address, "result": str(o.result), "detail": o.detail}
        for o in report.outcomes
        if o.result is not Result.UNCHANGED
    ]


def held_events(origin: Origin, plan: Plan) -> list[Event]:
    return [events.held(origin, c.address, c.reason, c.attempt) for c in plan.changes if c.held]


def apply_events(
    origin: Origin, plan: Plan, report: ApplyReport, checks_skipped: Sequence[str] = ()
) -> list[Event]:
    """Each held spec of `plan`, then the result of applying it; `checks_skipped`: the
    addresses whose checks ``--skip-checks`` skipped (the executor's ``checks-skipped``
    progress events; the controller never skips them)."""
    return [
        *held_events(origin, plan),
        events.apply_result(origin, report.counts(), _outcomes(report), sorted(checks_skipped)),
    ]


def _drifted(changes: list[Change]) -> list[dict[str, Any]]:
    return [
        {"address": c.address, "action": str(c.action), "reason": c.reason}
        for c in changes
        if c.action is not Action.NOOP and not c.held
    ]


class PassWatch:
    """The controller's notifications, pass after pass (see the module docstring)."""

    def __init__(self, notifier: Notifier, origin: Origin) -> None:
        self.notifier = notifier
        self.origin = origin
        self.health: dict[str, str] = {}
        self.held: set[tuple[str, str]] = set()
        self.drift: frozenset[tuple[str, str, str]] = frozenset()
        self.failed: tuple[tuple[str, str, str], ...] = ()

    def planned(self, plan: Plan) -> None:
        """After planning: resources turning Degraded, newly held specs."""
        now = {c.address: health(c) for c in plan.changes if c.action is not Action.DELETE}
        for change in plan.changes:
            previous = self.health.get(change.address)
            if now.get(change.address) == "Degraded" and previous != "Degraded":
                self.notifier.emit(
                    events.degraded(
                        self.origin,
                        change.address,
                        change.live_status,
                        change.live_failure,
                        previous,
                    )
                )
        self.health = now
        held = {(c.address, c.attempt) for c in plan.changes if c.held}
        for event in held_events(self.origin, plan):
            if (event.address or "", event.details["spec_digest"]) not in self.held:
                self.notifier.emit(event)
        self.held = held

    def drifted(self, plan: Plan) -> None:
        """Detect mode found drift: notify when what drifted is not what drifted before."""
        changes = _drifted(plan.changes)
        found = frozenset((c["address"], c["action"], c["reason"]) for c in changes)
        if changes and found != self.drift:
            self.notifier.emit(events.drift(self.origin, changes))
        self.drift = found

    def in_sync(self) -> None:
        """A pass found nothing to do: what drifted or failed before is over."""
        self.drift = frozenset()
        self.failed = ()

    def applied(self, plan: Plan, report: ApplyReport) -> None:
        outcomes = _outcomes(report)
        failed = tuple(
            (o["address"], o["result"], o["detail"])
            for o in outcomes
            if o["result"] in (str(Result.FAILED), str(Result.SKIPPED))
        )
        held = {c.address for c in plan.changes if c.held}
        wrote = any(o["result"] not in (str(Result.FAILED), str(Result.SKIPPED)) for o in outcomes)
        # Nothing written, and what failed is held (what waited for it was skipped): the
        # held event says it all.
        only_held = not wrote and {a for a, result, _ in failed if result == "failed"} <= held
        if failed and (failed == self.failed or only_held):
            self.failed = failed  # said already (or said by the held event)
            return
        self.failed = failed
        self.notifier.emit(events.apply_result(self.origin, report.counts(), outcomes))
