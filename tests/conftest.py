"""Shared fixtures: the emulator, reachable in-process or over a real HTTP socket, and
boto3 clients that talk to it through the real botocore stack (request validation against
the API model, serialisation, signing, retries)."""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.config import Config

from reconciler import logs
from reconciler.emulator.app import EmulatorApp
from reconciler.emulator.control_client import ControlClient
from reconciler.emulator.inprocess import attach
from reconciler.emulator.server import EmulatorServer

REGION = "us-east-1"
ACCOUNT = "123456789012"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/SageMakerExecution"


@pytest.fixture(autouse=True)
def _no_real_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never reach AWS: fake credentials, a fixed region, no profile or endpoint."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)


@dataclass
class Emulator:
    """A running emulator as tests see it.

    transport: "inprocess" or "http"
    app:       the EmulatorApp (for white-box checks only; prefer the control API)
    control:   the /_emulator control API client
    url:       the HTTP endpoint ("" in-process)
    """

    transport: str
    app: EmulatorApp
    control: ControlClient
    url: str = ""

    def client(self, service: str = "sagemaker", **config: Any) -> Any:
        """A boto3 client for `service`; `config` goes to botocore's Config (e.g.
        retries={"mode": "standard", "max_attempts": 5})."""
        options = {"retries": {"mode": "standard", "total_max_attempts": 1}, **config}
        kwargs: dict[str, Any] = {"region_name": REGION, "config": Config(**options)}
        if self.url:
            kwargs["endpoint_url"] = self.url
        client = _session().client(service, **kwargs)
        if not self.url:
            attach(client, self.app)
        return client


@functools.cache
def _session() -> boto3.session.Session:
    """One session for the run: each new session would load the API models again."""
    return boto3.session.Session()


def _start(transport: str) -> Iterator[Emulator]:
    app = EmulatorApp(strict=True)
    if transport == "inprocess":
        yield Emulator(transport, app, ControlClient.in_process(app))
        return
    with EmulatorServer(app=app) as server:
        yield Emulator(transport, app, ControlClient.over_http(server.url), server.url)


@pytest.fixture(params=["inprocess", pytest.param("http", marks=pytest.mark.http)])
def emulator(request: pytest.FixtureRequest) -> Iterator[Emulator]:
    """A fresh emulator (moto's global state reset), once per transport."""
    for emu in _start(request.param):
        emu.control.reset()
        yield emu


@pytest.fixture
def sm(emulator: Emulator) -> Any:
    """A SageMaker client of the emulator, no retries (so tests see every error)."""
    return emulator.client("sagemaker")


@pytest.fixture
def quiet_logs() -> Iterator[None]:
    """Structured logs at info level into /dev/null: logged, not accumulated anywhere (a
    controller run in-process logs through structlog, whose stream must outlive capsys)."""
    with open(os.devnull, "w") as sink:
        with contextlib.redirect_stderr(sink):
            logs.configure("json", "info")
        yield
    logs.configure()
