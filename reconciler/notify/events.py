"""The events the reconciler notifies, as data: one :class:`Event` type, one constructor
per :class:`EventKind`.

The generic webhook receives :meth:`Event.to_json` as it is (README "Notifications":
the schema ``sagemaker-reconciler/event/v1``); Slack gets :meth:`Event.text`; EventBridge
gets the same document as its ``Detail``. Lists in ``details`` are capped at
:data:`MAX_LISTED` entries (with ``truncated``: how many were left out), so that a huge
fleet's apply still fits in one webhook body and in EventBridge's 256 KB entry.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

SCHEMA = "sagemaker-reconciler/event/v1"
MAX_LISTED = 50


class EventKind(StrEnum):
    APPLY_RESULT = "apply_result"  # an apply (or a controller pass) wrote, or failed to
    ROLLBACK = "rollback"  # SageMaker rolled an update back (UpdateEndpoint, FailureReason)
    REVERT = "revert"  # the reconciler reverted a change whose checks failed
    HELD = "held"  # a spec that failed before is held back, not tried again
    DRIFT = "drift"  # detect mode: the account differs from git, nothing was changed
    DEGRADED = "degraded"  # a declared resource turned Degraded (Failed, or a failure)


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Event:
    """kind / severity: what happened and how bad it is.
    owner:    the owner id of the resources (``--owner``)
    target:   what was reconciled: the manifest directory (a named target once the
              project file has them)
    command:  ``apply`` or ``run``
    address:  ``Kind/name`` of the resource concerned; None for an event about a whole
              apply or pass (apply_result, drift)
    message:  one line for people
    details:  kind-specific fields (README "Notifications")
    time:     when it happened (RFC 3339, UTC)
    id:       unique per event; the same on every delivery attempt (receivers dedupe)"""

    kind: EventKind
    severity: Severity
    owner: str
    target: str
    command: str
    message: str
    address: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    time: str = field(default_factory=_now)
    id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "id": self.id,
            "kind": str(self.kind),
            "severity": str(self.severity),
            "time": self.time,
            "owner": self.owner,
            "target": self.target,
            "command": self.command,
            "address": self.address,
            "message": self.message,
            "details": self.details,
        }

    def text(self) -> str:
        """The message for people (Slack): a headline, then up to a few detail lines.

        It renders whatever `details` hold, as every kind's emitter fills them: a list
        item is a string (a revert's failed checks: "check smoke failed: ...") or a
        mapping (an apply's {address, result, detail}, drift's {address, action,
        reason}). A text that raised would lose the event for Slack."""
        mark = {Severity.INFO: "✅", Severity.WARNING: "⚠️", Severity.ERROR: "❌"}[self.severity]
        lines = [f"{mark} [{self.kind}] {self.message}", f"owner {self.owner} · {self.target}"]
        details = self.details
        lines += [f"• {_said(item)}" for item in _listed(details.get("failures"))]
        # An apply's successful changes are in its counts; drift's changes are the news.
        lines += [
            f"• {_said(item)}"
            for item in _listed(details.get("changes"))
            if not isinstance(item, dict) or "reason" in item
        ]
        if details.get("reverted_to"):
            how = (
                f"reverted with {details['operation']}" if details.get("operation") else "reverted"
            )
            lines.append(f"• {how} to {details['reverted_to']}")
        skipped = _listed(details.get("checks_skipped"))
        if skipped:
            lines.append(f"• checks skipped (--skip-checks): {', '.join(map(str, skipped))}")
        return "\n".join(lines)


def _listed(value: object, limit: int = 10) -> list[Any]:
    """The first `limit` items of a details list (nothing when it is not a list)."""
    return list(value[:limit]) if isinstance(value, list) else []


def _said(item: object) -> str:
    """One item of a details list as words: a string as it is; a mapping as its address,
    then its action (and reason) or its detail."""
    if not isinstance(item, dict):
        return str(item)
    head = f"{item['address']}: " if item.get("address") else ""
    if "action" in item:
        reason = f" ({item['reason']})" if item.get("reason") else ""
        return f"{head}{item['action']}{reason}"
    if "detail" in item:
        return f"{head}{item['detail']}"
    rest = ", ".join(f"{k}: {v}" for k, v in item.items() if k != "address")
    return f"{head}{rest}"


@dataclass(frozen=True)
class Origin:
    """Who reports: the fields every event of one apply or controller carries."""

    owner: str
    target: str
    command: str

    def event(
        self,
        kind: EventKind,
        severity: Severity,
        message: str,
        *,
        address: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> Event:
        return Event(
            kind, severity, self.owner, self.target, self.command, message, address, details or {}
        )


def capped(items: list[dict[str, Any]], key: str) -> dict[str, Any]:
    """{key: the first MAX_LISTED items} (and ``truncated``: how many more there were)."""
    found: dict[str, Any] = {key: items[:MAX_LISTED]}
    if len(items) > MAX_LISTED:
        found["truncated"] = len(items) - MAX_LISTED
    return found


# -- one constructor per kind ---------------------------------------------------------
def apply_result(
    origin: Origin,
    counts: dict[str, int],
    outcomes: list[dict[str, Any]],
    checks_skipped: Sequence[str] = (),
) -> Event:
    """counts: created / updated / ... / failed; outcomes: {address, result, detail} of
    every resource that was not unchanged; checks_skipped: the addresses whose checks
    ``apply --skip-checks`` did not run (in the details only when there are any)."""
    failed = [o for o in outcomes if o["result"] in ("failed", "skipped")]
    done = {k: n for k, n in counts.items() if n and k != "unchanged"}
    summary = ", ".join(f"{n} {k}" for k, n in done.items()) or "nothing changed"
    succeeded = not failed
    details: dict[str, Any] = {"outcome": "succeeded" if succeeded else "failed", "counts": counts}
    details |= capped([o for o in outcomes if o not in failed], "changes")
    listed = capped(failed, "failures")
    details["failures"] = listed["failures"]
    if "truncated" in listed:
        details["failures_truncated"] = listed["truncated"]
    if checks_skipped:
        details["checks_skipped"] = list(checks_skipped)
    return origin.event(
        EventKind.APPLY_RESULT,
        Severity.INFO if succeeded else Severity.ERROR,
        f"{origin.command} {'succeeded' if succeeded else 'failed'}: {summary}",
        details=details,
    )


def rollback(origin: Origin, address: str, operation: str, resource: str, reason: str) -> Event:
    return origin.event(
        EventKind.ROLLBACK,
        Severity.ERROR,
        f"{address}: {operation} of {resource} failed and SageMaker rolled it back: {reason}",
        address=address,
        details={"operation": operation, "resource": resource, "reason": reason},
    )


def revert(origin: Origin, address: str, message: str, details: dict[str, Any]) -> Event:
    """The reconciler reverted `address` (its checks failed). The seam for verified apply:
    `details` says what was reverted to what and the check's evidence, as the checks
    define them (e.g. {"check": ..., "evidence": ..., "reverted_to": ...})."""
    return origin.event(
        EventKind.REVERT, Severity.ERROR, f"{address}: {message}", address=address, details=details
    )


def held(origin: Origin, address: str, reason: str, spec_digest: str) -> Event:
    return origin.event(
        EventKind.HELD,
        Severity.WARNING,
        f"{address}: {reason}",
        address=address,
        details={"reason": reason, "spec_digest": spec_digest},
    )


def drift(origin: Origin, changes: list[dict[str, Any]]) -> Event:
    """changes: {address, action, reason} of every resource that differs."""
    return origin.event(
        EventKind.DRIFT,
        Severity.WARNING,
        f"drift: {len(changes)} resource(s) differ from git; detect mode changed nothing",
        details=capped(changes, "changes"),
    )


def degraded(
    origin: Origin, address: str, status: str | None, failure: str | None, previous: str | None
) -> Event:
    return origin.event(
        EventKind.DEGRADED,
        Severity.ERROR,
        f"{address} is Degraded ({status or 'no status'}: {failure or 'no reason given'})",
        address=address,
        details={"status": status, "failure": failure, "previous_health": previous},
    )
