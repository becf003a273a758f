"""Helpers of the reliability suite: the operation matrix, counted fault injection (in
the emulator and at the transport), the CLI in a child process that can be killed, and
the figures the suite reports at the end of the run."""

from __future__ import annotations

import multiprocessing
import os
import random
import re
import sys
import threading
import time
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import botocore.loaders
import pytest
from botocore.exceptions import ConnectionClosedError, ReadTimeoutError
from botocore.httpsession import URLLib3Session

import reconciler.aws
from reconciler import cli
from reconciler.emulator.control_client import ControlClient
from tests.support.calls import delta
from tests.support.env import Env
from tests.support.operations import HOSTING_READS, HOSTING_WRITES

# Every operation the reconciler uses on the hosting kinds (issue #8's matrix); clusters
# are left out: these fixtures remove the example cluster.
WRITES = HOSTING_WRITES
READS = HOSTING_READS
MATRIX = [*WRITES, *READS]

# Printed in the "reliability figures" section at the end of the run (see conftest):
# lines as they are, and tallies as "<what>: <count>".
FIGURES: list[str] = []
TALLIES: Counter[str] = Counter()


def seed_of(request: pytest.FixtureRequest) -> int:
    """The dice of a test's injected faults: fixed per test, so that a failing run can be
    replayed (thread timing aside); RELIABILITY_SEED=<n> throws other dice."""
    return zlib.crc32(request.node.nodeid.encode()) ^ int(os.environ.get("RELIABILITY_SEED", "0"))


def figure(line: str) -> None:
    FIGURES.append(line)


def tally(what: str, count: int = 1) -> None:
    TALLIES[what] += count


# -- faults the emulator injects ------------------------------------------------------
UNLIMITED = 1_000_000


@dataclass
class EmulatorFaults:
    """Faults injected by the emulator, one rule per operation so that each can be
    counted: a rule carries a large `count` that the emulator decrements whenever it
    fires, so `initial - remaining` is the number of faulted calls.

    first: also fail the next call of every operation not faulted yet (a count-1 rule in
    front), so that every operation of the matrix sees at least one fault, whatever the
    dice say."""

    control: ControlClient
    error: str
    rate: float
    after: bool = False
    first: bool = True
    operations: list[str] = field(default_factory=lambda: list(MATRIX))
    fired: Counter[str] = field(default_factory=Counter)
    calls: Counter[str] = field(default_factory=Counter)
    _rules: dict[int, tuple[str, int]] = field(default_factory=dict)
    _calls_before: dict[str, int] = field(default_factory=dict)

    def start(self) -> None:
        self._calls_before = self.control.calls()
        for operation in self.operations if self.first else []:
            if self.fired[operation]:
                continue
            rule = self.control.add_fault(
                operation, self.error, rate=1.0, count=1, after=self.after
            )
            self._rules[rule] = (operation, 1)
        for operation in self.operations:
            rule = self.control.add_fault(
                operation, self.error, rate=self.rate, count=UNLIMITED, after=self.after
            )
            self._rules[rule] = (operation, UNLIMITED)

    def collect(self) -> None:
        """Add what fired and the calls made since `start` to the totals; stop counting."""
        for rule in self.control.faults():
            if rule["id"] in self._rules:
                operation, initial = self._rules[rule["id"]]
                self.fired[operation] += initial - rule["count"]
        self._rules.clear()
        made = delta(self._calls_before, self.control.calls())
        self.calls.update({op: n for op, n in made.items() if op in self.operations})

    def stop(self) -> None:
        """`collect`, then clear the emulator's faults (all of them)."""
        self.collect()
        self.control.clear_faults()

    def summary(self) -> str:
        per_op = ", ".join(f"{op} {self.fired[op]}/{self.calls[op]}" for op in self.operations)
        return (
            f"{sum(self.fired.values())} faults in {sum(self.calls.values())} calls "
            f"(faulted/calls: {per_op})"
        )


# -- faults at the transport (which the emulator cannot inject) ------------------------
class TransportFaults:
    """A botocore ``before-send`` hook on every client the reconciler builds, failing
    calls of `operations` at `rate` the way a network does:

    - "connection-reset": raise ConnectionClosedError before the request leaves (the call
      never reached SageMaker);
    - "read-timeout": send the request, drop the answer and raise ReadTimeoutError (the
      call took effect; the client cannot know).

    Both are retryable for botocore's standard mode, as on a real network. The first
    call of every operation is failed for sure, so that each sees at least one fault."""

    def __init__(self, mode: str, rate: float, operations: Iterable[str], seed: int) -> None:
        assert mode in ("connection-reset", "read-timeout")
        self.mode = mode
        self.rate = rate
        self.operations = set(operations)
        self.enabled = True
        self.fired: Counter[str] = Counter()
        self.seen: Counter[str] = Counter()
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._http = URLLib3Session()

    def __call__(self, request: Any, event_name: str, **kwargs: Any) -> Any:
        operation = event_name.rsplit(".", 1)[-1]
        if not self.enabled or operation not in self.operations:
            return None
        with self._lock:
            self.seen[operation] += 1
            hit = not self.fired[operation] or self._rng.random() < self.rate
            if hit:
                self.fired[operation] += 1
        if not hit:
            return None
        if self.mode == "read-timeout":
            self._http.send(request).content  # noqa: B018 - carried out, answer dropped
            raise ReadTimeoutError(endpoint_url=request.url)
        raise ConnectionClosedError(endpoint_url=request.url)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Hook every client `reconciler.aws.client` makes, including in the modules that
        imported it by name (plan's tagging client)."""
        original = reconciler.aws.client

        def client(settings: reconciler.aws.AwsSettings, service: str, session: Any = None) -> Any:
            made = original(settings, service, session)
            made.meta.events.register("before-send", self)
            return made

        for name, module in list(sys.modules.items()):
            if name.startswith("reconciler") and getattr(module, "client", None) is original:
                monkeypatch.setattr(module, "client", client)

    def summary(self) -> str:
        per_op = ", ".join(f"{op} {self.fired[op]}/{self.seen[op]}" for op in sorted(self.seen))
        return (
            f"{sum(self.fired.values())} faults in {sum(self.seen.values())} calls "
            f"(faulted/calls: {per_op})"
        )


# -- the CLI in a process that can be killed --------------------------------------------
def _cli_in_child(argv: list[str], environ: dict[str, str], out: str, err: str) -> None:
    os.environ.clear()
    os.environ.update(environ)
    for fd, path in ((1, out), (2, err)):
        os.dup2(os.open(path, os.O_WRONLY | os.O_APPEND), fd)
    code = cli.main(argv)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


@dataclass
class Child:
    """A `reconciler` command running in a child process; its stdout and stderr go to
    files (read them with `out()`/`err()`)."""

    process: BaseProcess
    stdout: Path
    stderr: Path

    def send_signal(self, signum: int) -> None:
        assert self.process.pid is not None
        os.kill(self.process.pid, signum)

    def wait(self, timeout: float) -> int | None:
        self.process.join(timeout)
        return self.process.exitcode

    def out(self) -> str:
        return self.stdout.read_text(errors="replace")

    def err(self) -> str:
        return self.stderr.read_text(errors="replace")


def start_cli(argv: list[str], logs: Path) -> Child:
    """`reconciler <argv>` in a child process, forked from a server process that has the
    reconciler imported and botocore's models parsed already (see forkserver_preload): a
    fresh interpreter would spend a second or more on that for every kill of the matrix.
    SIGKILL and SIGTERM reach it like any process."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["tests.reliability.forkserver_preload"])
    logs.mkdir(parents=True, exist_ok=True)
    stdout, stderr = logs / "stdout", logs / "stderr"
    stdout.touch()
    stderr.touch()
    process = context.Process(
        target=_cli_in_child,
        args=(argv, dict(os.environ), str(stdout), str(stderr)),
        daemon=True,
    )
    process.start()
    return Child(process, stdout, stderr)


def start_apply(env: Env, logs: Path, *extra: str) -> Child:
    argv = ["apply", str(env.directory), "--auto-approve", "--endpoint-url", env.url]
    return start_cli([*argv, "--poll-interval", "0.01", *extra], logs)


@contextmanager
def controller(env: Env, logs: Path, *args: str) -> Iterator[tuple[Child, str]]:
    """`reconciler run` on env's directory and emulator, as tests/e2e/test_controller.py's
    `controller` starts it, in a forked child: yields it and its health/metrics URL."""
    argv = ["run", str(env.directory), "--listen", "127.0.0.1:0", "--endpoint-url", env.url]
    child = start_cli([*argv, "--poll-interval", "0.01", "--debounce", "0.2", *args], logs)
    try:
        deadline = time.monotonic() + 30
        while not (match := re.search(r"serving .* on (http://\S+)", child.out())):
            assert child.process.is_alive(), child.err()
            assert time.monotonic() < deadline, "the controller did not start"
            time.sleep(0.02)
        yield child, match.group(1)
    finally:
        if child.process.is_alive():
            child.process.kill()
        child.wait(10)


# -- botocore's data files, parsed once per process --------------------------------------
_BOTOCORE_FILES: dict[str, Any] = {}
_load_file = botocore.loaders.JSONFileLoader.load_file


def load_file_once(self: Any, file_path: str) -> Any:
    """A stand-in for botocore's JSONFileLoader.load_file that parses each file once per
    process. Every new boto3 session parses botocore's JSON models again (~0.1 s per
    client), and every CLI command builds its own clients; botocore already shares these
    parsed documents between the clients of one session, so only the time changes."""
    if file_path not in _BOTOCORE_FILES:
        _BOTOCORE_FILES[file_path] = _load_file(self, file_path)
    return _BOTOCORE_FILES[file_path]
