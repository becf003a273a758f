"""AWS-shaped errors raised by the emulator's handlers.

Handlers raise :class:`AwsError`; the WSGI app turns it into the JSON error body
(`{"__type": code, "message": ...}`) and HTTP status that botocore parses into a
``ClientError`` with ``Error.Code`` = code, exactly as for the real service.
"""

from __future__ import annotations

# HTTP status of the error codes the emulator can answer with. Codes not listed are
# client errors (400), which is what SageMaker uses for validation, throttling and
# conflicts alike; botocore's retry logic keys on the code for throttling and on the
# 5xx status for transient service faults.
_STATUS_BY_CODE = {
    "InternalFailure": 500,
    "InternalServerError": 500,
    "InternalError": 500,
    "ServiceUnavailable": 503,
    "ServiceUnavailableException": 503,
    "BadGateway": 502,
    "GatewayTimeout": 504,
    "RequestTimeout": 408,
    "RequestTimeoutException": 408,
    "AccessDeniedException": 403,
    "UnrecognizedClientException": 403,
}


def status_for(code: str) -> int:
    """The HTTP status AWS uses with an error code."""
    return _STATUS_BY_CODE.get(code, 400)


class AwsError(Exception):
    """An error response: `code` becomes botocore's ``Error.Code``."""

    def __init__(self, code: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status if status is not None else status_for(code)


def validation(message: str) -> AwsError:
    return AwsError("ValidationException", message)


def could_not_find(what: str, arn: str) -> AwsError:
    """SageMaker's not-found answer for hosting resources: a ValidationException whose
    message starts with ``Could not find`` and quotes the ARN."""
    return AwsError("ValidationException", f'Could not find {what} "{arn}".')


def already_exists(what: str, arn: str) -> AwsError:
    return AwsError("ValidationException", f'Cannot create already existing {what} "{arn}".')
