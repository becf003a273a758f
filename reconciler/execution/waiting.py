"""Poll until SageMaker's asynchronous work settles: backoff with jitter, per-kind timeouts.

Only two botocore waiters exist (EndpointInService, EndpointDeleted) and neither knows
our rollback rule, so every kind is polled here the same way: Describe, look at the
status, sleep a growing, jittered interval, give up after the kind's timeout.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from reconciler.kinds import KINDS
from reconciler.resources import JsonDict, Kind


class WaitTimeout(Exception):
    pass


@dataclass(frozen=True)
class WaitPolicy:
    """initial / maximum: first and largest pause between polls (seconds); factor: growth
    per poll; jitter: fraction of random spread of each pause, so that parallel waits don't
    poll in lockstep; timeout: None uses each kind's own (``KindInfo.timeout``).

    The jitter is ±10%, not more: the pause grows to half the time waited so far, so a wider
    spread makes some of N waits started together miss the poll that sees them done and
    wait a whole, longer pause more — N parallel creates then end well after one does
    (±25%: 20 endpoints took 1.15-1.18x one endpoint's time in ``benchmarks/``; ±10%:
    1.01-1.09x)."""

    initial: float = 2.0
    maximum: float = 30.0
    factor: float = 1.5
    jitter: float = 0.1
    timeout: float | None = None
    stop: threading.Event = field(default_factory=threading.Event, compare=False)

    def timeout_for(self, kind: Kind) -> float:
        return self.timeout if self.timeout is not None else KINDS[kind].timeout


def poll(
    kind: Kind,
    describe: Callable[[], JsonDict | None],
    settled: Callable[[JsonDict | None], bool],
    policy: WaitPolicy,
    what: str,
) -> JsonDict | None:
    """Describe until `settled(answer)`; returns the last answer (None: it does not exist)."""
    deadline = time.monotonic() + policy.timeout_for(kind)
    delay = policy.initial
    while True:
        answer = describe()
        if settled(answer):
            return answer
        now = time.monotonic()
        if now >= deadline:
            raise WaitTimeout(f"gave up waiting for {what} after {policy.timeout_for(kind):.0f}s")
        pause = min(delay, policy.maximum) * (1 + random.uniform(-policy.jitter, policy.jitter))
        if policy.stop.wait(max(0.0, min(pause, deadline - now))):
            raise WaitTimeout(f"stopped while waiting for {what}")
        delay *= policy.factor
