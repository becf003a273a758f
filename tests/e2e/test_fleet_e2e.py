"""`reconciler run --all-targets`: one process reconciles every target of the project on
its own (a target whose credentials reach the wrong account fails alone, visibly in
/metrics and /readyz), and replicas share the targets through the lease table — a
killed replica's targets are taken over by the other, never with two writers at once,
also when one replica's wall clock runs an hour ahead."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import boto3
import pytest

from tests.e2e.test_targets_e2e import AMBIENT, STAGING, _endpoints
from tests.support.controller import http_get, metric, serving, wait_for
from tests.support.env import Env, copy_examples
from tests.support.receiver import receiving, wait_until
from tests.support.roles import trust

PROJECT = f"""\
targets:
  dev:
    region: us-east-1
    account_id: "{AMBIENT}"
    manifests: fleet
  staging:
    region: us-east-1
    account_id: "{STAGING}"
    role_arn: arn:aws:iam::{STAGING}:role/sagemaker-reconciler
    manifests: fleet
  broken:
    region: us-west-2
    account_id: "999999999999"   # no role: the ambient credentials reach {AMBIENT}
    manifests: fleet
"""

# A replica whose wall clock runs an hour ahead (the lease must not trust clocks).
AHEAD = (
    "import sys, time; _wall = time.time; time.time = lambda: _wall() + 3600; "
    "from reconciler.cli import main; sys.exit(main(sys.argv[1:]))"
)


@pytest.fixture(autouse=True)
def _roles(env: Env) -> None:
    """The staging target's role, and the reader's (see test_targets_e2e)."""
    trust(env.url, f"arn:aws:iam::{STAGING}:role/sagemaker-reconciler")
    trust(env.url, f"arn:aws:iam::{STAGING}:role/reader")


def _project(root: Path, text: str = PROJECT) -> str:
    copy_examples(root / "fleet", hosting_only=True)
    (root / "reconciler.yaml").write_text(text)
    return str(root / "reconciler.yaml")


@contextmanager
def fleet(
    env: Env, project: str, *args: str, ahead: bool = False
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    head = [sys.executable, "-c", AHEAD] if ahead else [sys.executable, "-m", "reconciler"]
    with serving(
        [*head, *_run(env, project), "--poll-interval", "0.01", "--interval", "1s", *args]
    ) as served:
        yield served


def _run(env: Env, project: str) -> list[str]:
    return [
        "run",
        "--all-targets",
        "--project",
        project,
        "--listen",
        "127.0.0.1:0",
        "--endpoint-url",
        env.url,
    ]


def test_a_broken_target_fails_alone_and_shows_in_metrics_and_readiness(
    env: Env, tmp_path: Path
) -> None:
    project = _project(tmp_path / "repo")
    with (
        receiving() as webhook,
        fleet(env, project, "--notify", f"webhook:{webhook.url}") as (
            _,
            url,
        ),
    ):
        wanted = {"shared-gpu", "churn"}
        wait_for(lambda: _endpoints(env, AMBIENT, "us-east-1") == wanted, 60, "dev converged")
        wait_for(lambda: _endpoints(env, STAGING, "us-east-1") == wanted, 60, "staging converged")

        def text() -> str:
            return http_get(f"{url}/metrics")[1]

        wait_for(
            lambda: metric(text(), 'reconciler_passes_total{result="error",target="broken"}') >= 2,
            30,
            "the broken target's failed passes",
        )
        wait_for(
            lambda: metric(text(), 'reconciler_passes_total{result="success",target="dev"}') >= 2,
            30,
            "dev's passes going on",
        )
        assert metric(text(), 'reconciler_passes_total{result="success",target="broken"}') == 0
        status, body = http_get(f"{url}/readyz")
        assert status == 503
        assert json.loads(body)["targets"] == {
            "dev": "ready",
            "staging": "ready",
            "broken": "not ready",
        }
        # Each target's apply is notified under its own name (the broken one applies
        # nothing: an unreadable account is not an apply).
        assert wait_until(
            lambda: {e["target"] for e in webhook.of_kind("apply_result")} == {"dev", "staging"}
        ), webhook.kinds()
        assert {e["owner"] for e in webhook.of_kind("apply_result")} == {"dev", "staging"}
    # Nothing reached the account the broken target's credentials are really for, in
    # its region.
    assert _endpoints(env, AMBIENT, "us-west-2") == set()


def _lock_table(env: Env) -> str:
    dynamodb = boto3.client("dynamodb", endpoint_url=env.url, region_name="us-east-1")
    dynamodb.create_table(
        TableName="reconciler-locks",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "lock_id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "lock_id", "KeyType": "HASH"}],
    )
    return "reconciler-locks"


def _held(url: str) -> set[str]:
    """The targets a replica says it holds (none once it is gone)."""
    try:
        status, text = http_get(f"{url}/metrics")
    except OSError:  # connection refused: the replica was killed
        return set()
    if status != 200:
        return set()
    held = set()
    for line in text.splitlines():
        found = re.match(r'reconciler_target_held\{target="([^"]+)"\} 1\.0$', line)
        if found:
            held.add(found.group(1))
    return held


@pytest.mark.parametrize("ahead", [False, True], ids=["same-clock", "second-an-hour-ahead"])
def test_two_replicas_split_the_targets_and_one_takes_all_after_the_other_is_killed(
    env: Env, tmp_path: Path, ahead: bool
) -> None:
    project = _project(
        tmp_path / "repo",
        PROJECT.replace(
            '"999999999999"   # no role: the ambient credentials reach', f'"{AMBIENT}"  #'
        ).replace("region: us-west-2", "region: us-west-2\n    owner: broken-but-fixed"),
    )
    table = _lock_table(env)
    args = ("--lock-table", table, "--lock-lease", "2s", "--region", "us-east-1")
    overlaps: list[tuple[set[str], set[str]]] = []  # (held by both, the second's)
    with (
        fleet(env, project, *args) as (first, first_url),
        fleet(env, project, *args, ahead=ahead) as (_second, second_url),
    ):
        done = threading.Event()

        def watch() -> None:
            # No target is ever held by both replicas (sampled all along). The two
            # replicas cannot be read at one instant, so the first is read before and
            # after the second: a target counts as held by both only when the first held
            # it on both sides of the second's reading (a lease handed over from the
            # first to the second between two readings is no overlap).
            while not done.is_set():
                before, two = _held(first_url), _held(second_url)
                after = _held(first_url)
                both = before & after & two
                if both:
                    overlaps.append((both, two))
                time.sleep(0.05)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        try:
            wait_for(
                lambda: (
                    len(_held(first_url) | _held(second_url)) == 3
                    and bool(_held(first_url))
                    and bool(_held(second_url))
                ),
                40,
                "the replicas to split the three targets",
            )
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
            killed = time.monotonic()
            wait_for(lambda: _held(second_url) == {"dev", "staging", "broken"}, 20, "the takeover")
            took = time.monotonic() - killed
            # One lease (2 s) after the killed replica's last renewal, plus the survivor's
            # polls (every lease/3).
            assert took < 2.0 * 3, took
            wait_for(lambda: http_get(f"{second_url}/readyz")[0] == 200, 30, "the survivor ready")
        finally:
            done.set()
            watcher.join()
    assert overlaps == []


def test_targets_that_would_share_resources_are_refused_before_anything_starts(
    env: Env, tmp_path: Path
) -> None:
    # staging moved into dev's account and region: both would own Endpoint shared-gpu.
    project = _project(
        tmp_path / "repo",
        PROJECT.replace(STAGING, AMBIENT).replace(
            f"    role_arn: arn:aws:iam::{AMBIENT}:role/sagemaker-reconciler\n", ""
        ),
    )
    before = env.control.calls()
    done = subprocess.run(
        [sys.executable, "-m", "reconciler", *_run(env, project)],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ),
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "targets 'dev' and 'staging' both declare Endpoint 'shared-gpu'" in done.stderr
    assert "nothing was started" in done.stderr
    assert env.control.calls() == before
