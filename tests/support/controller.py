"""Helpers for tests of ``reconciler run``: waiting for a condition, reading the health
server, summing a Prometheus metric, and the copy count SageMaker reports for an IC."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from tests.support.env import Env


def wait_for(condition: Callable[[], Any], timeout: float = 30.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def http_get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def copies(env: Env, name: str = "llama-chat") -> int:
    sm = env.sagemaker()
    return int(
        sm.describe_inference_component(InferenceComponentName=name)["RuntimeConfig"][
            "DesiredCopyCount"
        ]
    )


def metric(text: str, name: str) -> float:
    """The sum of every sample of `name` (all its label sets) in a /metrics text."""
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name):
            total += float(line.rsplit(" ", 1)[1])
    return total


@contextmanager
def serving(argv: Sequence[str]) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """A `reconciler run` process (`argv`, with ``--listen 127.0.0.1:0``) and the URL of its
    health server, read from its first line; killed at the end if still running."""
    process = subprocess.Popen(
        list(argv),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    match = re.search(r"http://(\S+)", line)
    assert match, line + (
        process.stderr.read() if process.stderr and process.poll() is not None else ""
    )
    try:
        yield process, f"http://{match.group(1)}"
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def run_argv(env: Env, *args: str) -> list[str]:
    """`reconciler run` on the test's manifests and emulator, with an ephemeral port."""
    return [
        sys.executable,
        "-m",
        "reconciler",
        "run",
        str(env.directory),
        "--listen",
        "127.0.0.1:0",
        "--endpoint-url",
        env.url,
        *args,
    ]
