"""STS AssumeRole as the emulator decides it, through the real boto3 client: only a role
that exists and whose trust policy lets the caller in, with the external id it asks for
(reconciler/emulator/sts.py has the sources); the credentials act in the role's account."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.support.roles import trust

ROLE = "arn:aws:iam::111111111111:role/deployer"


def _assume(emulator: Any, **extra: Any) -> dict[str, Any]:
    sts = emulator.client("sts")
    answer: dict[str, Any] = sts.assume_role(RoleArn=ROLE, RoleSessionName="test", **extra)
    return answer


def _refused(emulator: Any, **extra: Any) -> str:
    with pytest.raises(ClientError) as caught:
        _assume(emulator, **extra)
    error = caught.value.response["Error"]
    assert error["Code"] == "AccessDenied"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    return str(error["Message"])


def test_a_role_that_does_not_exist_cannot_be_assumed(emulator: Any) -> None:
    message = _refused(emulator)
    assert message.endswith(f"is not authorized to perform: sts:AssumeRole on resource: {ROLE}")


def test_a_trusted_caller_gets_credentials_of_the_roles_account(emulator: Any) -> None:
    trust(emulator, ROLE)
    answer = _assume(emulator)
    assert answer["Credentials"]["AccessKeyId"]
    assert answer["AssumedRoleUser"]["Arn"].startswith(
        "arn:aws:sts::111111111111:assumed-role/deployer/"
    )
    # An external id the trust policy does not ask for is accepted (as on AWS).
    assert _assume(emulator, ExternalId="anything")["Credentials"]


def test_an_external_id_the_trust_policy_asks_for_must_be_given_and_match(emulator: Any) -> None:
    trust(emulator, ROLE, external_id="prod-deployer")
    _refused(emulator)
    _refused(emulator, ExternalId="someone-else")
    assert _assume(emulator, ExternalId="prod-deployer")["Credentials"]


def test_another_accounts_caller_and_an_explicit_deny_are_refused(emulator: Any) -> None:
    trust(emulator, ROLE, trusted="999999999999")
    _refused(emulator)
    iam = emulator.client("iam")

    def in_account(request: Any, **_: Any) -> None:
        request.headers["x-moto-account-id"] = "111111111111"

    iam.meta.events.register("before-sign.iam.*", in_account)
    allow = {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}
    deny = {"Effect": "Deny", "Principal": {"AWS": "123456789012"}, "Action": "sts:AssumeRole"}
    iam.update_assume_role_policy(
        RoleName="deployer",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [allow, deny]}),
    )
    _refused(emulator)
