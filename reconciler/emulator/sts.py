"""STS ``AssumeRole`` as AWS decides it: only a role that exists and whose trust policy lets
the caller in, with the external id it asks for. moto issues credentials for any role ARN,
existing or not; everything past this decision stays moto's (the credentials it issues
belong to the role's account, see ``app._account``).

AWS's rules kept here:
- The role must exist in its account, and a statement of its trust policy
  (``AssumeRolePolicyDocument``) must allow ``sts:AssumeRole`` to the caller; an explicit
  Deny wins (IAM User Guide, "Policy evaluation logic", "Roles terms and concepts": "trust
  policy").
- ``Principal`` ``{"AWS": ...}`` names the caller's account as its id,
  ``arn:aws:iam::<account>:root``, or a principal ARN of that account; ``"*"`` is anyone.
  UNVERIFIED simplification: the emulator does not tell which user or role of the caller's
  account an access key is, so a principal ARN of the caller's account matches any caller
  of that account.
- ``Condition`` ``StringEquals`` / ``StringLike`` on ``sts:ExternalId``: the request's
  ``ExternalId`` must match (IAM User Guide, "Access to AWS accounts owned by third
  parties", id_roles_create_for-user_externalid). An ``ExternalId`` the trust policy does
  not ask for is accepted (aws/aws-sdk-js issue #3869). Other condition keys are not
  evaluated: a statement that needs one never applies (the strict reading).
- The refusal is ``AccessDenied`` (HTTP 403) "User: <caller> is not authorized to perform:
  sts:AssumeRole on resource: <role ARN>", as users quote it (amzn/selling-partner-api-models
  issue #891, aws/aws-msk-iam-auth issue #108). The caller's ARN in it is the emulator's
  guess (its account's root).
"""

from __future__ import annotations

import fnmatch
import json
import re
from typing import Any
from urllib.parse import parse_qs, unquote

from reconciler.emulator.errors import AwsError

_ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::(?P<account>\d{12}):role/(?:[^/]+/)*[^/]+")
_ACTIONS = ("sts:assumerole", "sts:*", "*")
_EXTERNAL_ID = "sts:externalid"


def refusal(body: bytes, caller: str) -> AwsError | None:
    """Why AWS would refuse this AssumeRole (query-protocol `body`) from account
    `caller`, or None when it may go on to moto."""
    params = parse_qs(body.decode("utf-8", "replace"))
    role_arn = params.get("RoleArn", [""])[0]
    external_id = params.get("ExternalId", [None])[0]
    match = _ROLE_ARN.fullmatch(role_arn)
    if match is None:
        return None  # moto's own validation answers a malformed ARN
    document = _trust_policy(match["account"], role_arn)
    if document is not None and _allows(document, caller, external_id):
        return None
    return AwsError(
        "AccessDenied",
        f"User: arn:aws:iam::{caller}:root is not authorized to perform: sts:AssumeRole "
        f"on resource: {role_arn}",
        403,
    )


def _trust_policy(account: str, role_arn: str) -> Any:
    """The role's trust policy, parsed; None when the role does not exist."""
    from moto.iam.models import iam_backends

    backend = iam_backends[account]["global"]
    role = next((r for r in backend.get_roles() if r.arn == role_arn), None)
    if role is None:
        return None
    text = role.assume_role_policy_document
    try:
        return json.loads(text) if isinstance(text, str) else text
    except ValueError:
        return json.loads(unquote(text))


def _listed(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _allows(document: Any, caller: str, external_id: str | None) -> bool:
    allowed = False
    for statement in _listed(document.get("Statement") if isinstance(document, dict) else None):
        if not isinstance(statement, dict):
            continue
        actions = [str(a).lower() for a in _listed(statement.get("Action"))]
        if not any(a in _ACTIONS for a in actions):
            continue
        if not _principal_is(statement.get("Principal"), caller):
            continue
        if not _conditions_hold(statement.get("Condition") or {}, external_id):
            continue
        if statement.get("Effect") == "Deny":
            return False
        allowed = allowed or statement.get("Effect") == "Allow"
    return allowed


def _principal_is(principal: Any, caller: str) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    for named in _listed(principal.get("AWS")):
        text = str(named)
        if text in ("*", caller, f"arn:aws:iam::{caller}:root"):
            return True
        if re.fullmatch(rf"arn:aws[a-z-]*:(iam|sts)::{caller}:.+", text):
            return True
    return False


def _conditions_hold(conditions: Any, external_id: str | None) -> bool:
    if not isinstance(conditions, dict):
        return False
    for operator, tests in conditions.items():
        if operator not in ("StringEquals", "StringLike") or not isinstance(tests, dict):
            return False
        for key, wanted in tests.items():
            if str(key).lower() != _EXTERNAL_ID or external_id is None:
                return False
            values = [str(v) for v in _listed(wanted)]
            if operator == "StringEquals" and external_id not in values:
                return False
            if operator == "StringLike" and not any(
                fnmatch.fnmatchcase(external_id, v) for v in values
            ):
                return False
    return True
