"""The emulator's control plane for tests and benchmarks (served under ``/_emulator/``).

- call counters: every API request, by operation name, since start or the last reset;
- faults: error answers injected by operation (or ``*``), at a rate and/or a count;
- failures: "the next create/update of Kind/name fails the way AWS fails it";
- transitions: how long asynchronous work takes (see :mod:`lifecycle`);
- server_fields: how talkative Describe answers are, ``aws`` or ``extra`` (see
  :mod:`reconciler.emulator.sagemaker.server_fields`).

All methods are called with the app's lock held, so nothing here locks on its own.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

from reconciler.emulator.errors import status_for
from reconciler.emulator.lifecycle import Transitions

FAILABLE_KINDS = ("Endpoint", "InferenceComponent", "Cluster")


@dataclass
class FaultRule:
    """One injected fault.

    operation: API operation name, a list of names, or "*" for every operation
    error:     the error code answered (ThrottlingException, InternalFailure, ...), or
               "Hang": hold the call until the faults are cleared (then answer 500), so
               that a test can kill the client in the middle of it
    rate:      probability in [0, 1] that a matching call gets the fault
    count:     how many more times it may fire; None for no limit
    skip:      matching calls let through before it starts firing
    after:     carry the call out, then answer the error (a write that took effect
               although the client saw it fail, as after a timeout)
    message:   the error message
    status:    HTTP status of the answer (derived from the code unless given)
    """

    id: int
    operation: str | list[str]
    error: str
    rate: float
    count: int | None
    message: str
    status: int
    skip: int = 0
    after: bool = False

    def matches(self, operation: str) -> bool:
        names = [self.operation] if isinstance(self.operation, str) else self.operation
        wanted = "*" in names or operation in names
        return wanted and (self.count is None or self.count > 0)


class ControlError(ValueError):
    """A malformed control-API request (answered with HTTP 400)."""


def _default_message(code: str) -> str:
    if code.startswith("Throttl"):
        return "Rate exceeded"
    if status_for(code) >= 500:
        return "We encountered an internal error. Please try again."
    return f"Injected fault: {code}"


class Control:
    def __init__(self, transitions: Transitions, seed: int | None = None) -> None:
        self.transitions = transitions
        self.server_fields = "aws"
        self.calls: Counter[str] = Counter()
        self.faults: list[FaultRule] = []
        self.failures: dict[tuple[str, str], str] = {}
        self._rng = random.Random(seed)
        self.release = threading.Event()
        self._next_fault_id = 1

    # -- calls -------------------------------------------------------------------------
    def record_call(self, operation: str) -> None:
        self.calls[operation] += 1

    # -- faults ------------------------------------------------------------------------
    def add_fault(self, body: dict[str, Any]) -> FaultRule:
        operation = body.get("operation", "*")
        error = body.get("error")
        rate = body.get("rate", 1.0)
        count = body.get("count")
        names_ok = (
            isinstance(operation, list)
            and operation
            and all(isinstance(n, str) and n for n in operation)
        )
        if not (isinstance(operation, str) and operation) and not names_ok:
            raise ControlError("'operation' must be an operation name, a list of names, or '*'")
        skip = body.get("skip", 0)
        if isinstance(skip, bool) or not isinstance(skip, int) or skip < 0:
            raise ControlError("'skip' must be a non-negative integer")
        after = body.get("after", False)
        if not isinstance(after, bool):
            raise ControlError("'after' must be true or false")
        if not isinstance(error, str) or not error:
            raise ControlError("'error' must be an error code such as ThrottlingException")
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1:
            raise ControlError("'rate' must be a number between 0 and 1")
        if count is not None and (
            isinstance(count, bool) or not isinstance(count, int) or count < 0
        ):
            raise ControlError("'count' must be null or a non-negative integer")
        unknown = set(body) - {
            "operation",
            "error",
            "rate",
            "count",
            "message",
            "status",
            "skip",
            "after",
        }
        if unknown:
            raise ControlError(f"unknown fault fields: {', '.join(sorted(unknown))}")
        status = body.get("status", status_for(error))
        if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
            raise ControlError("'status' must be an HTTP error status (400-599)")
        rule = FaultRule(
            id=self._next_fault_id,
            operation=operation,
            error=error,
            rate=float(rate),
            count=count,
            message=str(body.get("message") or _default_message(error)),
            status=status,
            skip=skip,
            after=after,
        )
        self._next_fault_id += 1
        self.faults.append(rule)
        return rule

    def clear_faults(self) -> None:
        self.faults.clear()
        # Let every held ("Hang") call go.
        self.release.set()
        self.release = threading.Event()

    def draw_fault(self, operation: str) -> FaultRule | None:
        """The fault this call gets, if any (consuming one of its count)."""
        for rule in self.faults:
            if not rule.matches(operation):
                continue
            if rule.skip > 0:
                rule.skip -= 1
                continue
            if self._rng.random() < rule.rate:
                if rule.count is not None:
                    rule.count -= 1
                return rule
        return None

    def fault_list(self) -> list[dict[str, Any]]:
        return [asdict(rule) for rule in self.faults]

    # -- failures ----------------------------------------------------------------------
    def add_failure(self, body: dict[str, Any]) -> None:
        kind, name = body.get("kind"), body.get("name")
        if kind not in FAILABLE_KINDS:
            raise ControlError(f"'kind' must be one of {', '.join(FAILABLE_KINDS)}")
        if not isinstance(name, str) or not name:
            raise ControlError("'name' must be the resource name")
        reason = body.get("reason") or f"Injected failure for {kind} {name}"
        self.failures[(kind, name.lower())] = str(reason)

    def take_failure(self, kind: str, name: str) -> str | None:
        """The failure reason armed for this resource's next create/update (disarming it)."""
        return self.failures.pop((kind, name.lower()), None)

    # -- config ------------------------------------------------------------------------
    def config(self) -> dict[str, str]:
        """The run's settings as ``GET /_emulator/config`` answers them."""
        return {"transitions": str(self.transitions), "server_fields": self.server_fields}

    def configure(self, body: dict[str, Any]) -> dict[str, str]:
        """Apply ``POST /_emulator/config``: any of transitions, server_fields (ValueError
        when one is malformed; nothing is changed then)."""
        from reconciler.emulator.sagemaker.server_fields import parse

        transitions = self.transitions
        if "transitions" in body:
            transitions = Transitions.parse(str(body["transitions"]))
        server_fields = (
            parse(body["server_fields"]) if "server_fields" in body else self.server_fields
        )
        self.transitions, self.server_fields = transitions, server_fields
        return self.config()

    # -- reset -------------------------------------------------------------------------
    def reset(self) -> None:
        self.calls.clear()
        self.clear_faults()
        self.failures.clear()
