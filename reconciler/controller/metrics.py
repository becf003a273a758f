"""Prometheus metrics of the controller (prometheus-client, on a registry of our own).

reconciler_pass_duration_seconds         histogram of reconcile passes
reconciler_passes_total{result}          passes by result: success, drift, failed, invalid, error
reconciler_api_calls_total{operation,outcome}   every AWS call: outcome "ok" or the error code
reconciler_resources{kind,sync,health}   resources declared, by sync status and health
reconciler_drift_detected_total          passes that found the account differing from git
reconciler_last_success_timestamp_seconds  when the last pass succeeded
reconciler_notifications_total{sink,outcome}  notification deliveries (reconciler.notify.delivery)
"""

from __future__ import annotations

import functools
import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.pass_duration = Histogram(
            "reconciler_pass_duration_seconds",
            "Duration of reconcile passes",
            buckets=(0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600),
            registry=self.registry,
        )
        self.passes = Counter(
            "reconciler_passes", "Reconcile passes by result", ["result"], registry=self.registry
        )
        self.api_calls = Counter(
            "reconciler_api_calls",
            "AWS API calls by operation and outcome",
            ["operation", "outcome"],
            registry=self.registry,
        )
        self.resources = Gauge(
            "reconciler_resources",
            "Declared resources by kind, sync status and health",
            ["kind", "sync", "health"],
            registry=self.registry,
        )
        self.drift = Counter(
            "reconciler_drift_detected", "Passes that found drift", registry=self.registry
        )
        self.last_success = Gauge(
            "reconciler_last_success_timestamp_seconds",
            "Unix time of the last successful pass",
            registry=self.registry,
        )

    def instrument(self, client: Any) -> Any:
        """Count every call `client` makes (retries included) by operation and outcome."""

        def after_call(
            http_response: Any = None, parsed: Any = None, model: Any = None, **_: Any
        ) -> None:
            error = (
                (parsed or {}).get("Error", {}).get("Code") if isinstance(parsed, dict) else None
            )
            self.api_calls.labels(model.name if model else "unknown", error or "ok").inc()

        def after_error(
            exception: BaseException | None = None, model: Any = None, **_: Any
        ) -> None:
            self.api_calls.labels(
                model.name if model else "unknown", type(exception).__name__
            ).inc()

        client.meta.events.register("after-call", after_call)
        client.meta.events.register("after-call-error", after_error)
        return client

    def set_resources(self, rows: list[tuple[str, str, str]]) -> None:
        self.resources.clear()
        counts: dict[tuple[str, str, str], int] = {}
        for row in rows:
            counts[row] = counts.get(row, 0) + 1
        for (kind, sync, health), count in counts.items():
            self.resources.labels(kind, sync, health).set(count)

    def succeeded(self) -> None:
        self.last_success.set(time.time())

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
