"""Replicas sharing the targets' leases, against the emulator's DynamoDB (moto) through the
real boto3 client: two replicas split three targets, the survivor of a crash holds all
three one lease after the dead one's last renewal (counted on its own clock, whatever its
wall clock says), a target never has two holders, a busy target is not given away, and a
replica gone for good stops being counted.

Each replica has a fake monotonic clock the tests move; the lease is long, so the renewal
threads never run: ``step`` renews what a live replica would have renewed meanwhile.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from reconciler.aws import AwsGateway
from reconciler.controller.sharing import TargetLeases, target_lock_id
from tests.conftest import Emulator
from tests.unit.test_lease_lock import Clock, crash

LEASE = 600.0
TARGETS = ["dev", "prod", "staging"]
TABLE_FILE = Path(__file__).resolve().parents[2] / "deploy" / "dynamodb-lock-table.json"
TABLE = json.loads(TABLE_FILE.read_text())["TableName"]


@pytest.fixture
def dynamodb(emulator: Emulator) -> Any:
    client = emulator.client("dynamodb")
    client.create_table(**json.loads(TABLE_FILE.read_text()))
    return client


@pytest.fixture
def replica(dynamodb: Any) -> Iterator[Callable[[str, Clock], TargetLeases]]:
    made: list[TargetLeases] = []

    def make(name: str, clock: Clock) -> TargetLeases:
        leases = TargetLeases(
            AwsGateway(clients={"dynamodb": dynamodb}),
            TABLE,
            TARGETS,
            lease=LEASE,
            holder=name,
            clock=clock,
        )
        made.append(leases)
        return leases

    yield make
    for leases in made:
        die(leases)


def die(leases: TargetLeases) -> None:
    """SIGKILL: renewals stop, nothing is deleted."""
    for lock in [leases.presence, *leases.locks.values()]:
        crash(lock)


def step(seconds: float, live: list[tuple[TargetLeases, Clock]]) -> None:
    """`seconds` pass on every clock; each live replica renews what it holds."""
    for leases, clock in live:
        clock.advance(seconds)
        for lock in [leases.presence, *leases.locks.values()]:
            if lock.held:
                assert lock.renew()


def holders(dynamodb: Any) -> dict[str, str]:
    """target → the holder its item names."""
    found = {}
    for target in TARGETS:
        item = dynamodb.get_item(
            TableName=TABLE, Key={"lock_id": {"S": target_lock_id(target)}}, ConsistentRead=True
        ).get("Item")
        if item:
            found[target] = item["holder"]["S"]
    return found


def assert_one_writer_each(replicas: list[TargetLeases]) -> None:
    held = [target for leases in replicas for target in leases.held()]
    assert len(held) == len(set(held)), held


@pytest.mark.parametrize("killed", ["the one with two", "the one with one"])
def test_two_replicas_split_three_targets_and_the_survivor_takes_all_after_one_lease(
    replica: Callable[[str, Clock], TargetLeases],
    dynamodb: Any,
    monkeypatch: pytest.MonkeyPatch,
    killed: str,
) -> None:
    a_clock, b_clock = Clock(100.0), Clock(50_000.0)
    a, b = replica("replica-a", a_clock), replica("replica-b", b_clock)
    clocks = {id(a): a_clock, id(b): b_clock}
    real_time = time.time

    def tick(leases: TargetLeases) -> None:
        if leases is a:
            a.tick()
            return
        # b's wall clock runs an hour ahead: it changes nothing.
        with monkeypatch.context() as patched:
            patched.setattr(time, "time", lambda: real_time() + 3600)
            b.tick()

    a.tick()
    assert a.held() == TARGETS  # alone: every target is its share
    for _ in range(3):
        tick(b)
        tick(a)
        assert_one_writer_each([a, b])
        step(LEASE / 3, [(a, a_clock), (b, b_clock)])
    assert (len(a.held()), len(b.held())) == (2, 1)
    assert a.replicas == b.replicas == 2
    assert set(holders(dynamodb).values()) == {"replica-a", "replica-b"}

    # One is killed; the other ticks every third of a lease, so it reads the dead one's
    # last renewal within a third of a lease of its being written.
    victim, survivor = (a, b) if killed == "the one with two" else (b, a)
    die(victim)
    ticks = 0
    while len(survivor.held()) < 3:
        tick(survivor)
        assert_one_writer_each([a, b])
        step(LEASE / 3, [(survivor, clocks[id(survivor)])])
        ticks += 1
        assert ticks <= 5, survivor.held()
    assert ticks >= 3  # not before a whole lease on the survivor's clock
    assert survivor.held() == TARGETS and survivor.replicas == 1
    assert set(holders(dynamodb).values()) == {survivor.holder}


def test_a_busy_target_is_not_given_away_until_its_pass_is_done(
    replica: Callable[[str, Clock], TargetLeases],
) -> None:
    a_clock, b_clock = Clock(0.0), Clock(0.0)
    a, b = replica("replica-a", a_clock), replica("replica-b", b_clock)
    a.tick()
    b.tick()
    a.tick(busy=lambda target: True)
    assert a.held() == TARGETS  # over its share, but every pass is running
    b.tick()
    assert b.held() == []
    a.tick(busy=lambda target: target != "staging")
    assert a.held() == ["dev", "prod"]
    b.tick()
    assert b.held() == ["staging"]


def test_a_replica_gone_for_a_lease_is_no_longer_counted(
    replica: Callable[[str, Clock], TargetLeases], dynamodb: Any
) -> None:
    a_clock, b_clock = Clock(0.0), Clock(0.0)
    a, b = replica("replica-a", a_clock), replica("replica-b", b_clock)
    a.tick()
    b.tick()
    assert b.replicas == 2
    die(a)
    step(LEASE - 1, [(b, b_clock)])
    b.tick()
    assert b.replicas == 2  # not before a lease
    step(1, [(b, b_clock)])
    b.tick()
    assert b.replicas == 1
    # Its presence is deleted: a replica starting now does not wait a lease to count it out.
    c = replica("replica-c", Clock(7.0))
    c.tick()
    assert c.replicas == 2  # c and b
    presences = dynamodb.scan(TableName=TABLE, ConsistentRead=True)["Items"]
    names = {i["lock_id"]["S"] for i in presences if "/replica/" in i["lock_id"]["S"]}
    assert names == {
        "sagemaker-reconciler/replica/replica-b",
        "sagemaker-reconciler/replica/replica-c",
    }
