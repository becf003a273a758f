"""Delivery: each sink has its own queue and thread, so that a slow or dead receiver
delays neither a reconcile pass nor the other sinks.

Guarantees (README "Notifications"): at most :attr:`RetryPolicy.attempts` attempts per
event and sink, the pauses between them growing exponentially (±20% jitter, at least what
a ``Retry-After`` asks, otherwise at most ``max_delay``), never more than ``deadline`` seconds after
the first; a non-retryable answer (a 4xx but 408/429) ends it at once. Delivery is at
least once per attempt that the receiver saw, so receivers dedupe by the event's ``id``;
events are sent in the order they were emitted, per sink. :meth:`Notifier.emit` never
blocks and never raises: a full queue drops the event (counted, logged).
:meth:`Notifier.close` waits a bounded time for what is pending, then gives up on it
(counted as dropped, logged, and returned so that apply can warn).

Every outcome is counted through `count(sink_kind, outcome)` — the controller's
``reconciler_notifications_total{sink,outcome}``: ``delivered``, ``retried`` (an attempt
failed, another follows), ``failed`` (given up after the attempts, the deadline, or a
non-retryable answer), ``dropped`` (never attempted: the queue was full or the process
was exiting). Logs name the sink by its redacted form only.
"""

from __future__ import annotations

import contextlib
import math
import queue
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import structlog

from reconciler.notify.events import Event
from reconciler.notify.sinks import DeliveryError, Sink

log = structlog.get_logger("reconciler.notify")

Count = Callable[[str, str], None]
QUEUE_SIZE = 1000


def _uncounted(sink: str, outcome: str) -> None:
    return None


def _say(level: str, event: str, **fields: object) -> None:
    """Log, but never fail delivery (or emit) because logging failed: a log stream can be
    closed under us (an in-process caller's captured stderr, a pipe gone at exit)."""
    with contextlib.suppress(Exception):
        getattr(log, level)(event, **fields)


@dataclass(frozen=True)
class RetryPolicy:
    """attempts: per event and sink; initial: the first pause (seconds), doubling each
    time up to max_delay (a longer Retry-After is honoured); deadline: seconds after the first attempt past which no new
    attempt starts."""

    attempts: int = 5
    initial: float = 0.5
    max_delay: float = 30.0
    deadline: float = 120.0

    def pause(self, failed_attempts: int, asked: float | None) -> float:
        delay = min(self.max_delay, math.ldexp(self.initial, failed_attempts - 1))
        delay = min(self.max_delay, delay * random.uniform(0.8, 1.2))
        # A receiver's Retry-After wins over max_delay (sooner would only be refused
        # again); the deadline still bounds it.
        return max(delay, asked or 0.0)


class _Worker:
    """One sink's queue and thread."""

    def __init__(self, sink: Sink, policy: RetryPolicy, count: Count) -> None:
        self.sink = sink
        self.policy = policy
        self.count = count
        self.queue: queue.Queue[Event] = queue.Queue(QUEUE_SIZE)
        self.closing = threading.Event()  # close() was called: end once the queue is empty
        self.abandon = threading.Event()  # close() gave up: stop retrying, drop the rest
        self.outstanding = 0  # events queued or in delivery, not yet finished
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.run, daemon=True, name=f"notify-{sink.kind}")
        self.thread.start()

    def run(self) -> None:
        try:
            # The sink's own check of where its events go, here rather than at startup:
            # its calls (and their retries and timeouts) hold up only this sink.
            self.sink.start()
        except Exception as err:  # a bug in a sink must not kill delivery
            _say(
                "error",
                "notification_sink_unchecked",
                sink=self.sink.shown,
                error=type(err).__name__,
            )
        while True:
            try:
                event = self.queue.get(timeout=0.1)
            except queue.Empty:
                if self.closing.is_set():
                    return
                continue
            try:
                if self.abandon.is_set():
                    self.count(self.sink.kind, "dropped")
                else:
                    self.deliver(event)
            except Exception as err:  # a bug in a sink must not kill delivery
                self.count(self.sink.kind, "failed")
                _say("error", "notification_failed", sink=self.sink.shown, error=type(err).__name__)
            finally:
                with self.lock:
                    self.outstanding -= 1

    def deliver(self, event: Event) -> None:
        started = time.monotonic()
        for attempt in range(1, self.policy.attempts + 1):
            try:
                self.sink.deliver(event)
            except DeliveryError as err:
                pause = self.policy.pause(attempt, err.retry_after)
                last = attempt == self.policy.attempts
                late = time.monotonic() + pause - started > self.policy.deadline
                if not err.retryable or last or late:
                    self.count(self.sink.kind, "failed")
                    _say(
                        "warning",
                        "notification_failed",
                        sink=self.sink.shown,
                        kind=str(event.kind),
                        id=event.id,
                        attempts=attempt,
                        error=err.reason,
                        retryable=err.retryable,
                    )
                    return
                self.count(self.sink.kind, "retried")
                _say(
                    "info",
                    "notification_retry",
                    sink=self.sink.shown,
                    kind=str(event.kind),
                    attempt=attempt,
                    error=err.reason,
                    pause=round(pause, 2),
                )
                if self.abandon.wait(pause):
                    self.count(self.sink.kind, "dropped")
                    return
                continue
            self.count(self.sink.kind, "delivered")
            _say(
                "info", "notification_sent", sink=self.sink.shown, kind=str(event.kind), id=event.id
            )
            return

    def put(self, event: Event) -> None:
        """Queue `event`; raises queue.Full."""
        with self.lock:
            self.queue.put_nowait(event)
            self.outstanding += 1

    def pending(self) -> int:
        with self.lock:
            return self.outstanding


class Notifier:
    """Sends every emitted event to every sink, in the background."""

    def __init__(
        self,
        sinks: list[Sink],
        *,
        policy: RetryPolicy | None = None,
        count: Count = _uncounted,
    ) -> None:
        self.policy = policy or RetryPolicy()
        self.count = count
        self._workers = [_Worker(sink, self.policy, count) for sink in sinks]
        self._closed = False

    @property
    def sinks(self) -> list[Sink]:
        return [w.sink for w in self._workers]

    def emit(self, event: Event) -> None:
        """Queue `event` for every sink; never blocks, never raises."""
        if self._closed:
            return
        for worker in self._workers:
            try:
                worker.put(event)
            except queue.Full:
                self.count(worker.sink.kind, "dropped")
                _say("warning", "notification_dropped", sink=worker.sink.shown, reason="queue full")

    def close(self, wait: float) -> int:
        """Let the pending events go out for at most `wait` seconds; then abandon what is
        left. Returns how many (event, sink) deliveries were abandoned."""
        if self._closed:
            return 0
        self._closed = True
        deadline = time.monotonic() + wait
        for worker in self._workers:
            worker.closing.set()  # the thread ends once what is queued is done
        for worker in self._workers:
            worker.thread.join(max(0.0, deadline - time.monotonic()))
        left = 0
        for worker in self._workers:
            if worker.thread.is_alive():
                pending = worker.pending()
                left += pending
                worker.abandon.set()
                _say(
                    "warning",
                    "notifications_abandoned",
                    sink=worker.sink.shown,
                    pending=pending,
                    waited=wait,
                )
        return left


def quiet() -> Notifier:
    """A notifier with no sinks (nothing configured): emit does nothing."""
    return Notifier([])
