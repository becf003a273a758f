"""`reconciler run` as a user deploys it: becomes ready, follows manifest edits, corrects
(or only reports) drift made outside git, survives a broken manifest without deleting
anything, exits 0 on SIGTERM; and the DynamoDB lease that keeps writers single."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest

from reconciler.aws import AwsGateway
from reconciler.commands.common import UserError
from reconciler.controller.lock import LeaseLock
from tests.support.controller import copies, http_get, metric, run_argv, serving, wait_for
from tests.support.env import Env


@contextmanager
def controller(env: Env, *args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    with serving(run_argv(env, "--poll-interval", "0.01", "--debounce", "0.2", *args)) as served:
        yield served


def test_controller_follows_git_heals_drift_and_stops_cleanly(env: Env) -> None:
    with controller(env, "--interval", "1s") as (process, base):
        assert http_get(f"{base}/healthz")[0] == 200
        wait_for(lambda: http_get(f"{base}/readyz")[0] == 200, what="ready")
        assert copies(env) == 2

        # An edit in git is applied without a restart.
        env.edit(
            "shared-gpu/llama-chat.yaml",
            "RuntimeConfig: {CopyCount: 2}",
            "RuntimeConfig: {CopyCount: 3}",
        )
        wait_for(lambda: copies(env) == 3, what="the edit to be applied")

        # Drift made outside git is corrected at the next resync.
        env.sagemaker().update_inference_component_runtime_config(
            InferenceComponentName="llama-chat", DesiredRuntimeConfig={"CopyCount": 7}
        )
        wait_for(lambda: copies(env) == 3, what="drift to be healed")

        # A broken manifest: reported, nothing deleted, the account left as it is.
        (env.directory / "shared-gpu" / "llama-chat.yaml").write_text("kind: [broken\n")
        time.sleep(2.5)
        assert copies(env) == 3
        names = {e["EndpointName"] for e in env.sagemaker().list_endpoints()["Endpoints"]}
        assert names == {"shared-gpu", "churn"}

        status, text = http_get(f"{base}/metrics")
        assert status == 200
        for name in (
            "reconciler_pass_duration_seconds",
            "reconciler_passes_total",
            "reconciler_api_calls_total",
            "reconciler_resources",
            "reconciler_drift_detected_total",
            "reconciler_last_success_timestamp_seconds",
        ):
            assert name in text
        assert metric(text, 'reconciler_passes_total{result="invalid"}') >= 1
        assert metric(text, "reconciler_drift_detected_total") >= 2

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
        assert process.stderr is not None
        assert "invalid_manifest" in process.stderr.read()


def test_detect_mode_reports_drift_and_changes_nothing(env: Env) -> None:
    assert env.apply().code == 0
    env.sagemaker().update_inference_component_runtime_config(
        InferenceComponentName="llama-chat", DesiredRuntimeConfig={"CopyCount": 5}
    )
    before = {op: n for op, n in env.control.calls().items()}
    with controller(env, "--interval", "1s", "--mode", "detect") as (process, base):
        wait_for(
            lambda: metric(http_get(f"{base}/metrics")[1], "reconciler_drift_detected_total") >= 2,
            what="drift reports",
        )
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    after = env.control.calls()
    writes = {
        op
        for op in after
        if op.startswith(("Create", "Update", "Delete", "AddTags"))
        and after[op] != before.get(op, 0)
    }
    assert writes == set()
    assert copies(env) == 5


@pytest.fixture
def lock_table(env: Env) -> str:
    dynamodb = boto3.client("dynamodb", endpoint_url=env.url, region_name="us-east-1")
    dynamodb.create_table(
        TableName="reconciler-locks",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "lock_id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "lock_id", "KeyType": "HASH"}],
    )
    return "reconciler-locks"


def test_lease_lock_keeps_one_writer_and_expires_after_a_crash(env: Env, lock_table: str) -> None:
    dynamodb = boto3.client("dynamodb", endpoint_url=env.url, region_name="us-east-1")
    first = LeaseLock(
        AwsGateway(clients={"dynamodb": dynamodb}), lock_table, lease=1.0, holder="ci-apply"
    )
    second = LeaseLock(
        AwsGateway(clients={"dynamodb": dynamodb}), lock_table, lease=1.0, holder="controller"
    )
    first.acquire(timeout=1)
    with pytest.raises(UserError, match="held by ci-apply; gave up after 1s"):
        second.acquire(timeout=1, poll=0.1)
    time.sleep(1.5)  # renewal keeps it ours past the lease
    assert not second.try_acquire()
    first.release()
    second.acquire(timeout=1, poll=0.1)
    # A holder that dies stops renewing; its lease runs out and the next one takes over.
    second._stop.set()
    third = LeaseLock(
        AwsGateway(clients={"dynamodb": dynamodb}), lock_table, lease=1.0, holder="replica-2"
    )
    third.acquire(timeout=5, poll=0.1)
    assert third.current_holder() == "replica-2"
    third.release()


def test_two_applies_with_the_lock_do_not_interleave(env: Env, lock_table: str) -> None:
    dynamodb = boto3.client("dynamodb", endpoint_url=env.url, region_name="us-east-1")
    holder = LeaseLock(
        AwsGateway(clients={"dynamodb": dynamodb}),
        lock_table,
        lease=5.0,
        holder="controller-replica",
    )
    holder.acquire(timeout=1)
    try:
        run = env.apply("--lock-table", lock_table, "--lock-timeout", "1s")
        assert run.code == 1
        assert "held by controller-replica" in run.err
        assert set(env.writes()) == {"CreateTable"}  # the test's own table; nothing else
    finally:
        holder.release()
    assert env.apply("--lock-table", lock_table, "--lock-timeout", "5s").code == 0


def test_an_apply_whose_lease_ran_out_starts_no_write(
    env: Env, lock_table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import reconciler.commands.apply as apply_command

    class RanOut(LeaseLock):
        """Taken, then not renewed for a whole lease (the table out of reach)."""

        def acquire(self, timeout: float, poll: float = 1.0, stop: Any = None) -> None:
            super().acquire(timeout, poll, stop)
            assert self._renewed_at is not None
            self._renewed_at -= self.lease

    monkeypatch.setattr(apply_command, "LeaseLock", RanOut)
    run = env.apply("--lock-table", lock_table)
    assert run.code == 1
    assert "no new write is started" in run.out
    # The test's table and the release of the lock; not one SageMaker write.
    assert set(env.writes()) == {"CreateTable", "DeleteItem"}


def test_standby_replica_takes_over_when_the_active_one_is_killed(
    env: Env, lock_table: str
) -> None:
    args = ("--interval", "1s", "--lock-table", lock_table, "--lock-lease", "2s")
    with (
        controller(env, *args) as (first, first_url),
        controller(env, *args) as (second, second_url),
    ):

        def passes(url: str) -> float:
            return metric(http_get(f"{url}/metrics")[1], "reconciler_passes_total")

        wait_for(lambda: passes(first_url) + passes(second_url) >= 2, what="an active replica")
        active, standby_url = (first, second_url) if passes(first_url) else (second, first_url)
        assert passes(standby_url) == 0
        active.send_signal(signal.SIGKILL)
        active.wait(timeout=10)
        wait_for(lambda: passes(standby_url) >= 1, timeout=15, what="the standby to take over")


def test_an_idle_controller_stays_idle_between_resyncs(env: Env) -> None:
    # Its own reads of the manifests, and files written next to them, are not changes.
    (env.directory.parent / "controller.log").write_text("")
    with controller(env, "--interval", "1h") as (process, base):
        wait_for(lambda: http_get(f"{base}/readyz")[0] == 200, what="ready")
        first = metric(http_get(f"{base}/metrics")[1], "reconciler_passes_total")
        for _ in range(10):
            (env.directory.parent / "controller.log").write_text("noise\n")
            time.sleep(0.2)
        assert metric(http_get(f"{base}/metrics")[1], "reconciler_passes_total") == first
        process.send_signal(signal.SIGHUP)  # "reconcile now"
        wait_for(
            lambda: metric(http_get(f"{base}/metrics")[1], "reconciler_passes_total") >= first + 1,
            what="the SIGHUP pass",
        )


def _git_sync_checkout(env: Env, nested: bool) -> tuple[Any, Any]:
    """A git-sync layout: ``root/.worktrees/<rev>`` checkouts and ``root/repo``, a relative
    symlink to the current one. Returns (root, the directory the controller is given)."""
    import shutil

    root = env.directory.parent / "git"
    first = root / ".worktrees" / "first"
    first.parent.mkdir(parents=True)
    shutil.move(str(env.directory), str(first / "manifests") if nested else str(first))
    (root / "repo").symlink_to(".worktrees/first")
    directory = root / "repo" / "manifests" if nested else root / "repo"
    env.directory = directory
    return root, directory


def _git_sync_swap(root: Any, nested: bool) -> None:
    """What git-sync does for a new revision: check it out into a new worktree, swap the
    link to it atomically (rename over the old link), and leave the old worktree in place
    for now (git-sync removes it later)."""
    import shutil

    first, second = root / ".worktrees" / "first", root / ".worktrees" / "second"
    shutil.copytree(first, second)
    manifest = second / ("manifests" if nested else "") / "shared-gpu" / "llama-chat.yaml"
    manifest.write_text(
        manifest.read_text().replace(
            "RuntimeConfig: {CopyCount: 2}", "RuntimeConfig: {CopyCount: 3}", 1
        )
    )
    (root / ".repo.tmp").symlink_to(".worktrees/second")
    os.replace(root / ".repo.tmp", root / "repo")
    assert first.is_dir()


@pytest.mark.parametrize("nested", [False, True], ids=["link-is-the-directory", "link-above-it"])
def test_a_git_sync_link_swap_is_applied_while_the_old_worktree_remains(
    env: Env, nested: bool
) -> None:
    root, _ = _git_sync_checkout(env, nested)
    with controller(env, "--interval", "1h") as (process, base):
        wait_for(lambda: http_get(f"{base}/readyz")[0] == 200, what="ready")
        assert copies(env) == 2
        _git_sync_swap(root, nested)
        wait_for(lambda: copies(env) == 3, timeout=20, what="the new revision to be applied")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0


def assert_one_line_error(code: int, err: str, *expected: str) -> None:
    assert code == 1, err
    assert "Traceback" not in err, err
    last = err.strip().splitlines()[-1]
    assert last.startswith("reconciler: "), err
    for text in expected:
        assert text in last, err


def test_apply_with_a_missing_lock_table_is_a_one_line_error(env: Env) -> None:
    run = env.apply("--lock-table", "no-such-table", "--lock-timeout", "1s")
    assert_one_line_error(run.code, run.err, "lock table no-such-table does not exist")
    assert env.writes() == {}


def test_apply_denied_by_the_lock_table_is_a_one_line_error(env: Env, lock_table: str) -> None:
    env.control.add_fault("PutItem", "AccessDeniedException")
    run = env.apply("--lock-table", lock_table, "--lock-timeout", "1s")
    assert_one_line_error(run.code, run.err, lock_table, "PutItem", "AccessDeniedException")
    assert set(env.writes()) == {"CreateTable"}  # the test's own table; nothing else


def test_apply_denied_reading_the_lock_holder_is_a_one_line_error(
    env: Env, lock_table: str
) -> None:
    dynamodb = boto3.client("dynamodb", endpoint_url=env.url, region_name="us-east-1")
    holder = LeaseLock(
        AwsGateway(clients={"dynamodb": dynamodb}),
        lock_table,
        lease=5.0,
        holder="controller-replica",
    )
    holder.acquire(timeout=1)
    try:
        env.control.add_fault("GetItem", "AccessDeniedException")
        run = env.apply("--lock-table", lock_table, "--lock-timeout", "1s")
        assert_one_line_error(run.code, run.err, lock_table, "GetItem", "AccessDeniedException")
    finally:
        env.control.clear_faults()
        holder.release()


def run_controller_until_exit(env: Env, *args: str) -> tuple[int, str]:
    completed = subprocess.run(
        run_argv(env, "--interval", "1h", *args),
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ),
    )
    return completed.returncode, completed.stderr


def test_run_with_a_missing_lock_table_is_a_one_line_error(env: Env) -> None:
    code, err = run_controller_until_exit(env, "--lock-table", "no-such-table")
    assert_one_line_error(code, err, "lock table no-such-table does not exist")
    assert env.writes() == {}


def test_run_denied_by_the_lock_table_is_a_one_line_error(env: Env, lock_table: str) -> None:
    env.control.add_fault("PutItem", "AccessDeniedException")
    code, err = run_controller_until_exit(env, "--lock-table", lock_table)
    assert_one_line_error(code, err, lock_table, "PutItem", "AccessDeniedException")
    assert set(env.writes()) == {"CreateTable"}
