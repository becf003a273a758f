"""The controller's HTTP endpoints: ``/healthz`` (the process is alive), ``/readyz`` (a
pass has succeeded since start; with targets, JSON with each target's state),
``/metrics`` (Prometheus text format)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST


class HealthServer:
    def __init__(
        self,
        listen: str,
        *,
        ready: Callable[[], bool],
        metrics: Callable[[], bytes],
        details: Callable[[], Mapping[str, str]] | None = None,
    ) -> None:
        """details: per target, its state — /readyz then answers them as JSON."""
        host, _, port = listen.rpartition(":")
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/healthz":
                    self._send(200, b"ok\n", "text/plain")
                elif self.path == "/readyz":
                    ok = outer.ready()
                    status = 200 if ok else 503
                    if outer.details is not None:
                        body = {"ready": ok, "targets": dict(outer.details())}
                        self._send(status, json.dumps(body).encode() + b"\n", "application/json")
                    else:
                        self._send(status, b"ready\n" if ok else b"not ready\n", "text/plain")
                elif self.path == "/metrics":
                    self._send(200, outer.metrics(), CONTENT_TYPE_LATEST)
                else:
                    self._send(404, b"not found\n", "text/plain")

            def _send(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return  # probes every few seconds would drown the logs

        self.ready = ready
        self.metrics = metrics
        self.details = details
        self.httpd = ThreadingHTTPServer((host or "127.0.0.1", int(port)), Handler)
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, daemon=True, name="health-server"
        )

    @property
    def address(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"{host!s}:{port}"

    def start(self) -> HealthServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
