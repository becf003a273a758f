"""The lease lock against the emulator's DynamoDB (moto), through the real boto3 client:
leases trust no wall clock, a crashed holder is taken over after one lease on the taker's
own clock and not before, two takers never both win, a holder that cannot renew stops
starting writes before anyone else can take its lease, and a release never deletes a lock
that is someone else's.

Each lock gets a fake monotonic clock that the test moves; the lease is long (renewals every
200 s of real time), so the renewal thread never runs during a test: the tests call
``renew()`` where a renewal is due.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from reconciler.aws import AwsGateway
from reconciler.controller.lock import LeaseExpired, LeaseLock, LockError
from reconciler.controller.loop import Controller, ControllerSettings
from reconciler.execution.executor import Executor, Result
from reconciler.execution.waiting import WaitPolicy
from reconciler.gateway import Gateway
from reconciler.planning.changes import Action, Change, Plan
from reconciler.resources import JsonDict, Kind
from tests.conftest import ROLE_ARN, Emulator
from tests.support.env import copy_examples
from tests.support.gateway import aws_error

LEASE = 600.0
HOUR = 3600.0
TABLE_FILE = Path(__file__).resolve().parents[2] / "deploy" / "dynamodb-lock-table.json"
TABLE = json.loads(TABLE_FILE.read_text())["TableName"]
_real_time = time.time


class Clock:
    """A monotonic clock the test moves; each lock's own, at an offset of its own (two
    machines' monotonic clocks share no origin)."""

    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class CutOff:
    """A gateway that, while `cut`, answers every call as a network failure (a holder
    partitioned from the table), and otherwise passes calls on."""

    def __init__(self, inner: Gateway) -> None:
        self.inner = inner
        self.cut = False

    def call(self, service: str, operation: str, **request: Any) -> JsonDict:
        if self.cut:
            raise aws_error(operation, "", "Could not connect to the endpoint URL", temporary=True)
        return self.inner.call(service, operation, **request)

    def pages(self, service: str, operation: str, **request: Any) -> Iterator[JsonDict]:
        return self.inner.pages(service, operation, **request)

    def pool_size(self, service: str) -> int:
        return self.inner.pool_size(service)


class AllAtOnce(CutOff):
    """A gateway that holds each PutItem until every racer has sent one."""

    def __init__(self, inner: Gateway, barrier: threading.Barrier) -> None:
        super().__init__(inner)
        self.barrier = barrier

    def call(self, service: str, operation: str, **request: Any) -> JsonDict:
        if operation == "PutItem":
            self.barrier.wait(timeout=10)
        return super().call(service, operation, **request)


@pytest.fixture
def dynamodb(emulator: Emulator) -> Any:
    client = emulator.client("dynamodb")
    client.create_table(**json.loads(TABLE_FILE.read_text()))
    return client


@pytest.fixture
def make(dynamodb: Any) -> Iterator[Callable[..., LeaseLock]]:
    made: list[LeaseLock] = []

    def make_lock(
        holder: str, clock: Clock, *, wrap: Callable[[Gateway], Gateway] | None = None
    ) -> LeaseLock:
        gateway: Gateway = AwsGateway(clients={"dynamodb": dynamodb})
        lock = LeaseLock(
            wrap(gateway) if wrap else gateway, TABLE, lease=LEASE, holder=holder, clock=clock
        )
        made.append(lock)
        return lock

    yield make_lock
    for lock in made:
        crash(lock)


def crash(lock: LeaseLock) -> None:
    """The holder dies: it stops renewing and deletes nothing."""
    lock._stop.set()
    if lock._renewer is not None:
        lock._renewer.join(timeout=5)


def item(dynamodb: Any) -> dict[str, Any]:
    answer = dynamodb.get_item(
        TableName=TABLE, Key={"lock_id": {"S": "sagemaker-reconciler"}}, ConsistentRead=True
    )
    found: dict[str, Any] = answer.get("Item", {})
    return found


def test_the_item_carries_a_record_version_that_every_renewal_changes(
    make: Callable[..., LeaseLock], dynamodb: Any
) -> None:
    clock = Clock(100.0)
    lock = make("replica-a", clock)
    assert lock.try_acquire()
    first = item(dynamodb)
    # The operator-visible format: no expires_at, nothing compared with a wall clock.
    assert set(first) == {"lock_id", "holder", "record_version", "lease_duration", "renewed_at"}
    assert first["holder"] == {"S": "replica-a"}
    assert float(first["lease_duration"]["N"]) == LEASE
    clock.advance(LEASE / 3)
    assert lock.renew()
    second = item(dynamodb)
    assert second["record_version"] != first["record_version"]
    assert second["holder"] == first["holder"]
    assert lock.held


def test_a_taker_whose_wall_clock_runs_an_hour_ahead_cannot_take_a_live_lease(
    make: Callable[..., LeaseLock], dynamodb: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    a_clock, b_clock = Clock(100.0), Clock(9_000.0)
    a, b = make("replica-a", a_clock), make("replica-b", b_clock)
    assert a.try_acquire()
    for _ in range(6):  # three leases of b's clock, a renewing as it should
        with monkeypatch.context() as patched:
            patched.setattr(time, "time", lambda: _real_time() + HOUR)
            assert not b.try_acquire()
        b_clock.advance(LEASE / 2)
        a_clock.advance(LEASE / 2)
        assert a.renew()
    assert item(dynamodb)["holder"] == {"S": "replica-a"}
    assert a.held and not b.held


def test_a_crashed_holder_is_taken_over_after_one_lease_on_the_takers_clock(
    make: Callable[..., LeaseLock], dynamodb: Any
) -> None:
    a = make("replica-a", Clock(100.0))
    assert a.try_acquire()
    crash(a)
    assert not a.held
    b_clock = Clock(5.0)
    b = make("replica-b", b_clock)
    assert not b.try_acquire()  # the first read of a's version: the lease counts from now
    b_clock.advance(LEASE - 1)
    assert not b.try_acquire()
    assert item(dynamodb)["holder"] == {"S": "replica-a"}
    b_clock.advance(1)
    assert b.try_acquire()
    assert b.current_holder() == "replica-b"
    assert b.held


def test_two_takers_racing_for_an_expired_lease_exactly_one_wins(
    make: Callable[..., LeaseLock], dynamodb: Any
) -> None:
    a = make("replica-a", Clock(100.0))
    assert a.try_acquire()
    crash(a)
    barrier = threading.Barrier(3)
    clocks = [Clock(10.0), Clock(20.0), Clock(30.0)]
    takers = [
        make(f"replica-{n}", clock, wrap=lambda inner: AllAtOnce(inner, barrier))
        for n, clock in enumerate(clocks)
    ]
    for taker, clock in zip(takers, clocks, strict=True):
        assert not taker.try_acquire()
        clock.advance(LEASE)
    # Each has seen a's version unchanged for a lease; their conditional PutItems on that
    # version reach the table together.
    won: list[bool] = []
    threads = [threading.Thread(target=lambda t=t: won.append(t.try_acquire())) for t in takers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert sorted(won) == [False, False, True]
    (winner,) = [t for t in takers if t.held]
    assert item(dynamodb)["holder"] == {"S": winner.holder}
    # The losers saw the winner's version just now: they wait a whole lease for it again.
    barrier.reset()
    for taker, clock in zip(takers, clocks, strict=True):
        if taker is not winner:
            clock.advance(LEASE / 2)
            assert not taker.try_acquire()


def test_a_holder_cut_off_from_the_table_stops_writing_before_another_can_take_over(
    make: Callable[..., LeaseLock], dynamodb: Any
) -> None:
    a_clock, b_clock = Clock(100.0), Clock(7.0)
    links: list[CutOff] = []

    def cut_off(inner: Gateway) -> Gateway:
        links.append(CutOff(inner))
        return links[0]

    a = make("replica-a", a_clock, wrap=cut_off)
    b = make("replica-b", b_clock)
    assert a.try_acquire()
    assert not b.try_acquire()  # b reads a's version right after a wrote it

    def both(seconds: float) -> None:
        a_clock.advance(seconds)
        b_clock.advance(seconds)

    links[0].cut = True
    both(LEASE / 3)
    with pytest.raises(LockError, match="Could not connect"):
        a.renew()
    both(LEASE / 3)
    with pytest.raises(LockError):
        a.renew()
    assert a.held  # two thirds of a lease: still inside lease - margin
    both(LEASE * 0.8 - 2 * (LEASE / 3))
    assert not a.held
    with pytest.raises(LeaseExpired, match="last renewed 480s ago"):
        a.assert_held()
    assert not b.try_acquire()  # a stopped writing; b still waits out the lease
    both(LEASE * 0.2)
    assert b.try_acquire()
    # The link comes back: a's renewal finds the lock taken and gives it up.
    links[0].cut = False
    assert not a.renew()
    assert a.lost.is_set() and not a.held
    with pytest.raises(LeaseExpired, match="not ours any more"):
        a.assert_held()


def test_the_write_path_starts_no_write_once_the_lease_ran_out(
    make: Callable[..., LeaseLock], emulator: Emulator
) -> None:
    clock = Clock(100.0)
    lock = make("replica-a", clock)
    assert lock.try_acquire()
    sagemaker = emulator.client("sagemaker")
    executor = Executor(
        AwsGateway(clients={"sagemaker": sagemaker}),
        wait_policy=WaitPolicy(initial=0.001, maximum=0.01, jitter=0.0, timeout=10.0),
        before_write=lock.assert_held,
    )
    change = Change(
        address="Model/chat",
        kind=Kind.MODEL,
        name="chat",
        physical_name="chat",
        action=Action.CREATE,
        operations=["CreateModel"],
        reason="does not exist",
        desired_spec={"ExecutionRoleArn": ROLE_ARN, "PrimaryContainer": {"Image": "image"}},
    )
    clock.advance(LEASE * 0.8)  # no renewal went through for lease - margin
    (outcome,) = executor.apply(Plan(owner="test", changes=[change])).outcomes
    assert outcome.result is Result.FAILED
    assert "no new write is started" in outcome.detail
    assert sagemaker.list_models()["Models"] == []
    # A renewal goes through again: writes start again.
    assert lock.renew()
    (outcome,) = executor.apply(Plan(owner="test", changes=[change])).outcomes
    assert outcome.result is Result.CREATED
    assert [m["ModelName"] for m in sagemaker.list_models()["Models"]] == ["chat"]


def test_a_release_by_anyone_but_the_holder_deletes_nothing(
    make: Callable[..., LeaseLock], dynamodb: Any
) -> None:
    a = make("replica-a", Clock(100.0))
    bystander = make("ci-apply", Clock(0.0))
    assert a.try_acquire()
    bystander.release()  # never took it
    assert item(dynamodb)["holder"] == {"S": "replica-a"}
    # A former holder, back after its lease was taken over, leaves the new holder's lock.
    crash(a)
    b_clock = Clock(3.0)
    b = make("replica-b", b_clock)
    assert not b.try_acquire()
    b_clock.advance(LEASE)
    assert b.try_acquire()
    a.release()
    assert item(dynamodb)["holder"] == {"S": "replica-b"}
    b.release()
    assert item(dynamodb) == {}


def test_an_item_of_the_earlier_format_is_waited_out_and_cannot_take_the_new_one(
    make: Callable[..., LeaseLock], dynamodb: Any
) -> None:
    def old_put(condition_now: float, expires_at: float) -> None:
        """What a reconciler from before record versions sends to take or renew."""
        dynamodb.put_item(
            TableName=TABLE,
            Item={
                "lock_id": {"S": "sagemaker-reconciler"},
                "holder": {"S": "old-replica"},
                "expires_at": {"N": f"{expires_at:.3f}"},
            },
            ConditionExpression=(
                "attribute_not_exists(lock_id) OR expires_at < :now OR holder = :me"
            ),
            ExpressionAttributeValues={
                ":now": {"N": f"{condition_now:.3f}"},
                ":me": {"S": "old-replica"},
            },
        )

    now = _real_time()
    old_put(now, now - 10)  # already "expired" by the wall clock: that decides nothing
    clock = Clock(50.0)
    new = make("replica-new", clock)
    assert not new.try_acquire()
    clock.advance(LEASE - 1)
    old_put(now, now + 20)  # the old holder renews: a new expires_at
    clock.advance(1)
    assert not new.try_acquire()  # a renewal seen: the lease counts again from here
    clock.advance(LEASE)
    assert new.try_acquire()
    # An old replica, even with its clock an hour ahead, cannot take the new item.
    with pytest.raises(dynamodb.exceptions.ConditionalCheckFailedException):
        old_put(now + HOUR, now + HOUR + 30)
    assert item(dynamodb)["holder"] == {"S": "replica-new"}


class RunsOutAfterFirstWrite(CutOff):
    """SageMaker through the emulator; the first write call that goes through also lets a
    lease's worth of `clock` pass, as a pass slower than the lease would."""

    def __init__(self, inner: Gateway, clock: Clock) -> None:
        super().__init__(inner)
        self.clock = clock
        self.writes: list[str] = []

    def call(self, service: str, operation: str, **request: Any) -> JsonDict:
        answer = super().call(service, operation, **request)
        if operation.startswith(("Create", "Update", "Delete", "Add")):
            self.writes.append(operation)
            if len(self.writes) == 1:
                self.clock.advance(LEASE)
        return answer


def test_a_controller_pass_that_outlasts_its_lease_starts_no_further_write(
    make: Callable[..., LeaseLock], emulator: Emulator, tmp_path: Path, quiet_logs: None
) -> None:
    directory = tmp_path / "manifests"
    copy_examples(directory, hosting_only=True)
    clock = Clock(100.0)
    lock = make("replica-a", clock)
    services = ("sagemaker", "resourcegroupstaggingapi", "application-autoscaling", "cloudwatch")
    aws = RunsOutAfterFirstWrite(
        AwsGateway(clients={s: emulator.client(s) for s in services}), clock
    )
    # One write slot: the check before a write runs after the write before it is done.
    settings = ControllerSettings(directory=str(directory), owner="default", parallelism=1)
    loop = Controller(settings, aws, lock=lock)
    assert loop._hold_lock()
    assert loop.reconcile() == "failed"
    assert len(aws.writes) == 1
    # Not held at the start of a pass: nothing is even attempted.
    assert loop.reconcile() == "error"
    assert len(aws.writes) == 1
