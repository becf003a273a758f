"""A lease lock in DynamoDB, so that a CI apply and the controller never write at once and
two controller replicas have one active writer.

The lock is one item ``{"lock_id": <name>, "holder": <id>, "expires_at": <epoch s>}`` in a
table whose partition key is ``lock_id`` (string). Taking it is a conditional PutItem that
succeeds when the item is absent, expired, or ours; a background thread renews it every
third of the lease; releasing is a conditional DeleteItem. A holder that crashes stops
renewing, and the lease expires: another process takes over within one lease duration.

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

import structlog

from reconciler.errors import AwsError
from reconciler.gateway import Gateway
from reconciler.service import UserError

DEFAULT_LOCK_ID = "sagemaker-reconciler"

log = structlog.get_logger("reconciler.lock")

DYNAMODB = "dynamodb"
CONDITION_FAILED = "ConditionalCheckFailedException"


class LockError(UserError):
    """The lock table answered an error. transient: retrying later may succeed."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient
        self.temporary = transient  # reconciler.errors: retrying later may succeed


class LeaseLock:
    """lease: seconds a lock stays valid without renewal; holder: who we are (host/pid/uuid)."""

    def __init__(
        self,
        aws: Gateway,
        table: str,
        *,
        lock_id: str = DEFAULT_LOCK_ID,
        lease: float = 30.0,
        holder: str | None = None,
    ) -> None:
        self.aws = aws
        self.table = table
        self.lock_id = lock_id
        self.lease = lease
        self.holder = holder or f"{socket.gethostname()}/{os.getpid()}/{uuid.uuid4().hex[:8]}"
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None
        self._taken = False  # a PutItem of ours succeeded since the last release
        self.lost = threading.Event()

    def _error(self, operation: str, err: AwsError) -> LockError:
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

    def _put(self) -> bool:
        now = time.time()
        try:
            self.aws.call(
                DYNAMODB,
                "PutItem",
                TableName=self.table,
                Item={
                    "lock_id": {"S": self.lock_id},
                    "holder": {"S": self.holder},
                    "expires_at": {"N": f"{now + self.lease:.3f}"},
                },
                ConditionExpression="attribute_not_exists(lock_id) OR expires_at < :now OR holder = :me",
                ExpressionAttributeValues={":now": {"N": f"{now:.3f}"}, ":me": {"S": self.holder}},
            )
        except AwsError as err:
            if err.code == CONDITION_FAILED:
                return False
            raise self._error("PutItem", err) from err
        self._taken = True
        return True

    @property
    def held(self) -> bool:
        """We hold it and keep renewing it."""
        return self._renewer is not None and self._renewer.is_alive() and not self.lost.is_set()

    def current_holder(self) -> str | None:
        try:
            answer = self.aws.call(
                DYNAMODB,
                "GetItem",
                TableName=self.table,
                Key={"lock_id": {"S": self.lock_id}},
                ConsistentRead=True,
            )
        except AwsError as err:
            raise self._error("GetItem", err) from err
        item = answer.get("Item")
        return item["holder"]["S"] if item else None

    def try_acquire(self) -> bool:
        if self._put():
            self._start_renewing()
            return True
        return False

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
                if not self._put():
                    self.lost.set()
                    return
            except LockError as err:
                # A failed renewal is retried at the next tick; the lease covers the gap.
                log.warning("lock_renewal_failed", error=str(err))
                continue

    def release(self) -> None:
        """Stop renewing and delete the item if it is still ours. Never raises: a lock
        that cannot be deleted expires after its lease, and the caller's own outcome (an
        apply that went well, an error already on its way) is what must be reported."""
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join(timeout=5)
            self._renewer = None
        if not self._taken:
            return
        self._taken = False
        try:
            self.aws.call(
                DYNAMODB,
                "DeleteItem",
                TableName=self.table,
                Key={"lock_id": {"S": self.lock_id}},
                ConditionExpression="holder = :me",
                ExpressionAttributeValues={":me": {"S": self.holder}},
            )
        except AwsError as err:
            if err.code != CONDITION_FAILED:
                log.warning(
                    "lock_release_failed",
                    error=str(self._error("DeleteItem", err)),
                    expires_in=self.lease,
                )

    def __enter__(self) -> LeaseLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
