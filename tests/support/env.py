"""A test's world for the end-to-end and reliability suites: an emulator over a real HTTP
socket (``describes:1`` transitions, so that waiting is exercised), a manifest directory,
and the `reconciler` CLI called in-process through `cli.main`, pointed at both."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from reconciler import cli
from reconciler.emulator.app import EmulatorApp
from reconciler.emulator.control_client import ControlClient
from reconciler.emulator.lifecycle import Transitions
from reconciler.emulator.server import EmulatorServer
from tests.support.calls import WRITE_PREFIXES, delta, writes_of

EXAMPLES = Path(__file__).resolve().parents[2] / "manifests"


@dataclass
class Served:
    """An emulator serving over HTTP: its URL, its control API and (for white-box checks
    only, e.g. breaking a cluster node) the app behind it."""

    url: str
    control: ControlClient
    app: EmulatorApp


@contextmanager
def serving(seed: int | None = None, *, reset: bool = True) -> Iterator[Served]:
    """A fresh emulator over HTTP with ``describes:1`` transitions (a resource is ready one
    Describe after it was asked for). `seed` throws the dice of injected faults; `reset`
    empties moto's global state and the counters first."""
    options: dict[str, Any] = {} if seed is None else {"seed": seed}
    app = EmulatorApp(Transitions("describes", 1), strict=True, **options)
    with EmulatorServer(app=app) as server:
        control = ControlClient.over_http(server.url)
        if reset:
            control.reset()
        control.set_transitions("describes:1")
        yield Served(server.url, control, app)


def copy_examples(
    directory: Path, *, hosting_only: bool = False, with_scale_to_zero: bool = False
) -> Path:
    """The reconciler's example manifests, copied to `directory`: the example fleet of 10
    resources (``shared-gpu/``, ``classic/``, ``hyperpod/``) that most suites count.
    `hosting_only` leaves the HyperPod cluster out (``manifests/hyperpod/``, which may or
    may not be there); `with_scale_to_zero` keeps the scale-to-zero example
    (``manifests/scale-to-zero/``: its endpoint, IC, target, policies and alarm), which is
    left out otherwise."""
    shutil.copytree(EXAMPLES, directory)
    if hosting_only:
        shutil.rmtree(directory / "hyperpod", ignore_errors=True)
    if not with_scale_to_zero:
        shutil.rmtree(directory / "scale-to-zero", ignore_errors=True)
    return directory


@dataclass
class Run:
    code: int
    out: str
    err: str


@dataclass
class Env:
    """A test's world: an emulator, a manifest directory, and the CLI pointed at both."""

    url: str
    control: ControlClient
    directory: Path
    capsys: pytest.CaptureFixture[str]

    def reconciler(self, *args: str) -> Run:
        argv = list(args)
        if argv[0] in ("plan", "apply"):
            argv += ["--endpoint-url", self.url]
        if argv[0] == "apply":
            argv += ["--poll-interval", "0.01"]
        self.capsys.readouterr()
        code = cli.main(argv)
        captured = self.capsys.readouterr()
        return Run(code, captured.out, captured.err)

    def plan_json(self) -> dict[str, Any]:
        run = self.reconciler("plan", str(self.directory), "--json")
        assert run.code == 0, run.err
        result: dict[str, Any] = json.loads(run.out)
        return result

    def apply(self, *extra: str) -> Run:
        return self.reconciler("apply", str(self.directory), "--auto-approve", *extra)

    def writes_during(self, *args: str) -> tuple[int, dict[str, int], str]:
        """Apply (with `args`), and the write calls it made: (exit code, writes, output)."""
        before = self.control.calls()
        run = self.apply(*args)
        writes = writes_of(delta(before, self.control.calls()))
        return run.code, writes, run.out + run.err

    def writes(self) -> dict[str, int]:
        """Write calls since the last reset of the counters."""
        return {op: n for op, n in self.control.calls().items() if op.startswith(WRITE_PREFIXES)}

    def edit(self, relative: str, old: str, new: str) -> None:
        path = self.directory / relative
        text = path.read_text()
        assert old in text, f"{old!r} not in {relative}"
        path.write_text(text.replace(old, new, 1))

    def sagemaker(self) -> Any:
        return boto3.client("sagemaker", endpoint_url=self.url, region_name="us-east-1")

    def runtime(self) -> Any:
        """A SageMaker Runtime client (InvokeEndpoint) of the emulator."""
        return boto3.client("sagemaker-runtime", endpoint_url=self.url, region_name="us-east-1")
