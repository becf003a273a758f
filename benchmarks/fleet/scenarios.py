"""The scenarios: each a method of `Bench` that runs its steps as child processes against an
emulator process and returns its tables (see the package docstring for what each measures)."""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from benchmarks.fleet.manifests import ic_group, write_classic_fleet, write_ic_fleet
from benchmarks.fleet.processes import (
    ROOT,
    BenchError,
    ChildRun,
    Emulator,
    PeakMemory,
    Reconciler,
    call_difference,
    child_env,
    log,
    rss_mib,
)
from benchmarks.fleet.tables import (
    Table,
    fmt_count,
    fmt_mib,
    fmt_ms,
    fmt_per,
    fmt_seconds,
    median,
)

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

CLASSIC_ENDPOINTS = 20

WRITE_PREFIXES = ("Create", "Update", "Delete", "AddTags")


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
        return self._fleet("ic", groups, write_ic_fleet)

    def classic_fleet(self, endpoints: int) -> tuple[Path, int]:
        return self._fleet("classic", endpoints, write_classic_fleet)

    def _fleet(self, kind: str, size: int, write: Callable[[Path, int], int]) -> tuple[Path, int]:
        """The fleet's directory in the scratch directory (written once) and its resources."""
        key = (kind, size)
        if key not in self._fleets:
            directory = self.scratch / f"{kind}-fleet-{size}"
            self._fleets[key] = (directory, write(directory, size))
        return self._fleets[key]

    def plan(self, emulator: Emulator, directory: Path) -> tuple[ChildRun, dict[str, int]]:
        before = emulator.calls()
        run = self.reconciler.run("plan", str(directory), "--json", url=emulator.url)
        return run, call_difference(before, emulator.calls())

    def apply(
        self, emulator: Emulator, directory: Path, parallelism: str, poll_interval: str
    ) -> tuple[ChildRun, dict[str, int]]:
        before = emulator.calls()
        run = self.reconciler.run(
            "apply",
            str(directory),
            "--auto-approve",
            "--parallelism",
            parallelism,
            "--poll-interval",
            poll_interval,
            url=emulator.url,
        )
        return run, call_difference(before, emulator.calls())

    def converge(self) -> tuple[Path, int, Table | None]:
        """The immediate emulator holds the applied IC fleet; applies it when it does not."""
        directory, resources = self.ic_fleet(self.size)
        emulator = self.emulator("immediate")
        if self.converged == directory:
            return directory, resources, None
        self.reset(emulator)
        log(f"applying the {resources}-resource fleet (transitions immediate, parallelism 10)")
        run, calls = self.apply(emulator, directory, "10", "0.05")
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
        table.add("wall time per resource", [r.wall / resources * 1000 for r in runs], fmt_ms)
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
                run, counted = self.apply(emulator, directory, parallelism, "0.2")
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
                    rss[n] = rss_mib(process.pid)
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


def _mib(run: ChildRun) -> str:
    return "n/a" if run.max_rss_mib is None else fmt_mib(run.max_rss_mib)


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
