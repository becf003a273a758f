"""End-to-end: the `reconciler` CLI (called in-process through `cli.main`) against the
emulator over HTTP, with asynchronous transitions so that waiting is exercised."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
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

EXAMPLES = Path(__file__).resolve().parents[2] / "manifests"
WRITE_PREFIXES = ("Create", "Update", "Delete", "AddTags")


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
        import json

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
        after = self.control.calls()
        writes = {
            op: after[op] - before.get(op, 0)
            for op in after
            if op.startswith(WRITE_PREFIXES) and after[op] != before.get(op, 0)
        }
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


@pytest.fixture
def env(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[Env]:
    directory = tmp_path / "manifests"
    shutil.copytree(EXAMPLES, directory)
    app = EmulatorApp(Transitions("describes", 1), strict=True)
    with EmulatorServer(app=app) as server:
        control = ControlClient.over_http(server.url)
        control.reset()
        control.set_transitions("describes:1")
        yield Env(server.url, control, directory, capsys)
