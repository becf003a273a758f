"""A client for the emulator's control API (``/_emulator/...``), over HTTP or in-process.

Tests and benchmarks use it to read call counts, reset state, inject faults and failures,
change how long transitions take and how talkative Describe answers are, move autoscaled
capacity as the scaler would, set CloudWatch alarm states and what InvokeEndpoint answers.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

Send = Callable[[str, str, dict[str, Any] | None], tuple[int, Any]]


class ControlError(RuntimeError):
    pass


class ControlClient:
    def __init__(self, send: Send) -> None:
        self._send = send

    @classmethod
    def over_http(cls, url: str, timeout: float = 10.0) -> ControlClient:
        base = url.rstrip("/")

        def send(method: str, route: str, body: dict[str, Any] | None) -> tuple[int, Any]:
            data = json.dumps(body).encode() if body is not None else None
            request = urllib.request.Request(
                f"{base}/_emulator/{route}",
                data=data,
                method=method,
                headers={"Content-Type": "application/json"},
            )
            try:
                with urllib.request.urlopen(request, timeout=timeout) as response:
                    return response.status, json.loads(response.read() or b"null")
            except urllib.error.HTTPError as err:
                return err.code, json.loads(err.read() or b"null")

        return cls(send)

    @classmethod
    def in_process(cls, app: Any) -> ControlClient:
        from werkzeug.test import Client

        client = Client(app)

        def send(method: str, route: str, body: dict[str, Any] | None) -> tuple[int, Any]:
            response = client.open(f"/_emulator/{route}", method=method, json=body)
            return response.status_code, response.get_json()

        return cls(send)

    def _call(self, method: str, route: str, body: dict[str, Any] | None = None) -> Any:
        status, value = self._send(method, route, body)
        if status != 200:
            raise ControlError(f"{method} /_emulator/{route} answered {status}: {value}")
        return value

    def calls(self) -> dict[str, int]:
        return dict(self._call("GET", "calls"))

    def reset(self) -> None:
        self._call("POST", "reset")

    def add_fault(
        self,
        operation: str,
        error: str,
        *,
        rate: float = 1.0,
        count: int | None = None,
        **extra: Any,
    ) -> int:
        body = {"operation": operation, "error": error, "rate": rate, "count": count, **extra}
        return int(self._call("POST", "faults", body)["id"])

    def faults(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "faults")["faults"])

    def clear_faults(self) -> None:
        self._call("DELETE", "faults")

    def fail(self, kind: str, name: str, reason: str | None = None) -> None:
        body: dict[str, Any] = {"kind": kind, "name": name}
        if reason is not None:
            body["reason"] = reason
        self._call("POST", "fail", body)

    def set_transitions(self, transitions: str) -> None:
        self._call("POST", "config", {"transitions": transitions})

    def transitions(self) -> str:
        return str(self._call("GET", "config")["transitions"])

    def set_server_fields(self, mode: str) -> None:
        """``aws`` (what SageMaker fills in) or ``extra`` (further plausible fields)."""
        self._call("POST", "config", {"server_fields": mode})

    def server_fields(self) -> str:
        return str(self._call("GET", "config")["server_fields"])

    def scale(self, resource_id: str, dimension: str, capacity: int, **where: str) -> None:
        """Move a scalable target's resource to `capacity` as Application Auto Scaling would
        (refused outside the target's [MinCapacity, MaxCapacity], or without a target);
        `where`: Account=..., Region=... (default: the emulator's default account and
        us-east-1)."""
        body = {
            "ResourceId": resource_id,
            "ScalableDimension": dimension,
            "Capacity": capacity,
            **where,
        }
        self._call("POST", "scale", body)

    def set_alarm_state(
        self, alarm_name: str, state: str, reason: str | None = None, **where: str
    ) -> None:
        """Set a CloudWatch alarm's state (OK, ALARM, INSUFFICIENT_DATA) as its evaluation
        would; `where` as for :meth:`scale`."""
        body: dict[str, Any] = {"AlarmName": alarm_name, "StateValue": state, **where}
        if reason is not None:
            body["StateReason"] = reason
        self._call("POST", "alarm-state", body)

    def set_invocation(
        self,
        endpoint: str,
        *,
        component: str | None = None,
        model: str | None = None,
        status: int = 200,
        body: str = "{}",
        latency_ms: int = 0,
    ) -> None:
        """Set what SageMaker Runtime InvokeEndpoint answers for `endpoint` (or for one of
        its inference components), only while `model` (a SageMaker model name) serves it
        when one is given: the model's status (≠ 200: a ModelError), its body, and how long
        it takes."""
        self._call(
            "POST",
            "invocations",
            {
                "endpoint": endpoint,
                "component": component,
                "model": model,
                "status": status,
                "body": body,
                "latency_ms": latency_ms,
            },
        )
