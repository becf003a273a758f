"""Apply keeps its promises when SageMaker misbehaves: throttling, 5xx errors (also on
writes that took effect), and a reconciler killed in the middle of an apply."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.support.account import account_names
from tests.support.env import Env
from tests.support.operations import CLUSTER_READS, CLUSTER_WRITES, HOSTING_READS, HOSTING_WRITES

WRITES = [*HOSTING_WRITES, *CLUSTER_WRITES]
READS = [*HOSTING_READS, *CLUSTER_READS]


def desired_names(env: Env) -> set[str]:
    document = env.plan_json()
    assert document["changes"] == [], document["changes"]
    run = env.reconciler("status", str(env.directory), "--json", "--endpoint-url", env.url)
    import json

    rows = json.loads(run.out)["resources"]
    return {f"{r['address'].split('/')[0]}/{r['physical_name']}" for r in rows}


def assert_converged_exactly(env: Env) -> None:
    """The next plan is empty and the account holds the desired resources, nothing more."""
    assert env.reconciler("plan", str(env.directory), "--detailed-exitcode").code == 0
    assert account_names(env) == desired_names(env)


def test_apply_converges_through_30_percent_throttling_and_server_errors(env: Env) -> None:
    env.control.add_fault(WRITES, "ThrottlingException", rate=0.3)
    env.control.add_fault(WRITES, "InternalFailure", rate=0.3, after=True)
    env.control.add_fault(READS, "ServiceUnavailable", rate=0.3)
    run = env.apply()
    assert run.code == 0, run.out + run.err
    # Then edits, still under faults.
    env.edit(
        "shared-gpu/llama-chat.yaml",
        "RuntimeConfig: {CopyCount: 2}",
        "RuntimeConfig: {CopyCount: 3}",
    )
    env.edit("classic/churn.yaml", "sagemaker-xgboost:1.7-1", "sagemaker-xgboost:1.7-2")
    run = env.apply()
    assert run.code == 0, run.out + run.err
    env.control.clear_faults()
    assert_converged_exactly(env)


@pytest.mark.parametrize("kill_after_write", [1, 3, 5, 7, 10])
def test_apply_killed_after_any_write_converges_on_the_next_run(
    env: Env, kill_after_write: int
) -> None:
    # The k-th write takes effect and then hangs, so the process is killed mid-call.
    env.control.add_fault(WRITES, "Hang", after=True, skip=kill_after_write - 1, count=1)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reconciler",
            "apply",
            str(env.directory),
            "--auto-approve",
            "--endpoint-url",
            env.url,
            "--poll-interval",
            "0.01",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=dict(os.environ),
    )
    deadline = time.monotonic() + 60
    while sum(env.control.calls().get(op, 0) for op in WRITES) < kill_after_write:
        assert process.poll() is None, "apply ended before the kill point"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    env.control.clear_faults()

    run = env.apply()
    assert run.code == 0, run.out + run.err
    assert_converged_exactly(env)
