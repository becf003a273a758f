"""Fixtures of the reliability suite (issue #8): the e2e world (the CLI in-process
against the emulator over HTTP, ``describes:1`` transitions), on the hosting examples.

HyperPod cluster support is being added in parallel, and its example manifest
(``manifests/hyperpod/``) may or may not be present: every fixture here deletes
``env.directory / "hyperpod"`` before anything runs, so that these tests depend on the
hosting fleet alone (3 Models, 2 EndpointConfigs, 2 Endpoints, 2 InferenceComponents).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.loaders
import pytest

from reconciler.emulator.app import EmulatorApp
from reconciler.emulator.control_client import ControlClient
from reconciler.emulator.lifecycle import Transitions
from reconciler.emulator.server import EmulatorServer
from tests.e2e.conftest import EXAMPLES, Env
from tests.reliability.support import FIGURES, TALLIES, load_file_once, seed_of


@pytest.fixture(autouse=True)
def _parse_botocore_data_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every CLI command builds its own clients, each parsing botocore's JSON models
    again; this suite runs some 300 commands. See `support.load_file_once`."""
    monkeypatch.setattr(botocore.loaders.JSONFileLoader, "load_file", load_file_once)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The suite's figures (faults injected, crashes tried, ...), quotable as they are."""
    if FIGURES or TALLIES:
        terminalreporter.section("reliability figures")
        for line in FIGURES:
            terminalreporter.write_line(line)
        for what, count in TALLIES.items():
            terminalreporter.write_line(f"{what}: {count}")


@pytest.fixture
def env(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], request: pytest.FixtureRequest
) -> Iterator[Env]:
    directory = tmp_path / "manifests"
    shutil.copytree(EXAMPLES, directory)
    # Independent of the HyperPod work in progress (see the module docstring).
    shutil.rmtree(directory / "hyperpod", ignore_errors=True)
    app = EmulatorApp(Transitions("describes", 1), strict=True, seed=seed_of(request))
    with EmulatorServer(app=app) as server:
        control = ControlClient.over_http(server.url)
        control.reset()
        control.set_transitions("describes:1")
        yield Env(server.url, control, directory, capsys)


@pytest.fixture
def fleet(env: Env) -> Env:
    """`env` with the example fleet applied and converged."""
    run = env.apply()
    assert run.code == 0, run.out + run.err
    return env
