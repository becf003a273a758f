"""Roles in the emulator's accounts, as a target's `role_arn` needs them: the emulator's
STS AssumeRole, like AWS's, refuses a role that does not exist or whose trust policy does
not let the caller in (reconciler/emulator/sts.py)."""

from __future__ import annotations

import json
from typing import Any

import boto3

AMBIENT = "123456789012"  # moto's default account: what the test credentials reach


def trust(
    where: Any, role_arn: str, *, trusted: str = AMBIENT, external_id: str | None = None
) -> None:
    """Make `role_arn` in its account, assumable from account `trusted` (with
    `external_id` when given). `where`: the emulator's URL, or a fixture whose
    ``client(service)`` reaches it (the in-process emulator has no URL)."""
    account = role_arn.split(":")[4]
    name = role_arn.rsplit("/", 1)[1]
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{trusted}:root"},
        "Action": "sts:AssumeRole",
    }
    if external_id is not None:
        statement["Condition"] = {"StringEquals": {"sts:ExternalId": external_id}}
    if isinstance(where, str):
        iam = boto3.client("iam", endpoint_url=where, region_name="us-east-1")
    else:
        iam = where.client("iam")

    def in_account(request: Any, **_: Any) -> None:
        request.headers["x-moto-account-id"] = account

    iam.meta.events.register("before-sign.iam.*", in_account)
    iam.create_role(
        RoleName=name,
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
    )
