"""A lease lock in DynamoDB, so that a CI apply and the controller never write at once and
two controller replicas have one active writer. Leases trust no machine's wall clock.

The lock is one item in a table whose partition key is ``lock_id`` (string)::

    lock_id         S  the lock's name (default ``sagemaker-reconciler``)
    holder          S  who holds it: ``host/pid/uuid``
    record_version  S  a fresh uuid on every write of the holder (take and each renewal)
    lease_duration  N  seconds the holder declares its lease lasts without a renewal
    renewed_at      S  ISO 8601 UTC time of the write, from the writer's wall clock:
                       for operators reading the table, informative only, never compared

The rule is the one of the Amazon DynamoDB Lock Client (github.com/awslabs/
amazon-dynamodb-lock-client, ``AmazonDynamoDBLockClient.acquireLock``: a lock is expired when
the record version number it looked up has not changed for the lease duration, measured by
the looker's own ``millisecondTime``; ``sendHeartbeat`` writes a new record version
conditioned on the old one). Here:

- **Taking.** A free lock (no item) is taken with a PutItem conditioned on
  ``attribute_not_exists(lock_id)``. A lock held by someone else is read (GetItem); it
  counts as expired only once the record version we saw has not changed for a full
  ``lease_duration`` (the one its holder declares) on *our* monotonic clock, counted from
  when we first read that version. Then we take it with a PutItem conditioned on that exact
  version, so of two takers at most one wins. Wall clocks decide nothing: a replica whose
  clock runs an hour ahead waits like any other.
- **Renewing.** A background thread renews every third of the lease: a PutItem with a new
  version, conditioned on ours. Its condition failing means someone else took the lock:
  :attr:`lost` is set and renewing stops.
- **Writing only while held.** The holder notes on its own monotonic clock when it sent its
  last successful write; :attr:`held` turns False (and :meth:`assert_held` raises
  :class:`LeaseExpired`) once ``lease - margin`` has passed since, so a holder cut off from
  the table (renewals failing) stops starting writes before another could take the lock:
  the taker's lease is counted from a read that came after that write.
- **Releasing** is a DeleteItem conditioned on our record version: it never deletes a lock
  someone else has taken since.

Assumed, not verified: monotonic clocks on the machines run at nearly the same rate (they
may differ by any offset, but not gain a fifth of a lease in one lease: the default
``margin``). A write call already sent when the lease runs out is not recalled; the margin
is the time it has to land.

An item of the earlier format (``expires_at`` epoch seconds, no ``record_version``) is
handled as its writer renews it: every renewal of a reconciler from before record versions
wrote a new ``expires_at``, so that value stands for the version. Such a reconciler cannot
take a lock of this format (its condition ``expires_at < :now`` is false on an item
without ``expires_at``), so a rolling upgrade never has two writers either.

An AWS error from the table (no such table, access denied, ...) is a :class:`LockError`:
one line naming the table and the call, never a traceback. ``transient`` tells the
controller whether to stand by and retry (throttling, 5xx, no connection) or to stop.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog

from reconciler.errors import AwsError
from reconciler.gateway import Gateway
from reconciler.service import UserError

DEFAULT_LOCK_ID = "sagemaker-reconciler"

log = structlog.get_logger("reconciler.lock")

DYNAMODB = "dynamodb"
CONDITION_FAILED = "ConditionalCheckFailedException"

# The share of the lease a holder keeps in hand: it starts no write once `lease - margin`
# has passed since its last successful renewal (renewals come every third of the lease, so
# one failed renewal does not stop the writes; two do).
MARGIN = 0.2


class LockError(UserError):
    """The lock table answered an error. transient: retrying later may succeed."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient
        self.temporary = transient  # reconciler.errors: retrying later may succeed


class LeaseExpired(LockError):
    """We do not hold the lease any more, or have not renewed it in time: no new write may
    start (another holder may take the lock, or have taken it already)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, transient=True)


@dataclass(frozen=True)
class _Sighting:
    """An item as we first read it at this version.

    condition, values: the ConditionExpression (and its values) true while the item is
                       unchanged since: its record version is the same
    lease:             the lease its holder declares, in seconds
    at:                our clock when the read answered
    """

    condition: str
    values: dict[str, Any]
    lease: float
    at: float


def _unchanged(item: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The condition that holds while `item` is not written again."""
    if "record_version" in item:
        return "record_version = :seen", {":seen": item["record_version"]}
    # The earlier format: every renewal wrote a new expires_at (see the module docstring).
    return (
        "attribute_not_exists(record_version) AND expires_at = :seen",
        {":seen": item.get("expires_at", {"N": "0"})},
    )


class Watch:
    """When we first read each version of lease items, on our clock: an item counts as
    expired once the version we read has not changed for the lease its holder declares.

    clock: our monotonic clock; lease: the lease assumed for an item of the earlier
    format, which declares none (unverified that it is the holder's: replicas of one
    Deployment share --lock-lease)."""

    def __init__(self, clock: Callable[[], float], lease: float) -> None:
        self.clock = clock
        self.lease = lease
        self._seen: dict[str, _Sighting] = {}

    def expired(self, key: str, item: dict[str, Any]) -> bool:
        """Note `item` (just read, keyed `key`); whether its version has stood a lease."""
        condition, values = _unchanged(item)
        now = self.clock()
        seen = self._seen.get(key)
        if seen is None or (seen.condition, seen.values) != (condition, values):
            # A version we have not seen: its lease starts now, on our clock.
            self._seen[key] = _Sighting(condition, values, self._declared(item), now)
            return False
        return now - seen.at >= seen.lease

    def forget(self, key: str) -> None:
        self._seen.pop(key, None)

    def _declared(self, item: dict[str, Any]) -> float:
        try:
            return float(item["lease_duration"]["N"])
        except (KeyError, TypeError, ValueError):
            return self.lease


class LeaseLock:
    """lease: seconds a lock stays valid without renewal; holder: who we are (host/pid/uuid;
    an item naming it counts as ours, so no other process may use the same); clock: our
    monotonic clock (tests move it); margin: see :data:`MARGIN` (seconds; default a fifth
    of the lease)."""

    def __init__(
        self,
        aws: Gateway,
        table: str,
        *,
        lock_id: str = DEFAULT_LOCK_ID,
        lease: float = 30.0,
        holder: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        margin: float | None = None,
    ) -> None:
        self.aws = aws
        self.table = table
        self.lock_id = lock_id
        self.lease = lease
        self.margin = lease * MARGIN if margin is None else margin
        self.holder = holder or f"{socket.gethostname()}/{os.getpid()}/{uuid.uuid4().hex[:8]}"
        self.clock = clock
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None
        self._taken = False  # a write of ours succeeded since the last release
        self._version: str | None = None  # the record version of our last successful write
        self._renewed_at: float | None = None  # our clock when that write was sent
        self._watch = Watch(clock, lease)
        # One write of ours at a time: the renewal thread's and a caller's try_acquire
        # would otherwise race each other's conditions.
        self._writing = threading.RLock()
        self.lost = threading.Event()

    def error(self, operation: str, err: AwsError) -> LockError:
        """`err` from `operation` on the table, as one line. Throttling (DynamoDB answers
        it with HTTP 400, yet it is worth retrying: DynamoDB developer guide, "Error
        handling with DynamoDB"), 5xx and no connection are transient
        (reconciler.errors)."""
        if not err.code:
            return LockError(f"lock table {self.table}: {operation}: {err}", transient=True)
        if err.not_found:
            return LockError(
                f"lock table {self.table} does not exist: create it with a string partition key "
                "'lock_id' (see deploy/README.md)",
                transient=False,
            )
        message = err.aws_message or "no message"
        return LockError(
            f"lock table {self.table}: {operation} failed: {err.code}: {message}",
            transient=err.temporary,
        )

    # -- the item ----------------------------------------------------------------------
    def _read(self) -> dict[str, Any] | None:
        try:
            answer = self.aws.call(
                DYNAMODB,
                "GetItem",
                TableName=self.table,
                Key={"lock_id": {"S": self.lock_id}},
                ConsistentRead=True,
            )
        except AwsError as err:
            raise self.error("GetItem", err) from err
        item: dict[str, Any] | None = answer.get("Item")
        return item

    def _write(self, condition: str, values: dict[str, Any]) -> bool:
        """Write our item with a new record version if `condition` holds; whether it did."""
        version = uuid.uuid4().hex
        # Our lease is counted from before the write was sent: a taker's from after it read
        # the item this write made, so ours always ends first.
        sent_at = self.clock()
        request: dict[str, Any] = {
            "TableName": self.table,
            "Item": {
                "lock_id": {"S": self.lock_id},
                "holder": {"S": self.holder},
                "record_version": {"S": version},
                "lease_duration": {"N": f"{self.lease:.3f}"},
                "renewed_at": {
                    "S": datetime.fromtimestamp(time.time(), UTC).isoformat(timespec="seconds")
                },
            },
            "ConditionExpression": condition,
        }
        if values:
            request["ExpressionAttributeValues"] = values
        try:
            self.aws.call(DYNAMODB, "PutItem", **request)
        except AwsError as err:
            if err.code != CONDITION_FAILED:
                raise self.error("PutItem", err) from err
            # botocore retries a call whose answer was lost; when the first attempt did
            # land, the retry's condition fails on our own write. The version tells.
            item = self._read()
            if item is None or item.get("record_version", {}).get("S") != version:
                return False
        self._version, self._renewed_at = version, sent_at
        self._taken = True
        return True

    # -- holding -----------------------------------------------------------------------
    @property
    def held(self) -> bool:
        """We hold the lock, keep renewing it, and renewed it less than ``lease - margin``
        ago on our clock: a write may start."""
        return (
            self._renewer is not None
            and self._renewer.is_alive()
            and not self.lost.is_set()
            and self._unrenewed_for() < self.lease - self.margin
        )

    def _unrenewed_for(self) -> float:
        renewed = self._renewed_at
        return float("inf") if renewed is None else self.clock() - renewed

    def assert_held(self) -> None:
        """Raise :class:`LeaseExpired` unless :attr:`held`: called before each write."""
        if self.held:
            return
        if self.lost.is_set() or self._renewed_at is None:
            reason = "the lease is not ours any more"
        else:
            reason = (
                f"the lease was last renewed {self._unrenewed_for():.0f}s ago "
                f"(lease {self.lease:.0f}s)"
            )
        raise LeaseExpired(
            f"lock {self.lock_id} in {self.table}: {reason}; no new write is started"
        )

    def current_holder(self) -> str | None:
        item = self._read()
        return item["holder"]["S"] if item else None

    def try_acquire(self) -> bool:
        """Take the lock if it is free, ours, or expired by the rule above; never waits
        (call it again later: an expiry is seen across calls)."""
        with self._writing:
            taken = self._take()
        if taken:
            self._start_renewing()
        return taken

    def observe(self) -> bool:
        """Read the lock and note its version, as try_acquire does, without taking it:
        whether try_acquire would take it now. Keeps an expiry counting for a lock we do
        not want yet (reconciler.controller.sharing)."""
        with self._writing:
            return self._may_take(self._read())

    def _may_take(self, item: dict[str, Any] | None) -> bool:
        if item is None:
            return True
        if item.get("holder", {}).get("S") == self.holder:
            # Ours already (no one else writes our holder name): a release whose delete
            # failed, a renewal late or cut off.
            return True
        return self._watch.expired(self.lock_id, item)

    def _take(self) -> bool:
        item = self._read()
        if not self._may_take(item):
            return False
        self._watch.forget(self.lock_id)
        if item is None:
            return self._write("attribute_not_exists(lock_id)", {})
        return self._write(*_unchanged(item))

    def acquire(
        self, timeout: float, poll: float = 1.0, stop: threading.Event | None = None
    ) -> None:
        """Take the lock, waiting up to `timeout` seconds; UserError naming the holder if not."""
        deadline = time.monotonic() + timeout
        while True:
            if self.try_acquire():
                return
            if time.monotonic() >= deadline or (stop is not None and stop.is_set()):
                raise UserError(
                    f"the lock {self.lock_id} in {self.table} is held by {self.current_holder()}; "
                    f"gave up after {timeout:.0f}s (--lock-timeout)"
                )
            waiter = stop or threading.Event()
            waiter.wait(min(poll, max(0.0, deadline - time.monotonic())))

    def renew(self) -> bool:
        """Renew our lease: a new record version, conditioned on ours. False (and
        :attr:`lost` set) when the lock is not ours any more; LockError when the table did
        not answer (the next renewal tries again)."""
        with self._writing:
            version = self._version
            if version is not None and self._write(
                "record_version = :mine", {":mine": {"S": version}}
            ):
                return True
        self.lost.set()
        return False

    def _start_renewing(self) -> None:
        if self._renewer is not None and self._renewer.is_alive():
            return
        self._stop.clear()
        self.lost.clear()
        self._renewer = threading.Thread(target=self._renew_loop, daemon=True, name="lease-renewal")
        self._renewer.start()

    def _renew_loop(self) -> None:
        while not self._stop.wait(self.lease / 3):
            try:
                if not self.renew():
                    log.warning("lock_lost", holder=self.holder)
                    return
            except LockError as err:
                # Retried at the next tick; past `lease - margin` without a renewal, held
                # turns False and no new write starts until a renewal succeeds.
                log.warning(
                    "lock_renewal_failed",
                    error=str(err),
                    unrenewed_for=round(self._unrenewed_for(), 1),
                )
                continue

    def release(self) -> None:
        """Stop renewing and delete the item if it is still ours (our record version).
        Never raises: a lock that cannot be deleted expires after its lease, and the
        caller's own outcome (an apply that went well, an error already on its way) is what
        must be reported."""
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join(timeout=5)
            self._renewer = None
        version = self._version
        taken, self._taken = self._taken, False
        self._version, self._renewed_at = None, None
        if not taken or version is None:
            return
        try:
            self.aws.call(
                DYNAMODB,
                "DeleteItem",
                TableName=self.table,
                Key={"lock_id": {"S": self.lock_id}},
                ConditionExpression="record_version = :mine",
                ExpressionAttributeValues={":mine": {"S": version}},
            )
        except AwsError as err:
            if err.code != CONDITION_FAILED:
                log.warning(
                    "lock_release_failed",
                    error=str(self.error("DeleteItem", err)),
                    expires_in=self.lease,
                )

    def __enter__(self) -> LeaseLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
