"""The fleets `python -m benchmarks.fleet` measures are the fleets these tests check: the
generator is shared (``benchmarks.fleet.manifests``), so a figure in benchmarks/README.md
is a figure of valid manifests that converge, and the one-change scenario plans exactly
the one update the benchmark expects."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.fleet.manifests import (
    RESOURCES_PER_CLASSIC_ENDPOINT,
    RESOURCES_PER_GROUP,
    ic_group,
    write_classic_fleet,
    write_ic_fleet,
)
from tests.support.calls import delta, writes_of
from tests.support.env import Env, serving


@pytest.fixture
def bench_env(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[Env]:
    """An emulator over HTTP and an empty manifest directory."""
    directory = tmp_path / "fleet"
    directory.mkdir()
    with serving() as served:
        yield Env(served.url, served.control, directory, capsys)


def test_the_ic_fleet_is_valid_and_counted_as_the_benchmark_counts_it(bench_env: Env) -> None:
    resources = write_ic_fleet(bench_env.directory, 3)

    run = bench_env.reconciler("validate", str(bench_env.directory))

    assert resources == 3 * RESOURCES_PER_GROUP == 30
    assert (run.code, run.out) == (0, "30 resources in 3 files are valid\n"), run.err
    assert sorted(p.name for p in bench_env.directory.iterdir()) == [
        "g0000.yaml",
        "g0001.yaml",
        "g0002.yaml",
    ]


def test_the_classic_fleet_is_valid_and_counted_as_the_benchmark_counts_it(
    bench_env: Env,
) -> None:
    resources = write_classic_fleet(bench_env.directory, 4)

    run = bench_env.reconciler("validate", str(bench_env.directory))

    assert resources == 4 * RESOURCES_PER_CLASSIC_ENDPOINT == 12
    assert (run.code, run.out) == (0, "12 resources in 4 files are valid\n"), run.err


def test_an_ic_group_converges_and_one_copy_count_edit_is_one_runtime_update(
    bench_env: Env,
) -> None:
    resources = write_ic_fleet(bench_env.directory, 1)
    assert bench_env.plan_json()["summary"]["create"] == resources

    applied = bench_env.apply()
    assert applied.code == 0, applied.out + applied.err
    converged = bench_env.plan_json()
    assert converged["summary"]["no-op"] == resources
    assert [c for c in converged["changes"] if c["action"] != "no-op"] == []

    # plan-one-change and run-mode edit one IC's CopyCount this way.
    (bench_env.directory / "g0000.yaml").write_text(ic_group(0, copy_counts={3: 2}))
    edited = bench_env.plan_json()
    planned = [c for c in edited["changes"] if c["action"] != "no-op"]
    assert [(c["address"], c["action"], c["operations"]) for c in planned] == [
        ("InferenceComponent/g0000-ic3", "update", ["UpdateInferenceComponentRuntimeConfig"])
    ]
    assert edited["summary"]["no-op"] == resources - 1

    before = bench_env.control.calls()
    assert bench_env.apply().code == 0
    assert writes_of(delta(before, bench_env.control.calls())) == {
        "UpdateInferenceComponentRuntimeConfig": 1
    }
