"""A lease lock in DynamoDB, so that a CI apply and the controller never write at once and
two controller replicas have one active writer.

The lock is one item ``{"lock_id": <name>, "holder": <id>, "expires_at": <epoch s>}`` in a
table whose partition key is ``lock_id`` (string). Taking it is a conditional PutItem that
succeeds when the item is absent, expired, or ours; a background thread renews it every
third of the lease; releasing is a conditional DeleteItem. A holder that crashes stops
renewing, and the lease expires: another process takes over within one lease duration.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from typing import Any

from botocore.exceptions import ClientError

from reconciler.commands.common import UserError

DEFAULT_LOCK_ID = "sagemaker-reconciler"


class LockLost(Exception):
    """The lease was lost (expired and taken by someone else) while we held it."""


class LeaseLock:
    """lease: seconds a lock stays valid without renewal; holder: who we are (host/pid/uuid)."""

    def __init__(
        self,
        client: Any,
        table: str,
        *,
        lock_id: str = DEFAULT_LOCK_ID,
        lease: float = 30.0,
        holder: str | None = None,
    ) -> None:
        self.client = client
        self.table = table
        self.lock_id = lock_id
        self.lease = lease
        self.holder = holder or f"{socket.gethostname()}/{os.getpid()}/{uuid.uuid4().hex[:8]}"
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None
        self.lost = threading.Event()

    def _put(self) -> bool:
        now = time.time()
        try:
            self.client.put_item(
                TableName=self.table,
                Item={
                    "lock_id": {"S": self.lock_id},
                    "holder": {"S": self.holder},
                    "expires_at": {"N": f"{now + self.lease:.3f}"},
                },
                ConditionExpression="attribute_not_exists(lock_id) OR expires_at < :now OR holder = :me",
                ExpressionAttributeValues={":now": {"N": f"{now:.3f}"}, ":me": {"S": self.holder}},
            )
        except ClientError as err:
            code = err.response.get("Error", {}).get("Code")
            if code == "ConditionalCheckFailedException":
                return False
            if code == "ResourceNotFoundException":
                raise UserError(
                    f"lock table {self.table} does not exist: create it with a string partition key "
                    "'lock_id' (see deploy/README.md)"
                ) from err
            raise
        return True

    @property
    def held(self) -> bool:
        """We hold it and keep renewing it."""
        return self._renewer is not None and self._renewer.is_alive() and not self.lost.is_set()

    def current_holder(self) -> str | None:
        answer = self.client.get_item(
            TableName=self.table, Key={"lock_id": {"S": self.lock_id}}, ConsistentRead=True
        )
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
            except ClientError:
                # A failed renewal is retried at the next tick; the lease covers the gap.
                continue

    def release(self) -> None:
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join(timeout=5)
            self._renewer = None
        try:
            self.client.delete_item(
                TableName=self.table,
                Key={"lock_id": {"S": self.lock_id}},
                ConditionExpression="holder = :me",
                ExpressionAttributeValues={":me": {"S": self.holder}},
            )
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise

    def __enter__(self) -> LeaseLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
