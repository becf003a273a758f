"""One error taxonomy, classed by what the caller should do.

- :class:`PermanentError` — retrying the same pass cannot succeed: the manifests, the
  account or the permissions must change first (invalid manifests, a resource another
  owner holds, AccessDenied, a refused guard). The CLI exits 1; the controller does not
  hammer: it waits for a manifest change or the next resync.
- :class:`TemporaryError` — retrying later may succeed (throttling after botocore's own
  retries, a 5xx, the network, a lock someone else holds). The CLI exits 1; the
  controller backs off and tries again.

Errors carry the resource address and manifest location when they concern one. AWS's
own errors (botocore's ``ClientError`` and ``BotoCoreError``) are classified in one place,
:func:`from_aws`, at the boundary where they are caught.
"""

from __future__ import annotations

from typing import Any

from reconciler.resources import Location

# Error codes that say "try again later", across the services the reconciler calls:
# SageMaker and the tagging API (ThrottlingException, InternalFailure,
# ServiceUnavailable), DynamoDB's throttling answers ("Error handling with DynamoDB",
# DynamoDB developer guide), and the throttling codes botocore's retry handler knows.
TEMPORARY_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "ProvisionedThroughputExceededException",
        "InternalFailure",
        "InternalServerError",
        "InternalServerException",
        "ServiceUnavailable",
        "ServiceUnavailableException",
    }
)


class ReconcilerError(Exception):
    """An error the reconciler reports in one line (never a traceback).

    temporary: retrying later may succeed
    address:   ``Kind/name`` of the resource concerned, if any
    location:  the manifest file and line, if any
    """

    temporary = False

    def __init__(
        self, message: str, *, address: str | None = None, location: Location | None = None
    ) -> None:
        super().__init__(message)
        self.address = address
        self.location = location


class PermanentError(ReconcilerError):
    """Retrying the same pass cannot succeed; something must change first."""


class TemporaryError(ReconcilerError):
    """Retrying later may succeed."""

    temporary = True


def is_temporary_code(code: str, status: int | None = None) -> bool:
    return code in TEMPORARY_CODES or (status is not None and status >= 500)


def from_aws(err: Exception, what: str) -> ReconcilerError:
    """An AWS error (botocore ``ClientError`` or ``BotoCoreError``) as one of ours: the
    code and message in AWS's words, after `what` (the call and its target). Connection
    and timeout errors (BotoCoreError) are temporary."""
    response: Any = getattr(err, "response", None)
    if isinstance(response, dict):
        error = response.get("Error", {})
        code = str(error.get("Code", ""))
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        message = f"{what}: {code}: {error.get('Message', '')}"
        if is_temporary_code(code, status if isinstance(status, int) else None):
            return TemporaryError(message)
        return PermanentError(message)
    return TemporaryError(f"{what}: {err}")
