"""The controller under faults: `reconciler run` keeps going through 30% faults and a
short outage of a read, then converges without a restart once the faults stop; and 200
passes over the converged fleet do not grow its memory."""

from __future__ import annotations

import gc
import re
import signal
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from reconciler.aws import AwsGateway
from reconciler.controller.loop import Controller, ControllerSettings
from reconciler.controller.metrics import Metrics
from reconciler.emulator.control_client import ControlClient
from tests.reliability.support import READS, WRITES, EmulatorFaults, controller, figure
from tests.reliability.verify import assert_converged
from tests.support.controller import copies, http_get, metric, wait_for
from tests.support.env import Env, copy_examples

FAULTY_SECONDS = 5.0


def test_controller_converges_through_faults_without_a_restart(env: Env, tmp_path: Path) -> None:
    # First, the first two passes fail as a whole: their ListEndpoints is denied (an error
    # botocore does not retry, as while an IAM change propagates). Then 30% faults on
    # every write (after the write took effect) and every read.
    env.control.add_fault("ListEndpoints", "AccessDeniedException", rate=1.0, count=2)
    writes = EmulatorFaults(
        env.control, "InternalFailure", 0.3, after=True, first=False, operations=list(WRITES)
    )
    reads = EmulatorFaults(
        env.control, "ServiceUnavailable", 0.3, first=False, operations=list(READS)
    )
    with controller(env, tmp_path / "run", "--interval", "1s") as (child, base):
        started = time.monotonic()
        writes.start()
        reads.start()
        time.sleep(FAULTY_SECONDS / 2)
        env.edit(
            "shared-gpu/llama-chat.yaml",
            "RuntimeConfig: {CopyCount: 2}",
            "RuntimeConfig: {CopyCount: 3}",
        )
        time.sleep(max(0.0, started + FAULTY_SECONDS - time.monotonic()))
        outage = env.control.faults()[0]
        writes.collect()
        reads.stop()  # clears every fault
        assert outage["count"] == 0, "the failing passes did not happen"
        assert writes.fired and reads.fired, "no work was done under faults"

        wait_for(lambda: http_get(f"{base}/readyz")[0] == 200, what="ready")
        wait_for(
            lambda: env.reconciler("plan", str(env.directory), "--detailed-exitcode").code == 0,
            what="the account to converge",
        )
        assert child.process.is_alive(), "the controller exited"
        text = http_get(f"{base}/metrics")[1]
        assert metric(text, 'reconciler_passes_total{result="error"}') >= 1
        assert metric(text, 'reconciler_passes_total{result="success"}') >= 1
        child.send_signal(signal.SIGTERM)
        assert child.wait(timeout=15) == 0
    assert_converged(env)
    assert copies(env) == 3
    fired = sum(writes.fired.values()) + sum(reads.fired.values()) + 2
    calls = sum(writes.calls.values()) + sum(reads.calls.values())
    figure(
        f"controller: {FAULTY_SECONDS:.0f} s of 30% faults after 2 failed passes "
        f"({fired} faults in {calls} calls), then converged without a restart"
    )


@pytest.fixture
def fleet_elsewhere(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[Env]:
    """The converged examples in an emulator of its own process (`reconciler emulator`),
    so that this process's memory is the reconciler's alone."""
    directory = copy_examples(tmp_path / "manifests", hosting_only=True)  # see conftest
    server = subprocess.Popen(
        [sys.executable, "-m", "reconciler", "emulator", "--transitions", "describes:1"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        match = re.search(r"http://\S+", server.stdout.readline())
        assert match, "the emulator did not start"
        env = Env(match.group(0), ControlClient.over_http(match.group(0)), directory, capsys)
        run = env.apply()
        assert run.code == 0, run.out + run.err
        yield env
    finally:
        server.terminate()
        server.wait(timeout=10)


PASSES = 200
BASELINE_PASS = 20
MAX_GROWTH = 2 * 1024 * 1024


def test_memory_does_not_grow_over_200_passes(fleet_elsewhere: Env, quiet_logs: None) -> None:
    def client(service: str) -> Any:
        url = fleet_elsewhere.url
        return boto3.client(service, endpoint_url=url, region_name="us-east-1")  # type: ignore[call-overload]

    settings = ControllerSettings(
        directory=str(fleet_elsewhere.directory), owner="default", poll_interval=0.01
    )
    metrics = Metrics()
    aws = AwsGateway(
        clients={
            s: client(s)
            for s in (
                "sagemaker",
                "resourcegroupstaggingapi",
                "application-autoscaling",
                "cloudwatch",
            )
        },
        instrument=metrics.instrument,
    )
    loop = Controller(settings, aws, metrics=metrics)
    for _ in range(BASELINE_PASS - 1):
        assert loop.reconcile() == "success"
    # Traced from here on (tracing slows every allocation down); measured, garbage
    # collected first, after pass 20, half-way, and after pass 200.
    measured: dict[int, int] = {}
    tracemalloc.start()
    try:
        for number in range(BASELINE_PASS, PASSES + 1):
            assert loop.reconcile() == "success"
            if number in (BASELINE_PASS, (BASELINE_PASS + PASSES) // 2, PASSES):
                gc.collect()
                measured[number] = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    growth = measured[PASSES] - measured[BASELINE_PASS]
    figure(
        f"controller memory over {PASSES} passes on the converged fleet (tracemalloc, "
        f"allocations since pass {BASELINE_PASS - 1} still alive): "
        + ", ".join(f"{size / 1e3:.0f} kB after pass {n}" for n, size in measured.items())
        + f"; growth {growth / 1e3:+.0f} kB (bound {MAX_GROWTH / 1e6:.0f} MB)"
    )
    assert growth < MAX_GROWTH
