"""Fault matrix: every write and read the reconciler uses fails 30% of the time, in each
way SageMaker (or the network) fails, through a scenario that calls every one of them —
and every apply still converges to exactly the desired resources.

The scenario: create the examples; then one edit of each kind (copy count →
UpdateInferenceComponentRuntimeConfig, IC specification → UpdateInferenceComponent, a
model image → CreateModel + CreateEndpointConfig + UpdateEndpoint + DeleteEndpointConfig +
DeleteModel, a tag added → AddTags, a tag removed → DeleteTags); then two manifests removed
(→ DeleteInferenceComponent, DeleteEndpoint, DeleteEndpointConfig, DeleteModel). Each step
is an apply followed by a status, both under faults: the status must find every resource
InSync (it lists every change the plan would make, deletes as Orphaned, so the next plan
is empty), and, faults paused, the account must hold exactly what it lists, each resource
ours and under its own address. After the last step, the same again with the plan itself.

Faults are injected on all the operations at once, one rule per operation (so they can be
counted), at rate 0.3, plus one certain fault on the first call of every operation, so
that each operation of the matrix is faulted at least once whatever the dice say.

Connection resets and read timeouts cannot be injected by the emulator: they are raised
by a botocore hook on the clients the reconciler builds (see `TransportFaults`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.retries.standard import ExponentialBackoff

from tests.reliability.support import (
    MATRIX,
    EmulatorFaults,
    TransportFaults,
    figure,
    seed_of,
    tally,
)
from tests.reliability.verify import assert_account_matches, assert_converged
from tests.support.env import Env

RATE = 0.3


@pytest.fixture(autouse=True)
def _short_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore backs off from throttling with a 1 s base (other errors: 50 ms), which
    would make this module take minutes. The emulator enforces no rate and recovers at
    once, so the length of the pause proves nothing: use 10 ms for both. Which errors
    are retried, how many times, and the retry quota are botocore's, unchanged."""
    monkeypatch.setattr(
        ExponentialBackoff,
        "_DEFAULT_BACKOFF_CONFIG",
        {"throttling_base_scale": 0.01, "non_throttling_base_scale": 0.01},
    )


def _edit_every_way(env: Env) -> None:
    env.edit(
        "shared-gpu/llama-chat.yaml",
        "RuntimeConfig: {CopyCount: 2}",
        "RuntimeConfig: {CopyCount: 3}",
    )
    env.edit(
        "shared-gpu/mistral-summarize.yaml",
        "NumberOfCpuCoresRequired: 4",
        "NumberOfCpuCoresRequired: 2",
    )
    env.edit("classic/churn.yaml", "sagemaker-xgboost:1.7-1", "sagemaker-xgboost:1.7-2")
    # The first `tags:` of llama-chat.yaml is the Model's: AddTags (after DescribeModel).
    env.edit(
        "shared-gpu/llama-chat.yaml",
        "tags: {team: ml-platform}",
        'tags: {team: ml-platform, cost-center: "4711"}',
    )
    # The first of endpoint.yaml is the EndpointConfig's: DeleteTags.
    env.edit("shared-gpu/endpoint.yaml", "  tags: {team: ml-platform}\n", "")


def _remove_manifests(env: Env) -> None:
    (env.directory / "shared-gpu" / "mistral-summarize.yaml").unlink()
    (env.directory / "classic" / "churn.yaml").unlink()


STEPS: list[tuple[str, Callable[[Env], None]]] = [
    ("create the examples", lambda env: None),
    ("edit every way", _edit_every_way),
    ("remove two manifests", _remove_manifests),
]


def _apply_and_status(env: Env) -> list[dict[str, Any]]:
    run = env.apply()
    assert run.code == 0, run.out + run.err
    # Plan, apply and status read tags in batches (GetResources); one ListTags per
    # resource is the fallback when the tagging API is refused (no tag:GetResources
    # permission): this status takes it, so ListTags is faulted too.
    env.control.add_fault("GetResources", "AccessDeniedException", count=1)
    status = env.reconciler("status", str(env.directory), "--json", "--endpoint-url", env.url)
    assert status.code == 0, status.err
    rows: list[dict[str, Any]] = json.loads(status.out)["resources"]
    return rows


FAULT_KINDS = [
    pytest.param("ThrottlingException", False, id="throttling"),
    pytest.param("InternalFailure", False, id="internal-failure-500"),
    pytest.param("InternalFailure", True, id="internal-failure-after-write"),
    pytest.param("ServiceUnavailable", False, id="service-unavailable-503"),
]


@pytest.mark.parametrize(("error", "after"), FAULT_KINDS)
def test_every_operation_faulted_30_percent_converges_exactly(
    env: Env, error: str, after: bool
) -> None:
    faults = EmulatorFaults(env.control, error, rate=RATE, after=after)
    for _, step in STEPS:
        step(env)
        faults.start()
        try:
            rows = _apply_and_status(env)
        finally:
            faults.stop()
        assert_account_matches(env, rows)
    assert_converged(env)

    assert {op for op in MATRIX if not faults.calls[op]} == set(), "operations not exercised"
    assert {op for op in MATRIX if not faults.fired[op]} == set(), "operations never faulted"
    name = error + (" (after the write took effect)" if after else "")
    figure(f"fault matrix, {name} at {RATE:.0%}: {faults.summary()}; converged, 0 lost")
    _tally(sum(faults.fired.values()), sum(faults.calls.values()))


def _tally(fired: int, calls: int) -> None:
    tally("fault matrix: fault kinds run on all 23 operations, each converged exactly")
    tally("fault matrix: faults injected", fired)
    tally("fault matrix: calls made under faults", calls)


@pytest.mark.parametrize("mode", ["connection-reset", "read-timeout"])
def test_every_operation_with_30_percent_network_faults_converges_exactly(
    env: Env, mode: str, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    faults = TransportFaults(mode, RATE, MATRIX, seed=seed_of(request))
    faults.install(monkeypatch)
    for _, step in STEPS:
        step(env)
        faults.enabled = True
        try:
            rows = _apply_and_status(env)
        finally:
            faults.enabled = False
        assert_account_matches(env, rows)
    assert_converged(env)

    assert {op for op in MATRIX if not faults.seen[op]} == set(), "operations not exercised"
    assert {op for op in MATRIX if not faults.fired[op]} == set(), "operations never faulted"
    figure(f"fault matrix, {mode} at {RATE:.0%} (client side): {faults.summary()}; converged")
    _tally(sum(faults.fired.values()), sum(faults.seen.values()))
