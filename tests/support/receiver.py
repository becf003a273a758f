"""A local webhook receiver for the notification tests: ``http.server`` on 127.0.0.1,
behind a URL whose path holds a secret (as a Slack webhook's does), that records every
JSON body it accepts. It can answer 503 to the first N requests, be slow, or not listen
yet (connection refused) until :meth:`Receiver.start` is called."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SECRET = "T0SECRET/B0SECRET/xoxb-notify-secret-token"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Receiver:
    """bodies: what was accepted (200), in order; requests: every request that arrived,
    answered or not (on_request: called as each arrives). fail_first: answer 503 to that
    many requests first; fail_each: answer 503 to that many requests of each event (by its
    ``id``) before accepting it; delay: seconds to wait before answering each."""

    def __init__(
        self,
        port: int | None = None,
        *,
        fail_first: int = 0,
        fail_each: int = 0,
        delay: float = 0.0,
        on_request: Any = None,
    ):
        self.port = port or free_port()
        self.on_request = on_request  # called (no arguments) as each request arrives
        self.fail_first = fail_first
        self.fail_each = fail_each
        self.tries: dict[str, int] = {}  # requests per event id
        self.delay = delay
        self.bodies: list[Any] = []
        self.requests = 0
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/{SECRET}"

    def start(self) -> Receiver:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                event = _event_id(body)
                with outer.lock:
                    outer.requests += 1
                    outer.tries[event] = outer.tries.get(event, 0) + 1
                    failing = outer.requests <= outer.fail_first or (
                        outer.tries[event] <= outer.fail_each
                    )
                if outer.on_request is not None:
                    outer.on_request()
                if outer.delay:
                    time.sleep(outer.delay)
                if self.path != f"/hooks/{SECRET}":
                    self._answer(404, b"no_service")
                elif failing:
                    self._answer(503, b"try later")
                else:
                    with outer.lock:
                        outer.bodies.append(json.loads(body))
                    self._answer(200, b"ok")

            def _answer(self, status: int, text: bytes) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", str(len(text)))
                    self.end_headers()
                    self.wfile.write(text)
                except OSError:
                    pass  # the client gave up waiting

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def kinds(self) -> list[str]:
        with self.lock:
            return [b["kind"] for b in self.bodies if isinstance(b, dict) and "kind" in b]

    def of_kind(self, kind: str) -> list[dict[str, Any]]:
        with self.lock:
            return [b for b in self.bodies if isinstance(b, dict) and b.get("kind") == kind]


def _event_id(body: bytes) -> str:
    """The ``id`` of the event a request carries ("" if it carries none: Slack's text)."""
    try:
        found = json.loads(body)
    except ValueError:
        return ""
    return str(found.get("id", "")) if isinstance(found, dict) else ""


@contextmanager
def receiving(**options: Any) -> Iterator[Receiver]:
    receiver = Receiver(**options).start()
    try:
        yield receiver
    finally:
        receiver.stop()


def wait_until(condition: Any, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return bool(condition())
