"""Prometheus metrics of the controller (prometheus-client, on a registry of our own).

reconciler_pass_duration_seconds         histogram of reconcile passes
reconciler_passes_total{result}          passes by result: success, drift, failed, invalid, error
reconciler_api_calls_total{operation,outcome}   every AWS call: outcome "ok" or the error code
reconciler_resources{kind,sync,health}   resources declared, by sync status and health
reconciler_drift_detected_total          passes that found the account differing from git
reconciler_last_success_timestamp_seconds  when the last pass succeeded
reconciler_target_held{target}           1 while this replica holds the target's lease
                                         (run --all-targets with a lock table)
reconciler_notifications_total{sink,outcome}  notification deliveries (reconciler.notify.delivery)

With project targets (``run --target`` / ``--all-targets``) every series carries a
``target`` label first (notifications excepted); without, the series are as they always
were. One :class:`Metrics` is the registry; :meth:`Metrics.of` gives a target's view of
it, which the target's controller writes to.
"""

from __future__ import annotations

import functools
import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class Metrics:
    """The registry, and (as itself) the view of the one target without a name.

    per_target: the series carry a ``target`` label (required then: use :meth:`of`)."""

    def __init__(self, *, per_target: bool = False) -> None:
        self.registry = CollectorRegistry()
        self.per_target = per_target
        first = ["target"] if per_target else []
        self._pass_duration = Histogram(
            "reconciler_pass_duration_seconds",
            "Duration of reconcile passes",
            first,
            buckets=(0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600),
            registry=self.registry,
        )
        self._passes = Counter(
            "reconciler_passes",
            "Reconcile passes by result",
            [*first, "result"],
            registry=self.registry,
        )
        self._api_calls = Counter(
            "reconciler_api_calls",
            "AWS API calls by operation and outcome",
            [*first, "operation", "outcome"],
            registry=self.registry,
        )
        self._resources = Gauge(
            "reconciler_resources",
            "Declared resources by kind, sync status and health",
            [*first, "kind", "sync", "health"],
            registry=self.registry,
        )
        self._drift = Counter(
            "reconciler_drift_detected", "Passes that found drift", first, registry=self.registry
        )
        self._last_success = Gauge(
            "reconciler_last_success_timestamp_seconds",
            "Unix time of the last successful pass",
            first,
            registry=self.registry,
        )
        self._held = Gauge(
            "reconciler_target_held",
            "1 while this replica holds the target's lease",
            ["target"],
            registry=self.registry,
        )
        self._views: dict[str, TargetMetrics] = {}
        self._own = TargetMetrics(self, None)

    def of(self, target: str | None) -> TargetMetrics:
        """What `target`'s controller records (None: the series without a target label)."""
        if target is None:
            if self.per_target:
                raise ValueError("these metrics carry a target label: name the target")
            return self._own
        if not self.per_target:
            raise ValueError("these metrics carry no target label")
        view = self._views.get(target)
        if view is None:
            view = self._views[target] = TargetMetrics(self, target)
        return view

    # The view of the nameless target, for the controller of one target without a project.
    def instrument(self, client: Any) -> Any:
        return self._own.instrument(client)

    def observe_pass(self, duration: float, result: str) -> None:
        self._own.observe_pass(duration, result)

    def count_drift(self) -> None:
        self._own.count_drift()

    def set_resources(self, rows: list[tuple[str, str, str]]) -> None:
        self._own.set_resources(rows)

    def succeeded(self) -> None:
        self._own.succeeded()

    def set_held(self, target: str, held: bool) -> None:
        self._held.labels(target).set(1 if held else 0)

    def render(self) -> bytes:
        return bytes(generate_latest(self.registry))

    # -- notifications (a method of its own: made on first use, before delivery starts)
    @functools.cached_property
    def notifications(self) -> Counter:
        """reconciler_notifications_total{sink,outcome}: sink slack, webhook or
        eventbridge; outcome delivered, retried, failed or dropped. ``run`` reads it
        once before any sink thread starts (cached_property takes no lock)."""
        return Counter(
            "reconciler_notifications",
            "Notification deliveries by sink and outcome",
            ["sink", "outcome"],
            registry=self.registry,
        )

    def count_notification(self, sink: str, outcome: str) -> None:
        self.notifications.labels(sink, outcome).inc()


class TargetMetrics:
    """One target's series of a :class:`Metrics` registry."""

    def __init__(self, metrics: Metrics, target: str | None) -> None:
        self.metrics = metrics
        self.target = target
        self._first: tuple[str, ...] = () if target is None else (target,)

    def instrument(self, client: Any) -> Any:
        """Count every call `client` makes (retries included) by operation and outcome."""
        calls = self.metrics._api_calls
        first = self._first

        def after_call(
            http_response: Any = None, parsed: Any = None, model: Any = None, **_: Any
        ) -> None:
            error = (
                (parsed or {}).get("Error", {}).get("Code") if isinstance(parsed, dict) else None
            )
            calls.labels(*first, model.name if model else "unknown", error or "ok").inc()

        def after_error(
            exception: BaseException | None = None, model: Any = None, **_: Any
        ) -> None:
            calls.labels(*first, model.name if model else "unknown", type(exception).__name__).inc()

        client.meta.events.register("after-call", after_call)
        client.meta.events.register("after-call-error", after_error)
        return client

    def observe_pass(self, duration: float, result: str) -> None:
        if self._first:
            self.metrics._pass_duration.labels(*self._first).observe(duration)
        else:
            self.metrics._pass_duration.observe(duration)
        self.metrics._passes.labels(*self._first, result).inc()

    def count_drift(self) -> None:
        if self._first:
            self.metrics._drift.labels(*self._first).inc()
        else:
            self.metrics._drift.inc()

    def set_resources(self, rows: list[tuple[str, str, str]]) -> None:
        gauge = self.metrics._resources
        if self._first:
            # Only this target's series: the others' are theirs.
            for labels in [s for s in _label_sets(gauge) if s[0] == self.target]:
                gauge.remove(*labels)
        else:
            gauge.clear()
        counts: dict[tuple[str, str, str], int] = {}
        for row in rows:
            counts[row] = counts.get(row, 0) + 1
        for (kind, sync, health), count in counts.items():
            gauge.labels(*self._first, kind, sync, health).set(count)

    def succeeded(self) -> None:
        if self._first:
            self.metrics._last_success.labels(*self._first).set(time.time())
        else:
            self.metrics._last_success.set(time.time())


def _label_sets(gauge: Gauge) -> list[tuple[str, ...]]:
    """The label values of every series `gauge` has (prometheus-client keeps them in
    ``_metrics``; its public API can only add or remove a known one)."""
    return list(getattr(gauge, "_metrics", {}).keys())
