"""One error taxonomy, classed by what the caller should do.

- :class:`PermanentError` — retrying the same pass cannot succeed: the manifests, the
  account or the permissions must change first (invalid manifests, a resource another
  owner holds, AccessDenied, a refused guard). The CLI exits 1; the controller does not
  hammer: it waits for a manifest change or the next resync.
- :class:`TemporaryError` — retrying later may succeed (throttling after botocore's own
  retries, a 5xx, the network, a lock someone else holds). The CLI exits 1; the
  controller backs off and tries again.

Errors carry the resource address and manifest location when they concern one. AWS's
own errors (botocore's ``ClientError`` and ``BotoCoreError``) never travel further than
the AWS edge, :class:`reconciler.aws.Gateway`: it turns each into an :class:`AwsError`
(temporary or permanent by :func:`is_temporary_code`, and saying whether AWS meant "not
found", "already exists" or "busy"), so no other module imports botocore's exceptions.
"""

from __future__ import annotations

from dataclasses import dataclass
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


class AwsError(ReconcilerError):
    """An AWS call failed (after botocore's own retries), in AWS's words.

    operation: the call (``DescribeEndpoint``); code / aws_message: AWS's error code and
    message ("" for a failure with no answer: the network, a timeout, no credentials)
    not_found / already_exists / busy: what the answer means, as the service's rules
    (reconciler.aws) read it: the resource is not there; a create found it there already;
    the resource is in the middle of something and refuses the call for now.
    details: the error's modeled members besides its message (a SageMaker Runtime
    ModelError's OriginalStatusCode and OriginalMessage), as botocore parsed them.

    ``str()`` is ``<code>: <message>`` (only the message when there is no code).
    """

    def __init__(
        self,
        operation: str,
        code: str,
        aws_message: str,
        *,
        temporary: bool,
        not_found: bool = False,
        already_exists: bool = False,
        busy: bool = False,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{code}: {aws_message}" if code else aws_message)
        self.details = dict(details or {})
        self.operation = operation
        self.code = code
        self.aws_message = aws_message
        self.temporary = temporary
        self.not_found = not_found
        self.already_exists = already_exists
        self.busy = busy


# What an answer means, per service (the botocore service name): codes and message
# prefixes for "not found", "already exists", and codes and message fragments for "busy".
# SageMaker: ResourceNotFound, and ValidationException "Could not find ..." from the
# Describe/Delete calls; ResourceInUse and "Cannot create already existing ..." on a
# Create of a name that exists; ConflictException, and ValidationException messages on a
# resource in a transition ("Cannot update in-progress endpoint", "... only when
# InService") (SageMaker API reference, Common Errors and each operation's Errors; the
# messages as moto and the ACK sagemaker-controller's recorded answers have them).
# DynamoDB: ResourceNotFoundException for a missing table (DynamoDB API reference).
# Application Auto Scaling, CloudWatch: see their entries.
# Unverified for services not listed: the generic ResourceNotFoundException only.
@dataclass(frozen=True)
class ServiceErrors:
    not_found: tuple[str, ...] = ("ResourceNotFoundException",)
    not_found_prefixes: tuple[str, ...] = ()
    already_exists: tuple[str, ...] = ()
    already_exists_prefixes: tuple[str, ...] = ()
    busy: tuple[str, ...] = ()
    busy_fragments: tuple[str, ...] = ()


SERVICE_ERRORS: dict[str, ServiceErrors] = {
    "sagemaker": ServiceErrors(
        not_found=("ResourceNotFound",),
        not_found_prefixes=("Could not find",),
        already_exists=("ResourceInUse",),
        already_exists_prefixes=("Cannot create already existing",),
        busy=("ConflictException",),
        busy_fragments=("in-progress", "IN_PROGRESS", "only when InService"),
    ),
    # Application Auto Scaling: ObjectNotFoundException for a missing target, policy or
    # scheduled action, ConcurrentUpdateException for a pending update (its API reference,
    # Common Errors and each operation's Errors).
    "application-autoscaling": ServiceErrors(
        not_found=("ObjectNotFoundException",),
        busy=("ConcurrentUpdateException",),
    ),
    # CloudWatch: ResourceNotFound from DeleteAlarms, ResourceNotFoundException from the
    # tag calls; ConcurrentModificationException from TagResource/UntagResource (its API
    # reference, each operation's Errors). DescribeAlarms answers a missing alarm with an
    # empty list, not an error.
    "cloudwatch": ServiceErrors(
        not_found=("ResourceNotFound", "ResourceNotFoundException"),
        busy=("ConcurrentModificationException",),
    ),
    # SageMaker Runtime: InvokeEndpoint's errors (botocore's sagemaker-runtime model) name
    # no missing resource by code: an unknown endpoint is a ValidationError "Endpoint ...
    # of account ... not found." Checks read its errors as evidence, never as "not found".
    "sagemaker-runtime": ServiceErrors(not_found=()),
    # EventBridge (PutEvents of the eventbridge notification sink): ResourceNotFoundException
    # for a bus that does not exist (EventBridge API reference, Common Errors and PutEvents'
    # Errors; unverified which code a missing bus gets from PutEvents itself).
    "events": ServiceErrors(not_found=("ResourceNotFoundException",)),
}


def classify(err: Exception, operation: str, service: str = "sagemaker") -> AwsError:
    """A botocore error (``ClientError``: AWS answered; ``BotoCoreError``: no answer) as an
    :class:`AwsError`. Read by duck typing (``err.response``), so that this module needs
    no botocore; :class:`reconciler.aws.Gateway` calls it for every failed call."""
    response: Any = getattr(err, "response", None)
    if not isinstance(response, dict):
        # No answer: the network, a timeout, no credentials. Only credentials need a
        # change before a retry can succeed.
        if type(err).__name__ == "NoCredentialsError":
            return AwsError(
                operation,
                "",
                "no AWS credentials found (environment, profile or role)",
                temporary=False,
            )
        return AwsError(operation, "", str(err), temporary=True)
    error = response.get("Error", {})
    code = str(error.get("Code", ""))
    message = str(error.get("Message", ""))
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    rules = SERVICE_ERRORS.get(service, ServiceErrors())
    return AwsError(
        operation,
        code,
        message,
        temporary=is_temporary_code(code, status if isinstance(status, int) else None),
        not_found=code in rules.not_found or _starts(message, rules.not_found_prefixes),
        already_exists=code in rules.already_exists
        or _starts(message, rules.already_exists_prefixes),
        busy=code in rules.busy or any(f in message for f in rules.busy_fragments),
        details={k: v for k, v in response.items() if k not in ("Error", "ResponseMetadata")},
    )


def _starts(message: str, prefixes: tuple[str, ...]) -> bool:
    return bool(prefixes) and message.startswith(prefixes)


def from_aws(err: Exception, what: str) -> ReconcilerError:
    """An AWS error (an :class:`AwsError`, or botocore's own) after `what` (the call and
    its target), temporary or permanent as it is."""
    called = what.split(" ")[0]
    aws = err if isinstance(err, AwsError) else classify(err, called)
    kind = TemporaryError if aws.temporary else PermanentError
    if aws.operation and aws.operation != called:
        # Another call failed on the way (AssumeRole, while the client got the target
        # role's credentials for this one): name the call that failed.
        return kind(f"{what}: {aws.operation} failed: {aws}")
    return kind(f"{what}: {aws}")
