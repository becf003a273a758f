"""The processes a benchmark runs: ``python -m reconciler ...`` as a timed child with its
peak memory, and the emulator as a separate process with its call counters."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from reconciler.emulator.control_client import ControlClient

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
EMULATOR_COMMAND = (PYTHON, "-m", "reconciler", "emulator", "--port", "0")
CHILD_TIMEOUT = 1800.0  # seconds; a child that takes longer is a hang, not a figure


class BenchError(RuntimeError):
    pass


def log(message: str) -> None:
    print(f"[fleet] {message}", file=sys.stderr, flush=True)


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


def rss_mib(pid: int) -> float:
    """A live process's resident set size (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise BenchError(f"no VmRSS for {pid}")
