"""Several controller replicas share the targets through the lease table: each target's
lease is held by one replica at a time, each replica holds about its share, and the
targets of a replica that dies are taken over by the others one lease after its last
renewal. No scheduler: a fleet of accounts scales out by adding replicas.

Called by ``run --all-targets`` (one :class:`TargetLeases` per replica, :meth:`tick` every
few seconds, each target's pass only while :meth:`lock` of it is :attr:`~LeaseLock.held`,
its writes guarded by that lock's ``assert_held``).

In the lock table (reconciler.controller.lock, whose clock-free rule every lease here
follows):

- ``<prefix>/target/<name>``: a target's lease;
- ``<prefix>/replica/<holder>``: a replica's presence, a lease it holds while it runs.

A :meth:`tick`:

1. renews our presence (taking it the first time);
2. lists the replicas (a Scan of the presence items) and counts as gone one whose record
   version has not changed for its lease on our clock — and deletes its presence item,
   conditioned on that version, so that a replica starting later does not count it;
3. our share is ``ceil(targets / replicas)``. Below it, we take free or expired target
   leases (in name order); above it, we release the extra ones whose pass is not running
   (`busy` says), so that another replica takes them at its next tick; the targets we do
   not take are still read, so that an expiry is counted from the first read after its
   holder's last renewal and a dead replica's targets are taken one lease later, not two.

Shares settle within a few ticks; until then a replica may hold fewer targets than its
share, never a target another replica holds.
"""

from __future__ import annotations

import math
import os
import socket
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import structlog

from reconciler.controller.lock import (
    CONDITION_FAILED,
    DEFAULT_LOCK_ID,
    DYNAMODB,
    LeaseLock,
    Watch,
)
from reconciler.errors import AwsError
from reconciler.gateway import Gateway

log = structlog.get_logger("reconciler.sharing")


def target_lock_id(target: str, prefix: str = DEFAULT_LOCK_ID) -> str:
    """The lock_id of `target`'s lease."""
    return f"{prefix}/target/{target}"


class TargetLeases:
    """One replica's leases of the shared targets.

    targets: every target's name (the same list on every replica); lease, clock: as
    :class:`LeaseLock`'s; holder: this replica (host/pid/uuid); prefix: of the lock ids;
    where: a target whose lease lives elsewhere than `table` (its own account's lock
    table, reached with its credentials): its gateway and table. Presences stay in `table`."""

    def __init__(
        self,
        aws: Gateway,
        table: str,
        targets: Sequence[str],
        *,
        lease: float = 30.0,
        holder: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        prefix: str = DEFAULT_LOCK_ID,
        where: Mapping[str, tuple[Gateway, str]] | None = None,
    ) -> None:
        self.aws = aws
        self.table = table
        self.holder = holder or f"{socket.gethostname()}/{os.getpid()}/{uuid.uuid4().hex[:8]}"
        self.prefix = prefix
        self._members = f"{prefix}/replica/"

        elsewhere = dict(where or {})

        def lease_of(lock_id: str, at: tuple[Gateway, str] = (aws, table)) -> LeaseLock:
            return LeaseLock(
                at[0], at[1], lock_id=lock_id, lease=lease, holder=self.holder, clock=clock
            )

        self.presence = lease_of(self._members + self.holder)
        self.locks = {
            name: lease_of(target_lock_id(name, prefix), elsewhere.get(name, (aws, table)))
            for name in sorted(targets)
        }
        self._watch = Watch(clock, lease)
        self.replicas = 1  # live replicas at the last tick, us included

    def lock(self, target: str) -> LeaseLock:
        return self.locks[target]

    def held(self) -> list[str]:
        """The targets whose lease we hold and may write for now."""
        return [name for name, lock in self.locks.items() if lock.held]

    def share(self) -> int:
        return math.ceil(len(self.locks) / max(1, self.replicas))

    def tick(self, busy: Callable[[str], bool] = lambda target: False) -> None:
        """Renew our presence, count the replicas, take or give back target leases (see the
        module docstring). LockError when the table does not answer."""
        if not self.presence.held:
            self.presence.try_acquire()
        self.replicas = self._count_replicas()
        share = self.share()
        mine = self.held()
        for name in reversed(mine[share:]):
            if not busy(name):
                log.info("lease_shed", target=name, share=share, replicas=self.replicas)
                self.locks[name].release()
        count = len(self.held())
        for name, lock in self.locks.items():
            if lock.held:
                continue
            if lock.lost.is_set():
                lock.release()  # taken by another replica: stop renewing it
            if count < share and lock.try_acquire():
                log.info("lease_taken", target=name, share=share, replicas=self.replicas)
                count += 1
            elif count >= share:
                lock.observe()

    def _count_replicas(self) -> int:
        live = 1  # us
        for item in self._presences():
            lock_id = item["lock_id"]["S"]
            if lock_id == self.presence.lock_id:
                continue
            if not self._watch.expired(lock_id, item):
                live += 1
                continue
            self._watch.forget(lock_id)
            self._delete_gone(item)
        return live

    def _presences(self) -> list[dict[str, Any]]:
        # Scan reads eventually consistent unless ConsistentRead (DynamoDB API reference,
        # "Scan"); a stale page could show an old version and delay a takeover. Pages of
        # 1 MB at most: botocore's paginator follows LastEvaluatedKey.
        items: list[dict[str, Any]] = []
        try:
            for page in self.aws.pages(
                DYNAMODB,
                "Scan",
                TableName=self.table,
                ConsistentRead=True,
                FilterExpression="begins_with(lock_id, :members)",
                ExpressionAttributeValues={":members": {"S": self._members}},
            ):
                items.extend(page.get("Items", []))
        except AwsError as err:
            raise self.presence.error("Scan", err) from err
        return items

    def _delete_gone(self, item: dict[str, Any]) -> None:
        """A replica gone for a lease: delete its presence, unless it renewed since."""
        condition = "record_version = :seen"
        values = {":seen": item.get("record_version", {"S": ""})}
        try:
            self.aws.call(
                DYNAMODB,
                "DeleteItem",
                TableName=self.table,
                Key={"lock_id": item["lock_id"]},
                ConditionExpression=condition,
                ExpressionAttributeValues=values,
            )
            log.info("replica_gone", replica=item.get("holder", {}).get("S"))
        except AwsError as err:
            if err.code != CONDITION_FAILED:
                log.warning(
                    "replica_cleanup_failed", error=str(self.presence.error("DeleteItem", err))
                )

    def release(self) -> None:
        """Give every lease back (a replica shutting down): the others take over at once."""
        for lock in self.locks.values():
            lock.release()
        self.presence.release()


__all__ = ["TargetLeases", "target_lock_id"]
