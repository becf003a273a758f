"""The `reconciler` command as a user runs it: version, and the emulator in its own process."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator

import boto3
import pytest

from reconciler import __version__


def test_version_from_module_entry_point() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "reconciler", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout.strip() == f"reconciler {__version__}"


def test_bad_transitions_is_a_one_line_error() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "reconciler", "emulator", "--transitions", "sometimes"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 1
    assert "invalid transitions 'sometimes'" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture
def emulator_process() -> Iterator[tuple[subprocess.Popen[str], str]]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reconciler",
            "emulator",
            "--port",
            "0",
            "--transitions",
            "describes:1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    prefix = "SageMaker emulator listening on "
    assert line.startswith(prefix), line + (
        process.stderr.read() if process.poll() is not None else ""
    )
    try:
        yield process, line[len(prefix) :].strip()
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def test_emulator_command_serves_sagemaker_and_control_api(
    emulator_process: tuple[subprocess.Popen[str], str],
) -> None:
    process, url = emulator_process
    assert url.startswith("http://127.0.0.1:")
    sm = boto3.client("sagemaker", endpoint_url=url, region_name="us-east-1")
    sm.create_model(
        ModelName="m",
        PrimaryContainer={"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/x:1"},
        ExecutionRoleArn="arn:aws:iam::123456789012:role/r",
    )
    assert [m["ModelName"] for m in sm.list_models()["Models"]] == ["m"]

    with urllib.request.urlopen(f"{url}/_emulator/calls", timeout=10) as response:
        assert json.loads(response.read()) == {"CreateModel": 1, "ListModels": 1}
    with urllib.request.urlopen(f"{url}/_emulator/config", timeout=10) as response:
        assert json.loads(response.read()) == {"transitions": "describes:1", "server_fields": "aws"}

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0
