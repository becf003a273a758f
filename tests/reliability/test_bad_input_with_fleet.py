"""Bad input never reaches the account: every case of tests/bad_inputs/, given to
`reconciler apply --auto-approve` and to `reconciler plan` against an emulator holding the
converged example fleet, exits 1 with the problem at its file and line, and makes no
call at all to the emulator (so no write); the fleet is as it was.

One emulator and fleet serve the whole module (a case that wrote anything would fail
its own test, and the last test re-checks the fleet)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from reconciler import cli
from reconciler.emulator.control_client import ControlClient
from tests.reliability.support import tally
from tests.reliability.verify import account_tags, assert_converged
from tests.support.calls import delta, writes_of
from tests.support.env import Env, copy_examples, serving
from tests.test_bad_inputs import CASES


@dataclass
class Fleet:
    url: str
    control: ControlClient
    directory: Path
    snapshot: dict[str, dict[str, str]]


@pytest.fixture(scope="module")
def fleet_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    # Independent of the HyperPod work in progress (see conftest).
    directory = copy_examples(tmp_path_factory.mktemp("fleet") / "manifests", hosting_only=True)
    # The function-scoped `_no_real_aws` of tests/conftest.py has not run yet here.
    with pytest.MonkeyPatch.context() as patch, serving(reset=False) as served:
        for name in [n for n in os.environ if n.startswith("AWS_")]:
            patch.delenv(name)
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        patch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        argv = ["apply", str(directory), "--auto-approve", "--endpoint-url", served.url]
        assert cli.main([*argv, "--poll-interval", "0.01"]) == 0
        world = Fleet(served.url, served.control, directory, {})
        world.snapshot = account_tags(_env(world, None))
        yield world


def _env(world: Fleet, capsys: Any) -> Env:
    return Env(world.url, world.control, world.directory, capsys)


@pytest.fixture
def fleet(fleet_world: Fleet, capsys: pytest.CaptureFixture[str]) -> Env:
    return _env(fleet_world, capsys)


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 60


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input_is_refused_before_any_call(fleet: Env, case: Path) -> None:
    where, needle = (case / "expect.txt").read_text(encoding="utf-8").splitlines()[:2]
    before = fleet.control.calls()
    for argv in (["apply", str(case), "--auto-approve"], ["plan", str(case)]):
        run = fleet.reconciler(*argv)
        assert run.code == 1, (argv[0], run.out, run.err)
        assert "Traceback" not in run.err
        located = [line for line in run.err.splitlines() if f"/{where}: " in line]
        assert located, f"{argv[0]}: no stderr line names {where}:\n{run.err}"
        assert any(needle in line for line in located), f"{argv[0]}: {needle!r} not in {located}"
    made = delta(before, fleet.control.calls())
    assert writes_of(made) == {}
    assert made == {}, "bad input must be refused before any AWS call"
    tally("bad inputs refused by apply and by plan, each with 0 calls to the account")


def test_the_fleet_is_untouched_after_the_whole_corpus(fleet: Env, fleet_world: Fleet) -> None:
    assert account_tags(fleet) == fleet_world.snapshot
    assert_converged(fleet)
