"""Fleet benchmarks: ``validate``, ``plan`` and ``apply`` on generated fleets of manifests,
run as separate processes against the local emulator, also a separate process.

    python -m benchmarks.fleet [scenario ...] [--runs N] [--size N] [--keep]

Scenarios (the default set is all but ``plan-10k``, which runs only when named):

    validate         reconciler validate on the IC fleet: wall time, peak RSS
    plan-empty       plan of the IC fleet against an empty account: wall, API calls, RSS
    plan-converged   apply the IC fleet once, then plan (nothing changed): wall, API calls
    plan-one-change  after convergence, one IC's CopyCount changed, plan: API calls
    apply-parallel   20 classic endpoints, transitions seconds:2, apply at --parallelism 10,
                     1 and 20, and a 1-endpoint fleet (the critical path)
    controller       reconciler run on the example manifests: save-to-first-write latency
                     (median of 20 edits) and RSS after 10 and 100 passes
    run-mode         reconciler run on the converged IC fleet: calls and time of a resync
                     pass with nothing changed, and of the pass one edited CopyCount starts
    plan-10k         plan of a 10x IC fleet (10,000 resources by default), empty account

The IC fleet has ``--size`` groups (default 100); a group is one Model, one EndpointConfig
(variant without ModelName, ml.g5.12xlarge), one Endpoint and 7 InferenceComponents on it
that run the group's model: 10 resources a group, so 1,000 resources by default.

Every figure is the median of ``--runs`` runs (default 3). Wall times are measured around the
child process, so they include Python start-up and imports. Peak memory is the child's
maximum resident set size, read from GNU ``/usr/bin/time -f %M`` when that works, else from a
small launcher that records ``getrusage(RUSAGE_SELF).ru_maxrss`` at exit. API calls are read
from the emulator's ``/_emulator/calls`` before and after each step (the difference).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import queue
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from reconciler.emulator.control_client import ControlClient

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

DEFAULT_SCENARIOS = (
    "validate",
    "plan-empty",
    "plan-converged",
    "plan-one-change",
    "apply-parallel",
    "run-mode",
    "controller",
)
EXTRA_SCENARIOS = ("plan-10k",)

ICS_PER_GROUP = 7
RESOURCES_PER_GROUP = ICS_PER_GROUP + 3
CLASSIC_ENDPOINTS = 20
ROLE = "arn:aws:iam::123456789012:role/SageMakerExecution"
GPU_IMAGE = (
    "763104351884.dkr.ecr.us-east-1.amazonaws.com/"
    "huggingface-pytorch-tgi-inference:2.4.0-tgi2.4.0-gpu-py311-cu124-ubuntu22.04"
)
XGBOOST_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
EMULATOR_COMMAND = (PYTHON, "-m", "reconciler", "emulator", "--port", "0")
CHILD_TIMEOUT = 1800.0  # seconds; a child that takes longer is a hang, not a figure


WRITE_PREFIXES = ("Create", "Update", "Delete", "AddTags")


class BenchError(RuntimeError):
    pass


def log(message: str) -> None:
    print(f"[fleet] {message}", file=sys.stderr, flush=True)


# --- manifests ----------------------------------------------------------------------------


def _model(name: str, image: str, data: str) -> str:
    return f"""apiVersion: sagemaker-reconciler/v1
kind: Model
metadata:
  name: {name}
  tags: {{team: bench}}
spec:
  ExecutionRoleArn: {ROLE}
  PrimaryContainer:
    Image: {image}
    ModelDataUrl: s3://bench-models/{data}/model.tar.gz
"""


def _endpoint(name: str, config: str) -> str:
    return f"""apiVersion: sagemaker-reconciler/v1
kind: Endpoint
metadata:
  name: {name}
  tags: {{team: bench}}
spec:
  EndpointConfigName: {config}
"""


def ic_group(index: int, copy_counts: dict[int, int] | None = None) -> str:
    """One group of the IC fleet: Model, EndpointConfig, Endpoint and 7 ICs (10 documents)."""
    group = f"g{index:04d}"
    docs = [
        _model(f"{group}-model", GPU_IMAGE, group),
        f"""apiVersion: sagemaker-reconciler/v1
kind: EndpointConfig
metadata:
  name: {group}-config
  tags: {{team: bench}}
spec:
  ExecutionRoleArn: {ROLE}
  ProductionVariants:
    - VariantName: AllTraffic
      InstanceType: ml.g5.12xlarge
      InitialInstanceCount: 1
""",
        _endpoint(f"{group}-endpoint", f"{group}-config"),
    ]
    for ic in range(ICS_PER_GROUP):
        copies = (copy_counts or {}).get(ic, 1)
        docs.append(
            f"""apiVersion: sagemaker-reconciler/v1
kind: InferenceComponent
metadata:
  name: {group}-ic{ic}
  tags: {{team: bench}}
spec:
  EndpointName: {group}-endpoint
  VariantName: AllTraffic
  Specification:
    ModelName: {group}-model
    ComputeResourceRequirements:
      MinMemoryRequiredInMb: 1024
      NumberOfCpuCoresRequired: 1
  RuntimeConfig: {{CopyCount: {copies}}}
"""
        )
    return "---\n".join(docs)


def classic_group(index: int) -> str:
    """One classic endpoint: Model, EndpointConfig naming it, Endpoint (3 documents)."""
    name = f"c{index:03d}"
    config = f"""apiVersion: sagemaker-reconciler/v1
kind: EndpointConfig
metadata:
  name: {name}-config
  tags: {{team: bench}}
spec:
  ProductionVariants:
    - VariantName: AllTraffic
      ModelName: {name}-model
      InstanceType: ml.m5.xlarge
      InitialInstanceCount: 1
"""
    docs = [_model(f"{name}-model", XGBOOST_IMAGE, name), config, _endpoint(name, f"{name}-config")]
    return "---\n".join(docs)


def write_ic_fleet(directory: Path, groups: int) -> int:
    """Write `groups` group files into `directory`; returns the number of resources."""
    directory.mkdir(parents=True, exist_ok=True)
    for index in range(groups):
        (directory / f"g{index:04d}.yaml").write_text(ic_group(index))
    return groups * RESOURCES_PER_GROUP


def write_classic_fleet(directory: Path, endpoints: int) -> int:
    directory.mkdir(parents=True, exist_ok=True)
    for index in range(endpoints):
        (directory / f"c{index:03d}.yaml").write_text(classic_group(index))
    return endpoints * 3


# --- peak memory --------------------------------------------------------------------------

_LAUNCHER = """\
import atexit, resource, runpy, sys
_out = sys.argv.pop(1)
def _write():
    with open(_out, "w") as f:
        f.write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
atexit.register(_write)
sys.argv[0] = "reconciler"
runpy.run_module("reconciler", run_name="__main__", alter_sys=True)
"""


class PeakMemory:
    """Wraps a child command so that its maximum RSS (KiB) lands in a file.

    GNU time (``/usr/bin/time -f %M -o FILE``) when it works here: it reads the child's
    rusage from wait4, which covers the whole life of the process. Otherwise a launcher that
    runs ``python -m reconciler`` through runpy and writes ``RUSAGE_SELF.ru_maxrss`` at exit.
    ``RUSAGE_CHILDREN`` in this process is not used: it is a running maximum over every child
    ever waited for, so a small run after a large one would report the large one.
    """

    def __init__(self, scratch: Path, method: str = "auto") -> None:
        self.scratch = scratch
        self.method = "launcher"
        self._count = 0
        gnu_time = Path("/usr/bin/time")
        if method != "launcher" and gnu_time.exists():
            probe = scratch / "probe.rss"
            try:
                subprocess.run(
                    [str(gnu_time), "-f", "%M", "-o", str(probe), PYTHON, "-c", "pass"],
                    check=True,
                    capture_output=True,
                    timeout=60,
                )
                if self._parse(probe) > 0:
                    self.method = "gnu-time"
            except (OSError, subprocess.SubprocessError, ValueError):
                pass
        if method == "gnu-time" and self.method != "gnu-time":
            raise BenchError("--rss-method gnu-time: /usr/bin/time -f %M does not work here")

    @property
    def description(self) -> str:
        if self.method == "gnu-time":
            return "GNU /usr/bin/time -f %M (max RSS of the child, from wait4)"
        return "launcher: getrusage(RUSAGE_SELF).ru_maxrss at exit of the child"

    def wrap(self, reconciler_args: Sequence[str]) -> tuple[list[str], Path]:
        self._count += 1
        out = self.scratch / f"run{self._count}.rss"
        out.unlink(missing_ok=True)
        if self.method == "gnu-time":
            command = ["/usr/bin/time", "-f", "%M", "-o", str(out), PYTHON, "-m", "reconciler"]
        else:
            command = [PYTHON, "-c", _LAUNCHER, str(out)]
        return [*command, *reconciler_args], out

    @staticmethod
    def _parse(path: Path) -> int:
        # GNU time writes "Command exited with non-zero status N" first when the child fails.
        lines = [line for line in path.read_text().splitlines() if line.strip()]
        value = int(lines[-1].strip())
        return value // 1024 if sys.platform == "darwin" else value  # darwin: bytes

    def read_kib(self, path: Path) -> int | None:
        try:
            return self._parse(path)
        except (OSError, ValueError, IndexError):
            return None


# --- child processes ----------------------------------------------------------------------


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_REGION="us-east-1",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        PYTHONUNBUFFERED="1",
    )
    return env


@dataclass
class ChildRun:
    args: list[str]
    wall: float
    returncode: int
    stdout: str
    stderr: str
    max_rss_kib: int | None

    @property
    def max_rss_mib(self) -> float | None:
        return None if self.max_rss_kib is None else self.max_rss_kib / 1024

    def plan_json(self) -> dict[str, Any]:
        try:
            return dict(json.loads(self.stdout))
        except ValueError as err:
            raise BenchError(f"plan did not print JSON: {self.stdout[:300]!r}") from err


class Reconciler:
    """Runs ``python -m reconciler ...`` as a child process, timed, with its peak RSS."""

    def __init__(self, memory: PeakMemory) -> None:
        self.memory = memory
        self.env = child_env()

    def run(self, *args: str, url: str | None = None, ok: tuple[int, ...] = (0,)) -> ChildRun:
        reconciler_args = [*args, *(["--endpoint-url", url] if url else [])]
        command, rss_file = self.memory.wrap(reconciler_args)
        start = time.perf_counter()
        process = subprocess.run(
            command,
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=CHILD_TIMEOUT,
        )
        wall = time.perf_counter() - start
        run = ChildRun(
            reconciler_args,
            wall,
            process.returncode,
            process.stdout,
            process.stderr,
            self.memory.read_kib(rss_file),
        )
        if process.returncode not in ok:
            tail = (process.stderr or process.stdout)[-2000:]
            raise BenchError(f"reconciler {' '.join(args)} exited {process.returncode}:\n{tail}")
        return run


class Emulator:
    """``reconciler emulator --port 0 --transitions T`` as a separate process."""

    def __init__(self, transitions: str, scratch: Path) -> None:
        self.transitions = transitions
        self.log_path = scratch / f"emulator-{transitions.replace(':', '-')}.log"
        self._log: IO[bytes] | None = None
        self.process: subprocess.Popen[str] | None = None
        self.url = ""
        self.control: ControlClient

    def start(self) -> Emulator:
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [*EMULATOR_COMMAND, "--transitions", self.transitions],
            cwd=ROOT,
            env=child_env(),
            stdout=subprocess.PIPE,
            stderr=self._log,  # werkzeug logs one line per request there
            text=True,
        )
        lines: queue.Queue[str] = queue.Queue()
        stdout = self.process.stdout
        assert stdout is not None

        def drain() -> None:  # keep reading, so the pipe can never fill up
            for line in stdout:
                lines.put(line)
            lines.put("")

        threading.Thread(target=drain, daemon=True).start()
        try:
            first = lines.get(timeout=60)
        except queue.Empty:
            first = ""
        prefix = "SageMaker emulator listening on "
        if not first.startswith(prefix):
            self.stop()
            raise BenchError(
                f"emulator did not start (first line {first!r}); see {self.log_path}:\n"
                + self.log_path.read_text(errors="replace")[-2000:]
            )
        self.url = first[len(prefix) :].strip()
        self.control = ControlClient.over_http(self.url, timeout=60)
        log(f"emulator ({self.transitions}) at {self.url}, pid {self.process.pid}")
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self._log is not None:
            self._log.close()

    def calls(self) -> dict[str, int]:
        return self.control.calls()


def call_difference(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    diff = {op: after.get(op, 0) - before.get(op, 0) for op in set(before) | set(after)}
    return {op: n for op, n in sorted(diff.items()) if n}


# --- tables -------------------------------------------------------------------------------


def fmt_seconds(value: float) -> str:
    return f"{value:.2f} s"


def fmt_mib(value: float) -> str:
    return f"{value:.0f} MiB"


def fmt_count(value: float) -> str:
    return f"{value:g}"


def fmt_ratio(value: float) -> str:
    return f"{value:.2f}x"


def fmt_per(value: float) -> str:
    return f"{value:.3g}"


def median(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


@dataclass
class Table:
    title: str
    runs: int
    rows: list[tuple[str, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)  # further markdown (e.g. by operation)
    summary: list[tuple[str, str]] = field(default_factory=list)  # for the combined table

    def add(
        self,
        metric: str,
        values: Sequence[float | None],
        fmt: Callable[[float], str],
        *,
        headline: bool = False,
    ) -> float | None:
        value = median(values)
        shown = "n/a" if value is None else fmt(value)
        every = ", ".join("n/a" if v is None else fmt(v) for v in values)
        self.rows.append((metric, shown, every))
        if headline:
            self.summary.append((metric, shown))
        return value

    def ratio(self, metric: str, value: float, *, headline: bool = True) -> None:
        self.rows.append((metric, fmt_ratio(value), "ratio of the medians"))
        if headline:
            self.summary.append((metric, fmt_ratio(value)))

    def by_operation(self, runs: Sequence[dict[str, int]], resources: int) -> None:
        operations = sorted({op for run in runs for op in run})
        lines = [
            "",
            f"API calls by operation (median of {len(runs)} runs, {resources} resources):",
            "",
            "| operation | calls | per resource |",
            "|---|---:|---:|",
        ]
        for op in operations:
            value = statistics.median([run.get(op, 0) for run in runs])
            lines.append(f"| {op} | {value:g} | {fmt_per(value / resources)} |")
        total = statistics.median([sum(run.values()) for run in runs])
        lines.append(f"| **total** | **{total:g}** | **{fmt_per(total / resources)}** |")
        self.extra.extend(lines)

    def render(self) -> str:
        lines = [
            f"### {self.title}",
            "",
            f"| metric | median of {self.runs} | runs |",
            "|---|---:|---|",
        ]
        lines += [f"| {metric} | {value} | {every} |" for metric, value, every in self.rows]
        lines += self.extra
        if self.notes:
            lines.append("")
            lines += [f"- {note}" for note in self.notes]
        return "\n".join(lines) + "\n"


def combined(tables: Sequence[Table], runs: int) -> str:
    lines = [
        f"### Summary (medians of {runs} runs)",
        "",
        "| scenario | metric | value |",
        "|---|---|---:|",
    ]
    for table in tables:
        for metric, value in table.summary:
            lines.append(f"| {table.title.split(' ')[0]} | {metric} | {value} |")
    return "\n".join(lines) + "\n"


# --- scenarios ----------------------------------------------------------------------------


class Bench:
    def __init__(
        self, *, runs: int, size: int, scratch: Path, stack: ExitStack, rss_method: str = "auto"
    ) -> None:
        self.runs = runs
        self.size = size
        self.scratch = scratch
        self.stack = stack
        self.memory = PeakMemory(scratch, rss_method)
        self.reconciler = Reconciler(self.memory)
        self._emulators: dict[str, Emulator] = {}
        self._fleets: dict[tuple[str, int], tuple[Path, int]] = {}
        self.converged: Path | None = None  # the IC fleet the immediate emulator holds

    # fixtures

    def emulator(self, transitions: str) -> Emulator:
        if transitions not in self._emulators:
            emulator = Emulator(transitions, self.scratch).start()
            self.stack.callback(emulator.stop)
            self._emulators[transitions] = emulator
        return self._emulators[transitions]

    def reset(self, emulator: Emulator) -> None:
        emulator.control.reset()
        if emulator.transitions == "immediate":
            self.converged = None

    def ic_fleet(self, groups: int) -> tuple[Path, int]:
        key = ("ic", groups)
        if key not in self._fleets:
            directory = self.scratch / f"ic-fleet-{groups}"
            self._fleets[key] = (directory, write_ic_fleet(directory, groups))
        return self._fleets[key]

    def classic_fleet(self, endpoints: int) -> tuple[Path, int]:
        key = ("classic", endpoints)
        if key not in self._fleets:
            directory = self.scratch / f"classic-fleet-{endpoints}"
            self._fleets[key] = (directory, write_classic_fleet(directory, endpoints))
        return self._fleets[key]

    def plan(self, emulator: Emulator, directory: Path) -> tuple[ChildRun, dict[str, int]]:
        before = emulator.calls()
        run = self.reconciler.run("plan", str(directory), "--json", url=emulator.url)
        return run, call_difference(before, emulator.calls())

    def converge(self) -> tuple[Path, int, Table | None]:
        """The immediate emulator holds the applied IC fleet; applies it when it does not."""
        directory, resources = self.ic_fleet(self.size)
        emulator = self.emulator("immediate")
        if self.converged == directory:
            return directory, resources, None
        self.reset(emulator)
        log(f"applying the {resources}-resource fleet (transitions immediate, parallelism 10)")
        before = emulator.calls()
        run = self.reconciler.run(
            "apply",
            str(directory),
            "--auto-approve",
            "--parallelism",
            "10",
            "--poll-interval",
            "0.05",
            url=emulator.url,
        )
        calls = call_difference(before, emulator.calls())
        if f"{resources} created" not in run.stdout:
            raise BenchError(f"apply did not create {resources} resources:\n{run.stdout[-500:]}")
        self.converged = directory
        table = Table(f"apply (setup of plan-converged) — {resources} resources, 1 run", 1)
        table.add("wall time", [run.wall], fmt_seconds, headline=True)
        table.add("peak RSS", [run.max_rss_mib], fmt_mib)
        table.add("API calls", [sum(calls.values())], fmt_count)
        table.add("API calls per resource", [sum(calls.values()) / resources], fmt_per)
        table.by_operation([calls], resources)
        log(f"applied in {run.wall:.1f} s, {sum(calls.values())} calls")
        return directory, resources, table

    # scenarios

    def validate(self) -> list[Table]:
        directory, resources = self.ic_fleet(self.size)
        runs = []
        for i in range(self.runs):
            run = self.reconciler.run("validate", str(directory))
            if f"{resources} resources" not in run.stdout:
                raise BenchError(f"validate: unexpected output {run.stdout!r}")
            log(f"validate run {i + 1}: {run.wall:.2f} s, {_mib(run)}")
            runs.append(run)
        table = Table(f"validate — {resources} resources", self.runs)
        table.add("wall time", [r.wall for r in runs], fmt_seconds, headline=True)
        table.add("peak RSS", [r.max_rss_mib for r in runs], fmt_mib, headline=True)
        table.add("wall time per resource", [r.wall / resources * 1000 for r in runs], _ms)
        return [table]

    def _plan_runs(
        self, name: str, directory: Path, resources: int, expect: Callable[[dict[str, Any]], bool]
    ) -> tuple[list[ChildRun], list[dict[str, int]], dict[str, Any]]:
        emulator = self.emulator("immediate")
        runs, calls = [], []
        summary: dict[str, Any] = {}
        for i in range(self.runs):
            run, counted = self.plan(emulator, directory)
            document = run.plan_json()
            summary = dict(document["summary"])
            summary["changes"] = [
                f"{c['address']} {c['action']} {c['operations']}"
                for c in document["changes"]
                if c["action"] != "no-op"
            ]
            if not expect(summary):
                raise BenchError(f"{name}: unexpected plan summary {summary}")
            log(f"{name} run {i + 1}: {run.wall:.2f} s, {sum(counted.values())} calls, {_mib(run)}")
            runs.append(run)
            calls.append(counted)
        return runs, calls, summary

    def _plan_table(
        self,
        title: str,
        runs: list[ChildRun],
        calls: list[dict[str, int]],
        resources: int,
        summary: dict[str, Any],
    ) -> Table:
        table = Table(title, self.runs)
        totals = [sum(c.values()) for c in calls]
        table.add("wall time", [r.wall for r in runs], fmt_seconds, headline=True)
        table.add("API calls", totals, fmt_count)
        table.add("API calls per resource", [t / resources for t in totals], fmt_per, headline=True)
        table.add("peak RSS", [r.max_rss_mib for r in runs], fmt_mib, headline=True)
        table.by_operation(calls, resources)
        changes = summary.pop("changes", [])
        table.notes.append(
            "plan summary: " + ", ".join(f"{k} {v}" for k, v in summary.items() if v)
        )
        if 0 < len(changes) <= 5:
            table.notes.append("planned: " + "; ".join(changes))
        return table

    def plan_empty(self) -> list[Table]:
        directory, resources = self.ic_fleet(self.size)
        self.reset(self.emulator("immediate"))
        runs, calls, summary = self._plan_runs(
            "plan-empty", directory, resources, lambda s: s.get("create") == resources
        )
        title = f"plan-empty — {resources} resources, empty account"
        return [self._plan_table(title, runs, calls, resources, summary)]

    def plan_converged(self) -> list[Table]:
        directory, resources, setup = self.converge()
        runs, calls, summary = self._plan_runs(
            "plan-converged",
            directory,
            resources,
            lambda s: s.get("no-op") == resources and not s["changes"],
        )
        title = f"plan-converged — {resources} resources, nothing changed"
        table = self._plan_table(title, runs, calls, resources, summary)
        return [t for t in (setup, table) if t is not None]

    def plan_one_change(self) -> list[Table]:
        directory, resources, setup = self.converge()
        changed = self.scratch / f"ic-fleet-{self.size}-one-change"
        if not changed.exists():
            shutil.copytree(directory, changed)
            (changed / "g0000.yaml").write_text(ic_group(0, copy_counts={3: 2}))
        runs, calls, summary = self._plan_runs(
            "plan-one-change",
            changed,
            resources,
            lambda s: s.get("update") == 1 and s.get("no-op") == resources - 1,
        )
        title = f"plan-one-change — {resources} resources, one IC's CopyCount 1 -> 2"
        table = self._plan_table(title, runs, calls, resources, summary)
        return [t for t in (setup, table) if t is not None]

    def apply_parallel(self) -> list[Table]:
        transitions = "seconds:2"
        emulator = self.emulator(transitions)
        many, many_resources = self.classic_fleet(CLASSIC_ENDPOINTS)
        one, _ = self.classic_fleet(1)
        cases = [
            (f"{CLASSIC_ENDPOINTS} endpoints @ parallelism 10", many, "10"),
            (f"{CLASSIC_ENDPOINTS} endpoints @ parallelism 1", many, "1"),
            ("1 endpoint @ parallelism 10", one, "10"),
            (
                f"{CLASSIC_ENDPOINTS} endpoints @ parallelism {CLASSIC_ENDPOINTS}",
                many,
                str(CLASSIC_ENDPOINTS),
            ),
        ]
        walls: dict[str, list[float]] = {label: [] for label, _, _ in cases}
        calls: dict[str, list[dict[str, int]]] = {label: [] for label, _, _ in cases}
        for i in range(self.runs):
            for label, directory, parallelism in cases:
                self.reset(emulator)
                before = emulator.calls()
                run = self.reconciler.run(
                    "apply",
                    str(directory),
                    "--auto-approve",
                    "--parallelism",
                    parallelism,
                    "--poll-interval",
                    "0.2",
                    url=emulator.url,
                )
                counted = call_difference(before, emulator.calls())
                if "failed" in run.stdout.split("Apply:")[-1]:
                    raise BenchError(f"apply-parallel: {label}: {run.stdout[-500:]}")
                log(f"apply-parallel run {i + 1}, {label}: {run.wall:.2f} s")
                walls[label].append(run.wall)
                calls[label].append(counted)
        p10, p1, single, p_all = (label for label, _, _ in cases)
        table = Table(
            f"apply-parallel — {CLASSIC_ENDPOINTS} classic endpoints "
            f"({many_resources} resources), transitions {transitions}, poll interval 0.2 s",
            self.runs,
        )
        for label, _, _ in cases:
            table.add(f"wall, {label}", walls[label], fmt_seconds, headline=True)
        m10, m1, m_single = (median(walls[x]) for x in (p10, p1, single))
        assert m10 is not None and m1 is not None and m_single is not None
        # --parallelism bounds write calls, and waiting holds no slot: at any setting the
        # 20 endpoints' waits overlap, so every ratio to the critical path should be near 1.
        table.ratio("wall(20 @ p10) / wall(1 endpoint) (critical path)", m10 / m_single)
        table.ratio("speedup, parallelism 10 vs 1", m1 / m10)
        table.ratio("wall(20 @ p1) / wall(1 endpoint) (writes one at a time)", m1 / m_single)
        m_all = median(walls[p_all])
        assert m_all is not None
        table.ratio("wall(20 @ p20) / wall(1 endpoint) (critical path)", m_all / m_single)
        table.add(
            f"API calls, {p10}", [sum(c.values()) for c in calls[p10]], fmt_count, headline=False
        )
        table.add(f"API calls, {p1}", [sum(c.values()) for c in calls[p1]], fmt_count)
        table.by_operation(calls[p10], many_resources)
        table.notes.append(
            "each case starts from an empty emulator (reset); wall includes Python start-up, "
            "the plan (List/ListTags) and the apply"
        )
        return [table]

    def plan_10k(self) -> list[Table]:
        directory, resources = self.ic_fleet(self.size * 10)
        self.reset(self.emulator("immediate"))
        runs, calls, summary = self._plan_runs(
            "plan-10k", directory, resources, lambda s: s.get("create") == resources
        )
        title = f"plan-10k — {resources} resources, empty account"
        return [self._plan_table(title, runs, calls, resources, summary)]

    # run mode: a controller process, measured between its passes

    def _controller(
        self, directory: Path, emulator: Emulator, debounce: str = "0.2"
    ) -> tuple[subprocess.Popen[str], str]:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "reconciler",
                "run",
                str(directory),
                "--interval",
                "1h",
                "--listen",
                "127.0.0.1:0",
                "--debounce",
                debounce,
                "--poll-interval",
                "0.05",
                "--endpoint-url",
                emulator.url,
            ],
            cwd=ROOT,
            env=child_env(),
            stdout=subprocess.PIPE,
            stderr=(self.scratch / "controller.log").open("w"),
            text=True,
        )
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.search(r"http://(\S+)", line)
        if not match:
            process.kill()
            raise BenchError(f"reconciler run did not start: {line!r}")
        return process, f"http://{match.group(1)}"

    @staticmethod
    def _passes(base: str) -> tuple[float, float, float]:
        """(passes, total pass seconds, passes with result success) from /metrics."""
        with urllib.request.urlopen(f"{base}/metrics", timeout=30) as response:
            text = response.read().decode()
        count = total = success = 0.0
        for line in text.splitlines():
            if line.startswith("reconciler_pass_duration_seconds_count"):
                count = float(line.rsplit(" ", 1)[1])
            elif line.startswith("reconciler_pass_duration_seconds_sum"):
                total = float(line.rsplit(" ", 1)[1])
            elif line.startswith('reconciler_passes_total{result="success"}'):
                success = float(line.rsplit(" ", 1)[1])
        return count, total, success

    def _wait_passes(
        self, base: str, at_least: float, timeout: float = 300
    ) -> tuple[float, float, float]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            passes = self._passes(base)
            if passes[0] >= at_least:
                return passes
            time.sleep(0.05)
        raise BenchError(f"the controller did not reach {at_least} passes")

    def run_mode(self) -> list[Table]:
        directory, resources, setup = self.converge()
        emulator = self.emulator("immediate")
        work = self.scratch / f"ic-fleet-{self.size}-run"
        if work.exists():
            shutil.rmtree(work)
        shutil.copytree(directory, work)
        resync_calls, resync_walls, change_calls, change_walls = [], [], [], []
        process, base = self._controller(work, emulator)
        try:
            # A long interval and SIGHUP ("reconcile now") make each window exactly one pass.
            done = self._wait_passes(base, 1)  # first pass: nothing cached yet
            for i in range(self.runs):
                # A resync with nothing changed.
                before = emulator.calls()
                process.send_signal(signal.SIGHUP)
                after_pass = self._wait_passes(base, done[0] + 1)
                resync_calls.append(call_difference(before, emulator.calls()))
                resync_walls.append(after_pass[1] - done[1])
                done = after_pass
                # One IC's copy count changed in git: the pass the file event starts.
                before = emulator.calls()
                (work / "g0000.yaml").write_text(ic_group(0, copy_counts={3: 2 + i}))
                after_pass = self._wait_passes(base, done[0] + 1)
                change_calls.append(call_difference(before, emulator.calls()))
                change_walls.append(after_pass[1] - done[1])
                done = after_pass
                log(
                    f"run-mode round {i + 1}: resync {sum(resync_calls[-1].values())} calls "
                    f"{resync_walls[-1]:.2f} s; one change {sum(change_calls[-1].values())} calls"
                )
        finally:
            process.terminate()
            process.wait(timeout=30)
        resync = Table(
            f"run-resync — {resources} resources, a resync pass with nothing changed", self.runs
        )
        resync.add("pass wall time", resync_walls, fmt_seconds, headline=True)
        totals = [sum(c.values()) for c in resync_calls]
        resync.add("API calls", totals, fmt_count)
        resync.add(
            "API calls per resource", [t / resources for t in totals], fmt_per, headline=True
        )
        resync.by_operation(resync_calls, resources)
        change = Table(
            f"run-one-change — {resources} resources, one IC's CopyCount edited in git", self.runs
        )
        change.add("pass wall time", change_walls, fmt_seconds, headline=True)
        writes = [
            sum(n for op, n in c.items() if op.startswith(WRITE_PREFIXES)) for c in change_calls
        ]
        reads = [
            sum(n for op, n in c.items() if op.startswith(("Describe", "ListTags")))
            for c in change_calls
        ]
        pages = [
            sum(
                n
                for op, n in c.items()
                if op.startswith(("List", "GetResources")) and op != "ListTags"
            )
            for c in change_calls
        ]
        change.add("list pages (List*, GetResources)", pages, fmt_count, headline=True)
        change.add("reads (Describe*, ListTags)", reads, fmt_count, headline=True)
        change.add("writes", writes, fmt_count, headline=True)
        change.by_operation(change_calls, resources)
        return [t for t in (setup, resync, change) if t is not None]

    def controller(self) -> list[Table]:
        """Save-to-first-write latency (median of 20 edits) and the controller's memory over
        100 passes, on the example manifests (the reconciler's own examples)."""
        emulator = self.emulator("immediate")
        self.reset(emulator)
        work = self.scratch / "controller-examples"
        if work.exists():
            shutil.rmtree(work)
        shutil.copytree(ROOT / "manifests", work)
        edited = work / "shared-gpu" / "llama-chat.yaml"
        original = edited.read_text()
        process, base = self._controller(work, emulator, debounce="1s")
        latencies: list[float] = []
        rss: dict[int, float] = {}
        try:
            done = self._wait_passes(base, 1)
            for i in range(20):
                before = emulator.calls().get("UpdateInferenceComponentRuntimeConfig", 0)
                edited.write_text(original.replace("CopyCount: 2", f"CopyCount: {1 + i % 2}"))
                saved = time.perf_counter()
                deadline = saved + 60
                while emulator.calls().get("UpdateInferenceComponentRuntimeConfig", 0) == before:
                    if time.perf_counter() > deadline:
                        raise BenchError("the controller did not apply an edit within 60 s")
                    time.sleep(0.005)
                latencies.append(time.perf_counter() - saved)
                done = self._wait_passes(base, done[0] + 1)
            # Memory over 100 passes: SIGHUP, one pass at a time.
            start = done[0]
            for n in range(1, 101):
                process.send_signal(signal.SIGHUP)
                done = self._wait_passes(base, start + n)
                if n in (10, 100):
                    rss[n] = _rss_mib(process.pid)
        finally:
            process.terminate()
            process.wait(timeout=30)
        table = Table(
            "controller — the example manifests, reconciler run in its own process", len(latencies)
        )
        table.add("save → first write call (debounce 1 s)", latencies, fmt_seconds, headline=True)
        table.add("RSS after 10 passes", [rss[10]], fmt_mib, headline=True)
        table.add("RSS after 100 passes", [rss[100]], fmt_mib, headline=True)
        table.notes.append(
            "latency is measured from the file write to the write call reaching the emulator"
        )
        return [table]


def _rss_mib(pid: int) -> float:
    """A live process's resident set size (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise BenchError(f"no VmRSS for {pid}")


def _mib(run: ChildRun) -> str:
    return "n/a" if run.max_rss_mib is None else fmt_mib(run.max_rss_mib)


def _ms(value: float) -> str:
    return f"{value:.2f} ms"


SCENARIOS: dict[str, Callable[[Bench], list[Table]]] = {
    "validate": Bench.validate,
    "plan-empty": Bench.plan_empty,
    "plan-converged": Bench.plan_converged,
    "plan-one-change": Bench.plan_one_change,
    "apply-parallel": Bench.apply_parallel,
    "run-mode": Bench.run_mode,
    "controller": Bench.controller,
    "plan-10k": Bench.plan_10k,
}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.fleet",
        description="Fleet benchmarks of validate / plan / apply against the local emulator.",
    )
    parser.add_argument(
        "scenarios",
        nargs="*",
        metavar="scenario",
        help=f"any of {', '.join(SCENARIOS)} (default: {' '.join(DEFAULT_SCENARIOS)})",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (median; default 3)")
    parser.add_argument(
        "--size",
        type=int,
        default=100,
        help="IC endpoint groups (10 resources each; default 100 = 1,000 resources; "
        "plan-10k uses 10x)",
    )
    parser.add_argument(
        "--rss-method",
        choices=("auto", "gnu-time", "launcher"),
        default="auto",
        help="how to read the child's peak RSS (default auto: GNU time when it works)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the scratch directory (manifests, logs)"
    )
    args = parser.parse_args(argv)
    unknown = [s for s in args.scenarios if s not in SCENARIOS]
    if unknown:
        parser.error(
            f"unknown scenario(s) {', '.join(unknown)}; choose from {', '.join(SCENARIOS)}"
        )
    if args.runs < 1 or args.size < 1:
        parser.error("--runs and --size must be at least 1")
    args.scenarios = args.scenarios or list(DEFAULT_SCENARIOS)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="reconciler-bench-"))
    started = time.monotonic()
    tables: list[Table] = []
    try:
        with ExitStack() as stack:
            bench = Bench(
                runs=args.runs,
                size=args.size,
                scratch=scratch,
                stack=stack,
                rss_method=args.rss_method,
            )
            print(
                f"## Fleet benchmarks — {dt.date.today().isoformat()}\n\n"
                f"- machine: {platform.machine()}, {os.cpu_count()} CPUs, "
                f"Python {platform.python_version()}, {platform.system()}\n"
                f"- medians of {args.runs} run(s); IC fleet {args.size} groups x "
                f"{RESOURCES_PER_GROUP} = {args.size * RESOURCES_PER_GROUP} resources\n"
                f"- peak RSS: {bench.memory.description}\n",
                flush=True,
            )
            for name in args.scenarios:
                log(f"scenario {name}")
                for table in SCENARIOS[name](bench):
                    print(table.render(), flush=True)
                    tables.append(table)
    except BenchError as err:
        log(f"failed: {err}")
        return 1
    finally:
        if args.keep:
            log(f"scratch kept at {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    print(combined(tables, args.runs))
    log(f"done in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
