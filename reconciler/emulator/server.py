"""Serve the emulator over HTTP on loopback (``reconciler emulator``)."""

from __future__ import annotations

import signal
import threading
from types import FrameType

from reconciler.emulator.app import EmulatorApp
from reconciler.emulator.lifecycle import Transitions


class EmulatorServer:
    """A threaded werkzeug server around one :class:`EmulatorApp`.

    Use as a context manager in tests, or :meth:`serve_forever` from the CLI.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        transitions: Transitions | None = None,
        strict: bool = False,
        app: EmulatorApp | None = None,
    ) -> None:
        from werkzeug.serving import WSGIRequestHandler, make_server

        class QuietHandler(WSGIRequestHandler):
            # A reconcile pass makes hundreds of calls: one log line each drowns the rest.
            def log_request(self, *args: object, **kwargs: object) -> None:
                return None

        self.app = app or EmulatorApp(transitions, strict=strict)
        self._server = make_server(
            host, port, self.app, threaded=True, request_handler=QuietHandler
        )
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        if isinstance(host, bytes):
            host = host.decode()
        return f"http://{host}:{port}"

    def start(self) -> EmulatorServer:
        # A short poll makes stop() prompt (werkzeug's default waits up to 0.5 s).
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def serve_forever(self) -> None:
        """Serve until SIGTERM or SIGINT (exit status 0)."""

        def shut_down(signum: int, frame: FrameType | None) -> None:
            # Raising is safe in a handler (no lock taken); the server closes in finally.
            raise SystemExit(0)

        signal.signal(signal.SIGTERM, shut_down)
        signal.signal(signal.SIGINT, shut_down)
        try:
            self._server.serve_forever()
        finally:
            self._server.server_close()
