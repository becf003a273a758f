"""Fixtures of the reliability suite (issue #8): the e2e world (the CLI in-process
against the emulator over HTTP, ``describes:1`` transitions), on the hosting examples.

HyperPod cluster support is being added in parallel, and its example manifest
(``manifests/hyperpod/``) may or may not be present: every fixture here deletes
``env.directory / "hyperpod"`` before anything runs, so that these tests depend on the
hosting fleet alone (3 Models, 2 EndpointConfigs, 2 Endpoints, 2 InferenceComponents).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.loaders
import pytest

from tests.reliability.support import FIGURES, TALLIES, load_file_once, seed_of
from tests.support.env import Env, copy_examples, serving


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
    # Independent of the HyperPod work in progress (see the module docstring).
    directory = copy_examples(tmp_path / "manifests", hosting_only=True)
    with serving(seed=seed_of(request)) as served:
        yield Env(served.url, served.control, directory, capsys)


@pytest.fixture
def fleet(env: Env) -> Env:
    """`env` with the example fleet applied and converged."""
    run = env.apply()
    assert run.code == 0, run.out + run.err
    return env
