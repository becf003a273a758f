"""Route boto3 clients to an :class:`EmulatorApp` in the same process, without a socket.

botocore emits ``before-send`` just before it would open a connection; a handler that
returns a response short-circuits the HTTP layer. Everything before that — parameter
validation against the API model, serialisation, signing, retries — runs for real, so an
in-process client behaves like one talking to the HTTP emulator, only faster.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from reconciler.emulator.app import EmulatorApp


class _RawBody(io.BytesIO):
    """What botocore's AWSResponse reads the body from."""

    def stream(self, **kwargs: Any) -> Iterator[bytes]:
        contents = self.read()
        while contents:
            yield contents
            contents = self.read()


class InProcessTransport:
    """A ``before-send`` handler that answers from the app instead of the network."""

    def __init__(self, app: EmulatorApp) -> None:
        self.app = app

    def __call__(self, request: Any, **kwargs: Any) -> Any:
        from botocore.awsrequest import AWSResponse, HeadersDict
        from werkzeug.test import EnvironBuilder, run_wsgi_app

        url = urlsplit(request.url)
        body = request.body
        if hasattr(body, "read"):
            body = body.read()
        if isinstance(body, str):
            body = body.encode()
        builder = EnvironBuilder(
            method=request.method,
            path=url.path or "/",
            query_string=url.query,
            headers={
                k: (v.decode() if isinstance(v, bytes) else v) for k, v in request.headers.items()
            },
            data=body or b"",
            base_url=f"{url.scheme}://{url.netloc}",
        )
        try:
            environ = builder.get_environ()
        finally:
            builder.close()
        app_iter, status, headers = run_wsgi_app(self.app, environ, buffered=True)
        payload = b"".join(app_iter)
        if hasattr(app_iter, "close"):
            app_iter.close()
        status_code = int(status.split(" ", 1)[0])
        # botocore reads headers case-insensitively from any such mapping (urllib3 gives it
        # an HTTPHeaderDict); the stubs name one concrete class.
        return AWSResponse(request.url, status_code, HeadersDict(headers), _RawBody(payload))  # type: ignore[arg-type]


def attach(client: Any, app: EmulatorApp) -> Any:
    """Make `client` (a boto3 client) talk to `app` in-process; returns the client."""
    client.meta.events.register_first("before-send", InProcessTransport(app))
    return client
