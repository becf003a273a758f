"""Asynchronous state transitions (Creating → InService, Updating → InService, Deleting → gone).

SageMaker answers a Create/Update/Delete at once and finishes the work later; clients poll
Describe until the status settles. The emulator reproduces that with a *pending transition*
on the resource: a status shown now and a function that applies the end state. When the
transition completes depends on the run's :class:`Transitions` mode:

- ``immediate``   — the end state is applied inside the write call itself;
- ``describes:N`` — after N polls of that resource: Describe calls, and List or Search
  calls that read it (deterministic for tests);
- ``seconds:S``   — S seconds after the write (realistic timing for benchmarks).

Handlers call :func:`begin` when they start a transition and :func:`settle` whenever they
read a resource (``described=True`` from polls: Describe, List and Search calls).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol

Mode = Literal["immediate", "describes", "seconds"]


@dataclass(frozen=True)
class Transitions:
    """How long asynchronous work takes in this emulator run.

    mode:   which clock counts (see the module docstring)
    amount: the N of ``describes:N`` or the S of ``seconds:S``; 0 for ``immediate``
    """

    mode: Mode = "immediate"
    amount: float = 0

    @classmethod
    def parse(cls, text: str) -> Transitions:
        """Read ``immediate``, ``describes:N`` or ``seconds:S``; ValueError otherwise."""
        text = text.strip()
        if text == "immediate":
            return cls()
        mode, sep, value = text.partition(":")
        if sep and mode == "describes" and value.isdigit() and int(value) >= 1:
            return cls("describes", int(value))
        if sep and mode == "seconds":
            try:
                seconds = float(value)
            except ValueError:
                seconds = -1
            if seconds >= 0:
                return cls("seconds", seconds)
        raise ValueError(
            f"invalid transitions {text!r}: expected immediate, describes:N (N >= 1) or seconds:S"
        )

    def __str__(self) -> str:
        if self.mode == "immediate":
            return "immediate"
        amount = int(self.amount) if float(self.amount).is_integer() else self.amount
        return f"{self.mode}:{amount}"


@dataclass
class Pending:
    """A transition in progress.

    finish:         applies the end state (status, new spec, removal from the store)
    describes_left: polls still needed (``describes`` mode)
    due:            monotonic time at which it completes (``seconds`` mode)
    """

    finish: Callable[[], None]
    mode: Mode
    describes_left: int
    due: float


class HasLifecycle(Protocol):
    status: str
    pending: Pending | None


def begin(
    resource: HasLifecycle, status: str, finish: Callable[[], None], transitions: Transitions
) -> None:
    """Show `status` now and run `finish` when the transition completes."""
    resource.status = status
    if transitions.mode == "immediate":
        resource.pending = None
        finish()
        return
    resource.pending = Pending(
        finish=finish,
        mode=transitions.mode,
        describes_left=int(transitions.amount),
        due=time.monotonic() + transitions.amount,
    )


def settle(resource: HasLifecycle, *, described: bool = False) -> None:
    """Complete the resource's transition if its time has come."""
    pending = resource.pending
    if pending is None:
        return
    if pending.mode == "describes":
        if described:
            pending.describes_left -= 1
        done = pending.describes_left <= 0
    else:
        done = time.monotonic() >= pending.due
    if done:
        resource.pending = None
        pending.finish()


def is_busy(resource: HasLifecycle) -> bool:
    return resource.pending is not None
