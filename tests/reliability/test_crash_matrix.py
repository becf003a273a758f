"""Crash matrix: `reconciler apply` killed with SIGKILL right after its k-th write call
took effect, for every k of two realistic plans — the examples' first apply (9 writes)
and a model change plus an inference component's removal (5 writes) — and the next
apply converges with no orphans: every resource in the account is a desired one, ours,
under its own address, and the next plan is empty.

The k-th write is carried out by the emulator and then held (a `Hang` fault with
`after`, `skip=k-1`, `count=1`, as in tests/e2e/test_resilience.py), so the process dies
in the middle of that call, its answer never read.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.reliability.support import WRITES, start_apply, tally
from tests.reliability.verify import assert_converged
from tests.support.calls import delta, write_count, writes_of
from tests.support.env import Env


def _model_change_and_ic_removal(env: Env) -> None:
    # llama-model gets a new content-hash name: CreateModel, UpdateInferenceComponent of
    # llama-chat onto it, DeleteModel of the old name; mistral-summarize goes:
    # DeleteInferenceComponent, then DeleteModel of mistral-model.
    env.edit("shared-gpu/llama-chat.yaml", "llama-3-8b-instruct/", "llama-3-8b-instruct/v2/")
    (env.directory / "shared-gpu" / "mistral-summarize.yaml").unlink()


# name → (how to get from the converged examples to the plan; None: from an empty
# account), and the number of writes its apply makes.
PLANS: dict[str, tuple[Callable[[Env], None] | None, int]] = {
    "examples": (None, 9),
    "model-change+ic-removal": (_model_change_and_ic_removal, 5),
}
CASES = [
    pytest.param(plan, k, id=f"{plan}-write{k}")
    for plan, (_, writes) in PLANS.items()
    for k in range(1, writes + 1)
]


def test_the_plans_make_the_writes_the_matrix_kills_after(env: Env) -> None:
    for plan, (prepare, writes) in PLANS.items():
        if prepare is not None:
            prepare(env)
        before = env.control.calls()
        run = env.apply()
        assert run.code == 0, run.out + run.err
        made = writes_of(delta(before, env.control.calls()))
        assert sum(made.values()) == writes, (plan, made)


@pytest.mark.parametrize(("plan", "k"), CASES)
def test_apply_killed_after_its_kth_write_converges_on_the_next_run(
    env: Env, plan: str, k: int, tmp_path: Path
) -> None:
    prepare, _ = PLANS[plan]
    if prepare is not None:
        assert env.apply().code == 0
        prepare(env)
    writes_before = write_count(env.control.calls())
    env.control.add_fault(WRITES, "Hang", after=True, skip=k - 1, count=1)

    child = start_apply(env, tmp_path / "killed")
    deadline = time.monotonic() + 30
    while env.control.faults()[0]["count"] != 0:  # the k-th write not reached yet
        assert child.process.is_alive(), f"apply ended before write {k}:\n{child.err()}"
        assert time.monotonic() < deadline, f"apply never reached write {k}"
        time.sleep(0.01)
    child.send_signal(signal.SIGKILL)
    assert child.wait(timeout=10) == -signal.SIGKILL
    assert write_count(env.control.calls()) - writes_before >= k
    env.control.clear_faults()  # releases the held call; its answer goes nowhere

    run = env.apply()
    assert run.code == 0, run.out + run.err
    assert_converged(env)
    tally(
        "crash matrix: applies SIGKILLed right after write k, each converged by the next apply with 0 orphans"
    )
