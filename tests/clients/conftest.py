"""Real clients against the emulator: the AWS CLI (v1) and the SageMaker Python SDK (v3).

They live in their own virtual environment (each pins its own botocore, which must not
replace the project's), named by ``RECONCILER_CLIENTS_VENV``; ``.ci/run`` makes one. The
clients run as subprocesses over HTTP against an emulator served by this test process;
the reconciler runs through its own CLI (``python -m reconciler``) in the project's venv.
Without the variable every test here is skipped, saying how to make the venv.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from reconciler.emulator.control_client import ControlClient
from tests.support.env import serving

VENV_VARIABLE = "RECONCILER_CLIENTS_VENV"
HOW_TO = (
    f"{VENV_VARIABLE} is not set: make the clients' venv with "
    "`python3 -m venv /tmp/clients && /tmp/clients/bin/pip install awscli 'sagemaker>=3,<4'` "
    f"and export {VENV_VARIABLE}=/tmp/clients"
)
# Calls of a client subprocess (the SDK's import alone takes about 10 s).
CLIENT_TIMEOUT = 300


@dataclass
class Done:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@dataclass
class Clients:
    """The emulator, the clients' venv and the reconciler CLI, as one test sees them."""

    url: str
    venv: Path
    control: ControlClient
    env: dict[str, str]

    def _run(self, argv: list[str], *, check: bool = True, **extra_env: str) -> Done:
        finished = subprocess.run(
            argv,
            env={**self.env, **extra_env},
            capture_output=True,
            text=True,
            timeout=CLIENT_TIMEOUT,
            stdin=subprocess.DEVNULL,
        )
        done = Done(finished.returncode, finished.stdout, finished.stderr)
        if check:
            assert done.code == 0, f"{argv[:4]} exited {done.code}:\n{done.out}\n{done.err}"
        return done

    def aws(self, *args: str, check: bool = True) -> Done:
        """The AWS CLI, pointed at the emulator, JSON output."""
        argv = [str(self.venv / "bin" / "aws"), "--endpoint-url", self.url, "--output", "json"]
        return self._run([*argv, *args], check=check)

    def python(self, script: Path, *args: str) -> Done:
        """A script run by the clients' python, with AWS_ENDPOINT_URL at the emulator."""
        python = str(self.venv / "bin" / "python")
        return self._run([python, str(script), *args], AWS_ENDPOINT_URL=self.url)

    def reconciler(self, *args: str, check: bool = True) -> Done:
        """This project's CLI, in the project's venv."""
        argv = [sys.executable, "-m", "reconciler", *args]
        if args[0] in ("plan", "apply", "export", "status"):
            argv += ["--endpoint-url", self.url]
        if args[0] == "apply":
            argv += ["--poll-interval", "0.05"]
        return self._run(argv, check=check)

    def plan(self, directory: Path) -> dict[str, Any]:
        document: dict[str, Any] = self.reconciler("plan", str(directory), "--json").json()
        return document


def _clients_venv() -> Path:
    value = os.environ.get(VENV_VARIABLE)
    if not value and os.environ.get("CI") == "true":
        # .ci/run always makes the venv: in CI its absence is a broken gate, not a skip.
        pytest.fail(f"in CI, {HOW_TO}")
    if not value:
        pytest.skip(HOW_TO)
    venv = Path(value)
    missing = [p for p in ("bin/aws", "bin/python") if not (venv / p).exists()]
    if missing:
        pytest.skip(f"{VENV_VARIABLE}={value} has no {', '.join(missing)}: {HOW_TO}")
    return venv


@pytest.fixture
def clients(tmp_path: Path) -> Iterator[Clients]:
    venv = _clients_venv()
    with serving() as served:
        # Dummy credentials and nothing of the machine's own AWS configuration.
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            AWS_DEFAULT_REGION="us-east-1",
            AWS_CONFIG_FILE=os.devnull,
            AWS_SHARED_CREDENTIALS_FILE=os.devnull,
            AWS_PAGER="",
            HOME=str(tmp_path),
        )
        yield Clients(served.url, venv, served.control, env)
